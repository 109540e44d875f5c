//! The shared shape of task kinds, proved on `exec` (a kind added the documented way): the same
//! kind runs from `phr-exec --once`, under `tasksched`, and as a job of the queue, in a process
//! of its own.

use crate::util::{wait_for, World, PHR_EXEC};
use std::time::{Duration, Instant};

/// `sh -c SCRIPT` appending to `out` in the world's dir.
fn appender(w: &World, word: &str) -> String {
    format!("echo {word} >> {}", w.path("out").display())
}

#[test]
fn phr_exec_once_runs_one_pass_from_flags_or_a_task_and_says_why_not() {
    let w = World::new();
    let script = appender(&w, "flags");
    w.phr(PHR_EXEC, &["--once", "--", "sh", "-c", &script]).ok();
    assert_eq!(w.read("out"), "flags\n");

    w.exec_task("nightly", "1h", &appender(&w, "task"), "");
    w.phr(PHR_EXEC, &["--once", "--task", "nightly"]).ok();
    assert_eq!(w.read("out"), "flags\ntask\n");
    assert_eq!(w.task_status("nightly")["passes"], 1, "a task's pass is recorded");
    // Flags override the task's settings; a dry run changes nothing.
    w.phr(PHR_EXEC, &["--once", "--task", "nightly", "--", "sh", "-c", &appender(&w, "override")]).ok();
    let dry = w.phr(PHR_EXEC, &["--dry-run", "--task", "nightly"]).ok();
    assert!(dry.stderr.contains("would run"), "{dry:#?}");
    assert_eq!(w.read("out"), "flags\ntask\noverride\n");
    assert_eq!(w.task_status("nightly")["passes"], 2, "a dry run is not a pass");

    w.phr(PHR_EXEC, &["--once"]).code(64).one_line_error("command: must name a program");
    w.phr(PHR_EXEC, &["--", "true"]).code(64).one_line_error("give --once");
    w.phr(PHR_EXEC, &["--once", "--timeout", "0s", "--", "true"]).code(64).one_line_error("timeout");
    w.phr(PHR_EXEC, &["--once", "--task", "nosuch"]).code(1).one_line_error("no task \"nosuch\"");
    w.phr(PHR_EXEC, &["--once", "--", "/no/such/program"]).code(69).one_line_error("cannot run /no/such/program");
    w.phr(PHR_EXEC, &["--once", "--", "sh", "-c", "exit 3"]).code(1).one_line_error("pass failed: sh: exit status 3");
    w.phr(PHR_EXEC, &["--once", "--", "sh", "-c", "exit 75"]).code(75);
    w.phr(PHR_EXEC, &["--bogus"]).code(64).one_line_error("phr-exec --help");
    w.task("q", "kind = \"queue\"\n");
    w.phr(PHR_EXEC, &["--once", "--task", "q"]).code(64).one_line_error("task q is a queue task, not exec");
}

#[test]
fn phr_exec_with_a_period_runs_passes_until_sigterm() {
    let w = World::new();
    let mut worker = std::process::Command::new(PHR_EXEC)
        .env("PHR_CONFIG", w.config())
        .env("PHR_DATA_DIR", w.data())
        .args(["--period", "200ms", "--", "sh", "-c", &appender(&w, "tick")])
        .spawn()
        .unwrap();
    wait_for(10, "three passes", || w.read("out").lines().count() >= 3);
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(worker.id() as i32), nix::sys::signal::Signal::SIGTERM).unwrap();
    assert!(worker.wait().unwrap().success());
}

#[test]
fn an_exec_job_runs_isolated_with_its_timeout_beside_other_jobs() {
    let w = World::new();
    let ok = w.add(&["exec", "--", "sh", "-c", &appender(&w, "job")]);
    let failing = w.add(&["exec", "--max-attempts", "1", "--", "sh", "-c", "exit 3"]);
    let hung = w.add(&["exec", "--timeout", "1s", "--max-attempts", "1", "--", "sleep", "60"]);
    let empty = w.add(&["exec", "--max-attempts", "1"]);
    let quick = w.add(&["noop"]);
    let t0 = Instant::now();
    w.drain("2");
    assert!(t0.elapsed() < Duration::from_secs(30));
    assert_eq!(w.status_of(ok), "done");
    assert_eq!(w.read("out"), "job\n");
    assert_eq!(w.status_of(quick), "done");
    let failed = w.job(failing);
    assert_eq!(failed["status"], "dead", "{failed}");
    assert_eq!(failed["exit_code"], 1, "{failed}");
    let log = w.taskctl(&["log", "--job", &failing.to_string()]).ok();
    assert!(log.stdout.contains("pass failed: sh: exit status 3"), "{log:#?}");
    let hung = w.job(hung);
    assert_eq!(hung["status"], "dead");
    assert!(hung["last_error"].as_str().unwrap().contains("timed out after 1s"), "{hung}");
    let log = w.taskctl(&["log", "--job", &empty.to_string()]).ok();
    assert!(log.stdout.contains("needs a command"), "{log:#?}");
    w.assert_no_processes_left();
}

#[test]
fn phr_exec_job_by_hand_is_taskctl_run() {
    let w = World::new();
    let id = w.add(&["exec", "--in", "1h", "--", "sh", "-c", &appender(&w, "now")]);
    w.phr(PHR_EXEC, &["--job", &id.to_string()]).ok();
    assert_eq!(w.read("out"), "now\n");
    assert_eq!(w.status_of(id), "done");
    w.phr(PHR_EXEC, &["--job", "999"]).code(1).one_line_error("no job 999");
}

#[test]
fn an_exec_task_runs_under_tasksched_from_its_typed_settings() {
    let w = World::new();
    w.exec_task("tick", "300ms", &appender(&w, "tick"), "");
    let mut sched = w.spawn_sched();
    w.taskctl(&["start", "tick"]).ok();
    wait_for(10, "two passes", || w.read("out").lines().count() >= 2);
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(sched.id() as i32), nix::sys::signal::Signal::SIGTERM).unwrap();
    sched.wait().unwrap();
    w.assert_no_processes_left();
}
