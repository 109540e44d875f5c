//! What one record needs written, read from the store in the calling thread (the store is not
//! shared between threads): the tags its values go to, per the structure, with its id, and
//! the files they go into: its stored original and the sub-definitions its collection marks
//! as carrying metadata (`meta = true`) that are built.

use crate::databox::files;
use crate::databox::{FieldType, Record, Structure};
use crate::error::Error;
use crate::media::write::TagValues;
use crate::store::Store;
use std::path::{Path, PathBuf};

/// The tags the record's id is written to: those Phraseanet writes its record uuid to.
pub const ID_TAGS: &[&str] = &["IPTC:UniqueDocumentID", "ExifIFD:ImageUniqueID", "XMP-exif:ImageUniqueID"];

/// The id written into a record's file: at least 14 characters, as IPTC's UniqueDocumentID
/// requires, and unmistakably this library's.
pub fn file_id(id: i64) -> String {
    format!("urn:phr-tasks:record:{id}")
}

/// One file to write the values into.
#[derive(Debug, Clone)]
pub struct Target {
    /// Relative to the data dir, as the store records it.
    pub relative: PathBuf,
    /// The sub-definition's name; `None`: the stored original.
    pub subdef: Option<String>,
}

/// A record to write.
#[derive(Debug)]
pub struct Work {
    pub id: i64,
    /// Its `updated_at` when its values were read: the flag is cleared only if it is still so.
    pub seen: i64,
    pub tags: Vec<TagValues>,
    /// The original first, then its sub-definitions.
    pub files: Vec<Target>,
}

/// What a record needs.
pub enum Plan {
    /// Its files to write.
    Write(Work),
    /// Nothing to write (a story has no file): done as it is.
    Nothing { seen: i64 },
}

/// The tags a record's values go to, per the structure, and its id.
pub fn tags_of(record: &Record, structure: &Structure) -> Vec<TagValues> {
    let mut tags = Vec::new();
    for (name, def) in &structure.fields {
        let values = record.fields.get(name).cloned().unwrap_or_default();
        let values = if def.multi { values } else { values.into_iter().take(1).collect() };
        for tag in def.targets.as_ref().unwrap_or(&def.sources) {
            tags.push(TagValues { tag: tag.clone(), values: values.clone(), date: def.kind == FieldType::Date });
        }
    }
    for tag in ID_TAGS {
        tags.push(TagValues { tag: tag.to_string(), values: vec![file_id(record.id)], date: false });
    }
    tags
}

/// Reads record `id` and says what to write; `Err` with the reason when it cannot be
/// written (no such record, its collection gone from the config).
pub fn plan(store: &Store, structure: &Structure, data_dir: &Path, id: i64) -> Result<Plan, String> {
    let record =
        store.records().get(id).map_err(|e| e.to_string())?.ok_or_else(|| Error::NoSuchRecord(id).to_string())?;
    let Some(stored) = record.stored_path.as_deref() else { return Ok(Plan::Nothing { seen: record.updated_at }) };
    if !files::is_inside(stored) {
        return Err(format!("its stored path {stored:?} is not inside the data dir: not written"));
    }
    let mut files = vec![Target { relative: PathBuf::from(stored), subdef: None }];
    let carrying = structure.collections.get(&record.collection).map(|c| &c.subdefs);
    for entry in &record.subdefs {
        let meta = carrying.and_then(|s| s.get(&entry.name)).is_some_and(|d| d.meta);
        // A sub-definition not built yet is skipped: phr-subdef marks the record again once
        // it has built one that carries metadata.
        let Some(path) = entry.path.as_deref().filter(|p| meta && files::is_inside(p) && data_dir.join(p).is_file())
        else {
            continue;
        };
        files.push(Target { relative: PathBuf::from(path), subdef: Some(entry.name.clone()) });
    }
    Ok(Plan::Write(Work { id, seen: record.updated_at, tags: tags_of(&record, structure), files }))
}
