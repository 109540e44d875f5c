//! The full-text index of records' fields, in SQLite's FTS5 (migration 5): one row per record,
//! its rowid the record's id, two columns —
//! - `body`: every value as written, for words searched in any field;
//! - `tagged`: every word of every value prefixed by its field (`titleǂforet`), for
//!   `Field:value` with whatever fields the config declares today, without a column per field
//!   (FTS5 tables cannot gain columns, and a field added to the config would need a rebuild).
//!
//! The prefix is the field's name lower-cased, `_` and `-` written `ǀ` and `ǁ`, then `ǂ`: letters
//! (Unicode category Lo) to the tokenizer, so a tagged word stays one token, and characters no
//! field name has, so no field's tokens can be read as another's. Case and accents fold
//! (`unicode61 remove_diacritics 2`) in both columns. `search.rs` searches it: a parsed
//! query becomes an FTS5 query in which every user word is a quoted string: no user text is
//! ever read as FTS5 syntax.
//!
//! Each record's length in tokens is stored beside (`record_lengths`, see `rank.rs`), so ranking
//! reads it from memory rather than from FTS5 once per match.

use super::rank::Lengths;
use super::Index;
use crate::databox::query::is_word_char;
use crate::databox::Pending;
use crate::error::Result;
use rusqlite::params;

/// A field's prefix in the `tagged` column.
pub(super) fn field_prefix(field: &str) -> String {
    let mut p: String = field
        .to_lowercase()
        .chars()
        .map(|c| {
            if c == '_' {
                'ǀ'
            } else if c == '-' {
                'ǁ'
            } else {
                c
            }
        })
        .collect();
    p.push('ǂ');
    p
}

/// The words of a value, as the tokenizer splits them.
pub(super) fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_word_char(c)).filter(|w| !w.is_empty())
}

/// The `body` and `tagged` texts of one record's values.
#[derive(Default)]
struct Document {
    body: String,
    tagged: String,
}

impl Document {
    /// Its length in tokens, both columns, as bm25 counts it (see `rank.rs`).
    fn tokens(&self) -> usize {
        words(&self.body).count() + words(&self.tagged).count()
    }

    fn add(&mut self, field: &str, value: &str) {
        self.body.push_str(value);
        self.body.push('\n');
        let prefix = field_prefix(field);
        for w in words(value) {
            self.tagged.push_str(&prefix);
            self.tagged.push_str(w);
            self.tagged.push(' ');
        }
    }
}

impl Index<'_> {
    /// (Re)indexes these records from their current values and clears their `index` mark, in
    /// the caller's transaction; ids of records that no longer exist are skipped. Returns how
    /// many were indexed.
    pub fn reindex(&self, ids: &[i64]) -> Result<u64> {
        let tx = self.writing();
        let mut clear = tx.prepare_cached("UPDATE records SET pending = pending & ~?2 WHERE id = ?1")?;
        let mut values =
            tx.prepare_cached("SELECT field, value FROM record_fields WHERE record_id = ?1 ORDER BY field, ord")?;
        let mut lengths = Vec::with_capacity(ids.len());
        for &id in ids {
            if clear.execute(params![id, Pending::Index.bit()])? == 0 {
                continue;
            }
            let mut doc = Document::default();
            let mut rows = values.query([id])?;
            while let Some(row) = rows.next()? {
                doc.add(&row.get::<_, String>(0)?, &row.get::<_, String>(1)?);
            }
            lengths.push((id, self.put(id, &doc)?));
        }
        Lengths::save(tx, &lengths)?;
        Ok(lengths.len() as u64)
    }

    /// Replaces a record's row; returns its length in tokens (0: no row, no words).
    fn put(&self, id: i64, doc: &Document) -> Result<usize> {
        let tx = self.writing();
        tx.prepare_cached("DELETE FROM record_search WHERE rowid = ?1")?.execute([id])?;
        if doc.body.is_empty() {
            return Ok(0);
        }
        tx.prepare_cached("INSERT INTO record_search (rowid, body, tagged) VALUES (?1, ?2, ?3)")?
            .execute(params![id, doc.body, doc.tagged])?;
        Ok(doc.tokens())
    }

    /// Empties the index and indexes every record again, clearing every `index` mark, in the
    /// caller's transaction (searches meanwhile see the old index); then merges the index into
    /// one segment, the fastest to search. Returns how many records were indexed.
    pub fn rebuild(&self) -> Result<u64> {
        let tx = self.writing();
        tx.execute("INSERT INTO record_search (record_search) VALUES ('delete-all')", [])?;
        tx.execute("DELETE FROM record_lengths", [])?;
        let mut stmt = tx.prepare(
            "SELECT r.id, f.field, f.value FROM records r LEFT JOIN record_fields f ON f.record_id = r.id \
             ORDER BY r.id, f.field, f.ord",
        )?;
        let mut rows = stmt.query([])?;
        let (mut current, mut doc, mut lengths) = (None, Document::default(), Vec::new());
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            if current != Some(id) {
                if let Some(prev) = current {
                    lengths.push((prev, self.put(prev, &std::mem::take(&mut doc))?));
                }
                current = Some(id);
            }
            if let (Some(field), Some(value)) = (row.get::<_, Option<String>>(1)?, row.get::<_, Option<String>>(2)?) {
                doc.add(&field, &value);
            }
        }
        if let Some(prev) = current {
            lengths.push((prev, self.put(prev, &doc)?));
        }
        Lengths::save(tx, &lengths)?;
        tx.execute("UPDATE records SET pending = pending & ~?1 WHERE pending & ?1", [Pending::Index.bit()])?;
        tx.execute("INSERT INTO record_search (record_search) VALUES ('optimize')", [])?;
        Ok(lengths.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::databox::query::{parse, SearchFilter};
    use crate::databox::{FieldDef, FieldType, NewRecord, Structure};
    use crate::store::Store;

    fn record(fields: &[(&str, &[&str])]) -> NewRecord {
        NewRecord {
            collection: "default".into(),
            original_name: "x.jpg".into(),
            pending: Pending::Index.bit(),
            fields: fields.iter().map(|(f, v)| (f.to_string(), v.iter().map(|s| s.to_string()).collect())).collect(),
            ..NewRecord::default()
        }
    }

    #[test]
    fn records_are_found_by_words_fields_and_dates_and_leave_when_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("phr.db")).unwrap();
        let mut s = Structure::default_structure();
        s.fields.insert("Date".into(), FieldDef { kind: FieldType::Date, ..Default::default() });
        s.fields.insert("Title".into(), FieldDef::default());
        s.fields.insert("Sub_title".into(), FieldDef::default());
        store.write(|tx| tx.records().sync_collections(&s)).unwrap();
        let (a, b) = store
            .write(|tx| {
                let a = tx.records().create(&record(&[("Title", &["Été à Orléans"]), ("Date", &["2014-06-01"])]))?;
                let b = tx
                    .records()
                    .create(&record(&[("Sub_title", &["ete sunny"]), ("Date", &["2015-01-01T10:00:00"])]))?;
                tx.index().reindex(&[a, b, 999])?;
                Ok((a, b))
            })
            .unwrap();
        let find = |store: &Store, q: &str| -> Vec<i64> {
            let mut ids: Vec<i64> = store
                .index()
                .search(&parse(q, &s).unwrap(), &SearchFilter::default())
                .unwrap()
                .into_iter()
                .map(|h| h.id)
                .collect();
            ids.sort();
            ids
        };
        assert_eq!(find(&store, "ete"), vec![a, b]);
        assert_eq!(find(&store, "title:ÉTÉ"), vec![a]);
        assert_eq!(find(&store, "Sub_title:ete"), vec![b]);
        assert_eq!(find(&store, "title:sun*"), Vec::<i64>::new(), "Title is not Sub_title");
        assert_eq!(find(&store, "sun* OR orleans"), vec![a, b]);
        assert_eq!(find(&store, "ete NOT orleans"), vec![b]);
        assert_eq!(find(&store, "\"à orléans\""), vec![a]);
        assert_eq!(find(&store, "Date:2014..2014"), vec![a]);
        assert_eq!(find(&store, "ete Date:2015-01-01.."), vec![b]);
        assert!(store.records().waiting(Pending::Index, 10).unwrap().is_empty());
        // FTS5's own syntax in user words is only ever text.
        for hostile in
            ["NEAR(ete orleans)", "^ete", "ete + orleans", "{body tagged}", "body:ete", "a OR b*", "- ete", "ete:"]
        {
            if let Ok(q) = parse(hostile, &s) {
                store.index().search(&q, &SearchFilter::default()).unwrap();
            }
        }
        store.write(|tx| tx.records().remove(a)).unwrap();
        assert_eq!(find(&store, "ete"), vec![b]);
        assert_eq!(store.write(|tx| tx.index().rebuild()).unwrap(), 1);
        assert_eq!(find(&store, "ete"), vec![b]);
    }
}
