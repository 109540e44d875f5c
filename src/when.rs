//! Time as phr-tasks stores and shows it: microseconds since the epoch in the store, local time
//! for people, RFC 3339 UTC for scripts, and the `--at`/`--in` forms users type.

use crate::error::{Error, Result};
use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Now, in microseconds since the epoch.
pub fn now_us() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0)
}

/// Converts a duration to microseconds, saturating.
pub fn us(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// Parses `--at`: `0` or `now` (as soon as possible), `@UNIX` seconds, RFC 3339, or a local
/// `YYYY-MM-DD[ HH:MM[:SS]]`. A time in the past also means as soon as possible.
pub fn parse_at(text: &str) -> Result<i64> {
    let t = text.trim();
    if t == "0" || t == "now" {
        return Ok(now_us());
    }
    if let Some(secs) = t.strip_prefix('@') {
        let s: i64 = secs.parse().map_err(|_| bad_time(text))?;
        return Ok(s.saturating_mul(1_000_000));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.timestamp_micros());
    }
    for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, fmt) {
            return local_to_us(naive, text);
        }
    }
    if let Ok(date) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return local_to_us(date.and_hms_opt(0, 0, 0).ok_or_else(|| bad_time(text))?, text);
    }
    Err(bad_time(text))
}

fn local_to_us(naive: NaiveDateTime, text: &str) -> Result<i64> {
    Local.from_local_datetime(&naive).earliest().map(|dt| dt.timestamp_micros()).ok_or_else(|| bad_time(text))
}

fn bad_time(text: &str) -> Error {
    Error::Usage(format!("bad time {text:?}: use 0, @UNIX-SECONDS, RFC 3339, or YYYY-MM-DD HH:MM[:SS]"))
}

/// The longest duration accepted anywhere: long enough for any schedule, short enough that
/// adding it to a time never overflows.
pub const LONGEST: Duration = Duration::from_secs(100 * 365 * 86_400);

/// Parses `--in` and durations in config files ("90s", "5m", "1h 30m"); the unit is required.
pub fn parse_duration(text: &str) -> Result<Duration> {
    let bad = |why: String| Error::Usage(format!("bad duration {text:?}: {why}; write it with a unit, as 30s, 5m, 2h"));
    let d = humantime::parse_duration(text.trim()).map_err(|e| bad(e.to_string()))?;
    if d > LONGEST {
        return Err(bad("more than 100 years".into()));
    }
    Ok(d)
}

/// RFC 3339 in UTC, for `--json`.
pub fn rfc3339(us: i64) -> String {
    Utc.timestamp_micros(us)
        .single()
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .unwrap_or_default()
}

/// Local time to the second, for tables.
pub fn local(us: i64) -> String {
    Local.timestamp_micros(us).single().map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_default()
}

/// "42 s", "3 min", "2 h", "5 d": how far away a moment is, in SPIP's admin page words.
pub fn human_delay(us: i64) -> String {
    let secs = us.max(0) / 1_000_000;
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} d", s / 86_400),
    }
}
