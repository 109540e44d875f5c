//! `taskctl add`: one job from the command line, or many from stdin with `--batch`.

use super::batch;
use crate::cli::taskctl::{AddArgs, DedupArg};
use crate::config::Settings;
use crate::error::Result;
use crate::handler;
use crate::job::{Added, Dedup, NewJob};
use crate::output::write_json;
use crate::queue::wake;
use crate::store::Store;
use crate::when;
use serde::Serialize;
use std::collections::HashSet;
use std::io::Write;

/// The JSON printed for each job `add` was given.
#[derive(Serialize)]
struct AddedJson {
    id: i64,
    added: bool,
    duplicate_of: Option<i64>,
}

pub fn run(settings: &Settings, args: AddArgs) -> Result<i32> {
    let json = args.json;
    let mut jobs = if args.batch { batch::read_jobs(std::io::stdin().lock())? } else { vec![job_from_args(args)?] };
    for job in &mut jobs {
        job.file = absolute_location(&job.file);
    }
    warn_unrunnable(settings, &jobs);
    let mut store = Store::open(&settings.db_path())?;
    let added = store.write(|tx| tx.jobs().add(&jobs))?;
    wake::notify_workers(&settings.wake_dir());
    report(&added, json)?;
    Ok(crate::exit_codes::OK)
}

fn job_from_args(a: AddArgs) -> Result<NewJob> {
    let due_at = due_time(a.at.as_deref(), a.in_.as_deref())?;
    let timeout_ms = a.timeout.as_deref().map(when::parse_duration).transpose()?.map(|d| d.as_millis() as i64);
    let dedup = match a.no_duplicate {
        None => Dedup::None,
        Some(DedupArg::Args) => Dedup::Args,
        Some(DedupArg::Function) => Dedup::Function,
    };
    let job = NewJob {
        function: a.function.unwrap_or_default(),
        args: a.args,
        description: a.description,
        file: a.file.unwrap_or_default(),
        dedup,
        due_at,
        priority: a.priority,
        max_attempts: a.max_attempts,
        timeout_ms,
        objects: a.objects,
    };
    job.validate()?;
    Ok(job)
}

/// When a job becomes due: `--at`, `--in`, or now.
pub(super) fn due_time(at: Option<&str>, in_: Option<&str>) -> Result<i64> {
    match (at, in_) {
        (Some(at), _) => when::parse_at(at),
        (None, Some(delay)) => Ok(when::now_us().saturating_add(when::us(when::parse_duration(delay)?))),
        (None, None) => Ok(when::now_us()),
    }
}

/// A relative `--file` is relative to where `add` ran, not to the worker's `/`: made absolute
/// once, keeping a trailing `/` (a handler dir).
fn absolute_location(file: &str) -> String {
    if file.is_empty() || file.starts_with('/') {
        return file.to_string();
    }
    match std::path::absolute(file) {
        Ok(path) => {
            let mut text = path.to_string_lossy().into_owned();
            if file.ends_with('/') && !text.ends_with('/') {
                text.push('/');
            }
            text
        }
        Err(_) => file.to_string(),
    }
}

/// Says at once when a job cannot run as things stand (it is still added: the handler may come).
fn warn_unrunnable(settings: &Settings, jobs: &[NewJob]) {
    let mut seen = HashSet::new();
    for job in jobs {
        if seen.insert((job.function.as_str(), job.file.as_str())) {
            if let Err(reason) = handler::resolve(&job.function, &job.file, &settings.handler_dirs) {
                log::warn!("{reason}; the job will fail unless that changes");
            }
        }
    }
}

fn report(added: &[Added], json: bool) -> Result<()> {
    let mut out = super::stdout();
    for a in added {
        let (id, dup) = match *a {
            Added::New(id) => (id, None),
            Added::Duplicate(of) => {
                if added.len() == 1 {
                    eprintln!("taskctl: not added: duplicates queued job {of}");
                }
                (0, Some(of))
            }
        };
        if json {
            write_json(&mut out, &AddedJson { id, added: dup.is_none(), duplicate_of: dup })?;
        } else {
            writeln!(out, "{id}")?;
        }
    }
    out.flush()?;
    Ok(())
}
