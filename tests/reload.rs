//! `taskctl reload` sends SIGHUP to the scheduler only while it holds its locked pidfile: a
//! pid left in a stale pidfile may be another process's by now. logrotate uses it.

use crate::util::{process_alive, wait_for, World};
use std::os::unix::fs::DirBuilderExt;
use std::time::Duration;

#[test]
fn a_stale_pidfile_pid_is_never_signalled() {
    let w = World::new();
    // A process that SIGHUP would kill, its pid in a pidfile that nothing holds.
    let mut bystander = std::process::Command::new("sleep").arg("30").spawn().unwrap();
    let run = w.data().join("run");
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&run).unwrap();
    std::fs::write(run.join("tasksched.pid"), format!("{}\n0\n", bystander.id())).unwrap();
    w.taskctl(&["reload"]).code(3).one_line_error("tasksched is not running");
    std::thread::sleep(Duration::from_millis(200));
    let alive = process_alive(bystander.id() as i32);
    bystander.kill().unwrap();
    bystander.wait().unwrap();
    assert!(alive, "the pid of a stale pidfile got SIGHUP");
}

#[test]
fn reload_makes_the_scheduler_reopen_its_log_after_rotation() {
    let w = World::new();
    w.taskctl(&["start"]).ok();
    let log = w.data().join("logs/tasksched.log");
    wait_for(10, "scheduler log", || std::fs::read_to_string(&log).unwrap_or_default().contains("started"));
    std::fs::rename(&log, w.data().join("logs/tasksched.log.1")).unwrap(); // what logrotate does
    w.taskctl(&["reload"]).ok();
    wait_for(10, "a new log", || std::fs::read_to_string(&log).unwrap_or_default().contains("SIGHUP: reloading"));
    w.taskctl(&["stop"]).ok();
    w.taskctl(&["reload"]).code(3);
    w.assert_no_processes_left();
}

#[test]
fn the_logrotate_example_reloads_through_taskctl() {
    let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/etc/logrotate.d/phr-tasks")).unwrap();
    let postrotate: Vec<&str> = example.lines().filter(|l| !l.trim_start().starts_with('#')).collect();
    assert!(postrotate.iter().any(|l| l.trim() == "taskctl reload 2>/dev/null || true"), "{example}");
    assert!(!postrotate.iter().any(|l| l.contains("kill")), "{example}");
}
