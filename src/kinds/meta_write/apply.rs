//! Writing a group of records' files, in two steps run on several threads: first every file is
//! written anew into `DATA_DIR/tmp` with the values ([`rewrite`]) and fsynced (the fsyncs of several threads
//! share the file system's journal commits); only then is each copy renamed over its file.
//! So whenever a process is killed, every file is the old one or a new one that is whole on
//! disk. The caller then fsyncs the folders once and commits the group in one transaction.

use super::plan::{Target, Work};
use super::rewrite;
use crate::databox::files::Staged;
use crate::kinds::ItemError;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

/// Time spent in each step of writing files, summed over threads (`RUST_LOG=debug` prints
/// it after each group): where a pass's time goes.
#[derive(Default)]
pub struct Timings {
    read: AtomicU64,
    exiv2: AtomicU64,
    write: AtomicU64,
    fsync: AtomicU64,
    rename: AtomicU64,
}

impl Timings {
    fn add(slot: &AtomicU64, since: Instant) -> Instant {
        let now = Instant::now();
        slot.fetch_add(now.duration_since(since).as_micros() as u64, Ordering::Relaxed);
        now
    }

    /// Counts the time since `since` as reading the file into memory; returns now.
    pub fn add_read(&self, since: Instant) -> Instant {
        Timings::add(&self.read, since)
    }

    /// Counts the time since `since` as exiv2's; returns now.
    pub fn add_exiv2(&self, since: Instant) -> Instant {
        Timings::add(&self.exiv2, since)
    }

    /// Counts the time since `since` as writing (and hashing) the copy; returns now.
    pub fn add_write(&self, since: Instant) -> Instant {
        Timings::add(&self.write, since)
    }

    /// One line: milliseconds per step, summed over threads.
    pub fn summary(&self) -> String {
        let ms = |a: &AtomicU64| a.load(Ordering::Relaxed) / 1000;
        format!(
            "read {} ms, exiv2 {} ms (one file at a time), write with sha256 {} ms, fsync {} ms, rename {} ms",
            ms(&self.read),
            ms(&self.exiv2),
            ms(&self.write),
            ms(&self.fsync),
            ms(&self.rename)
        )
    }
}

/// One file written into its synced copy, waiting to be placed.
pub struct StagedFile {
    target: Target,
    staged: Staged,
    /// The file as it was when copied: placing is refused if it was replaced meanwhile.
    source: std::fs::Metadata,
    size: i64,
    /// The original's new SHA-256 (sub-definitions' are not stored).
    sha256: Option<String>,
}

/// One record's files written into synced copies, and the first failure, if any.
pub struct Staging {
    pub work: Work,
    files: Vec<StagedFile>,
    failure: Option<ItemError>,
}

/// How writing a record ended, once its copies were placed.
pub enum End {
    /// Every file written.
    Written,
    /// A file could not be written: counted as a failed attempt, with this reason.
    Failed(String),
    /// A file was replaced while it was written (a sub-definition rebuilt): written again
    /// next pass, not counted as a failure.
    Again(String),
    /// The data dir is full: written again next pass, not counted as a failure.
    NoSpace(String),
}

/// A record's files placed: what the store must now say of them.
pub struct Placed {
    pub id: i64,
    pub seen: i64,
    /// The original's new SHA-256 and size, when it was placed.
    pub original: Option<(String, i64)>,
    /// Sub-definitions placed, with their new sizes.
    pub subdefs: Vec<(String, i64)>,
    /// The folders renamed into, to fsync before the commit.
    pub dirs: Vec<PathBuf>,
    pub end: End,
}

/// Writes the record's values into synced copies of each of its files. A file that fails
/// does not stop the others: those written are placed, and the record stays marked.
pub fn stage_record(data_dir: &Path, work: Work, t: &Timings) -> Staging {
    let mut files = Vec::new();
    let mut failure = None;
    for (i, target) in work.files.iter().enumerate() {
        match stage_file(data_dir, target, &work, i == 0, t) {
            Ok(f) => files.push(f),
            Err(e) => {
                let what = target.subdef.as_ref().map_or(String::new(), |n| format!("sub-definition {n}: "));
                failure.get_or_insert(e.prefixed(&what));
            }
        }
    }
    Staging { work, files, failure }
}

fn stage_file(
    data_dir: &Path,
    target: &Target,
    work: &Work,
    original: bool,
    t: &Timings,
) -> Result<StagedFile, ItemError> {
    let path = data_dir.join(&target.relative);
    let new = rewrite::rewrite(data_dir, &path, &work.tags, t)?;
    for skipped in &new.skipped {
        log::info!("record {}: {}: {skipped}", work.id, target.relative.display());
    }
    let start = Instant::now();
    new.staged.sync()?;
    Timings::add(&t.fsync, start);
    Ok(StagedFile {
        target: target.clone(),
        staged: new.staged,
        source: new.source,
        size: new.size as i64,
        sha256: original.then_some(new.sha256),
    })
}

/// Renames a record's synced copies over their files (not fsyncing the folders: the caller
/// does, once for the group). A file replaced since it was copied keeps its new content.
pub fn place_record(data_dir: &Path, s: Staging, t: &Timings) -> Placed {
    let mut placed = Placed {
        id: s.work.id,
        seen: s.work.seen,
        original: None,
        subdefs: Vec::new(),
        dirs: Vec::new(),
        end: End::Written,
    };
    let mut again = None;
    for f in s.files {
        let path = data_dir.join(&f.target.relative);
        if !same_file(&f.source, &path) {
            again.get_or_insert(format!("{} changed while it was written: written again next pass", path.display()));
            continue;
        }
        let start = Instant::now();
        let renamed = f.staged.rename_into(data_dir, &f.target.relative);
        Timings::add(&t.rename, start);
        match renamed {
            Ok(at) => {
                placed.dirs.push(at.parent().map_or_else(|| data_dir.to_path_buf(), Path::to_path_buf));
                match (f.target.subdef, f.sha256) {
                    (Some(name), _) => placed.subdefs.push((name, f.size)),
                    (None, Some(sha)) => placed.original = Some((sha, f.size)),
                    (None, None) => {}
                }
            }
            Err(e) => {
                again.get_or_insert(e.to_string());
            }
        }
    }
    placed.end = match (s.failure, again) {
        (Some(ItemError::NoSpace(reason)), _) => End::NoSpace(reason),
        (Some(ItemError::Failed(reason)), _) => End::Failed(reason),
        (None, Some(reason)) => End::Again(reason),
        (None, None) => End::Written,
    };
    placed
}

/// Whether `path` is still the file `before` described (same inode, size and change time).
fn same_file(before: &std::fs::Metadata, path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|now| {
        now.dev() == before.dev()
            && now.ino() == before.ino()
            && now.len() == before.len()
            && (now.ctime(), now.ctime_nsec()) == (before.ctime(), before.ctime_nsec())
    })
}

/// `f` over `items` on `threads` threads, results in the items' order; `None` for items not
/// started because `stop` was set, or whose thread panicked (they stay marked).
pub fn parallel<T: Send, R: Send>(
    threads: usize,
    items: Vec<T>,
    stop: &AtomicBool,
    f: impl Fn(T) -> R + Sync,
) -> Vec<Option<R>> {
    let len = items.len();
    let slots: Vec<std::sync::Mutex<Option<T>>> = items.into_iter().map(|t| std::sync::Mutex::new(Some(t))).collect();
    let next = AtomicUsize::new(0);
    let mut out: Vec<Option<R>> = (0..len).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.clamp(1, len.max(1)))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        if i >= len || stop.load(Ordering::SeqCst) {
                            break done;
                        }
                        let item = slots[i].lock().unwrap_or_else(|e| e.into_inner()).take();
                        if let Some(item) = item {
                            done.push((i, f(item)));
                        }
                    }
                })
            })
            .collect();
        for handle in handles {
            for (i, r) in handle.join().unwrap_or_default() {
                out[i] = Some(r);
            }
        }
    });
    out
}
