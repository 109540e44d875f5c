//! Sub-definition state in the store: each (record, name) is `done` with its file's facts, or
//! `failed` with the reason and how many builds failed, so `phr-subdef` retries a record with
//! backoff up to a limit and `phr-record show` says why one is missing.

use super::Records;
use crate::databox::{Pending, SubdefEntry};
use crate::error::Result;
use crate::when;
use rusqlite::params;

impl Records<'_> {
    /// Records one sub-definition built (its failures, if any, are forgotten).
    pub fn subdef_done(&self, record_id: i64, s: &SubdefEntry) -> Result<()> {
        self.writing().execute(
            "INSERT INTO subdefs (record_id, name, path, mime, size, width, height, state, reason, attempts, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'done', NULL, 0, ?8) ON CONFLICT (record_id, name) DO UPDATE SET \
             path = excluded.path, mime = excluded.mime, size = excluded.size, width = excluded.width, \
             height = excluded.height, state = 'done', reason = NULL, attempts = 0, updated_at = excluded.updated_at",
            params![record_id, s.name, s.path, s.mime, s.size, s.width, s.height, when::now_us()],
        )?;
        Ok(())
    }

    /// Records a failed build of one sub-definition: its reason, one more attempt. A file
    /// built before stays where it is (and its path), but the state says it is not current.
    pub fn subdef_failed(&self, record_id: i64, name: &str, reason: &str) -> Result<()> {
        self.writing().execute(
            "INSERT INTO subdefs (record_id, name, state, reason, attempts, updated_at) \
             VALUES (?1, ?2, 'failed', ?3, 1, ?4) ON CONFLICT (record_id, name) DO UPDATE SET \
             state = 'failed', reason = excluded.reason, attempts = attempts + 1, updated_at = excluded.updated_at",
            params![record_id, name, reason, when::now_us()],
        )?;
        Ok(())
    }

    /// Records waiting for their sub-definitions that may be built now, oldest first: none of
    /// their sub-definitions failed `max_attempts` times, and the last failure is older than
    /// `backoff_us` doubled for each attempt after the first.
    pub fn subdefs_due(&self, max_attempts: u32, backoff_us: i64, limit: u64) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id FROM records r INDEXED BY records_pending WHERE r.pending != 0 AND r.pending & ?5 \
             AND NOT EXISTS (SELECT 1 FROM subdefs s WHERE s.record_id = r.id AND s.state = 'failed' \
               AND (s.attempts >= ?1 OR s.updated_at + ?2 * (1 << min(s.attempts - 1, 20)) > ?3)) \
             ORDER BY r.id LIMIT ?4",
        )?;
        let rows = stmt.query_map(
            params![max_attempts, backoff_us, when::now_us(), limit as i64, Pending::Subdefs.bit()],
            |r| r.get::<_, i64>(0),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every document's id (`phr-subdef --all`), oldest first.
    pub fn documents(&self) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM records WHERE kind = 'document' ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get::<_, i64>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
