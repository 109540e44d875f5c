//! The databox's structure as the config declares it: named fields (type, multi-valued or not,
//! and the metadata tags they are read from, in exiftool's names), named status bits (4..31;
//! 0..3 are the system's, as in Phraseanet) and collections (with Phraseanet's numeric id and
//! the sub-definitions to build). A config that says nothing gets a small default structure,
//! so a fresh data dir works at once.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a field's values are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// Any text.
    #[default]
    Text,
    /// A date, stored as `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`.
    Date,
    /// A number.
    Number,
}

impl FieldType {
    /// Whether `value` is a valid value of a field of this type.
    pub fn check(self, value: &str) -> Result<(), String> {
        match self {
            FieldType::Text => Ok(()),
            FieldType::Number => {
                value.trim().parse::<f64>().map(drop).map_err(|_| format!("{value:?} is not a number"))
            }
            FieldType::Date => crate::when::parse_moment(value.trim())
                .map(drop)
                .ok_or_else(|| format!("{value:?} is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)")),
        }
    }
}

/// One field, as `[fields.NAME]` declares it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FieldDef {
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// Several values (keywords) or one.
    pub multi: bool,
    /// Tags it is read from, first present wins: `["XMP-dc:Title", "IPTC:ObjectName"]`.
    pub sources: Vec<String>,
    /// Tags it is written back to (`phr-meta write`); default: its sources.
    pub targets: Option<Vec<String>>,
}

/// One sub-definition a collection builds (used by `phr-subdef`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SubdefDef {
    /// Largest side in pixels; a smaller original is never enlarged.
    pub size: u32,
    /// `jpeg`, `png` or `webp`; `mp4` is a video sub-definition, made for videos only (by
    /// `phr-subdef`'s `video` command).
    pub format: String,
    /// 1..100, for JPEG and WebP.
    pub quality: u8,
    /// Carries the record's metadata, as Phraseanet's `<meta>yes</meta>`: `phr-meta write`
    /// writes the record's values into this sub-definition's file too.
    pub meta: bool,
}

impl Default for SubdefDef {
    fn default() -> Self {
        SubdefDef { size: 1024, format: "jpeg".into(), quality: 85, meta: false }
    }
}

/// One collection, as `[collections.NAME]` declares it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CollectionDef {
    /// Phraseanet's `coll_id`, which `.phrasea.xml` files name (`<record collection="68"/>`).
    pub id: Option<i64>,
    /// Sub-definitions to build, by name.
    pub subdefs: BTreeMap<String, SubdefDef>,
}

/// The structure in force: the config's, or the default one for what it leaves out.
#[derive(Debug, Clone, PartialEq)]
pub struct Structure {
    pub fields: BTreeMap<String, FieldDef>,
    /// Bit number (4..31) to name.
    pub status_bits: BTreeMap<u8, String>,
    pub collections: BTreeMap<String, CollectionDef>,
}

/// The first status bit an admin may name; 0..3 are the system's.
pub const FIRST_USER_BIT: u8 = 4;

impl Structure {
    /// Builds the structure from the config's tables (`None`: the default for that part),
    /// or says what is wrong and where (`(key path, reason)`).
    pub fn from_config(
        fields: Option<&BTreeMap<String, FieldDef>>,
        status: Option<&BTreeMap<String, String>>,
        collections: Option<&BTreeMap<String, CollectionDef>>,
    ) -> Result<Structure, (Vec<String>, String)> {
        let fields = fields.cloned().unwrap_or_else(default_fields);
        let collections = collections.cloned().unwrap_or_else(default_collections);
        let mut status_bits = BTreeMap::new();
        for (bit, name) in status.cloned().unwrap_or_default() {
            let n: u8 = bit.parse().ok().filter(|n| (FIRST_USER_BIT..=31).contains(n)).ok_or_else(|| {
                (vec!["status".into(), bit.clone()], "status bits are numbered 4 to 31 (0-3 are the system's)".into())
            })?;
            status_bits.insert(n, name);
        }
        for (name, f) in &fields {
            if !valid_name(name) {
                return Err((vec!["fields".into(), name.clone()], "a field name is letters, digits and '_'".into()));
            }
            if f.sources.iter().chain(f.targets.iter().flatten()).any(|t| !t.contains(':')) {
                return Err((
                    vec!["fields".into(), name.clone()],
                    "tags are written GROUP:Name, as IPTC:Keywords".into(),
                ));
            }
        }
        let mut ids = std::collections::BTreeSet::new();
        for (name, c) in &collections {
            let at = |key: &str| vec!["collections".to_string(), name.clone(), key.to_string()];
            if !valid_name(name) {
                return Err((at("id"), "a collection name is letters, digits, '-' and '_'".into()));
            }
            if let Some(id) = c.id {
                if id < 1 || !ids.insert(id) {
                    return Err((at("id"), format!("id {id} must be positive and unique")));
                }
            }
            for (sub, d) in &c.subdefs {
                let at =
                    |key: &str| vec!["collections".into(), name.clone(), "subdefs".into(), sub.clone(), key.into()];
                if !(16..=16384).contains(&d.size) {
                    return Err((at("size"), "must be from 16 to 16384 pixels".into()));
                }
                if !["jpeg", "png", "webp", "mp4"].contains(&d.format.as_str()) {
                    return Err((at("format"), "must be jpeg, png, webp or mp4 (videos only)".into()));
                }
                if !(1..=100).contains(&d.quality) {
                    return Err((at("quality"), "must be from 1 to 100".into()));
                }
                if d.meta && d.format == "mp4" {
                    return Err((at("meta"), "exiv2 cannot write metadata into mp4 sub-definitions".into()));
                }
            }
        }
        if collections.is_empty() {
            return Err((vec!["collections".into()], "declare at least one collection".into()));
        }
        Ok(Structure { fields, status_bits, collections })
    }

    /// The default structure: every part left to its default.
    pub fn default_structure() -> Structure {
        Structure { fields: default_fields(), status_bits: BTreeMap::new(), collections: default_collections() }
    }

    /// The collection a name or Phraseanet id (as `.phrasea.xml` gives it) designates.
    pub fn collection(&self, name_or_id: &str) -> Option<(&str, &CollectionDef)> {
        let by_id = name_or_id.parse::<i64>().ok();
        self.collections
            .iter()
            .find(|(name, c)| name.as_str() == name_or_id || (by_id.is_some() && c.id == by_id))
            .map(|(n, c)| (n.as_str(), c))
    }

    /// The bit a status name or number designates.
    pub fn status_bit(&self, name_or_number: &str) -> Option<u8> {
        if let Ok(n) = name_or_number.parse::<u8>() {
            return (n <= 31).then_some(n);
        }
        self.status_bits.iter().find(|(_, name)| name.as_str() == name_or_number).map(|(&n, _)| n)
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn field(kind: FieldType, multi: bool, sources: &[&str]) -> FieldDef {
    FieldDef { kind, multi, sources: sources.iter().map(|s| s.to_string()).collect(), targets: None }
}

/// Fields most photo libraries start from, read where cameras and editors write them.
fn default_fields() -> BTreeMap<String, FieldDef> {
    use FieldType::*;
    BTreeMap::from([
        ("Title".to_string(), field(Text, false, &["XMP-dc:Title", "IPTC:ObjectName"])),
        (
            "Description".to_string(),
            field(Text, false, &["XMP-dc:Description", "IPTC:Caption-Abstract", "EXIF:ImageDescription"]),
        ),
        ("Keywords".to_string(), field(Text, true, &["IPTC:Keywords", "XMP-dc:Subject"])),
        ("Creator".to_string(), field(Text, false, &["XMP-dc:Creator", "IPTC:By-line", "EXIF:Artist"])),
        ("Copyright".to_string(), field(Text, false, &["XMP-dc:Rights", "IPTC:CopyrightNotice", "EXIF:Copyright"])),
        ("City".to_string(), field(Text, false, &["XMP-photoshop:City", "IPTC:City"])),
        (
            "Date".to_string(),
            field(Date, false, &["EXIF:DateTimeOriginal", "XMP-photoshop:DateCreated", "IPTC:DateCreated"]),
        ),
    ])
}

/// One collection, `default` (id 1), with a thumbnail and a preview.
fn default_collections() -> BTreeMap<String, CollectionDef> {
    let subdefs = BTreeMap::from([
        ("thumbnail".to_string(), SubdefDef { size: 256, format: "jpeg".into(), quality: 75, meta: false }),
        ("preview".to_string(), SubdefDef { size: 1024, format: "jpeg".into(), quality: 85, meta: false }),
    ]);
    BTreeMap::from([("default".to_string(), CollectionDef { id: Some(1), subdefs })])
}
