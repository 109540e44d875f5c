//! `exec`: runs a command each period or on a cron schedule — cron, without overlapping runs.
//! Also `phr-exec --once -- COMMAND…` from a shell, and `taskctl add exec COMMAND…` as a job.

use super::{Context, Field, Invalid, KindError, Mode, PassReport, Show, TaskKind};
use crate::error::{Error, Result};
use crate::process::{self, ProcessId};
use nix::sys::signal::Signal;
use serde::{Deserialize, Serialize};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// The `exec` kind.
pub struct Exec;

/// An `exec` task's `[settings]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExecSettings {
    /// The program and its arguments; no shell.
    pub command: Vec<String>,
    /// Stop the command (its whole process group) after this long.
    #[serde(with = "crate::config::optional_duration", skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
}

/// `phr-exec`'s own flags.
#[derive(Debug, clap::Args)]
pub struct ExecFlags {
    /// Stop the command and its children after this long ("30s", "1h").
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// The program and its arguments, after `--` (no shell).
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

impl TaskKind for Exec {
    const NAME: &'static str = "exec";
    const SUMMARY: &'static str = "runs a command each period or on a cron schedule, never two at once";
    const MODE: Mode = Mode::Passes;
    const FIELDS: &'static [Field] = &[
        Field {
            key: "command",
            doc: "The program and its arguments (no shell; write [\"sh\", \"-c\", \"...\"] for one).",
            show: Show::Example("[\"/bin/true\"]"),
        },
        Field {
            key: "timeout",
            doc: "Stop the command and its children after this long.",
            show: Show::Commented("\"1h\""),
        },
    ];
    type Settings = ExecSettings;
    type Flags = ExecFlags;
    type State = ();

    fn check(s: &ExecSettings) -> std::result::Result<(), Invalid> {
        if s.command.first().is_none_or(|p| p.is_empty()) {
            return Err(Invalid::new("command", "must name a program"));
        }
        if s.timeout.is_some_and(|t| t.is_zero()) {
            return Err(Invalid::new("timeout", "must be more than 0s"));
        }
        Ok(())
    }

    fn apply_flags(flags: ExecFlags, s: &mut ExecSettings) -> Result<()> {
        if let Some(t) = flags.timeout {
            s.timeout = Some(crate::when::parse_duration(&t)?);
        }
        if !flags.command.is_empty() {
            s.command = flags.command;
        }
        Ok(())
    }

    fn open(_: &Context<'_>, _: &ExecSettings) -> std::result::Result<(), KindError> {
        Ok(())
    }

    fn pass(_: &mut (), ctx: &Context<'_>, s: &ExecSettings) -> std::result::Result<PassReport, KindError> {
        if ctx.dry_run {
            log::warn!("dry run: would run {:?}", s.command);
            return Ok(PassReport::default());
        }
        run_command(ctx, s)?;
        Ok(PassReport { done: 1, set_aside: Vec::new() })
    }

    fn job_settings(args: &[String], base: ExecSettings) -> Option<std::result::Result<ExecSettings, String>> {
        Some(if args.is_empty() {
            Err("an exec job needs a command: taskctl add exec PROGRAM [ARG…]".into())
        } else {
            Ok(ExecSettings { command: args.to_vec(), ..base })
        })
    }
}

/// How long the worker waits between two looks at its stop flag while the command runs.
const STOP_CHECK: Duration = Duration::from_millis(100);

/// Runs the command once, its output into the worker's stdout and stderr (the task's log). A
/// stop request is passed on to the command's process group; if the worker itself dies, the
/// kernel kills the command (parent-death signal), and the scheduler kills its group, which
/// the `.cmd` run file records.
fn run_command(ctx: &Context<'_>, s: &ExecSettings) -> std::result::Result<(), KindError> {
    let program = &s.command[0];
    let mut cmd = process::group_command(program);
    cmd.args(&s.command[1..]).env("PHR_TASK", ctx.task.unwrap_or("")).env("PHR_DATA_DIR", &ctx.settings.data_dir);
    process::die_with_parent(&mut cmd, Signal::SIGKILL);
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
            KindError::Unavailable(format!("cannot run {program}: {e}"))
        }
        _ => KindError::Failed(format!("cannot run {program}: {e}")),
    })?;
    let pgid = i64::from(child.id());
    let cmdfile = ctx.task.map(|t| ctx.settings.task_cmdfile(t));
    if let Some(path) = &cmdfile {
        let leader = ProcessId { pid: pgid, start: process::start_time(pgid).unwrap_or(0) };
        if let Err(e) = crate::sched::pidfile::write_worker(path, leader) {
            log::warn!("{e}: the command cannot be stopped if this worker is killed");
        }
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
    let status = child.wait().map_err(|e| KindError::Lib(Error::io(program, e)))?;
    process::kill_group(pgid);
    if let Some(path) = &cmdfile {
        let _ = std::fs::remove_file(path);
    }
    match end {
        End::TimedOut => Err(KindError::Failed(format!(
            "timed out after {}",
            humantime::format_duration(s.timeout.unwrap_or_default())
        ))),
        End::Stopped => Err(KindError::Failed("stopped before its end".into())),
        End::Exited if status.success() => Ok(()),
        End::Exited if status.code() == Some(crate::exit_codes::TEMP_FAIL) => {
            Err(KindError::TryLater(format!("{program}: {}", process::describe(status))))
        }
        End::Exited => Err(KindError::Failed(format!("{program}: {}", process::describe(status)))),
    }
}

/// How a command's wait ended.
enum End {
    Exited,
    Stopped,
    TimedOut,
}
