//! What a record is, free of SQL so any store backend can share it: a document (a stored
//! original) or a story (a group of records, Phraseanet's "reportage"), its field values,
//! the technical values read from its file, its sub-definitions and its 32 status bits.

use serde::Serialize;
use std::collections::BTreeMap;

/// Work a record waits for; each task clears its own flag only once its work succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Pending {
    /// Read its file's metadata into its fields (`phr-meta read`).
    MetaRead = 1,
    /// Build its sub-definitions (`phr-subdef`).
    Subdefs = 2,
    /// (Re)index its fields (`phr-index`).
    Index = 4,
    /// Write its fields back into its files (`phr-meta write`).
    MetaWrite = 8,
}

impl Pending {
    /// Every flag, in order, for listings.
    pub const ALL: [Pending; 4] = [Pending::MetaRead, Pending::Subdefs, Pending::Index, Pending::MetaWrite];

    /// The flag's bit.
    pub fn bit(self) -> u32 {
        self as u32
    }

    /// The name listings show.
    pub fn name(self) -> &'static str {
        match self {
            Pending::MetaRead => "meta-read",
            Pending::Subdefs => "subdefs",
            Pending::Index => "index",
            Pending::MetaWrite => "meta-write",
        }
    }

    /// The names of the flags set in `bits`.
    pub fn names(bits: u32) -> Vec<&'static str> {
        Pending::ALL.iter().filter(|p| bits & p.bit() != 0).map(|p| p.name()).collect()
    }
}

/// A document or a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    #[default]
    Document,
    Story,
}

impl RecordKind {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Document => "document",
            RecordKind::Story => "story",
        }
    }
}

/// A record to create. `Default` is an empty document with nothing known about its file,
/// for callers (and tests) that set only what they know.
#[derive(Debug, Clone, Default)]
pub struct NewRecord {
    pub collection: String,
    pub kind: RecordKind,
    pub original_name: String,
    /// The stored original, relative to the data dir (a story may have none).
    pub stored_path: Option<String>,
    pub sha256: Option<String>,
    pub mime: Option<String>,
    pub size: Option<i64>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub status: u32,
    pub pending: u32,
    /// Field values, each field's in order.
    pub fields: BTreeMap<String, Vec<String>>,
    /// Technical values read from the file.
    pub technical: BTreeMap<String, String>,
    /// The story this record joins, if any.
    pub story: Option<i64>,
}

/// One sub-definition's state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubdefEntry {
    pub name: String,
    pub path: Option<String>,
    pub mime: Option<String>,
    pub size: Option<i64>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// `missing`, `done` or `failed`.
    pub state: String,
    pub reason: Option<String>,
    pub attempts: i64,
}

/// Why a record's work failed, kept until that work succeeds: shown by `phr-record show`, and
/// counted so the task retries it with backoff up to a limit.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkFailure {
    /// What went wrong, one sentence.
    pub reason: String,
    /// Failed attempts so far.
    pub attempts: i64,
    /// When it last failed (µs since the epoch).
    pub failed_at: i64,
}

/// A stored record, as `phr-record show` gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: i64,
    pub collection: String,
    pub kind: RecordKind,
    pub original_name: String,
    pub stored_path: Option<String>,
    pub sha256: Option<String>,
    pub mime: Option<String>,
    pub size: Option<i64>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub status: u32,
    pub pending: u32,
    pub created_at: i64,
    pub updated_at: i64,
    pub fields: BTreeMap<String, Vec<String>>,
    pub technical: BTreeMap<String, String>,
    pub subdefs: Vec<SubdefEntry>,
    /// Why writing its values into its files last failed (`phr-meta write`), until it works.
    pub meta_write_failure: Option<WorkFailure>,
    /// A story's members; a document's stories.
    pub members: Vec<i64>,
    pub stories: Vec<i64>,
}

/// Which records `phr-record list` shows.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    pub collection: Option<String>,
    pub status: Option<super::mask::StatusMask>,
    /// Field name and a value it must have (exact match).
    pub field: Option<(String, String)>,
    /// Created at or after / before (µs since the epoch).
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub pending: Option<Pending>,
    pub kind: Option<RecordKind>,
    pub limit: Option<u64>,
}
