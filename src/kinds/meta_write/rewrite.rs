//! A file's new content, with the record's values written in by exiv2, staged unsynced in the
//! data dir with its SHA-256 and size (computed as it is written, not read back). Three ways,
//! the cheapest that applies:
//! - a JPEG: exiv2 rewrites its head alone, everything before the first scan
//!   ([`jpeg_head`](crate::media::jpeg_head)), in memory; the rest of the file is appended
//!   from the original as it is, which is what exiv2 would copy. On a 600 KB photo exiv2 then
//!   handles a few KB instead of the whole file, under the lock that serialises it;
//! - another format (TIFF, PNG…): exiv2 rewrites an in-memory copy of the whole file;
//! - no memfd on this system, or a file over the in-memory limit: exiv2 rewrites a copy in
//!   the data dir, read back for its checksum.

use super::apply::Timings;
use super::scratch::{Scratch, ScratchError};
use crate::databox::files::{self, Staged};
use crate::kinds::ItemError;
use crate::media::{jpeg_head, write};
use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::Instant;

/// A file's new content, staged.
pub struct Rewritten {
    pub staged: Staged,
    /// The file as it was when read: placing is refused if it was replaced meanwhile.
    pub source: std::fs::Metadata,
    pub sha256: String,
    pub size: u64,
    /// Tags exiv2 skipped (a family the format cannot hold), one sentence each.
    pub skipped: Vec<String>,
}

/// Writes `tags` into a staged copy of the file at `path`.
pub fn rewrite(data_dir: &Path, path: &Path, tags: &[write::TagValues], t: &Timings) -> Result<Rewritten, ItemError> {
    let io = |e: std::io::Error| format!("{}: {e}", path.display());
    // Never through a link or onto a FIFO planted at the stored file's path.
    let input =
        std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path).map_err(
            |e| match e.raw_os_error() {
                Some(libc::ELOOP) => format!("{}: a link, not a regular file: not written", path.display()),
                _ => io(e),
            },
        )?;
    let source = input.metadata().map_err(io)?;
    if !source.is_file() {
        return Err(format!("{}: not a regular file: not written", path.display()).into());
    }
    if let Some(scan) = jpeg_head::first_scan(&input).map_err(io)? {
        if let Some((staged, sha256, size, skipped)) = head_only(data_dir, path, &input, scan, tags, t)? {
            return Ok(Rewritten { staged, source, sha256, size, skipped });
        }
    }
    let (staged, sha256, size, skipped) = whole(data_dir, path, &input, tags, t)?;
    Ok(Rewritten { staged, source, sha256, size, skipped })
}

type Staging = (Staged, String, u64, Vec<String>);

/// The JPEG's head (up to and with its first scan's `FF DA`) rewritten by exiv2 in memory,
/// then the original from that marker on; `None` if exiv2's result does not end with the
/// marker it was given, or exiv2 refused the head (the whole file is then written instead).
fn head_only(
    data_dir: &Path,
    path: &Path,
    input: &File,
    scan: u64,
    tags: &[write::TagValues],
    t: &Timings,
) -> Result<Option<Staging>, ItemError> {
    let start = Instant::now();
    let scratch = match Scratch::copy_of(input, scan + 2, path) {
        Ok(s) => s,
        Err(ScratchError::Unavailable) => return Ok(None),
        Err(ScratchError::Source(e)) => return Err(e.into()),
    };
    let start = t.add_read(start);
    let skipped = match write::write(scratch.path(), tags) {
        Ok(skipped) => skipped,
        Err(e) => {
            log::debug!("{}: exiv2 refused the head alone ({e}): the whole file is written", path.display());
            return Ok(None);
        }
    };
    let start = t.add_exiv2(start);
    let head = scratch.bytes().map_err(|e| format!("{}: {e}", path.display()))?;
    let Some(head) = head.strip_suffix(&[0xFF, 0xDA]) else {
        log::debug!("{}: exiv2 did not end the head at its scan: the whole file is written", path.display());
        return Ok(None);
    };
    let mut rest = input;
    rest.seek(SeekFrom::Start(scan)).map_err(|e| format!("{}: {e}", path.display()))?;
    let (staged, sha256, size) = Staged::write_hashing(data_dir, head, &mut rest, path).map_err(ItemError::from)?;
    t.add_write(start);
    Ok(Some((staged, sha256, size, skipped)))
}

/// The whole file rewritten by exiv2: in memory when it can be, else in the data dir.
fn whole(
    data_dir: &Path,
    path: &Path,
    input: &File,
    tags: &[write::TagValues],
    t: &Timings,
) -> Result<Staging, ItemError> {
    // exiv2's messages name the file it was given: name the real one.
    let named = |e: write::WriteError, given: &Path| {
        e.to_string().replace(&given.display().to_string(), &path.display().to_string())
    };
    let start = Instant::now();
    match Scratch::copy_of(input, u64::MAX, path) {
        Ok(scratch) => {
            let start = t.add_read(start);
            let skipped = write::write(scratch.path(), tags).map_err(|e| named(e, scratch.path()))?;
            let start = t.add_exiv2(start);
            let mut content = scratch.reader().map_err(|e| format!("{}: {e}", path.display()))?;
            let (staged, sha256, size) =
                Staged::write_hashing(data_dir, &[], &mut content, path).map_err(ItemError::from)?;
            t.add_write(start);
            Ok((staged, sha256, size, skipped))
        }
        Err(ScratchError::Unavailable) => {
            let staged = Staged::copy_unsynced(data_dir, input, path)?;
            let start = t.add_read(start);
            let skipped = write::write(staged.path(), tags).map_err(|e| named(e, staged.path()))?;
            let start = t.add_exiv2(start);
            let sha256 = files::sha256_file(staged.path()).map_err(ItemError::from)?;
            let size = std::fs::metadata(staged.path()).map_err(|e| format!("{}: {e}", staged.path().display()))?.len();
            t.add_write(start);
            Ok((staged, sha256, size, skipped))
        }
        Err(ScratchError::Source(e)) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::write::TagValues;
    use std::process::Command;

    fn jpeg(progressive: bool, icc: bool) -> Vec<u8> {
        let (w, h) = (96u16, 64u16);
        let pixels: Vec<u8> = (0..usize::from(w) * usize::from(h) * 3).map(|i| (i * 7 % 251) as u8).collect();
        let mut out = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut out, 80);
        encoder.set_progressive(progressive);
        if icc {
            let srgb = lcms2::Profile::new_srgb().icc().expect("an sRGB profile");
            encoder.add_icc_profile(&srgb).expect("an ICC profile");
        }
        encoder.encode(&pixels, w, h, jpeg_encoder::ColorType::Rgb).expect("a JPEG");
        out
    }

    fn exiftool(file: &Path, args: &[&str]) {
        let ran = Command::new("exiftool").args(["-q", "-q", "-overwrite_original"]).args(args).arg(file).status();
        assert!(ran.is_ok_and(|s| s.success()), "exiftool {args:?}");
    }

    fn tags() -> Vec<TagValues> {
        let tag = |t: &str, v: &[&str]| TagValues {
            tag: t.into(),
            values: v.iter().map(|s| s.to_string()).collect(),
            date: false,
        };
        vec![
            tag("XMP-dc:Title", &["Été à 日本"]),
            tag("IPTC:Keywords", &["é", "日本", "three words"]),
            tag("XMP-dc:Subject", &["é", "日本"]),
            tag("XMP-photoshop:City", &[]),
            tag("IPTC:UniqueDocumentID", &["urn:phr-tasks:record:7"]),
        ]
    }

    fn staged_bytes(s: &Staging) -> Vec<u8> {
        std::fs::read(s.0.path()).expect("the staged file")
    }

    /// The head-only path gives exactly the file exiv2 writes when given the whole file, on
    /// JPEGs with and without metadata, progressive, with an ICC profile, with bytes after
    /// the image's end.
    #[test]
    fn a_jpegs_head_rewritten_alone_gives_the_file_exiv2_writes_whole() {
        crate::media::backend::install_exiv2();
        let _ = env_logger::builder().is_test(true).filter_level(log::LevelFilter::Debug).try_init();
        let dir = tempfile::tempdir().expect("a temp dir");
        let data = dir.path().join("data");
        let t = Timings::default();
        let cases: [(&str, Vec<u8>, &[&str]); 5] = [
            ("bare", jpeg(false, false), &[]),
            (
                "tagged",
                jpeg(false, false),
                &[
                    "-XMP-photoshop:City=Orléans",
                    "-IPTC:Keywords=old",
                    "-Comment=a \u{ff}\u{da} comment",
                    "-EXIF:Make=Cam",
                ],
            ),
            ("progressive", jpeg(true, false), &["-XMP-dc:Title=old", "-EXIF:Artist=someone"]),
            ("icc", jpeg(false, true), &["-IPTC:ObjectName=old"]),
            ("trailing", [jpeg(false, false), b"bytes after the end".to_vec()].concat(), &["-XMP-dc:Title=x"]),
        ];
        for (name, bytes, edits) in cases {
            let file = dir.path().join(format!("{name}.jpg"));
            std::fs::write(&file, bytes).expect("the test file");
            if !edits.is_empty() {
                exiftool(&file, edits);
            }
            let input = File::open(&file).expect("the test file");
            let scan = jpeg_head::first_scan(&input).expect("read").expect("a scan");
            let head = head_only(&data, &file, &input, scan, &tags(), &t).expect("written").expect("split");
            let whole = whole(&data, &file, &input, &tags(), &t).expect("written");
            assert_eq!(staged_bytes(&head), staged_bytes(&whole), "{name}: the same file");
            assert!(staged_bytes(&head).len() > 1000, "{name}: the whole image");
            assert_eq!((&head.1, head.2), (&whole.1, whole.2), "{name}: the same checksum and size");
            assert_eq!(
                head.1,
                files::sha256_file(head.0.path()).expect("hash"),
                "{name}: the checksum of what was written"
            );
        }
    }
}
