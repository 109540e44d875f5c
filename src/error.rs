//! Library errors as types. Each carries what it concerns (a path, an id) so the message at
//! the edge can name it, and each maps to one sysexits code in [`Error::exit_code`].

use crate::exit_codes;
use std::path::PathBuf;

/// Shorthand used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in phr-tasks, grouped by what the user should do about it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line was wrong in a way clap could not see (a bad time, a bad object).
    #[error("{0}")]
    Usage(String),
    /// Input data was wrong: a JSON line, an argument list.
    #[error("{0}")]
    Data(String),
    /// The configuration file does not parse or says something impossible.
    #[error("{path}:{line}:{column}: {reason}")]
    ConfigSyntax { path: PathBuf, line: usize, column: usize, reason: String },
    /// A configuration value is wrong where no position is known.
    #[error("{0}")]
    Config(String),
    /// A file the user named is not there or not readable.
    #[error("{}: {source}", path.display())]
    NoInput { path: PathBuf, source: std::io::Error },
    /// A file or directory could not be created.
    #[error("cannot create {}: {source}", path.display())]
    CantCreate { path: PathBuf, source: std::io::Error },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// No job has that id.
    #[error("no job {0}")]
    NoSuchJob(i64),
    /// No record has that id.
    #[error("no record {0}")]
    NoSuchRecord(i64),
    /// No task file has that name.
    #[error("no task {name:?} in {}", dir.display())]
    NoSuchTask { name: String, dir: PathBuf },
    /// Something else runs the task's passes now.
    #[error("task {task} is running (pid {pid})")]
    TaskBusy { task: String, pid: i64 },
    /// Another scheduler holds the data dir.
    #[error("already running for {} (pid {pid})", dir.display())]
    AlreadyRunning { pid: i64, dir: PathBuf },
    /// A pass failed (`task` is empty for a pass run without a task).
    #[error("{}pass failed: {reason}", if task.is_empty() { String::new() } else { format!("task {task}: ") })]
    PassFailed { task: String, reason: String },
    /// Worth trying again later: a server refusing for now, a command that said so (exit 75).
    #[error("{0}")]
    TryLater(String),
    /// The job is running, so the operation is refused for now.
    #[error("job {id} is running (worker pid {pid}){hint}")]
    JobRunning { id: i64, pid: i64, hint: &'static str },
    /// A job ran and failed (used by `taskctl run`).
    #[error("job {id} failed: {reason}")]
    JobFailed { id: i64, reason: String },
    /// The store failed; `kind` says what can be done about it, `message` is the backend's words.
    #[error("database{}: {message}", path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    Store { path: Option<PathBuf>, kind: StoreFailure, message: String },
    /// The database schema was written by a newer version.
    #[error("database {} has schema version {found}, newer than this program's {supported}", path.display())]
    SchemaTooNew { path: PathBuf, found: i64, supported: i64 },
    /// A read-only open met a schema older than this program's: reading it needs an upgrade,
    /// which only a read-write open does (a read-only open never changes the store).
    #[error("database {} has schema version {found}, older than this program's {supported}: a command that writes (taskctl add, work, tasksched), run with write access, upgrades it", path.display())]
    SchemaTooOld { path: PathBuf, found: i64, supported: i64 },
    /// Writing our own output failed (a closed pipe is not an error: see [`Error::is_broken_pipe`]).
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    /// Something that needs a service or program that is not available.
    #[error("{0}")]
    Unavailable(String),
    /// Running as root, a path another user owns or can write: what they put there would run as root.
    #[error("{}: {problem}; as root, phr-tasks uses only what no other user can change: {fix}", path.display())]
    Untrusted { path: PathBuf, problem: String, fix: String },
}

impl Error {
    /// The sysexits code a program should exit with for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => exit_codes::USAGE,
            Error::Data(_) => exit_codes::DATA,
            Error::ConfigSyntax { .. } | Error::Config(_) => exit_codes::CONFIG,
            Error::NoInput { .. } => exit_codes::NO_INPUT,
            Error::CantCreate { .. } => exit_codes::CANT_CREATE,
            Error::Io { .. } => exit_codes::IO,
            Error::NoSuchJob(_) | Error::NoSuchRecord(_) | Error::NoSuchTask { .. } | Error::JobFailed { .. } => {
                exit_codes::FAILURE
            }
            Error::JobRunning { .. } | Error::TaskBusy { .. } | Error::AlreadyRunning { .. } | Error::TryLater(_) => {
                exit_codes::TEMP_FAIL
            }
            Error::PassFailed { .. } => exit_codes::FAILURE,
            Error::Store { kind, .. } => kind.exit_code(),
            Error::SchemaTooNew { .. } | Error::SchemaTooOld { .. } => exit_codes::DATA,
            Error::Unavailable(_) => exit_codes::UNAVAILABLE,
            Error::Output(_) => exit_codes::IO,
            Error::Untrusted { .. } => exit_codes::NO_PERMISSION,
        }
    }

    /// True for SQLite's "database is locked/busy": worth trying again.
    pub fn is_busy(&self) -> bool {
        matches!(self, Error::Store { kind: StoreFailure::Busy, .. })
    }

    /// True for failures that pass by themselves or once an admin acts (a busy store, a full
    /// disk): a long-running program keeps what it has and tries again rather than exit.
    pub fn is_temporary(&self) -> bool {
        matches!(self, Error::Store { kind: StoreFailure::Busy | StoreFailure::Full, .. })
    }

    /// True when a file could not be written for want of room (a full disk, a quota): nothing
    /// is wrong with what was being written, and it is worth doing again once there is room.
    pub fn is_no_space(&self) -> bool {
        let full = |e: &std::io::Error| matches!(e.raw_os_error(), Some(libc::ENOSPC | libc::EDQUOT));
        match self {
            Error::Io { source, .. } | Error::CantCreate { source, .. } => full(source),
            Error::Store { kind, .. } => *kind == StoreFailure::Full,
            _ => false,
        }
    }

    /// True when the store is damaged: writing into it could only make things worse.
    pub fn is_corrupt(&self) -> bool {
        matches!(self, Error::Store { kind: StoreFailure::Corrupt, .. })
    }

    /// True when our reader went away (`taskctl list | head`): exit quietly with success.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io { path: path.into(), source }
    }
}

/// What kind of store failure an [`Error::Store`] is, whatever the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreFailure {
    /// Another writer holds the store for longer than we wait: try again (75).
    Busy,
    /// The disk (or a quota) is full: nothing was written; try again once there is room (75).
    Full,
    /// The store cannot be written: a read-only file system (73).
    ReadOnly,
    /// The store cannot be written: it belongs to another user (77).
    Denied,
    /// The file is not a store, or is damaged (65).
    Corrupt,
    /// Anything else: a bug or a state we did not expect (70).
    Other,
}

impl StoreFailure {
    /// The sysexits code for this failure.
    pub fn exit_code(self) -> i32 {
        match self {
            StoreFailure::Busy | StoreFailure::Full => exit_codes::TEMP_FAIL,
            StoreFailure::ReadOnly => exit_codes::CANT_CREATE,
            StoreFailure::Denied => exit_codes::NO_PERMISSION,
            StoreFailure::Corrupt => exit_codes::DATA,
            StoreFailure::Other => exit_codes::SOFTWARE,
        }
    }
}
