//! `taskctl work`: a worker in the foreground (tasksched supervises such workers).

use crate::cli::taskctl::WorkArgs;
use crate::config::Settings;
use crate::error::Result;
use crate::queue::{self, WorkOptions};

pub fn run(settings: &Settings, args: WorkArgs) -> Result<i32> {
    let jobs = args.jobs.map(|j| j as usize).unwrap_or_else(|| settings.default_parallelism());
    queue::work(
        settings,
        WorkOptions { jobs, until_empty: args.until_empty, once: args.once, max_jobs: args.max_jobs },
    )?;
    Ok(crate::exit_codes::OK)
}
