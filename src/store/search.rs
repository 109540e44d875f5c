//! Searching the full-text index (see `index.rs` for what it holds): a parsed [`Search`] is
//! translated into an FTS5 query in which every user word is a quoted string, so no user text
//! is ever read as FTS5 syntax, then ranked by relevance (bm25, computed by `rank.rs`), then
//! newest first.
//!
//! Ranking is done here rather than by SQLite's `ORDER BY … LIMIT`: FTS5 scores every match
//! (bm25 needs each one's term counts and length), and the SQL sort would read each match's
//! record for its date and filters. Instead the matches' scores are streamed from FTS5 alone,
//! then taken best first in batches: each batch (every match scoring at least as well as the
//! batch's last, so ties stay together) has its records read in one statement for their date
//! and checked against the filters (`--collection`, `--status`, date ranges), until `n`
//! records pass. The order is `ORDER BY score DESC, created_at DESC, id DESC LIMIT n`; a common
//! word in most records costs one pass over its matches, and records are read only for the
//! best of them (all of them only when the filters reject nearly every match).

use super::index::{field_prefix, words};
use super::rank::Ranking;
use super::Index;
use crate::databox::query::{DateRange, Expr, Search, SearchFilter, Term};
use crate::error::{Error, Result};
use rusqlite::params_from_iter;
use rusqlite::types::Value;
use std::cmp::Ordering;
use std::collections::HashMap;

/// One search result: a record and its relevance (higher is better; `None` for a search by
/// dates alone).
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: i64,
    pub score: Option<f64>,
}

/// A match being ranked: FTS5's bm25 (lower is better), then the record's date and id.
struct Ranked {
    bm25: f64,
    created_at: i64,
    id: i64,
}

/// A date range with at least this many values is searched newest first (see `by_date`);
/// unit tests use a small one so both ways are checked on a small store.
const WIDE: i64 = if cfg!(test) { 50 } else { 1000 };

/// How many matches the first batch checks, beyond the `n` wanted; each next batch is twice
/// the last, so a filter that rejects most matches costs a few statements, not one per match.
const FIRST_BATCH: usize = 64;

impl Index<'_> {
    /// Records matching `search` and `filter`: by relevance (bm25), then newest first;
    /// by date alone, newest first.
    pub fn search(&self, search: &Search, filter: &SearchFilter) -> Result<Vec<Hit>> {
        if search.dates.iter().any(is_empty) {
            return Ok(Vec::new());
        }
        let limit = filter.limit.map(|l| usize::try_from(l).unwrap_or(usize::MAX));
        let Some(expr) = &search.text else { return self.by_date(search, filter, limit) };
        let ranking = Ranking::begin(self.conn)?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT rowid, phr_bm25(record_search) FROM record_search WHERE record_search MATCH ?1")?;
        let mut rows = stmt.query([fts_query(expr)]).map_err(engine_error)?;
        let mut matches = Vec::new();
        while let Some(row) = rows.next().map_err(engine_error)? {
            matches.push(Ranked { bm25: row.get(1)?, created_at: 0, id: row.get(0)? });
        }
        drop(rows);
        let idf = ranking.idf(matches.len());
        if idf != 1.0 {
            matches.iter_mut().for_each(|m| m.bm25 *= idf);
        }
        self.best(matches, search, filter, limit)
    }

    /// A search by dates alone: the records with values in the ranges, newest first. A wide
    /// range (most searches by year) walks the records newest first and stops at the limit; a
    /// narrow one reads its few records from the value index and sorts them.
    fn by_date(&self, search: &Search, filter: &SearchFilter, limit: Option<usize>) -> Result<Vec<Hit>> {
        let wide = match (limit, search.dates.first()) {
            (Some(_), Some(first)) => self.values_in(first, WIDE)? >= WIDE,
            _ => false,
        };
        let mut args = Vec::new();
        let conds = conditions(search, filter, wide, &mut args);
        let n = arg(&mut args, Value::Integer(limit.map_or(-1, |l| l.min(i64::MAX as usize) as i64)));
        let walk = if wide { "INDEXED BY records_created" } else { "" };
        let sql = format!(
            "SELECT r.id FROM records r {walk} JOIN collections c ON c.id = r.collection WHERE {conds} \
             ORDER BY r.created_at DESC, r.id DESC LIMIT {n}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), |r| Ok(Hit { id: r.get(0)?, score: None }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many values fall in `range`, counted up to `cap` at most (a bounded look).
    fn values_in(&self, range: &DateRange, cap: i64) -> Result<i64> {
        let mut args = Vec::new();
        let cond = in_range(range, "v.value", &mut |v| arg(&mut args, v));
        let cap = arg(&mut args, Value::Integer(cap));
        let sql = format!("SELECT count(*) FROM (SELECT 1 FROM record_fields v WHERE {cond} LIMIT {cap})");
        Ok(self.conn.prepare_cached(&sql)?.query_row(params_from_iter(args), |r| r.get(0))?)
    }

    /// The best `limit` of `matches` that pass the filters (all that pass without a limit), in
    /// order, their records read batch by batch, best first.
    fn best(
        &self,
        mut matches: Vec<Ranked>,
        search: &Search,
        filter: &SearchFilter,
        limit: Option<usize>,
    ) -> Result<Vec<Hit>> {
        let want = limit.unwrap_or(usize::MAX);
        let mut args = Vec::new();
        let ids = arg(&mut args, Value::Null);
        let conds = conditions(search, filter, true, &mut args);
        let sql = format!(
            "SELECT r.id, r.created_at FROM records r JOIN collections c ON c.id = r.collection \
             WHERE r.id IN (SELECT value FROM json_each({ids})) AND {conds}"
        );
        let mut check = self.conn.prepare_cached(&sql)?;
        let mut passed: Vec<Ranked> = Vec::new();
        let mut batch = want.saturating_add(FIRST_BATCH);
        while passed.len() < want && !matches.is_empty() {
            // The batch: every match scoring at least as well as the batch-th best left.
            let taken: Vec<Ranked> = if matches.len() > batch {
                let worst = matches.select_nth_unstable_by(batch - 1, |a, b| a.bm25.total_cmp(&b.bm25)).1.bm25;
                let (taken, rest) = matches.into_iter().partition(|m| m.bm25.total_cmp(&worst) != Ordering::Greater);
                matches = rest;
                taken
            } else {
                std::mem::take(&mut matches)
            };
            let json = format!("[{}]", taken.iter().map(|m| m.id.to_string()).collect::<Vec<_>>().join(","));
            args[0] = Value::Text(json);
            let mut found = HashMap::with_capacity(taken.len());
            let mut rows = check.query(params_from_iter(args.iter()))?;
            while let Some(row) = rows.next()? {
                found.insert(row.get::<_, i64>(0)?, row.get::<_, i64>(1)?);
            }
            // Records gone since they matched, or filtered out, are no results.
            passed.extend(taken.into_iter().filter_map(|m| found.get(&m.id).map(|&at| Ranked { created_at: at, ..m })));
            batch = batch.saturating_mul(2);
        }
        passed.sort_unstable_by(|a, b| {
            a.bm25.total_cmp(&b.bm25).then(b.created_at.cmp(&a.created_at)).then(b.id.cmp(&a.id))
        });
        passed.truncate(want);
        Ok(passed.into_iter().map(|m| Hit { id: m.id, score: Some(-m.bm25) }).collect())
    }
}

/// Adds a statement argument, returning its placeholder.
fn arg(args: &mut Vec<Value>, v: Value) -> String {
    args.push(v);
    format!("?{}", args.len())
}

/// The filters and date ranges as one SQL condition on `r` (a record) and `c` (its
/// collection); `TRUE` when there are none.
fn conditions(search: &Search, filter: &SearchFilter, per_record: bool, args: &mut Vec<Value>) -> String {
    let mut conds = Vec::new();
    if let Some(c) = &filter.collection {
        conds.push(format!("c.name = {}", arg(args, Value::Text(c.clone()))));
    }
    if let Some(m) = filter.status {
        let ones = arg(args, Value::Integer(m.ones.into()));
        let zeros = arg(args, Value::Integer(m.zeros.into()));
        conds.push(format!("(r.status & {ones}) = {ones} AND (r.status & {zeros}) = 0"));
    }
    for d in &search.dates {
        conds.push(date_condition(d, per_record, &mut |v| arg(args, v)));
    }
    if conds.is_empty() {
        "TRUE".to_string()
    } else {
        conds.join(" AND ")
    }
}

/// A range no value can fall in (its start after its end): nothing to search.
fn is_empty(d: &DateRange) -> bool {
    // Bounds compare as the condition below compares them, the end extended by '~'.
    matches!((&d.from, &d.to), (Some(from), Some(to)) if from.as_str() > format!("{to}~").as_str())
}

/// A record has a value of the field within the range. For records already chosen
/// (`per_match`: matches of the text, or records walked newest first) each is checked by its
/// primary key (`+v.value` keeps the planner off the value index, which would scan the whole
/// range once per record); alone, the range is read from the value index.
fn date_condition(d: &DateRange, per_match: bool, arg: &mut impl FnMut(Value) -> String) -> String {
    let c = in_range(d, if per_match { "+v.value" } else { "v.value" }, arg);
    if per_match {
        format!("EXISTS (SELECT 1 FROM record_fields v WHERE v.record_id = r.id AND {c})")
    } else {
        format!("r.id IN (SELECT v.record_id FROM record_fields v WHERE {c})")
    }
}

/// A value `v` of the range's field within it, `value` naming the value column.
fn in_range(d: &DateRange, value: &str, arg: &mut impl FnMut(Value) -> String) -> String {
    let mut c = format!("v.field = {}", arg(Value::Text(d.field.clone())));
    if let Some(from) = &d.from {
        c.push_str(&format!(" AND {value} >= {}", arg(Value::Text(from.clone()))));
    }
    if let Some(to) = &d.to {
        // Inclusive at the bound's precision: what follows the bound in an ISO value (digits,
        // '-', 'T', ':') sorts before '~', so `..2014-12` takes 2014-12-31T23:59:59.
        c.push_str(&format!(" AND {value} <= {}", arg(Value::Text(format!("{to}~")))));
    }
    c
}

/// FTS5 reports a query it cannot run as an SQL error; ours are built quoted so this should
/// not happen, but if it does it is the query's fault (65), not an internal error.
fn engine_error(e: rusqlite::Error) -> Error {
    let text = e.to_string();
    if text.contains("fts5") {
        Error::Data(format!("bad query: {}", text.lines().next().unwrap_or("syntax error")))
    } else {
        e.into()
    }
}

/// The FTS5 query for an expression: every term a quoted string with its column.
pub(super) fn fts_query(e: &Expr) -> String {
    match e {
        Expr::Term(t) => fts_term(t),
        Expr::And { all, not } => {
            let mut q = all.iter().map(|e| format!("({})", fts_query(e))).collect::<Vec<_>>().join(" AND ");
            for n in not {
                q = format!("({q}) NOT ({})", fts_query(n));
            }
            q
        }
        Expr::Or(parts) => parts.iter().map(|e| format!("({})", fts_query(e))).collect::<Vec<_>>().join(" OR "),
    }
}

fn fts_term(t: &Term) -> String {
    let (column, text) = match &t.field {
        None => ("body", t.text.clone()),
        Some(f) => {
            let prefix = field_prefix(f);
            ("tagged", words(&t.text).map(|w| format!("{prefix}{w}")).collect::<Vec<_>>().join(" "))
        }
    };
    format!("{column} : \"{}\"{}", text.replace('"', "\"\""), if t.prefix { " *" } else { "" })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::databox::query::parse;
    use crate::databox::{FieldDef, FieldType, NewRecord, Pending, StatusMask, Structure};
    use crate::store::Store;
    use std::collections::BTreeMap;

    fn record(title: &str, date: &str, status: u32) -> NewRecord {
        NewRecord {
            collection: "default".into(),
            original_name: "x.jpg".into(),
            status,
            pending: Pending::Index.bit(),
            fields: BTreeMap::from([
                ("Title".to_string(), vec![title.to_string()]),
                ("Date".to_string(), vec![date.to_string()]),
            ]),
            ..NewRecord::default()
        }
    }

    /// 300 records with the same text (the same bm25), dates scrambled against ids, every
    /// tenth with status bit 0 set and a 2020 date, and one more relevant, oldest of all: the
    /// order is by score, then date, then id, however many tie and whatever the filters keep,
    /// as SQL's ORDER BY would give it over all matches.
    #[test]
    fn ties_are_broken_by_date_then_id_and_filters_keep_the_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("phr.db")).unwrap();
        let mut s = Structure::default_structure();
        s.fields.insert("Date".into(), FieldDef { kind: FieldType::Date, ..Default::default() });
        s.fields.insert("Title".into(), FieldDef::default());
        store.write(|tx| tx.records().sync_collections(&s)).unwrap();
        let (ids, best) = store
            .write(|tx| {
                let mut ids = Vec::new();
                for i in 0..300u32 {
                    let (date, status) = if i % 10 == 0 { ("2020-05-01", 1) } else { ("2010-05-01", 0) };
                    ids.push(tx.records().create(&record("plage au soleil", date, status))?);
                }
                let best = tx.records().create(&record("plage plage", "2010-01-01", 0))?;
                let all: Vec<i64> = ids.iter().copied().chain([best]).collect();
                tx.index().reindex(&all)?;
                Ok((ids, best))
            })
            .unwrap();
        // Dates scrambled, with ties among them too (id breaks those); the best is oldest.
        let date = |id: i64| (id * 7919) % 97;
        for &id in &ids {
            store.conn.execute("UPDATE records SET created_at = ?2 WHERE id = ?1", [id, date(id)]).unwrap();
        }
        store.conn.execute("UPDATE records SET created_at = -1 WHERE id = ?1", [best]).unwrap();
        let expect = |keep: &dyn Fn(usize) -> bool, n: usize| -> Vec<i64> {
            let mut kept: Vec<i64> = ids.iter().enumerate().filter(|(i, _)| keep(*i)).map(|(_, &id)| id).collect();
            kept.sort_by_key(|&id| std::cmp::Reverse((date(id), id)));
            kept.truncate(n);
            kept
        };
        let find = |q: &str, filter: SearchFilter| -> Vec<i64> {
            store.index().search(&parse(q, &s).unwrap(), &filter).unwrap().into_iter().map(|h| h.id).collect()
        };
        let n = |n: u64| SearchFilter { limit: Some(n), ..SearchFilter::default() };
        let mut want = vec![best];
        want.extend(expect(&|_| true, 19));
        assert_eq!(find("plage", n(20)), want);
        assert_eq!(find("plage", SearchFilter::default()).len(), 301, "no limit: every match");
        assert_eq!(find("plage", n(0)), Vec::<i64>::new());
        let status = SearchFilter { status: Some(StatusMask { ones: 1, zeros: 0 }), ..n(20) };
        assert_eq!(find("plage", status), expect(&|i| i % 10 == 0, 20), "30 of 301 pass: batches go on");
        assert_eq!(find("soleil Date:2020..2020", n(5)), expect(&|i| i % 10 == 0, 5));
        assert_eq!(find("plage Date:2021..2020", n(5)), Vec::<i64>::new(), "a range ending before it starts");
        // Dates alone, newest first: 271 values (walked newest first) and 30 (read and sorted).
        assert_eq!(find("Date:2010..2010", n(20)), expect(&|i| i % 10 != 0, 20), "a wide range");
        assert_eq!(find("Date:2020..2020", n(20)), expect(&|i| i % 10 == 0, 20), "a narrow range");
        assert_eq!(find("Date:2010..2010", SearchFilter::default()).len(), 271, "no limit: every one");
        let ones = SearchFilter { status: Some(StatusMask { ones: 1, zeros: 0 }), ..n(20) };
        assert_eq!(find("Date:2010..2010", ones), Vec::<i64>::new(), "filtered out: walked to the end");
        assert_eq!(find("plage", SearchFilter { collection: Some("nope".into()), ..n(5) }), Vec::<i64>::new());
        // Scores are bm25's, negated: higher is better, the best first.
        let hits = store.index().search(&parse("plage", &s).unwrap(), &n(2)).unwrap();
        assert!(hits[0].score.unwrap() > hits[1].score.unwrap());
    }
}
