//! An in-memory copy of a file for exiv2 to rewrite: exiv2 only writes files by path, and it
//! rewrites the whole file (reading it, truncating it, writing it again in 4 KB pieces). Done
//! on a `memfd` (reached by path as `/proc/self/fd/N`), that work costs no file-system
//! allocation, no write-back started on close and no inode churn in the data dir; the result
//! is then copied into the data dir once. The memory is freed when the copy is dropped.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// Files larger than this are rewritten in the data dir instead: each thread holds its file in
/// memory once here and once more in exiv2, and a large TIFF on every thread would not fit.
const MAX_IN_MEMORY: u64 = 64 << 20;

/// A file in memory, reachable by path.
pub struct Scratch {
    /// Keeps the memory file open (its path is only valid while it is).
    _file: File,
    path: PathBuf,
}

/// Why no scratch copy was made.
pub enum ScratchError {
    /// This system has no memfd or no `/proc`, or the file is large: the caller works in the
    /// data dir instead.
    Unavailable,
    /// The source could not be read.
    Source(crate::error::Error),
}

impl Scratch {
    /// Copies `source` into memory; returns the copy and the source's metadata as copied.
    pub fn copy_of(source: &Path) -> Result<(Scratch, std::fs::Metadata), ScratchError> {
        use nix::sys::memfd::{memfd_create, MFdFlags};
        let io = |e| ScratchError::Source(crate::error::Error::io(source, e));
        let mut input = File::open(source).map_err(io)?;
        let before = input.metadata().map_err(io)?;
        if before.len() > MAX_IN_MEMORY {
            return Err(ScratchError::Unavailable);
        }
        let fd = memfd_create(c"phr-meta-write", MFdFlags::MFD_CLOEXEC).map_err(|_| ScratchError::Unavailable)?;
        let mut file = File::from(fd);
        let path = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
        if !path.exists() {
            return Err(ScratchError::Unavailable);
        }
        std::io::copy(&mut input, &mut file).map_err(io)?;
        Ok((Scratch { _file: file, path }, before))
    }

    /// The path exiv2 opens it by.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
