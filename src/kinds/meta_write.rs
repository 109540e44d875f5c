//! `meta-write` (`phr-meta write`): the seed's "Ecriture des metadonnees" — writes each marked
//! record's field values back into its stored original, per the structure's targets (a
//! field's `targets`, else its `sources`), with the record's id as Phraseanet writes its
//! record uuid (`IPTC:UniqueDocumentID`, `ExifIFD:ImageUniqueID`, `XMP-exif:ImageUniqueID`).
//!
//! The original is never written in place: a copy in `DATA_DIR/tmp` gets the metadata, is
//! fsynced and renamed over it, so a crash leaves the old file or the new one, whole. Records
//! are committed in groups (one folder fsync and one store commit for many files); the flag is
//! cleared with the new checksum and size, and only when writing worked. Sub-definitions are
//! not written to: none carries metadata yet.

use super::{Context, Field, Invalid, KindError, Mode, PassReport, SetAside, Show, TaskKind};
use crate::databox::{files, FieldType, Pending, Record};
use crate::error::{Error, Result};
use crate::media::write::{self, TagValues};
use crate::store::Store;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

/// The `meta-write` kind.
pub struct MetaWrite;

/// Records written per commit: one folder fsync and one store commit serve this many files.
const GROUP: usize = 64;

/// The tags the record's id is written to: those Phraseanet writes its record uuid to.
pub const ID_TAGS: &[&str] = &["IPTC:UniqueDocumentID", "ExifIFD:ImageUniqueID", "XMP-exif:ImageUniqueID"];

/// The id written into a record's file: at least 14 characters, as IPTC's UniqueDocumentID
/// requires, and unmistakably this library's.
pub fn file_id(id: i64) -> String {
    format!("urn:phr-tasks:record:{id}")
}

/// A `meta-write` task's `[settings]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetaWriteSettings {
    /// Records written per pass at most.
    pub batch: u64,
    /// Only these records (marked or not); empty: every record marked for it.
    pub records: Vec<i64>,
}

impl Default for MetaWriteSettings {
    fn default() -> Self {
        MetaWriteSettings { batch: 1000, records: Vec::new() }
    }
}

/// `phr-meta write`'s own flags.
#[derive(Debug, clap::Args)]
pub struct MetaWriteFlags {
    /// Write this record now, marked or not (repeatable).
    #[arg(long = "record", value_name = "ID")]
    pub records: Vec<i64>,
    /// Records written per pass at most.
    #[arg(long, value_name = "N")]
    pub batch: Option<u64>,
}

impl TaskKind for MetaWrite {
    const NAME: &'static str = "meta-write";
    const SUMMARY: &'static str = "writes records' fields back into their files' EXIF, IPTC and XMP";
    const MODE: Mode = Mode::Passes;
    const INVOKED_AS: &'static [&'static str] = &["phr-meta", "write"];
    const FIELDS: &'static [Field] = &[
        Field { key: "batch", doc: "Records written per pass at most (1 to 100000).", show: Show::Default },
        Field {
            key: "records",
            doc: "Only these records; empty: every record marked for a metadata write.",
            show: Show::Default,
        },
    ];
    type Settings = MetaWriteSettings;
    type Flags = MetaWriteFlags;
    type State = ();

    fn check(s: &MetaWriteSettings) -> std::result::Result<(), Invalid> {
        super::check_batch(s.batch, 100_000)?;
        Ok(())
    }

    fn apply_flags(flags: MetaWriteFlags, s: &mut MetaWriteSettings) -> Result<()> {
        if !flags.records.is_empty() {
            s.records = flags.records;
        }
        if let Some(b) = flags.batch {
            s.batch = b;
        }
        Ok(())
    }

    fn open(_: &Context<'_>, _: &MetaWriteSettings) -> std::result::Result<(), KindError> {
        Ok(())
    }

    fn pass(_: &mut (), ctx: &Context<'_>, s: &MetaWriteSettings) -> std::result::Result<PassReport, KindError> {
        let mut store = Store::open(&ctx.settings.db_path())?;
        let stale = files::remove_stale_staged(&ctx.settings.data_dir);
        if stale > 0 {
            log::info!("removed {stale} staged file(s) left by processes that died");
        }
        let ids = if s.records.is_empty() {
            store.records().waiting(Pending::MetaWrite, s.batch)?
        } else {
            s.records.clone()
        };
        let mut report = PassReport::default();
        for group in ids.chunks(GROUP) {
            let mut ready = Vec::new();
            for &id in group {
                if ctx.stop.load(Ordering::SeqCst) {
                    break;
                }
                match prepare(&store, ctx, id) {
                    Ok(Some(w)) => ready.push(w),
                    Ok(None) => report.done += 1,
                    Err(reason) => set_aside(&mut report, id, reason),
                }
            }
            commit(&mut store, ctx, ready, &mut report)?;
            if ctx.stop.load(Ordering::SeqCst) {
                break;
            }
        }
        Ok(report)
    }

    fn job_settings(
        args: &[String],
        base: MetaWriteSettings,
    ) -> Option<std::result::Result<MetaWriteSettings, String>> {
        Some(super::job_record_ids(args, Self::NAME).map(|records| MetaWriteSettings { records, ..base }))
    }
}

/// A record whose new file is written and synced, waiting for its group's commit.
struct Written {
    id: i64,
    staged: files::Staged,
    stored: PathBuf,
    sha256: String,
    size: i64,
    seen: i64,
}

fn set_aside(report: &mut PassReport, id: i64, reason: String) {
    log::warn!("record {id}: metadata not written: {reason}");
    report.set_aside.push(SetAside { item: format!("record {id}"), reason });
}

/// The tags a record's values go to, per the structure, and its id.
pub fn tags_of(record: &Record, structure: &crate::databox::Structure) -> Vec<TagValues> {
    let mut tags = Vec::new();
    for (name, def) in &structure.fields {
        let values = record.fields.get(name).cloned().unwrap_or_default();
        let values = if def.multi { values } else { values.into_iter().take(1).collect() };
        for tag in def.targets.as_ref().unwrap_or(&def.sources) {
            tags.push(TagValues { tag: tag.clone(), values: values.clone(), date: def.kind == FieldType::Date });
        }
    }
    for tag in ID_TAGS {
        tags.push(TagValues { tag: tag.to_string(), values: vec![file_id(record.id)], date: false });
    }
    tags
}

/// Writes one record's values into a synced copy of its original; `None` in a dry run.
fn prepare(store: &Store, ctx: &Context<'_>, id: i64) -> std::result::Result<Option<Written>, String> {
    let record =
        store.records().get(id).map_err(|e| e.to_string())?.ok_or_else(|| Error::NoSuchRecord(id).to_string())?;
    let stored = PathBuf::from(record.stored_path.as_deref().ok_or("it has no file (a story)")?);
    let data_dir = &ctx.settings.data_dir;
    let tags = tags_of(&record, &ctx.settings.structure);
    if ctx.dry_run {
        let names: Vec<&str> = tags.iter().map(|t| t.tag.as_str()).collect();
        log::warn!("dry run: would write {} into {}", names.join(", "), stored.display());
        return Ok(None);
    }
    let staged = files::Staged::copy_unsynced(data_dir, &data_dir.join(&stored)).map_err(|e| e.to_string())?;
    for skipped in write::write(staged.path(), &tags).map_err(|e| e.to_string())? {
        log::warn!("record {id}: {skipped}");
    }
    staged.sync().map_err(|e| e.to_string())?;
    let sha256 = files::sha256_file(staged.path()).map_err(|e| e.to_string())?;
    let size = std::fs::metadata(staged.path()).map_err(|e| e.to_string())?.len();
    Ok(Some(Written { id, staged, stored, sha256, size: size as i64, seen: record.updated_at }))
}

/// Places a group's files, fsyncs their folders once, and records them in one transaction.
fn commit(
    store: &mut Store,
    ctx: &Context<'_>,
    ready: Vec<Written>,
    report: &mut PassReport,
) -> std::result::Result<(), KindError> {
    let data_dir = &ctx.settings.data_dir;
    let mut placed = Vec::new();
    let mut dirs = BTreeSet::new();
    for w in ready {
        match w.staged.rename_into(data_dir, &w.stored) {
            Ok(path) => {
                dirs.insert(path.parent().map(PathBuf::from).unwrap_or_else(|| data_dir.clone()));
                placed.push((w.id, w.sha256, w.size, w.seen));
            }
            Err(e) => set_aside(report, w.id, e.to_string()),
        }
    }
    for dir in &dirs {
        files::sync_dir(dir)?;
    }
    let cleared = store.write(|tx| {
        let mut cleared = Vec::new();
        for (id, sha, size, seen) in &placed {
            cleared.push(tx.records().file_rewritten(*id, sha, *size, Pending::MetaWrite, *seen)?);
        }
        Ok(cleared)
    })?;
    for ((id, ..), cleared) in placed.iter().zip(cleared) {
        if cleared {
            report.done += 1;
        } else {
            set_aside(report, *id, "its values changed while its file was written: written again next pass".into());
        }
    }
    Ok(())
}
