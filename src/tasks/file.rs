//! The keys every task file has, their defaults (written once, in [`Default`]), and the
//! commented file `taskctl new` writes from them and the kind's own settings.

use crate::kinds::{template, AnyKind, Field, Mode, Show};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A task file; `S` is the kind's `[settings]` table, checked with positions.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default, bound(deserialize = "S: Deserialize<'de> + Default"))]
pub struct TaskFile<S> {
    pub kind: String,
    pub description: String,
    #[serde(with = "crate::config::optional_duration", skip_serializing_if = "Option::is_none")]
    pub period: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    pub autostart: bool,
    pub max_loops: u64,
    pub max_items: u64,
    pub max_rss_mb: u64,
    pub max_crashes: u32,
    #[serde(with = "crate::config::duration")]
    pub crash_window: Duration,
    pub settings: S,
}

impl<S: Default> Default for TaskFile<S> {
    fn default() -> Self {
        TaskFile {
            kind: String::new(),
            description: String::new(),
            period: None,
            schedule: None,
            autostart: true,
            max_loops: 0,
            max_items: 0,
            max_rss_mb: 0,
            max_crashes: 5,
            crash_window: Duration::from_secs(600),
            settings: S::default(),
        }
    }
}

/// The keys of every task file, documented.
const COMMON_FIELDS: &[Field] = &[
    Field { key: "description", doc: "What the task is for (taskctl status shows it).", show: Show::Default },
    Field {
        key: "autostart",
        doc: "Start with the scheduler the first time it sees this task (then taskctl start/stop decide).",
        show: Show::Default,
    },
    Field {
        key: "max_loops",
        doc: "The worker makes way for a fresh one after this many passes or items, or above this\n\
              resident memory in MiB (0: no limit).",
        show: Show::Default,
    },
    Field { key: "max_items", doc: "", show: Show::Default },
    Field { key: "max_rss_mb", doc: "", show: Show::Default },
    Field {
        key: "max_crashes",
        doc: "After max_crashes crashes within crash_window the task is left crashed (taskctl start clears it).",
        show: Show::Default,
    },
    Field { key: "crash_window", doc: "", show: Show::Default },
];

/// The cadence keys, for kinds that run passes.
const CADENCE_FIELDS: &[Field] = &[
    Field {
        key: "period",
        doc: "Time between the starts of two passes (\"30s\", \"5m\", \"1h\")...",
        show: Show::Example("\"5m\""),
    },
    Field {
        key: "schedule",
        doc: "...or a cron expression instead of period:",
        show: Show::Commented("\"*/5 * * * *\""),
    },
];

/// The file `taskctl new KIND NAME` writes: every setting with its default, commented.
pub fn template(kind: &dyn AnyKind, name: &str) -> String {
    let defaults = TaskFile::<toml::Table>::default();
    let cadence = if kind.mode() == Mode::Passes { template::render(CADENCE_FIELDS, &defaults) } else { String::new() };
    format!(
        "# Task {name}: {kind} ({summary}).\n\
         # Then: taskctl start {name}   (a running tasksched picks up new files on SIGHUP).\n\
         kind = \"{kind}\"\n{common}{cadence}\n[settings]\n{settings}",
        kind = kind.name(),
        summary = kind.summary(),
        common = template::render(COMMON_FIELDS, &defaults),
        settings = kind.settings_template(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_common_key_is_documented() {
        let all: Vec<Field> = COMMON_FIELDS.iter().chain(CADENCE_FIELDS).copied().collect();
        let mut missing = template::undocumented(&all, &TaskFile::<toml::Table>::default());
        missing.retain(|k| k != "kind" && k != "settings");
        assert!(missing.is_empty(), "undocumented: {missing:?}");
    }
}
