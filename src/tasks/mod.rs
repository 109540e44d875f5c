//! Tasks: named, long-lived instances of a task kind (Phraseanet's task manager). A task's
//! definition is `tasks.d/NAME.toml`, what an admin edits and keeps in version control; its run
//! state lives in the store. A bad file is refused with `file:line:col: reason` (exit 78).

mod file;
pub mod worker;

pub use file::{template, TaskFile};

use crate::config::{error_at, parse_toml, Settings};
use crate::error::{Error, Result};
use crate::kinds::{self, AnyKind, Mode};
use serde::Deserialize;
use std::any::Any;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// When a task's passes start.
#[derive(Debug, Clone)]
pub enum Cadence {
    /// Every so long, start to start.
    Period(Duration),
    /// At the times a cron expression gives.
    Schedule(Box<croner::Cron>),
}

/// When a worker retires so the scheduler starts a fresh one (as Phraseanet's tasks do).
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    /// Passes before retiring (0: no limit).
    pub max_loops: u64,
    /// Items processed before retiring (0: no limit).
    pub max_items: u64,
    /// Resident memory, in MiB, above which the worker retires after its pass (0: no limit).
    pub max_rss_mb: u64,
}

/// A task as its file defines it, its kind's settings parsed and checked once.
#[derive(Debug, Clone)]
pub struct TaskDef {
    pub name: String,
    pub path: PathBuf,
    pub kind: &'static dyn AnyKind,
    pub description: String,
    pub cadence: Option<Cadence>,
    pub autostart: bool,
    pub limits: Limits,
    pub max_crashes: u32,
    pub crash_window: Duration,
    /// The kind's typed settings (its `TaskKind::Settings`).
    pub settings: Arc<dyn Any + Send + Sync>,
}

/// Just the kind, read first to know how to check the rest.
#[derive(Deserialize)]
struct KindOnly {
    kind: toml::Spanned<String>,
}

/// Whether `name` can name a task (it becomes a file name and a log name).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Reads and checks one task file.
pub fn parse(name: &str, path: &Path, text: &str) -> Result<TaskDef> {
    let head: KindOnly = parse_toml(path, text)?;
    let kind = kinds::find(head.kind.get_ref()).ok_or_else(|| {
        let (line, column) = crate::config::line_col(text, head.kind.span().start);
        Error::ConfigSyntax { path: path.to_path_buf(), line, column, reason: kinds::unknown_kind(head.kind.get_ref()) }
    })?;
    let settings = kind.parse_settings(path, text)?;
    let file: TaskFile<toml::Table> = parse_toml(path, text)?;
    let bad = |key: &str, reason: String| error_at(path, text, &[key], reason);
    let cadence = match (file.period, &file.schedule) {
        (Some(_), Some(_)) => return Err(bad("schedule", "give period or schedule, not both".into())),
        (Some(p), None) if p.is_zero() => return Err(bad("period", "must be more than 0s".into())),
        (Some(p), None) => Some(Cadence::Period(p)),
        (None, Some(expr)) => Some(Cadence::Schedule(Box::new(
            expr.parse::<croner::Cron>().map_err(|e| bad("schedule", format!("{expr:?}: {e}")))?,
        ))),
        (None, None) if kind.mode() == Mode::Passes => {
            return Err(bad(
                "kind",
                format!("a {} task needs period = \"5m\" or schedule = \"*/5 * * * *\"", kind.name()),
            ))
        }
        (None, None) => None,
    };
    if file.max_crashes == 0 {
        return Err(bad("max_crashes", "must be at least 1".into()));
    }
    if file.crash_window.is_zero() {
        return Err(bad("crash_window", "must be more than 0s".into()));
    }
    Ok(TaskDef {
        name: name.to_string(),
        path: path.to_path_buf(),
        kind,
        description: file.description,
        cadence,
        autostart: file.autostart,
        limits: Limits { max_loops: file.max_loops, max_items: file.max_items, max_rss_mb: file.max_rss_mb },
        max_crashes: file.max_crashes,
        crash_window: file.crash_window,
        settings,
    })
}

/// The file that defines task `name`.
pub fn task_path(settings: &Settings, name: &str) -> PathBuf {
    settings.tasks_dir.join(format!("{name}.toml"))
}

/// Loads one task by name.
pub fn load(settings: &Settings, name: &str) -> Result<TaskDef> {
    if !valid_name(name) {
        return Err(Error::Usage(format!("bad task name {name:?}: letters, digits, '-' and '_' only")));
    }
    let path = task_path(settings, name);
    crate::trust::check(&path)?; // as root, its command runs as root
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::NoSuchTask { name: name.to_string(), dir: settings.tasks_dir.clone() })
        }
        Err(source) => return Err(Error::NoInput { path, source }),
    };
    parse(name, &path, &text)
}

/// Loads every `*.toml` in the tasks dir, by name; a missing dir means no task. The first
/// bad file is the error.
pub fn load_all(settings: &Settings) -> Result<Vec<TaskDef>> {
    load_each(settings)?.into_iter().map(|(_, def)| def).collect()
}

/// Every task file by name, each loaded or with why it could not be: for listings that
/// should show the good tasks even when one file is broken.
pub fn load_each(settings: &Settings) -> Result<Vec<(String, Result<TaskDef>)>> {
    crate::trust::check(&settings.tasks_dir)?;
    let entries = match std::fs::read_dir(&settings.tasks_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(Error::NoInput { path: settings.tasks_dir.clone(), source }),
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".toml").map(str::to_string))
        .filter(|n| {
            // Said, not silent: an admin who wrote the file expects a task from it.
            if !valid_name(n) {
                log::warn!(
                    "ignoring {}: {n:?} is not a task name (letters, digits, '-' and '_' only)",
                    task_path(settings, n).display()
                );
            }
            valid_name(n)
        })
        .collect();
    names.sort();
    Ok(names.into_iter().map(|n| (n.clone(), load(settings, &n))).collect())
}
