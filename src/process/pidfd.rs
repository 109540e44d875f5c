//! Signalling a process known by pid without the race of plain `kill`: between reading a pid
//! (from a pidfile) and signalling it, the process may exit and its pid go to another. A pidfd
//! names one process for good, so the pid is checked again after the pidfd is opened.

use nix::sys::signal::Signal;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// A pidfd for `pid`, or `None` where the kernel has none (before 5.3), a seccomp profile
/// refuses it, or `PHR_NO_PIDFD` is set (tests take the fallback paths that way).
pub(super) fn pidfd_open(pid: i32) -> Option<OwnedFd> {
    if std::env::var_os("PHR_NO_PIDFD").is_some() {
        return None;
    }
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1; no memory is passed.
    let raw = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    // SAFETY: the syscall returned a fresh fd that nothing else owns.
    (raw >= 0).then(|| unsafe { OwnedFd::from_raw_fd(raw as i32) })
}

/// Sends `signal` to `pid` if `still_it()`, asked once the process is pinned, says the pid
/// still names the process meant (the pidfile's lock is still held by it, say). True if sent.
/// Without pidfds, falls back to check-then-kill, which leaves the old tiny window.
pub fn signal_pinned(pid: i64, signal: Signal, still_it: impl FnOnce() -> bool) -> bool {
    let Some(p) = super::pid_from(pid) else { return false };
    let Some(fd) = pidfd_open(p.as_raw()) else {
        return still_it() && nix::sys::signal::kill(p, signal).is_ok();
    };
    if !still_it() {
        return false;
    }
    // SAFETY: pidfd_send_signal takes our open pidfd, a signal number, no siginfo and no flags.
    let sent = unsafe {
        libc::syscall(libc::SYS_pidfd_send_signal, fd.as_raw_fd(), signal as libc::c_int, std::ptr::null::<u8>(), 0)
    };
    sent == 0
}
