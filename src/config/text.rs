//! Reading TOML as admins write it: durations with their unit, and errors that point at the
//! line and column of the value at fault (`phr.toml:3:17: jobs.retry_backoff: …`).

use crate::error::{Error, Result};
use std::path::Path;

/// Durations in config and task files, written with their unit ("30s", "15m"); a bare number
/// is refused. For `#[serde(with = "crate::config::duration")]`.
pub mod duration {
    use serde::Deserialize;
    use std::time::Duration;

    /// Reads "30s", "15m"…
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        crate::when::parse_duration(&text).map_err(|e| serde::de::Error::custom(e.to_string()))
    }

    /// Writes the shortest form humantime gives ("10m", "1h 30m").
    pub fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(*d).to_string())
    }
}

/// [`duration`], for optional settings.
pub mod optional_duration {
    use std::time::Duration;

    /// Reads "30s", "15m"… as `Some`.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        super::duration::deserialize(d).map(Some)
    }

    /// Writes `Some` like [`super::duration`]; use with `skip_serializing_if = "Option::is_none"`.
    pub fn serialize<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => super::duration::serialize(d, s),
            None => s.serialize_none(),
        }
    }
}

/// Parses TOML text into any settings type, with positions in the error.
pub fn parse_toml<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        let (line, column) = line_col(text, offset);
        Error::ConfigSyntax { path: path.to_path_buf(), line, column, reason: e.message().trim().replace('\n', " ") }
    })
}

/// The 1-based line and column of a byte offset, for messages.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.len(), |nl| before.len() - nl - 1) + 1;
    (line, column)
}

/// A configuration error at the value of `keys` (a path of table keys, `["settings", "jobs"]`),
/// or at the start of the file when the key is not written there (its default was used).
pub fn error_at(path: &Path, text: &str, keys: &[&str], reason: impl Into<String>) -> Error {
    let offset = value_offset(text, keys).unwrap_or(0);
    let (line, column) = line_col(text, offset);
    Error::ConfigSyntax {
        path: path.to_path_buf(),
        line,
        column,
        reason: format!("{}: {}", keys.join("."), reason.into()),
    }
}

fn value_offset(text: &str, keys: &[&str]) -> Option<usize> {
    let root = toml::de::DeTable::parse(text).ok()?;
    let mut table = root.get_ref();
    let mut offset = None;
    for key in keys {
        let Some(value) = table.get(*key) else { break }; // not written: point at its table
        offset = Some(value.span().start);
        match value.get_ref().as_table() {
            Some(t) => table = t,
            None => break,
        }
    }
    offset
}
