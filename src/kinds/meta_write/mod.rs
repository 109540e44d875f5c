//! `meta-write` (`phr-meta write`): the seed's "Ecriture des metadonnees" — writes each marked
//! record's field values back into its stored original, per the structure's targets (a
//! field's `targets`, else its `sources`), with the record's id as Phraseanet writes its
//! record uuid (`IPTC:UniqueDocumentID`, `ExifIFD:ImageUniqueID`, `XMP-exif:ImageUniqueID`).
//!
//! The values also go into the sub-definitions the collection marks `meta = true` (Phraseanet's
//! `<meta>yes</meta>`). No file is written in place: a copy in `DATA_DIR/tmp` gets the
//! metadata and is fsynced, and only then renamed over it, so a crash leaves the old file or
//! the new one, whole. Records go in groups, on several threads ([`apply`]): one folder fsync
//! and one store commit serve many files. The flag is cleared with the new checksum and size,
//! only when every file was written; a failure keeps its reason and an attempt count, and is
//! retried with backoff up to `max_attempts`.

mod apply;
mod plan;
mod rewrite;
mod scratch;

pub use plan::{file_id, tags_of, ID_TAGS};

use super::{Context, Field, Invalid, KindError, Mode, PassReport, SetAside, Show, TaskKind};
use crate::databox::files;
use crate::error::Result;
use crate::store::Store;
use apply::{End, Placed};
use plan::Plan;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The `meta-write` kind.
pub struct MetaWrite;

/// Records written per commit: one folder fsync and one store commit serve this many.
const GROUP: usize = 256;

/// A `meta-write` task's `[settings]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetaWriteSettings {
    /// Records written per pass at most.
    pub batch: u64,
    /// Only these records (marked or not, whatever their failures); empty: every record
    /// marked for it, failed ones per the retry rules.
    pub records: Vec<i64>,
    /// Files written at once; 0: two per core (much of a write is waiting for the disk).
    pub threads: u32,
    /// Failed writes of a record before it is left failed (until asked by --record).
    pub max_attempts: u32,
    /// Wait before trying a failed record again, doubling with each attempt.
    #[serde(with = "crate::config::duration")]
    pub retry_backoff: Duration,
}

impl Default for MetaWriteSettings {
    fn default() -> Self {
        MetaWriteSettings {
            batch: 1000,
            records: Vec::new(),
            threads: 0,
            max_attempts: 3,
            retry_backoff: Duration::from_secs(600),
        }
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
        Field { key: "threads", doc: "Files written at once; 0: two per core (0 to 256).", show: Show::Default },
        Field {
            key: "max_attempts",
            doc: "Failed writes of a record before it is left failed (1 to 100).",
            show: Show::Default,
        },
        Field {
            key: "retry_backoff",
            doc: "Wait before writing a failed record again, doubled at each attempt.",
            show: Show::Default,
        },
    ];
    type Settings = MetaWriteSettings;
    type Flags = MetaWriteFlags;
    type State = ();

    fn check(s: &MetaWriteSettings) -> std::result::Result<(), Invalid> {
        super::check_batch(s.batch, 100_000)?;
        super::check_threads(s.threads)?;
        super::check_retries(s.max_attempts, s.retry_backoff)?;
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
            let backoff = i64::try_from(s.retry_backoff.as_micros()).unwrap_or(i64::MAX);
            store.records().meta_writes_due(s.max_attempts, backoff, s.batch)?
        } else {
            s.records.clone()
        };
        let threads = match s.threads {
            0 => 2 * ctx.settings.default_parallelism(),
            n => n as usize,
        };
        let mut report = PassReport::default();
        for group in ids.chunks(GROUP) {
            if ctx.stop.load(Ordering::SeqCst) {
                break;
            }
            write_group(&mut store, ctx, threads, group, &mut report)?;
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

/// Writes one group of records: plans them, stages every file (written and synced), places
/// them, fsyncs their folders, and records the outcome in one transaction.
fn write_group(
    store: &mut Store,
    ctx: &Context<'_>,
    threads: usize,
    ids: &[i64],
    report: &mut PassReport,
) -> std::result::Result<(), KindError> {
    let (structure, data_dir) = (&ctx.settings.structure, ctx.settings.data_dir.as_path());
    let mut works = Vec::new();
    let mut ends = Vec::new();
    for &id in ids {
        match plan::plan(store, structure, data_dir, id) {
            Ok(Plan::Write(w)) => works.push(w),
            Ok(Plan::Nothing { seen }) => {
                ends.push(Placed { id, seen, original: None, subdefs: Vec::new(), dirs: Vec::new(), end: End::Written })
            }
            Err(reason) => set_aside(report, id, reason),
        }
    }
    if ctx.dry_run {
        for w in &works {
            let names: Vec<&str> = w.tags.iter().map(|t| t.tag.as_str()).collect();
            let paths: Vec<String> = w.files.iter().map(|f| f.relative.display().to_string()).collect();
            log::warn!("dry run: would write {} into {}", names.join(", "), paths.join(", "));
        }
        report.done += (works.len() + ends.len()) as u64;
        return Ok(());
    }
    let timings = apply::Timings::default();
    let started = std::time::Instant::now();
    let staged = apply::parallel(threads, works, ctx.stop, |w| apply::stage_record(data_dir, w, &timings));
    // Every copy of the group is on disk: now they replace their files. Not stopped halfway.
    let placing = AtomicBool::new(false);
    let placed = apply::parallel(threads, staged.into_iter().flatten().collect(), &placing, |s| {
        apply::place_record(data_dir, s, &timings)
    });
    ends.extend(placed.into_iter().flatten());
    let dirs: BTreeSet<&std::path::Path> = ends.iter().flat_map(|p| p.dirs.iter().map(|d| d.as_path())).collect();
    let placed_at = std::time::Instant::now();
    for dir in dirs {
        files::sync_dir(dir)?;
    }
    let synced_at = std::time::Instant::now();
    let cleared = store.write(|tx| {
        let records = tx.records();
        let mut cleared = Vec::new();
        for p in &ends {
            if let Some((sha, size)) = &p.original {
                records.file_rewritten(p.id, sha, *size)?;
            }
            for (name, size) in &p.subdefs {
                records.subdef_rewritten(p.id, name, *size)?;
            }
            cleared.push(match &p.end {
                End::Written => records.meta_write_done(p.id, p.seen)?,
                End::Failed(reason) => records.meta_write_failed(p.id, reason).map(|()| false)?,
                End::Again(_) | End::NoSpace(_) => false,
            });
        }
        Ok(cleared)
    })?;
    let ms = |d: std::time::Duration| d.as_millis();
    log::debug!(
        "{} records on {threads} threads: {} ms to place, {} ms to fsync folders, {} ms to commit; {}",
        ends.len(),
        ms(placed_at - started),
        ms(synced_at - placed_at),
        ms(synced_at.elapsed()),
        timings.summary()
    );
    for (p, cleared) in ends.iter().zip(cleared) {
        match &p.end {
            End::Written if cleared => report.done += 1,
            End::Written => set_aside(
                report,
                p.id,
                "its values changed while its files were written: written again next pass".into(),
            ),
            End::Failed(reason) | End::Again(reason) => set_aside(report, p.id, reason.clone()),
            End::NoSpace(_) => {}
        }
    }
    // The group's other records are written and committed; the rest waits for room.
    if let Some(reason) = ends.iter().find_map(|p| if let End::NoSpace(r) = &p.end { Some(r) } else { None }) {
        return Err(KindError::TryLater(format!(
            "the data dir is full ({reason}): records not written stay marked, to be written once there is room"
        )));
    }
    Ok(())
}

/// A record left marked, with why (logged once, with the pass's report).
fn set_aside(report: &mut PassReport, id: i64, reason: String) {
    report.set_aside.push(SetAside { item: format!("record {id}: metadata not written"), reason });
}
