//! `phr_bm25` against FTS5's own bm25, on records with accents, punctuation and scripts.

#![allow(clippy::unwrap_used)]
use crate::databox::query::{parse, SearchFilter};
use crate::databox::{FieldDef, NewRecord, Pending, Structure};
use crate::store::Store;
use std::collections::{BTreeMap, HashMap};

const TEXTS: [&str; 12] = [
    "Été à Orléans, l'été 2014 — plage plage",
    "ete sunny beach; e\u{301}te\u{301} decomposed",
    "Plage de l'Ouest (Brest) : 3 enfants, 1 chien",
    "hiver neige montagne hiver hiver",
    "marché aux fleurs du dimanche matin à Rouen",
    "Château-Gontier, été 1990 ; plage, plage, soleil",
    "soleil",
    "une très longue description avec beaucoup de mots pour que la longueur compte vraiment ici été",
    "naïve cœur Œuvre ÇA ÉTÉ façade",
    "日本の夏 été ☀ emoji 🎉 plage",
    "x-ray x_ray x.ray 3.14 2,5 été",
    "été été été été été",
];

fn store() -> (tempfile::TempDir, Store, Structure) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("phr.db")).unwrap();
    let mut s = Structure::default_structure();
    s.fields.insert("Title".into(), FieldDef::default());
    s.fields.insert("Description".into(), FieldDef::default());
    store.write(|tx| tx.records().sync_collections(&s)).unwrap();
    store
        .write(|tx| {
            let mut ids = Vec::new();
            for (i, text) in TEXTS.iter().enumerate() {
                let fields = BTreeMap::from([
                    ("Title".to_string(), vec![text.to_string()]),
                    ("Description".to_string(), vec![TEXTS[(i * 5) % TEXTS.len()].to_string()]),
                ]);
                let record = NewRecord {
                    collection: "default".into(),
                    original_name: "x.jpg".into(),
                    pending: Pending::Index.bit(),
                    fields,
                    ..NewRecord::default()
                };
                ids.push(tx.records().create(&record)?);
            }
            tx.index().reindex(&ids)
        })
        .unwrap();
    (dir, store, s)
}

/// Scores of a query: ours through a search, FTS5's bm25 through SQL, by record.
fn both(store: &Store, s: &Structure, q: &str) -> (HashMap<i64, f64>, HashMap<i64, f64>) {
    let search = parse(q, s).unwrap();
    let ours = store.index().search(&search, &SearchFilter::default()).unwrap();
    let ours = ours.into_iter().map(|h| (h.id, h.score.unwrap())).collect();
    let fts = super::super::search::fts_query(search.text.as_ref().unwrap());
    let mut stmt = store
        .conn
        .prepare("SELECT rowid, -bm25(record_search) FROM record_search WHERE record_search MATCH ?1")
        .unwrap();
    let theirs = stmt.query_map([fts], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|r| r.unwrap()).collect();
    (ours, theirs)
}

fn assert_same(store: &Store, s: &Structure) {
    for q in [
        "ete",
        "plage",
        "soleil",
        "\"plage plage\"",
        "pla*",
        "Title:ete",
        "Description:hiver",
        "ete plage",
        "ete OR hiver",
        "ete NOT plage",
        "naive",
        "cœur",
        "ray",
        "ete Title:plage soleil",
    ] {
        let (ours, theirs) = both(store, s, q);
        assert!(!theirs.is_empty(), "{q}: some matches");
        assert_eq!(ours.len(), theirs.len(), "{q}: the same matches");
        for (id, score) in &theirs {
            let mine = ours[id];
            assert!((mine - score).abs() <= 1e-9 * score.abs().max(1e-6), "{q}: record {id}: {mine} vs bm25 {score}");
        }
    }
}

#[test]
fn scores_are_fts5_bm25s_with_stored_lengths_and_without() {
    let (_dir, store, s) = store();
    let stored: i64 = store.conn.query_row("SELECT count(*) FROM record_lengths", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, 1, "12 records: one page");
    assert_same(&store, &s);
    // A store indexed before lengths were kept: FTS5's own lookup, the same scores.
    store.conn.execute("DELETE FROM record_lengths", []).unwrap();
    assert_same(&store, &s);
}

#[test]
fn a_damaged_lengths_row_is_looked_up_instead_and_written_over() {
    let (_dir, store, s) = store();
    store.conn.execute("UPDATE record_lengths SET lengths = 'not a blob'", []).unwrap();
    assert_same(&store, &s);
    super::Lengths::save(&store.conn, &[(1, 7)]).unwrap();
    let lengths = super::Lengths::load(&store.conn).unwrap();
    assert_eq!(lengths.get(1, &mut 0), Some(7));
    assert_eq!(lengths.get(2, &mut 0), None, "the rest of the damaged page: unknown");
}

#[test]
fn lengths_saturate_and_pages_are_sparse() {
    let (_dir, store, _) = store();
    super::Lengths::save(&store.conn, &[(5 << 12 | 7, 70_000), (1 << 40, 3)]).unwrap();
    let lengths = super::Lengths::load(&store.conn).unwrap();
    let mut hint = 0;
    assert_eq!(lengths.get(5 << 12 | 7, &mut hint), Some(65_535));
    assert_eq!(lengths.get(1 << 40, &mut hint), Some(3));
    assert_eq!(lengths.get(5 << 12 | 8, &mut hint), None, "never stored");
    assert_eq!(lengths.get(3 << 12, &mut hint), None, "no such page");
}

/// A store indexed before lengths were kept: upgrading marks its indexed records for
/// indexing again, which stores their lengths.
#[test]
fn upgrading_marks_indexed_records_for_indexing() {
    let (dir, store, _) = store();
    store
        .conn
        .execute_batch("DROP TABLE record_lengths; UPDATE records SET pending = 0; PRAGMA user_version = 7;")
        .unwrap();
    drop(store);
    let store = Store::open(&dir.path().join("phr.db")).unwrap();
    let marked = store.records().waiting(Pending::Index, 100).unwrap();
    assert_eq!(marked.len(), TEXTS.len());
}
