//! `phr-record search QUERY`: the full-text index from a shell. The query is parsed against the
//! config's fields first, so a mistake is one line and exit 65 before the store is opened;
//! results are shown as `list` shows records (same table, same JSON plus a `score`).

use super::view::{self, RecordJson};
use crate::cli::record::SearchArgs;
use crate::config::Settings;
use crate::databox::query::{self, SearchFilter};
use crate::databox::StatusMask;
use crate::error::{Error, Result};
use crate::store::Store;
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct HitJson<'a> {
    #[serde(flatten)]
    record: RecordJson<'a>,
    /// Relevance (FTS5's bm25, negated: higher is better); null for a search by dates alone.
    score: Option<f64>,
}

#[derive(Serialize)]
struct SearchJson<'a> {
    records: Vec<HitJson<'a>>,
}

/// Runs `phr-record search`.
pub fn search(settings: &Settings, args: SearchArgs) -> Result<i32> {
    let parsed = query::parse(&args.query, &settings.structure).map_err(|e| Error::Data(e.to_string()))?;
    let filter = SearchFilter {
        collection: super::collection_named(settings, args.collection.as_deref())?,
        status: args.status.as_deref().map(str::parse::<StatusMask>).transpose().map_err(Error::Usage)?,
        limit: Some(args.limit),
    };
    let store = Store::open_read_only(&settings.db_path())?;
    let hits = store.index().search(&parsed, &filter)?;
    let mut records = Vec::with_capacity(hits.len());
    let mut scores = Vec::with_capacity(hits.len());
    for hit in &hits {
        // Gone between the two reads (removed meanwhile): not a result any more.
        if let Some(r) = store.records().get(hit.id)? {
            records.push(r);
            scores.push(hit.score);
        }
    }
    let mut out = super::super::stdout();
    if args.json {
        let json = SearchJson {
            records: records
                .iter()
                .zip(&scores)
                .map(|(r, &score)| HitJson { record: RecordJson::new(r, &settings.structure), score })
                .collect(),
        };
        crate::output::write_json(&mut out, &json)?;
    } else {
        view::write_table(&mut out, &records, &settings.structure, (!args.wide).then(crate::table::output_width))?;
    }
    out.flush()?;
    Ok(crate::exit_codes::OK)
}
