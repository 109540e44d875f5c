//! Becoming a daemon without forking a process that may have threads: `tasksched` re-runs its
//! own binary in a new session (setsid), in `/`, with stdin from /dev/null and stdout/stderr
//! in its log file, then waits until the new process holds the pidfile.

use super::pidfile;
use crate::config::Settings;
use crate::error::{Error, Result};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The hidden flag a daemon child is started with.
pub const CHILD_FLAG: &str = "--daemon-child";

/// Starts the daemon and returns once it runs (holds the pidfile), or why it did not.
pub fn spawn_daemon(settings: &Settings, program: &Path) -> Result<i64> {
    let log_path = settings.scheduler_log();
    let log = super::slot::open_append(&log_path)?;
    let mut cmd = Command::new(program);
    cmd.arg(CHILD_FLAG).arg("--data-dir").arg(&settings.data_dir);
    if let Some(config) = &settings.config_path {
        cmd.arg("--config").arg(config);
    }
    cmd.current_dir("/").stdin(Stdio::null()).stdout(log.try_clone().map_err(|e| Error::io(&log_path, e))?).stderr(log);
    // SAFETY: setsid is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| nix::unistd::setsid().map(drop).map_err(std::io::Error::from));
    }
    let mut child = cmd.spawn().map_err(|e| Error::Unavailable(format!("cannot start {}: {e}", program.display())))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(h) = pidfile::holder(&settings.scheduler_pidfile()).filter(|h| h.pid == i64::from(child.id())) {
            return Ok(h.pid);
        }
        if let Ok(Some(status)) = child.try_wait() {
            if let Some(h) = pidfile::holder(&settings.scheduler_pidfile()).filter(|_| status.code() == Some(75)) {
                // Another scheduler won the race (two `--ensure` from cron at once).
                return Err(Error::AlreadyRunning { pid: h.pid, dir: settings.data_dir.clone() });
            }
            return Err(Error::Unavailable(format!(
                "the daemon exited at start ({}); see {}",
                crate::process::describe(status),
                log_path.display()
            )));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Err(Error::Unavailable(format!("the daemon did not start within 10 s; see {}", log_path.display())))
}

/// After logrotate moved the log away: write to a new file at the same path.
pub fn reopen_log(path: &Path) {
    if let Ok(file) = super::slot::open_append(path) {
        let fd = file.as_raw_fd();
        // SAFETY: dup2 onto our own stdout/stderr descriptors; `file` stays open until both are done.
        unsafe {
            libc::dup2(fd, 1);
            libc::dup2(fd, 2);
        }
    }
}
