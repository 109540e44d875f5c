//! How jobs look on stdout: an aligned table (local times, fitted to the terminal) for people, and one stable JSON
//! shape (RFC 3339 UTC times) for scripts. Writers return errors so a closed pipe ends quietly.

use crate::job::Job;
use crate::table;
use crate::when;
use serde::Serialize;
use std::io::{self, Write};

/// The JSON shape of a job, shared by `list --json` and `show --json`. Add fields; never rename.
#[derive(Debug, Serialize)]
pub struct JobJson<'a> {
    pub id: i64,
    pub function: &'a str,
    pub args: &'a [String],
    pub description: &'a str,
    pub file: Option<&'a str>,
    pub priority: i64,
    pub status: &'static str,
    pub due_at: String,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub attempt: i64,
    pub failures: i64,
    pub max_attempts: Option<i64>,
    pub timeout_ms: Option<i64>,
    pub worker_pid: Option<i64>,
    pub exit_code: Option<i64>,
    pub last_error: Option<&'a str>,
    pub objects: Vec<String>,
}

impl<'a> From<&'a Job> for JobJson<'a> {
    fn from(j: &'a Job) -> Self {
        JobJson {
            id: j.id,
            function: &j.function,
            args: &j.args,
            description: &j.description,
            file: Some(j.file.as_str()).filter(|f| !f.is_empty()),
            priority: j.priority,
            status: j.status.as_str(),
            due_at: when::rfc3339(j.due_at),
            created_at: when::rfc3339(j.created_at),
            started_at: j.started_at.map(when::rfc3339),
            finished_at: j.finished_at.map(when::rfc3339),
            attempt: j.attempt,
            failures: j.failures,
            max_attempts: j.max_attempts,
            timeout_ms: j.timeout_ms,
            worker_pid: j.worker_pid,
            exit_code: j.exit_code,
            last_error: j.last_error.as_deref(),
            objects: j.objects.iter().map(ToString::to_string).collect(),
        }
    }
}

/// Writes `value` as one line of JSON.
pub fn write_json<T: Serialize>(out: &mut impl Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::other)?;
    writeln!(out)
}

/// Writes jobs as an aligned table, in the order given, fitted to `width` columns (the job,
/// description and objects cells are cut with `…`); `None` shows every cell whole.
pub fn write_table(out: &mut impl Write, jobs: &[Job], width: Option<usize>) -> io::Result<()> {
    let column = |header, cut| table::Column { header, cut };
    let columns = [
        column("ID", false),
        column("STATUS", false),
        column("PRI", false),
        column("DUE", false),
        column("TRIES", false),
        column("JOB", true),
        column("DESCRIPTION", true),
        column("OBJECTS", true),
    ];
    let rows: Vec<Vec<String>> = jobs
        .iter()
        .map(|j| {
            let objects: Vec<String> = j.objects.iter().map(ToString::to_string).collect();
            vec![
                j.id.to_string(),
                j.status.to_string(),
                j.priority.to_string(),
                when::local(j.due_at),
                j.attempt.to_string(),
                command_line(j),
                j.description.clone(),
                objects.join(","),
            ]
        })
        .collect();
    table::write(out, &columns, &rows, width)
}

/// `function arg1 'arg 2'`, quoted as a shell would (SPIP's admin page shows `fn(args)`).
pub fn command_line(j: &Job) -> String {
    table::shell_line(std::iter::once(j.function.as_str()).chain(j.args.iter().map(String::as_str)))
}

/// Writes one job as `key: value` lines, for `taskctl show`; what the job's author wrote is
/// escaped so it cannot drive the terminal (`--json` gives it verbatim).
pub fn write_details(out: &mut impl Write, j: &Job) -> io::Result<()> {
    let opt_time = |t: Option<i64>| t.map(when::local).unwrap_or_else(|| "-".into());
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
    let objects: Vec<String> = j.objects.iter().map(ToString::to_string).collect();
    let esc = table::escape;
    let mut tw = tabwriter::TabWriter::new(Vec::new());
    writeln!(tw, "id:\t{}", j.id)?;
    writeln!(tw, "status:\t{}", j.status)?;
    writeln!(tw, "function:\t{}", esc(&j.function))?;
    writeln!(tw, "args:\t{}", esc(&serde_json::to_string(&j.args).unwrap_or_default()))?;
    writeln!(tw, "description:\t{}", esc(&j.description))?;
    writeln!(tw, "file:\t{}", if j.file.is_empty() { "-".into() } else { esc(&j.file) })?;
    writeln!(tw, "priority:\t{}", j.priority)?;
    writeln!(tw, "due:\t{}", when::local(j.due_at))?;
    writeln!(tw, "created:\t{}", when::local(j.created_at))?;
    writeln!(tw, "started:\t{}", opt_time(j.started_at))?;
    writeln!(tw, "finished:\t{}", opt_time(j.finished_at))?;
    writeln!(tw, "attempt:\t{} ({} failed, max {})", j.attempt, j.failures, opt(j.max_attempts))?;
    writeln!(tw, "worker pid:\t{}", opt(j.worker_pid))?;
    writeln!(tw, "exit code:\t{}", opt(j.exit_code))?;
    writeln!(tw, "last error:\t{}", j.last_error.as_deref().map_or_else(|| "-".into(), esc))?;
    writeln!(tw, "objects:\t{}", if objects.is_empty() { "-".into() } else { esc(&objects.join(" ")) })?;
    tw.flush()?;
    out.write_all(&tw.into_inner().map_err(|e| io::Error::other(e.to_string()))?)
}
