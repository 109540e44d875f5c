//! The databox's side of the store: collections synced from the structure, records with their
//! field and technical values, stories, sub-definition entries, and the hot-folder moves that
//! follow a commit. Writes go through `Store::write`, so "create a record and queue its work"
//! is one transaction.

use super::Records;
use crate::databox::{NewRecord, Pending, Record, RecordFilter, RecordKind, Structure, SubdefEntry};
use crate::error::{Error, Result};
use crate::when;
use rusqlite::{params, OptionalExtension, Row};
use std::collections::BTreeMap;

const RECORD_COLUMNS: &str = "r.id, c.name, r.kind, r.original_name, r.stored_path, r.sha256, r.mime, r.size, \
     r.width, r.height, r.status, r.pending, r.created_at, r.updated_at";

impl Records<'_> {
    /// Brings the collections table in line with the structure; returns warnings for
    /// collections the structure dropped while records still use them (kept, marked retired).
    pub fn sync_collections(&self, structure: &Structure) -> Result<Vec<String>> {
        let tx = self.writing();
        let mut warnings = Vec::new();
        let stored: Vec<(i64, String)> = {
            let mut stmt = tx.prepare("SELECT id, name FROM collections WHERE retired = 0")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for (id, name) in stored.into_iter().filter(|(_, n)| !structure.collections.contains_key(n)) {
            let used: i64 = tx.query_row("SELECT count(*) FROM records WHERE collection = ?1", [id], |r| r.get(0))?;
            if used == 0 {
                tx.execute("DELETE FROM collections WHERE id = ?1", [id])?;
            } else {
                tx.execute("UPDATE collections SET retired = 1, coll_id = NULL WHERE id = ?1", [id])?;
                warnings.push(format!(
                    "collection {name} is no longer in the config but {used} record(s) use it: kept (retired)"
                ));
            }
        }
        let mut stmt = tx.prepare("SELECT field, count(DISTINCT record_id) FROM record_fields GROUP BY field")?;
        let used: Vec<(String, i64)> =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        for (field, records) in used.into_iter().filter(|(f, _)| !structure.fields.contains_key(f)) {
            warnings.push(format!(
                "field {field} is no longer in the config but {records} record(s) have values: kept, shown, not read or written"
            ));
        }
        // After the retirements: a renamed collection may keep its Phraseanet id.
        for (name, def) in &structure.collections {
            tx.execute(
                "INSERT INTO collections (name, coll_id) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET \
                 coll_id = excluded.coll_id, retired = 0",
                params![name, def.id],
            )?;
        }
        Ok(warnings)
    }

    /// Whether the structure was synced since it last changed (a cheap check before writing).
    pub fn collection_id(&self, name: &str) -> Result<Option<i64>> {
        Ok(self.conn.query_row("SELECT id FROM collections WHERE name = ?1", [name], |r| r.get(0)).optional()?)
    }

    /// Creates a record with its values; returns its id.
    pub fn create(&self, r: &NewRecord) -> Result<i64> {
        let tx = self.writing();
        let collection = self
            .collection_id(&r.collection)?
            .ok_or_else(|| Error::Data(format!("no collection {:?} in the store", r.collection)))?;
        let now = when::now_us();
        tx.prepare_cached(
            "INSERT INTO records (collection, kind, original_name, stored_path, sha256, mime, size, width, height, \
             status, pending, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
        )?
        .execute(params![
            collection,
            r.kind.as_str(),
            r.original_name,
            r.stored_path,
            r.sha256,
            r.mime,
            r.size,
            r.width,
            r.height,
            r.status,
            r.pending,
            now
        ])?;
        let id = tx.last_insert_rowid();
        for (field, values) in &r.fields {
            self.write_field(id, field, values)?;
        }
        let mut tech =
            tx.prepare_cached("INSERT INTO record_technical (record_id, name, value) VALUES (?1, ?2, ?3)")?;
        for (name, value) in &r.technical {
            tech.execute(params![id, name, value])?;
        }
        if let Some(story) = r.story {
            self.add_member(story, id)?;
        }
        Ok(id)
    }

    /// Sets the stored original's path once it is known (it is named after the record id).
    pub fn set_stored_path(&self, id: i64, path: &str) -> Result<()> {
        self.writing().execute("UPDATE records SET stored_path = ?2 WHERE id = ?1", params![id, path])?;
        Ok(())
    }

    fn write_field(&self, id: i64, field: &str, values: &[String]) -> Result<()> {
        let tx = self.writing();
        tx.prepare_cached("DELETE FROM record_fields WHERE record_id = ?1 AND field = ?2")?
            .execute(params![id, field])?;
        let mut ins =
            tx.prepare_cached("INSERT INTO record_fields (record_id, field, ord, value) VALUES (?1, ?2, ?3, ?4)")?;
        for (ord, value) in values.iter().enumerate() {
            ins.execute(params![id, field, ord as i64, value])?;
        }
        Ok(())
    }

    /// Replaces a field's values (none: the field is cleared) and marks the record for `pending`.
    pub fn set_field(&self, id: i64, field: &str, values: &[String], pending: u32) -> Result<()> {
        self.require(id)?;
        self.write_field(id, field, values)?;
        self.touch(id, pending)
    }

    /// Replaces the technical values read from the file.
    pub fn set_technical(&self, id: i64, technical: &BTreeMap<String, String>) -> Result<()> {
        let tx = self.writing();
        tx.execute("DELETE FROM record_technical WHERE record_id = ?1", [id])?;
        let mut ins = tx.prepare_cached("INSERT INTO record_technical (record_id, name, value) VALUES (?1, ?2, ?3)")?;
        for (name, value) in technical {
            ins.execute(params![id, name, value])?;
        }
        Ok(())
    }

    /// Sets a record's status (all 32 bits) and marks it for `pending`.
    pub fn set_status(&self, id: i64, status: u32, pending: u32) -> Result<()> {
        self.require(id)?;
        self.writing().execute("UPDATE records SET status = ?2 WHERE id = ?1", params![id, status])?;
        self.touch(id, pending)
    }

    /// Adds `pending` flags (and the update time).
    pub fn touch(&self, id: i64, pending: u32) -> Result<()> {
        self.writing().execute(
            "UPDATE records SET pending = pending | ?2, updated_at = ?3 WHERE id = ?1",
            params![id, pending, when::now_us()],
        )?;
        Ok(())
    }

    /// Clears `flag` once its work succeeded (never on failure).
    pub fn done(&self, id: i64, flag: Pending) -> Result<()> {
        self.writing().execute("UPDATE records SET pending = pending & ~?2 WHERE id = ?1", params![id, flag.bit()])?;
        Ok(())
    }

    /// Ids of records waiting for `flag`, oldest first.
    pub fn waiting(&self, flag: Pending, limit: u64) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM records INDEXED BY records_pending WHERE pending != 0 AND pending & ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![flag.bit(), limit as i64], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds a record to a story.
    pub fn add_member(&self, story: i64, record: i64) -> Result<()> {
        self.writing().execute(
            "INSERT OR IGNORE INTO story_members (story_id, record_id) VALUES (?1, ?2)",
            params![story, record],
        )?;
        Ok(())
    }

    /// The record in `collection` whose original has this checksum, if any.
    pub fn find_by_sha256(&self, collection: &str, sha256: &str) -> Result<Option<i64>> {
        let sql = "SELECT r.id FROM records r JOIN collections c ON c.id = r.collection \
                   WHERE c.name = ?1 AND r.sha256 = ?2 ORDER BY r.id LIMIT 1";
        Ok(self.conn.query_row(sql, params![collection, sha256], |r| r.get(0)).optional()?)
    }

    /// Removes a record (its values, entries and memberships go with it); returns it as it was,
    /// so the caller can remove its files once the transaction is committed.
    pub fn remove(&self, id: i64) -> Result<Option<Record>> {
        let Some(record) = self.get(id)? else { return Ok(None) };
        self.writing().execute("DELETE FROM records WHERE id = ?1", [id])?;
        Ok(Some(record))
    }

    fn require(&self, id: i64) -> Result<()> {
        let found = self.conn.query_row("SELECT 1 FROM records WHERE id = ?1", [id], |_| Ok(())).optional()?;
        found.ok_or(Error::NoSuchRecord(id))
    }

    /// One record in full.
    pub fn get(&self, id: i64) -> Result<Option<Record>> {
        let sql =
            format!("SELECT {RECORD_COLUMNS} FROM records r JOIN collections c ON c.id = r.collection WHERE r.id = ?1");
        let Some(mut record) = self.conn.query_row(&sql, [id], record_from_row).optional()? else { return Ok(None) };
        self.fill(&mut record)?;
        Ok(Some(record))
    }

    /// Records matching the filter, newest first, with their values.
    pub fn list(&self, f: &RecordFilter) -> Result<Vec<Record>> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM records r JOIN collections c ON c.id = r.collection \
             WHERE (?1 IS NULL OR c.name = ?1) \
             AND (?2 IS NULL OR (r.status & ?2) = ?2) AND (?3 IS NULL OR (r.status & ?3) = 0) \
             AND (?4 IS NULL OR EXISTS (SELECT 1 FROM record_fields v WHERE v.record_id = r.id AND v.field = ?4 AND v.value = ?5)) \
             AND (?6 IS NULL OR r.created_at >= ?6) AND (?7 IS NULL OR r.created_at < ?7) \
             AND (?8 IS NULL OR r.pending & ?8) AND (?9 IS NULL OR r.kind = ?9) \
             ORDER BY r.id DESC LIMIT ?10"
        );
        let (ones, zeros) = f.status.map(|m| (m.ones, m.zeros)).unzip();
        let (field, value) = f.field.clone().unzip();
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(
            params![
                f.collection,
                ones,
                zeros,
                field,
                value,
                f.since,
                f.until,
                f.pending.map(Pending::bit),
                f.kind.map(RecordKind::as_str),
                f.limit.map_or(-1, |l| l as i64)
            ],
            record_from_row,
        )?;
        let mut records: Vec<Record> = rows.collect::<rusqlite::Result<_>>()?;
        for r in &mut records {
            self.fill(r)?;
        }
        Ok(records)
    }

    fn fill(&self, r: &mut Record) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT field, value FROM record_fields WHERE record_id = ?1 ORDER BY field, ord")?;
        for row in stmt.query_map([r.id], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))? {
            let (field, value) = row?;
            r.fields.entry(field).or_default().push(value);
        }
        let mut stmt = self.conn.prepare_cached("SELECT name, value FROM record_technical WHERE record_id = ?1")?;
        for row in stmt.query_map([r.id], |row| Ok((row.get(0)?, row.get(1)?)))? {
            let (name, value) = row?;
            r.technical.insert(name, value);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, path, mime, size, width, height, state, reason, attempts FROM subdefs WHERE record_id = ?1 ORDER BY name",
        )?;
        r.subdefs = stmt.query_map([r.id], subdef_from_row)?.collect::<rusqlite::Result<_>>()?;
        r.meta_write_failure = self.meta_write_failure(r.id)?;
        let mut stmt =
            self.conn.prepare_cached("SELECT record_id FROM story_members WHERE story_id = ?1 ORDER BY record_id")?;
        r.members = stmt.query_map([r.id], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
        let mut stmt =
            self.conn.prepare_cached("SELECT story_id FROM story_members WHERE record_id = ?1 ORDER BY story_id")?;
        r.stories = stmt.query_map([r.id], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(())
    }

    /// How many records each collection holds, for `phr-record list` summaries and tests.
    pub fn count(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT count(*) FROM records", [], |r| r.get(0))?)
    }
}

fn record_from_row(r: &Row<'_>) -> rusqlite::Result<Record> {
    let kind: String = r.get(2)?;
    Ok(Record {
        id: r.get(0)?,
        collection: r.get(1)?,
        kind: if kind == "story" { RecordKind::Story } else { RecordKind::Document },
        original_name: r.get(3)?,
        stored_path: r.get(4)?,
        sha256: r.get(5)?,
        mime: r.get(6)?,
        size: r.get(7)?,
        width: r.get(8)?,
        height: r.get(9)?,
        status: r.get::<_, i64>(10)? as u32,
        pending: r.get::<_, i64>(11)? as u32,
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
        fields: BTreeMap::new(),
        technical: BTreeMap::new(),
        subdefs: Vec::new(),
        meta_write_failure: None,
        members: Vec::new(),
        stories: Vec::new(),
    })
}

fn subdef_from_row(r: &Row<'_>) -> rusqlite::Result<SubdefEntry> {
    Ok(SubdefEntry {
        name: r.get(0)?,
        path: r.get(1)?,
        mime: r.get(2)?,
        size: r.get(3)?,
        width: r.get(4)?,
        height: r.get(5)?,
        state: r.get(6)?,
        reason: r.get(7)?,
        attempts: r.get(8)?,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::databox::{NewRecord, StatusMask};
    use crate::store::Store;

    fn new_record(name: &str, keywords: &[&str]) -> NewRecord {
        NewRecord {
            collection: "default".into(),
            original_name: name.into(),
            sha256: Some(format!("sha-{name}")),
            mime: Some("image/jpeg".into()),
            size: Some(10),
            width: Some(4),
            height: Some(3),
            pending: Pending::Subdefs.bit() | Pending::Index.bit(),
            fields: BTreeMap::from([("Keywords".into(), keywords.iter().map(|k| k.to_string()).collect())]),
            technical: BTreeMap::from([("Orientation".into(), "6".into())]),
            ..NewRecord::default()
        }
    }

    #[test]
    fn records_keep_their_values_in_order_and_filters_find_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("phr.db")).unwrap();
        let structure = Structure::default_structure();
        store.write(|tx| tx.records().sync_collections(&structure)).unwrap();
        let (a, b) = store
            .write(|tx| {
                Ok((
                    tx.records().create(&new_record("a.jpg", &["sun", "été"]))?,
                    tx.records().create(&new_record("b.jpg", &[]))?,
                ))
            })
            .unwrap();
        let got = store.records().get(a).unwrap().unwrap();
        assert_eq!(got.fields["Keywords"], vec!["sun", "été"]);
        assert_eq!(got.technical["Orientation"], "6");
        assert_eq!(got.collection, "default");
        store.write(|tx| tx.records().set_status(b, "1x0xxxx".parse::<StatusMask>().unwrap().apply(0), 0)).unwrap();
        let by_status = RecordFilter { status: Some("1xxxxxx".parse().unwrap()), ..Default::default() };
        assert_eq!(store.records().list(&by_status).unwrap().iter().map(|r| r.id).collect::<Vec<_>>(), vec![b]);
        let by_field = RecordFilter { field: Some(("Keywords".into(), "été".into())), ..Default::default() };
        assert_eq!(store.records().list(&by_field).unwrap().len(), 1);
        assert_eq!(store.records().waiting(Pending::Subdefs, 10).unwrap(), vec![a, b]);
        store.write(|tx| tx.records().done(a, Pending::Subdefs)).unwrap();
        assert_eq!(store.records().waiting(Pending::Subdefs, 10).unwrap(), vec![b]);
        assert_eq!(store.records().find_by_sha256("default", "sha-b.jpg").unwrap(), Some(b));
        let removed = store.write(|tx| tx.records().remove(a)).unwrap().unwrap();
        assert_eq!(removed.original_name, "a.jpg");
        assert!(store.records().get(a).unwrap().is_none());
    }

    #[test]
    fn a_dropped_collection_that_records_use_is_kept_and_said() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("phr.db")).unwrap();
        store.write(|tx| tx.records().sync_collections(&Structure::default_structure())).unwrap();
        store.write(|tx| tx.records().create(&new_record("a.jpg", &["k"]))).unwrap();
        let mut other = Structure::default_structure();
        let def = other.collections.remove("default").unwrap();
        other.collections.insert("photos".into(), def);
        let warnings = store.write(|tx| tx.records().sync_collections(&other)).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("default"));
        assert_eq!(store.records().list(&RecordFilter::default()).unwrap()[0].collection, "default");
        other.fields.remove("Keywords");
        let warnings = store.write(|tx| tx.records().sync_collections(&other)).unwrap();
        assert!(warnings.iter().any(|w| w.contains("field Keywords")), "{warnings:?}");
    }
}
