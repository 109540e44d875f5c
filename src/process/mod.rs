//! Child processes, in one place: every program phr-tasks starts (job handlers, task workers,
//! an `exec` task's command, and soon ffmpeg, pdftoppm or exiftool) runs in its own process
//! group, is stopped as a group (SIGTERM, a grace period, then SIGKILL), is waited for with a
//! timeout, and has its end described the same way. Signals reach our own programs through
//! one listener thread. What Linux tells about a pid (start time, memory) is read here too.

mod group;
mod ids;
mod orphans;
mod pidfd;
mod run;
mod signals;
mod wait;

pub use group::{die_with_parent, group_command, kill_group, signal_group, stop_group};
pub use ids::{is_alive, pid_from, rss_bytes, start_time, this_process, ProcessId};
pub use orphans::kill_working_in;
pub use pidfd::signal_pinned;
pub use run::{run_timed, Ran};
pub use signals::on_signals;
pub use wait::{describe, signal_name, wait_exit};

#[cfg(test)]
mod tests;
