//! Which claimed jobs a worker actually started. A worker claims short jobs ahead; if it dies
//! (OOM, a panic, `kill -9`) the ones it never started did not fail and must not be charged an
//! attempt. Each worker appends the id of every job it starts to `run/started/PID:START`, one
//! small write without fsync (it only has to survive the process, not the machine); whoever
//! takes the dead worker's jobs back reads it. No file (say after a power cut) counts every job
//! as started: charged, as before.

use crate::config::Settings;
use crate::process::ProcessId;
use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

/// A worker's log of started jobs; removed when the worker exits normally.
pub struct StartedLog {
    path: PathBuf,
    file: Mutex<std::fs::File>,
    /// Left for whoever takes back this worker's jobs (it exits holding some).
    keep: std::sync::atomic::AtomicBool,
}

fn path_of(settings: &Settings, worker: ProcessId) -> PathBuf {
    settings.run_dir().join("started").join(worker.to_string())
}

impl StartedLog {
    /// Creates this worker's log; `None` (logged) if it cannot, and jobs are then charged as before.
    pub fn create(settings: &Settings, me: ProcessId) -> Option<StartedLog> {
        let path = path_of(settings, me);
        let opened = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::OpenOptions::new().create(true).truncate(true).write(true).open(&path));
        match opened {
            Ok(file) => Some(StartedLog { path, file: Mutex::new(file), keep: Default::default() }),
            Err(e) => {
                log::warn!("{}: {e}: jobs claimed ahead count as started if this worker dies", path.display());
                None
            }
        }
    }

    /// Records that job `id` starts now.
    pub fn record(&self, id: i64) {
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let _ = file.write_all(format!("{id}\n").as_bytes());
    }
}

impl StartedLog {
    /// Keeps the log when the worker exits with jobs still claimed (it could not report them).
    pub fn keep(&self) {
        self.keep.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Drop for StartedLog {
    fn drop(&mut self) {
        if !self.keep.load(std::sync::atomic::Ordering::SeqCst) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The jobs a (dead) worker started, if its log is there.
pub fn started_by(settings: &Settings, worker: ProcessId) -> Option<HashSet<i64>> {
    let text = std::fs::read_to_string(path_of(settings, worker)).ok()?;
    Some(text.lines().filter_map(|l| l.trim().parse().ok()).collect())
}

/// Removes a dead worker's log once its jobs are taken back.
pub fn forget(settings: &Settings, worker: ProcessId) {
    let _ = std::fs::remove_file(path_of(settings, worker));
}
