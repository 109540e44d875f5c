//! An in-memory copy of a file (or of a JPEG's head) for exiv2 to rewrite: exiv2 only writes
//! files by path, and it rewrites the whole file (reading it, truncating it, writing it again
//! in 4 KB pieces). Done on a `memfd` (reached by path as `/proc/self/fd/N`), that work costs
//! no file-system allocation, no write-back started on close and no inode churn in the data
//! dir; the result is then copied into the data dir once. The memory is freed when the copy is
//! dropped.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// Files larger than this are rewritten in the data dir instead: each thread holds its file in
/// memory once here and once more in exiv2, and a large TIFF on every thread would not fit.
const MAX_IN_MEMORY: u64 = 64 << 20;

/// A file in memory, reachable by path.
pub struct Scratch {
    /// The memory file (its path is only valid while it is open).
    file: File,
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
    /// Copies the first `len` bytes of `input` (all of it: `u64::MAX`) into memory, from its
    /// start; the caller keeps the source's metadata.
    pub fn copy_of(input: &File, len: u64, source: &Path) -> Result<Scratch, ScratchError> {
        use nix::sys::memfd::{memfd_create, MFdFlags};
        use std::io::{Read, Seek};
        let io = |e| ScratchError::Source(crate::error::Error::io(source, e));
        let whole = input.metadata().map_err(io)?.len();
        if whole.min(len) > MAX_IN_MEMORY {
            return Err(ScratchError::Unavailable);
        }
        let fd = memfd_create(c"phr-meta-write", MFdFlags::MFD_CLOEXEC).map_err(|_| ScratchError::Unavailable)?;
        let mut file = File::from(fd);
        let path = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
        if !path.exists() {
            return Err(ScratchError::Unavailable);
        }
        let mut input = input;
        input.rewind().map_err(io)?;
        std::io::copy(&mut input.take(len), &mut file).map_err(io)?;
        Ok(Scratch { file, path })
    }

    /// The path exiv2 opens it by.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its content as it is now (after exiv2 rewrote it), read from the start.
    pub fn reader(&self) -> std::io::Result<&File> {
        use std::io::Seek;
        let mut file = &self.file;
        file.rewind()?;
        Ok(file)
    }

    /// Its content, whole.
    pub fn bytes(&self) -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let mut bytes = Vec::new();
        self.reader()?.read_to_end(&mut bytes)?;
        Ok(bytes)
    }
}
