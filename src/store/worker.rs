//! The worker's side of the store: claiming due jobs, reporting how they ended, and taking back
//! jobs whose worker died. Claims and reports share one transaction per worker cycle (group
//! commit), which is where the queue's speed comes from under synchronous=FULL.

use super::jobs::{parse_args, parse_objects};
use super::Claims;
use crate::error::{Error, Result};
use crate::job::{Claimed, Finished, Outcome};
use crate::when;
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::time::Duration;

/// A worker as the store records it: its pid and the pid's start time, so that a pid reused by
/// another process is never mistaken for a live worker.
pub type WorkerId = crate::process::ProcessId;

/// What happens to a failed job: retried after a doubling delay, dead after `max_attempts` runs.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub backoff: Duration,
    pub backoff_max: Duration,
}

impl RetryPolicy {
    /// The delay before the retry that follows the `failures`-th failure (1, 2, 4, … × backoff).
    pub fn delay_us(&self, failures: i64) -> i64 {
        let exp = failures.clamp(1, 40) as u32 - 1;
        let delay = self.backoff.saturating_mul(2u32.saturating_pow(exp.min(31)));
        when::us(delay.min(self.backoff_max))
    }
}

const CLAIM_RETURNING: &str = "RETURNING id, function, args, file, priority, due_at, attempt, timeout_ms, \
     (SELECT group_concat(object || ':' || object_id, ' ') FROM job_links WHERE job_id = jobs.id)";

/// Only the worker that holds a job may report on it: a job removed or reclaimed meanwhile is left alone.
macro_rules! fence {
    () => {
        " WHERE id = ?1 AND status = 'running' AND worker_pid = ?2 AND worker_start = ?3"
    };
}

/// On re-queue, a job keeps its de-duplication key unless another queued job took it meanwhile.
macro_rules! requeue_dedup {
    () => {
        "dedup_key = CASE WHEN dedup_key IS NOT NULL AND EXISTS (SELECT 1 FROM jobs AS other \
         WHERE other.status = 'queued' AND other.dedup_key = jobs.dedup_key) THEN NULL ELSE dedup_key END"
    };
}

const DONE_SQL: &str = concat!(
    "UPDATE jobs SET status = 'done', started_at = ?4, finished_at = ?5, exit_code = 0, last_error = NULL",
    fence!()
);

/// Not finished: at once, one priority lower; once at the floor, after the retry backoff, so a
/// handler that is never finished cannot spin a worker at full speed.
const NOT_FINISHED_SQL: &str = concat!(
    "UPDATE jobs SET status = 'queued', started_at = ?4, finished_at = ?5, exit_code = 75, ",
    "due_at = CASE WHEN priority <= -10 THEN ?6 ELSE ?5 END, priority = max(priority - 1, -10), ",
    requeue_dedup!(),
    fence!()
);

const INTERRUPTED_SQL: &str =
    concat!("UPDATE jobs SET status = 'queued', due_at = ?5, attempt = attempt - 1, ", requeue_dedup!(), fence!());

const FAILURES_SQL: &str = concat!("SELECT failures, coalesce(max_attempts, ?4) FROM jobs", fence!());

/// A job that can never run is dead at once, whatever attempts it has left.
const UNRUNNABLE_SQL: &str = concat!(
    "UPDATE jobs SET status = 'dead', failures = failures + 1, started_at = ?4, finished_at = ?5, ",
    "exit_code = NULL, last_error = ?6",
    fence!()
);

const FAILED_SQL: &str = concat!(
    "UPDATE jobs SET status = ?4, failures = ?5, due_at = coalesce(?6, due_at), started_at = ?7, finished_at = ?8, ",
    "exit_code = ?9, last_error = ?10, ",
    requeue_dedup!(),
    fence!()
);

impl super::Store {
    /// Takes back the jobs of workers that died, after `stop` has stopped whatever each job
    /// left running. Liveness is read from this machine's /proc: that is why it lives on the
    /// SQLite side of the seam (a shared backend needs leases instead).
    pub fn reclaim_dead_workers(
        &mut self,
        me: WorkerId,
        policy: &RetryPolicy,
        mut stop: impl FnMut(WorkerId, i64),
        started: impl Fn(WorkerId) -> Option<std::collections::HashSet<i64>>,
    ) -> Result<Vec<(WorkerId, Vec<i64>)>> {
        let mut reclaimed = Vec::new();
        for (worker, host) in self.claims().workers_with_running_jobs()? {
            if worker == me {
                continue;
            }
            match super::host::judge(host.as_deref()) {
                super::host::Liveness::Unknowable(other) => {
                    super::host::warn_once(worker, &other);
                    continue;
                }
                super::host::Liveness::Local if crate::process::is_alive(worker) => continue,
                super::host::Liveness::Local | super::host::Liveness::Rebooted => {}
            }
            for id in self.claims().running_jobs_of(worker)? {
                stop(worker, id);
            }
            let started = started(worker);
            let charge = |id: i64| started.as_ref().is_none_or(|s| s.contains(&id));
            let ids = self.write(|tx| tx.claims().reclaim(worker, policy, &charge))?;
            reclaimed.push((worker, ids));
        }
        Ok(reclaimed)
    }
}

impl Claims<'_> {
    /// One worker cycle in one transaction: record how `finished` jobs ended, then claim up to
    /// `claim` due jobs, highest priority first, then earliest due, then oldest.
    pub fn cycle(
        &self,
        worker: WorkerId,
        finished: &[Finished],
        policy: &RetryPolicy,
        claim: usize,
    ) -> Result<Vec<Claimed>> {
        let now = when::now_us();
        let tx = self.writing();
        for f in finished {
            record_outcome(tx, worker, f, policy, now)?;
        }
        let mut claimed = Vec::new();
        if claim > 0 {
            let sql = format!(
                "UPDATE jobs SET status = 'running', attempt = attempt + 1, started_at = ?1, finished_at = NULL, \
                 worker_pid = ?2, worker_start = ?3, worker_host = ?5 WHERE id IN (SELECT id FROM jobs INDEXED BY jobs_ready \
                 WHERE status = 'queued' AND due_at <= ?1 ORDER BY priority DESC, due_at, id LIMIT ?4) {CLAIM_RETURNING}"
            );
            let mut stmt = tx.prepare_cached(&sql)?;
            let host = super::host::token();
            let rows = stmt.query_map(params![now, worker.pid, worker.start, claim as i64, host], claimed_from_row)?;
            claimed = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        }
        claimed.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.due_at.cmp(&b.due_at)).then(a.id.cmp(&b.id)));
        Ok(claimed)
    }

    /// Claims one queued job whatever its due time (`taskctl run ID`, "execute now").
    pub fn claim_id(&self, worker: WorkerId, id: i64) -> Result<Claimed> {
        let now = when::now_us();
        let tx = self.writing();
        let row: Option<(String, Option<i64>)> = tx
            .query_row("SELECT status, worker_pid FROM jobs WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match row {
            None => return Err(Error::NoSuchJob(id)),
            Some((s, pid)) if s == "running" => return Err(Error::JobRunning { id, pid: pid.unwrap_or(0), hint: "" }),
            Some((s, _)) if s != "queued" => {
                return Err(Error::Usage(format!("job {id} is {s}: only a queued job can be run")))
            }
            Some(_) => {}
        }
        let sql = format!(
            "UPDATE jobs SET status = 'running', attempt = attempt + 1, started_at = ?1, finished_at = NULL, \
             worker_pid = ?2, worker_start = ?3, worker_host = ?5 WHERE id = ?4 {CLAIM_RETURNING}"
        );
        let params = params![now, worker.pid, worker.start, id, super::host::token()];
        let claimed = tx.query_row(&sql, params, claimed_from_row)?;
        Ok(claimed)
    }

    /// Records how one job ended, in its own transaction (`taskctl run`).
    pub fn finish(&self, worker: WorkerId, finished: Finished, policy: &RetryPolicy) -> Result<()> {
        self.cycle(worker, &[finished], policy, 0).map(|_| ())
    }

    /// The workers that hold running jobs, so the caller can check which are still alive.
    pub fn workers_with_running_jobs(&self) -> Result<Vec<(WorkerId, Option<String>)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT worker_pid, worker_start, worker_host FROM jobs WHERE status = 'running'")?;
        let rows = stmt.query_map([], |r| {
            let worker = WorkerId {
                pid: r.get::<_, Option<i64>>(0)?.unwrap_or(0),
                start: r.get::<_, Option<i64>>(1)?.unwrap_or(0),
            };
            Ok((worker, r.get::<_, Option<String>>(2)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The jobs a worker holds, so their processes can be stopped before they are taken back.
    pub fn running_jobs_of(&self, worker: WorkerId) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM jobs WHERE status = 'running' AND worker_pid = ?1 AND worker_start = ?2")?;
        let rows = stmt.query_map(params![worker.pid, worker.start], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Takes back the running jobs of a worker that died and queues them again. A job for which
    /// `charge` says yes (a run the crashed worker had started) counts as a failed attempt, so a
    /// job that kills its worker every time ends dead; the others (claimed ahead but never
    /// started, or stopped by us) do not.
    pub fn reclaim(&self, dead: WorkerId, policy: &RetryPolicy, charge: &dyn Fn(i64) -> bool) -> Result<Vec<i64>> {
        let now = when::now_us();
        let tx = self.writing();
        let runs: Vec<(i64, i64)> = {
            let sql = "SELECT id, coalesce(started_at, ?3) FROM jobs \
                       WHERE status = 'running' AND worker_pid = ?1 AND worker_start = ?2";
            let mut stmt = tx.prepare(sql)?;
            let rows = stmt.query_map(params![dead.pid, dead.start, now], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let reason = format!("worker pid {} died while running it", dead.pid);
        for &(id, started_at) in &runs {
            let outcome = if charge(id) {
                Outcome::Failed { reason: reason.clone(), exit_code: None }
            } else {
                Outcome::Interrupted
            };
            record_outcome(tx, dead, &Finished { id, outcome, started_at }, policy, now)?;
        }
        let ids = runs.into_iter().map(|(id, _)| id).collect();
        Ok(ids)
    }

    /// How many jobs `--until-empty` expects to run: due now, or waiting for a retry.
    pub fn count_pending(&self) -> Result<u64> {
        let sql = "SELECT (SELECT count(*) FROM jobs WHERE status = 'queued' AND due_at <= ?1) \
                   + (SELECT count(*) FROM jobs INDEXED BY jobs_retrying WHERE status = 'queued' AND attempt > 0 AND due_at > ?1)";
        Ok(self.conn.query_row(sql, [when::now_us()], |r| r.get(0))?)
    }

    /// Whether `--until-empty` should keep going: a job is due now, or a job already tried is
    /// waiting for its retry. Fresh jobs scheduled for later do not count.
    pub fn has_pending_work(&self) -> Result<bool> {
        let sql = "SELECT EXISTS (SELECT 1 FROM jobs WHERE status = 'queued' AND due_at <= ?1) \
                   OR EXISTS (SELECT 1 FROM jobs INDEXED BY jobs_retrying WHERE status = 'queued' AND attempt > 0)";
        Ok(self.conn.query_row(sql, [when::now_us()], |r| r.get(0))?)
    }
}

fn record_outcome(tx: &Connection, worker: WorkerId, f: &Finished, policy: &RetryPolicy, now: i64) -> Result<()> {
    let (id, pid, start) = (f.id, worker.pid, worker.start);
    match &f.outcome {
        Outcome::Done => {
            tx.prepare_cached(DONE_SQL)?.execute(params![id, pid, start, f.started_at, now])?;
        }
        Outcome::NotFinished => {
            let later = now.saturating_add(when::us(policy.backoff));
            tx.prepare_cached(NOT_FINISHED_SQL)?.execute(params![id, pid, start, f.started_at, now, later])?;
        }
        Outcome::Interrupted => {
            tx.prepare_cached(INTERRUPTED_SQL)?.execute(params![id, pid, start, f.started_at, now])?;
        }
        Outcome::Unrunnable { reason } => {
            tx.prepare_cached(UNRUNNABLE_SQL)?.execute(params![id, pid, start, f.started_at, now, reason])?;
        }
        Outcome::Failed { reason, exit_code } => {
            let found: Option<(i64, i64)> = tx
                .prepare_cached(FAILURES_SQL)?
                .query_row(params![id, pid, start, policy.max_attempts], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let Some((failures, max_attempts)) = found else { return Ok(()) };
            let failures = failures + 1;
            let (status, due) = if failures >= max_attempts {
                ("dead", None)
            } else {
                ("queued", Some(now.saturating_add(policy.delay_us(failures))))
            };
            tx.prepare_cached(FAILED_SQL)?.execute(params![
                id,
                pid,
                start,
                status,
                failures,
                due,
                f.started_at,
                now,
                exit_code,
                reason
            ])?;
        }
    }
    Ok(())
}

fn claimed_from_row(r: &Row<'_>) -> rusqlite::Result<Claimed> {
    Ok(Claimed {
        id: r.get(0)?,
        function: r.get(1)?,
        args: parse_args(&r.get::<_, String>(2)?),
        file: r.get(3)?,
        priority: r.get(4)?,
        due_at: r.get(5)?,
        attempt: r.get(6)?,
        timeout_ms: r.get(7)?,
        objects: parse_objects(r.get(8)?),
    })
}
