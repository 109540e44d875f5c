//! `taskctl log`: a task's log (its worker's output), the scheduler's, or a job's. `-f`
//! follows the file like `tail -F`: it keeps going when logrotate replaces it.

use crate::cli::taskctl::LogArgs;
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::store::Store;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often `--follow` looks for new lines.
const FOLLOW_EVERY: Duration = Duration::from_millis(200);

pub fn run(settings: &Settings, args: LogArgs) -> Result<i32> {
    let path = log_path(settings, &args)?;
    let lines = args.lines.or(args.follow.then_some(10));
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && args.follow => Vec::new(),
        // A job that printed nothing has no log file: an empty log, if the job exists.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && args.job.is_some() => {
            match missing(settings, &args, path.clone(), e)? {
                Error::NoInput { .. } => Vec::new(),
                no_such_job => return Err(no_such_job),
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing(settings, &args, path, e)?),
        Err(e) => return Err(Error::NoInput { path, source: e }),
    };
    let mut out = super::stdout();
    out.write_all(lines.map_or(&text[..], |n| tail_lines(&text, n)))?;
    out.flush()?;
    if args.follow {
        follow(&path, text.len() as u64, &mut out)?;
    }
    Ok(crate::exit_codes::OK)
}

fn log_path(settings: &Settings, args: &LogArgs) -> Result<PathBuf> {
    Ok(match (&args.task, args.job) {
        (_, Some(id)) => settings.job_log(id),
        (Some(task), _) => {
            crate::tasks::load(settings, task)?;
            settings.task_log(task)
        }
        (None, None) => settings.scheduler_log(),
    })
}

/// Why a log is missing: no such job, or simply nothing logged yet.
fn missing(settings: &Settings, args: &LogArgs, path: PathBuf, e: std::io::Error) -> Result<Error> {
    if let Some(id) = args.job {
        if Store::open_read_only(&settings.db_path())?.jobs().get(id)?.is_none() {
            return Ok(Error::NoSuchJob(id));
        }
    }
    Ok(Error::NoInput { path, source: e })
}

/// Prints what is appended to `path` from `offset` on, reopening it when it is replaced or
/// truncated, until our reader goes away.
fn follow(path: &Path, mut offset: u64, out: &mut impl Write) -> Result<()> {
    let mut current = std::fs::File::open(path).ok();
    let mut inode = current.as_ref().and_then(|f| f.metadata().ok()).map(|m| m.ino());
    let mut buf = Vec::new();
    loop {
        std::thread::sleep(FOLLOW_EVERY);
        let on_disk = std::fs::metadata(path).ok();
        let replaced = on_disk.as_ref().map(|m| m.ino()) != inode;
        if replaced || on_disk.as_ref().is_some_and(|m| m.len() < offset) {
            current = std::fs::File::open(path).ok();
            inode = on_disk.map(|m| m.ino());
            offset = 0;
        }
        let Some(file) = current.as_mut() else { continue };
        buf.clear();
        file.seek(SeekFrom::Start(offset)).and_then(|_| file.read_to_end(&mut buf)).map_err(|e| Error::io(path, e))?;
        if !buf.is_empty() {
            offset += buf.len() as u64;
            out.write_all(&buf)?;
            out.flush()?;
        }
    }
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
