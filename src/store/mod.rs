//! The store: one SQLite file in the data dir, opened durable (WAL, synchronous=FULL) and
//! migrated on open.
//!
//! The seam a second backend (PostgreSQL) implements is this module's public surface: [`Store`],
//! its repositories per concern ([`Jobs`], [`Claims`], [`Tasks`], the databox next), and
//! [`Store::write`], which runs any mix of repository writes in one transaction ("create a
//! record and queue its work" commits whole or not at all). No rusqlite type crosses it, and what
//! only SQLite has (`INDEXED BY`, `INSERT OR IGNORE`, `last_insert_rowid`, `group_concat`, worker
//! liveness through the local `/proc`) stays below it.

mod access;
mod health;
mod index;
pub use search::Hit;
mod insert;
mod jobs;
mod journal;
mod rank;
mod record_file;
mod records;
mod search;
mod subdefs;
pub use jobs::{JobFilter, Removal};
pub use journal::{Failure, PendingMove};
mod host;
mod schema;
mod tasks;
mod worker;

pub use health::{mark_damaged, RECOVERY};
pub use tasks::{RunState, TaskState};

pub use worker::{RetryPolicy, WorkerId};

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a writer waits for another one before giving up with "busy" (exit 75).
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long opening the store is retried while another process holds it exclusively.
const OPEN_RETRY_FOR: Duration = Duration::from_secs(10);

/// An open store. Not shared between threads: each thread or process opens its own.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// An open write transaction, handed to the closure given to [`Store::write`]; everything
/// written through its repositories commits together.
pub struct Tx<'t> {
    conn: &'t Connection,
}

/// Jobs: adding, finding, linking, removing (SPIP's job API).
pub struct Jobs<'c> {
    conn: &'c Connection,
}

/// The workers' side of the queue: claims, reports, reclaims.
pub struct Claims<'c> {
    conn: &'c Connection,
}

/// Tasks' run state.
pub struct Tasks<'c> {
    conn: &'c Connection,
}

/// The databox: collections, records, their values and files' moves.
pub struct Records<'c> {
    conn: &'c Connection,
}

/// The full-text index of records' fields: (re)indexing and searching.
pub struct Index<'c> {
    conn: &'c Connection,
}

macro_rules! repositories {
    ($($repo:ident),*) => {$(
        impl<'c> $repo<'c> {
            /// The connection, for a write: callers reach writes through [`Tx`], so a write
            /// outside a transaction is a bug this catches in debug builds.
            fn writing(&self) -> &'c Connection {
                debug_assert!(!self.conn.is_autocommit(), "a store write outside Store::write");
                self.conn
            }
        }
    )*};
}
repositories!(Jobs, Claims, Tasks, Records, Index);

impl Tx<'_> {
    /// Jobs, in this transaction.
    pub fn jobs(&self) -> Jobs<'_> {
        Jobs { conn: self.conn }
    }
    /// Claims and reports, in this transaction.
    pub fn claims(&self) -> Claims<'_> {
        Claims { conn: self.conn }
    }
    /// Tasks' run state, in this transaction.
    pub fn tasks(&self) -> Tasks<'_> {
        Tasks { conn: self.conn }
    }
    /// The databox, in this transaction.
    pub fn records(&self) -> Records<'_> {
        Records { conn: self.conn }
    }
    /// The full-text index, in this transaction.
    pub fn index(&self) -> Index<'_> {
        Index { conn: self.conn }
    }
}

impl Store {
    /// Opens for writing (creating if needed, mode 0600 in a 0700 dir) and migrates the store at
    /// `path`. A store this process cannot write is refused up front with the reason (read-only
    /// file system, another user's file), and so is one marked damaged that still fails its
    /// check: writing into a damaged store can only make it worse. Opening can meet SQLITE_BUSY
    /// without the busy handler being called; such opens are retried for a while.
    pub fn open(path: &Path) -> Result<Store> {
        create_private_file(path)?;
        access::ensure_writable(path)?;
        retrying_busy(|| Store::try_open(path))
    }

    fn try_open(path: &Path) -> Result<Store> {
        let wrap = |source: rusqlite::Error| access::with_path(path, source);
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_NOFOLLOW,
        )
        .map_err(wrap)?;
        let mut store = Store { conn, path: path.to_path_buf() };
        store.configure().map_err(wrap)?;
        store.refuse_if_marked_damaged()?;
        store.migrate()?;
        Ok(store)
    }

    fn configure(&mut self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        keep_wal_file(&self.conn);
        rank::register(&self.conn)?;
        let mode: String = self.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            self.conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))?;
        }
        self.conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384; PRAGMA journal_size_limit = 4194304; PRAGMA cell_size_check = ON;")
    }

    fn migrate(&mut self) -> Result<()> {
        let supported = schema::MIGRATIONS.len() as i64;
        if self.user_version()? == supported {
            return Ok(());
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > supported {
            return Err(Error::SchemaTooNew { path: self.path.clone(), found, supported });
        }
        for sql in &schema::MIGRATIONS[found as usize..] {
            tx.execute_batch(sql)?;
        }
        tx.pragma_update(None, "user_version", supported)?;
        tx.commit()?;
        Ok(())
    }

    fn user_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Runs `f` in one write transaction (taken at once, so it cannot fail half way on a
    /// lock): what it writes through any repository commits together, or nothing does.
    pub fn write<T>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&Tx { conn: &tx })?;
        tx.commit()?;
        Ok(out)
    }

    /// How long a write waits for another writer before failing as busy. Long-running
    /// programs set it short and retry, so they keep answering signals meanwhile.
    pub fn set_busy_timeout(&mut self, wait: Duration) -> Result<()> {
        Ok(self.conn.busy_timeout(wait)?)
    }

    /// Jobs, for reading (writes go through [`Store::write`]).
    pub fn jobs(&self) -> Jobs<'_> {
        Jobs { conn: &self.conn }
    }

    /// Claims and pending counts, for reading.
    pub fn claims(&self) -> Claims<'_> {
        Claims { conn: &self.conn }
    }

    /// Tasks' run state, for reading.
    pub fn tasks(&self) -> Tasks<'_> {
        Tasks { conn: &self.conn }
    }

    /// The databox, for reading.
    pub fn records(&self) -> Records<'_> {
        Records { conn: &self.conn }
    }

    /// The full-text index, for searching.
    pub fn index(&self) -> Index<'_> {
        Index { conn: &self.conn }
    }
}

/// Runs `open`, again while it meets SQLITE_BUSY without the busy handler being called
/// (another process is closing the last connection and checkpointing), for a while.
fn retrying_busy(mut open: impl FnMut() -> Result<Store>) -> Result<Store> {
    let deadline = std::time::Instant::now() + OPEN_RETRY_FOR;
    let mut pause = Duration::from_millis(2);
    loop {
        match open() {
            Err(e) if e.is_busy() && std::time::Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

/// Keeps the WAL file when the last connection closes (truncated, see `journal_size_limit`)
/// instead of deleting it: a short-lived `taskctl add` then does not delete and re-create it
/// each time, which measured 14 % faster per add here. Durability is unchanged.
fn keep_wal_file(conn: &Connection) {
    let mut on: std::os::raw::c_int = 1;
    // SAFETY: the handle is valid while `conn` lives; SQLite reads the int behind the pointer
    // during the call only. rusqlite has no safe wrapper for this file control.
    unsafe {
        rusqlite::ffi::sqlite3_file_control(
            conn.handle(),
            c"main".as_ptr(),
            rusqlite::ffi::SQLITE_FCNTL_PERSIST_WAL,
            (&mut on as *mut std::os::raw::c_int).cast(),
        );
    }
}

/// Creates the data dir (0700) and the database file (0600) before SQLite does, so that the
/// queue is never world-readable, even for a moment; never through a link at its path.
fn create_private_file(path: &Path) -> Result<()> {
    match crate::private_file::create_new(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(Error::CantCreate { path: path.to_path_buf(), source }),
    }
}

/// SQLite's errors as the store's: what kind of failure, in words an admin can act on.
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        use crate::error::StoreFailure;
        use rusqlite::ffi::ErrorCode;
        let (kind, message) = match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
                (StoreFailure::Busy, format!("busy (another process holds it): {e}"))
            }
            Some(ErrorCode::DiskFull) => (StoreFailure::Full, "disk full: nothing was written; free some space".into()),
            Some(ErrorCode::ReadOnly) | Some(ErrorCode::CannotOpen) | Some(ErrorCode::PermissionDenied) => {
                (StoreFailure::ReadOnly, format!("cannot write: {e}"))
            }
            Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => {
                (StoreFailure::Corrupt, format!("damaged: {e}"))
            }
            // SQLite's words may quote a whole statement over many lines: the first says it.
            _ => (StoreFailure::Other, e.to_string().lines().next().unwrap_or("error").trim().to_string()),
        };
        Error::Store { path: None, kind, message }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::job::NewJob;

    fn job(function: &str) -> NewJob {
        NewJob { function: function.into(), due_at: crate::when::now_us(), ..NewJob::default() }
    }

    #[test]
    fn writes_through_several_repositories_commit_together_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("phr.db")).unwrap();
        let failed = store.write(|tx| {
            tx.jobs().add(&[job("a")])?;
            tx.tasks().set_desired(&["t".to_string()], true)?;
            Err::<(), _>(Error::Data("the second half failed".into()))
        });
        assert!(failed.is_err());
        assert!(store.jobs().list(&JobFilter::default()).unwrap().is_empty(), "a job of a failed write was kept");
        assert!(store.tasks().task_state("t").unwrap().is_none(), "a task change of a failed write was kept");
        store
            .write(|tx| {
                tx.jobs().add(&[job("b")])?;
                tx.tasks().set_desired(&["t".to_string()], true)
            })
            .unwrap();
        assert_eq!(store.jobs().list(&JobFilter::default()).unwrap().len(), 1);
        assert!(store.tasks().task_state("t").unwrap().unwrap().desired_started);
    }
}
