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

/// Parses `--at` (and `--batch`'s `"at"`): `0` or `now`, `@UNIX` seconds, RFC 3339, or a local
/// `YYYY-MM-DD[ HH:MM[:SS]]`. One set of rules wherever a due time is typed:
/// - a time in the past means now (as soon as possible), so `0`, `now`, `@0` and any past time
///   all give the same due time and a past time cannot jump ahead of jobs already due;
/// - a time before 1970 is refused: it is never a schedule, only a typo (`@-5`);
/// - a time more than 100 years ahead ([`LONGEST`], the `--in` limit) is refused too, so every
///   due time can be shown and added to without overflow.
pub fn parse_at(text: &str) -> Result<i64> {
    let now = now_us();
    let t = text.trim();
    let at = if t == "0" || t == "now" { now } else { parse_moment(t).ok_or_else(|| bad_time(text))? };
    if at < 0 {
        return Err(Error::Usage(format!("bad time {text:?}: before 1970; a time in the past means now, use 0")));
    }
    if at > now.saturating_add(us(LONGEST)) {
        return Err(Error::Usage(format!("bad time {text:?}: more than 100 years ahead")));
    }
    Ok(at.max(now))
}

/// The moment `t` names, in microseconds (saturated to the i64 range), if it is one of the forms.
/// A moment as `--at` writes it (`@SECS`, RFC 3339, `YYYY-MM-DD[ HH:MM[:SS]]` local), past or not.
pub fn parse_moment(t: &str) -> Option<i64> {
    if let Some(secs) = t.strip_prefix('@') {
        let valid = secs.strip_prefix('-').unwrap_or(secs);
        if valid.is_empty() || !valid.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // Any length of digits: a huge number is "too far ahead", not "not a time".
        let micros = secs
            .parse::<i128>()
            .map_or(if secs.starts_with('-') { i128::MIN } else { i128::MAX }, |s| s.saturating_mul(1_000_000));
        return Some(micros.clamp(i64::MIN.into(), i64::MAX.into()) as i64);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.timestamp_micros());
    }
    for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, fmt) {
            return local_to_us(naive);
        }
    }
    let date = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()?;
    local_to_us(date.and_hms_opt(0, 0, 0)?)
}

fn local_to_us(naive: NaiveDateTime) -> Option<i64> {
    Local.from_local_datetime(&naive).earliest().map(|dt| dt.timestamp_micros())
}

fn bad_time(text: &str) -> Error {
    Error::Usage(format!("bad time {text:?}: use 0, @UNIX-SECONDS, RFC 3339, or YYYY-MM-DD HH:MM[:SS]"))
}

/// The longest duration accepted anywhere: long enough for any schedule, short enough that
/// adding it to a time never overflows.
pub const LONGEST: Duration = Duration::from_secs(100 * 365 * 86_400);

/// Parses `--in`, `--timeout` and durations in config files ("90s", "5m", "1h 30m"); the unit
/// is required. Errors are in our words, not the parsing library's, and say what is allowed.
pub fn parse_duration(text: &str) -> Result<Duration> {
    let t = text.trim();
    let bad = |why: String| Error::Usage(format!("bad duration {text:?}: {why}"));
    if t.starts_with('-') {
        return Err(bad("a duration cannot be negative".into()));
    }
    let d = humantime::parse_duration(t).map_err(|e| bad(duration_error(t, &e)))?;
    if d > LONGEST {
        return Err(bad("more than 100 years".into()));
    }
    Ok(d)
}

/// Why humantime refused `t`, said the way our other messages are.
fn duration_error(t: &str, e: &humantime::DurationError) -> String {
    use humantime::DurationError as E;
    const FORMS: &str = "write it with a unit, as 30s, 5m, 2h or 1h 30m";
    let at = |i: usize| t.get(i..).and_then(|rest| rest.chars().next()).map_or(String::new(), |c| format!(" {c:?}"));
    match e {
        E::Empty => format!("empty; {FORMS}"),
        E::UnknownUnit { unit, .. } if unit.is_empty() => format!("no unit; {FORMS}"),
        E::UnknownUnit { unit, .. } => format!("unknown unit {unit:?}; {FORMS}"),
        E::NumberOverflow => "out of range: from 1ns to 100 years".into(),
        E::InvalidCharacter(i) => format!("unexpected character{}; {FORMS}", at(*i)),
        E::NumberExpected(i) => format!("a number is missing before{}; {FORMS}", at(*i)),
    }
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
