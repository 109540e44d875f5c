//! `index` (`phr-index`): the seed's "Indexation" — keeps the full-text index of records'
//! fields current. Records marked for it (archive, `phr-record set/status`, a metadata read)
//! are (re)indexed in batches, each batch one transaction that also clears their mark, so a
//! mark goes only with its record indexed; removed records leave the index with their removal.
//! `--rebuild` indexes everything again from scratch (after a config change of field names).

use super::{Context, Field, Invalid, KindError, Mode, PassReport, Show, TaskKind};
use crate::databox::Pending;
use crate::error::Result;
use crate::store::Store;
use serde::{Deserialize, Serialize};
use std::sync::atomic::Ordering;

/// The `index` kind.
pub struct IndexKind;

/// An `index` task's `[settings]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IndexSettings {
    /// Records indexed per transaction.
    pub batch: u64,
    /// Only these records (marked or not); empty: every record marked for indexing.
    pub records: Vec<i64>,
    /// Rebuild the whole index each pass instead.
    pub rebuild: bool,
}

impl Default for IndexSettings {
    fn default() -> Self {
        IndexSettings { batch: 5000, records: Vec::new(), rebuild: false }
    }
}

/// `phr-index`'s own flags.
#[derive(Debug, clap::Args)]
pub struct IndexFlags {
    /// Empty the index and index every record again (one transaction; searches meanwhile see the old index).
    #[arg(long)]
    pub rebuild: bool,
    /// Index this record now, marked or not (repeatable).
    #[arg(long = "record", value_name = "ID", conflicts_with = "rebuild")]
    pub records: Vec<i64>,
    /// Records indexed per transaction.
    #[arg(long, value_name = "N")]
    pub batch: Option<u64>,
}

impl TaskKind for IndexKind {
    const NAME: &'static str = "index";
    const SUMMARY: &'static str = "keeps the full-text index of records' fields current (phr-record search)";
    const MODE: Mode = Mode::Passes;
    const FIELDS: &'static [Field] = &[
        Field { key: "batch", doc: "Records indexed per transaction (1 to 1000000).", show: Show::Default },
        Field {
            key: "records",
            doc: "Only these records; empty: every record marked for indexing.",
            show: Show::Default,
        },
        Field {
            key: "rebuild",
            doc: "Rebuild the whole index each pass (normally false: run phr-index --rebuild --once once).",
            show: Show::Default,
        },
    ];
    type Settings = IndexSettings;
    type Flags = IndexFlags;
    type State = ();

    fn check(s: &IndexSettings) -> std::result::Result<(), Invalid> {
        super::check_batch(s.batch, 1_000_000)?;
        Ok(())
    }

    fn apply_flags(flags: IndexFlags, s: &mut IndexSettings) -> Result<()> {
        if !flags.records.is_empty() {
            s.records = flags.records;
        }
        if flags.rebuild {
            s.rebuild = true;
        }
        if let Some(b) = flags.batch {
            s.batch = b;
        }
        Ok(())
    }

    fn open(_: &Context<'_>, _: &IndexSettings) -> std::result::Result<(), KindError> {
        Ok(())
    }

    fn pass(_: &mut (), ctx: &Context<'_>, s: &IndexSettings) -> std::result::Result<PassReport, KindError> {
        let mut store = Store::open(&ctx.settings.db_path())?;
        let mut report = PassReport::default();
        if ctx.dry_run {
            let waiting = store.records().waiting(Pending::Index, u64::MAX >> 1)?.len();
            log::warn!("dry run: {waiting} record(s) marked for indexing; nothing indexed");
            return Ok(report);
        }
        if s.rebuild {
            report.done = store.write(|tx| tx.index().rebuild())?;
            return Ok(report);
        }
        if !s.records.is_empty() {
            for chunk in s.records.chunks(s.batch as usize) {
                report.done += store.write(|tx| tx.index().reindex(chunk))?;
            }
            return Ok(report);
        }
        while !ctx.stop.load(Ordering::SeqCst) {
            let ids = store.records().waiting(Pending::Index, s.batch)?;
            if ids.is_empty() {
                break;
            }
            let done = store.write(|tx| tx.index().reindex(&ids))?;
            report.done += done;
            if done == 0 {
                break; // removed meanwhile: nothing left that this pass can do
            }
        }
        Ok(report)
    }

    fn job_settings(args: &[String], base: IndexSettings) -> Option<std::result::Result<IndexSettings, String>> {
        Some(super::job_record_ids(args, Self::NAME).map(|records| IndexSettings { records, ..base }))
    }
}
