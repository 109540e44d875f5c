//! The databox: a small media repository in the same store as the queue (Phraseanet's
//! databox): collections, records (documents and stories), field values, technical values,
//! status bits and sub-definitions, with the structure from the config and the files under
//! the data dir. The SQL is in `store::records`; this module holds the types and the rules.

pub mod files;
pub mod mapping;
pub mod mask;
pub mod query;
pub mod record;
pub mod structure;

pub use mask::StatusMask;
pub use record::{NewRecord, Pending, Record, RecordFilter, RecordKind, SubdefEntry, WorkFailure};
pub use structure::{CollectionDef, FieldDef, FieldType, Structure, SubdefDef};

/// Applies the config's structure to the store — new collections, changed Phraseanet ids,
/// dropped ones kept (retired) while records use them, with a warning — before a program
/// writes records, so a structure change takes effect on the next run.
pub fn sync_structure(store: &mut crate::store::Store, structure: &Structure) -> crate::error::Result<()> {
    for warning in store.write(|tx| tx.records().sync_collections(structure))? {
        log::warn!("{warning}");
    }
    Ok(())
}
