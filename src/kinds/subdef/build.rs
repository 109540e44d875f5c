//! One `subdef` pass: the records to build are chosen and read in the calling thread (the
//! store is not shared between threads), built by worker threads (decode, resize, encode,
//! write atomically), and their results written back to the store one record at a time.

use super::{convert, parse_colour, set_aside, SubdefSettings};
use crate::databox::files::{record_dir, ScratchDir, Staged};
use crate::databox::{Pending, Record, Structure, SubdefEntry};
use crate::kinds::{Context, ItemError, KindError, PassReport};
use crate::media::subdef::{self, Options, Spec};
use crate::store::Store;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{mpsc, Mutex};

/// A record to build.
struct Work {
    id: i64,
    original: PathBuf,
    mime: Option<String>,
    orientation: Option<u16>,
    specs: Vec<Spec>,
    /// Files its sub-definitions had before (by name), removed once replaced by another path.
    previous: Vec<(String, String)>,
}

/// What building one record gave.
type Outcome = (Work, std::result::Result<Vec<SubdefEntry>, ItemError>);

pub fn pass(ctx: &Context<'_>, s: &SubdefSettings) -> std::result::Result<PassReport, KindError> {
    let mut store = Store::open(&ctx.settings.db_path())?;
    crate::databox::files::remove_stale_staged(&ctx.settings.data_dir); // scratch of killed runs
    let ids = if !s.records.is_empty() {
        s.records.clone()
    } else if s.all {
        store.records().documents()?
    } else {
        let backoff = i64::try_from(s.retry_backoff.as_micros()).unwrap_or(i64::MAX);
        store.records().subdefs_due(s.max_attempts, backoff, s.batch)?
    };
    let mut report = PassReport::default();
    let mut work = Vec::new();
    for id in ids {
        match plan(&store, ctx, id) {
            Ok(Some(w)) => work.push(w),
            Ok(None) if ctx.dry_run => report.done += 1,
            Ok(None) => {
                // Nothing to build (a story, a collection without sub-definitions): done.
                store.write(|tx| tx.records().done(id, Pending::Subdefs))?;
                report.done += 1;
            }
            Err(reason) => report.set_aside.push(set_aside(id, reason)),
        }
    }
    if ctx.dry_run {
        for w in &work {
            let names: Vec<&str> = w.specs.iter().map(|s| s.name.as_str()).collect();
            log::warn!("dry run: would build {} of record {}", names.join(", "), w.id);
        }
        report.done += work.len() as u64;
        return Ok(report);
    }
    let options =
        Options { max_pixels: s.max_pixels, background: parse_colour(&s.background).map_err(KindError::Failed)? };
    let threads = match s.threads {
        0 => ctx.settings.default_parallelism(),
        n => n as usize,
    }
    .clamp(1, work.len().max(1));
    let bar = progress(ctx, work.len() as u64);
    let queue = Mutex::new(work.into_iter());
    let (tx, rx) = mpsc::channel::<Outcome>();
    let data_dir = ctx.settings.data_dir.as_path();
    let full = std::sync::atomic::AtomicBool::new(false);
    let mut full_because = None;
    let written = std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (queue, options, s, full) = (&queue, &options, s, &full);
            scope.spawn(move || loop {
                if ctx.stop.load(Ordering::SeqCst) || full.load(Ordering::SeqCst) {
                    break;
                }
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                let Some(w) = next else { break };
                let result = build_one(data_dir, &w, options, s);
                if tx.send((w, result)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for (w, result) in rx {
            if let Some(reason) = record_outcome(data_dir, &ctx.settings.structure, &mut store, &mut report, w, result)?
            {
                full.store(true, Ordering::SeqCst); // the records not built yet wait for room
                full_because.get_or_insert(reason);
            }
            if let Some(bar) = &bar {
                bar.inc(1);
            }
        }
        Ok::<(), crate::error::Error>(())
    });
    if bar.is_some() {
        crate::logging::clear_progress();
    }
    written?;
    if let Some(reason) = full_because {
        return Err(KindError::TryLater(format!(
            "the data dir is full ({reason}): records not built stay marked, to be built once there is room"
        )));
    }
    Ok(report)
}

/// What a record needs built, or `None` when it needs nothing.
fn plan(store: &Store, ctx: &Context<'_>, id: i64) -> std::result::Result<Option<Work>, String> {
    let record: Record = store
        .records()
        .get(id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| crate::error::Error::NoSuchRecord(id).to_string())?;
    let Some(stored) = record.stored_path else { return Ok(None) };
    if !crate::databox::files::is_inside(&stored) {
        return Err(format!("its stored path {stored:?} is not inside the data dir: not built"));
    }
    let Some(collection) = ctx.settings.structure.collections.get(&record.collection) else {
        return Err(format!("its collection {:?} is no longer in the config", record.collection));
    };
    let specs: Vec<Spec> = collection
        .subdefs
        .iter()
        .map(|(name, d)| Spec { name: name.clone(), size: d.size, format: d.format.clone(), quality: d.quality })
        .collect();
    if specs.is_empty() {
        return Ok(None);
    }
    let orientation = record.technical.get("orientation").and_then(|o| o.parse().ok()).filter(|o| (1..=8).contains(o));
    let previous = record.subdefs.into_iter().filter_map(|e| Some((e.name, e.path?))).collect();
    let original = ctx.settings.data_dir.join(stored);
    Ok(Some(Work { id, original, mime: record.mime, orientation, specs, previous }))
}

/// Builds one record's sub-definitions and places their files: from the original when it is
/// an image, else through the program its MIME type has (see `convert`).
fn build_one(
    data_dir: &Path,
    w: &Work,
    options: &Options,
    s: &SubdefSettings,
) -> std::result::Result<Vec<SubdefEntry>, ItemError> {
    let (videos, images): (Vec<&Spec>, Vec<&Spec>) =
        w.specs.iter().partition(|spec| convert::VIDEO_FORMATS.contains(&spec.format.as_str()));
    let images: Vec<Spec> = images.into_iter().cloned().collect();
    let converter = w.mime.as_deref().and_then(|m| convert::converter_for(&s.commands, m));
    let mut entries = Vec::new();
    let Some(converter) = converter else {
        if let Some(mime) = w.mime.as_deref().filter(|m| !m.starts_with("image/")) {
            return Err(format!("no program makes images of {mime} documents (see the task's commands)").into());
        }
        // Video sub-definitions are for videos: an image has none.
        for b in subdef::build(&w.original, w.orientation, &images, options).map_err(|e| e.to_string())? {
            entries.push(place(data_dir, w.id, &b.name, b.extension, b.mime, &b.bytes, Some((b.width, b.height)))?);
        }
        return Ok(entries);
    };
    if !images.is_empty() && !converter.image.is_empty() {
        let largest = images.iter().map(|s| s.size).max().unwrap_or(1);
        let scratch = ScratchDir::new(data_dir)?;
        let made = convert::run(&converter.image, &w.original, largest, &scratch, s.command_timeout)?;
        for b in subdef::build(&made, None, &images, options).map_err(|e| e.to_string())? {
            entries.push(place(data_dir, w.id, &b.name, b.extension, b.mime, &b.bytes, Some((b.width, b.height)))?);
        }
    }
    for spec in videos.into_iter().filter(|_| !converter.video.is_empty()) {
        let scratch = ScratchDir::new(data_dir)?;
        let made = convert::run(&converter.video, &w.original, spec.size, &scratch, s.command_timeout)?;
        let bytes = std::fs::read(&made).map_err(|e| format!("cannot read {}: {e}", made.display()))?;
        let extension = made.extension().and_then(|e| e.to_str()).unwrap_or("mp4").to_ascii_lowercase();
        let mime = if extension == "webm" { "video/webm" } else { "video/mp4" };
        let size = convert::video_size(&made, &scratch, s.command_timeout);
        entries.push(place(data_dir, w.id, &spec.name, &extension, mime, &bytes, size)?);
    }
    Ok(entries)
}

/// Writes one built file atomically as `subdefs/…/ID-NAME.EXT` and says what it is.
fn place(
    data_dir: &Path,
    id: i64,
    name: &str,
    extension: &str,
    mime: &str,
    bytes: &[u8],
    size: Option<(u32, u32)>,
) -> std::result::Result<SubdefEntry, ItemError> {
    let relative = record_dir("subdefs", id).join(format!("{id}-{name}.{extension}"));
    let staged = Staged::from_bytes(data_dir, bytes)?;
    staged.place(data_dir, &relative)?;
    Ok(SubdefEntry {
        name: name.to_string(),
        path: Some(relative.to_string_lossy().into_owned()),
        mime: Some(mime.to_string()),
        size: Some(bytes.len() as i64),
        width: size.map(|(w, _)| w.into()),
        height: size.map(|(_, h)| h.into()),
        state: "done".into(),
        reason: None,
        attempts: 0,
    })
}

/// Writes one record's result: every sub-definition done and the flag cleared, or each one
/// failed with the reason (the flag stays). Returns why, when the data dir is full (the
/// record is left as it was, to be built next pass).
fn record_outcome(
    data_dir: &Path,
    structure: &Structure,
    store: &mut Store,
    report: &mut PassReport,
    w: Work,
    result: std::result::Result<Vec<SubdefEntry>, ItemError>,
) -> crate::error::Result<Option<String>> {
    match result {
        Ok(entries) => {
            store.write(|tx| {
                for e in &entries {
                    tx.records().subdef_done(w.id, e)?;
                }
                // Those that carry metadata get the record's values from phr-meta write.
                tx.records().subdefs_built(w.id, &entries, structure)?;
                tx.records().done(w.id, Pending::Subdefs)
            })?;
            remove_replaced(data_dir, w.id, &w.previous, &entries);
            report.done += 1;
        }
        Err(ItemError::Failed(reason)) => {
            store.write(|tx| {
                for spec in &w.specs {
                    tx.records().subdef_failed(w.id, &spec.name, &reason)?;
                }
                Ok(())
            })?;
            report.set_aside.push(set_aside(w.id, reason));
        }
        Err(ItemError::NoSpace(reason)) => return Ok(Some(reason)),
    }
    Ok(None)
}

/// Removes the files of sub-definitions now stored under another path (their format
/// changed), once the store points to the new ones: the path the store had, and any other
/// `ID-NAME.EXT` beside the new file, which a crash between the commit and the removal left
/// behind the last time this record's sub-definition changed format.
fn remove_replaced(data_dir: &Path, id: i64, previous: &[(String, String)], now: &[SubdefEntry]) {
    let remove = |relative: &Path| match std::fs::remove_file(data_dir.join(relative)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => log::warn!("cannot remove {}, replaced by another format: {e}", relative.display()),
    };
    for (name, old) in previous {
        let replaced = now.iter().any(|e| &e.name == name && e.path.as_deref() != Some(old.as_str()));
        let ours = Path::new(old).starts_with("subdefs") && crate::databox::files::is_inside(old);
        if replaced && ours {
            remove(Path::new(old));
        }
    }
    let dir = record_dir("subdefs", id);
    let Ok(siblings) = std::fs::read_dir(data_dir.join(&dir)) else { return };
    let siblings: Vec<String> = siblings.flatten().filter_map(|e| e.file_name().into_string().ok()).collect();
    for e in now {
        let Some(current) = e.path.as_deref().and_then(|p| Path::new(p).file_name()) else { continue };
        let stem = format!("{id}-{}.", e.name);
        for sibling in &siblings {
            // Names are letters, digits, '-' and '_': one extension, no dot, is another format.
            let other_format = sibling.strip_prefix(&stem).is_some_and(|ext| !ext.is_empty() && !ext.contains('.'));
            let is_file = std::fs::symlink_metadata(data_dir.join(&dir).join(sibling)).is_ok_and(|m| m.is_file());
            if other_format && is_file && sibling.as_str() != current {
                remove(&dir.join(sibling));
            }
        }
    }
}

/// A progress bar when run by hand on a terminal; none under cron or the scheduler.
fn progress(ctx: &Context<'_>, len: u64) -> Option<indicatif::ProgressBar> {
    if ctx.task.is_some() || len < 2 || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len);
    let style = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} records  eta {eta}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    crate::logging::show_progress(&bar);
    Some(bar)
}
