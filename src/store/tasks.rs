//! Tasks' run state: what the admin wants (`desired`, set by `taskctl start/stop`), and what
//! the scheduler and workers report (state, pid, passes, crashes). Definitions stay in files.

use super::Tasks;
use crate::error::Result;
use crate::when;
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

/// A task's state as `taskctl status` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    Stopped,
    Starting,
    Started,
    Stopping,
    Crashed,
}

impl RunState {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Stopped => "stopped",
            RunState::Starting => "starting",
            RunState::Started => "started",
            RunState::Stopping => "stopping",
            RunState::Crashed => "crashed",
        }
    }

    fn parse(s: &str) -> RunState {
        match s {
            "starting" => RunState::Starting,
            "started" => RunState::Started,
            "stopping" => RunState::Stopping,
            "crashed" => RunState::Crashed,
            _ => RunState::Stopped,
        }
    }
}

/// One task's stored run state.
#[derive(Debug, Clone)]
pub struct TaskState {
    pub name: String,
    pub desired_started: bool,
    /// Whether an admin (or autostart) ever set the wanted state.
    pub desired_set: bool,
    /// Restart requests not yet carried out (a count, so none is lost in a race).
    pub restart: i64,
    pub state: RunState,
    pub pid: Option<i64>,
    pub started_at: Option<i64>,
    pub last_pass_at: Option<i64>,
    pub last_pass_error: Option<String>,
    pub passes: i64,
    pub last_exit: Option<String>,
    pub crashes: i64,
}

impl TaskState {
    /// The state of a task never started.
    pub fn new(name: &str) -> TaskState {
        TaskState {
            name: name.to_string(),
            desired_started: false,
            desired_set: false,
            restart: 0,
            state: RunState::Stopped,
            pid: None,
            started_at: None,
            last_pass_at: None,
            last_pass_error: None,
            passes: 0,
            last_exit: None,
            crashes: 0,
        }
    }
}

const COLUMNS: &str =
    "name, desired, restart, state, pid, started_at, last_pass_at, last_pass_error, passes, last_exit, crashes";

fn from_row(r: &Row<'_>) -> rusqlite::Result<TaskState> {
    Ok(TaskState {
        name: r.get(0)?,
        desired_started: r.get::<_, Option<String>>(1)?.as_deref() == Some("started"),
        desired_set: r.get::<_, Option<String>>(1)?.is_some(),
        restart: r.get(2)?,
        state: RunState::parse(&r.get::<_, String>(3)?),
        pid: r.get(4)?,
        started_at: r.get(5)?,
        last_pass_at: r.get(6)?,
        last_pass_error: r.get(7)?,
        passes: r.get(8)?,
        last_exit: r.get(9)?,
        crashes: r.get(10)?,
    })
}

impl Tasks<'_> {
    /// Every task that has a stored state.
    pub fn task_states(&self) -> Result<Vec<TaskState>> {
        let mut stmt = self.conn.prepare(&format!("SELECT {COLUMNS} FROM tasks ORDER BY name"))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One task's stored state, if it has one.
    pub fn task_state(&self, name: &str) -> Result<Option<TaskState>> {
        let sql = format!("SELECT {COLUMNS} FROM tasks WHERE name = ?1");
        Ok(self.conn.query_row(&sql, [name], from_row).optional()?)
    }

    /// Sets what the admin wants for these tasks; starting also forgives past crashes.
    pub fn set_desired(&self, names: &[String], started: bool) -> Result<()> {
        let tx = self.writing();
        {
            let mut stmt = tx.prepare(
                "INSERT INTO tasks (name, desired, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET \
                 desired = excluded.desired, updated_at = excluded.updated_at, \
                 restart = CASE WHEN excluded.desired = 'stopped' THEN 0 ELSE restart END, \
                 crashes = CASE WHEN excluded.desired = 'started' THEN 0 ELSE crashes END, \
                 state = CASE WHEN excluded.desired = 'started' AND state = 'crashed' THEN 'stopped' ELSE state END",
            )?;
            for name in names {
                stmt.execute(params![name, if started { "started" } else { "stopped" }, when::now_us()])?;
            }
        }
        Ok(())
    }

    /// Asks the scheduler to stop a task's worker and start a fresh one.
    pub fn request_restart(&self, names: &[String]) -> Result<()> {
        let tx = self.writing();
        for name in names {
            tx.execute(
                "INSERT INTO tasks (name, desired, restart, updated_at) VALUES (?1, 'started', 1, ?2) \
                 ON CONFLICT (name) DO UPDATE SET desired = 'started', restart = restart + 1, crashes = 0, \
                 state = CASE WHEN state = 'crashed' THEN 'stopped' ELSE state END",
                params![name, when::now_us()],
            )?;
        }
        Ok(())
    }

    /// Clears a task's crash count without starting it: a crashed task becomes stopped and
    /// stays so until `taskctl start`.
    pub fn reset_crashes(&self, names: &[String]) -> Result<()> {
        let tx = self.writing();
        for name in names {
            tx.execute(
                "UPDATE tasks SET crashes = 0, desired = CASE WHEN state = 'crashed' THEN 'stopped' ELSE desired END, \
                 state = CASE WHEN state = 'crashed' THEN 'stopped' ELSE state END WHERE name = ?1",
                [name],
            )?;
        }
        Ok(())
    }

    /// The scheduler's report of a task's actual state. What the admin owns (desired state,
    /// restart request, crash count) is left as it is.
    pub fn save_task_state(&self, t: &TaskState) -> Result<()> {
        self.conn.execute(
            "INSERT INTO tasks (name, state, pid, started_at, last_exit, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT (name) DO UPDATE SET state = excluded.state, pid = excluded.pid, \
             started_at = excluded.started_at, last_exit = excluded.last_exit, updated_at = excluded.updated_at",
            params![t.name, t.state.as_str(), t.pid, t.started_at, t.last_exit, when::now_us()],
        )?;
        Ok(())
    }

    /// Counts crashes (added, so an admin's reset in between is not overwritten).
    pub fn add_crashes(&self, name: &str, count: i64) -> Result<()> {
        self.conn.execute("UPDATE tasks SET crashes = crashes + ?2 WHERE name = ?1", params![name, count])?;
        Ok(())
    }

    /// The scheduler's own restart request (a changed definition): only for a task that is
    /// wanted started, and without touching its crash count.
    pub fn flag_restart(&self, name: &str) -> Result<()> {
        self.conn.execute("UPDATE tasks SET restart = restart + 1 WHERE name = ?1 AND desired = 'started'", [name])?;
        Ok(())
    }

    /// The scheduler has started the fresh worker that `carried_out` requests asked for;
    /// requests made since stay and are carried out next.
    pub fn clear_restart(&self, name: &str, carried_out: i64) -> Result<()> {
        self.conn
            .execute("UPDATE tasks SET restart = max(restart - ?2, 0) WHERE name = ?1", params![name, carried_out])?;
        Ok(())
    }

    /// A worker's report of one pass.
    pub fn record_pass(&self, name: &str, at: i64, error: Option<&str>) -> Result<()> {
        self.conn.execute(
            "INSERT INTO tasks (name, last_pass_at, last_pass_error, passes, updated_at) VALUES (?1, ?2, ?3, 1, ?2) \
             ON CONFLICT (name) DO UPDATE SET last_pass_at = ?2, last_pass_error = ?3, passes = passes + 1",
            params![name, at, error],
        )?;
        Ok(())
    }
}
