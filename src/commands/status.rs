//! `taskctl status`: the scheduler and every task, for people (a table) and scripts (JSON,
//! and with one TASK, an exit code as LSB init scripts give: 0 running, 3 stopped, 1 crashed).

use crate::cli::taskctl::StatusArgs;
use crate::config::Settings;
use crate::error::Result;
use crate::output::write_json;
use crate::sched::pidfile;
use crate::store::{RunState, Store, TaskState};
use crate::table::{self, Column};
use crate::tasks;
use crate::when;
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct StatusJson {
    scheduler: SchedulerJson,
    tasks: Vec<TaskJson>,
}

#[derive(Serialize)]
struct SchedulerJson {
    running: bool,
    pid: Option<i64>,
    started_at: Option<String>,
    uptime_secs: Option<i64>,
}

#[derive(Serialize)]
struct TaskJson {
    name: String,
    kind: String,
    description: String,
    state: &'static str,
    desired: &'static str,
    pid: Option<i64>,
    started_at: Option<String>,
    last_pass_at: Option<String>,
    last_pass_error: Option<String>,
    passes: i64,
    last_exit: Option<String>,
    crashes: i64,
}

pub fn run(settings: &Settings, args: StatusArgs) -> Result<i32> {
    let defs = match &args.task {
        Some(name) => match tasks::load(settings, name) {
            Ok(def) => vec![(name.clone(), Ok(def))],
            Err(e @ crate::error::Error::NoSuchTask { .. }) => {
                eprintln!("taskctl: {e}");
                return Ok(LSB_UNKNOWN);
            }
            Err(e) => return Err(e),
        },
        None => tasks::load_each(settings)?,
    };
    let mut invalid = None;
    for (_, def) in &defs {
        if let Err(e) = def {
            eprintln!("taskctl: {e}");
            invalid = Some(e.exit_code());
        }
    }
    let store = Store::open_read_only(&settings.db_path())?;
    let holder = pidfile::holder(&settings.scheduler_pidfile());
    let now = when::now_us();
    let scheduler = SchedulerJson {
        running: holder.is_some(),
        pid: holder.map(|h| h.pid),
        started_at: holder.and_then(|h| h.started_at).map(when::rfc3339),
        uptime_secs: holder.and_then(|h| h.started_at).map(|t| (now - t) / 1_000_000),
    };
    let mut rows = Vec::new();
    for (name, def) in &defs {
        let def = def.as_ref().ok();
        let mut st = store.tasks().task_state(name)?.unwrap_or_else(|| TaskState::new(name));
        if holder.is_none() && st.state != RunState::Crashed {
            // No scheduler: what runs is what a pidfile names and is alive (a worker left by a
            // scheduler that died), whatever was last written.
            match crate::sched::leftover::worker_of(settings, name) {
                Some(w) => {
                    eprintln!(
                        "taskctl: task {name}: worker pid {} runs without a scheduler (taskctl stop stops it)",
                        w.pid
                    );
                    st.state = RunState::Started;
                    st.pid = Some(w.pid);
                }
                None => {
                    st.state = RunState::Stopped;
                    st.pid = None;
                }
            }
        }
        rows.push(TaskJson {
            name: name.clone(),
            kind: def.map_or("?", |d| d.kind.name()).to_string(),
            description: def.map(|d| d.description.clone()).unwrap_or_default(),
            state: st.state.as_str(),
            desired: if st.desired_started { "started" } else { "stopped" },
            pid: st.pid,
            started_at: st.started_at.map(when::rfc3339),
            last_pass_at: st.last_pass_at.map(when::rfc3339),
            last_pass_error: st.last_pass_error,
            passes: st.passes,
            last_exit: st.last_exit,
            crashes: st.crashes,
        });
    }
    let code = match (&args.task, rows.first()) {
        (Some(_), Some(t)) => lsb_code(t.state),
        _ => invalid.unwrap_or(crate::exit_codes::OK),
    };
    let mut out = super::stdout();
    let status = StatusJson { scheduler, tasks: rows };
    if args.json {
        write_json(&mut out, &status)?;
    } else {
        write_table(&mut out, &status, (!args.wide).then(crate::table::output_width))?;
    }
    out.flush()?;
    Ok(code)
}

/// LSB's "status unknown", for a task that does not exist.
const LSB_UNKNOWN: i32 = 4;

/// LSB init-script codes: 0 running, 1 dead (crashed), 3 not running.
fn lsb_code(state: &str) -> i32 {
    match state {
        "started" | "starting" | "stopping" => 0,
        "crashed" => 1,
        _ => 3,
    }
}

/// The scheduler's line, then a table of tasks fitted to `width` (a long pass error is cut).
fn write_table(out: &mut impl Write, s: &StatusJson, width: Option<usize>) -> std::io::Result<()> {
    match (s.scheduler.pid, s.scheduler.uptime_secs) {
        (Some(pid), Some(up)) => {
            writeln!(out, "scheduler: running, pid {pid}, up {}", when::human_delay(up * 1_000_000))?
        }
        (Some(pid), None) => writeln!(out, "scheduler: running, pid {pid}")?,
        _ => writeln!(out, "scheduler: stopped")?,
    }
    if s.tasks.is_empty() {
        return Ok(());
    }
    let column = |header, cut| Column { header, cut };
    let columns = [
        column("TASK", true),
        column("KIND", false),
        column("STATE", false),
        column("PID", false),
        column("LAST PASS", true),
        column("PASSES", false),
        column("LAST EXIT", true),
        column("CRASHES", false),
    ];
    let rows: Vec<Vec<String>> = s
        .tasks
        .iter()
        .map(|t| {
            let last_pass = match (&t.last_pass_at, &t.last_pass_error) {
                (Some(at), Some(err)) => format!("{} (failed: {err})", local(at)),
                (Some(at), None) => local(at),
                _ => "-".into(),
            };
            vec![
                t.name.clone(),
                t.kind.clone(),
                t.state.to_string(),
                t.pid.map_or_else(|| "-".into(), |p| p.to_string()),
                last_pass,
                t.passes.to_string(),
                t.last_exit.clone().unwrap_or_else(|| "-".into()),
                t.crashes.to_string(),
            ]
        })
        .collect();
    table::write(out, &columns, &rows, width)
}

fn local(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|d| d.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|_| rfc3339.to_string())
}
