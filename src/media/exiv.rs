//! EXIF, IPTC and XMP read through exiv2 (the `rexiv2` binding to gexiv2): every tag the file
//! holds is copied out as text at once, so a [`super::FileMetadata`] owns plain values and can
//! cross threads, and the exiv2 handle is closed before `read` returns.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use rexiv2::{Metadata, Rexiv2Error};

use super::meta::Technical;

/// Every tag read from a file, by exiv2 key lower-cased (exiftool names are case-insensitive),
/// each with its key as exiv2 spells it and its values in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct TagMap {
    by_key: BTreeMap<String, (String, Vec<String>)>,
}

impl TagMap {
    /// The values under exiv2 key `key` (any case); a namespace of
    /// [`super::tags::ANY_NAMESPACE`] in an XMP key matches every namespace.
    pub(crate) fn get(&self, key: &str) -> Option<&[String]> {
        let key = key.to_lowercase();
        if let Some(name) = key.strip_prefix("xmp.*.") {
            return self
                .by_key
                .iter()
                .filter(|(k, _)| k.starts_with("xmp."))
                .find(|(k, _)| k.rsplit_once('.').is_some_and(|(ns, n)| n == name && !ns[4..].contains('.')))
                .map(|(_, (_, v))| v.as_slice());
        }
        self.by_key.get(&key).map(|(_, v)| v.as_slice())
    }

    /// Every tag as (exiv2 key, values), sorted by key.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.by_key.values().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// The first value under `key`, trimmed, when it is not empty.
    fn first(&self, key: &str) -> Option<&str> {
        self.get(key)?.first().map(|v| v.trim()).filter(|v| !v.is_empty())
    }
}

/// Whether exiv2 could be set up; done once per process, as gexiv2 requires, with its logging
/// muted so that broken files do not spill messages onto a task's stderr.
pub(crate) fn initialised() -> bool {
    static INIT: OnceLock<bool> = OnceLock::new();
    *INIT.get_or_init(|| {
        let ok = rexiv2::initialize().is_ok();
        rexiv2::set_log_level(rexiv2::LogLevel::MUTE);
        // gexiv2 reports exiv2's exceptions (a tag name probed that a group does not have)
        // with g_warning on stderr; they go to our log at debug level instead.
        // SAFETY: `to_log` matches GLogFunc and lives for the whole program; a NULL domain is
        // GLib's default one, which gexiv2 logs to.
        unsafe {
            let levels = glib_sys::G_LOG_LEVEL_WARNING | glib_sys::G_LOG_LEVEL_CRITICAL | glib_sys::G_LOG_LEVEL_MESSAGE;
            glib_sys::g_log_set_handler(std::ptr::null(), levels, Some(to_log), std::ptr::null_mut());
        }
        ok
    })
}

/// A GLib message from gexiv2, into our log at debug level.
unsafe extern "C" fn to_log(
    _domain: *const std::ffi::c_char,
    _level: glib_sys::GLogLevelFlags,
    message: *const std::ffi::c_char,
    _data: glib_sys::gpointer,
) {
    if !message.is_null() {
        // SAFETY: GLib hands a NUL-terminated message valid for the call.
        let text = unsafe { std::ffi::CStr::from_ptr(message) };
        log::debug!("exiv2: {}", text.to_string_lossy());
    }
}

/// Reads the metadata of the file at `path` and fills what `tech` takes from EXIF; what
/// exiv2 cannot read becomes a warning and an empty or partial map.
pub(crate) fn read(path: &Path, tech: &mut Technical, warnings: &mut Vec<String>) -> TagMap {
    let mut tags = TagMap::default();
    if !initialised() {
        warnings.push("metadata: the exiv2 library could not be initialised".to_string());
        return tags;
    }
    let opened = match path.to_str() {
        Some(p) => Metadata::new_from_path(p),
        // gexiv2 takes UTF-8 paths only: give it the bytes instead.
        None => match std::fs::read(path) {
            Ok(bytes) => Metadata::new_from_buffer(&bytes),
            Err(e) => Err(Rexiv2Error::Internal(Some(e.to_string()))),
        },
    };
    let meta = match opened {
        Ok(meta) => meta,
        Err(e) => {
            warnings.push(format!("metadata: exiv2 cannot read this file: {}", describe(&e)));
            return tags;
        }
    };
    let lists = [meta.get_exif_tags(), meta.get_iptc_tags(), meta.get_xmp_tags()];
    for keys in lists.into_iter().flatten() {
        for key in keys {
            let lower = key.to_lowercase();
            if tags.by_key.contains_key(&lower) {
                continue;
            }
            if let Some(values) = values_of(&meta, &key, warnings) {
                tags.by_key.insert(lower, (key, values));
            }
        }
    }
    if tech.width.is_none() && meta.get_pixel_width() > 0 && meta.get_pixel_height() > 0 {
        tech.width = u32::try_from(meta.get_pixel_width()).ok();
        tech.height = u32::try_from(meta.get_pixel_height()).ok();
    }
    technical_from_exif(&tags, tech, warnings);
    tags
}

/// An exiv2 error as a sentence part.
pub(crate) fn describe(e: &Rexiv2Error) -> String {
    match e {
        Rexiv2Error::NoValue => "no value".to_string(),
        Rexiv2Error::Utf8(e) => format!("not UTF-8 text ({e})"),
        Rexiv2Error::Internal(Some(msg)) => msg.clone(),
        Rexiv2Error::Internal(None) => "unknown error".to_string(),
    }
}

/// The values of one tag: one per item for IPTC repeated datasets and XMP arrays, the raw
/// text of EXIF values. Text that is not UTF-8 (legacy IPTC is often Latin-1) is read as
/// Latin-1 with a warning.
fn values_of(meta: &Metadata, key: &str, warnings: &mut Vec<String>) -> Option<Vec<String>> {
    let read = if key.starts_with("Xmp.") {
        xmp_values(meta, key)
    } else if key.starts_with("Iptc.") {
        meta.get_tag_multiple_strings(key)
    } else {
        meta.get_tag_string(key).map(|v| vec![v])
    };
    match read {
        Ok(values) => Some(values),
        Err(Rexiv2Error::Utf8(_)) => {
            let raw = meta.get_tag_raw(key).ok()?;
            let raw = raw.split(|&b| b == 0).next().unwrap_or(&[]);
            // Repeated datasets come back joined by IPTC's 0x1C markers, which no text holds.
            let values: Vec<String> = raw
                .split(|&b| b == 0x1c)
                .filter(|v| !v.is_empty())
                .map(|v| v.iter().map(|&b| char::from(b)).collect())
                .collect();
            warnings.push(format!("{key}: text is not UTF-8; read as Latin-1"));
            Some(values)
        }
        Err(_) => None,
    }
}

/// The values of an XMP property by its type, as gexiv2's list of values is only right for
/// arrays: one entry per item of a bag, sequence or alternative; the `x-default` entry of a
/// language alternative (or its only entry, when it has no default); the text of the rest.
fn xmp_values(meta: &Metadata, key: &str) -> Result<Vec<String>, Rexiv2Error> {
    use rexiv2::TagType;
    match rexiv2::get_tag_type(key) {
        Ok(TagType::XmpBag | TagType::XmpSeq | TagType::XmpAlt) => meta.get_tag_multiple_strings(key),
        Ok(TagType::LangAlt) => {
            // gexiv2 gives the x-default text as each entry, or "" when there is none; its
            // text form is `lang="fr" Français, lang="de" …`.
            let default = meta.get_tag_multiple_strings(key)?.into_iter().next();
            if let Some(text) = default.filter(|t| !t.is_empty()) {
                return Ok(vec![text]);
            }
            let all = meta.get_tag_string(key)?;
            let only = all
                .strip_prefix("lang=\"")
                .and_then(|rest| rest.split_once("\" "))
                .map(|(_, text)| text)
                .filter(|text| !text.contains(", lang=\""));
            only.map(|t| vec![t.to_string()]).ok_or(Rexiv2Error::NoValue)
        }
        _ => meta.get_tag_string(key).map(|v| vec![v]),
    }
}

/// Fills orientation, camera, date taken and colour space from the EXIF tags.
fn technical_from_exif(tags: &TagMap, tech: &mut Technical, warnings: &mut Vec<String>) {
    if let Some(o) = tags.first("Exif.Image.Orientation") {
        match o.parse::<u16>() {
            Ok(n @ 1..=8) => tech.orientation = Some(n),
            _ => warnings.push(format!("EXIF Orientation {o:?} is not 1 to 8: ignored")),
        }
    }
    tech.camera_make = tags.first("Exif.Image.Make").map(str::to_string);
    tech.camera_model = tags.first("Exif.Image.Model").map(str::to_string);
    if let Some(d) = tags.first("Exif.Photo.DateTimeOriginal") {
        match chrono::NaiveDateTime::parse_from_str(d, "%Y:%m:%d %H:%M:%S") {
            Ok(t) => tech.date_taken = Some(t.format("%Y-%m-%dT%H:%M:%S").to_string()),
            Err(_) => warnings.push(format!("EXIF DateTimeOriginal {d:?} is not a date: ignored")),
        }
    }
    let srgb = tags.first("Exif.Photo.ColorSpace") == Some("1");
    if srgb && matches!(tech.colour_space.as_deref(), None | Some("RGB")) {
        tech.colour_space = Some("sRGB".to_string());
    }
}
