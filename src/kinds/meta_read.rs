//! `meta-read` (`phr-meta read`): the seed's "Lecture des metadonnees" — reads each marked
//! record's stored original (EXIF, IPTC, XMP) into its fields per the structure, and its
//! technical values. Archive reads metadata the same way when it creates a record; this task
//! re-reads records marked for it (`phr-record mark ID --work meta-read`), and a structure
//! change is applied by marking the records again.

use super::{Context, Field, Invalid, KindError, Mode, PassReport, SetAside, Show, TaskKind};
use crate::databox::{mapping, Pending};
use crate::error::{Error, Result};
use crate::store::Store;
use serde::{Deserialize, Serialize};
use std::sync::atomic::Ordering;

/// The `meta-read` kind.
pub struct MetaRead;

/// A `meta-read` task's `[settings]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetaReadSettings {
    /// Records read per pass at most.
    pub batch: u64,
    /// Only these records (marked or not); empty: every record marked for it.
    pub records: Vec<i64>,
}

impl Default for MetaReadSettings {
    fn default() -> Self {
        MetaReadSettings { batch: 1000, records: Vec::new() }
    }
}

/// `phr-meta read`'s own flags.
#[derive(Debug, clap::Args)]
pub struct MetaReadFlags {
    /// Read this record now, marked or not (repeatable).
    #[arg(long = "record", value_name = "ID")]
    pub records: Vec<i64>,
    /// Records read per pass at most.
    #[arg(long, value_name = "N")]
    pub batch: Option<u64>,
}

impl TaskKind for MetaRead {
    const NAME: &'static str = "meta-read";
    const SUMMARY: &'static str = "reads records' EXIF, IPTC and XMP metadata into their fields";
    const MODE: Mode = Mode::Passes;
    const INVOKED_AS: &'static [&'static str] = &["phr-meta", "read"];
    const FIELDS: &'static [Field] = &[
        Field { key: "batch", doc: "Records read per pass at most (1 to 100000).", show: Show::Default },
        Field {
            key: "records",
            doc: "Only these records; empty: every record marked for a metadata read.",
            show: Show::Default,
        },
    ];
    type Settings = MetaReadSettings;
    type Flags = MetaReadFlags;
    type State = ();

    fn check(s: &MetaReadSettings) -> std::result::Result<(), Invalid> {
        super::check_batch(s.batch, 100_000)?;
        Ok(())
    }

    fn apply_flags(flags: MetaReadFlags, s: &mut MetaReadSettings) -> Result<()> {
        if !flags.records.is_empty() {
            s.records = flags.records;
        }
        if let Some(b) = flags.batch {
            s.batch = b;
        }
        Ok(())
    }

    fn open(_: &Context<'_>, _: &MetaReadSettings) -> std::result::Result<(), KindError> {
        Ok(())
    }

    fn pass(_: &mut (), ctx: &Context<'_>, s: &MetaReadSettings) -> std::result::Result<PassReport, KindError> {
        let mut store = Store::open(&ctx.settings.db_path())?;
        let ids =
            if s.records.is_empty() { store.records().waiting(Pending::MetaRead, s.batch)? } else { s.records.clone() };
        let mut report = PassReport::default();
        for id in ids {
            if ctx.stop.load(Ordering::SeqCst) {
                break;
            }
            match read_one(&mut store, ctx, id) {
                Ok(()) => report.done += 1,
                Err(reason) => report.set_aside.push(SetAside { item: format!("record {id}"), reason }),
            }
        }
        Ok(report)
    }

    fn job_settings(args: &[String], base: MetaReadSettings) -> Option<std::result::Result<MetaReadSettings, String>> {
        Some(super::job_record_ids(args, Self::NAME).map(|records| MetaReadSettings { records, ..base }))
    }
}

/// Reads one record's file into its fields; the flag is cleared only when that worked.
fn read_one(store: &mut Store, ctx: &Context<'_>, id: i64) -> std::result::Result<(), String> {
    let record =
        store.records().get(id).map_err(|e| e.to_string())?.ok_or_else(|| Error::NoSuchRecord(id).to_string())?;
    let stored = record.stored_path.ok_or("it has no file (a story)")?;
    let path = ctx.settings.data_dir.join(&stored);
    let meta = crate::media::meta::read(&path).map_err(|e| e.to_string())?;
    if ctx.dry_run {
        log::warn!("dry run: would read {} into record {id}", path.display());
        return Ok(());
    }
    let fields = mapping::fields_from(&meta, &ctx.settings.structure);
    let technical = mapping::technical_map(&meta.technical);
    store
        .write(|tx| {
            for (field, values) in &fields {
                tx.records().set_field(id, field, values, Pending::Index.bit())?;
            }
            tx.records().set_technical(id, &technical)?;
            tx.records().done(id, Pending::MetaRead)
        })
        .map_err(|e| e.to_string())
}
