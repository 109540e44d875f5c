//! Pidfiles. The scheduler's is locked (flock) for its whole life, so "is it running?" is
//! answered by the lock, never by a pid that may be stale or reused. Task workers' pidfiles
//! hold the pid and its start time for the same reason.

use crate::error::{Error, Result};
use crate::private_file;
use crate::process::{self, ProcessId as WorkerId};
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// A held, locked pidfile; the lock goes when the process does, whatever kills it.
pub struct Pidfile {
    _file: File,
}

/// Who holds a locked pidfile.
#[derive(Debug, Clone, Copy)]
pub struct Holder {
    pub pid: i64,
    pub started_at: Option<i64>,
}

impl Pidfile {
    /// Locks and fills the pidfile, or returns who holds it. A few quick retries cover a
    /// `taskctl status` probing the lock at the same moment.
    pub fn acquire(path: &Path) -> Result<std::result::Result<Pidfile, Holder>> {
        let mut file =
            private_file::open_lock(path).map_err(|source| Error::CantCreate { path: path.to_path_buf(), source })?;
        for attempt in 0..10 {
            match file.try_lock() {
                Ok(()) => {
                    file.set_len(0).map_err(|e| Error::io(path, e))?;
                    writeln!(file, "{}\n{}", std::process::id(), crate::when::now_us())
                        .map_err(|e| Error::io(path, e))?;
                    return Ok(Ok(Pidfile { _file: file }));
                }
                Err(std::fs::TryLockError::WouldBlock) if attempt < 9 => std::thread::sleep(Duration::from_millis(20)),
                Err(std::fs::TryLockError::WouldBlock) => break,
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(path, e)),
            }
        }
        Ok(Err(read_holder(path).unwrap_or(Holder { pid: 0, started_at: None })))
    }
}

/// Who holds the pidfile's lock, if anyone: the process is running.
pub fn holder(path: &Path) -> Option<Holder> {
    let file = private_file::open_read(path).ok()?;
    match file.try_lock_shared() {
        Ok(()) => None,
        Err(_) => Some(read_holder(path).unwrap_or(Holder { pid: 0, started_at: None })),
    }
}

fn read_holder(path: &Path) -> Option<Holder> {
    let text = std::io::read_to_string(private_file::open_read(path).ok()?).ok()?;
    let mut lines = text.lines();
    let pid = lines.next()?.trim().parse().ok()?;
    Some(Holder { pid, started_at: lines.next().and_then(|l| l.trim().parse().ok()) })
}

/// The first number in a pidfile.
pub fn read_pid(path: &Path) -> Option<i64> {
    std::fs::read_to_string(path).ok()?.split_whitespace().next()?.parse().ok()
}

/// Writes a task worker's pidfile: `PID START_TIME`, via a temp file and a rename.
pub fn write_worker(path: &Path, worker: WorkerId) -> Result<()> {
    private_file::replace(path, format!("{} {}\n", worker.pid, worker.start).as_bytes())
        .map_err(|source| Error::CantCreate { path: path.to_path_buf(), source })
}

/// Reads a task worker's pidfile.
pub fn read_worker(path: &Path) -> Option<WorkerId> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut parts = text.split_whitespace();
    Some(WorkerId { pid: parts.next()?.parse().ok()?, start: parts.next()?.parse().ok()? })
}

/// Kills (SIGKILL) the process group recorded in a pidfile (`PID START`) and removes the file:
/// what a killed worker left running. The leader may be dead while the rest of its group lives
/// on; Linux never gives a pid still used as a group id to a new process, so the group is ours
/// unless the pid now belongs to another process (another start time).
pub fn kill_recorded_group(path: &Path) {
    if let Some(leader) = read_worker(path) {
        let reused = process::start_time(leader.pid).is_some_and(|start| start != leader.start);
        if !reused {
            process::kill_group(leader.pid);
        }
    }
    let _ = std::fs::remove_file(path);
}
