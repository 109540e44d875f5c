//! `exec`: runs a command each period or on a cron schedule — cron, without overlapping runs.

use super::{check_as, settings_of, Kind, Run, TaskContext};
use crate::process;
use nix::sys::signal::Signal;
use serde::Deserialize;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExecSettings {
    /// The program and its arguments; no shell.
    command: Vec<String>,
    /// Stop the command (its whole process group) after this long.
    #[serde(default, deserialize_with = "crate::config::optional_duration")]
    timeout: Option<Duration>,
}

pub static KIND: Kind = Kind {
    name: "exec",
    summary: "runs a command each period or on a cron schedule, never two at once",
    periodic: true,
    template: r#"
# Time between the starts of two passes ("30s", "5m", "1h")...
period = "5m"
# ...or a cron expression instead of period:
# schedule = "*/5 * * * *"

[settings]
# The program and its arguments (no shell; write ["sh", "-c", "..."] for one).
command = ["/bin/true"]
# Stop the command and its children after this long.
# timeout = "1h"
"#,
    check: check_exec,
    run: Run::Passes(pass),
};

fn check_exec(path: &std::path::Path, text: &str) -> crate::error::Result<()> {
    check_as::<ExecSettings>(path, text)?;
    let file: crate::tasks::TaskFile<ExecSettings> = crate::config::parse_toml(path, text)?;
    if file.settings.command.is_empty() {
        return Err(crate::error::Error::Config(format!("{}: settings.command: must name a program", path.display())));
    }
    Ok(())
}

/// How long the worker waits between two looks at its stop flag while the command runs.
const STOP_CHECK: Duration = Duration::from_millis(100);

/// Runs the command once, its output into the task's log (the worker's stdout and stderr).
/// A stop request (SIGTERM to the worker) is passed on to the command's process group; if the
/// worker itself dies, the kernel kills the command (parent-death signal).
fn pass(ctx: &TaskContext<'_>) -> Result<u64, String> {
    let s: ExecSettings = settings_of(ctx.task).map_err(|e| e.to_string())?;
    let mut cmd = process::group_command(&s.command[0]);
    cmd.args(&s.command[1..]).env("PHR_TASK", &ctx.task.name).env("PHR_DATA_DIR", &ctx.settings.data_dir);
    process::die_with_parent(&mut cmd, Signal::SIGKILL);
    let mut child = cmd.spawn().map_err(|e| format!("cannot run {}: {e}", s.command[0]))?;
    let pgid = i64::from(child.id());
    let cmdfile = ctx.settings.task_cmdfile(&ctx.task.name);
    let leader = process::ProcessId { pid: pgid, start: process::start_time(pgid).unwrap_or(0) };
    if let Err(e) = crate::sched::pidfile::write_worker(&cmdfile, leader) {
        log::warn!("{e}: the command cannot be stopped if this worker is killed");
    }
    let deadline = s.timeout.and_then(|t| Instant::now().checked_add(t));
    let end = loop {
        if process::wait_exit(pgid, STOP_CHECK) {
            break End::Exited;
        }
        if ctx.stop.load(Ordering::SeqCst) {
            process::stop_group(pgid, ctx.settings.jobs.kill_grace);
            break End::Stopped;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            process::stop_group(pgid, ctx.settings.jobs.kill_grace);
            break End::TimedOut;
        }
    };
    let status = child.wait().map_err(|e| e.to_string())?;
    process::kill_group(pgid);
    let _ = std::fs::remove_file(&cmdfile);
    match end {
        End::TimedOut => Err(format!("timed out after {}", humantime::format_duration(s.timeout.unwrap_or_default()))),
        End::Stopped => Err("stopped before its end".into()),
        End::Exited if status.success() => Ok(1),
        End::Exited => Err(format!("{}: {}", s.command[0], process::describe(status))),
    }
}

/// How a command's wait ended.
enum End {
    Exited,
    Stopped,
    TimedOut,
}
