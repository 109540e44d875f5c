//! Inserting jobs: one by one where de-duplication or links need it, else many rows per
//! statement, which is where `taskctl add --batch` gets its speed.

use crate::error::{Error, Result};
use crate::job::{Added, Dedup, NewJob, ObjectRef};
use rusqlite::types::ToSql;
use rusqlite::{params, params_from_iter, Connection};

/// Rows per multi-row INSERT (9 parameters each, well under SQLite's limit).
const CHUNK: usize = 100;

/// Inserts jobs in order, in the caller's transaction.
pub(super) fn insert_jobs(tx: &Connection, jobs: &[NewJob], now: i64) -> Result<Vec<Added>> {
    let mut added = Vec::with_capacity(jobs.len());
    let mut rest = jobs;
    while let Some(first) = rest.first() {
        let plain = rest.iter().take(CHUNK).take_while(|j| is_plain(j)).count();
        if plain > 1 {
            added.extend(insert_plain(tx, &rest[..plain], now)?);
            rest = &rest[plain..];
        } else {
            added.push(insert_one(tx, first, now)?);
            rest = &rest[1..];
        }
    }
    Ok(added)
}

/// A job with no de-duplication and no objects: it can share an INSERT with others.
fn is_plain(job: &NewJob) -> bool {
    job.dedup == Dedup::None && job.objects.is_empty()
}

fn insert_plain(tx: &Connection, jobs: &[NewJob], now: i64) -> Result<Vec<Added>> {
    let rows = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; jobs.len()].join(", ");
    let sql = format!(
        "INSERT INTO jobs (function, args, description, file, priority, due_at, max_attempts, timeout_ms, created_at) \
         VALUES {rows} RETURNING id"
    );
    let args: Vec<String> = jobs.iter().map(NewJob::args_json).collect();
    let mut values: Vec<&dyn ToSql> = Vec::with_capacity(jobs.len() * 9);
    for (job, args) in jobs.iter().zip(&args) {
        values.extend_from_slice(&[
            &job.function,
            args,
            &job.description,
            &job.file,
            &job.priority,
            &job.due_at,
            &job.max_attempts,
            &job.timeout_ms,
            &now,
        ]);
    }
    let mut stmt = tx.prepare_cached(&sql)?;
    let mut ids =
        stmt.query_map(params_from_iter(values), |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    // Rows get their ids in VALUES order; RETURNING's order is not promised, so sort.
    ids.sort_unstable();
    Ok(ids.into_iter().map(Added::New).collect())
}

fn insert_one(tx: &Connection, job: &NewJob, now: i64) -> Result<Added> {
    let args = job.args_json();
    let key = job.dedup.key(&job.function, &args, &job.file);
    if key.is_some() {
        if let Some(existing) = find_duplicate(tx, job, &args)? {
            return Ok(Added::Duplicate(existing));
        }
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO jobs (function, args, description, file, priority, due_at, dedup_key, max_attempts, timeout_ms, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO NOTHING",
    )?;
    let changed = stmt.execute(params![
        job.function,
        args,
        job.description,
        job.file,
        job.priority,
        job.due_at,
        key,
        job.max_attempts,
        job.timeout_ms,
        now
    ])?;
    if changed == 0 {
        // The unique index caught a duplicate another writer added; report it like the check above.
        let existing = find_duplicate(tx, job, &args)?.ok_or_else(|| Error::Data("duplicate job vanished".into()))?;
        return Ok(Added::Duplicate(existing));
    }
    let id = tx.last_insert_rowid();
    insert_links(tx, id, &job.objects)?;
    Ok(Added::New(id))
}

/// The queued job a de-duplicating request matches: by function and args and handler location,
/// or by function only. Running jobs never count, so new work is never swallowed by old.
fn find_duplicate(tx: &Connection, job: &NewJob, args: &str) -> Result<Option<i64>> {
    let by_function = job.dedup == crate::job::Dedup::Function;
    let mut stmt = tx.prepare_cached(
        "SELECT min(id) FROM jobs WHERE status = 'queued' AND function = ?1 AND (?2 OR (args = ?3 AND file = ?4))",
    )?;
    Ok(stmt.query_row(params![job.function, by_function, args, job.file], |r| r.get(0))?)
}

pub(super) fn insert_links(tx: &Connection, id: i64, objects: &[ObjectRef]) -> Result<()> {
    let mut stmt =
        tx.prepare_cached("INSERT OR IGNORE INTO job_links (job_id, object, object_id) VALUES (?1, ?2, ?3)")?;
    for o in objects {
        stmt.execute(params![id, o.kind, o.id])?;
    }
    Ok(())
}
