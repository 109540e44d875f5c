//! Moving hot-folder files out once archived or failed, as Phraseanet does: into the sibling
//! folders `HOT_archived/` and `HOT_error/`, keeping their relative paths, never over another
//! file; and the magic files' aftermath once a folder is done.

use super::xml::Magic;
use std::path::{Path, PathBuf};

/// `/srv/hot` → `/srv/hot_archived` (Phraseanet's sibling folders).
pub fn sibling_root(hot: &Path, suffix: &str) -> PathBuf {
    let mut name = hot.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    hot.with_file_name(name)
}

pub fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.file_name().map(PathBuf::from).unwrap_or_default())
}

/// A stored original's extension: the name's, lower-cased, letters and digits only.
pub fn extension(name: &str) -> String {
    let ext = Path::new(name).extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if ext.len() <= 10 && ext.chars().all(|c| c.is_ascii_alphanumeric()) {
        ext
    } else {
        String::new()
    }
}

/// Moves `source` to `target` (never over an existing file: a `.N` suffix is added), or
/// deletes it when there is no target. Across filesystems: copy, fsync, then delete.
pub fn move_or_delete(source: &Path, target: Option<&Path>) -> std::io::Result<()> {
    let Some(target) = target else { return std::fs::remove_file(source) };
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut to = target.to_path_buf();
    let mut n = 1;
    while std::fs::symlink_metadata(&to).is_ok() {
        let mut name = target.as_os_str().to_owned();
        name.push(format!(".{n}"));
        to = PathBuf::from(name);
        n += 1;
    }
    match std::fs::rename(source, &to) {
        Err(e) if e.raw_os_error() == Some(libc::EXDEV) => {
            std::fs::copy(source, &to)?;
            std::fs::File::open(&to)?.sync_all()?;
            std::fs::remove_file(source)
        }
        other => other,
    }
}

/// Once a folder is archived: an `unlock` magic file is removed, a `lock` one re-created.
pub fn after_folder(dir: &Path, magic: Option<&Magic>) {
    let result = match magic {
        Some(Magic::Unlock(name)) => std::fs::remove_file(dir.join(name)),
        Some(Magic::Lock(name)) => crate::private_file::replace(&dir.join(name), b""),
        None => Ok(()),
    };
    if let Err(e) = result {
        log::warn!("{}: magic file: {e}", dir.display());
    }
}
