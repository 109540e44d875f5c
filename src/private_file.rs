//! Files and folders phr-tasks creates or writes in its data dir (and `taskctl new`'s task
//! files): private whoever creates them first and whatever the umask (files 0600, folders
//! 0700), since job output and task files may hold secrets; and never reached through a link
//! planted at their path (`O_NOFOLLOW`; `O_EXCL` for a file that must be new), nor a FIFO or a
//! device put there, so that no one who could once write in the data dir can make root write
//! to, or create, a file of their choosing.
//!
//! Folders above the file are followed: an admin may well link `logs/` elsewhere, and as root
//! the folders themselves are only trusted when no one else can change them (see `trust`).

use nix::fcntl::{fcntl, FcntlArg, OFlag};
use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{Error, ErrorKind, Result, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The mode of every file created here, before the umask (which can only narrow it).
pub const FILE_MODE: u32 = 0o600;
/// The mode of every folder created here.
pub const DIR_MODE: u32 = 0o700;

/// Creates `dir` and the folders above it that are missing, each 0700. Existing folders
/// are left as they are.
pub fn create_dir(dir: &Path) -> Result<()> {
    DirBuilder::new().recursive(true).mode(DIR_MODE).create(dir)
}

/// Opens a log for appending, creating it (0600) and its folder: task logs, the scheduler's
/// log, job logs.
pub fn open_append(path: &Path) -> Result<File> {
    open(path, OpenOptions::new().append(true).create(true), true)
}

/// Opens a file to lock it, creating it (0600) and its folder, never truncating it:
/// the scheduler's pidfile, task locks.
pub fn open_lock(path: &Path) -> Result<File> {
    open(path, OpenOptions::new().read(true).write(true).create(true).truncate(false), true)
}

/// Opens an existing file for reading without following a link at its path.
pub fn open_read(path: &Path) -> Result<File> {
    open(path, OpenOptions::new().read(true), false)
}

/// Creates a new file (0600) and its folder; fails if anything, a link included, is at `path`.
pub fn create_new(path: &Path) -> Result<File> {
    open(path, OpenOptions::new().write(true).create_new(true), true)
}

/// Replaces the file at `path` with `contents` at once (a temp file, then a rename), so a
/// reader sees the old file or the new one, never half of one. A leftover temp file (or a
/// link put in its place) is removed first, never written through.
pub fn replace(path: &Path, contents: &[u8]) -> Result<()> {
    let tmp = temp_path(path);
    match std::fs::remove_file(&tmp) {
        Err(e) if e.kind() != ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let written = create_new(&tmp).and_then(|mut f| f.write_all(contents));
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}

/// `NAME.tmp` next to `NAME`: each file its own temp file (`t.pid` and `t.cmd` must not share one).
fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Opens with `options`, plus: the folder created first when `creating`, mode 0600 for a new
/// file, no link followed at `path`, and only a regular file accepted (opened without
/// blocking, so a FIFO in the way cannot hang us).
fn open(path: &Path, options: &mut OpenOptions, creating: bool) -> Result<File> {
    if let Some(dir) = path.parent().filter(|d| creating && !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            create_dir(dir)?;
        }
    }
    let file = options
        .mode(FILE_MODE)
        .custom_flags((OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK).bits())
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => Error::new(ErrorKind::InvalidInput, "a symbolic link is in the way (not followed)"),
            _ => e,
        })?;
    if !file.metadata()?.is_file() {
        return Err(Error::new(ErrorKind::InvalidInput, "not a regular file"));
    }
    let flags = OFlag::from_bits_truncate(fcntl(&file, FcntlArg::F_GETFL)?);
    fcntl(&file, FcntlArg::F_SETFL(flags - OFlag::O_NONBLOCK))?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_and_folders_are_private_and_links_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("a/b/x.log");
        open_append(&log).unwrap().write_all(b"x").unwrap();
        assert_eq!((mode(&dir.path().join("a")), mode(&dir.path().join("a/b")), mode(&log)), (0o700, 0o700, 0o600));
        let target = dir.path().join("target");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(open_append(&link).unwrap_err().to_string().contains("symbolic link"));
        assert!(open_lock(&link).is_err() && create_new(&link).is_err() && open_read(&link).is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    }

    #[test]
    fn replace_removes_a_link_at_its_temp_path_instead_of_writing_through_it() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "keep").unwrap();
        let path = dir.path().join("t.pid");
        std::os::unix::fs::symlink(&target, dir.path().join("t.pid.tmp")).unwrap();
        replace(&path, b"1 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "1 2\n");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        assert!(!dir.path().join("t.pid.tmp").exists());
    }

    #[test]
    fn a_fifo_in_the_way_is_refused_without_hanging() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("x.log");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        let err = open_append(&fifo).unwrap_err();
        assert!(err.raw_os_error() == Some(libc::ENXIO) || err.to_string().contains("regular"), "{err}");
    }
}
