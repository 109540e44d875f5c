//! `taskctl rm` and `taskctl purge`: removing jobs, never silently a running one.

use crate::cli::taskctl::{PurgeArgs, PurgeStatus, RmArgs};
use crate::config::Settings;
use crate::error::Result;
use crate::exit_codes;
use crate::job::Status;
use crate::store::{Removal, Store};

pub fn rm(settings: &Settings, args: RmArgs) -> Result<i32> {
    let mut store = Store::open(&settings.db_path())?;
    let ids = match &args.object {
        Some(object) => store.jobs().jobs_of_object(object)?,
        None => args.ids.clone(),
    };
    let running_before: Vec<i64> = if args.force { running_ids(&store, &ids)? } else { Vec::new() };
    // Remove the rows first: once a job is gone no worker can claim it again, and its current
    // worker's report is ignored. Then stop what was running.
    let removals = store.write(|tx| tx.jobs().remove(&ids, args.force))?;
    let mut code = exit_codes::OK;
    for (&id, removal) in ids.iter().zip(&removals) {
        match removal {
            Removal::Removed => {
                if running_before.contains(&id) {
                    let runs =
                        crate::queue::orphans::Runs { data_dir: &settings.data_dir, job: Some(id), worker: None };
                    runs.stop(settings.jobs.kill_grace);
                }
                let _ = std::fs::remove_file(settings.job_log(id));
            }
            Removal::Missing => {
                eprintln!("taskctl: no job {id}");
                code = code.max(exit_codes::FAILURE);
            }
            Removal::Running { pid } => {
                eprintln!("taskctl: job {id} is running (worker pid {pid}); use --force to stop and remove it");
                code = code.max(exit_codes::TEMP_FAIL);
            }
        }
    }
    Ok(code)
}

fn running_ids(store: &Store, ids: &[i64]) -> Result<Vec<i64>> {
    let mut running = Vec::new();
    for &id in ids {
        if store.jobs().get(id)?.is_some_and(|j| j.status == Status::Running) {
            running.push(id);
        }
    }
    Ok(running)
}

pub fn purge(settings: &Settings, args: PurgeArgs) -> Result<i32> {
    let status = match args.status {
        PurgeStatus::Queued => Status::Queued,
        PurgeStatus::Done => Status::Done,
        PurgeStatus::Dead => Status::Dead,
    };
    let mut store = Store::open(&settings.db_path())?;
    let ids = store.write(|tx| tx.jobs().purge(status))?;
    for id in &ids {
        let _ = std::fs::remove_file(settings.job_log(*id));
    }
    eprintln!("taskctl: removed {} {status} job(s)", ids.len());
    Ok(exit_codes::OK)
}
