//! A stored original rewritten in place (`phr-meta write`): its checksum and size follow the
//! new file, and the work flag is cleared in the same transaction, unless the record changed
//! while its file was being written (then it stays marked and is written again).

use super::Records;
use crate::databox::Pending;
use crate::error::Result;
use rusqlite::params;

impl Records<'_> {
    /// Records the rewritten original's SHA-256 and size, and clears `flag` when the record
    /// is as it was at `seen` (its `updated_at` when its values were read, which any change of them moves); returns whether
    /// the flag was cleared. A record changed meanwhile keeps its flag: the next pass writes
    /// its new values.
    pub fn file_rewritten(&self, id: i64, sha256: &str, size: i64, flag: Pending, seen: i64) -> Result<bool> {
        let tx = self.writing();
        tx.prepare_cached("UPDATE records SET sha256 = ?2, size = ?3 WHERE id = ?1")?
            .execute(params![id, sha256, size])?;
        let cleared = tx
            .prepare_cached("UPDATE records SET pending = pending & ~?2 WHERE id = ?1 AND updated_at = ?3")?
            .execute(params![id, flag.bit(), seen])?;
        Ok(cleared == 1)
    }
}
