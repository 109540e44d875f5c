//! `taskctl rm` and `taskctl purge`: nothing running is removed by accident.

use crate::util::{process_alive, wait_for, World};

#[test]
fn rm_removes_queued_jobs_and_fails_for_missing_ones() {
    let w = World::new();
    let a = w.add(&["noop"]);
    let b = w.add(&["noop"]);
    w.taskctl(&["rm", &a.to_string()]).ok();
    w.taskctl(&["rm", "77"]).code(1).one_line_error("no job 77");
    let ids: Vec<i64> = w.jobs().iter().map(|j| j["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![b]);
    // Ids are never reused, so a script's id keeps meaning one job.
    w.taskctl(&["rm", &b.to_string()]).ok();
    assert_eq!(w.add(&["noop"]), b + 1);
}

#[test]
fn rm_refuses_a_running_job_unless_forced_and_force_stops_it() {
    let w = World::new();
    w.handler("slow", &format!("echo $$ > {}\nsleep 60 & wait", w.path("pid").display()));
    let id = w.add(&["slow"]);
    let mut worker = w.spawn_worker(&["-j", "1"]);
    wait_for(10, "handler started", || !w.read("pid").trim().is_empty());
    let pid: i32 = w.read("pid").trim().parse().unwrap();
    w.taskctl(&["rm", &id.to_string()]).code(75).one_line_error("is running");
    assert!(process_alive(pid));
    w.taskctl(&["rm", "--force", &id.to_string()]).ok();
    wait_for(5, "handler stopped", || !process_alive(pid));
    w.taskctl(&["show", &id.to_string()]).code(1);
    // The worker goes on with other work after its job vanished.
    let next = w.add(&["noop"]);
    wait_for(10, "next job done", || w.status_of(next) == "done");
    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(worker.id() as i32), nix::sys::signal::Signal::SIGTERM);
    assert!(worker.wait().unwrap().success());
}

#[test]
fn rm_by_object_removes_the_linked_jobs() {
    let w = World::new();
    w.add(&["noop", "--object", "article:23"]);
    let keep = w.add(&["noop", "--object", "article:24"]);
    w.add(&["noop", "--object", "article:23"]);
    w.taskctl(&["rm", "--object", "article:23"]).ok();
    let ids: Vec<i64> = w.jobs().iter().map(|j| j["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![keep]);
}

#[test]
fn purge_removes_queued_jobs_but_never_a_running_one() {
    let w = World::new();
    w.handler("slow", "sleep 1");
    let running = w.add(&["slow", "-p", "10"]);
    let mut worker = w.spawn_worker(&["-j", "1", "--once"]);
    wait_for(10, "job running", || w.status_of(running) == "running");
    w.add(&["noop"]);
    w.add(&["noop", "--in", "1h"]);
    let run = w.taskctl(&["purge"]).ok();
    assert!(run.stderr.contains("removed 2 queued job(s)"), "{run:#?}");
    assert_eq!(w.jobs().len(), 1);
    worker.wait().unwrap();
    assert_eq!(w.status_of(running), "done");
    w.taskctl(&["purge", "--status", "done"]).ok();
    assert!(w.jobs().is_empty());
    w.taskctl(&["purge", "--status", "running"]).code(64);
}
