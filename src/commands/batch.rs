//! `taskctl add --batch`: one JSON job per line on stdin. Every line is checked before anything
//! is written, so a bad line adds nothing and names its line number.

use super::add::due_time;
use crate::error::{Error, Result};
use crate::job::{Dedup, NewJob, ObjectRef};
use crate::when;
use serde::Deserialize;
use std::io::BufRead;

/// One line of `--batch` input. Only `function` is required.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchLine {
    function: String,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    file: String,
    /// `true`/"args", "function", or `false`.
    #[serde(default)]
    no_duplicate: Option<serde_json::Value>,
    /// Same forms as `--at`, or a number N of seconds since the epoch, meaning `--at @N`.
    #[serde(default)]
    at: Option<serde_json::Value>,
    #[serde(default, rename = "in")]
    in_: Option<String>,
    #[serde(default)]
    priority: i64,
    #[serde(default)]
    max_attempts: Option<u32>,
    #[serde(default)]
    timeout: Option<String>,
    #[serde(default)]
    objects: Vec<String>,
}

/// Reads and checks every line; the first bad one is reported as `stdin:LINE: reason` (exit 65).
pub fn read_jobs(input: impl BufRead) -> Result<Vec<NewJob>> {
    let mut jobs = Vec::new();
    for (n, line) in input.lines().enumerate() {
        let line = line.map_err(|e| Error::Data(format!("stdin: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let job = parse_line(&line).map_err(|reason| Error::Data(format!("stdin:{}: {reason}", n + 1)))?;
        jobs.push(job);
    }
    Ok(jobs)
}

fn parse_line(line: &str) -> std::result::Result<NewJob, String> {
    let b: BatchLine = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let dedup = match &b.no_duplicate {
        None | Some(serde_json::Value::Bool(false)) => Dedup::None,
        Some(serde_json::Value::Bool(true)) => Dedup::Args,
        Some(serde_json::Value::String(s)) if s == "args" => Dedup::Args,
        Some(serde_json::Value::String(s)) if s == "function" => Dedup::Function,
        Some(other) => return Err(format!("no_duplicate must be true, false, \"args\" or \"function\", not {other}")),
    };
    // A number N is exactly `--at @N`; a string is exactly what `--at` takes.
    let at = match &b.at {
        None => None,
        Some(serde_json::Value::Number(n)) if n.is_i64() || n.is_u64() => Some(format!("@{n}")),
        Some(serde_json::Value::Number(n)) => return Err(format!("at must be whole seconds since the epoch, not {n}")),
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(other) => return Err(format!("at must be a time string or seconds since the epoch, not {other}")),
    };
    if at.is_some() && b.in_.is_some() {
        return Err("give \"at\" or \"in\", not both".into());
    }
    let due_at = due_time(at.as_deref(), b.in_.as_deref()).map_err(|e| e.to_string())?;
    let timeout_ms = match &b.timeout {
        Some(t) => Some(when::parse_duration(t).map_err(|e| e.to_string())?.as_millis() as i64),
        None => None,
    };
    let objects =
        b.objects.iter().map(|o| o.parse::<ObjectRef>()).collect::<Result<Vec<_>>>().map_err(|e| e.to_string())?;
    let job = NewJob {
        function: b.function,
        args: b.args,
        description: b.description,
        file: b.file,
        dedup,
        due_at,
        priority: b.priority,
        max_attempts: b.max_attempts,
        timeout_ms,
        objects,
    };
    job.validate().map_err(|e| e.to_string())?;
    Ok(job)
}
