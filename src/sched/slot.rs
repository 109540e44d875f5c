//! One task under supervision: its worker process, and what happens when it exits — a clean
//! exit is followed by a fresh worker, a crash by a restart after a doubling delay, and too
//! many crashes within the task's window by the `crashed` state until an admin starts it again.

use super::pidfile;
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::process;
use crate::store::{RunState, TaskState, WorkerId};
use crate::tasks::TaskDef;
use log::{error, info, warn};
use nix::sys::signal::Signal;
use std::process::Child;
use std::time::{Duration, Instant};

/// A worker that has lived this long is `started`, no longer `starting`.
const SETTLE: Duration = Duration::from_secs(1);

/// A supervised task.
pub struct Slot {
    pub def: TaskDef,
    /// The file's text, to notice a changed definition on reload.
    pub text: String,
    /// Its file was removed: stop the worker, then forget the task.
    pub file_gone: bool,
    /// What the store shows of this task; saved when `dirty`.
    pub state: TaskState,
    pub dirty: bool,
    /// Crashes not yet added to the store's count.
    pub new_crashes: i64,
    /// Restart requests carried out, to be taken off the store's count.
    pub restarts_done: i64,
    /// Workers that ended, with whether we had asked them to stop: their jobs still marked
    /// running are given back (charged a failure only when the worker crashed by itself).
    pub ended: Vec<(WorkerId, bool)>,
    child: Option<Child>,
    /// The running worker as its handlers' `PHR_WORKER` names it.
    worker: Option<WorkerId>,
    spawned_at: Option<Instant>,
    stop_sent: Option<Instant>,
    restart_at: Option<Instant>,
    crash_times: Vec<Instant>,
}

impl Slot {
    pub fn new(def: TaskDef, text: String, state: TaskState) -> Slot {
        Slot {
            def,
            text,
            file_gone: false,
            state,
            dirty: true,
            new_crashes: 0,
            restarts_done: 0,
            ended: Vec::new(),
            child: None,
            worker: None,
            spawned_at: None,
            stop_sent: None,
            restart_at: None,
            crash_times: Vec::new(),
        }
    }

    /// The admin cleared the crash count or started a crashed task: forget past crashes.
    pub fn forgive(&mut self) {
        self.crash_times.clear();
        self.restart_at = None;
        if self.state.state == RunState::Crashed {
            self.set_state(RunState::Stopped);
        }
    }

    /// Whether the store says the admin forgave what this slot remembers.
    pub fn was_forgiven(&self, stored: &TaskState) -> bool {
        let reset = stored.crashes == 0 && !self.crash_times.is_empty();
        let restarted = self.state.state == RunState::Crashed && stored.state != RunState::Crashed;
        self.new_crashes == 0 && (reset || restarted)
    }

    pub fn has_worker(&self) -> bool {
        self.child.is_some()
    }

    fn set_state(&mut self, state: RunState) {
        if self.state.state != state {
            self.state.state = state;
            self.dirty = true;
        }
    }

    /// Brings the worker in line with what the admin wants; returns when to look again.
    pub fn reconcile(&mut self, settings: &Settings, desired_started: bool, restarts: i64) -> Option<Instant> {
        let restart = restarts > 0;
        let now = Instant::now();
        let wanted = desired_started && !self.file_gone;
        if self.child.is_some() {
            if self.stop_sent.is_some() || !wanted || restart {
                return Some(self.stop(settings, now));
            }
            if self.state.state == RunState::Starting {
                let settled = self.spawned_at.map_or(now, |t| t + SETTLE);
                if now < settled {
                    return Some(settled);
                }
                self.set_state(RunState::Started);
            }
            return None;
        }
        if self.state.state == RunState::Crashed {
            return None;
        }
        if !wanted {
            self.restart_at = None;
            self.set_state(RunState::Stopped);
            return None;
        }
        if let Some(at) = self.restart_at.filter(|&at| at > now && !restart) {
            return Some(at);
        }
        self.restart_at = None;
        if restart {
            self.restarts_done = restarts;
            self.crash_times.clear();
        }
        match self.spawn(settings) {
            Ok(()) => Some(now + SETTLE),
            Err(e) => {
                error!("task {}: cannot start its worker: {e}", self.def.name);
                self.crashed_now(settings, format!("cannot start: {e}"))
            }
        }
    }

    /// SIGTERM to the worker's group, then SIGKILL once the grace period is over; returns when
    /// to look again.
    fn stop(&mut self, settings: &Settings, now: Instant) -> Instant {
        let grace = settings.scheduler.stop_grace;
        match self.stop_sent {
            None => {
                self.signal(Signal::SIGTERM);
                self.stop_sent = Some(now);
                self.set_state(RunState::Stopping);
                now + grace
            }
            Some(sent) if now >= sent + grace => {
                warn!(
                    "task {}: worker still there after {}: SIGKILL",
                    self.def.name,
                    humantime::format_duration(grace)
                );
                self.signal(Signal::SIGKILL);
                now + Duration::from_secs(1)
            }
            Some(sent) => sent + grace,
        }
    }

    fn signal(&self, signal: Signal) {
        if let Some(pid) = self.state.pid {
            info!("task {}: {} to worker pid {pid}", self.def.name, signal.as_str());
            process::signal_group(pid, signal);
        }
    }

    fn spawn(&mut self, settings: &Settings) -> Result<()> {
        let log_path = settings.task_log(&self.def.name);
        let log = open_append(&log_path)?;
        let exe = std::env::current_exe().map_err(|e| Error::Unavailable(format!("cannot find own binary: {e}")))?;
        let mut cmd = process::group_command(exe);
        cmd.arg("--run-task").arg(&self.def.name).arg("--data-dir").arg(&settings.data_dir);
        if let Some(config) = &settings.config_path {
            cmd.arg("--config").arg(config);
        }
        cmd.stdout(log.try_clone().map_err(|e| Error::io(&log_path, e))?).stderr(log);
        process::die_with_parent(&mut cmd, Signal::SIGTERM);
        let mut child = cmd.spawn().map_err(|e| Error::Unavailable(format!("cannot start worker: {e}")))?;
        let pid = i64::from(child.id());
        let worker = WorkerId { pid, start: process::start_time(pid).unwrap_or(0) };
        if let Err(e) = pidfile::write_worker(&settings.task_pidfile(&self.def.name), worker) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(e);
        }
        info!("task {}: worker pid {pid} started", self.def.name);
        self.child = Some(child);
        self.worker = Some(worker);
        self.spawned_at = Some(Instant::now());
        self.stop_sent = None;
        self.state.pid = Some(pid);
        self.state.started_at = Some(crate::when::now_us());
        self.set_state(RunState::Starting);
        self.dirty = true;
        Ok(())
    }

    /// Collects the worker if it has exited; returns true if it did.
    pub fn reap(&mut self, settings: &Settings) -> bool {
        let status = match self.child.as_mut().map(Child::try_wait) {
            Some(Ok(Some(status))) => status,
            Some(Err(e)) => {
                error!("task {}: cannot wait for worker: {e}", self.def.name);
                return false;
            }
            _ => return false,
        };
        self.child = None;
        let _ = std::fs::remove_file(settings.task_pidfile(&self.def.name));
        // What a killed worker's pass was running goes with it: never two passes at once. The
        // run file is only the dead worker's if nobody holds the task's lock now: `taskctl pass`
        // may be running a pass of its own (its worker exited "busy").
        if !crate::tasks::worker::lock_is_held(settings, &self.def.name) {
            pidfile::kill_recorded_group(&settings.task_cmdfile(&self.def.name));
        }
        // Job handlers that left the worker's process group go too, found by their PHR_WORKER;
        // at once if we stopped the worker: the grace it had was theirs.
        if let Some(worker) = self.worker.take() {
            let runs = crate::queue::orphans::Runs { data_dir: &settings.data_dir, job: None, worker: Some(worker) };
            runs.stop(if self.stop_sent.is_some() { Duration::ZERO } else { settings.jobs.kill_grace });
            self.ended.push((worker, self.stop_sent.is_some()));
        }
        self.state.pid = None;
        self.state.last_exit = Some(process::describe(status));
        self.dirty = true;
        let asked_to_stop = self.stop_sent.take().is_some();
        if asked_to_stop || status.success() {
            if !asked_to_stop {
                info!("task {}: worker retired ({}): a fresh one follows", self.def.name, process::describe(status));
                // A worker that retires at once (a limit it cannot meet) is not restarted in a loop.
                let lived = self.spawned_at.map_or(SETTLE, |t| t.elapsed());
                if lived < SETTLE {
                    self.restart_at = Some(Instant::now() + SETTLE);
                }
            }
            self.set_state(RunState::Stopped);
        } else if status.code() == Some(crate::exit_codes::CONFIG) {
            // Its task file (or the config) broke since it was loaded: every new worker would
            // fail the same way, so it is not restarted in a loop.
            let why = format!(
                "{}: its task file or the config is invalid (see the task's log); fix it, then taskctl start {}",
                process::describe(status),
                self.def.name
            );
            error!("task {}: {why}", self.def.name);
            self.new_crashes += 1;
            self.state.last_exit = Some(why);
            self.set_state(RunState::Crashed);
            self.restart_at = None;
        } else {
            warn!("task {}: worker crashed ({})", self.def.name, process::describe(status));
            self.crashed_now(settings, process::describe(status));
        }
        true
    }

    /// Counts a crash; too many within the window and the task stays `crashed`.
    fn crashed_now(&mut self, settings: &Settings, why: String) -> Option<Instant> {
        let now = Instant::now();
        self.crash_times.push(now);
        self.crash_times.retain(|&t| now.duration_since(t) <= self.def.crash_window);
        self.new_crashes += 1;
        self.state.last_exit = Some(why);
        self.dirty = true;
        let recent = self.crash_times.len() as u32;
        if recent >= self.def.max_crashes {
            let window = humantime::format_duration(self.def.crash_window);
            error!(
                "task {}: {recent} crashes within {window}: left crashed until `taskctl start {}`",
                self.def.name, self.def.name
            );
            self.set_state(RunState::Crashed);
            self.restart_at = None;
            return None;
        }
        let delay = Duration::from_secs(1 << (recent - 1).min(16)).min(settings.scheduler.restart_backoff_max);
        info!("task {}: restarting in {}", self.def.name, humantime::format_duration(delay));
        self.set_state(RunState::Starting);
        self.restart_at = Some(now + delay);
        self.restart_at
    }

    /// First step of a shutdown: SIGTERM to the worker, if any.
    pub fn begin_shutdown(&mut self) {
        if self.child.is_some() && self.stop_sent.is_none() {
            self.signal(Signal::SIGTERM);
            self.stop_sent = Some(Instant::now());
            self.set_state(RunState::Stopping);
        }
    }

    /// Last step of a shutdown: SIGKILL to a worker still there, and collect it; a task
    /// waiting to be restarted is simply stopped.
    pub fn finish_shutdown(&mut self, settings: &Settings) {
        self.restart_at = None;
        if self.child.is_none() && self.state.state == RunState::Starting {
            self.set_state(RunState::Stopped);
        }
        if self.child.is_some() {
            self.signal(Signal::SIGKILL);
            if let Some(child) = self.child.as_mut() {
                let _ = child.wait();
            }
            self.reap(settings);
        }
    }
}

/// Opens a log (a task's, the scheduler's) for appending: created private, never through a link.
pub fn open_append(path: &std::path::Path) -> Result<std::fs::File> {
    crate::private_file::open_append(path).map_err(|source| Error::CantCreate { path: path.to_path_buf(), source })
}
