//! The queue and the scheduler under faults: stop requests, escaped process groups, a busy
//! task lock, kernels without pidfds. Each test failed before the fix it is named after.

use crate::util::{process_alive, wait_for, World};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

fn signal(pid: u32, sig: Signal) {
    kill(Pid::from_raw(pid as i32), sig).unwrap();
}

fn read_pid(w: &World, file: &str) -> i32 {
    wait_for(10, file, || !w.read(file).trim().is_empty());
    w.read(file).trim().parse().unwrap()
}

/// A handler that traps SIGTERM and exits 143 after we asked it to stop was interrupted by us:
/// its job is given back without charging an attempt.
#[test]
fn a_handler_exiting_143_after_our_stop_is_interrupted_not_failed() {
    let w = World::new();
    w.handler("trapper", &format!("trap 'exit 143' TERM\necho $$ > {}\nsleep 300 &\nwait", w.path("pid").display()));
    let id = w.add(&["trapper", "--max-attempts", "1"]);
    let mut run = w.command().args(["run", &id.to_string()]).stdout(std::process::Stdio::null()).spawn().unwrap();
    let handler = read_pid(&w, "pid");
    signal(run.id(), Signal::SIGTERM);
    assert_eq!(run.wait().unwrap().code(), Some(75));
    assert!(!process_alive(handler));
    let job = w.job(id);
    assert_eq!(job["status"], "queued", "{job}");
    assert_eq!(job["failures"], 0, "{job}");
}

/// Two SIGTERMs together (a dying scheduler's and the kernel's) are one stop request: running
/// jobs still finish.
#[test]
fn two_sigterms_at_once_still_let_running_jobs_finish() {
    let w = World::new();
    w.handler("short", &format!("echo started > {0}\nsleep 1\necho finished >> {0}", w.path("out").display()));
    let id = w.add(&["short"]);
    let mut worker = w.spawn_worker(&["-j", "1"]);
    wait_for(10, "job started", || w.read("out").contains("started"));
    signal(worker.id(), Signal::SIGTERM);
    signal(worker.id(), Signal::SIGTERM);
    assert!(worker.wait().unwrap().success());
    assert!(w.read("out").contains("finished"), "the second SIGTERM killed the job");
    assert_eq!(w.status_of(id), "done");
}

/// The scheduler's grace is shorter than the handler's: the scheduler kills the worker, and the
/// handler (in a process group of its own, ignoring SIGTERM) must not outlive it, nor its job
/// stay `running`.
#[test]
fn stopping_the_scheduler_stops_handlers_that_escaped_the_workers_group() {
    let w = World::new();
    std::fs::write(
        w.config(),
        format!(
            "[jobs]\nhandler_dirs = [\"{}\"]\nkill_grace = \"30s\"\n[scheduler]\nstop_grace = \"1s\"\n",
            w.handlers().display()
        ),
    )
    .unwrap();
    w.task("jobs", "kind = \"queue\"\n[settings]\njobs = 1\n");
    w.handler("stubborn", &format!("trap '' TERM\necho $$ > {}\nwhile :; do sleep 1; done", w.path("pid").display()));
    let mut sched = w.spawn_sched();
    let id = w.add(&["stubborn"]);
    let handler = read_pid(&w, "pid");
    w.taskctl(&["stop"]).ok();
    sched.wait().unwrap();
    assert!(!process_alive(handler), "the handler outlived its stopped task");
    let job = w.job(id);
    assert_eq!(job["status"], "queued", "{job}");
    assert_eq!(job["failures"], 0, "stopping a task is not the job's failure: {job}");
    w.assert_no_processes_left();
}

/// `taskctl pass` holds the task's lock; a worker started meanwhile exits "busy", and the
/// scheduler's clean-up after it must not kill the admin's pass.
#[test]
fn a_worker_that_finds_the_task_busy_leaves_the_admins_pass_alone() {
    let w = World::new();
    w.exec_task("slow", "1h", &format!("sleep 2; echo done >> {}", w.path("out").display()), "autostart = false");
    let mut sched = w.spawn_sched();
    let pass = w.command().args(["pass", "slow"]).stdout(std::process::Stdio::null()).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    w.taskctl(&["start", "slow"]).ok();
    let out = pass.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(w.read("out"), "done\n");
    signal(sched.id(), Signal::SIGTERM);
    sched.wait().unwrap();
    w.assert_no_processes_left();
}

/// Without a pidfd (old kernels, some seccomp profiles) a job's timeout still stops it.
#[test]
fn timeouts_hold_without_pidfds() {
    let w = World::new();
    let id = w.add(&["exec", "--timeout", "1s", "--max-attempts", "1", "--", "sleep", "30"]);
    let t0 = std::time::Instant::now();
    let out = w.command().env("PHR_NO_PIDFD", "1").args(["work", "-j", "1", "--until-empty"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(t0.elapsed() < std::time::Duration::from_secs(15));
    let job = w.job(id);
    assert_eq!(job["status"], "dead", "{job}");
    assert!(job["last_error"].as_str().unwrap().contains("timed out"), "{job}");
}

/// After `kill -9` of the scheduler, status shows the worker still finishing its job, and the
/// next scheduler lets that job finish before starting a fresh worker.
#[test]
fn after_a_scheduler_crash_status_shows_the_leftover_worker_and_its_job_finishes() {
    let w = World::new();
    w.task("jobs", "kind = \"queue\"\n[settings]\njobs = 1\n");
    w.handler("slow", &format!("echo started > {0}\nsleep 2\necho finished >> {0}", w.path("out").display()));
    let mut sched = w.spawn_sched();
    wait_for(10, "queue task started", || w.task_state("jobs") == "started");
    let worker = w.task_status("jobs")["pid"].as_i64().unwrap();
    let id = w.add(&["slow"]);
    wait_for(10, "job started", || w.read("out").contains("started"));
    sched.kill().unwrap();
    sched.wait().unwrap();
    let status = w.task_status("jobs");
    assert_eq!(status["state"], "started", "{status}");
    assert_eq!(status["pid"], worker, "{status}");
    let mut next = w.spawn_sched();
    wait_for(10, "job done", || w.status_of(id) == "done");
    assert!(w.read("out").contains("finished"));
    assert_eq!(w.job(id)["failures"], 0);
    signal(next.id(), Signal::SIGTERM);
    next.wait().unwrap();
    w.assert_no_processes_left();
}

/// Jobs that can never run are refused at `add`, and one that reaches a worker anyway is dead
/// at once instead of retried.
#[test]
fn jobs_no_program_can_be_given_are_refused_or_dead_at_once() {
    let w = World::new();
    w.handler("echoer", "echo \"$@\"");
    let nul = r#"{"function":"echoer","args":["a\u0000b"]}"#;
    w.taskctl_stdin(&["add", "--batch"], &format!("{{\"function\":\"echoer\"}}\n{nul}\n"))
        .code(65)
        .one_line_error("stdin:2: argument 1 contains a NUL byte");
    let long = format!("{{\"function\":\"echoer\",\"args\":[\"{}\"]}}\n", "x".repeat(200_000));
    w.taskctl_stdin(&["add", "--batch"], &long).code(65).one_line_error("argument 1 is 200000 bytes");
    assert!(w.jobs().is_empty(), "a refused batch adds nothing");
    // A job stored before these checks existed (or written by another tool) still ends at once.
    let id = w.add(&["echoer", "short"]);
    let db = rusqlite::Connection::open(w.data().join("phr.db")).unwrap();
    let args = serde_json::to_string(&vec!["y".repeat(200_000)]).unwrap();
    db.execute("UPDATE jobs SET args = ?1 WHERE id = ?2", rusqlite::params![args, id]).unwrap();
    w.drain("1");
    let job = w.job(id);
    assert_eq!(job["status"], "dead", "{job}");
    assert_eq!(job["failures"], 1, "retried although it can never run: {job}");
}

/// Jobs a worker claimed ahead but never started are given back uncharged when it dies; the
/// run that killed it is charged.
#[test]
fn jobs_claimed_ahead_but_never_started_are_not_charged_when_their_worker_dies() {
    let w = World::new();
    w.handler("killer", "[ \"$PHR_JOB_ATTEMPT\" = 1 ] && kill -9 $PPID\nexit 0");
    for _ in 0..200 {
        w.add(&["noop", "-p", "5"]); // teaches the worker its jobs are short: it claims ahead
    }
    let killer = w.add(&["killer", "-p", "4"]);
    let later: Vec<i64> = (0..20).map(|_| w.add(&["noop", "-p", "3", "--max-attempts", "1"])).collect();
    let mut worker = w.spawn_worker(&["-j", "1"]);
    worker.wait().unwrap();
    let held = later.iter().filter(|&&id| w.status_of(id) == "running").count();
    assert!(held > 0, "the test needs jobs claimed ahead of the killer");
    w.drain("1");
    for id in later {
        let job = w.job(id);
        assert_eq!(job["status"], "done", "a job never started was charged: {job}");
    }
    let job = w.job(killer);
    assert_eq!(job["failures"], 1, "{job}");
    assert_eq!(job["status"], "done", "{job}");
}

/// A worker in another container (pid namespace) sharing the data dir cannot be seen from here:
/// its jobs are left alone, with a warning. A claim from before a reboot is taken back.
#[test]
fn claims_from_another_pid_namespace_are_not_taken_back() {
    let w = World::new();
    let other_ns = w.add(&["noop"]);
    let before_reboot = w.add(&["noop"]);
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap().trim().to_string();
    let db = rusqlite::Connection::open(w.data().join("phr.db")).unwrap();
    let claim = "UPDATE jobs SET status = 'running', attempt = 1, worker_pid = ?3, worker_start = 1, \
                 worker_host = ?1 WHERE id = ?2";
    db.execute(claim, rusqlite::params![format!("{boot}/pid:[1]"), other_ns, 999_998]).unwrap();
    db.execute(claim, rusqlite::params!["00000000-old-boot/pid:[1]", before_reboot, 999_999]).unwrap();
    drop(db);
    let run = w.taskctl(&["work", "-j", "1", "--until-empty"]).ok();
    assert!(run.stderr.contains("another pid namespace"), "{run:#?}");
    assert_eq!(w.status_of(other_ns), "running");
    assert_eq!(w.status_of(before_reboot), "done");
}
