//! One look at a hot folder, as Phraseanet's archive task looks: the root must hold a
//! `.phrasea.xml`; each folder's own `.phrasea.xml` may redirect it (and below) to another
//! collection or gate it with a magic file; dot files (but those two XML files), `Thumbs.db`
//! and `par-system` are ignored; a file is taken once unchanged for the task's delay; the first
//! matching mask accepts it and names its caption sidecar; a folder matching a grouping mask
//! becomes a story. What cannot be taken is listed with its reason, never dropped.

use super::xml::{self, Magic};
use crate::databox::Structure;
use regex::Regex;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A file mask or grouping mask, compiled.
#[derive(Debug, Clone)]
pub struct Mask {
    pub regex: Regex,
    /// The sidecar's name, `$1.xml`, from the regex's groups.
    pub caption: Option<String>,
}

/// What a scan needs from the task's settings.
pub struct ScanRules<'a> {
    pub root: &'a Path,
    pub collection: &'a str,
    pub delay: Duration,
    pub files: &'a [Mask],
    pub groupings: &'a [Mask],
    pub structure: &'a Structure,
}

/// A story a folder's files join.
#[derive(Debug, Clone, PartialEq)]
pub enum Story {
    /// A story the store has (the folder's `.grouping.xml` names it).
    Existing(i64),
    /// A folder matching a grouping mask, not archived yet: its story is created first.
    New { dir: PathBuf, caption: Option<PathBuf> },
}

/// A file ready to archive.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub path: PathBuf,
    pub size: u64,
    pub mtime_ns: i64,
    pub caption: Option<PathBuf>,
}

/// One folder's work.
#[derive(Debug, Clone)]
pub struct Folder {
    pub dir: PathBuf,
    pub collection: String,
    pub magic: Option<Magic>,
    pub story: Option<Story>,
    pub files: Vec<Candidate>,
    /// Files that cannot be archived, with why (they go to `_error`).
    pub errors: Vec<(PathBuf, String)>,
    /// Why the whole folder waits (a bad `.phrasea.xml`): its files stay where they are.
    pub blocked: Option<String>,
}

/// Why the whole scan could not run.
pub fn missing_root_rules(root: &Path) -> Option<String> {
    if !root.is_dir() {
        return Some(format!("hot folder {} is not a folder", root.display()));
    }
    let rules = root.join(".phrasea.xml");
    (!rules.is_file()).then(|| {
        format!(
            "hot folder {} has no .phrasea.xml at its root: add one (<record/> will do) to allow archiving",
            root.display()
        )
    })
}

/// Scans the hot folder; folders come parents first. Problems with a whole folder (a bad
/// `.phrasea.xml`) are returned as its errors with no files, so fixing it is enough.
pub fn scan(rules: &ScanRules<'_>) -> Vec<Folder> {
    let mut out = Vec::new();
    visit(rules, rules.root, rules.collection.to_string(), None, &mut out);
    out
}

fn visit(rules: &ScanRules<'_>, dir: &Path, collection: String, story: Option<Story>, out: &mut Vec<Folder>) {
    let mut folder = Folder {
        dir: dir.to_path_buf(),
        collection,
        magic: None,
        story,
        files: Vec::new(),
        errors: Vec::new(),
        blocked: None,
    };
    let phrasea = dir.join(".phrasea.xml");
    if phrasea.is_file() {
        match xml::folder_rules(&phrasea) {
            Err(reason) => return out.push(folder_error(folder, reason)),
            Ok(r) => {
                if let Some(c) = r.collection {
                    match rules.structure.collection(&c) {
                        Some((name, _)) => folder.collection = name.to_string(),
                        None => {
                            let reason = format!("{}: unknown collection {c:?}", phrasea.display());
                            return out.push(folder_error(folder, reason));
                        }
                    }
                }
                folder.magic = r.magic;
            }
        }
    }
    match &folder.magic {
        Some(Magic::Unlock(name)) if !dir.join(name).exists() => return, // waits for its go
        Some(Magic::Lock(name)) if dir.join(name).exists() => return,    // someone is still writing
        _ => {}
    }
    let grouping = dir.join(".grouping.xml");
    if grouping.is_file() {
        match xml::grouping_story(&grouping) {
            Ok(Some(id)) => folder.story = Some(Story::Existing(id)),
            Ok(None) => {}
            Err(reason) => return out.push(folder_error(folder, reason)),
        }
    }
    let mut names: Vec<std::ffi::OsString> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.file_name())).collect(),
        Err(e) => return out.push(folder_error(folder, format!("{}: {e}", dir.display()))),
    };
    names.sort();
    let magic_name = folder.magic.as_ref().map(|m| m.name().to_string());
    let mut subdirs = Vec::new();
    let mut files = Vec::new();
    for name in names {
        if ignored(&name) || magic_name.as_deref().is_some_and(|m| name == m) {
            continue;
        }
        let path = dir.join(&name);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => subdirs.push(path),
            Ok(m) if m.is_file() && m.nlink() > 1 && nix::unistd::geteuid().is_root() => {
                // Whoever can write the hot folder could link a file only root may read.
                let reason =
                    format!("has {} hard links: as root, a file linked from elsewhere is never archived", m.nlink());
                folder.errors.push((path, reason));
            }
            Ok(m) if m.is_file() => files.push((path, m)),
            Ok(_) => folder.errors.push((path, "not a regular file (a link, a device…): never archived".into())),
            Err(e) => folder.errors.push((path, e.to_string())),
        }
    }
    take_files(rules, &mut folder, files);
    let (collection, story) = (folder.collection.clone(), folder.story.clone());
    out.push(folder);
    for sub in subdirs {
        let sub_story = grouping_of(rules, &sub).or_else(|| story.clone());
        visit(rules, &sub, collection.clone(), sub_story, out);
    }
}

/// A folder matching a grouping mask that is not a story yet becomes a new one.
fn grouping_of(rules: &ScanRules<'_>, dir: &Path) -> Option<Story> {
    if dir.join(".grouping.xml").is_file() {
        return None; // read when the folder is visited
    }
    let name = dir.file_name()?.to_str()?;
    rules.groupings.iter().find_map(|m| {
        let caps = m.regex.captures(name)?;
        let caption = m.caption.as_ref().map(|c| {
            let mut expanded = String::new();
            caps.expand(c, &mut expanded);
            dir.parent().unwrap_or(dir).join(expanded)
        });
        Some(Story::New { dir: dir.to_path_buf(), caption })
    })
}

fn take_files(rules: &ScanRules<'_>, folder: &mut Folder, files: Vec<(PathBuf, std::fs::Metadata)>) {
    let cold_before = SystemTime::now().checked_sub(rules.delay).unwrap_or(SystemTime::UNIX_EPOCH);
    let mut taken: Vec<Candidate> = Vec::new();
    let mut unmatched: Vec<PathBuf> = Vec::new();
    for (path, meta) in &files {
        let mtime = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        if mtime > cold_before {
            continue; // still hot: written within the delay
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let matched = rules.files.iter().find_map(|m| m.regex.captures(&name).map(|caps| (m, caps)));
        let Some((mask, caps)) = matched else {
            unmatched.push(path.clone());
            continue;
        };
        let caption = mask.caption.as_ref().map(|c| {
            let mut expanded = String::new();
            caps.expand(c, &mut expanded);
            folder.dir.join(expanded)
        });
        let mtime_ns = mtime.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i64);
        taken.push(Candidate { path: path.clone(), size: meta.len(), mtime_ns, caption });
    }
    // Sidecars travel with their file: they are neither archived nor errors on their own.
    let captions: Vec<PathBuf> = taken.iter().filter_map(|c| c.caption.clone()).collect();
    let story_caption = match &folder.story {
        Some(Story::New { caption: Some(c), .. }) => Some(c.clone()),
        _ => None,
    };
    let is_caption =
        |p: &PathBuf| captions.contains(p) || story_caption.as_ref() == Some(p) || is_grouping_caption(rules, p);
    taken.retain(|c| !is_caption(&c.path));
    for path in unmatched.into_iter().filter(|p| !is_caption(p)) {
        folder.errors.push((path, "matches no file mask of the task".into()));
    }
    folder.files = taken;
}

/// Whether `path` is the caption of a sibling folder matching a grouping mask.
fn is_grouping_caption(rules: &ScanRules<'_>, path: &Path) -> bool {
    let Some(dir) = path.parent() else { return false };
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    entries.flatten().filter(|e| e.path().is_dir()).any(|e| match grouping_of(rules, &e.path()) {
        Some(Story::New { caption: Some(c), .. }) => c == path,
        _ => false,
    })
}

fn ignored(name: &std::ffi::OsStr) -> bool {
    let n = name.to_string_lossy();
    n.starts_with('.') || n.eq_ignore_ascii_case("thumbs.db") || n.eq_ignore_ascii_case("par-system")
}

fn folder_error(mut folder: Folder, reason: String) -> Folder {
    folder.files.clear();
    folder.errors.clear();
    folder.magic = None;
    folder.blocked = Some(reason);
    folder
}
