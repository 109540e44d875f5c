//! Files in the data dir are never opened through a link planted at their path: root would
//! otherwise overwrite, append to or create whatever the link points to.

use crate::util::{wait_for, World};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// A file outside the data dir holding `precious\n` (or nothing, with `empty`), and a link to
/// it planted at `at` in the data dir (whose folders are made private, as ours are).
fn plant(w: &World, at: &str, empty: bool) -> PathBuf {
    let target = w.path(&format!("victim-{}", at.replace('/', "_")));
    std::fs::write(&target, if empty { "" } else { "precious\n" }).unwrap();
    dangling(w, at, &target);
    target
}

/// A link at `at` in the data dir to `target`, which may not exist.
fn dangling(w: &World, at: &str, target: &Path) {
    let link = w.data().join(at);
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, &link).unwrap();
}

/// Runs `cmd` to its end, killing it after `secs` seconds.
fn output_within(cmd: &mut std::process::Command, secs: u64) -> std::process::Output {
    let child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let pid = Pid::from_raw(child.id() as i32);
    let killer = std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        while crate::util::process_alive(pid.as_raw()) {
            if std::time::Instant::now() >= deadline {
                let _ = kill(pid, Signal::SIGKILL);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    });
    let out = child.wait_with_output().unwrap();
    killer.join().unwrap();
    out
}

fn assert_untouched(target: &Path) {
    assert_eq!(
        std::fs::read_to_string(target).unwrap(),
        "precious\n",
        "{} was written through a link",
        target.display()
    );
}

#[test]
fn the_scheduler_does_not_write_through_a_link_at_its_pidfile_or_its_log() {
    let w = World::new();
    let pidfile = plant(&w, "run/tasksched.pid", false);
    let out = output_within(w.tasksched().arg("-f"), 10); // it ran on, once, holding the link's target
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(73), "{stderr}");
    assert!(stderr.contains("run/tasksched.pid") && stderr.contains("symbolic link"), "{stderr}");
    assert_untouched(&pidfile);

    std::fs::remove_file(w.data().join("run/tasksched.pid")).unwrap();
    let log = plant(&w, "logs/tasksched.log", false);
    let out = w.tasksched().output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(73), "{stderr}");
    assert!(stderr.contains("logs/tasksched.log") && stderr.contains("symbolic link"), "{stderr}");
    w.taskctl(&["stop"]).ok(); // had a daemon started, it would be stopped here
    assert_untouched(&log);
    w.assert_no_processes_left();
}

#[test]
fn a_job_log_is_not_appended_through_a_link() {
    let w = World::new();
    let target = plant(&w, "logs/jobs/1.log", false);
    w.handler("talk", "echo hello");
    assert_eq!(w.add(&["talk"]), 1);
    w.drain("1");
    assert_eq!(w.status_of(1), "done", "the output is dropped, the job still runs");
    assert_untouched(&target);
}

#[test]
fn the_store_is_not_opened_through_a_link() {
    let w = World::new();
    let target = plant(&w, "phr.db", true);
    w.taskctl(&["list"]).code(73).one_line_error("phr.db");
    assert_eq!(std::fs::read(&target).unwrap(), b"", "SQLite wrote a store into the link's target");
}

#[test]
fn a_pass_neither_creates_a_file_through_its_lock_nor_writes_through_a_temp_file() {
    let w = World::new();
    w.exec_task("p", "1h", "true", "autostart = false");
    // Where the pass's command file is written (the old and the new temp file names).
    let old_tmp = plant(&w, "run/tasks/p.pid.tmp", false);
    let new_tmp = plant(&w, "run/tasks/p.cmd.tmp", false);
    w.taskctl(&["pass", "p"]).ok();
    assert_untouched(&old_tmp);
    assert_untouched(&new_tmp);

    w.exec_task("q", "1h", "true", "autostart = false");
    let nowhere = w.path("created-by-root");
    dangling(&w, "run/tasks/q.lock", &nowhere);
    w.taskctl(&["pass", "q"]).code(73).one_line_error("run/tasks/q.lock");
    assert!(!nowhere.exists(), "the lock was created through a dangling link");
}

#[test]
fn the_scheduler_writes_worker_pidfiles_and_task_logs_through_no_link() {
    let w = World::new();
    w.exec_task("logged", "1h", "true", "");
    w.exec_task("counted", "1h", "true", "");
    let log = plant(&w, "logs/tasks/logged.log", false);
    let tmp = plant(&w, "run/tasks/counted.pid.tmp", false);
    let sched = w.spawn_sched();
    wait_for(10, "counted started", || w.task_state("counted") == "started");
    let pid = w.task_status("counted")["pid"].as_i64().unwrap();
    let pidfile = std::fs::read_to_string(w.data().join("run/tasks/counted.pid")).unwrap();
    assert!(pidfile.starts_with(&format!("{pid} ")), "{pidfile}");
    wait_for(10, "logged refused", || {
        w.task_status("logged")["last_exit"].as_str().is_some_and(|e| e.contains("symbolic link"))
    });
    kill(Pid::from_raw(sched.id() as i32), Signal::SIGTERM).unwrap();
    let mut sched = sched;
    sched.wait().unwrap();
    assert_untouched(&log);
    assert_untouched(&tmp);
    w.assert_no_processes_left();
}
