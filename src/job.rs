//! What a job is: the row the queue stores, the request that creates one, and the values its
//! fields may take. Kept free of SQL so that any store backend can share it.

use crate::error::{Error, Result};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Linux's limit on one argument (MAX_ARG_STRLEN, 32 pages), terminating NUL included.
pub const MAX_ARG_BYTES: usize = 131_072;
/// What a job's arguments may take in all: half of Linux's usual 2 MiB for arguments and
/// environment together, leaving the rest to the environment.
pub const MAX_ARGS_BYTES: usize = 1 << 20;

/// Lowest and highest priority, as SPIP's job queue.
pub const PRIORITY_RANGE: std::ops::RangeInclusive<i64> = -10..=10;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Waiting to be claimed once due (new, retrying, or "not finished").
    Queued,
    /// Claimed by a worker whose pid is recorded.
    Running,
    /// Finished with success.
    Done,
    /// Failed `max_attempts` times; kept with its last error.
    Dead,
}

impl Status {
    /// The name stored in the database and shown to users.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Running => "running",
            Status::Done => "done",
            Status::Dead => "dead",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = Error;
    fn from_str(s: &str) -> Result<Status> {
        match s {
            "queued" => Ok(Status::Queued),
            "running" => Ok(Status::Running),
            "done" => Ok(Status::Done),
            "dead" => Ok(Status::Dead),
            other => Err(Error::Usage(format!("unknown status {other:?} (expected queued, running, done or dead)"))),
        }
    }
}

/// SPIP's `no_duplicate`: what makes two queued jobs "the same".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dedup {
    /// Always add.
    #[default]
    None,
    /// Same function, same args, same handler location.
    Args,
    /// Same function, whatever the args.
    Function,
}

impl Dedup {
    /// The key stored in the unique index, or `None` when the job takes part in no de-duplication.
    pub fn key(self, function: &str, args_json: &str, file: &str) -> Option<String> {
        match self {
            Dedup::None => None,
            Dedup::Args => Some(format!("a\u{1f}{function}\u{1f}{file}\u{1f}{args_json}")),
            Dedup::Function => Some(format!("f\u{1f}{function}")),
        }
    }
}

/// An object a job is attached to, written `article:23`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ObjectRef {
    /// The object type (`article`, `record`).
    pub kind: String,
    /// The object's id, as text so that any id scheme fits.
    pub id: String,
}

impl FromStr for ObjectRef {
    type Err = Error;
    fn from_str(s: &str) -> Result<ObjectRef> {
        let bad = || Error::Usage(format!("bad object {s:?}: write it TYPE:ID, as article:23"));
        let (kind, id) = s.split_once(':').ok_or_else(bad)?;
        let valid_kind = !kind.is_empty() && kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid_kind || id.is_empty() || id.contains(char::is_whitespace) {
            return Err(bad());
        }
        Ok(ObjectRef { kind: kind.to_string(), id: id.to_string() })
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.id)
    }
}

/// A request to add one job, as `taskctl add` or a `--batch` line describes it.
#[derive(Debug, Clone, Default)]
pub struct NewJob {
    /// The function (built-in kind or handler name).
    pub function: String,
    /// Arguments given to the handler as argv.
    pub args: Vec<String>,
    /// Human description, for listings.
    pub description: String,
    /// Handler location: empty, a `DIR/`, or a path to an executable.
    pub file: String,
    /// De-duplication mode.
    pub dedup: Dedup,
    /// When it becomes due, in microseconds since the epoch.
    pub due_at: i64,
    /// -10..=10; higher runs first.
    pub priority: i64,
    /// Overrides the configured number of attempts.
    pub max_attempts: Option<u32>,
    /// Overrides the configured timeout, in milliseconds.
    pub timeout_ms: Option<i64>,
    /// Objects to attach the job to at once.
    pub objects: Vec<ObjectRef>,
}

impl NewJob {
    /// Checks what the store cannot: a sane function name and priority range.
    pub fn validate(&self) -> Result<()> {
        if self.function.is_empty() || self.function.contains('/') || self.function.starts_with('.') {
            return Err(Error::Usage(format!(
                "bad function name {:?}: no '/', not empty, not starting with '.'",
                self.function
            )));
        }
        if !PRIORITY_RANGE.contains(&self.priority) {
            return Err(Error::Usage(format!("priority {} is outside -10..10", self.priority)));
        }
        if self.max_attempts == Some(0) {
            return Err(Error::Usage("max attempts must be at least 1".into()));
        }
        if self.timeout_ms.is_some_and(|t| t <= 0) {
            return Err(Error::Usage("a timeout must be more than 0s".into()));
        }
        self.check_exec_limits().map_err(Error::Data)
    }

    /// Refuses what no program can be given: a NUL byte (C strings end there) or an argument
    /// list past the kernel's limits, so such a job is refused at `add` instead of retried.
    fn check_exec_limits(&self) -> std::result::Result<(), String> {
        let texts = std::iter::once(("function", &self.function)).chain(std::iter::once(("file", &self.file)));
        for (what, text) in texts {
            if text.contains('\0') {
                return Err(format!("the {what} contains a NUL byte"));
            }
        }
        let mut total = 0usize;
        for (n, arg) in self.args.iter().enumerate() {
            if arg.contains('\0') {
                return Err(format!("argument {} contains a NUL byte, which no program can be given", n + 1));
            }
            if arg.len() >= MAX_ARG_BYTES {
                return Err(format!(
                    "argument {} is {} bytes: a program can be given at most {} in one argument",
                    n + 1,
                    arg.len(),
                    MAX_ARG_BYTES - 1
                ));
            }
            total += arg.len() + 1;
        }
        if total > MAX_ARGS_BYTES {
            return Err(format!(
                "the arguments take {total} bytes: more than the {MAX_ARGS_BYTES} a program can be given"
            ));
        }
        Ok(())
    }

    /// The args as the JSON array stored in the database.
    pub fn args_json(&self) -> String {
        serde_json::to_string(&self.args).unwrap_or_else(|_| "[]".into())
    }
}

/// What `add` did with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// A new job with this id.
    New(i64),
    /// Not added: this queued job already does the same work.
    Duplicate(i64),
}

/// A stored job, as listings show it.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub function: String,
    pub args: Vec<String>,
    pub description: String,
    pub file: String,
    pub priority: i64,
    pub status: Status,
    pub due_at: i64,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub attempt: i64,
    pub failures: i64,
    pub max_attempts: Option<i64>,
    pub timeout_ms: Option<i64>,
    pub worker_pid: Option<i64>,
    pub exit_code: Option<i64>,
    pub last_error: Option<String>,
    pub objects: Vec<ObjectRef>,
}

/// A job handed to a worker by a claim: what it needs to run it.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub function: String,
    pub args: Vec<String>,
    pub file: String,
    pub priority: i64,
    pub due_at: i64,
    pub attempt: i64,
    pub timeout_ms: Option<i64>,
    pub objects: Vec<ObjectRef>,
}

/// How a run ended, as the worker reports it to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0: the job is done.
    Done,
    /// Exit 75: not finished; re-queue at once one priority lower.
    NotFinished,
    /// Any other failure: retry with backoff, or dead after the last attempt.
    Failed { reason: String, exit_code: Option<i32> },
    /// Stopped by a shutdown of the worker: re-queue without counting a failure.
    Interrupted,
    /// The job can never run as it is (an argument the kernel refuses): dead at once.
    Unrunnable { reason: String },
}

/// A run that ended, as a worker reports it: which job, how, and when it really started (a
/// claimed job may wait a moment in the worker's local queue).
#[derive(Debug, Clone)]
pub struct Finished {
    pub id: i64,
    pub outcome: Outcome,
    pub started_at: i64,
}
