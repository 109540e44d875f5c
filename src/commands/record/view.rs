//! How records look on stdout: a table fitted to the terminal and a details page for people,
//! one stable JSON shape (RFC 3339 UTC times) for scripts. Add fields; never rename.

use crate::databox::mask::Bits;
use crate::databox::{Pending, Record, Structure, SubdefEntry, WorkFailure};
use crate::table::{self, Column};
use crate::when;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The JSON shape of a record, shared by `list --json` and `show --json`.
#[derive(Serialize)]
pub struct RecordJson<'a> {
    pub id: i64,
    pub collection: &'a str,
    pub kind: &'static str,
    pub original_name: &'a str,
    pub stored_path: Option<&'a str>,
    pub sha256: Option<&'a str>,
    pub mime: Option<&'a str>,
    pub size: Option<i64>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// All 32 bits, bit 0 rightmost.
    pub status: String,
    /// The named bits (from the config) and whether each is set.
    pub status_bits: BTreeMap<&'a str, bool>,
    pub pending: Vec<&'static str>,
    pub created_at: String,
    pub updated_at: String,
    pub fields: &'a BTreeMap<String, Vec<String>>,
    pub technical: &'a BTreeMap<String, String>,
    pub subdefs: &'a [SubdefEntry],
    /// Why writing its values into its files failed (`phr-meta write`), until it works:
    /// `{"reason", "attempts", "failed_at"}`, or null.
    pub meta_write_failure: Option<FailureJson<'a>>,
    pub members: &'a [i64],
    pub stories: &'a [i64],
}

/// A work failure as JSON, its time in RFC 3339.
#[derive(Serialize)]
pub struct FailureJson<'a> {
    pub reason: &'a str,
    pub attempts: i64,
    pub failed_at: String,
}

impl<'a> FailureJson<'a> {
    fn new(f: &'a WorkFailure) -> FailureJson<'a> {
        FailureJson { reason: &f.reason, attempts: f.attempts, failed_at: when::rfc3339(f.failed_at) }
    }
}

impl<'a> RecordJson<'a> {
    /// A record as JSON, its named bits from `structure`.
    pub fn new(r: &'a Record, structure: &'a Structure) -> RecordJson<'a> {
        RecordJson {
            id: r.id,
            collection: &r.collection,
            kind: r.kind.as_str(),
            original_name: &r.original_name,
            stored_path: r.stored_path.as_deref(),
            sha256: r.sha256.as_deref(),
            mime: r.mime.as_deref(),
            size: r.size,
            width: r.width,
            height: r.height,
            status: Bits(r.status).to_string(),
            status_bits: structure
                .status_bits
                .iter()
                .map(|(&bit, name)| (name.as_str(), r.status & (1 << bit) != 0))
                .collect(),
            pending: Pending::names(r.pending),
            created_at: when::rfc3339(r.created_at),
            updated_at: when::rfc3339(r.updated_at),
            fields: &r.fields,
            technical: &r.technical,
            subdefs: &r.subdefs,
            meta_write_failure: r.meta_write_failure.as_ref().map(FailureJson::new),
            members: &r.members,
            stories: &r.stories,
        }
    }
}

#[derive(Serialize)]
struct ListJson<'a> {
    records: Vec<RecordJson<'a>>,
}

/// `list --json`: `{"records": [...]}`.
pub fn write_list_json(out: &mut impl Write, records: &[Record], structure: &Structure) -> io::Result<()> {
    let json = ListJson { records: records.iter().map(|r| RecordJson::new(r, structure)).collect() };
    crate::output::write_json(out, &json)
}

/// The named bits that are set, or `-`.
fn status_names(status: u32, structure: &Structure) -> String {
    let names: Vec<&str> =
        structure.status_bits.iter().filter(|(&bit, _)| status & (1 << bit) != 0).map(|(_, n)| n.as_str()).collect();
    if names.is_empty() {
        "-".into()
    } else {
        names.join(",")
    }
}

/// The records as a table, fitted to `width` (name and title cut first).
pub fn write_table(
    out: &mut impl Write,
    records: &[Record],
    structure: &Structure,
    width: Option<usize>,
) -> io::Result<()> {
    if records.is_empty() {
        return writeln!(out, "no record");
    }
    let col = |header, cut| Column { header, cut };
    let columns = [
        col("ID", false),
        col("COLLECTION", false),
        col("KIND", false),
        col("CREATED", false),
        col("STATUS", true),
        col("PENDING", true),
        col("NAME", true),
        col("TITLE", true),
    ];
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            let pending = Pending::names(r.pending).join(",");
            vec![
                r.id.to_string(),
                r.collection.clone(),
                r.kind.as_str().to_string(),
                when::local(r.created_at),
                status_names(r.status, structure),
                if pending.is_empty() { "-".into() } else { pending },
                r.original_name.clone(),
                r.fields.get("Title").and_then(|v| v.first()).cloned().unwrap_or_default(),
            ]
        })
        .collect();
    table::write(out, &columns, &rows, width)
}

/// `show`: one `key: value` line each, fields and technical values indented.
pub fn write_details(out: &mut impl Write, r: &Record, structure: &Structure) -> io::Result<()> {
    let e = table::escape;
    let opt = |v: &Option<String>| v.as_deref().map_or("-".to_string(), e);
    writeln!(out, "id:          {}", r.id)?;
    writeln!(out, "collection:  {}", e(&r.collection))?;
    writeln!(out, "kind:        {}", r.kind.as_str())?;
    writeln!(out, "name:        {}", e(&r.original_name))?;
    writeln!(out, "stored:      {}", opt(&r.stored_path))?;
    writeln!(out, "type:        {}", opt(&r.mime))?;
    if let (Some(w), Some(h)) = (r.width, r.height) {
        writeln!(out, "pixels:      {w} x {h}")?;
    }
    if let Some(size) = r.size {
        writeln!(out, "bytes:       {size}")?;
    }
    writeln!(out, "sha256:      {}", opt(&r.sha256))?;
    writeln!(out, "status:      {} ({})", Bits(r.status), status_names(r.status, structure))?;
    let pending = Pending::names(r.pending).join(", ");
    writeln!(out, "pending:     {}", if pending.is_empty() { "-" } else { &pending })?;
    if let Some(f) = &r.meta_write_failure {
        let at = when::local(f.failed_at);
        writeln!(out, "meta-write:  failed (attempts {}, last {at}): {}", f.attempts, e(&f.reason))?;
    }
    writeln!(out, "created:     {}", when::local(r.created_at))?;
    writeln!(out, "updated:     {}", when::local(r.updated_at))?;
    if !r.members.is_empty() {
        writeln!(out, "members:     {:?}", r.members)?;
    }
    if !r.stories.is_empty() {
        writeln!(out, "stories:     {:?}", r.stories)?;
    }
    writeln!(out, "fields:")?;
    for (field, values) in &r.fields {
        let values: Vec<String> = values.iter().map(|v| e(v)).collect();
        writeln!(out, "  {}: {}", e(field), values.join(" ; "))?;
    }
    writeln!(out, "technical:")?;
    for (name, value) in &r.technical {
        writeln!(out, "  {}: {}", e(name), e(value))?;
    }
    if !r.subdefs.is_empty() {
        writeln!(out, "sub-definitions:")?;
        for s in &r.subdefs {
            let reason = s.reason.as_deref().map(|r| format!(": {}", e(r))).unwrap_or_default();
            writeln!(out, "  {}: {} (attempts {}){reason}", e(&s.name), s.state, s.attempts)?;
        }
    }
    Ok(())
}
