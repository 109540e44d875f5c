//! `taskctl new|start|stop|restart|reset|pass|reload`: the admin's side of the task manager. Task
//! commands write the wanted state to the store and wake the scheduler, which acts at once.

use crate::cli::taskctl::{NewArgs, PassArgs, TargetArgs, TasksArgs};
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::exit_codes;
use crate::kinds;
use crate::sched::{self, pidfile};
use crate::store::Store;
use crate::tasks;
use std::io::Write;
use std::time::{Duration, Instant};

pub fn new(settings: &Settings, args: NewArgs) -> Result<i32> {
    let kind = kinds::find(&args.kind).ok_or_else(|| Error::Usage(kinds::unknown_kind(&args.kind)))?;
    if !tasks::valid_name(&args.name) {
        return Err(Error::Usage(format!("bad task name {:?}: letters, digits, '-' and '_' only", args.name)));
    }
    let path = tasks::task_path(settings, &args.name);
    let text = tasks::template(kind, &args.name);
    tasks::parse(&args.name, &path, &text)?; // the template must always be a valid task
                                             // Private (0600, in a 0700 tasks.d when it creates it): task files hold passwords.
    let mut file =
        crate::private_file::create_new(&path).map_err(|source| Error::CantCreate { path: path.clone(), source })?;
    file.write_all(text.as_bytes()).map_err(|e| Error::io(&path, e))?;
    writeln!(std::io::stdout(), "{}", path.display())?;
    Ok(exit_codes::OK)
}

/// The tasks named, or every task with `--all`; each must have a valid file.
fn targets(settings: &Settings, names: &[String], all: bool) -> Result<Vec<String>> {
    if all {
        return Ok(tasks::load_all(settings)?.into_iter().map(|t| t.name).collect());
    }
    for name in names {
        tasks::load(settings, name)?;
    }
    Ok(names.to_vec())
}

pub fn start(settings: &Settings, args: TargetArgs) -> Result<i32> {
    if args.tasks.is_empty() && !args.all {
        return start_scheduler(settings);
    }
    change_tasks(settings, &args.tasks, args.all, |tx, names| tx.tasks().set_desired(names, true))
}

pub fn stop(settings: &Settings, args: TargetArgs) -> Result<i32> {
    if args.tasks.is_empty() && !args.all {
        return stop_scheduler(settings);
    }
    let code = change_tasks(settings, &args.tasks, args.all, |tx, names| tx.tasks().set_desired(names, false))?;
    if pidfile::holder(&settings.scheduler_pidfile()).is_none() {
        // No scheduler to act on it: stop what one that died left running.
        let names = targets(settings, &args.tasks, args.all)?;
        sched::leftover::stop(settings, &mut Store::open(&settings.db_path())?, Some(&names))?;
    }
    Ok(code)
}

pub fn restart(settings: &Settings, args: TasksArgs) -> Result<i32> {
    change_tasks(settings, &args.tasks, args.all, |tx, names| tx.tasks().request_restart(names))
}

pub fn reset(settings: &Settings, args: TasksArgs) -> Result<i32> {
    change_tasks(settings, &args.tasks, args.all, |tx, names| tx.tasks().reset_crashes(names))
}

/// Records a change for the named tasks in the store, then wakes the scheduler to act on it.
fn change_tasks(
    settings: &Settings,
    names: &[String],
    all: bool,
    change: impl FnOnce(&crate::store::Tx<'_>, &[String]) -> Result<()>,
) -> Result<i32> {
    let names = targets(settings, names, all)?;
    Store::open(&settings.db_path())?.write(|tx| change(tx, &names))?;
    tell_scheduler(settings);
    Ok(exit_codes::OK)
}

/// `taskctl pass TASK` runs the pass in the kind's own program (`phr-exec --task TASK --once`),
/// in place of this process: only the kinds' programs carry the kinds' code (and exiv2), so
/// `taskctl` stays small and starts fast. Same config, data dir, lock, output and exit code.
pub fn pass(settings: &Settings, args: PassArgs) -> Result<i32> {
    use std::os::unix::process::CommandExt;
    let task = tasks::load(settings, &args.task)?;
    let mut invoked = task.kind.invoked_as();
    let program = crate::handler::kind_binary(&invoked.remove(0));
    let mut cmd = std::process::Command::new(&program);
    cmd.args(invoked).args(["--once", "--task", &task.name]).arg("--data-dir").arg(&settings.data_dir);
    if let Some(config) = &settings.config_path {
        cmd.arg("--config").arg(config);
    }
    let e = cmd.exec();
    Err(Error::Unavailable(format!("cannot run {}: {e}", program.display())))
}

/// `taskctl reload`: SIGHUP to the scheduler (reload tasks.d, reopen its log), if it runs;
/// else exit 3, LSB's "not running", with a message saying so.
pub fn reload(settings: &Settings) -> Result<i32> {
    match sched::signal_scheduler(settings, nix::sys::signal::Signal::SIGHUP) {
        Some(pid) => {
            log::info!("SIGHUP sent to tasksched pid {pid}");
            Ok(exit_codes::OK)
        }
        None => {
            eprintln!("taskctl: tasksched is not running for {}: nothing to reload", settings.data_dir.display());
            Ok(NOT_RUNNING)
        }
    }
}

/// LSB's "program is not running".
const NOT_RUNNING: i32 = 3;

fn tell_scheduler(settings: &Settings) {
    if !sched::poke(settings) {
        log::warn!(
            "tasksched is not running for {}: the change takes effect when it starts",
            settings.data_dir.display()
        );
    }
}

/// `taskctl start`: runs `tasksched` (which becomes a daemon) next to this binary or on PATH.
/// Starting what already runs succeeds, as `systemctl start` does: the admin's wish holds.
/// (`tasksched` run directly still refuses a second instance with 75.)
fn start_scheduler(settings: &Settings) -> Result<i32> {
    let already_running = || {
        let Some(holder) = pidfile::holder(&settings.scheduler_pidfile()) else { return false };
        let pid = if holder.pid > 0 { format!("pid {}", holder.pid) } else { "starting".into() };
        eprintln!("taskctl: tasksched already running ({pid}) for {}", settings.data_dir.display());
        true
    };
    if already_running() {
        return Ok(exit_codes::OK);
    }
    let sibling = std::env::current_exe().ok().and_then(|p| p.parent().map(|d| d.join("tasksched")));
    let program = sibling.filter(|p| p.exists()).unwrap_or_else(|| "tasksched".into());
    let mut cmd = std::process::Command::new(&program);
    cmd.arg("--data-dir").arg(&settings.data_dir);
    if let Some(config) = &settings.config_path {
        cmd.arg("--config").arg(config);
    }
    let status = cmd.status().map_err(|e| Error::Unavailable(format!("cannot run {}: {e}", program.display())))?;
    match status.code() {
        // Another start won the race after our check: still what was asked for.
        Some(exit_codes::TEMP_FAIL) if already_running() => Ok(exit_codes::OK),
        code => Ok(code.unwrap_or(exit_codes::SOFTWARE)),
    }
}

/// `taskctl stop`: SIGTERM to the scheduler, then waits until it has stopped its tasks.
fn stop_scheduler(settings: &Settings) -> Result<i32> {
    let path = settings.scheduler_pidfile();
    let Some(pid) = pidfile::holder(&path).and_then(|h| crate::process::pid_from(h.pid)) else {
        log::info!("tasksched is not running");
        sched::leftover::stop(settings, &mut Store::open(&settings.db_path())?, None)?;
        return Ok(exit_codes::OK);
    };
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM)
        .map_err(|e| Error::Unavailable(format!("cannot signal tasksched pid {pid}: {e}")))?;
    let deadline = Instant::now() + settings.scheduler.stop_grace + Duration::from_secs(10);
    while Instant::now() < deadline {
        if pidfile::holder(&path).is_none() {
            return Ok(exit_codes::OK);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(Error::Unavailable(format!("tasksched pid {pid} is still running")))
}
