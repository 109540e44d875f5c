//! A task's worker process (`tasksched --run-task NAME`, started by the scheduler), `taskctl
//! pass NAME`, and `phr-KIND` from a shell or cron: one lock per task makes sure two never run
//! its passes at once.
//!
//! Passes start at the task's period, start to start: a pass that overruns is followed at once
//! by the next, never by an overlapping one. After `max_loops` passes, `max_items` items or
//! above `max_rss_mb` the worker exits 0 and the scheduler starts a fresh one. SIGTERM (also
//! sent by the kernel when the scheduler dies) stops it after its current pass.

use super::{Cadence, Limits, TaskDef};
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::kinds::{Context, KindError, Mode, PassReport, Session};
use crate::store::Store;
use crate::when;
use log::{info, warn};
use std::fs::File;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// What a worker or a single pass runs: a task's (or ad-hoc) settings, cadence and limits.
pub struct Plan<'a> {
    pub settings: &'a Settings,
    /// The task, when run as one: its lock is taken and its passes recorded in the store.
    pub task: Option<&'a TaskDef>,
    pub mode: Mode,
    pub cadence: Option<Cadence>,
    pub limits: Limits,
}

impl<'a> Plan<'a> {
    /// The plan a task's file describes.
    pub fn of_task(settings: &'a Settings, task: &'a TaskDef) -> Plan<'a> {
        Plan { settings, task: Some(task), mode: task.kind.mode(), cadence: task.cadence.clone(), limits: task.limits }
    }

    fn context<'b>(&'b self, stop: &'b AtomicBool, once: bool, dry_run: bool) -> Context<'b> {
        let task = self.task.map(|t| t.name.as_str());
        Context { settings: self.settings, task, limits: self.limits, stop, once, dry_run }
    }

    /// "task NAME", for messages; empty without a task.
    fn label(&self) -> String {
        self.task.map(|t| t.name.clone()).unwrap_or_default()
    }
}

/// Takes the task's lock, or says who holds it.
pub fn lock_task(settings: &Settings, task: &str) -> Result<File> {
    let path = settings.task_lock(task);
    let file =
        crate::private_file::open_lock(&path).map_err(|source| Error::CantCreate { path: path.clone(), source })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            let pid = crate::sched::pidfile::read_pid(&settings.task_pidfile(task)).unwrap_or(0);
            Err(Error::TaskBusy { task: task.to_string(), pid })
        }
        Err(std::fs::TryLockError::Error(source)) => Err(Error::io(path, source)),
    }
}

/// Whether something (a worker, `taskctl pass`, `phr-KIND --task`) holds the task's lock now.
pub fn lock_is_held(settings: &Settings, task: &str) -> bool {
    let Ok(file) = std::fs::File::open(settings.task_lock(task)) else { return false };
    matches!(file.try_lock_shared(), Err(std::fs::TryLockError::WouldBlock))
}

/// Runs one pass (or one round of a continuous kind) in the foreground: `taskctl pass`,
/// `phr-KIND --once`. A task's pass is recorded in the store, unless it is a dry run.
pub fn pass_once(
    plan: &Plan<'_>,
    dry_run: bool,
    open: impl Fn(&Context<'_>) -> std::result::Result<Box<dyn Session>, KindError>,
) -> Result<PassReport> {
    let _lock = plan.task.map(|t| lock_task(plan.settings, &t.name)).transpose()?;
    let stop = Arc::new(AtomicBool::new(false));
    let _signals = stop_on_signals(&stop)?; // Ctrl-C stops the pass's command too
    let ctx = plan.context(&stop, true, dry_run);
    let started = when::now_us();
    let result = open(&ctx).and_then(|mut session| session.pass(&ctx));
    if let Some(task) = plan.task.filter(|_| !dry_run) {
        let error = result.as_ref().err().map(ToString::to_string);
        Store::open(&plan.settings.db_path())?
            .write(|tx| tx.tasks().record_pass(&task.name, started, error.as_deref()))?;
    }
    result.map_err(|e| e.into_error(&plan.label()))
}

/// The worker's whole life; returns when it should exit (0: stopped or retiring).
pub fn run_worker(
    plan: &Plan<'_>,
    open: impl Fn(&Context<'_>) -> std::result::Result<Box<dyn Session>, KindError>,
) -> Result<()> {
    let _lock = plan.task.map(|t| lock_task(plan.settings, &t.name)).transpose()?;
    let stop = Arc::new(AtomicBool::new(false));
    let wake = stop_on_signals(&stop)?;
    let ctx = plan.context(&stop, false, false);
    let mut session = open(&ctx).map_err(|e| e.into_error(&plan.label()))?;
    match plan.mode {
        Mode::Continuous => session.pass(&ctx).map(drop).map_err(|e| e.into_error(&plan.label())),
        Mode::Passes => run_passes(plan, &ctx, session.as_mut(), &wake),
    }
}

fn run_passes(plan: &Plan<'_>, ctx: &Context<'_>, session: &mut dyn Session, wake: &mpsc::Receiver<()>) -> Result<()> {
    let mut store = plan.task.map(|_| Store::open(&plan.settings.db_path())).transpose()?;
    let name = plan.label();
    let (mut loops, mut items) = (0u64, 0u64);
    let last_pass = match (&store, plan.task) {
        (Some(store), Some(task)) => store.tasks().task_state(&task.name)?.and_then(|t| t.last_pass_at),
        _ => None,
    };
    let mut next = first_pass_at(plan.cadence.as_ref(), last_pass);
    loop {
        if !sleep_until(next, wake) || ctx.stop.load(Ordering::SeqCst) {
            info!("task {name}: stopping after {loops} pass(es)");
            return Ok(());
        }
        let (started, clock) = (when::now_us(), Instant::now());
        let result = session.pass(ctx);
        match &result {
            Ok(report) => {
                items += report.done;
                for item in &report.set_aside {
                    warn!("task {name}: {}: {}", item.item, item.reason);
                }
            }
            Err(reason) => warn!("task {name}: pass failed: {reason}"),
        }
        if let (Some(store), Some(task)) = (store.as_mut(), plan.task) {
            let error = result.as_ref().err().map(ToString::to_string);
            store.write(|tx| tx.tasks().record_pass(&task.name, started, error.as_deref()))?;
        }
        loops += 1;
        if let Some(why) = retire_reason(plan.limits, loops, items) {
            info!("task {name}: {why}: exiting for a fresh worker");
            return Ok(());
        }
        next = next_pass_at(plan.cadence.as_ref(), clock);
    }
}

/// Why the worker should make way for a fresh one, if it should.
fn retire_reason(l: Limits, loops: u64, items: u64) -> Option<String> {
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
fn first_pass_at(cadence: Option<&Cadence>, last_pass_us: Option<i64>) -> Instant {
    match (cadence, last_pass_us) {
        (Some(Cadence::Schedule(cron)), _) => next_cron(cron),
        (Some(Cadence::Period(p)), Some(last)) => {
            let wait_us = last.saturating_add(when::us(*p)) - when::now_us();
            Instant::now() + Duration::from_micros(wait_us.clamp(0, when::us(*p)) as u64)
        }
        _ => Instant::now(),
    }
}

/// Start to start: the next pass is one period after this one started, at once if overdue.
fn next_pass_at(cadence: Option<&Cadence>, started: Instant) -> Instant {
    match cadence {
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
