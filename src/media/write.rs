//! [`write`]: field values written into a file's EXIF, IPTC and XMP through exiv2, in place,
//! for `phr-meta write`. The caller hands it a private copy (never the stored original), so a
//! failure or a crash halfway leaves the original as it was; exiv2 rewrites metadata segments
//! only, never the pixel data.
//!
//! Tags are named as admins know them from exiftool (`IPTC:Keywords`, `XMP-dc:Subject`,
//! `EXIF:DateTimeOriginal`), mapped to exiv2 keys by [`super::tags::exiv2_write_keys`].
//! IPTC text is written as UTF-8 and says so (`Iptc.Envelope.CharacterSet` = ESC % G), so
//! readers never take `é` or `日本` for Latin-1.

use std::path::Path;

use rexiv2::{Metadata, TagType};

use super::exiv::{describe, initialised};
use super::tags::exiv2_write_keys;

/// IPTC's coded character set for UTF-8 (ISO 2022 `ESC % G`), written whenever IPTC is.
const IPTC_UTF8: &str = "\u{1b}%G";

/// One tag to write: every value it should hold (none: the tag is removed).
#[derive(Debug, Clone, PartialEq)]
pub struct TagValues {
    /// The tag as exiftool names it (`IPTC:Keywords`), or an exiv2 key.
    pub tag: String,
    /// Its values in order: one IPTC dataset or XMP array item each; a single-valued tag gets
    /// them joined by `"; "`.
    pub values: Vec<String>,
    /// Values are dates (`YYYY-MM-DD[THH:MM:SS]`), converted to the tag's own form.
    pub date: bool,
}

/// Why a file's metadata could not be written; the file given may then be half-written and
/// must be thrown away (the caller works on a copy).
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// exiv2 could not be set up in this process.
    #[error("the exiv2 library could not be initialised")]
    Init,
    /// exiv2 does not know this file's format (a text file, a truncated image…).
    #[error("exiv2 cannot open this file: {0}")]
    Open(String),
    /// exiv2 reads this format but cannot write any metadata into it.
    #[error("exiv2 cannot write metadata into this format")]
    Unsupported,
    /// A tag or a value that cannot be written (an unknown tag, a value that is not a date).
    #[error("{tag}: {reason}")]
    Tag {
        /// The tag as configured.
        tag: String,
        /// What is wrong with it.
        reason: String,
    },
    /// exiv2 failed while rewriting the file (a format it reads but does not write, as GIF).
    #[error("exiv2 cannot write this file: {0}")]
    Save(String),
}

/// Writes `tags` into the file at `path` (in place: give it a copy) and returns what was
/// skipped (tags of a family the format cannot hold, as IPTC in some formats), one sentence
/// each. Nothing else in the file changes: other tags, and the pixels, stay as they are.
pub fn write(path: &Path, tags: &[TagValues]) -> Result<Vec<String>, WriteError> {
    let exiv2 = super::backend::exiv2().ok_or(WriteError::Init)?;
    (exiv2.write)(path, tags)
}

/// One exiv2 call at a time in this process: gexiv2 sets up exiv2's XMP toolkit without the
/// lock it needs to be used from several threads, so callers writing files on several threads
/// (`phr-meta write`) share this one.
static EXIV2: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// [`write`] itself, installed by programs that load exiv2 (`media::backend`).
pub(crate) fn write_with_exiv2(path: &Path, tags: &[TagValues]) -> Result<Vec<String>, WriteError> {
    if !initialised() {
        return Err(WriteError::Init);
    }
    let _one_at_a_time = EXIV2.lock().unwrap_or_else(|e| e.into_inner());
    let meta = Metadata::new_from_path(path).map_err(|e| WriteError::Open(describe(&e)))?;
    let supports = [meta.supports_exif(), meta.supports_iptc(), meta.supports_xmp()];
    if !supports.contains(&true) {
        return Err(WriteError::Unsupported);
    }
    let mut skipped = Vec::new();
    let mut wrote_iptc = false;
    for t in tags {
        let bad = |reason: String| WriteError::Tag { tag: t.tag.clone(), reason };
        let key = writable_key(&t.tag).ok_or_else(|| bad("no tag exiv2 can write has this name".into()))?;
        let family = if key.starts_with("Exif.") {
            0
        } else if key.starts_with("Iptc.") {
            1
        } else {
            2
        };
        if !supports[family] {
            skipped.push(format!("{}: this format holds no {}", t.tag, ["EXIF", "IPTC", "XMP"][family]));
            continue;
        }
        if t.values.iter().any(|v| v.contains('\0')) {
            return Err(bad("a value holds a NUL character".into()));
        }
        let values: Vec<String> = if t.date {
            t.values
                .iter()
                .map(|v| date_for(&key, v).ok_or_else(|| bad(format!("{v:?} is not a date"))))
                .collect::<Result<_, _>>()?
        } else {
            t.values.clone()
        };
        meta.clear_tag(&key);
        if values.is_empty() {
            continue;
        }
        set(&meta, &key, &values).map_err(|e| bad(describe(&e)))?;
        wrote_iptc |= family == 1;
    }
    if wrote_iptc {
        meta.set_tag_string("Iptc.Envelope.CharacterSet", IPTC_UTF8).map_err(|e| WriteError::Save(describe(&e)))?;
    }
    meta.save_to_file(path).map_err(|e| WriteError::Save(describe(&e)))?;
    Ok(skipped)
}

/// The first key `tag` may be written under that exiv2 knows (by its label); an XMP
/// property exiv2 has no table for (a custom schema) is written under its first key.
fn writable_key(tag: &str) -> Option<String> {
    if tag.contains('\0') {
        return None;
    }
    let keys = exiv2_write_keys(tag);
    let known = keys.iter().find(|k| rexiv2::get_tag_label(k).is_ok()).cloned();
    known.or_else(|| keys.into_iter().next().filter(|k| k.starts_with("Xmp.")))
}

/// Sets `values` under `key` by the tag's type: IPTC datasets repeated, XMP arrays one item
/// per value, a language alternative as its `x-default` text, anything else one text.
fn set(meta: &Metadata, key: &str, values: &[String]) -> Result<(), rexiv2::Rexiv2Error> {
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let joined = refs.join("; ");
    match rexiv2::get_tag_type(key) {
        _ if key.starts_with("Iptc.") => {
            let repeatable = multi_iptc(key);
            if repeatable {
                meta.set_tag_multiple_strings(key, &refs)
            } else {
                meta.set_tag_multiple_strings(key, &[joined.as_str()])
            }
        }
        Ok(TagType::XmpBag | TagType::XmpSeq | TagType::XmpAlt) => meta.set_tag_multiple_strings(key, &refs),
        Ok(TagType::LangAlt) => meta.set_tag_string(key, &format!("lang=\"x-default\" {joined}")),
        _ => meta.set_tag_string(key, &joined),
    }
}

/// IPTC datasets that may repeat (one value each); the others take one value.
fn multi_iptc(key: &str) -> bool {
    const REPEATABLE: &[&str] = &[
        "Keywords",
        "SuppCategory",
        "Byline",
        "BylineTitle",
        "Contact",
        "Writer",
        "LocationCode",
        "LocationName",
        "Subject",
        "ObjectAttribute",
        "ReferenceService",
        "ReferenceDate",
        "ReferenceNumber",
    ];
    key.rsplit('.').next().is_some_and(|name| REPEATABLE.contains(&name))
}

/// A field's date (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS` or with a space) in the form `key`
/// takes: EXIF `YYYY:MM:DD HH:MM:SS`, IPTC dates `YYYY-MM-DD` and times `HH:MM:SS+00:00`,
/// XMP ISO 8601 as stored.
fn date_for(key: &str, value: &str) -> Option<String> {
    use chrono::{NaiveDate, NaiveDateTime};
    let v = value.trim();
    let at = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y:%m:%d %H:%M:%S"))
        .ok()
        .or_else(|| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))?;
    let date_only = v.len() == 10;
    Some(match rexiv2::get_tag_type(key) {
        _ if key.starts_with("Exif.") => at.format("%Y:%m:%d %H:%M:%S").to_string(),
        Ok(TagType::Date) => at.format("%Y-%m-%d").to_string(),
        Ok(TagType::Time) => at.format("%H:%M:%S+00:00").to_string(),
        _ if date_only => at.format("%Y-%m-%d").to_string(),
        _ => at.format("%Y-%m-%dT%H:%M:%S").to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_take_each_tags_form() {
        assert!(initialised());
        let d = |k: &str, v: &str| date_for(k, v).unwrap_or_default();
        assert_eq!(d("Exif.Photo.DateTimeOriginal", "2024-05-06T07:08:09"), "2024:05:06 07:08:09");
        assert_eq!(d("Exif.Photo.DateTimeOriginal", "2024-05-06"), "2024:05:06 00:00:00");
        assert_eq!(d("Iptc.Application2.DateCreated", "2024-05-06 07:08:09"), "2024-05-06");
        assert_eq!(d("Iptc.Application2.TimeCreated", "2024-05-06T07:08:09"), "07:08:09+00:00");
        assert_eq!(d("Xmp.photoshop.DateCreated", "2024-05-06T07:08:09"), "2024-05-06T07:08:09");
        assert_eq!(d("Xmp.photoshop.DateCreated", "2024-05-06"), "2024-05-06");
        assert!(date_for("Exif.Photo.DateTimeOriginal", "soon").is_none());
    }

    #[test]
    fn keys_are_the_ones_exiv2_knows() {
        assert!(initialised());
        assert_eq!(writable_key("EXIF:DateTimeOriginal").as_deref(), Some("Exif.Photo.DateTimeOriginal"));
        assert_eq!(writable_key("EXIF:Make").as_deref(), Some("Exif.Image.Make"));
        assert_eq!(writable_key("IPTC:UniqueDocumentID").as_deref(), Some("Iptc.Application2.0x00bb"));
        assert_eq!(writable_key("IPTC:UniqueObjectName").as_deref(), Some("Iptc.Envelope.UNO"));
        assert_eq!(writable_key("XMP-exif:ImageUniqueID").as_deref(), Some("Xmp.exif.ImageUniqueID"));
        assert_eq!(writable_key("XMP-dc:Title").as_deref(), Some("Xmp.dc.title"));
        assert_eq!(writable_key("IPTC:NoSuchThing"), None);
    }
}
