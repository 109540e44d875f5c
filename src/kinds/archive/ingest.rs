//! Archiving what a scan found. A file becomes a record in one transaction that also places
//! its stored copy and journals the move of the hot-folder file; the move happens after the
//! commit and is replayed at the next pass if a crash came in between. So a `kill -9` at any
//! point leaves either no record and the file in the hot folder, or one whole record and the
//! file moved: never both for good, never neither. A file that fails goes to `HOT_error/` with
//! `NAME.error` giving the reason (or stays, remembered, not retried until it changes).

use super::moves::{after_folder, extension, move_or_delete, relative, sibling_root};
use super::scan::{self, Candidate, Folder, ScanRules, Story};
use super::xml;
use super::{ArchiveSettings, Duplicates, State};
use crate::databox::files::{original_path, Staged};
use crate::databox::{mapping, NewRecord, Pending, RecordKind, StatusMask};
use crate::kinds::{Context, KindError, PassReport, SetAside};
use crate::store::{Failure, Store};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

/// Files copied into the data dir ahead of their records, two at a time.
const STAGED_AHEAD: usize = 8;

/// A file copied into the data dir: the copy, its SHA-256 and its size.
type Stage = crate::error::Result<(Staged, String, u64)>;

/// Copies the files of `chunk` that look archivable, half on a second thread; `None` where the
/// file is left to `archive` to judge (changed, empty, gone). Metadata is not read here: exiv2
/// is not safe to use from two threads at once.
fn stage_chunk(data_dir: &Path, chunk: &[Candidate]) -> Vec<Option<Stage>> {
    let worth = |c: &Candidate| {
        c.size > 0 && std::fs::symlink_metadata(&c.path).is_ok_and(|m| m.is_file() && m.len() == c.size)
    };
    let stage = |c: &Candidate| worth(c).then(|| Staged::copy_hashing(data_dir, &c.path));
    let half = chunk.len().div_ceil(2);
    std::thread::scope(|s| {
        let second = s.spawn(|| chunk[half..].iter().map(stage).collect::<Vec<_>>());
        let mut out: Vec<Option<Stage>> = chunk[..half].iter().map(stage).collect();
        match second.join() {
            Ok(rest) => out.extend(rest),
            Err(_) => out.extend(chunk[half..].iter().map(|_| None)), // archive() copies them itself
        }
        out
    })
}

/// What archiving one file came to.
enum Outcome {
    Archived(i64),
    /// Changed since the scan: taken at a later pass.
    Skipped,
    Failed(String),
}

/// One pass over the hot folder.
pub fn pass(state: &mut State, ctx: &Context<'_>, s: &ArchiveSettings) -> Result<PassReport, KindError> {
    if let Some(why) = scan::missing_root_rules(&s.hotfolder) {
        return Err(KindError::TryLater(why));
    }
    let structure = &ctx.settings.structure;
    let (collection, _) = structure
        .collection(&s.collection)
        .ok_or_else(|| KindError::Failed(format!("no collection {:?} in the config", s.collection)))?;
    let mut run =
        Run { ctx, s, store: Store::open(&ctx.settings.db_path())?, stories: HashMap::new(), done_moves: Vec::new() };
    if !ctx.dry_run {
        crate::databox::sync_structure(&mut run.store, structure)?;
        crate::databox::files::remove_stale_staged(&ctx.settings.data_dir); // copies of killed runs
        run.finish_interrupted_moves()?;
    }
    let rules = ScanRules {
        root: &s.hotfolder,
        collection,
        delay: s.delay,
        files: &state.files,
        groupings: &state.groupings,
        structure,
    };
    let mut report = PassReport::default();
    for folder in scan::scan(&rules) {
        if ctx.stop.load(Ordering::SeqCst) {
            break;
        }
        run.folder(folder, &mut report)?;
    }
    run.flush_moves()?;
    Ok(report)
}

struct Run<'a> {
    ctx: &'a Context<'a>,
    s: &'a ArchiveSettings,
    store: Store,
    /// Stories created this pass, by folder.
    stories: HashMap<PathBuf, i64>,
    /// Journaled moves done since the last write, removed with the next one.
    done_moves: Vec<i64>,
}

impl Run<'_> {
    fn folder(&mut self, folder: Folder, report: &mut PassReport) -> Result<(), KindError> {
        let item = |p: &Path| p.display().to_string();
        if let Some(reason) = folder.blocked {
            report.set_aside.push(SetAside { item: item(&folder.dir), reason });
            return Ok(());
        }
        if self.ctx.dry_run {
            for c in &folder.files {
                log::warn!("dry run: would archive {} into {}", c.path.display(), folder.collection);
            }
            for (path, reason) in &folder.errors {
                log::warn!("dry run: would set aside {}: {reason}", path.display());
            }
            return Ok(());
        }
        for (path, reason) in &folder.errors {
            if self.fail(path, None, reason)? {
                report.set_aside.push(SetAside { item: item(path), reason: reason.clone() });
            }
        }
        let story = match self.story(&folder) {
            Ok(story) => story,
            Err(reason) => {
                report.set_aside.push(SetAside { item: item(&folder.dir), reason });
                return Ok(());
            }
        };
        let mut complete = folder.errors.is_empty();
        for chunk in folder.files.chunks(STAGED_AHEAD) {
            if self.ctx.stop.load(Ordering::SeqCst) {
                return Ok(());
            }
            // Copies (and their checksums and fsyncs) are made two at a time, one per core;
            // records are then created one by one, in order.
            let staged = stage_chunk(&self.ctx.settings.data_dir, chunk);
            for (candidate, pre) in chunk.iter().zip(staged) {
                if self.ctx.stop.load(Ordering::SeqCst) {
                    return Ok(());
                }
                match self.archive(&folder, candidate, story, pre)? {
                    Outcome::Archived(id) => {
                        log::info!("{} archived as record {id}", candidate.path.display());
                        report.done += 1;
                    }
                    Outcome::Skipped => complete = false,
                    Outcome::Failed(reason) => {
                        complete = false;
                        if self.fail(&candidate.path, candidate.caption.as_deref(), &reason)? {
                            report.set_aside.push(SetAside { item: item(&candidate.path), reason });
                        }
                    }
                }
            }
        }
        if complete && !folder.files.is_empty() {
            after_folder(&folder.dir, folder.magic.as_ref());
        }
        Ok(())
    }

    /// The story the folder's files join: an existing one, or one created now.
    fn story(&mut self, folder: &Folder) -> Result<Option<i64>, String> {
        let (dir, caption) = match &folder.story {
            None => return Ok(None),
            Some(Story::Existing(id)) => {
                let exists = self.store.records().get(*id).map_err(|e| e.to_string())?;
                if exists.is_some_and(|r| r.kind == RecordKind::Story) {
                    return Ok(Some(*id));
                }
                (folder.dir.clone(), None) // its story is gone (or was never committed): a new one
            }
            Some(Story::New { dir, caption }) => (dir.clone(), caption.clone()),
        };
        if let Some(&id) = self.stories.get(&dir) {
            return Ok(Some(id));
        }
        let (fields, status) = match &caption {
            Some(c) if !c.is_file() => return Err(format!("story caption {} is missing", c.display())),
            Some(c) => self.caption_values(c)?,
            None => (BTreeMap::new(), 0),
        };
        let record = NewRecord {
            collection: folder.collection.clone(),
            kind: RecordKind::Story,
            original_name: dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            status: self.task_status(status),
            pending: Pending::Index.bit(),
            fields,
            ..NewRecord::default()
        };
        let (archived, move_caption) = (self.archived_target(caption.as_deref()), caption.clone());
        let done = std::mem::take(&mut self.done_moves);
        let id = self
            .store
            .write(|tx| {
                for m in &done {
                    tx.records().move_done(*m)?;
                }
                let id = tx.records().create(&record)?;
                if let Some(c) = &move_caption {
                    tx.records().add_move(Some(id), c, archived.as_deref())?;
                }
                // Before the commit: a crash after it leaves a .grouping.xml naming no story,
                // which the next pass replaces; never a story its folder forgot.
                xml::write_grouping(&dir, id).map_err(|e| crate::error::Error::io(&dir, e))?;
                Ok(id)
            })
            .map_err(|e| e.to_string())?;
        self.stories.insert(dir, id);
        self.move_now(caption.as_deref(), archived.as_deref());
        self.flush_moves().map_err(|e| e.to_string())?;
        Ok(Some(id))
    }

    fn archive(
        &mut self,
        folder: &Folder,
        c: &Candidate,
        story: Option<i64>,
        pre: Option<Stage>,
    ) -> Result<Outcome, KindError> {
        if let Some(prev) = self.store.records().failure(&c.path)? {
            if prev.size == c.size as i64 && prev.mtime_ns == c.mtime_ns {
                return Ok(Outcome::Skipped); // failed before, unchanged: not retried
            }
        }
        match std::fs::symlink_metadata(&c.path) {
            Ok(m) if m.len() == c.size && m.is_file() => {}
            _ => return Ok(Outcome::Skipped),
        }
        if c.size == 0 {
            return Ok(Outcome::Failed("empty file (0 bytes)".into()));
        }
        let data_dir = &self.ctx.settings.data_dir;
        let (staged, sha256, size) = match pre.unwrap_or_else(|| Staged::copy_hashing(data_dir, &c.path)) {
            Ok(v) => v,
            // Nothing wrong with the file: it stays in the hot folder for a pass with room.
            Err(e) if e.is_no_space() => {
                return Err(KindError::TryLater(format!(
                    "the data dir is full ({e}): {} and the files after it stay in the hot folder",
                    c.path.display()
                )))
            }
            Err(e) => return Ok(Outcome::Failed(format!("cannot copy it: {e}"))),
        };
        if size != c.size {
            return Ok(Outcome::Skipped); // still being written after all
        }
        let meta = match crate::media::meta::read(staged.path()) {
            Ok(m) => m,
            Err(e) => return Ok(Outcome::Failed(format!("cannot read it: {e}"))),
        };
        for warning in &meta.warnings {
            log::warn!("{}: {warning}", c.path.display());
        }
        if self.s.duplicates == Duplicates::SetAside {
            if let Some(id) = self.store.records().find_by_sha256(&folder.collection, &sha256)? {
                return Ok(Outcome::Failed(format!("duplicate of record {id} in collection {}", folder.collection)));
            }
        }
        let structure = &self.ctx.settings.structure;
        let mut fields = mapping::fields_from(&meta, structure);
        let mut status = 0;
        if let Some(caption) = &c.caption {
            if !caption.is_file() {
                return Ok(Outcome::Failed(format!("its caption {} is missing", caption.display())));
            }
            match self.caption_values(caption) {
                Ok((values, bits)) => {
                    fields.extend(values);
                    status = bits;
                }
                Err(reason) => return Ok(Outcome::Failed(reason)),
            }
        }
        let technical = mapping::technical_map(&meta.technical);
        let name = c.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let record = NewRecord {
            collection: folder.collection.clone(),
            original_name: name.clone(),
            sha256: Some(sha256),
            mime: Some(meta.mime.clone()),
            size: Some(size as i64),
            width: meta.technical.width.map(i64::from),
            height: meta.technical.height.map(i64::from),
            status: self.task_status(status),
            pending: Pending::Subdefs.bit() | Pending::Index.bit(),
            fields,
            technical,
            story,
            ..NewRecord::default()
        };
        let ext = extension(&name);
        let (target, caption_target) =
            (self.archived_target(Some(&c.path)), self.archived_target(c.caption.as_deref()));
        let done = std::mem::take(&mut self.done_moves);
        let mut placed: Option<PathBuf> = None;
        let written = self.store.write(|tx| {
            for m in &done {
                tx.records().move_done(*m)?;
            }
            let id = tx.records().create(&record)?;
            let relative = original_path(id, &ext);
            placed = Some(staged.place(data_dir, &relative)?);
            tx.records().set_stored_path(id, &relative.to_string_lossy())?;
            tx.records().add_move(Some(id), &c.path, target.as_deref())?;
            if let Some(caption) = &c.caption {
                tx.records().add_move(Some(id), caption, caption_target.as_deref())?;
            }
            tx.records().forget_failure(&c.path)?;
            Ok(id)
        });
        let id = match written {
            Ok(id) => id,
            Err(e) => {
                if let Some(p) = placed {
                    let _ = std::fs::remove_file(p); // not committed: no record names it
                }
                self.done_moves.extend(done);
                return Err(e.into());
            }
        };
        self.move_now(Some(&c.path), target.as_deref());
        self.move_now(c.caption.as_deref(), caption_target.as_deref());
        Ok(Outcome::Archived(id))
    }

    /// A caption's fields (checked against the structure) and status bits.
    fn caption_values(&self, path: &Path) -> Result<(BTreeMap<String, Vec<String>>, u32), String> {
        let caption = xml::caption(path)?;
        let structure = &self.ctx.settings.structure;
        for (field, values) in &caption.fields {
            let def = structure
                .fields
                .get(field)
                .ok_or_else(|| format!("{}: unknown field {field:?} (not in the config)", path.display()))?;
            if !def.multi && values.len() > 1 {
                return Err(format!("{}: field {field} takes one value, not {}", path.display(), values.len()));
            }
            for v in values {
                def.kind.check(v).map_err(|why| format!("{}: field {field}: {why}", path.display()))?;
            }
        }
        let status = match &caption.status {
            Some(m) => m.parse::<StatusMask>().map_err(|e| format!("{}: {e}", path.display()))?.apply(0),
            None => 0,
        };
        Ok((caption.fields, status))
    }

    fn task_status(&self, caption_bits: u32) -> u32 {
        let task = self.s.status.as_deref().and_then(|m| m.parse::<StatusMask>().ok()).unwrap_or_default();
        task.apply(0) | caption_bits
    }

    /// Where an archived file goes: `HOT_archived/REL`, or `None` (deleted) when not kept.
    fn archived_target(&self, path: Option<&Path>) -> Option<PathBuf> {
        let path = path?;
        self.s
            .move_archived
            .then(|| sibling_root(&self.s.hotfolder, "_archived").join(relative(&self.s.hotfolder, path)))
    }

    /// Does a journaled move now; the journal row goes with the next write.
    fn move_now(&mut self, source: Option<&Path>, target: Option<&Path>) {
        let Some(source) = source else { return };
        if let Err(e) = move_or_delete(source, target) {
            log::warn!("{}: archived, but not moved out of the hot folder: {e}", source.display());
        }
    }

    /// Replays the moves a crash interrupted (their records are committed).
    fn finish_interrupted_moves(&mut self) -> crate::error::Result<()> {
        let moves = self.store.records().pending_moves()?;
        for m in &moves {
            if m.source.exists() {
                if let Err(e) = move_or_delete(&m.source, m.target.as_deref()) {
                    log::warn!("{}: archived, but not moved out of the hot folder: {e}", m.source.display());
                    continue;
                }
            }
            self.done_moves.push(m.id);
        }
        self.flush_moves()
    }

    fn flush_moves(&mut self) -> crate::error::Result<()> {
        if self.done_moves.is_empty() {
            return Ok(());
        }
        let done = std::mem::take(&mut self.done_moves);
        self.store.write(|tx| done.iter().try_for_each(|m| tx.records().move_done(*m)))
    }

    /// Sets a failed file aside; false when it had already been (unchanged since).
    fn fail(&mut self, path: &Path, caption: Option<&Path>, reason: &str) -> crate::error::Result<bool> {
        let Ok(meta) = std::fs::symlink_metadata(path) else { return Ok(false) };
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i64);
        let failure = Failure { size: meta.len() as i64, mtime_ns, reason: reason.to_string() };
        if !self.s.move_error {
            if self.store.records().failure(path)?.is_some_and(|f| f.size == failure.size && f.mtime_ns == mtime_ns) {
                return Ok(false);
            }
            self.store.write(|tx| tx.records().add_failure(path, &failure))?;
            return Ok(true);
        }
        let target = sibling_root(&self.s.hotfolder, "_error").join(relative(&self.s.hotfolder, path));
        for (from, to) in
            std::iter::once((path.to_path_buf(), target.clone())).chain(caption.filter(|c| c.exists()).map(|c| {
                (c.to_path_buf(), sibling_root(&self.s.hotfolder, "_error").join(relative(&self.s.hotfolder, c)))
            }))
        {
            if let Err(e) = move_or_delete(&from, Some(&to)) {
                log::warn!("{}: cannot move it to {}: {e}", from.display(), to.display());
            }
        }
        let mut note = target.into_os_string();
        note.push(".error");
        if let Err(e) = crate::private_file::replace(Path::new(&note), format!("{reason}\n").as_bytes()) {
            log::warn!("{}: {e}", PathBuf::from(&note).display());
        }
        Ok(true)
    }
}
