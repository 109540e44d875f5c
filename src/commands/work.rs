//! `taskctl work`: a worker in the foreground (tasksched supervises such workers). With
//! `--until-empty` on a terminal it shows a progress bar; in cron it stays quiet.

use crate::cli::taskctl::WorkArgs;
use crate::config::Settings;
use crate::error::Result;
use crate::queue::{self, WorkOptions};
use crate::store::Store;
use std::io::IsTerminal;

pub fn run(settings: &Settings, args: WorkArgs) -> Result<i32> {
    let jobs = args.jobs.map(|j| j as usize).unwrap_or_else(|| settings.default_parallelism());
    let progress = if args.until_empty && std::io::stderr().is_terminal() { Some(bar(settings)?) } else { None };
    let opts = WorkOptions {
        jobs,
        until_empty: args.until_empty,
        once: args.once,
        max_jobs: args.max_jobs,
        progress,
        ..Default::default()
    };
    let result = queue::work(settings, opts);
    crate::logging::clear_progress();
    result.map(|_| crate::exit_codes::OK)
}

fn bar(settings: &Settings) -> Result<indicatif::ProgressBar> {
    let pending = Store::open(&settings.db_path())?.claims().count_pending()?;
    let bar = indicatif::ProgressBar::new(pending);
    let style = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} jobs  {per_sec}  eta {eta}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    crate::logging::show_progress(&bar);
    Ok(bar)
}
