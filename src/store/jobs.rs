//! Adding, finding, linking and removing jobs: the SPIP API's side of the store.

use super::{insert, Jobs};
use crate::error::{Error, Result};
use crate::job::{Added, Job, NewJob, ObjectRef, Status};
use crate::when;
use rusqlite::{params, Connection, OptionalExtension, Row};

/// Columns read into a [`Job`], in the order [`job_from_row`] expects.
const JOB_COLUMNS: &str = "id, function, args, description, file, priority, status, due_at, created_at, \
     started_at, finished_at, attempt, failures, max_attempts, timeout_ms, worker_pid, exit_code, last_error, \
     (SELECT group_concat(object || ':' || object_id, ' ') FROM job_links WHERE job_id = jobs.id)";

/// Which jobs `list` shows.
#[derive(Debug, Default, Clone)]
pub struct JobFilter {
    pub status: Option<Status>,
    pub function: Option<String>,
    pub object: Option<ObjectRef>,
}

/// What `remove` did with one id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Removed,
    Missing,
    Running { pid: i64 },
}

impl Jobs<'_> {
    /// Adds jobs in one transaction; a duplicate (per its [`crate::job::Dedup`]) is not added and
    /// reports the queued job it duplicates. All or nothing.
    pub fn add(&self, jobs: &[NewJob]) -> Result<Vec<Added>> {
        let now = when::now_us();
        let tx = self.writing();
        let added = insert::insert_jobs(tx, jobs, now)?;
        Ok(added)
    }

    /// One job by id, with its objects.
    pub fn get(&self, id: i64) -> Result<Option<Job>> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1");
        Ok(self.conn.query_row(&sql, [id], job_from_row).optional()?)
    }

    /// Jobs matching the filter, in the order a worker would take the queued ones.
    pub fn list(&self, filter: &JobFilter) -> Result<Vec<Job>> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR function = ?2) \
             AND (?3 IS NULL OR id IN (SELECT job_id FROM job_links WHERE object = ?3 AND object_id = ?4)) \
             ORDER BY status = 'running' DESC, status = 'queued' DESC, priority DESC, due_at, id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let status = filter.status.map(Status::as_str);
        let (kind, oid) = filter.object.as_ref().map(|o| (o.kind.as_str(), o.id.as_str())).unzip();
        let rows = stmt.query_map(params![status, filter.function, kind, oid], job_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// When the earliest queued job is due, if any is queued.
    pub fn next_due(&self) -> Result<Option<i64>> {
        Ok(self.conn.query_row("SELECT min(due_at) FROM jobs WHERE status = 'queued'", [], |r| r.get(0))?)
    }

    /// Attaches a job to objects; attaching twice is harmless.
    pub fn link(&self, id: i64, objects: &[ObjectRef]) -> Result<()> {
        let tx = self.writing();
        if !job_exists(tx, id)? {
            return Err(Error::NoSuchJob(id));
        }
        insert::insert_links(tx, id, objects)?;
        Ok(())
    }

    /// Ids of the jobs attached to an object.
    pub fn jobs_of_object(&self, object: &ObjectRef) -> Result<Vec<i64>> {
        let mut stmt =
            self.conn.prepare("SELECT job_id FROM job_links WHERE object = ?1 AND object_id = ?2 ORDER BY job_id")?;
        let ids = stmt.query_map(params![object.kind, object.id], |r| r.get(0))?;
        Ok(ids.collect::<rusqlite::Result<_>>()?)
    }

    /// Removes jobs in one transaction. A running job is left alone unless `force` (the caller
    /// has stopped its handler); its worker's later report is then ignored.
    pub fn remove(&self, ids: &[i64], force: bool) -> Result<Vec<Removal>> {
        let tx = self.writing();
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            let row: Option<(String, Option<i64>)> = tx
                .query_row("SELECT status, worker_pid FROM jobs WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let removal = match row {
                None => Removal::Missing,
                Some((status, pid)) if status == "running" && !force => Removal::Running { pid: pid.unwrap_or(0) },
                Some(_) => {
                    tx.execute("DELETE FROM jobs WHERE id = ?1", [id])?;
                    Removal::Removed
                }
            };
            out.push(removal);
        }
        Ok(out)
    }

    /// SPIP's "reset the list": removes every job in `status` at once; never running ones.
    pub fn purge(&self, status: Status) -> Result<Vec<i64>> {
        debug_assert!(status != Status::Running);
        let tx = self.writing();
        let ids = {
            let mut stmt = tx.prepare("DELETE FROM jobs WHERE status = ?1 RETURNING id")?;
            let rows = stmt.query_map([status.as_str()], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<Vec<i64>>>()?
        };
        Ok(ids)
    }
}

fn job_exists(tx: &Connection, id: i64) -> Result<bool> {
    Ok(tx.query_row("SELECT 1 FROM jobs WHERE id = ?1", [id], |_| Ok(())).optional()?.is_some())
}

/// Parses the stored JSON args; a corrupt value shows as one argument rather than failing a listing.
pub(super) fn parse_args(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_else(|_| vec![text.to_string()])
}

/// Parses the space-separated `TYPE:ID` list built by the links subquery.
pub(super) fn parse_objects(text: Option<String>) -> Vec<ObjectRef> {
    let mut objects: Vec<ObjectRef> = text.unwrap_or_default().split(' ').filter_map(|s| s.parse().ok()).collect();
    objects.sort();
    objects
}

fn job_from_row(r: &Row<'_>) -> rusqlite::Result<Job> {
    let status: String = r.get(6)?;
    Ok(Job {
        id: r.get(0)?,
        function: r.get(1)?,
        args: parse_args(&r.get::<_, String>(2)?),
        description: r.get(3)?,
        file: r.get(4)?,
        priority: r.get(5)?,
        status: status.parse().unwrap_or(crate::job::Status::Dead),
        due_at: r.get(7)?,
        created_at: r.get(8)?,
        started_at: r.get(9)?,
        finished_at: r.get(10)?,
        attempt: r.get(11)?,
        failures: r.get(12)?,
        max_attempts: r.get(13)?,
        timeout_ms: r.get(14)?,
        worker_pid: r.get(15)?,
        exit_code: r.get(16)?,
        last_error: r.get(17)?,
        objects: parse_objects(r.get(18)?),
    })
}
