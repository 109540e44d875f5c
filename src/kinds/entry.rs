//! The shared entry point of the `phr-KIND` binaries: the same config, data dir, logging,
//! errors and exit codes as `taskctl`, and one way to say what to run — a task's settings
//! (`--task NAME`), flags, or both (flags win); one pass for cron (`--once`), a dry run, a
//! worker that keeps the task's period, or one queued job (`--job ID`, how workers run a
//! kind's jobs in a process of their own).

use super::{registry, Context, KindError, Mode, PassReport, TaskKind};
use crate::cli::edge;
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::exit_codes;
use crate::logging::{self, Style};
use crate::tasks::{self, worker, Cadence, Limits};
use clap::{Args, CommandFactory, FromArgMatches, Parser};
use std::path::PathBuf;

/// The flags every `phr-KIND` binary has.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Configuration file to read instead of the default one.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory (store, logs, run files).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Take the settings, period and limits of task NAME (tasks.d/NAME.toml); flags override them.
    #[arg(long, value_name = "NAME")]
    pub task: Option<String>,
    /// Run one pass and exit (for cron): exit 0 when the pass ran, even if items were set aside.
    #[arg(long)]
    pub once: bool,
    /// Say what one pass would do and change nothing (implies --once).
    #[arg(long)]
    pub dry_run: bool,
    /// Without --once: time between the starts of two passes (default: the task's period).
    #[arg(long, value_name = "DURATION")]
    pub period: Option<String>,
    /// Run queued job ID of this kind (what workers do; by hand it is `taskctl run ID`).
    #[arg(long, value_name = "ID", conflicts_with_all = ["task", "once", "dry_run", "period"])]
    pub job: Option<i64>,
}

/// A `phr-KIND` command line: the common flags, then the kind's own.
#[derive(Debug, Parser)]
#[command(version, long_about = None)]
#[command(after_help = "Config: --config, then $PHR_CONFIG, then /etc/phr-tasks/phr.toml (root) or \
    $XDG_CONFIG_HOME/phr-tasks/phr.toml.\nLogs go to stderr; set RUST_LOG=info for more.")]
pub struct KindCli<F: Args> {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub flags: F,
}

/// `phr-NAME`.
pub fn binary_name<K: TaskKind>() -> String {
    invoked_as::<K>().join(" ")
}

/// The program and the leading arguments that run kind `K` (`phr-exec`; `phr-meta read`).
pub fn invoked_as<K: TaskKind>() -> Vec<String> {
    if K::INVOKED_AS.is_empty() {
        vec![format!("phr-{}", K::NAME)]
    } else {
        K::INVOKED_AS.iter().map(|s| s.to_string()).collect()
    }
}

/// The command line of `phr-NAME` (named `phr-meta-read` for one run as `phr-meta read`), for
/// parsing and for its man page and completions.
pub fn command<K: TaskKind>() -> clap::Command {
    KindCli::<K::Flags>::command().name(invoked_as::<K>().join("-")).bin_name(binary_name::<K>()).about(K::SUMMARY)
}

/// The whole `main` of a `phr-KIND` binary.
pub fn kind_main<K: TaskKind>() -> ! {
    kind_main_from::<K>(std::env::args_os().collect())
}

/// The `main` of a kind that a program runs as one of its subcommands: `args` start with the
/// program's name, the subcommand already taken off.
pub fn kind_main_from<K: TaskKind>(args: Vec<std::ffi::OsString>) -> ! {
    let prog: &'static str = Box::leak(binary_name::<K>().into_boxed_str());
    let cmd = command::<K>();
    let matches = match cmd.clone().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => edge::usage_exit(prog, &cmd, &e),
    };
    let cli = match KindCli::<K::Flags>::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => edge::usage_exit(prog, &cmd, &e),
    };
    let once = cli.common.once || cli.common.dry_run || cli.common.job.is_some();
    logging::init(prog, if once { Style::Command } else { Style::Worker });
    std::process::exit(edge::finish(prog, run::<K>(cli)));
}

fn run<K: TaskKind>(cli: KindCli<K::Flags>) -> Result<i32> {
    let settings = Settings::load(cli.common.config.as_deref(), cli.common.data_dir.as_deref())?;
    if let Some(id) = cli.common.job {
        return run_job::<K>(&settings, id); // not in every job's log: its worker said it
    }
    settings.warn_if_data_dir_open();
    let def = cli.common.task.as_deref().map(|name| task_of_kind::<K>(&settings, name)).transpose()?;
    let mut kind_settings = match &def {
        Some(def) => def.settings.downcast_ref::<K::Settings>().cloned().unwrap_or_default(),
        None => K::Settings::default(),
    };
    K::apply_flags(cli.flags, &mut kind_settings)?;
    K::check(&kind_settings).map_err(|bad| Error::Usage(format!("{}: {}", bad.key, bad.reason)))?;
    let cadence = match cli.common.period.as_deref() {
        Some(p) => Some(Cadence::Period(nonzero(crate::when::parse_duration(p)?)?)),
        None => def.as_ref().and_then(|d| d.cadence.clone()),
    };
    let limits = def.as_ref().map(|d| d.limits).unwrap_or_default();
    let once = cli.common.once || cli.common.dry_run;
    if !once && K::MODE == Mode::Passes && cadence.is_none() {
        return Err(Error::Usage("give --once, --period DURATION, or --task NAME of a task with a period".into()));
    }
    let plan = worker::Plan { settings: &settings, task: def.as_ref(), mode: K::MODE, cadence, limits };
    let open = |ctx: &Context<'_>| registry::typed_session::<K>(ctx, kind_settings.clone());
    if once {
        let report = worker::pass_once(&plan, cli.common.dry_run, open)?;
        log_report(&report);
        return Ok(once_exit(&report));
    } else {
        worker::run_worker(&plan, open)?;
    }
    Ok(exit_codes::OK)
}

/// Task `name`, which must be of kind `K`.
fn task_of_kind<K: TaskKind>(settings: &Settings, name: &str) -> Result<tasks::TaskDef> {
    let def = tasks::load(settings, name)?;
    if def.kind.name() != K::NAME {
        return Err(Error::Usage(format!("task {name} is a {} task, not {}", def.kind.name(), K::NAME)));
    }
    Ok(def)
}

fn nonzero(d: std::time::Duration) -> Result<std::time::Duration> {
    if d.is_zero() {
        return Err(Error::Usage("--period must be more than 0s".into()));
    }
    Ok(d)
}

/// `--once`'s exit: 0 when anything was done or nothing was to do; 65 (data) when every item
/// of the pass was set aside (`--record 12` of a record that cannot be built), so a script
/// knows, while cron's usual passes with one bad file among good ones still exit 0.
fn once_exit(report: &PassReport) -> i32 {
    if report.done == 0 && !report.set_aside.is_empty() {
        exit_codes::DATA
    } else {
        exit_codes::OK
    }
}

/// Items set aside are warnings (cron mails them); the count is for `RUST_LOG=info`.
fn log_report(report: &PassReport) {
    for item in &report.set_aside {
        log::warn!("{}: {}", item.item, item.reason);
    }
    log::info!("pass done: {} item(s), {} set aside", report.done, report.set_aside.len());
}

/// `--job ID`. Run by a worker (its `PHR_JOB_ID` is this job): one pass with the settings the
/// job's args give, exit 0 done, 75 try later, other failures non-zero. Run by hand: exactly
/// `taskctl run ID`, which claims the job and starts this program as its handler.
fn run_job<K: TaskKind>(settings: &Settings, id: i64) -> Result<i32> {
    if std::env::var("PHR_JOB_ID").ok() != Some(id.to_string()) {
        return crate::commands::run_job(settings, id);
    }
    let store = crate::store::Store::open(&settings.db_path())?;
    let job = store.jobs().get(id)?.ok_or(Error::NoSuchJob(id))?;
    let job_settings = match K::job_settings(&job.args, K::Settings::default()) {
        None => return Err(Error::Usage(format!("kind {} takes no jobs", K::NAME))),
        Some(Err(reason)) => return Err(Error::Data(format!("job {id}: {reason}"))),
        Some(Ok(s)) => s,
    };
    K::check(&job_settings).map_err(|bad| Error::Data(format!("job {id}: {}: {}", bad.key, bad.reason)))?;
    let plan = worker::Plan { settings, task: None, mode: K::MODE, cadence: None, limits: Limits::default() };
    let report = worker::pass_once(&plan, false, |ctx| registry::typed_session::<K>(ctx, job_settings.clone()))?;
    log_report(&report);
    if report.done == 0 && !report.set_aside.is_empty() {
        let reasons: Vec<String> = report.set_aside.iter().map(|s| format!("{}: {}", s.item, s.reason)).collect();
        return Err(Error::Data(reasons.join("; ")));
    }
    Ok(exit_codes::OK)
}

impl KindError {
    /// The library error this becomes at the edge, for a pass of `task`.
    pub fn into_error(self, task: &str) -> Error {
        match self {
            KindError::Failed(reason) => Error::PassFailed { task: task.to_string(), reason },
            KindError::Unavailable(reason) => Error::Unavailable(reason),
            KindError::TryLater(reason) => Error::TryLater(reason),
            KindError::Lib(e) => e,
        }
    }
}
