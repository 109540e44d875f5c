//! The databox: a small media repository in the same store as the queue (Phraseanet's
//! databox): collections, records (documents and stories), field values, technical values,
//! status bits and sub-definitions, with the structure from the config and the files under
//! the data dir. The SQL is in `store::records`; this module holds the types and the rules.

pub mod files;
pub mod mask;
pub mod record;
pub mod structure;

pub use mask::StatusMask;
pub use record::{NewRecord, Pending, Record, RecordFilter, RecordKind, SubdefEntry};
pub use structure::{CollectionDef, FieldDef, FieldType, Structure, SubdefDef};
