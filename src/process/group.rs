//! Process groups: a program we start gets a group of its own, so that stopping it stops
//! whatever it started too (a shell's children, ffmpeg's helpers).

use super::ids::pid_from;
use super::wait::wait_exit;
use nix::sys::signal::{killpg, Signal};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// A command for `program` that runs in a new process group of its own, with stdin from
/// /dev/null and no shell in between.
pub fn group_command(program: impl AsRef<Path>) -> Command {
    let mut cmd = Command::new(program.as_ref());
    cmd.stdin(Stdio::null()).process_group(0);
    cmd
}

/// Makes the kernel send `signal` to the started program when the thread that started it
/// dies, so nothing outlives a worker killed outright. `parent` is checked after the signal
/// is armed: if it already died, the program does not start.
pub fn die_with_parent(cmd: &mut Command, signal: Signal) {
    let parent = nix::unistd::getpid();
    // SAFETY: only async-signal-safe calls (prctl, getppid) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(Some(signal))?;
            if nix::unistd::getppid() != parent {
                return Err(std::io::Error::other("parent gone"));
            }
            Ok(())
        });
    }
}

/// Sends `signal` to the group led by `pgid`; false if there is no such group (or the number
/// cannot name one).
/// Our own group is never signalled: a corrupt record naming it must not kill us.
pub fn signal_group(pgid: i64, signal: Signal) -> bool {
    let own = nix::unistd::getpgrp();
    pid_from(pgid).filter(|&p| p != own).is_some_and(|p| killpg(p, signal).is_ok())
}

/// SIGKILL to the whole group.
pub fn kill_group(pgid: i64) {
    signal_group(pgid, Signal::SIGKILL);
}

/// Stops the group led by `pgid`: SIGTERM, up to `grace` for its leader to exit, then SIGKILL
/// to whatever is left of the group (children that outlived their leader included). Returns
/// true if the leader exited within the grace period.
pub fn stop_group(pgid: i64, grace: Duration) -> bool {
    if !signal_group(pgid, Signal::SIGTERM) {
        return true;
    }
    let exited = wait_exit(pgid, grace);
    kill_group(pgid);
    exited
}
