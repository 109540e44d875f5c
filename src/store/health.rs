//! The store's health: checking its structure (`taskctl check`, and `tasksched` at start), a
//! mark left next to a store found damaged so that writes refuse it, and consistent backups
//! taken while workers run (`taskctl backup`).
//!
//! Checking a store reads all of it (about 0.1 s per 100,000 jobs), too slow for every
//! `taskctl add`. So whichever command finds damage leaves `phr.db.damaged`; a write-open of
//! a marked store checks it first and refuses it while it fails, and removes the mark once it
//! passes (after a backup was restored), so there is nothing to clean up by hand.

use super::access::sibling;
use super::Store;
use crate::error::{Error, Result, StoreFailure};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// How to recover from a damaged store, for messages: the README tells the same in full.
pub const RECOVERY: &str = "restore a backup (taskctl backup FILE): stop tasksched, copy the backup over \
     phr.db, remove phr.db-wal and phr.db-shm, start tasksched (see README)";

/// At most this many problems are listed by a check.
const MAX_PROBLEMS: u32 = 100;

impl Store {
    /// Checks the store's structure and returns what is wrong, nothing when it is sound.
    /// `thorough` runs SQLite's full integrity check (indexes against their tables too); else
    /// the quick check (pages and records only, about twice as fast), what the scheduler runs
    /// at start.
    pub fn check(&self, thorough: bool) -> Result<Vec<String>> {
        let pragma = if thorough { "integrity_check" } else { "quick_check" };
        let found = (|| {
            let mut stmt = self.conn.prepare(&format!("PRAGMA {pragma}({MAX_PROBLEMS})"))?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.collect::<rusqlite::Result<Vec<String>>>()
        })();
        match found.map_err(Error::from) {
            Ok(rows) if rows.len() == 1 && rows[0] == "ok" => Ok(Vec::new()),
            // A row may hold several lines, under a "*** in database main ***" heading.
            Ok(rows) => Ok(rows
                .iter()
                .flat_map(|row| row.lines())
                .filter(|line| !line.is_empty() && !line.starts_with("*** "))
                .map(str::to_string)
                .collect()),
            // Damage bad enough that the check itself cannot read the store.
            Err(Error::Store { kind: StoreFailure::Corrupt, message, .. }) => Ok(vec![message]),
            Err(e) => Err(e),
        }
    }

    /// Writes a consistent copy of the store to `dest`, while other processes go on writing
    /// (a snapshot of one read transaction, compacted). It is written to a temporary file (mode
    /// 0600) in `dest`'s directory, synced, then renamed over `dest`: `dest` is never a
    /// half-written store, even after a crash.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        let name = dest.file_name().ok_or_else(|| Error::Usage(format!("{}: not a file name", dest.display())))?;
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let tmp = dir.join(format!(".{}.tmp-{}", name.to_string_lossy(), std::process::id()));
        let Some(tmp_text) = tmp.to_str() else {
            return Err(Error::Usage(format!("{}: only UTF-8 paths can be written", dest.display())));
        };
        let _ = std::fs::remove_file(&tmp); // a leftover of this pid's predecessor
        let cant_create = |source| Error::CantCreate { path: dest.to_path_buf(), source };
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp).map_err(cant_create)?;
        // query_only (set on read-only opens) refuses VACUUM INTO, which writes another file.
        let written = self
            .conn
            .execute_batch("PRAGMA query_only = OFF;")
            .and_then(|()| self.conn.execute("VACUUM INTO ?1", [tmp_text]))
            .and_then(|_| self.conn.execute_batch("PRAGMA query_only = ON;"))
            .map_err(Error::from)
            .and_then(|_| sync(&tmp).map_err(cant_create))
            .and_then(|()| std::fs::rename(&tmp, dest).map_err(cant_create))
            .and_then(|()| sync(&dir).map_err(cant_create));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
            let _ = std::fs::remove_file(sibling(&tmp, "-journal"));
        }
        written
    }

    /// Refuses a store marked damaged while it still fails its quick check; removes the mark
    /// once it passes (a backup was restored over it).
    pub(super) fn refuse_if_marked_damaged(&self) -> Result<()> {
        let mark = mark_path(&self.path);
        if !mark.exists() {
            return Ok(());
        }
        let problems = self.check(false)?;
        match problems.first() {
            None => {
                log::info!("{} passes its check again: removing {}", self.path.display(), mark.display());
                let _ = std::fs::remove_file(&mark);
                Ok(())
            }
            Some(first) => Err(Error::Store {
                path: Some(self.path.clone()),
                kind: StoreFailure::Corrupt,
                message: format!("damaged, nothing written ({first}; {} problem(s)): {RECOVERY}", problems.len()),
            }),
        }
    }
}

/// Leaves the mark saying the store at `path` was found damaged, and why, so that writes
/// refuse it until it passes a check again. Best effort: a store on a read-only file system
/// cannot be written anyway.
pub fn mark_damaged(path: &Path, reason: &str) {
    let mark = mark_path(path);
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&mark)
        .and_then(|mut f| writeln!(f, "{reason}"));
    if let Err(e) = written {
        log::debug!("cannot write {}: {e}", mark.display());
    }
}

fn mark_path(path: &Path) -> PathBuf {
    sibling(path, ".damaged")
}

/// Flushes a file or directory to disk.
fn sync(path: &Path) -> std::io::Result<()> {
    std::fs::File::open(path)?.sync_all()
}
