//! A record's files rewritten with its values (`phr-meta write`): the stored original's
//! checksum and size, and its sub-definitions' sizes, follow the new files; the work flag is
//! cleared only once every file was written, and unless the record changed meanwhile (then it
//! stays marked and is written again). A failure keeps its reason and an attempt count, so the
//! record is retried with backoff up to a limit and `phr-record show` says why.

use super::Records;
use crate::databox::{Pending, Structure, SubdefEntry, WorkFailure};
use crate::error::Result;
use crate::when;
use rusqlite::{params, OptionalExtension};

impl Records<'_> {
    /// Records the rewritten original's SHA-256 and size (the flag is left to
    /// [`Records::meta_write_done`] or [`Records::meta_write_failed`]).
    pub fn file_rewritten(&self, id: i64, sha256: &str, size: i64) -> Result<()> {
        self.writing()
            .prepare_cached("UPDATE records SET sha256 = ?2, size = ?3 WHERE id = ?1")?
            .execute(params![id, sha256, size])?;
        Ok(())
    }

    /// Records a rewritten sub-definition's new size.
    pub fn subdef_rewritten(&self, id: i64, name: &str, size: i64) -> Result<()> {
        self.writing()
            .prepare_cached("UPDATE subdefs SET size = ?3 WHERE record_id = ?1 AND name = ?2")?
            .execute(params![id, name, size])?;
        Ok(())
    }

    /// Every file of the record was written: its failure, if any, is forgotten, and the
    /// meta-write flag cleared when the record is as it was at `seen` (its `updated_at` when
    /// its values were read, which any change of them moves). Returns whether the flag was
    /// cleared; a record changed meanwhile keeps it, so the next pass writes its new values.
    pub fn meta_write_done(&self, id: i64, seen: i64) -> Result<bool> {
        let tx = self.writing();
        tx.prepare_cached("DELETE FROM meta_write_failures WHERE record_id = ?1")?.execute([id])?;
        let cleared = tx
            .prepare_cached("UPDATE records SET pending = pending & ~?2 WHERE id = ?1 AND updated_at = ?3")?
            .execute(params![id, Pending::MetaWrite.bit(), seen])?;
        Ok(cleared == 1)
    }

    /// Records a failed write of the record's files: its reason, one more attempt. The flag
    /// stays set.
    pub fn meta_write_failed(&self, id: i64, reason: &str) -> Result<()> {
        self.writing()
            .prepare_cached(
                "INSERT INTO meta_write_failures (record_id, reason, attempts, failed_at) VALUES (?1, ?2, 1, ?3) \
                 ON CONFLICT (record_id) DO UPDATE SET reason = excluded.reason, attempts = attempts + 1, \
                 failed_at = excluded.failed_at",
            )?
            .execute(params![id, reason, when::now_us()])?;
        Ok(())
    }

    /// Why the record's last metadata write failed, if it did and none worked since.
    pub fn meta_write_failure(&self, id: i64) -> Result<Option<WorkFailure>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT reason, attempts, failed_at FROM meta_write_failures WHERE record_id = ?1")?;
        let row =
            stmt.query_row([id], |r| Ok(WorkFailure { reason: r.get(0)?, attempts: r.get(1)?, failed_at: r.get(2)? }));
        Ok(row.optional()?)
    }

    /// Records marked for a metadata write that may be written now, oldest first: those that
    /// never failed, and those that failed fewer than `max_attempts` times, last longer ago than
    /// `backoff_us` doubled for each attempt after the first.
    pub fn meta_writes_due(&self, max_attempts: u32, backoff_us: i64, limit: u64) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id FROM records r INDEXED BY records_pending \
             LEFT JOIN meta_write_failures f ON f.record_id = r.id \
             WHERE r.pending != 0 AND r.pending & ?5 AND (f.record_id IS NULL OR \
               (f.attempts < ?1 AND f.failed_at + ?2 * (1 << min(f.attempts - 1, 20)) <= ?3)) \
             ORDER BY r.id LIMIT ?4",
        )?;
        let rows = stmt.query_map(
            params![max_attempts, backoff_us, when::now_us(), limit as i64, Pending::MetaWrite.bit()],
            |r| r.get::<_, i64>(0),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// For `phr-subdef`, once it built `built` for record `id`: marks the record for a metadata
    /// write when one of them is a sub-definition its collection says carries metadata
    /// (`meta = true`), so the new file gets the record's current values. Moves `updated_at`,
    /// so a write already under way for the older file does not clear the flag. Returns
    /// whether it marked the record.
    pub fn subdefs_built(&self, id: i64, built: &[SubdefEntry], structure: &Structure) -> Result<bool> {
        let collection: Option<String> = self
            .conn
            .prepare_cached("SELECT c.name FROM records r JOIN collections c ON c.id = r.collection WHERE r.id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        let Some(def) = collection.as_deref().and_then(|c| structure.collections.get(c)) else { return Ok(false) };
        let carries = built.iter().any(|e| def.subdefs.get(&e.name).is_some_and(|d| d.meta));
        if carries {
            self.touch(id, Pending::MetaWrite.bit())?;
        }
        Ok(carries)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::databox::{NewRecord, Pending, Structure, SubdefEntry};
    use crate::store::Store;
    use std::collections::BTreeMap;

    #[test]
    fn building_a_subdef_that_carries_metadata_marks_the_record_and_failures_count() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("phr.db")).unwrap();
        let mut structure = Structure::default_structure();
        structure.collections.get_mut("default").unwrap().subdefs.get_mut("preview").unwrap().meta = true;
        store.write(|tx| tx.records().sync_collections(&structure)).unwrap();
        let record = NewRecord {
            collection: "default".into(),
            original_name: "a.jpg".into(),
            stored_path: Some("originals/000/000/1.jpg".into()),
            fields: BTreeMap::new(),
            ..NewRecord::default()
        };
        let id = store.write(|tx| tx.records().create(&record)).unwrap();
        let entry = |name: &str| SubdefEntry {
            name: name.into(),
            path: None,
            mime: None,
            size: None,
            width: None,
            height: None,
            state: "done".into(),
            reason: None,
            attempts: 0,
        };
        let marked = |store: &mut Store, names: &[&str]| {
            let built: Vec<SubdefEntry> = names.iter().map(|n| entry(n)).collect();
            store.write(|tx| tx.records().subdefs_built(id, &built, &structure)).unwrap()
        };
        assert!(!marked(&mut store, &["thumbnail"]));
        assert!(store.records().waiting(Pending::MetaWrite, 10).unwrap().is_empty());
        assert!(marked(&mut store, &["thumbnail", "preview"]));
        assert_eq!(store.records().meta_writes_due(3, 1, 10).unwrap(), vec![id]);
        store.write(|tx| tx.records().meta_write_failed(id, "first")).unwrap();
        store.write(|tx| tx.records().meta_write_failed(id, "second")).unwrap();
        let failure = store.records().get(id).unwrap().unwrap().meta_write_failure.unwrap();
        assert_eq!((failure.reason.as_str(), failure.attempts), ("second", 2));
        assert!(store.records().meta_writes_due(2, 1, 10).unwrap().is_empty(), "at the limit");
        assert!(store.records().meta_writes_due(3, 3_600_000_000, 10).unwrap().is_empty(), "backing off");
        let seen = store.records().get(id).unwrap().unwrap().updated_at;
        assert!(store.write(|tx| tx.records().meta_write_done(id, seen)).unwrap());
        assert!(store.records().get(id).unwrap().unwrap().meta_write_failure.is_none());
    }
}
