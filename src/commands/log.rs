//! `taskctl log --job ID`: a job's handler output, as captured by the runner.

use crate::cli::taskctl::LogArgs;
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::store::Store;
use std::io::Write;

pub fn run(settings: &Settings, args: LogArgs) -> Result<i32> {
    let Some(id) = args.job else { return Err(Error::Usage("say which log: --job ID".into())) };
    let path = settings.job_log(id);
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let store = Store::open(&settings.db_path())?;
            return Err(match store.get(id)? {
                None => Error::NoSuchJob(id),
                Some(_) => Error::NoInput { path, source: e },
            });
        }
        Err(e) => return Err(Error::NoInput { path, source: e }),
    };
    let shown = match args.lines {
        Some(n) => tail_lines(&text, n),
        None => &text[..],
    };
    let mut out = super::stdout();
    out.write_all(shown)?;
    out.flush()?;
    Ok(crate::exit_codes::OK)
}

/// The last `n` lines of `text` (a final newline does not start an empty line).
fn tail_lines(text: &[u8], n: usize) -> &[u8] {
    if n == 0 {
        return &[];
    }
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    let start = body.iter().enumerate().rev().filter(|&(_, &b)| b == b'\n').nth(n - 1).map_or(0, |(i, _)| i + 1);
    &text[start..]
}
