//! Running a helper program to its end with a time limit: what a task kind needs to let
//! ffmpeg or pdftoppm do one conversion without ever hanging the pass.

use super::group::{die_with_parent, kill_group, stop_group};
use super::wait::wait_exit;
use nix::sys::signal::Signal;
use std::process::{Command, ExitStatus};
use std::time::Duration;

/// How a timed run ended.
#[derive(Debug)]
pub enum Ran {
    /// It exited (or was killed by someone else) within the time limit.
    Exited(ExitStatus),
    /// The time limit passed: its whole group was stopped.
    TimedOut,
}

/// Starts `cmd` (made by [`super::group_command`], so in a group of its own), dying with the
/// calling thread, and waits up to `timeout` for it; past that its group gets SIGTERM, `grace`
/// to go, then SIGKILL. Whatever the end, nothing it started is left running.
pub fn run_timed(cmd: &mut Command, timeout: Duration, grace: Duration) -> std::io::Result<Ran> {
    die_with_parent(cmd, Signal::SIGKILL);
    let mut child = cmd.spawn()?;
    let pgid = i64::from(child.id());
    let exited = wait_exit(pgid, timeout);
    if !exited {
        stop_group(pgid, grace);
    }
    let status = child.wait()?;
    kill_group(pgid); // helpers it left behind
    Ok(if exited { Ran::Exited(status) } else { Ran::TimedOut })
}
