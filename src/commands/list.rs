//! `taskctl list`, `show` and `link`: looking at jobs and attaching them to objects.

use crate::cli::taskctl::{LinkArgs, ListArgs, ShowArgs};
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::output::{self, JobJson};
use crate::store::{JobFilter, Store};
use crate::when;
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct ListJson<'a> {
    jobs: Vec<JobJson<'a>>,
    next_due: Option<String>,
}

pub fn list(settings: &Settings, args: ListArgs) -> Result<i32> {
    let store = Store::open_read_only(&settings.db_path())?;
    let filter = JobFilter { status: args.status, function: args.function, object: args.object };
    let jobs = store.jobs().list(&filter)?;
    let next_due = store.jobs().next_due()?;
    let mut out = super::stdout();
    if args.json {
        let json = ListJson { jobs: jobs.iter().map(JobJson::from).collect(), next_due: next_due.map(when::rfc3339) };
        output::write_json(&mut out, &json)?;
    } else {
        if !jobs.is_empty() {
            let width = if args.wide { None } else { Some(crate::table::output_width()) };
            output::write_table(&mut out, &jobs, width)?;
        }
        match next_due {
            Some(due) => writeln!(out, "next job in {}", when::human_delay(due - when::now_us()))?,
            None => writeln!(out, "no job queued")?,
        }
    }
    out.flush()?;
    Ok(crate::exit_codes::OK)
}

pub fn show(settings: &Settings, args: ShowArgs) -> Result<i32> {
    let store = Store::open_read_only(&settings.db_path())?;
    let job = store.jobs().get(args.id)?.ok_or(Error::NoSuchJob(args.id))?;
    let mut out = super::stdout();
    if args.json {
        output::write_json(&mut out, &JobJson::from(&job))?;
    } else {
        output::write_details(&mut out, &job)?;
    }
    out.flush()?;
    Ok(crate::exit_codes::OK)
}

pub fn link(settings: &Settings, args: LinkArgs) -> Result<i32> {
    let mut store = Store::open(&settings.db_path())?;
    store.write(|tx| tx.jobs().link(args.id, &args.objects))?;
    Ok(crate::exit_codes::OK)
}
