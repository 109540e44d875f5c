//! From a file's metadata to a record's fields, per the structure: each field takes the values
//! of the first of its source tags the file has (dates in ISO form), a single-valued field its
//! first value. Archive and `phr-meta read` share this.

use super::{FieldType, Structure};
use crate::media::meta::{FileMetadata, Technical};
use std::collections::BTreeMap;

/// The fields the structure reads from this metadata.
pub fn fields_from(meta: &FileMetadata, structure: &Structure) -> BTreeMap<String, Vec<String>> {
    let mut fields = BTreeMap::new();
    for (name, def) in &structure.fields {
        let found = def.sources.iter().find_map(|tag| {
            let values: Vec<String> = meta
                .values(tag)?
                .into_iter()
                .map(|v| normalize(def.kind, v.trim()))
                .filter(|v| !v.is_empty())
                .collect();
            (!values.is_empty()).then_some(values)
        });
        if let Some(mut values) = found {
            if !def.multi {
                values.truncate(1);
            }
            fields.insert(name.clone(), values);
        }
    }
    fields
}

/// EXIF writes dates `2024:05:06 07:08:09`; fields keep `2024-05-06T07:08:09`.
fn normalize(kind: FieldType, value: &str) -> String {
    if kind != FieldType::Date {
        return value.to_string();
    }
    let b = value.as_bytes();
    let exif_like = b.len() >= 10 && b[4] == b':' && b[7] == b':';
    let mut v = value.to_string();
    if exif_like {
        v.replace_range(4..5, "-");
        v.replace_range(7..8, "-");
    }
    if v.len() >= 19 && v.as_bytes()[10] == b' ' {
        v.replace_range(10..11, "T");
    }
    v
}

/// Technical values as name/value text, for the record's technical table.
pub fn technical_map(t: &Technical) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(t) {
        for (k, v) in map {
            match v {
                serde_json::Value::Null => {}
                serde_json::Value::String(s) => {
                    out.insert(k, s);
                }
                other => {
                    out.insert(k, other.to_string());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exif_dates_become_iso() {
        assert_eq!(normalize(FieldType::Date, "2024:05:06 07:08:09"), "2024-05-06T07:08:09");
        assert_eq!(normalize(FieldType::Date, "2024-05-06"), "2024-05-06");
        assert_eq!(normalize(FieldType::Text, "2024:05:06"), "2024:05:06");
    }
}
