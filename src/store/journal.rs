//! The hot folder's journal in the store: moves of archived files still to do after their
//! record's commit (replayed after a crash), and failures of files left where they are (not
//! retried until they change). Paths are kept as bytes: a file name need not be UTF-8.

use super::Records;
use crate::error::Result;
use crate::when;
use rusqlite::{params, OptionalExtension};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// A hot-folder file whose record is committed but which is not yet moved out of the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMove {
    pub id: i64,
    pub record_id: Option<i64>,
    pub source: PathBuf,
    /// Where it goes (`HOT_archived/…`), or `None` to delete it.
    pub target: Option<PathBuf>,
}

/// A hot-folder file that failed and stayed where it was: not retried until it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub size: i64,
    pub mtime_ns: i64,
    pub reason: String,
}

fn bytes(p: &Path) -> &[u8] {
    p.as_os_str().as_bytes()
}

fn path_of(b: Vec<u8>) -> PathBuf {
    PathBuf::from(std::ffi::OsString::from_vec(b))
}

impl Records<'_> {
    /// Records a hot-folder file to move (or delete) once the record's transaction commits.
    pub fn add_move(&self, record_id: Option<i64>, source: &Path, target: Option<&Path>) -> Result<i64> {
        self.writing().execute(
            "INSERT INTO archive_moves (record_id, source, target, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![record_id, bytes(source), target.map(bytes), when::now_us()],
        )?;
        Ok(self.writing().last_insert_rowid())
    }

    /// Moves still to do (a crash came between a commit and its move), oldest first.
    pub fn pending_moves(&self) -> Result<Vec<PendingMove>> {
        let mut stmt = self.conn.prepare("SELECT id, record_id, source, target FROM archive_moves ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(PendingMove {
                id: r.get(0)?,
                record_id: r.get(1)?,
                source: path_of(r.get(2)?),
                target: r.get::<_, Option<Vec<u8>>>(3)?.map(path_of),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A move done.
    pub fn move_done(&self, id: i64) -> Result<()> {
        self.writing().execute("DELETE FROM archive_moves WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Remembers that a hot-folder file failed (it stays where it is).
    pub fn add_failure(&self, path: &Path, f: &Failure) -> Result<()> {
        self.writing().execute(
            "INSERT OR REPLACE INTO archive_failures (path, size, mtime_ns, reason, failed_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![bytes(path), f.size, f.mtime_ns, f.reason, when::now_us()],
        )?;
        Ok(())
    }

    /// The failure remembered for a hot-folder file, if any.
    pub fn failure(&self, path: &Path) -> Result<Option<Failure>> {
        let sql = "SELECT size, mtime_ns, reason FROM archive_failures WHERE path = ?1";
        let found = self
            .conn
            .prepare_cached(sql)?
            .query_row([bytes(path)], |r| Ok(Failure { size: r.get(0)?, mtime_ns: r.get(1)?, reason: r.get(2)? }))
            .optional()?;
        Ok(found)
    }

    /// Forgets a failure (the file changed, or was archived).
    pub fn forget_failure(&self, path: &Path) -> Result<()> {
        self.writing().execute("DELETE FROM archive_failures WHERE path = ?1", [bytes(path)])?;
        Ok(())
    }
}
