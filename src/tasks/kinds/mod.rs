//! The registry of task kinds. Adding a kind is one module plus one line in [`KINDS`]: its
//! settings type (checked with positions), the commented template `taskctl new` writes, and
//! how its worker runs (one pass at a time, or continuously like the job queue).

mod exec;
mod queue;

use super::TaskDef;
use crate::config::Settings;
use crate::error::Result;
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// What a kind's code gets to run a task.
pub struct TaskContext<'a> {
    pub task: &'a TaskDef,
    pub settings: &'a Settings,
    /// Set when the worker should stop after its current item (SIGTERM, scheduler gone).
    pub stop: &'a AtomicBool,
}

/// How a kind's worker runs.
pub enum Run {
    /// One pass per period; returns how many items it processed, or why it failed.
    Passes(fn(&TaskContext<'_>) -> std::result::Result<u64, String>),
    /// Runs until told to stop (the job queue's workers); `once` does one round for `taskctl pass`.
    Continuous(fn(&TaskContext<'_>, bool) -> Result<()>),
}

/// A task kind.
pub struct Kind {
    pub name: &'static str,
    pub summary: &'static str,
    /// Whether a task of this kind needs a `period` or a `schedule`.
    pub periodic: bool,
    /// The body `taskctl new` writes after the common keys: cadence and `[settings]`, commented.
    pub template: &'static str,
    /// Checks a whole task file against the kind's settings type, with positions.
    pub check: fn(&Path, &str) -> Result<()>,
    pub run: Run,
}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Every task kind.
pub static KINDS: &[&Kind] = &[&queue::KIND, &exec::KIND];

/// The kind with this name.
pub fn find(name: &str) -> Option<&'static Kind> {
    KINDS.iter().copied().find(|k| k.name == name)
}

/// The message for a kind nobody registered.
pub fn unknown_kind(name: &str) -> String {
    let known: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
    format!("unknown task kind {name:?} (known: {})", known.join(", "))
}

/// Checks a task file as `TaskFile<S>`: unknown keys, wrong types and missing settings are
/// reported with their position.
pub fn check_as<S: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<()> {
    crate::config::parse_toml::<super::TaskFile<S>>(path, text).map(drop)
}

/// Reads the kind's settings back from a checked task.
pub fn settings_of<S: serde::de::DeserializeOwned>(task: &TaskDef) -> Result<S> {
    toml::Value::Table(task.settings.clone())
        .try_into()
        .map_err(|e| crate::error::Error::Config(format!("{}: settings: {e}", task.path.display())))
}
