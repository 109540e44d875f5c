//! What root may trust. Run as root, phr-tasks opens the store its data dir holds, runs the
//! commands its task files name and the handlers in `jobs.d/`: if another user could replace
//! any of them, what that user wrote would run as root. So, as sshd (StrictModes) and cron do,
//! root refuses a path unless it and every folder above it up to `/` are owned by root (or the
//! running user) and not writable by group or others. A root-owned sticky folder above it
//! (such as `/tmp`) is accepted: there no one else can rename or remove what root owns.
//!
//! Only enforced when the effective uid is 0: a user's own files are theirs to trust.

use crate::error::{Error, Result};
use nix::unistd::{geteuid, Uid, User};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Whether paths are checked: only when running as root.
pub fn enforced() -> bool {
    geteuid().is_root()
}

/// Refuses `path` (which may not exist yet: then the folders that would hold it) when another
/// user could have changed it or a folder above it, with the fix in the message. Both the path
/// as given and the path its links lead to are checked. Does nothing unless running as root.
pub fn check(path: &Path) -> Result<()> {
    if !enforced() {
        return Ok(());
    }
    let given = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    check_chain(&given)?;
    let real = real_path(&given);
    if real != given {
        check_chain(&real)?;
    }
    Ok(())
}

/// The absolute path with every link resolved, for a path that does not exist yet too (its
/// deepest existing folder resolved, the rest appended): where a file will really be created.
pub fn real_path(path: &Path) -> PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    for base in path.ancestors() {
        if let Ok(real) = std::fs::canonicalize(base) {
            return match path.strip_prefix(base) {
                Ok(rest) if !rest.as_os_str().is_empty() => real.join(rest),
                _ => real,
            };
        }
    }
    path
}

/// Checks every existing path from `/` down to `path`, so the message names the highest one at
/// fault. A link is not checked itself (its mode means nothing): the folder holding it is.
fn check_chain(path: &Path) -> Result<()> {
    let me = geteuid();
    let mut chain: Vec<&Path> = path.ancestors().collect();
    chain.reverse();
    for (i, p) in chain.iter().enumerate() {
        let Ok(meta) = std::fs::symlink_metadata(p) else { continue }; // not there (yet): nothing to trust
        if meta.is_symlink() {
            continue; // its folder is checked here, where it leads in the canonical path
        }
        let last = i + 1 == chain.len();
        let owner = Uid::from_raw(meta.uid());
        let foreign_owner = !owner.is_root() && owner != me;
        let sticky_root_dir = meta.is_dir() && meta.mode() & 0o1000 != 0 && owner.is_root();
        let writable = meta.mode() & 0o022 != 0 && (last || !sticky_root_dir);
        if !foreign_owner && !writable {
            continue;
        }
        let mut problems = Vec::new();
        let mut fixes = Vec::new();
        let shown = p.display();
        if foreign_owner {
            problems.push(format!("is owned by {}", user_name(owner)));
            fixes.push(format!("chown root {shown}"));
        }
        if writable {
            problems.push(format!("is writable by {} (mode {:04o})", who_can_write(meta.mode()), meta.mode() & 0o7777));
            fixes.push(format!("chmod go-w {shown}"));
        }
        return Err(Error::Untrusted {
            path: PathBuf::from(p),
            problem: problems.join(" and "),
            fix: fixes.join(" && "),
        });
    }
    Ok(())
}

fn user_name(uid: Uid) -> String {
    match User::from_uid(uid) {
        Ok(Some(user)) => format!("{} (uid {uid})", user.name),
        _ => format!("uid {uid}"),
    }
}

fn who_can_write(mode: u32) -> &'static str {
    match (mode & 0o020 != 0, mode & 0o002 != 0) {
        (true, true) => "group and others",
        (true, false) => "its group",
        _ => "others",
    }
}
