//! `taskctl`: the admin's command for the job queue (and, later, the task manager).

use crate::job::{ObjectRef, Status};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Add, inspect and run jobs; start, stop and watch tasks (phr-tasks).
#[derive(Debug, Parser)]
#[command(name = "taskctl", version, long_about = None, propagate_version = true)]
#[command(after_help = "Config: --config, then $PHR_CONFIG, then /etc/phr-tasks/phr.toml (root) or \
    $XDG_CONFIG_HOME/phr-tasks/phr.toml.\nData: --data-dir, then $PHR_DATA_DIR, then the config's data_dir, \
    then /var/lib/phr-tasks (root) or $XDG_DATA_HOME/phr-tasks.\nLogs go to stderr; set RUST_LOG=info for more.")]
pub struct Taskctl {
    /// Configuration file to read instead of the default one.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory (store, logs, run files).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add a job (prints its id, or 0 when it duplicates a queued job).
    #[command(after_help = "--batch reads one JSON job per line from stdin; see --help for its fields.")]
    #[command(after_long_help = BATCH_HELP)]
    Add(AddArgs),
    /// Remove jobs that are not running (or, with --force, stop and remove running ones).
    Rm(RmArgs),
    /// Attach a job to objects, such as article:23.
    Link(LinkArgs),
    /// List jobs, queued and running first, in the order they will run.
    List(ListArgs),
    /// Show one job in full.
    Show(ShowArgs),
    /// Run one queued job now, in the foreground, whatever its due time.
    Run(RunArgs),
    /// Remove every job in a status at once (queued by default); never running ones.
    Purge(PurgeArgs),
    /// Run a worker: claim due jobs and run them, N at a time.
    Work(WorkArgs),
    /// Print a task's, the scheduler's or a job's log; -f follows it.
    Log(LogArgs),
    /// Write tasks.d/NAME.toml for a new task of KIND, with every setting and its default.
    New(NewArgs),
    /// Start the scheduler (no TASK), or start tasks.
    Start(TargetArgs),
    /// Stop the scheduler and its tasks (no TASK), or stop tasks.
    Stop(TargetArgs),
    /// Stop tasks' workers and start fresh ones.
    Restart(TasksArgs),
    /// Clear tasks' crash counts (a crashed task stays stopped until started).
    Reset(TasksArgs),
    /// Show the scheduler and the tasks; with TASK, exit 0 running, 3 stopped, 1 crashed.
    Status(StatusArgs),
    /// Run one pass of a task in the foreground (refused while its worker runs).
    Pass(PassArgs),
    /// Check the store's integrity: prints "ok" (exit 0), or what is wrong (exit 65).
    Check(CheckArgs),
    /// Write a consistent copy of the store to FILE (mode 0600), even while workers run.
    #[command(after_help = "Restore: stop tasksched, copy FILE over DATA_DIR/phr.db, remove phr.db-wal and \
        phr.db-shm, start tasksched.")]
    Backup(BackupArgs),
    /// Make the running scheduler reload tasks.d and reopen its log (SIGHUP); exit 3 if it is not running.
    #[command(
        after_help = "Only a scheduler that holds its locked pidfile is signalled, never a pid left in a stale \
        one: this is what logrotate's postrotate should run."
    )]
    Reload,
}

/// The `--batch` line format, in `taskctl add --help` and its man page: the one place besides
/// the README where users can learn it (src/commands/batch.rs parses it).
pub const BATCH_HELP: &str = "\
Batch input (--batch): one JSON object per line on stdin, each one job; blank lines are \
skipped. Every line is checked before anything is added: a bad line adds nothing and is \
reported as stdin:LINE: reason (exit 65). Each field means what its option means; only \
\"function\" is required and unknown fields are refused.

  \"function\"      string: a built-in kind or handler name (FUNCTION)
  \"args\"          array of strings (ARGS), default []
  \"description\"   string (-d), default \"\"
  \"file\"          string: the handler's location (--file)
  \"no_duplicate\"  true, \"args\", \"function\" or false (--no-duplicate)
  \"at\"            string: any --at form; or a number N, as --at @N
  \"in\"            string: a duration (--in); not together with \"at\"
  \"priority\"      integer from -10 to 10 (-p), default 0
  \"max_attempts\"  integer, at least 1 (--max-attempts)
  \"timeout\"       string: a duration (--timeout)
  \"objects\"       array of \"TYPE:ID\" strings (--object)

Example: two jobs; prints their ids, one a line (0 for a duplicate).

  {\"function\":\"thumb\",\"args\":[\"a b.jpg\",\"256\"],\"objects\":[\"doc:7\"]}
  {\"function\":\"reindex\",\"in\":\"1h\",\"priority\":5,\"no_duplicate\":true}";

/// SPIP's `no_duplicate` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DedupArg {
    /// Same function, args and handler location.
    Args,
    /// Same function, whatever the args.
    Function,
}

/// `taskctl add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// Built-in kind or handler name; the handler gets ARGS as its argv.
    #[arg(required_unless_present = "batch")]
    pub function: Option<String>,
    /// Arguments for the handler (put `--` before arguments that start with '-').
    pub args: Vec<String>,
    /// What the job does, for listings.
    #[arg(short, long, value_name = "TEXT", default_value = "")]
    pub description: String,
    /// Handler location: an executable, or a directory ending in '/' holding one named FUNCTION.
    #[arg(long, value_name = "PATH")]
    pub file: Option<String>,
    /// Do not add if a queued job is the same (=args: same function, args and file; =function: same function).
    #[arg(long, value_name = "MODE", num_args = 0..=1, require_equals = true, default_missing_value = "args")]
    pub no_duplicate: Option<DedupArg>,
    /// When it becomes due: 0 (now), @UNIX-SECONDS, RFC 3339 or "YYYY-MM-DD HH:MM[:SS]" (local). A past
    /// time means now; before 1970 or more than 100 years ahead is refused.
    #[arg(long, value_name = "TIME", conflicts_with = "in_", allow_hyphen_values = true)]
    pub at: Option<String>,
    /// Due after this delay, such as 30s, 5m, 2h (at most 100 years).
    #[arg(long = "in", id = "in_", value_name = "DURATION", allow_hyphen_values = true)]
    pub in_: Option<String>,
    /// From -10 to 10; higher priorities run first once due.
    #[arg(short, long, value_name = "N", default_value_t = 0, allow_negative_numbers = true,
          value_parser = clap::value_parser!(i64).range(-10..=10))]
    pub priority: i64,
    /// Runs before a failing job is declared dead (default: jobs.max_attempts).
    #[arg(long, value_name = "N")]
    pub max_attempts: Option<u32>,
    /// Stop the handler after this long (default: jobs.timeout).
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub timeout: Option<String>,
    /// Attach the job to this object (repeatable).
    #[arg(long = "object", value_name = "TYPE:ID")]
    pub objects: Vec<ObjectRef>,
    /// Read one JSON job per line from stdin and add them all in one transaction (format below).
    #[arg(long, conflicts_with_all = ["function", "at", "in_", "file", "no_duplicate", "objects", "max_attempts", "timeout"])]
    pub batch: bool,
    /// Print {"id":N,"added":BOOL,"duplicate_of":N|null} (one line per job with --batch).
    #[arg(long)]
    pub json: bool,
}

/// `taskctl rm`.
#[derive(Debug, Args)]
pub struct RmArgs {
    /// Jobs to remove.
    #[arg(required_unless_present = "object")]
    pub ids: Vec<i64>,
    /// Remove every job attached to this object.
    #[arg(long, value_name = "TYPE:ID", conflicts_with = "ids")]
    pub object: Option<ObjectRef>,
    /// Stop running jobs (SIGTERM, then SIGKILL) and remove them too.
    #[arg(long)]
    pub force: bool,
}

/// `taskctl link`.
#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The job.
    pub id: i64,
    /// Objects, written TYPE:ID.
    #[arg(required = true)]
    pub objects: Vec<ObjectRef>,
}

/// `taskctl list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only jobs in this status.
    #[arg(long, value_name = "STATUS")]
    pub status: Option<Status>,
    /// Only jobs of this function.
    #[arg(long, value_name = "FUNCTION")]
    pub function: Option<String>,
    /// Only jobs attached to this object.
    #[arg(long, value_name = "TYPE:ID")]
    pub object: Option<ObjectRef>,
    /// Print {"jobs":[…],"next_due":TIME|null}.
    #[arg(long)]
    pub json: bool,
    /// Show every cell whole instead of fitting the table to the terminal ($COLUMNS or 80 columns when
    /// not a terminal).
    #[arg(long, conflicts_with = "json")]
    pub wide: bool,
}

/// `taskctl show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The job.
    pub id: i64,
    /// Print the job as a JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `taskctl run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The queued job to run now.
    pub id: i64,
}

/// Statuses `purge` may remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PurgeStatus {
    Queued,
    Done,
    Dead,
}

/// `taskctl purge`.
#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Which jobs to remove.
    #[arg(long, value_name = "STATUS", default_value = "queued")]
    pub status: PurgeStatus,
}

/// `taskctl work`.
#[derive(Debug, Args)]
pub struct WorkArgs {
    /// Jobs run at once (default: worker.jobs, else the number of CPUs).
    #[arg(short = 'j', long = "jobs", value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: Option<u32>,
    /// Exit once nothing is running or due and no retry is pending.
    #[arg(long)]
    pub until_empty: bool,
    /// Claim what is due once, run it, and exit.
    #[arg(long, conflicts_with = "until_empty")]
    pub once: bool,
    /// Exit after running N jobs (a supervisor then starts a fresh worker).
    #[arg(long, value_name = "N")]
    pub max_jobs: Option<u64>,
}

/// `taskctl log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// The task whose log to print.
    #[arg(conflicts_with_all = ["scheduler", "job"], required_unless_present_any = ["scheduler", "job"])]
    pub task: Option<String>,
    /// The scheduler's log.
    #[arg(long, conflicts_with = "job")]
    pub scheduler: bool,
    /// A job's log (its handler's stdout and stderr).
    #[arg(long, value_name = "ID")]
    pub job: Option<i64>,
    /// Print only the last N lines (10 with --follow).
    #[arg(short = 'n', long, value_name = "N")]
    pub lines: Option<usize>,
    /// Keep printing what is appended, across log rotation (like tail -F).
    #[arg(short, long)]
    pub follow: bool,
}

/// `taskctl new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The task kind (queue, exec, archive, meta-read, meta-write, subdef, index).
    pub kind: String,
    /// The task's name (letters, digits, '-' and '_').
    pub name: String,
}

/// `taskctl start` and `taskctl stop`.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Tasks; none means the scheduler itself.
    pub tasks: Vec<String>,
    /// Every task in tasks.d.
    #[arg(long, conflicts_with = "tasks")]
    pub all: bool,
}

/// `taskctl restart` and `taskctl reset`.
#[derive(Debug, Args)]
pub struct TasksArgs {
    /// Tasks.
    #[arg(required_unless_present = "all")]
    pub tasks: Vec<String>,
    /// Every task in tasks.d.
    #[arg(long, conflicts_with = "tasks")]
    pub all: bool,
}

/// `taskctl status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only this task; the exit code then tells its state (0 running, 3 stopped, 1 crashed, 4 no such task).
    pub task: Option<String>,
    /// Print {"scheduler":{…},"tasks":[…]}.
    #[arg(long)]
    pub json: bool,
    /// Show every cell whole instead of fitting the table to the terminal ($COLUMNS or 80 columns when
    /// not a terminal).
    #[arg(long, conflicts_with = "json")]
    pub wide: bool,
}

/// `taskctl pass`.
#[derive(Debug, Args)]
pub struct PassArgs {
    /// The task.
    pub task: String,
}

/// `taskctl check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Check pages and records only, not indexes against their tables (about twice as fast).
    #[arg(long)]
    pub quick: bool,
}

/// `taskctl backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the copy (replaced at once when complete, never left half written).
    pub file: PathBuf,
}
