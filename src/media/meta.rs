//! [`read`]: one file's type, technical facts and metadata tags, as the `phr-archive` and
//! `phr-meta read` task kinds need them.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::exiv::TagMap;
use super::sniff::{mime_of, SNIFF_LEN};
use super::{pixels, tags};

/// Why a file's metadata could not be read at all. Broken or missing metadata is not an
/// error (it is a warning in [`FileMetadata::warnings`]): only a file that cannot be read is.
#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    /// This program did not install exiv2 (a bug: see `media::backend`).
    #[error("this program reads no metadata (exiv2 not installed in it)")]
    NoExiv2,
    /// The file could not be opened or read (missing, permission denied, I/O error).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file asked for.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The path names something other than a file (a directory, a device…).
    #[error("{}: not a regular file", path.display())]
    NotAFile {
        /// The path asked for.
        path: PathBuf,
    },
}

/// The technical facts of a file that tasks act on (thumbnail sizes, rotation, archiving
/// records), read from headers and EXIF; each is `None` where the file does not say.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Technical {
    /// Pixel width as stored, before orientation is applied.
    pub width: Option<u32>,
    /// Pixel height as stored, before orientation is applied.
    pub height: Option<u32>,
    /// EXIF orientation, 1 to 8 (other values are dropped with a warning).
    pub orientation: Option<u16>,
    /// EXIF Make, trimmed.
    pub camera_make: Option<String>,
    /// EXIF Model, trimmed.
    pub camera_model: Option<String>,
    /// EXIF DateTimeOriginal as `YYYY-MM-DDTHH:MM:SS` (no zone: EXIF has none).
    pub date_taken: Option<String>,
    /// The colour model: `Gray`, `RGB`, `CMYK`, or `sRGB` when EXIF says an RGB image is sRGB.
    pub colour_space: Option<String>,
    /// Bits per colour sample as stored (1 to 16).
    pub bits_per_sample: Option<u16>,
    /// Whether the pixels carry an alpha channel.
    pub has_alpha: Option<bool>,
    /// Running time of audio or video; not read yet, so always `None`.
    pub duration_secs: Option<f64>,
}

/// What could be read from one file: its type by content, its technical facts, its metadata
/// tags (through [`FileMetadata::values`]), and what could not be read and why.
#[derive(Debug, Clone)]
pub struct FileMetadata {
    /// MIME type from the file's content, `application/octet-stream` when unknown.
    pub mime: String,
    /// Pixel size, orientation, camera, date taken, colour model.
    pub technical: Technical,
    /// What could not be read and why (broken EXIF, truncated file…), one sentence each.
    pub warnings: Vec<String>,
    tags: TagMap,
}

impl FileMetadata {
    /// The values of a tag named as admins know it from exiftool: `XMP-dc:Title`,
    /// `IPTC:Keywords`, `IPTC:By-line`, `EXIF:DateTimeOriginal`, `XMP-photoshop:City`… (an
    /// exiv2 key such as `Xmp.dc.title` works too), so task configurations can name tags the
    /// way admins already do. Multi-valued tags (IPTC repeated datasets, XMP bags and
    /// sequences) give one entry per value in order; an XMP language alternative gives its
    /// `x-default` value. EXIF values are exiv2's raw text (`6`, `72/1`). `None` when absent.
    pub fn values(&self, tag: &str) -> Option<Vec<String>> {
        tags::exiv2_keys(tag).iter().find_map(|key| self.tags.get(key)).map(<[String]>::to_vec)
    }

    /// Every metadata tag read, as (exiv2 key, values) sorted by key, for listing them all
    /// (`phr-meta read` without a tag name).
    pub fn tags(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.tags.iter()
    }
}

/// Reads a file's metadata: type by content, technical facts from headers and EXIF, and every
/// EXIF, IPTC and XMP tag, without decoding pixels or running another program.
///
/// Errors only when the file itself cannot be read (missing, unreadable, a directory), naming
/// the path. A file with no or broken metadata, an empty or truncated file, or one that is not
/// what its extension says, gives `Ok` with [`FileMetadata::warnings`] saying what was missed.
pub fn read(path: &Path) -> Result<FileMetadata, MetaError> {
    let io_err = |source| MetaError::Io { path: path.to_path_buf(), source };
    let mut file = File::open(path).map_err(io_err)?;
    let info = file.metadata().map_err(io_err)?;
    if !info.is_file() {
        return Err(MetaError::NotAFile { path: path.to_path_buf() });
    }
    let head = read_head(&mut file).map_err(io_err)?;
    drop(file);
    let mut out = FileMetadata {
        mime: mime_of(&head),
        technical: Technical::default(),
        warnings: Vec::new(),
        tags: TagMap::default(),
    };
    if head.is_empty() {
        out.warnings.push("empty file: nothing to read".to_string());
        return Ok(out);
    }
    pixels::probe(path, &out.mime, &mut out.technical, &mut out.warnings);
    let exiv2 = super::backend::exiv2().ok_or(MetaError::NoExiv2)?;
    out.tags = (exiv2.read)(path, &mut out.technical, &mut out.warnings);
    Ok(out)
}

/// The first [`SNIFF_LEN`] bytes of `file` (fewer when it is shorter).
fn read_head(file: &mut File) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    file.take(SNIFF_LEN as u64).read_to_end(&mut head)?;
    Ok(head)
}
