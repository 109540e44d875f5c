//! `tasksched`: run the scheduler in the foreground, become a daemon, or (hidden) run one
//! task's worker for the scheduler.

use crate::cli::tasksched::Tasksched;
use crate::config::Settings;
use crate::error::{Error, Result, StoreFailure};
use crate::exit_codes;
use crate::sched::{self, daemon, pidfile};
use crate::store::{self, Store};
use crate::tasks;

/// Runs a parsed `tasksched` command line.
pub fn tasksched(cli: Tasksched) -> Result<i32> {
    let settings = Settings::load(cli.config.as_deref(), cli.data_dir.as_deref())?;
    if let Some(name) = &cli.run_task {
        let task = tasks::load(&settings, name)?;
        let plan = tasks::worker::Plan::of_task(&settings, &task);
        tasks::worker::run_worker(&plan, |ctx| {
            crate::kinds::registry::session(task.kind.name(), ctx, &*task.settings)
        })?;
        return Ok(exit_codes::OK);
    }
    // Refuse a bad tasks.d here, on the admin's terminal, rather than in the daemon's log.
    tasks::load_all(&settings)?;
    let already = |h: pidfile::Holder| -> Result<i32> {
        if cli.ensure {
            Ok(exit_codes::OK)
        } else {
            Err(Error::AlreadyRunning { pid: h.pid, dir: settings.data_dir.clone() })
        }
    };
    if cli.foreground || cli.daemon_child {
        if !cli.daemon_child {
            // Before the pidfile: `taskctl start` sees a scheduler once it holds the pidfile and
            // may signal it then, so the time from there to its signal handlers stays short.
            refuse_damaged_store(&settings)?; // (the daemon's parent checked it)
        }
        // Signals are caught before the pidfile says we run: a `taskctl reload` or `start TASK`
        // that sees the pidfile can never kill a scheduler still starting.
        let signals = sched::listen_for_signals()?;
        return match pidfile::Pidfile::acquire(&settings.scheduler_pidfile())? {
            Err(holder) => already(holder),
            Ok(pidfile) => {
                settings.warn_if_data_dir_open(); // in the daemon's log
                let reopen = cli.daemon_child.then(|| settings.scheduler_log());
                sched::run(&settings, pidfile, signals, reopen)?;
                Ok(exit_codes::OK)
            }
        };
    }
    if let Some(holder) = pidfile::holder(&settings.scheduler_pidfile()) {
        return already(holder);
    }
    refuse_damaged_store(&settings)?;
    settings.warn_if_data_dir_open(); // said when starting, not by every `--ensure` that finds it running
    let exe = std::env::current_exe().map_err(|e| Error::Unavailable(format!("cannot find own binary: {e}")))?;
    match daemon::spawn_daemon(&settings, &exe) {
        Ok(pid) => {
            log::info!("started, pid {pid}");
            Ok(exit_codes::OK)
        }
        Err(Error::AlreadyRunning { pid, .. }) => already(pidfile::Holder { pid, started_at: None }),
        Err(e) => Err(e),
    }
}

/// Runs the store's quick check before the scheduler starts, on the admin's terminal: a
/// scheduler left to run on a damaged store would have its workers write into it. A damaged
/// store is marked (writes then refuse it too) and refused with how to recover.
fn refuse_damaged_store(settings: &Settings) -> Result<()> {
    let path = settings.db_path();
    if !path.exists() {
        return Ok(()); // created by the scheduler's first open
    }
    let problems = match Store::open_read_only(&path).and_then(|s| s.check(false)) {
        Ok(problems) => problems,
        Err(e) if e.is_corrupt() => vec![e.to_string()],
        Err(e) => return Err(e),
    };
    let Some(first) = problems.first() else { return Ok(()) };
    let message = format!("damaged, not starting ({first}; {} problem(s)): {}", problems.len(), store::RECOVERY);
    store::mark_damaged(&path, &message);
    Err(Error::Store { path: Some(path), kind: StoreFailure::Corrupt, message })
}
