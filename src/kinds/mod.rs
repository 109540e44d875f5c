//! Task kinds: what a task does each pass (archive a hot folder, build sub-definitions, run a
//! command…). A kind is a type implementing [`TaskKind`]: a typed settings struct read once
//! from the task file (unknown keys refused with their position), a state kept across passes
//! (an FTP session, an index writer), and a pass that returns a [`PassReport`] or a
//! [`KindError`]. The same kind runs under `tasksched`, as `phr-KIND` from cron or a shell
//! ([`entry::kind_main`]), and, where it takes jobs, as `taskctl add KIND ARGS…`.
//!
//! Adding a kind: a module here implementing [`TaskKind`], a line in [`registry::REGISTRY`] and one
//! in the registry's runners,
//! and a three-line `src/bin/phr-KIND.rs` calling [`entry::kind_main`].

pub mod archive;
pub mod entry;
pub mod exec;
pub mod index;
pub mod meta_read;
pub mod meta_write;
pub mod queue;
pub mod registry;
pub mod subdef;
pub mod template;

pub use registry::{find, unknown_kind, AnyKind, Session};
pub use template::{Field, Show};

use crate::config::Settings;
use crate::error::Error;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::atomic::AtomicBool;

/// How a kind's worker runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One pass per period or cron time; a task of this kind needs `period` or `schedule`.
    Passes,
    /// One pass that lasts until told to stop (the job queue's workers); `once` makes it one round.
    Continuous,
}

/// What a kind's code gets besides its own settings.
pub struct Context<'a> {
    /// The configuration every program shares (data dir, job defaults…).
    pub settings: &'a Settings,
    /// The task's name when run as a task (its lock, log and run files are named after it).
    pub task: Option<&'a str>,
    /// When the worker makes way for a fresh one.
    pub limits: crate::tasks::Limits,
    /// Set when the pass should end after its current item (SIGTERM, scheduler gone).
    pub stop: &'a AtomicBool,
    /// One round only (`phr-KIND --once`, `taskctl pass`).
    pub once: bool,
    /// Say what would be done, change nothing.
    pub dry_run: bool,
}

/// What one pass did: items done, and items set aside with the reason (a file sent to
/// `_error`, a record that failed). A set-aside item is not a failed pass.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PassReport {
    pub done: u64,
    pub set_aside: Vec<SetAside>,
}

/// One item a pass could not process, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    pub item: String,
    pub reason: String,
}

/// Why one item (a record) was not done, for the kinds that write files into the data dir.
#[derive(Debug)]
pub enum ItemError {
    /// Something about the item (a format that cannot be written, a program failing): counted
    /// as a failed attempt, with this reason.
    Failed(String),
    /// No room left in the data dir: nothing is wrong with the item, which is done again next
    /// pass without counting an attempt; the pass stops (exit 75).
    NoSpace(String),
}

impl ItemError {
    /// The same error, its reason prefixed with `what` (`"sub-definition web: "`).
    pub fn prefixed(self, what: &str) -> ItemError {
        match self {
            ItemError::Failed(reason) => ItemError::Failed(format!("{what}{reason}")),
            ItemError::NoSpace(reason) => ItemError::NoSpace(format!("{what}{reason}")),
        }
    }
}

impl From<String> for ItemError {
    fn from(reason: String) -> ItemError {
        ItemError::Failed(reason)
    }
}

impl From<Error> for ItemError {
    fn from(e: Error) -> ItemError {
        if e.is_no_space() {
            ItemError::NoSpace(e.to_string())
        } else {
            ItemError::Failed(e.to_string())
        }
    }
}

/// Why a pass could not run at all. Each maps to a sysexits code at the edge.
#[derive(Debug, thiserror::Error)]
pub enum KindError {
    /// The pass ran and failed (a command's non-zero exit).
    #[error("{0}")]
    Failed(String),
    /// Something the pass needs is missing (a program, a server): exit 69.
    #[error("{0}")]
    Unavailable(String),
    /// Worth trying again later (a busy store, a server refusing for now): exit 75.
    #[error("{0}")]
    TryLater(String),
    /// A library error (store, files).
    #[error(transparent)]
    Lib(#[from] Error),
}

/// A setting outside its valid range, found by [`TaskKind::check`]: `key` is its name in the
/// task file's `[settings]` table, so the error can point at its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub key: &'static str,
    pub reason: String,
}

impl Invalid {
    /// Shorthand for a check's error.
    pub fn new(key: &'static str, reason: impl Into<String>) -> Invalid {
        Invalid { key, reason: reason.into() }
    }
}

/// A task kind. See the module docs for how one is added.
pub trait TaskKind: 'static {
    /// Its name in task files, job functions and binary names (`phr-NAME`).
    const NAME: &'static str;
    /// One line for `taskctl new`, `--help` and man pages.
    const SUMMARY: &'static str;
    /// How its worker runs.
    const MODE: Mode;
    /// Every setting, with its doc: the one source of `taskctl new`'s commented template.
    const FIELDS: &'static [Field];
    /// How it is run from a shell when not `phr-NAME`: a program and its subcommand
    /// (`["phr-meta", "read"]`).
    const INVOKED_AS: &'static [&'static str] = &[];

    /// The `[settings]` table. Missing keys take `Default`'s value (the only place defaults
    /// are written); unknown keys are refused.
    type Settings: Serialize + DeserializeOwned + Default + Clone + std::fmt::Debug + Send + Sync + 'static;
    /// The settings as `phr-KIND` flags, which override the task file's.
    type Flags: clap::Args + std::fmt::Debug;
    /// Kept across passes of one worker.
    type State;

    /// Checks ranges and consistency that types cannot express.
    fn check(settings: &Self::Settings) -> Result<(), Invalid>;
    /// Applies `phr-KIND`'s flags over the settings.
    fn apply_flags(flags: Self::Flags, settings: &mut Self::Settings) -> Result<(), Error>;
    /// Opens what passes share (called once per worker, before the first pass).
    fn open(ctx: &Context<'_>, settings: &Self::Settings) -> Result<Self::State, KindError>;
    /// Runs one pass.
    fn pass(state: &mut Self::State, ctx: &Context<'_>, settings: &Self::Settings) -> Result<PassReport, KindError>;
    /// The settings for one job of this kind (`taskctl add KIND ARGS…`), from its args; `None`
    /// when the kind takes no jobs. A job runs one pass in a process of its own.
    fn job_settings(_args: &[String], _base: Self::Settings) -> Option<Result<Self::Settings, String>> {
        None
    }
}

/// The record ids a job of kind `kind` was given (`taskctl add subdef 12 13`): every kind that
/// works on records takes its jobs this way.
pub fn job_record_ids(args: &[String], kind: &str) -> Result<Vec<i64>, String> {
    let ids: Vec<i64> =
        args.iter().map(|a| a.parse().map_err(|_| format!("{a:?} is not a record id"))).collect::<Result<_, _>>()?;
    if ids.is_empty() {
        let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
        return Err(format!("{article} {kind} job needs record ids: taskctl add {kind} ID…"));
    }
    Ok(ids)
}

/// Checks a kind's `threads` setting (0: one per core).
pub fn check_threads(threads: u32) -> Result<(), Invalid> {
    if threads > 256 {
        return Err(Invalid::new("threads", format!("must be from 0 to 256, not {threads}")));
    }
    Ok(())
}

/// Checks the retry settings of kinds that retry a failed record with a doubling backoff.
pub fn check_retries(max_attempts: u32, retry_backoff: std::time::Duration) -> Result<(), Invalid> {
    if !(1..=100).contains(&max_attempts) {
        return Err(Invalid::new("max_attempts", format!("must be from 1 to 100, not {max_attempts}")));
    }
    if retry_backoff.is_zero() {
        return Err(Invalid::new("retry_backoff", "must be more than zero"));
    }
    Ok(())
}

/// Checks a kind's `batch` setting (records handled per pass or transaction) against `max`.
pub fn check_batch(batch: u64, max: u64) -> Result<(), Invalid> {
    if !(1..=max).contains(&batch) {
        return Err(Invalid::new("batch", format!("must be from 1 to {max}, not {batch}")));
    }
    Ok(())
}
