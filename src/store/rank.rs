//! Relevance: Okapi BM25 as FTS5's own `bm25()` computes it (k1 = 1.2, b = 0.75, the same
//! IDF and its floor), registered on every connection as the FTS5 auxiliary function
//! `phr_bm25`, with two changes that make a common word's search several times faster:
//! - a match's length (its tokens in both columns) is read from memory ([`Lengths`], kept by
//!   the indexer in `record_lengths`), not looked up in FTS5's docsize table once per match:
//!   that lookup was three quarters of bm25's time (measured with probe functions);
//! - a query of one phrase (a word, a quoted phrase, a `Field:value`) does not read the
//!   phrase's matches a second time to count them for its IDF: every match holds the phrase,
//!   so the count is the number of matches, known once they are read. The IDF, the same for
//!   every match, does not change their order; [`Ranking::idf`] gives it to the caller.
//!
//! A match whose length is unknown (a store indexed before `record_lengths` existed) falls back
//! to FTS5's lookup, so scores are always bm25's. The function runs inside SQLite's step, on
//! the thread that steps: the lengths reach it through a thread-local set by [`Ranking`] for
//! the time of one search. Release builds abort on panic, so nothing here may panic.

use rusqlite::ffi::{self, Fts5Context, Fts5ExtensionApi, Fts5PhraseIter};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::os::raw::{c_int, c_void};
use std::ptr::null_mut;
use std::rc::Rc;

/// Records per row of `record_lengths`: a row holds 4,096 little-endian u16, 8 KB.
const PAGE_BITS: u32 = 12;
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// Every record's length in tokens, as stored: rows in page order, their bytes as read.
pub(super) struct Lengths {
    pages: Vec<(i64, Vec<u8>)>,
}

impl Lengths {
    /// Reads every row: 2 bytes a record, 200 KB for 100,000 records. A row that is not a
    /// blob (a damaged store) is left out: its records' lengths are looked up instead.
    pub(super) fn load(conn: &Connection) -> rusqlite::Result<Lengths> {
        let mut stmt = conn.prepare_cached("SELECT page, lengths FROM record_lengths ORDER BY page")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let mut pages = Vec::new();
        for row in rows {
            if let (page, Value::Blob(bytes)) = row? {
                pages.push((page, bytes));
            }
        }
        Ok(Lengths { pages })
    }

    /// A record's length; `None` if never stored (or stored as 0, which no match has). `hint`
    /// is the page last found: matches come in rowid order, so it is nearly always right.
    fn get(&self, id: i64, hint: &mut usize) -> Option<u32> {
        let page = id >> PAGE_BITS;
        if self.pages.get(*hint).map(|p| p.0) != Some(page) {
            *hint = self.pages.binary_search_by_key(&page, |p| p.0).ok()?;
        }
        let slot = ((id & ((1 << PAGE_BITS) - 1)) * 2) as usize;
        let bytes = self.pages.get(*hint)?.1.get(slot..slot + 2)?;
        let len = u16::from_le_bytes([bytes[0], bytes[1]]);
        (len > 0).then_some(len.into())
    }

    /// Stores these records' lengths (saturated at 65,535 tokens), in the caller's
    /// transaction: each page touched is read and written once.
    pub(super) fn save(conn: &Connection, lengths: &[(i64, usize)]) -> rusqlite::Result<()> {
        let mut by_page: BTreeMap<i64, Vec<(usize, u16)>> = BTreeMap::new();
        for &(id, len) in lengths {
            let slot = (id & ((1 << PAGE_BITS) - 1)) as usize;
            by_page.entry(id >> PAGE_BITS).or_default().push((slot, u16::try_from(len).unwrap_or(u16::MAX)));
        }
        let mut read = conn.prepare_cached("SELECT lengths FROM record_lengths WHERE page = ?1")?;
        let mut write = conn.prepare_cached("INSERT OR REPLACE INTO record_lengths (page, lengths) VALUES (?1, ?2)")?;
        for (page, slots) in by_page {
            let mut bytes = match read.query_row([page], |r| r.get(0)).optional()? {
                Some(Value::Blob(bytes)) => bytes,
                // None yet, or damaged: the page's other records read as unknown, looked up by FTS5.
                _ => Vec::new(),
            };
            bytes.resize(2 << PAGE_BITS, 0);
            for (slot, len) in slots {
                bytes[slot * 2..slot * 2 + 2].copy_from_slice(&len.to_le_bytes());
            }
            write.execute(rusqlite::params![page, bytes])?;
        }
        Ok(())
    }
}

/// What one search shares with `phr_bm25` while its statement runs.
struct Shared {
    lengths: Lengths,
    /// Set when the IDF was left to the caller: the table's row count.
    rows: Cell<Option<i64>>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Shared>>> = const { RefCell::new(None) };
}

/// One search's ranking: while it lives, `phr_bm25` on this thread reads lengths from memory
/// and may leave a one-phrase query's IDF to [`Ranking::idf`].
pub(super) struct Ranking {
    shared: Rc<Shared>,
}

impl Ranking {
    pub(super) fn begin(conn: &Connection) -> rusqlite::Result<Ranking> {
        let shared = Rc::new(Shared { lengths: Lengths::load(conn)?, rows: Cell::new(None) });
        CURRENT.with(|c| *c.borrow_mut() = Some(shared.clone()));
        Ok(Ranking { shared })
    }

    /// The factor every score of the search's `matches` matches must be multiplied by: the
    /// IDF of a one-phrase query (left out of its scores), 1 otherwise.
    pub(super) fn idf(&self, matches: usize) -> f64 {
        match self.shared.rows.get() {
            Some(rows) => idf(rows, matches as i64),
            None => 1.0,
        }
    }
}

impl Drop for Ranking {
    fn drop(&mut self) {
        CURRENT.with(|c| *c.borrow_mut() = None);
    }
}

/// FTS5's IDF: `ln((N - n + 0.5) / (n + 0.5))`, at least 1e-6 (a word in most records).
fn idf(rows: i64, hits: i64) -> f64 {
    let idf = ((rows - hits) as f64 + 0.5).ln() - (hits as f64 + 0.5).ln();
    if idf <= 0.0 {
        1e-6
    } else {
        idf
    }
}

/// Registers `phr_bm25` on this connection (FTS5's extension API, which rusqlite does not
/// wrap: the pointer is fetched as FTS5 documents, with `SELECT fts5(?1)`).
pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let fail = |rc: c_int| rusqlite::Error::SqliteFailure(ffi::Error::new(rc), Some("cannot register phr_bm25".into()));
    let mut api: *mut ffi::fts5_api = null_mut();
    // SAFETY: the handle is valid while `conn` lives; the statement is finalized before
    // returning; FTS5 writes the API pointer into `api` during the step only.
    unsafe {
        let db = conn.handle();
        let mut stmt = null_mut();
        let rc = ffi::sqlite3_prepare_v2(db, c"SELECT fts5(?1)".as_ptr(), -1, &mut stmt, null_mut());
        if rc != ffi::SQLITE_OK {
            // The store's own reason (a damaged file reads as "file is not a database"), not ours.
            let said = std::ffi::CStr::from_ptr(ffi::sqlite3_errmsg(db)).to_string_lossy().into_owned();
            return Err(rusqlite::Error::SqliteFailure(ffi::Error::new(rc), Some(said)));
        }
        ffi::sqlite3_bind_pointer(
            stmt,
            1,
            (&mut api as *mut *mut ffi::fts5_api).cast(),
            c"fts5_api_ptr".as_ptr(),
            None,
        );
        ffi::sqlite3_step(stmt);
        ffi::sqlite3_finalize(stmt);
        let create = match api.as_ref() {
            Some(a) if a.iVersion >= 2 => a.xCreateFunction,
            _ => None,
        };
        let Some(create) = create else { return Err(fail(ffi::SQLITE_ERROR)) };
        let rc = create(api, c"phr_bm25".as_ptr(), null_mut(), Some(phr_bm25), None);
        if rc != ffi::SQLITE_OK {
            return Err(fail(rc));
        }
    }
    Ok(())
}

/// The scores' fixed part for one query, computed at its first match (FTS5's "auxdata").
struct Query {
    avgdl: f64,
    /// Per phrase; all 1 when the caller applies the (single) IDF.
    idf: Vec<f64>,
    shared: Option<Rc<Shared>>,
    hint: usize,
}

/// Calls one of FTS5's API functions, failing with SQLITE_MISUSE if this SQLite lacks it.
macro_rules! call {
    ($api:expr, $f:ident, $($arg:expr),*) => {
        match $api.$f { Some(f) => f($($arg),*), None => return Err(ffi::SQLITE_MISUSE) }
    };
}

unsafe extern "C" fn phr_bm25(
    api: *const Fts5ExtensionApi,
    fts: *mut Fts5Context,
    ctx: *mut ffi::sqlite3_context,
    _n: c_int,
    _args: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: FTS5 passes a valid API table and context for the current row.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match unsafe { api.as_ref() } {
        Some(api) => unsafe { score(api, fts) },
        None => Err(ffi::SQLITE_MISUSE),
    }));
    // SAFETY: `ctx` is the function's result context.
    unsafe {
        match outcome {
            Ok(Ok(score)) => ffi::sqlite3_result_double(ctx, score),
            Ok(Err(rc)) => ffi::sqlite3_result_error_code(ctx, rc),
            Err(_) => ffi::sqlite3_result_error(ctx, c"phr_bm25: internal error".as_ptr(), -1),
        }
    }
}

/// bm25 of the current row, negated as FTS5's (lower is better).
///
/// # Safety
/// `api` and `fts` as FTS5 passes them to an auxiliary function.
unsafe fn score(api: &Fts5ExtensionApi, fts: *mut Fts5Context) -> Result<f64, c_int> {
    // SAFETY: FTS5 owns the auxdata and frees it with `drop_query` when the query ends.
    let query = unsafe { query(api, fts)? };
    let id = unsafe { call!(api, xRowid, fts) };
    let known = query.shared.as_ref().and_then(|s| s.lengths.get(id, &mut query.hint));
    let length = match known {
        Some(len) => f64::from(len),
        None => {
            let mut n: c_int = 0;
            check(unsafe { call!(api, xColumnSize, fts, -1, &mut n) })?;
            f64::from(n)
        }
    };
    let norm = K1 * (1.0 - B + B * length / query.avgdl);
    let mut score = 0.0;
    for (phrase, idf) in query.idf.iter().enumerate() {
        let freq = f64::from(unsafe { occurrences(api, fts, phrase as c_int)? });
        score += idf * (freq * (K1 + 1.0)) / (freq + norm);
    }
    Ok(-score)
}

/// How many times a phrase occurs in the current row (bm25's term frequency, all columns
/// weighing 1).
///
/// # Safety
/// As [`score`].
unsafe fn occurrences(api: &Fts5ExtensionApi, fts: *mut Fts5Context, phrase: c_int) -> Result<u32, c_int> {
    // SAFETY: a zeroed iterator is what FTS5's own functions start from; it is only used
    // through xPhraseFirst/xPhraseNext while this row is current.
    let mut iter: Fts5PhraseIter = unsafe { std::mem::zeroed() };
    let (mut col, mut off): (c_int, c_int) = (0, 0);
    check(unsafe { call!(api, xPhraseFirst, fts, phrase, &mut iter, &mut col, &mut off) })?;
    let mut n = 0;
    while col >= 0 {
        n += 1;
        unsafe { call!(api, xPhraseNext, fts, &mut iter, &mut col, &mut off) };
    }
    Ok(n)
}

/// The query's fixed part, made at its first match.
///
/// # Safety
/// As [`score`]; the reference lives until FTS5 frees the auxdata at the query's end.
unsafe fn query<'q>(api: &Fts5ExtensionApi, fts: *mut Fts5Context) -> Result<&'q mut Query, c_int> {
    let found = unsafe { call!(api, xGetAuxdata, fts, 0) }.cast::<Query>();
    // SAFETY: our own auxdata, a `Box<Query>` leaked below.
    if let Some(q) = unsafe { found.as_mut() } {
        return Ok(q);
    }
    let phrases = unsafe { call!(api, xPhraseCount, fts) }.max(0) as usize;
    let (mut rows, mut tokens): (i64, i64) = (0, 0);
    check(unsafe { call!(api, xRowCount, fts, &mut rows) })?;
    check(unsafe { call!(api, xColumnTotalSize, fts, -1, &mut tokens) })?;
    let shared = CURRENT.with(|c| c.borrow().clone());
    let idf = match &shared {
        Some(s) if phrases == 1 => {
            s.rows.set(Some(rows));
            vec![1.0]
        }
        _ => (0..phrases)
            .map(|p| {
                let mut hits: i64 = 0;
                let rc =
                    unsafe { call!(api, xQueryPhrase, fts, p as c_int, (&mut hits as *mut i64).cast(), Some(count)) };
                check(rc).map(|()| idf(rows, hits))
            })
            .collect::<Result<_, _>>()?,
    };
    let query = Box::into_raw(Box::new(Query { avgdl: tokens as f64 / rows.max(1) as f64, idf, shared, hint: 0 }));
    // On failure FTS5 has already called `drop_query` on it.
    check(unsafe { call!(api, xSetAuxdata, fts, query.cast(), Some(drop_query)) })?;
    // SAFETY: just made, owned by FTS5 from now on.
    Ok(unsafe { &mut *query })
}

unsafe extern "C" fn drop_query(p: *mut c_void) {
    // SAFETY: `p` is the `Box<Query>` given to xSetAuxdata, freed once.
    drop(unsafe { Box::from_raw(p.cast::<Query>()) });
}

/// xQueryPhrase's callback: counts the phrase's matching rows.
unsafe extern "C" fn count(_: *const Fts5ExtensionApi, _: *mut Fts5Context, hits: *mut c_void) -> c_int {
    // SAFETY: `hits` is the i64 passed to xQueryPhrase above.
    if let Some(h) = unsafe { hits.cast::<i64>().as_mut() } {
        *h += 1;
    }
    ffi::SQLITE_OK
}

fn check(rc: c_int) -> Result<(), c_int> {
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(rc)
    }
}

#[cfg(test)]
#[path = "rank_tests.rs"]
mod tests;
