//! Workers left running by a scheduler that died (`kill -9`, OOM): found through their pidfiles
//! (pid and start time), shown by `taskctl status`, and stopped gracefully — SIGTERM, the
//! scheduler's grace to finish their current item, then SIGKILL — by the next scheduler or by
//! `taskctl stop`. A pass's command recorded in a `.cmd` file is killed only once nobody holds
//! the task's lock: it may be an admin's `taskctl pass`.

use super::pidfile;
use crate::config::Settings;
use crate::error::Result;
use crate::process::{self, ProcessId};
use crate::queue::orphans::Runs;
use crate::store::Store;
use log::warn;
use nix::sys::signal::Signal;
use std::time::{Duration, Instant};

/// The live worker task `name`'s pidfile names, if any.
pub fn worker_of(settings: &Settings, name: &str) -> Option<ProcessId> {
    pidfile::read_worker(&settings.task_pidfile(name)).filter(|w| process::is_alive(*w))
}

/// Stops the leftover workers of `names` (every task with a pidfile when `None`) and gives
/// their unfinished jobs back uncharged; returns how many workers were stopped.
pub fn stop(settings: &Settings, store: &mut Store, names: Option<&[String]>) -> Result<usize> {
    let tasks = match names {
        Some(n) => n.to_vec(),
        None => tasks_with_run_files(settings),
    };
    let workers: Vec<(String, ProcessId)> =
        tasks.iter().filter_map(|t| worker_of(settings, t).map(|w| (t.clone(), w))).collect();
    for (task, w) in &workers {
        warn!("task {task}: stopping worker pid {} left by a scheduler that is gone", w.pid);
        process::signal_group(w.pid, Signal::SIGTERM);
    }
    let deadline = Instant::now() + settings.scheduler.stop_grace;
    for (_, w) in &workers {
        process::wait_exit(w.pid, deadline.saturating_duration_since(Instant::now()));
        process::kill_group(w.pid);
        Runs { data_dir: &settings.data_dir, job: None, worker: Some(*w) }.stop(Duration::ZERO);
    }
    let policy = crate::queue::worker::retry_policy(settings);
    for (task, w) in &workers {
        store.write(|tx| tx.claims().reclaim(*w, &policy, &|_| false))?;
        crate::queue::started::forget(settings, *w);
        let _ = std::fs::remove_file(settings.task_pidfile(task));
    }
    for task in &tasks {
        if worker_of(settings, task).is_none() && !crate::tasks::worker::lock_is_held(settings, task) {
            pidfile::kill_recorded_group(&settings.task_cmdfile(task));
            let _ = std::fs::remove_file(settings.task_pidfile(task)); // a dead worker's
        }
    }
    Ok(workers.len())
}

/// Tasks that have a pidfile or a `.cmd` file in the run dir.
fn tasks_with_run_files(settings: &Settings) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(settings.run_dir().join("tasks")) else { return Vec::new() };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            let stem = name.strip_suffix(".pid").or_else(|| name.strip_suffix(".cmd"))?;
            crate::tasks::valid_name(stem).then(|| stem.to_string())
        })
        .collect();
    names.sort();
    names.dedup();
    names
}
