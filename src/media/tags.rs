//! exiftool tag names, as admins write them (`IPTC:Keywords`, `XMP-dc:Title`,
//! `EXIF:DateTimeOriginal`), mapped to the exiv2 keys the metadata is read under
//! (`Iptc.Application2.Keywords`, `Xmp.dc.title`, `Exif.Photo.DateTimeOriginal`).
//!
//! A generic rule covers most names; the small tables hold the names the two tools spell
//! differently. Lookups are case-insensitive, as exiftool's are.

/// The wildcard in a key from [`exiv2_keys`] that stands for any XMP namespace: `XMP:Title`
/// names `dc:title` as well as a title in any other namespace.
pub const ANY_NAMESPACE: &str = "*";

/// exiftool's IPTC names that exiv2 spells differently; every other IPTC name is the same in
/// both (`ObjectName`, `Keywords`, `City`, `Headline`…).
const IPTC_NAMES: &[(&str, &str)] = &[
    ("By-line", "Byline"),
    ("By-lineTitle", "BylineTitle"),
    ("Caption-Abstract", "Caption"),
    ("Writer-Editor", "Writer"),
    ("Country-PrimaryLocationName", "CountryName"),
    ("Country-PrimaryLocationCode", "CountryCode"),
    ("Province-State", "ProvinceState"),
    ("Sub-location", "SubLocation"),
    ("OriginalTransmissionReference", "TransmissionReference"),
    ("CopyrightNotice", "Copyright"),
    ("SupplementalCategories", "SuppCategory"),
    ("ObjectAttributeReference", "ObjectAttribute"),
    ("SubjectReference", "Subject"),
    ("CodedCharacterSet", "CharacterSet"),
    ("ApplicationRecordVersion", "RecordVersion"),
    // Dataset 2:187, outside the IPTC standard (exiv2 has no name for it): where Phraseanet
    // (through exiftool) writes a record's id; `UniqueObjectName` is 1:100, exiv2's `UNO`.
    ("UniqueDocumentID", "0x00bb"),
    ("UniqueObjectName", "UNO"),
];

/// exiftool's EXIF names that exiv2 spells differently.
const EXIF_NAMES: &[(&str, &str)] = &[
    ("ModifyDate", "DateTime"),
    ("CreateDate", "DateTimeDigitized"),
    ("ISO", "ISOSpeedRatings"),
    ("ExposureCompensation", "ExposureBiasValue"),
    ("ExifImageWidth", "PixelXDimension"),
    ("ExifImageHeight", "PixelYDimension"),
    ("FocalLengthIn35mmFormat", "FocalLengthIn35mmFilm"),
    ("SerialNumber", "BodySerialNumber"),
    ("InteropIndex", "InteroperabilityIndex"),
    ("InteropVersion", "InteroperabilityVersion"),
];

/// exiftool's XMP group suffixes whose exiv2 namespace prefix differs (`XMP-iptcCore`).
const XMP_PREFIXES: &[(&str, &str)] = &[("iptcCore", "iptc")];

/// The exiv2 IFD groups searched, in exiftool's order of precedence, for an `EXIF:` name.
const EXIF_GROUPS: &[&str] = &["Image", "Photo", "GPSInfo", "Iop", "Thumbnail"];

/// The exiv2 keys a tag named `tag` may be stored under, most likely first, so that a lookup
/// takes the first one present. An exiv2 key (`Exif.Image.Make`) is taken as it is; a name
/// without a group (`Keywords`) is searched in EXIF, then IPTC, then XMP. An XMP key may have
/// [`ANY_NAMESPACE`] for its namespace. Empty when the name cannot be a tag (no name, an
/// unknown group).
pub fn exiv2_keys(tag: &str) -> Vec<String> {
    let tag = tag.trim();
    if let Some((family, rest)) = tag.split_once('.') {
        if ["exif", "iptc", "xmp"].contains(&family.to_ascii_lowercase().as_str()) && rest.contains('.') {
            return vec![tag.to_string()];
        }
    }
    let (group, name) = match tag.split_once(':') {
        Some((group, name)) => (Some(group), name),
        None => (None, tag),
    };
    if name.is_empty() || name.contains([':', '.']) {
        return Vec::new();
    }
    let Some(group) = group else {
        let mut keys = exif_keys(name, EXIF_GROUPS);
        keys.extend(iptc_keys(name));
        keys.extend(xmp_keys(ANY_NAMESPACE, name));
        return keys;
    };
    match group.to_ascii_lowercase().as_str() {
        "exif" => exif_keys(name, EXIF_GROUPS),
        "ifd0" => exif_keys(name, &["Image"]),
        "exififd" => exif_keys(name, &["Photo"]),
        "gps" => exif_keys(name, &["GPSInfo"]),
        "interopifd" => exif_keys(name, &["Iop"]),
        "ifd1" => exif_keys(name, &["Thumbnail"]),
        "iptc" => iptc_keys(name),
        "xmp" => xmp_keys(ANY_NAMESPACE, name),
        g => match g.strip_prefix("xmp-") {
            Some(ns) if !ns.is_empty() => {
                let ns = &group[4..];
                let ns =
                    XMP_PREFIXES.iter().find(|(tool, _)| tool.eq_ignore_ascii_case(ns)).map_or(ns, |(_, exiv2)| exiv2);
                xmp_keys(ns, name)
            }
            _ => Vec::new(),
        },
    }
}

/// The exiv2 keys a tag named `tag` is written to, best first, for `phr-meta write`: those of
/// [`exiv2_keys`], with an `EXIF:` name looked for in the Exif IFD before IFD0 (where exiftool
/// writes `DateTimeOriginal`; `Make` is only known in IFD0), never in the thumbnail's IFD, and
/// no key with [`ANY_NAMESPACE`] (a tag is written in one namespace: `XMP-dc:Title`).
pub fn exiv2_write_keys(tag: &str) -> Vec<String> {
    let rank = |k: &String| match k.split('.').nth(1) {
        Some("Photo") => 0,
        Some("Image") => 1,
        _ => 2,
    };
    let mut keys: Vec<String> = exiv2_keys(tag)
        .into_iter()
        .filter(|k| !k.contains(ANY_NAMESPACE) && !k.starts_with("Exif.Thumbnail."))
        .collect();
    keys.sort_by_key(|k| if k.starts_with("Exif.") { rank(k) } else { 0 });
    keys
}

/// `name` looked up in `table` (exiftool spelling → exiv2 spelling), else unchanged.
fn renamed<'a>(table: &[(&str, &'a str)], name: &'a str) -> &'a str {
    table.iter().find(|(tool, _)| tool.eq_ignore_ascii_case(name)).map_or(name, |(_, exiv2)| exiv2)
}

/// The keys of an EXIF name in each of `groups`.
fn exif_keys(name: &str, groups: &[&str]) -> Vec<String> {
    let name = renamed(EXIF_NAMES, name);
    groups.iter().map(|g| format!("Exif.{g}.{name}")).collect()
}

/// The keys of an IPTC name: the application record, then the envelope record.
fn iptc_keys(name: &str) -> Vec<String> {
    let name = renamed(IPTC_NAMES, name);
    vec![format!("Iptc.Application2.{name}"), format!("Iptc.Envelope.{name}")]
}

/// The keys of an XMP name in namespace `ns`: exiftool capitalises every property name, XMP
/// properties mostly start lower-case (`dc:title`) but not all (`photoshop:City`).
fn xmp_keys(ns: &str, name: &str) -> Vec<String> {
    let mut chars = name.chars();
    let lower: String = chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default();
    let mut keys = vec![format!("Xmp.{ns}.{lower}")];
    if lower != name {
        keys.push(format!("Xmp.{ns}.{name}"));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(tag: &str) -> String {
        exiv2_keys(tag).into_iter().next().unwrap_or_default()
    }

    #[test]
    fn iptc_names_that_differ_use_the_table() {
        assert_eq!(first("IPTC:By-line"), "Iptc.Application2.Byline");
        assert_eq!(first("IPTC:Caption-Abstract"), "Iptc.Application2.Caption");
        assert_eq!(first("iptc:caption-abstract"), "Iptc.Application2.Caption");
        assert_eq!(first("IPTC:Province-State"), "Iptc.Application2.ProvinceState");
    }

    #[test]
    fn other_iptc_names_are_the_same() {
        assert_eq!(exiv2_keys("IPTC:Keywords"), ["Iptc.Application2.Keywords", "Iptc.Envelope.Keywords"]);
        assert_eq!(first("IPTC:ObjectName"), "Iptc.Application2.ObjectName");
    }

    #[test]
    fn exif_names_search_the_ifds_in_order() {
        assert_eq!(
            exiv2_keys("EXIF:Make"),
            ["Exif.Image.Make", "Exif.Photo.Make", "Exif.GPSInfo.Make", "Exif.Iop.Make", "Exif.Thumbnail.Make"]
        );
        assert_eq!(exiv2_keys("ExifIFD:DateTimeOriginal"), ["Exif.Photo.DateTimeOriginal"]);
        assert_eq!(exiv2_keys("IFD0:ModifyDate"), ["Exif.Image.DateTime"]);
        assert_eq!(exiv2_keys("GPS:GPSLatitude"), ["Exif.GPSInfo.GPSLatitude"]);
    }

    #[test]
    fn xmp_names_lower_case_their_first_letter_first() {
        assert_eq!(exiv2_keys("XMP-dc:Title"), ["Xmp.dc.title", "Xmp.dc.Title"]);
        assert_eq!(exiv2_keys("XMP-photoshop:City"), ["Xmp.photoshop.city", "Xmp.photoshop.City"]);
        assert_eq!(first("XMP-iptcCore:Location"), "Xmp.iptc.location");
        assert_eq!(first("XMP:Subject"), "Xmp.*.subject");
        assert_eq!(exiv2_keys("XMP-dc:title"), ["Xmp.dc.title"]);
    }

    #[test]
    fn exiv2_keys_pass_through_and_bare_names_search_everything() {
        assert_eq!(exiv2_keys("Xmp.dc.title"), ["Xmp.dc.title"]);
        let keys = exiv2_keys("Keywords");
        assert_eq!(keys[0], "Exif.Image.Keywords");
        assert!(keys.contains(&"Iptc.Application2.Keywords".to_string()));
        assert_eq!(keys.last().map(String::as_str), Some("Xmp.*.Keywords"));
    }

    #[test]
    fn written_exif_tags_try_the_exif_ifd_first_and_xmp_needs_a_namespace() {
        assert_eq!(
            exiv2_write_keys("EXIF:DateTimeOriginal"),
            [
                "Exif.Photo.DateTimeOriginal",
                "Exif.Image.DateTimeOriginal",
                "Exif.GPSInfo.DateTimeOriginal",
                "Exif.Iop.DateTimeOriginal"
            ]
        );
        assert_eq!(exiv2_write_keys("IPTC:UniqueDocumentID"), ["Iptc.Application2.0x00bb", "Iptc.Envelope.0x00bb"]);
        assert!(exiv2_write_keys("XMP:Title").is_empty());
        assert_eq!(exiv2_write_keys("XMP-exif:ImageUniqueID"), ["Xmp.exif.imageUniqueID", "Xmp.exif.ImageUniqueID"]);
    }

    #[test]
    fn nonsense_gives_no_keys() {
        for tag in ["", "IPTC:", "Foo:Bar", "XMP-:Title", "a:b:c", "EXIF:Make.x", "é:日本"] {
            assert!(exiv2_keys(tag).is_empty(), "{tag}");
        }
    }
}
