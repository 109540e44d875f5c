//! `phr-record`: the databox's records from a shell — a table for people, one stable JSON shape
//! for scripts, as `taskctl list` does.

mod change;
mod search;
mod view;

use crate::cli::record::{ListArgs, RecordCli, RecordCommand, ShowArgs};
use crate::config::Settings;
use crate::databox::{Pending, RecordFilter, RecordKind, StatusMask};
use crate::error::{Error, Result};
use crate::store::Store;
use std::io::Write;

/// Runs a parsed `phr-record` command line.
pub fn phr_record(cli: RecordCli) -> Result<i32> {
    let settings = Settings::load(cli.config.as_deref(), cli.data_dir.as_deref())?;
    match cli.command {
        RecordCommand::List(args) => list(&settings, args),
        RecordCommand::Search(args) => search::search(&settings, args),
        RecordCommand::Show(args) => show(&settings, args),
        RecordCommand::Set(args) => change::set(&settings, args),
        RecordCommand::Status(args) => change::status(&settings, args),
        RecordCommand::Mark(args) => change::mark(&settings, args),
        RecordCommand::Rm(args) => change::rm(&settings, args),
        RecordCommand::Export(args) => change::export(&settings, args),
    }
}

fn list(settings: &Settings, args: ListArgs) -> Result<i32> {
    let filter = filter(settings, &args)?;
    let store = Store::open_read_only(&settings.db_path())?;
    let records = store.records().list(&filter)?;
    let mut out = super::stdout();
    if args.json {
        view::write_list_json(&mut out, &records, &settings.structure)?;
    } else {
        view::write_table(&mut out, &records, &settings.structure, (!args.wide).then(crate::table::output_width))?;
    }
    out.flush()?;
    Ok(crate::exit_codes::OK)
}

fn filter(settings: &Settings, args: &ListArgs) -> Result<RecordFilter> {
    let collection = collection_named(settings, args.collection.as_deref())?;
    let status = args.status.as_deref().map(str::parse::<StatusMask>).transpose().map_err(Error::Usage)?;
    let field = match &args.field {
        None => None,
        Some(fv) => {
            let (f, v) =
                fv.split_once('=').ok_or_else(|| Error::Usage(format!("--field {fv:?}: write FIELD=VALUE")))?;
            Some((f.to_string(), v.to_string()))
        }
    };
    let date = |d: &Option<String>| -> Result<Option<i64>> {
        d.as_deref()
            .map(|t| {
                crate::when::parse_moment(t).ok_or_else(|| Error::Usage(format!("bad date {t:?}: write YYYY-MM-DD")))
            })
            .transpose()
    };
    Ok(RecordFilter {
        collection,
        status,
        field,
        since: date(&args.since)?,
        until: date(&args.until)?,
        pending: args.pending.as_deref().and_then(pending_named),
        kind: args.stories.then_some(RecordKind::Story),
        limit: args.limit,
    })
}

/// The collection a `--collection` names (its name or Phraseanet id), as the store names it.
pub(crate) fn collection_named(settings: &Settings, c: Option<&str>) -> Result<Option<String>> {
    c.map(|c| {
        settings
            .structure
            .collection(c)
            .map(|(name, _)| name.to_string())
            .ok_or_else(|| Error::Usage(format!("no collection {c:?} in the config")))
    })
    .transpose()
}

/// The work flag a name designates (`meta-read`, `subdefs`, `index`, `meta-write`).
pub(crate) fn pending_named(name: &str) -> Option<Pending> {
    Pending::ALL.into_iter().find(|p| p.name() == name)
}

fn show(settings: &Settings, args: ShowArgs) -> Result<i32> {
    let store = Store::open_read_only(&settings.db_path())?;
    let record = store.records().get(args.id)?.ok_or(Error::NoSuchRecord(args.id))?;
    let mut out = super::stdout();
    if args.json {
        crate::output::write_json(&mut out, &view::RecordJson::new(&record, &settings.structure))?;
    } else {
        view::write_details(&mut out, &record, &settings.structure)?;
    }
    out.flush()?;
    Ok(crate::exit_codes::OK)
}
