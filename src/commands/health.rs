//! `taskctl check` and `taskctl backup`: is the store sound, and a copy to restore it from.

use crate::cli::taskctl::{BackupArgs, CheckArgs};
use crate::config::Settings;
use crate::error::{Error, Result, StoreFailure};
use crate::store::{self, Store};
use std::io::Write;

/// Prints "ok" (exit 0), or each problem found and a one-line error with how to recover (65).
/// Read-only: it works on a read-only mount and never changes the store, except for the mark
/// that makes writes refuse a damaged store (and its removal once the store is sound).
pub fn check(settings: &Settings, args: CheckArgs) -> Result<i32> {
    let path = settings.db_path();
    existing(&path)?;
    let problems = match Store::open_read_only(&path).and_then(|s| s.check(!args.quick)) {
        Ok(problems) => problems,
        Err(Error::Store { kind: StoreFailure::Corrupt, message, .. }) => vec![message],
        Err(e) => return Err(e),
    };
    let mut out = super::stdout();
    if problems.is_empty() {
        writeln!(out, "ok")?;
        out.flush()?;
        // A write-open removes a mark left by an earlier failure, once it checks again.
        return Ok(crate::exit_codes::OK);
    }
    for problem in &problems {
        writeln!(out, "{problem}")?;
    }
    out.flush()?;
    Err(Error::Store {
        path: Some(path),
        kind: StoreFailure::Corrupt,
        message: format!("damaged ({} problem(s)): {}", problems.len(), store::RECOVERY),
    })
}

/// Writes a consistent copy of the store to the file given, while workers may be running.
pub fn backup(settings: &Settings, args: BackupArgs) -> Result<i32> {
    let path = settings.db_path();
    existing(&path)?;
    Store::open_read_only(&path)?.backup_to(&args.file)?;
    Ok(crate::exit_codes::OK)
}

/// The store must exist: checking or copying a store that is not there is a mistaken data dir.
fn existing(path: &std::path::Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(_) => Ok(()),
        Err(source) => Err(Error::NoInput { path: path.to_path_buf(), source }),
    }
}
