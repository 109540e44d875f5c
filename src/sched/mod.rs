//! `tasksched`: Phraseanet's task manager as a Unix daemon. One per data dir (a locked
//! pidfile); it starts a worker process per started task, restarts crashed ones with backoff,
//! and acts on `taskctl start/stop/restart` (which wake it with SIGUSR1). Idle, it sleeps on
//! signals and timers: no polling.

pub mod daemon;
pub mod leftover;
pub mod pidfile;
mod slot;

use crate::config::Settings;
use crate::error::{Error, Result};
use crate::store::{RunState, Store, TaskState};
use crate::tasks;
use log::{error, info, warn};
use signal_hook::consts::{SIGCHLD, SIGHUP, SIGINT, SIGTERM, SIGUSR1};
use slot::Slot;
use std::collections::BTreeMap;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the scheduler sleeps when nothing is due (signals wake it sooner).
const IDLE: Duration = Duration::from_secs(3600);

/// Runs the scheduler in this process until SIGTERM/SIGINT. `log_reopen` is the log file to
/// reopen on SIGHUP when running as a daemon.
pub fn run(
    settings: &Settings,
    pidfile: pidfile::Pidfile,
    signals: mpsc::Receiver<i32>,
    log_reopen: Option<std::path::PathBuf>,
) -> Result<()> {
    let mut store = Store::open(&settings.db_path())?;
    stop_leftover_workers(settings, &mut store)?;
    let mut slots: BTreeMap<String, Slot> = BTreeMap::new();
    load_tasks(settings, &mut store, &mut slots)?;
    info!("scheduler pid {} started ({} task(s))", std::process::id(), slots.len());
    loop {
        let next = tick(settings, &mut store, &mut slots).unwrap_or_else(|e| {
            error!("{e}; trying again in a second");
            Some(Instant::now() + Duration::from_secs(1))
        });
        let wait = next.map_or(IDLE, |t| t.saturating_duration_since(Instant::now()));
        let first = match signals.recv_timeout(wait) {
            Ok(sig) => Some(sig),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => return Err(Error::Unavailable("signal thread gone".into())),
        };
        for sig in first.into_iter().chain(signals.try_iter()) {
            match sig {
                SIGTERM | SIGINT => {
                    info!("signal {sig}: stopping every task, then exiting");
                    shut_down(settings, &mut store, &mut slots)?;
                    drop(pidfile);
                    return Ok(());
                }
                SIGHUP => {
                    if let Some(log) = &log_reopen {
                        daemon::reopen_log(log);
                    }
                    info!("SIGHUP: reloading {}", settings.tasks_dir.display());
                    if let Err(e) = load_tasks(settings, &mut store, &mut slots) {
                        error!("reload failed, keeping the tasks as they were: {e}");
                    }
                }
                _ => {} // SIGCHLD, SIGUSR1: look again
            }
        }
    }
}

/// One look at everything: reap workers, read what the admin wants, act, save what changed.
fn tick(settings: &Settings, store: &mut Store, slots: &mut BTreeMap<String, Slot>) -> Result<Option<Instant>> {
    for slot in slots.values_mut() {
        slot.reap(settings);
    }
    save(settings, store, slots)?; // crashes and exits first, so what is read back below includes them
    let stored: BTreeMap<String, TaskState> =
        store.tasks().task_states()?.into_iter().map(|t| (t.name.clone(), t)).collect();
    let mut next: Option<Instant> = None;
    for (name, slot) in slots.iter_mut() {
        let wanted = stored.get(name).cloned().unwrap_or_else(|| TaskState::new(name));
        if slot.was_forgiven(&wanted) {
            slot.forgive();
        }
        if let Some(at) = slot.reconcile(settings, wanted.desired_started, wanted.restart) {
            next = Some(next.map_or(at, |n| n.min(at)));
        }
    }
    save(settings, store, slots)?;
    slots.retain(|_, slot| !slot.file_gone || slot.has_worker());
    Ok(next)
}

/// Writes what changed in each slot: its state, new crashes, a restart carried out, and the
/// jobs of workers that ended given back.
fn save(settings: &Settings, store: &mut Store, slots: &mut BTreeMap<String, Slot>) -> Result<()> {
    let policy = crate::queue::worker::retry_policy(settings);
    for (name, slot) in slots.iter_mut() {
        for (worker, stopped) in std::mem::take(&mut slot.ended) {
            let started = crate::queue::started::started_by(settings, worker);
            let charge = |id: i64| !stopped && started.as_ref().is_none_or(|s| s.contains(&id));
            let ids = store.write(|tx| tx.claims().reclaim(worker, &policy, &charge))?;
            crate::queue::started::forget(settings, worker);
            if !ids.is_empty() {
                warn!("task {name}: worker pid {} ended holding job(s) {ids:?}: re-queued", worker.pid);
            }
        }
        if slot.dirty || slot.new_crashes > 0 || slot.restarts_done > 0 {
            // One transaction: `taskctl status` never sees a state without its crash count.
            store.write(|tx| {
                if slot.dirty {
                    tx.tasks().save_task_state(&slot.state)?;
                }
                if slot.new_crashes > 0 {
                    tx.tasks().add_crashes(name, slot.new_crashes)?;
                }
                if slot.restarts_done > 0 {
                    tx.tasks().clear_restart(name, slot.restarts_done)?;
                }
                Ok(())
            })?;
            slot.dirty = false;
            slot.new_crashes = 0;
            slot.restarts_done = 0;
        }
    }
    Ok(())
}

/// Reads tasks.d: new tasks get a slot (an `autostart` task is started the first time the
/// scheduler sees it; after that `taskctl start/stop` decide), changed ones are restarted,
/// removed ones are stopped and forgotten.
fn load_tasks(settings: &Settings, store: &mut Store, slots: &mut BTreeMap<String, Slot>) -> Result<()> {
    let defs = tasks::load_all(settings)?;
    let mut autostart = Vec::new();
    let mut seen = Vec::new();
    for def in defs {
        let text = std::fs::read_to_string(&def.path).unwrap_or_default();
        let name = def.name.clone();
        seen.push(name.clone());
        match slots.get_mut(&name) {
            Some(slot) if slot.text == text => slot.file_gone = false,
            Some(slot) => {
                info!("task {name}: definition changed");
                slot.def = def;
                slot.text = text;
                slot.file_gone = false;
                if slot.has_worker() {
                    store.write(|tx| tx.tasks().flag_restart(&name))?; // only if it is wanted: an admin's stop stands
                }
            }
            None => {
                let stored = store.tasks().task_state(&name)?;
                if def.autostart && !stored.as_ref().is_some_and(|t| t.desired_set) {
                    autostart.push(name.clone());
                }
                let state = stored.unwrap_or_else(|| TaskState::new(&name));
                slots.insert(name, Slot::new(def, text, fresh(state)));
            }
        }
    }
    for (name, slot) in slots.iter_mut() {
        if !seen.contains(name) && !slot.file_gone {
            info!("task {name}: its file is gone: stopping it");
            slot.file_gone = true;
        }
    }
    store.write(|tx| tx.tasks().set_desired(&autostart, true))?;
    Ok(())
}

/// A stored state as a new scheduler sees it: no worker of ours runs yet.
fn fresh(mut state: TaskState) -> TaskState {
    if state.state != RunState::Crashed {
        state.state = RunState::Stopped;
    }
    state.pid = None;
    state
}

/// Workers left by a scheduler that was killed: stopped (SIGTERM, grace, SIGKILL) before new
/// ones start, so nothing runs twice; stale pidfiles are removed.
fn stop_leftover_workers(settings: &Settings, store: &mut Store) -> Result<()> {
    leftover::stop(settings, store, None)?;
    for mut state in store.tasks().task_states()? {
        if matches!(state.state, RunState::Started | RunState::Starting | RunState::Stopping) || state.pid.is_some() {
            state.state = RunState::Stopped;
            state.pid = None;
            store.write(|tx| tx.tasks().save_task_state(&state))?;
        }
    }
    Ok(())
}

/// Stops every worker at once: SIGTERM to all, one grace period, SIGKILL to those left.
fn shut_down(settings: &Settings, store: &mut Store, slots: &mut BTreeMap<String, Slot>) -> Result<()> {
    for slot in slots.values_mut() {
        slot.begin_shutdown();
    }
    let deadline = Instant::now() + settings.scheduler.stop_grace;
    while slots.values().any(Slot::has_worker) && Instant::now() < deadline {
        for slot in slots.values_mut() {
            slot.reap(settings);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    for slot in slots.values_mut() {
        slot.finish_shutdown(settings);
    }
    save(settings, store, slots)
}

/// The scheduler's signals (TERM, INT, HUP, CHLD, USR1) as they arrive; taken before its
/// pidfile, so none can kill it once it is visible.
pub fn listen_for_signals() -> Result<mpsc::Receiver<i32>> {
    let (tx, rx) = mpsc::channel();
    crate::process::on_signals(&[SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGUSR1], move |sig| tx.send(sig).is_ok())?;
    Ok(rx)
}

/// Wakes a running scheduler so it acts on a change at once (`taskctl start TASK`, …).
pub fn poke(settings: &Settings) -> bool {
    signal_scheduler(settings, nix::sys::signal::Signal::SIGUSR1).is_some()
}

/// Sends `signal` to the scheduler, only if one holds the pidfile's lock (never to a pid read
/// from a stale pidfile, which may now be another process's); returns the pid signalled.
pub fn signal_scheduler(settings: &Settings, signal: nix::sys::signal::Signal) -> Option<i64> {
    let pidfile = settings.scheduler_pidfile();
    let holder = pidfile::holder(&pidfile)?;
    // Sent only if the pidfile's lock is still held by that pid once the process is pinned.
    let still_it = || pidfile::holder(&pidfile).is_some_and(|h| h.pid == holder.pid);
    crate::process::signal_pinned(holder.pid, signal, still_it).then_some(holder.pid)
}
