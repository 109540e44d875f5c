//! `taskctl work`: claims due jobs and runs up to N at once. One thread loops over the store
//! (report finished jobs and claim new ones in one transaction: group commit), N executor
//! threads run jobs, and everything that can wake the loop (a finished job, a wake-up datagram,
//! a signal) arrives on one channel, so an idle worker sleeps without polling.

use super::pace::Pace;
use super::started::{self, StartedLog};
use super::wake::WakeSocket;
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::job::{Claimed, Finished, Outcome};
use crate::process;
use crate::runner::Running;
use crate::store::{RetryPolicy, Store, WorkerId};
use crate::when;
use log::{debug, info, warn};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often a worker looks for jobs whose worker died.
const RECLAIM_EVERY: Duration = Duration::from_secs(5);
/// A second stop request escalates ("stop running jobs now") only this long after the first
/// was handled: two SIGTERMs sent together (a dying scheduler's and the kernel's) are one.
const SECOND_SIGNAL_AFTER: Duration = Duration::from_millis(500);
/// How long one store cycle waits for another writer before the worker looks at its events
/// (signals, finished jobs) and tries again.
const BUSY_WAIT: Duration = Duration::from_secs(1);
/// The pause between two tries while the store stays busy.
const BUSY_RETRY: Duration = Duration::from_millis(100);
/// How often a store that stays busy is logged.
const BUSY_REPORT_EVERY: Duration = Duration::from_secs(60);
/// How long a finished job may wait to be reported with others in one transaction.
const GROUP_COMMIT_WINDOW: Duration = Duration::from_millis(10);

/// How `taskctl work` was asked to run.
#[derive(Debug, Clone, Default)]
pub struct WorkOptions {
    /// Jobs run at once.
    pub jobs: usize,
    /// Exit when nothing is running, nothing is due and no retry is pending.
    pub until_empty: bool,
    /// Claim once, run what was claimed, exit.
    pub once: bool,
    /// Exit after running this many jobs (a fresh worker then takes over).
    pub max_jobs: Option<u64>,
    /// Exit, once running jobs are done, when resident memory passes this many MiB.
    pub max_rss_mb: Option<u64>,
    /// Advanced by one per finished job (`--until-empty` on a terminal).
    pub progress: Option<indicatif::ProgressBar>,
}

/// What a worker did, for its final log line.
#[derive(Debug, Default, Clone, Copy)]
pub struct WorkSummary {
    pub done: u64,
    pub failed: u64,
}

enum Event {
    Finished(Finished, Duration),
    Wake,
    Signal(i32),
}

/// The loop's state between two store cycles.
#[derive(Default)]
struct Loop {
    in_flight: usize,
    finished: Vec<Finished>,
    oldest_unreported: Option<Instant>,
    stopping: bool,
    /// When the first stop request was handled.
    stop_requested: Option<Instant>,
    /// Our parent at start: once it changes we are orphaned, and a further SIGTERM comes from the
    /// parent-death path or from the next scheduler, never from an operator in a hurry.
    parent: Option<nix::unistd::Pid>,
    pace: Pace,
    summary: WorkSummary,
}

/// The retry policy the configuration describes.
pub fn retry_policy(settings: &Settings) -> RetryPolicy {
    RetryPolicy {
        max_attempts: settings.jobs.max_attempts,
        backoff: settings.jobs.retry_backoff,
        backoff_max: settings.jobs.retry_backoff_max,
    }
}

/// Runs the worker loop until told to stop (SIGTERM/SIGINT), or as `opts` says.
pub fn work(settings: &Settings, opts: WorkOptions) -> Result<WorkSummary> {
    let mut store = Store::open(&settings.db_path())?;
    let (events, inbox) = mpsc::channel();
    let running = Arc::new(Running::default());
    let started = super::started::StartedLog::create(settings, process::this_process()).map(Arc::new);
    let jobs_tx = start_executors(settings, opts.jobs, &events, &running, started.as_ref());
    let _wake = start_wake_listener(settings, &events);
    start_signal_listener(&events)?;
    let result = run_loop(&mut store, settings, &opts, &inbox, &jobs_tx, &running);
    if result.is_err() {
        // The worker cannot go on: stop its handlers rather than leave them unsupervised.
        // Their jobs stay claimed by this (then dead) worker and the next worker takes them back.
        running.stop_all(settings.jobs.kill_grace);
        if let Some(log) = &started {
            log.keep();
        }
    }
    result
}

fn run_loop(
    store: &mut Store,
    settings: &Settings,
    opts: &WorkOptions,
    inbox: &Receiver<Event>,
    jobs_tx: &Sender<Claimed>,
    running: &Arc<Running>,
) -> Result<WorkSummary> {
    let me = process::this_process();
    let policy = retry_policy(settings);
    let mut state = Loop { parent: Some(nix::unistd::getppid()), ..Loop::default() };
    let mut claimed_once = false;
    let mut claimed_total: u64 = 0;
    let mut last_reclaim: Option<Instant> = None;
    let mut busy_since: Option<Instant> = None;
    store.set_busy_timeout(BUSY_WAIT)?;
    loop {
        if last_reclaim.is_none_or(|t| t.elapsed() >= RECLAIM_EVERY) {
            match reclaim_orphans(store, settings, me, &policy) {
                Err(e) if e.is_temporary() => debug!("store busy or full: reclaiming later ({e})"),
                other => other?,
            }
            last_reclaim = Some(Instant::now());
        }
        // Checked once some work is done: a limit below a fresh worker's size must not make it
        // retire before its first job, again and again.
        let too_big =
            claimed_total > 0 && opts.max_rss_mb.is_some_and(|max| process::rss_bytes().unwrap_or(0) >> 20 >= max);
        let retiring = too_big || opts.max_jobs.is_some_and(|max| claimed_total >= max);
        let limit =
            if state.stopping || retiring || (opts.once && claimed_once) { 0 } else { state.pace.limit(opts.jobs) };
        let mut want = limit.saturating_sub(state.in_flight);
        if let Some(max) = opts.max_jobs {
            want = want.min(max.saturating_sub(claimed_total) as usize);
        }
        let claimed = match store.write(|tx| tx.claims().cycle(me, &state.finished, &policy, want)) {
            // Another process holds the store (a long databox write), or the disk is full: keep
            // the reports, run what is running, and try again; a worker never gives up over it.
            Err(e) if e.is_temporary() => {
                if busy_since.is_none_or(|t: Instant| t.elapsed() >= BUSY_REPORT_EVERY) {
                    warn!("cannot write to the store, keeping {} report(s) and retrying: {e}", state.finished.len());
                    busy_since = Some(Instant::now());
                }
                gather_events(inbox, &mut state, 0, BUSY_RETRY, running, settings)?;
                continue;
            }
            other => other?,
        };
        busy_since = None;
        claimed_total += claimed.len() as u64;
        state.finished.clear();
        state.oldest_unreported = None;
        claimed_once |= opts.once;
        for job in claimed {
            debug!("job {} ({}) claimed, attempt {}", job.id, job.function, job.attempt);
            state.in_flight += 1;
            jobs_tx.send(job).map_err(|_| Error::Unavailable("executor threads are gone".into()))?;
        }
        let done =
            state.stopping || retiring || opts.once || (opts.until_empty && !store.claims().has_pending_work()?);
        if state.in_flight == 0 && done {
            break;
        }
        let idle = if state.in_flight == 0 { idle_wait(store, settings)? } else { settings.worker.poll_interval };
        gather_events(inbox, &mut state, limit, idle, running, settings)?;
        if let Some(bar) = &opts.progress {
            advance(bar, state.summary);
        }
    }
    info!("worker exiting: {} done, {} failed", state.summary.done, state.summary.failed);
    debug!("average job {:?}, held up to {} jobs", state.pace.average(), state.pace.limit(opts.jobs));
    Ok(state.summary)
}

/// Waits for events until another store cycle is worth it: a slot to refill, a report that has
/// waited [`GROUP_COMMIT_WINDOW`], a new job, a signal, or `idle` with nothing happening.
fn gather_events(
    inbox: &Receiver<Event>,
    state: &mut Loop,
    limit: usize,
    idle: Duration,
    running: &Arc<Running>,
    settings: &Settings,
) -> Result<()> {
    loop {
        let wait = match state.oldest_unreported {
            Some(t) => GROUP_COMMIT_WINDOW.saturating_sub(t.elapsed()),
            None => idle,
        };
        let first = match inbox.recv_timeout(wait) {
            Ok(e) => e,
            Err(RecvTimeoutError::Timeout) => return Ok(()),
            Err(RecvTimeoutError::Disconnected) => return Err(Error::Unavailable("worker threads are gone".into())),
        };
        let mut cycle_now = false;
        for event in std::iter::once(first).chain(inbox.try_iter()) {
            cycle_now |= handle_event(event, state, running, settings);
        }
        let plenty_held = state.in_flight > limit / 2;
        if cycle_now || !plenty_held || state.oldest_unreported.is_none() {
            return Ok(());
        }
    }
}

/// Applies one event to the loop state; true when it calls for a store cycle at once.
fn handle_event(event: Event, state: &mut Loop, running: &Arc<Running>, settings: &Settings) -> bool {
    match event {
        Event::Finished(finished, took) => {
            state.in_flight -= 1;
            state.pace.record(took);
            log_outcome(finished.id, &finished.outcome, &mut state.summary);
            state.finished.push(finished);
            state.oldest_unreported.get_or_insert_with(Instant::now);
            false
        }
        Event::Wake => true,
        Event::Signal(signal_hook::consts::SIGHUP) => {
            info!("SIGHUP: nothing to reload in a worker");
            false
        }
        Event::Signal(sig) if state.stopping => {
            let orphaned = state.parent.is_some_and(|p| p != nix::unistd::getppid());
            let too_soon = state.stop_requested.is_some_and(|t| t.elapsed() < SECOND_SIGNAL_AFTER);
            if orphaned || too_soon {
                info!("signal {sig} again: already finishing running jobs");
                return false;
            }
            warn!("signal {sig} again: stopping running jobs now");
            stop_running(running, settings, Duration::ZERO);
            true
        }
        Event::Signal(sig) => {
            info!("signal {sig}: finishing running jobs, giving back the others, then exiting");
            state.stopping = true;
            state.stop_requested = Some(Instant::now());
            running.drain();
            stop_running(running, settings, settings.worker.stop_grace);
            true
        }
    }
}

/// Moves the bar to the number of jobs ended, growing it if jobs were added meanwhile.
fn advance(bar: &indicatif::ProgressBar, summary: WorkSummary) {
    let ended = summary.done + summary.failed;
    if ended > bar.length().unwrap_or(0) {
        bar.set_length(ended);
    }
    bar.set_position(ended);
}

fn log_outcome(id: i64, outcome: &Outcome, summary: &mut WorkSummary) {
    match outcome {
        Outcome::Done => summary.done += 1,
        Outcome::Failed { reason, .. } => {
            summary.failed += 1;
            warn!("job {id} failed: {reason}");
        }
        Outcome::NotFinished => debug!("job {id} not finished: re-queued one priority lower"),
        Outcome::Interrupted => info!("job {id} interrupted: re-queued"),
        Outcome::Unrunnable { reason } => {
            summary.failed += 1;
            warn!("job {id} cannot run: {reason}: dead");
        }
    }
}

/// How long an idle worker may sleep: until the next job is due, at most `poll_interval`.
fn idle_wait(store: &Store, settings: &Settings) -> Result<Duration> {
    let poll = settings.worker.poll_interval;
    Ok(match store.jobs().next_due()? {
        Some(due) => Duration::from_micros((due - when::now_us()).clamp(0, when::us(poll)) as u64),
        None => poll,
    })
}

/// After `grace`, stops the handlers still running (their jobs are re-queued, not failed).
fn stop_running(running: &Arc<Running>, settings: &Settings, grace: Duration) {
    let running = Arc::clone(running);
    let kill_grace = settings.jobs.kill_grace;
    std::thread::spawn(move || {
        std::thread::sleep(grace);
        running.stop_all(kill_grace);
    });
}

/// Gives back the jobs of workers that died, after stopping whatever they left running.
fn reclaim_orphans(store: &mut Store, settings: &Settings, me: WorkerId, policy: &RetryPolicy) -> Result<()> {
    let stop = |worker, id| {
        let runs = super::orphans::Runs { data_dir: &settings.data_dir, job: Some(id), worker: Some(worker) };
        runs.stop(settings.jobs.kill_grace)
    };
    let started = |worker| started::started_by(settings, worker);
    for (worker, ids) in store.reclaim_dead_workers(me, policy, stop, started)? {
        warn!("worker pid {} died: re-queued job(s) {:?}", worker.pid, ids);
        started::forget(settings, worker);
    }
    Ok(())
}

fn start_executors(
    settings: &Settings,
    n: usize,
    events: &Sender<Event>,
    running: &Arc<Running>,
    started: Option<&Arc<StartedLog>>,
) -> Sender<Claimed> {
    let (jobs_tx, jobs_rx) = mpsc::channel::<Claimed>();
    let jobs_rx = Arc::new(Mutex::new(jobs_rx));
    for _ in 0..n {
        let (jobs_rx, events, running, settings) =
            (Arc::clone(&jobs_rx), events.clone(), Arc::clone(running), settings.clone());
        let started = started.cloned();
        std::thread::spawn(move || executor(&jobs_rx, &events, &running, &settings, started.as_deref()));
    }
    jobs_tx
}

fn executor(
    jobs: &Mutex<Receiver<Claimed>>,
    events: &Sender<Event>,
    running: &Running,
    settings: &Settings,
    started: Option<&StartedLog>,
) {
    loop {
        let next = jobs.lock().map(|rx| rx.recv());
        let Ok(Ok(job)) = next else { return };
        if let Some(log) = started.filter(|_| !running.refuses_new()) {
            log.record(job.id);
        }
        let (started_at, clock) = (when::now_us(), Instant::now());
        let outcome = super::execute(&job, settings, running, false);
        if events.send(Event::Finished(Finished { id: job.id, outcome, started_at }, clock.elapsed())).is_err() {
            return;
        }
    }
}

/// Listens for wake-ups; the returned socket removes its file when the worker exits.
fn start_wake_listener(settings: &Settings, events: &Sender<Event>) -> Option<WakeSocket> {
    let bound = WakeSocket::bind(&settings.wake_dir()).and_then(|s| s.listener().map(|l| (s, l)));
    let (socket, listener) = match bound {
        Ok(pair) => pair,
        Err(e) => {
            warn!("no wake-up socket ({e}): new jobs are seen at the next poll");
            return None;
        }
    };
    let events = events.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 16];
        while listener.recv(&mut buf).is_ok() {
            if events.send(Event::Wake).is_err() {
                return;
            }
        }
    });
    Some(socket)
}

fn start_signal_listener(events: &Sender<Event>) -> Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let events = events.clone();
    process::on_signals(&[SIGTERM, SIGINT, SIGHUP], move |sig| events.send(Event::Signal(sig)).is_ok())
}
