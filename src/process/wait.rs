//! Waiting for a process to end, with a timeout, and saying how it ended.

use super::ids::{pid_from, start_time};
use super::pidfd::pidfd_open;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::Signal;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

/// How often the fallback wait looks at a process that has no pidfd.
const POLL_EVERY: Duration = Duration::from_millis(10);

/// Waits up to `timeout` for `pid` to exit (a zombie counts as exited); true if it did.
/// Uses a pidfd (no polling, no thread); where the kernel has none (before 5.3) or a seccomp
/// profile refuses it, falls back to looking at /proc every 10 ms, so a timeout is never lost.
pub fn wait_exit(pid: i64, timeout: Duration) -> bool {
    let Some(p) = pid_from(pid) else { return true };
    match pidfd_open(p.as_raw()) {
        Some(fd) => wait_pidfd(&fd, timeout),
        None => wait_polling(pid, timeout),
    }
}

fn wait_pidfd(fd: &OwnedFd, timeout: Duration) -> bool {
    let deadline = Instant::now().checked_add(timeout); // None: no timeout at all
    loop {
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let wait = match left {
            None => PollTimeout::NONE,
            Some(l) => PollTimeout::try_from(l.as_millis().min(i32::MAX as u128) as i32).unwrap_or(PollTimeout::MAX),
        };
        let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, wait) {
            Ok(n) if n > 0 => return true,
            Ok(_) if left.is_some_and(|l| l.is_zero()) => return false,
            _ => continue,
        }
    }
}

pub(super) fn wait_polling(pid: i64, timeout: Duration) -> bool {
    let deadline = Instant::now().checked_add(timeout);
    loop {
        if start_time(pid).is_none() {
            return true;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return false;
        }
        std::thread::sleep(POLL_EVERY);
    }
}

/// "exit status 3" or "killed by SIGKILL", for logs and stored errors.
pub fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(sig)) => format!("killed by {}", signal_name(sig)),
        _ => "ended without a status".into(),
    }
}

/// A signal's name (`SIGTERM`), or its number when it has none.
pub fn signal_name(sig: i32) -> String {
    Signal::try_from(sig).map(|s| s.as_str().to_string()).unwrap_or_else(|_| format!("signal {sig}"))
}
