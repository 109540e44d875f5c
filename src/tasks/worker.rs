//! A task's worker process (`tasksched --run-task NAME`, started by the scheduler) and
//! `taskctl pass NAME`: one lock per task makes sure two never run its passes at once.
//!
//! Passes start at the task's period, start to start: a pass that overruns is followed at once
//! by the next, never by an overlapping one. After `max_loops` passes, `max_items` items or
//! above `max_rss_mb` the worker exits 0 and the scheduler starts a fresh one. SIGTERM (also
//! sent by the kernel when the scheduler dies) stops it after its current pass.

use super::kinds::{Run, TaskContext};
use super::{Cadence, TaskDef};
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::when;
use log::{info, warn};
use std::fs::File;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// Takes the task's lock, or says who holds it.
pub fn lock_task(settings: &Settings, task: &str) -> Result<File> {
    let path = settings.task_lock(task);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| Error::CantCreate { path: dir.to_path_buf(), source })?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| Error::CantCreate { path: path.clone(), source })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            let pid = crate::sched::pidfile::read_pid(&settings.task_pidfile(task)).unwrap_or(0);
            Err(Error::TaskBusy { task: task.to_string(), pid })
        }
        Err(std::fs::TryLockError::Error(source)) => Err(Error::io(path, source)),
    }
}

/// Runs one pass (or one round of a continuous kind) in the foreground: `taskctl pass`.
pub fn pass_once(settings: &Settings, task: &TaskDef) -> Result<u64> {
    let _lock = lock_task(settings, &task.name)?;
    let stop = Arc::new(AtomicBool::new(false));
    let _signals = stop_on_signals(&stop)?; // Ctrl-C stops the pass's command too
    let ctx = TaskContext { task, settings, stop: &stop };
    let mut store = Store::open(&settings.db_path())?;
    let started = when::now_us();
    let result = match task.kind.run {
        Run::Passes(pass) => pass(&ctx),
        Run::Continuous(run) => run(&ctx, true).map(|()| 0).map_err(|e| e.to_string()),
    };
    store.record_pass(&task.name, started, result.as_ref().err().map(String::as_str))?;
    result.map_err(|reason| Error::PassFailed { task: task.name.clone(), reason })
}

/// The worker's whole life; returns when it should exit (0: stopped or retiring).
pub fn run_worker(settings: &Settings, task: &TaskDef) -> Result<()> {
    let _lock = lock_task(settings, &task.name)?;
    let stop = Arc::new(AtomicBool::new(false));
    let wake = stop_on_signals(&stop)?;
    let ctx = TaskContext { task, settings, stop: &stop };
    match task.kind.run {
        Run::Continuous(run) => run(&ctx, false),
        Run::Passes(pass) => run_passes(&ctx, pass, &wake),
    }
}

fn run_passes(
    ctx: &TaskContext<'_>,
    pass: fn(&TaskContext<'_>) -> std::result::Result<u64, String>,
    wake: &mpsc::Receiver<()>,
) -> Result<()> {
    let task = ctx.task;
    let mut store = Store::open(&ctx.settings.db_path())?;
    let (mut loops, mut items) = (0u64, 0u64);
    let last_pass = store.task_state(&task.name)?.and_then(|t| t.last_pass_at);
    let mut next = first_pass_at(task, last_pass);
    loop {
        if !sleep_until(next, wake) || ctx.stop.load(Ordering::SeqCst) {
            info!("task {}: stopping after {loops} pass(es)", task.name);
            return Ok(());
        }
        let (started, clock) = (when::now_us(), Instant::now());
        let result = pass(ctx);
        match &result {
            Ok(n) => items += n,
            Err(reason) => warn!("task {}: pass failed: {reason}", task.name),
        }
        store.record_pass(&task.name, started, result.as_ref().err().map(String::as_str))?;
        loops += 1;
        if let Some(why) = retire_reason(task, loops, items) {
            info!("task {}: {why}: exiting for a fresh worker", task.name);
            return Ok(());
        }
        next = next_pass_at(task, clock);
    }
}

/// Why the worker should make way for a fresh one, if it should.
fn retire_reason(task: &TaskDef, loops: u64, items: u64) -> Option<String> {
    let l = task.limits;
    if l.max_loops > 0 && loops >= l.max_loops {
        return Some(format!("{loops} passes done (max_loops)"));
    }
    if l.max_items > 0 && items >= l.max_items {
        return Some(format!("{items} items done (max_items)"));
    }
    let rss_mb = crate::process::rss_bytes().unwrap_or(0) >> 20;
    if l.max_rss_mb > 0 && rss_mb >= l.max_rss_mb {
        return Some(format!("{rss_mb} MiB resident (max_rss_mb)"));
    }
    None
}

/// A fresh worker keeps the cadence of the one before it: one period after the last pass.
fn first_pass_at(task: &TaskDef, last_pass_us: Option<i64>) -> Instant {
    match (&task.cadence, last_pass_us) {
        (Some(Cadence::Schedule(cron)), _) => next_cron(cron),
        (Some(Cadence::Period(p)), Some(last)) => {
            let wait_us = last.saturating_add(when::us(*p)) - when::now_us();
            Instant::now() + Duration::from_micros(wait_us.clamp(0, when::us(*p)) as u64)
        }
        _ => Instant::now(),
    }
}

/// Start to start: the next pass is one period after this one started, at once if overdue.
fn next_pass_at(task: &TaskDef, started: Instant) -> Instant {
    match &task.cadence {
        Some(Cadence::Period(p)) => started + *p,
        Some(Cadence::Schedule(cron)) => next_cron(cron),
        None => Instant::now(),
    }
}

fn next_cron(cron: &croner::Cron) -> Instant {
    let now = chrono::Local::now();
    match cron.find_next_occurrence(&now, false) {
        Ok(next) => Instant::now() + (next - now).to_std().unwrap_or(Duration::ZERO),
        Err(e) => {
            warn!("schedule has no next time ({e}); trying again in an hour");
            Instant::now() + Duration::from_secs(3600)
        }
    }
}

/// Sleeps until `at`; false if a stop signal came first.
fn sleep_until(at: Instant, wake: &mpsc::Receiver<()>) -> bool {
    let wait = at.saturating_duration_since(Instant::now());
    matches!(wake.recv_timeout(wait), Err(mpsc::RecvTimeoutError::Timeout)) || wait.is_zero()
}

/// SIGTERM and SIGINT set `stop` and wake a sleeping worker; SIGHUP (meant for the
/// scheduler, say from `pkill`) is ignored rather than fatal.
fn stop_on_signals(stop: &Arc<AtomicBool>) -> Result<mpsc::Receiver<()>> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let (tx, rx) = mpsc::channel();
    let stop = Arc::clone(stop);
    crate::process::on_signals(&[SIGTERM, SIGINT, SIGHUP], move |sig| {
        if sig != SIGHUP {
            stop.store(true, Ordering::SeqCst);
            let _ = tx.send(());
        }
        true
    })?;
    Ok(rx)
}
