//! Where a record's files live under the data dir, and how they get there: written to a temp
//! file in the same filesystem, fsynced, renamed into place, and the folder fsynced, so a
//! crash leaves either the whole file or none. Folders hold at most 1,000 records each
//! (`originals/000/001/1234.jpg`), whatever the size of the library.

use crate::error::{Error, Result};
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The folder (relative to the data dir) of record `id`'s files of one kind (`originals`,
/// `subdefs`): two levels of at most 1,000 entries.
pub fn record_dir(kind: &str, id: i64) -> PathBuf {
    let id = id.max(0);
    PathBuf::from(kind).join(format!("{:03}", (id / 1_000_000) % 1000)).join(format!("{:03}", (id / 1000) % 1000))
}

/// The stored original's path (relative to the data dir): `originals/000/001/1234.jpg`.
pub fn original_path(id: i64, extension: &str) -> PathBuf {
    let name = if extension.is_empty() { id.to_string() } else { format!("{id}.{extension}") };
    record_dir("originals", id).join(name)
}

/// Whether a path the store gives (relative to the data dir) stays inside it: relative, no
/// `..`. A store edited by hand never makes a kind read or rewrite a file elsewhere.
pub fn is_inside(relative: &str) -> bool {
    !relative.is_empty() && Path::new(relative).components().all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// A file being written into the data dir: it exists only as a temp file until [`Staged::place`].
pub struct Staged {
    tmp: PathBuf,
}

/// Where temp files are staged: on the data dir's filesystem, so placing one is a rename.
pub fn staging_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("tmp")
}

impl Staged {
    /// Copies `source` into a private temp file of the data dir and fsyncs it.
    pub fn copy_from(data_dir: &Path, source: &Path) -> Result<Staged> {
        let mut input = File::open(source).map_err(|e| Error::io(source, e))?;
        let staged = Staged::create(data_dir)?;
        let mut out = staged.open()?;
        std::io::copy(&mut input, &mut out).map_err(|e| Error::io(&staged.tmp, e))?;
        out.sync_all().map_err(|e| Error::io(&staged.tmp, e))?;
        Ok(staged)
    }

    /// Copies the file `input` opened (`source` names it in errors), from its start, into a
    /// private temp file of the data dir without syncing it: for a copy that is changed next
    /// (`phr-meta write`) and synced once after with [`Staged::sync`]. The copy is done in the
    /// kernel (`copy_file_range`, which `std::io::copy` uses between files).
    pub fn copy_unsynced(data_dir: &Path, input: &File, source: &Path) -> Result<Staged> {
        use std::io::Seek;
        let mut input = input;
        input.rewind().map_err(|e| Error::io(source, e))?;
        let staged = Staged::create(data_dir)?;
        let mut out = staged.open()?;
        std::io::copy(&mut input, &mut out).map_err(|e| Error::io(&staged.tmp, e))?;
        Ok(staged)
    }

    /// Fsyncs the temp file as it is now (after a program rewrote it in place).
    pub fn sync(&self) -> Result<()> {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&self.tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(&self.tmp, e))
    }

    /// [`Staged::copy_from`], computing the copy's SHA-256 and size as it goes (one read of
    /// the source, which may be on a slow share).
    pub fn copy_hashing(data_dir: &Path, source: &Path) -> Result<(Staged, String, u64)> {
        let mut input = open_source(source)?;
        let (staged, sha256, size) = Staged::write_hashing(data_dir, &[], &mut input, source)?;
        staged.sync()?;
        Ok((staged, sha256, size))
    }

    /// Writes `head` then everything `tail` reads into a private temp file of the data dir,
    /// computing the SHA-256 and size of what was written as it goes (no second read), without
    /// syncing it (the caller syncs with [`Staged::sync`]). `tail_name` names `tail` in errors.
    pub fn write_hashing(
        data_dir: &Path,
        head: &[u8],
        tail: &mut impl std::io::Read,
        tail_name: &Path,
    ) -> Result<(Staged, String, u64)> {
        use sha2::Digest;
        let staged = Staged::create(data_dir)?;
        let mut out = staged.open()?;
        let mut hasher = sha2::Sha256::new();
        hasher.update(head);
        out.write_all(head).map_err(|e| Error::io(&staged.tmp, e))?;
        let mut buf = vec![0u8; 1 << 20];
        let mut size = head.len() as u64;
        loop {
            let n = match tail.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(tail_name, e)),
            };
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(|e| Error::io(&staged.tmp, e))?;
            size += n as u64;
        }
        Ok((staged, hex(&hasher.finalize()), size))
    }

    /// Writes `bytes` into a private temp file of the data dir and fsyncs it.
    pub fn from_bytes(data_dir: &Path, bytes: &[u8]) -> Result<Staged> {
        let staged = Staged::create(data_dir)?;
        let mut out = staged.open()?;
        out.write_all(bytes).and_then(|()| out.sync_all()).map_err(|e| Error::io(&staged.tmp, e))?;
        Ok(staged)
    }

    fn create(data_dir: &Path) -> Result<Staged> {
        let dir = staging_dir(data_dir);
        make_private_dir(&dir)?;
        let name = format!("{}-{}.part", std::process::id(), unique());
        Ok(Staged { tmp: dir.join(name) })
    }

    fn open(&self) -> Result<File> {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&self.tmp)
            .map_err(|source| Error::CantCreate { path: self.tmp.clone(), source })
    }

    /// The temp file, to read back what was staged (a checksum, metadata).
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Renames the file to `data_dir/relative` and fsyncs its folder: from now on it is there
    /// whole, whatever happens.
    pub fn place(self, data_dir: &Path, relative: &Path) -> Result<PathBuf> {
        let placed = self.rename_into(data_dir, relative)?;
        sync_dir(placed.parent().unwrap_or(data_dir))?;
        Ok(placed)
    }

    /// Renames the file to `data_dir/relative` without fsyncing its folder, so that many files
    /// placed in one folder share one [`sync_dir`]; until the caller has synced the folder, a
    /// crash may bring back the file that was there before (never a half-written one).
    pub fn rename_into(self, data_dir: &Path, relative: &Path) -> Result<PathBuf> {
        let target = data_dir.join(relative);
        make_private_dir(target.parent().unwrap_or(data_dir))?;
        std::fs::rename(&self.tmp, &target).map_err(|e| Error::io(&target, e))?;
        std::mem::forget(self); // placed: nothing left to clean up
        Ok(target)
    }
}

impl Drop for Staged {
    /// A staged file never placed (an error, a refused record) is removed.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// Removes staged files and scratch folders left by processes that died before placing them
/// (`kill -9`, a power cut): each is named after its process's pid, and one whose process is
/// gone will never be placed. Processes still working in a stale scratch folder (what the dead
/// run's helper started) are killed first. Returns how many went; what cannot be removed is
/// left for next time.
pub fn remove_stale_staged(data_dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(staging_dir(data_dir)) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let (stem, is_dir) = match (name.strip_suffix(".part"), name.strip_suffix(".dir")) {
            (Some(stem), _) => (stem, false),
            (None, Some(stem)) => (stem, true),
            (None, None) => continue,
        };
        let pid = stem.split_once('-').and_then(|(pid, _)| pid.parse::<i32>().ok()).filter(|&p| p > 0);
        let Some(pid) = pid else { continue };
        // Signal 0 only asks whether the process exists; ESRCH: it does not.
        let gone = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None) == Err(nix::errno::Errno::ESRCH);
        if !gone {
            continue;
        }
        let path = entry.path();
        if is_dir {
            crate::process::kill_working_in(&path); // what its helper started, still running
        }
        let went = if is_dir { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
        removed += usize::from(went.is_ok());
    }
    removed
}

/// A private folder under the data dir's `tmp/` for one helper program's output (ffmpeg's
/// poster frame, pdftoppm's page), removed with everything in it when dropped; one left by a
/// killed process is removed by [`remove_stale_staged`].
#[derive(Debug)]
pub struct ScratchDir {
    dir: PathBuf,
}

impl ScratchDir {
    /// Creates a new, empty scratch folder.
    pub fn new(data_dir: &Path) -> Result<ScratchDir> {
        make_private_dir(&staging_dir(data_dir))?;
        let dir = staging_dir(data_dir).join(format!("{}-{}.dir", std::process::id(), unique()));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(|source| Error::CantCreate { path: dir.clone(), source })?;
        Ok(ScratchDir { dir })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Opens a file to archive, refusing what a scan's checks could have missed if it was swapped
/// since: a link, a FIFO or device (opened without blocking), and, as root, a file with other
/// hard links (someone who can write the hot folder could link a file only root may read).
fn open_source(source: &Path) -> Result<File> {
    use std::os::unix::fs::MetadataExt;
    let refuse = |why: String| Error::io(source, std::io::Error::other(why));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(source)
        .map_err(|e| Error::io(source, e))?;
    let meta = file.metadata().map_err(|e| Error::io(source, e))?;
    if !meta.is_file() {
        return Err(refuse("not a regular file".into()));
    }
    if meta.nlink() > 1 && nix::unistd::geteuid().is_root() {
        return Err(refuse(format!(
            "has {} hard links: as root, a file linked from elsewhere is never archived",
            meta.nlink()
        )));
    }
    Ok(file)
}

/// Fsyncs a folder, so a rename or a removal in it survives a crash.
pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| Error::io(dir, e))
}

/// Creates a folder (and its parents) private to the owner.
pub fn make_private_dir(dir: &Path) -> Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| Error::CantCreate { path: dir.to_path_buf(), source })
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    (u64::from(nanos) << 20) ^ N.fetch_add(1, Ordering::Relaxed)
}

/// The SHA-256 of a file, hex: what finds a duplicate in a collection.
pub fn sha256_file(path: &Path) -> Result<String> {
    use sha2::Digest;
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = sha2::Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| Error::io(path, e))?;
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_folder_holds_more_than_a_thousand_records() {
        assert_eq!(original_path(1234, "jpg"), PathBuf::from("originals/000/001/1234.jpg"));
        assert_eq!(original_path(7_654_321, ""), PathBuf::from("originals/007/654/7654321"));
        assert_eq!(record_dir("subdefs", 999), PathBuf::from("subdefs/000/000"));
    }
}
