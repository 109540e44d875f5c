//! `taskctl work` and `taskctl run`: order, outcomes, retries, timeouts, crashes.

use crate::util::{process_alive, wait_for, World};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// A handler that appends its first argument to the file `order`.
fn recorder(w: &World) {
    w.handler("record", &format!("echo \"$1\" >> {}", w.path("order").display()));
}

#[test]
fn due_jobs_run_by_priority_then_due_time_then_id() {
    let w = World::new();
    recorder(&w);
    w.add(&["record", "low", "-p", "-5"]);
    w.add(&["record", "mid-old", "--at", "2020-01-01 00:00:00"]);
    w.add(&["record", "mid-new"]);
    w.add(&["record", "high", "-p", "7"]);
    w.add(&["record", "future-high", "-p", "10", "--in", "1h"]);
    w.add(&["record", "mid-new-2"]);
    w.drain("1");
    assert_eq!(w.read("order"), "high\nmid-old\nmid-new\nmid-new-2\nlow\n");
}

#[test]
fn handler_gets_its_args_environment_and_log() {
    let w = World::new();
    w.handler("env", "echo \"args=$# [$1] [$2] id=$PHR_JOB_ID attempt=$PHR_JOB_ATTEMPT objects=$PHR_JOB_OBJECTS\"\necho to-stderr >&2\nread x && echo stdin-was-not-empty
exit 0");
    let id = w.add(&["env", "two words", "--", "-dash", "--object"]);
    w.drain("1");
    assert_eq!(w.status_of(id), "done");
    let log = w.taskctl(&["log", "--job", &id.to_string()]).ok().stdout;
    assert!(log.contains("args=3 [two words] [-dash] id=1 attempt=1 objects=\n"), "{log}");
    assert!(log.contains("to-stderr"), "{log}");
    assert!(!log.contains("stdin-was-not-empty"), "{log}");
    let tail = w.taskctl(&["log", "--job", &id.to_string(), "-n", "1"]).ok().stdout;
    assert_eq!(tail, "to-stderr\n");
}

#[test]
fn objects_reach_the_handler() {
    let w = World::new();
    w.handler("env", "echo \"objects=$PHR_JOB_OBJECTS\"");
    let id = w.add(&["env", "--object", "article:3", "--object", "doc:9"]);
    w.drain("1");
    let log = w.taskctl(&["log", "--job", &id.to_string()]).ok().stdout;
    assert!(log.contains("objects=article:3 doc:9"), "{log}");
}

#[test]
fn exit_75_requeues_at_once_one_priority_lower() {
    let w = World::new();
    w.handler("twice", "[ \"$PHR_JOB_ATTEMPT\" -ge 2 ] && exit 0\nexit 75");
    let id = w.add(&["twice", "-p", "4"]);
    w.drain("1");
    let job = w.job(id);
    assert_eq!(job["status"], "done");
    assert_eq!(job["priority"], 3);
    assert_eq!(job["attempt"], 2);
    assert_eq!(job["failures"], 0);
}

#[test]
fn a_job_that_is_never_finished_lets_others_run_first() {
    let w = World::new();
    recorder(&w);
    w.handler(
        "hog",
        &format!("echo hog >> {}\n[ \"$PHR_JOB_ATTEMPT\" -ge 3 ] && exit 0\nexit 75", w.path("order").display()),
    );
    w.add(&["hog", "-p", "1"]);
    w.add(&["record", "other"]);
    w.drain("1");
    assert_eq!(w.read("order"), "hog\nother\nhog\nhog\n");
}

#[test]
fn failures_are_retried_with_backoff_then_dead_with_the_last_error() {
    let w = World::new();
    w.handler("broken", &format!("date +%s.%N >> {}\necho oops >&2\nexit 3", w.path("tries").display()));
    let id = w.add(&["broken", "--max-attempts", "3"]);
    let run = w.drain("1");
    assert!(run.stderr.contains("job 1 failed: exit status 3"), "{run:#?}");
    let job = w.job(id);
    assert_eq!(job["status"], "dead");
    assert_eq!(job["attempt"], 3);
    assert_eq!(job["failures"], 3);
    assert_eq!(job["exit_code"], 3);
    assert_eq!(job["last_error"], "exit status 3");
    let times: Vec<f64> = w.read("tries").lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(times.len(), 3);
    // Backoff of 50 ms, then 100 ms: the second gap is the longer one.
    assert!(times[1] - times[0] >= 0.05 && times[2] - times[1] >= 0.1, "{times:?}");
}

#[test]
fn max_attempts_comes_from_the_config_by_default() {
    let w = World::with_config("max_attempts = 2");
    w.handler("broken", "exit 1");
    let id = w.add(&["broken"]);
    w.drain("1");
    assert_eq!(w.job(id)["attempt"], 2);
    assert_eq!(w.status_of(id), "dead");
}

#[test]
fn unknown_function_fails_the_job_not_the_worker() {
    let w = World::new();
    let bad = w.add(&["nosuch", "--max-attempts", "1"]);
    let missing = w.add(&["x", "--file", "/nonexistent/handler", "--max-attempts", "1"]);
    std::fs::write(w.handlers().join("notexec"), "#!/bin/sh\n").unwrap();
    let notexec = w.add(&["notexec", "--max-attempts", "1"]);
    let good = w.add(&["noop"]);
    w.drain("1");
    assert_eq!(w.status_of(good), "done");
    assert!(w.job(bad)["last_error"].as_str().unwrap().contains("unknown function \"nosuch\""));
    assert!(w.job(missing)["last_error"].as_str().unwrap().contains("/nonexistent/handler"));
    assert!(w.job(notexec)["last_error"].as_str().unwrap().contains("not executable"));
}

#[test]
fn file_as_directory_or_executable_locates_the_handler() {
    let w = World::new();
    let dir = w.path("elsewhere");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("hello"), format!("#!/bin/sh\necho dir >> {}\n", w.path("order").display())).unwrap();
    std::process::Command::new("chmod").arg("+x").arg(dir.join("hello")).status().unwrap();
    w.add(&["hello", "--file", &format!("{}/", dir.display())]);
    w.add(&["anything", "--file", &dir.join("hello").display().to_string()]);
    w.drain("1");
    assert_eq!(w.read("order"), "dir\ndir\n");
}

#[test]
fn timeout_stops_the_whole_process_group() {
    let w = World::new();
    w.handler("stuck", &format!("sleep 300 &\necho $! > {}\nsleep 300", w.path("child").display()));
    let id = w.add(&["stuck", "--timeout", "1s", "--max-attempts", "1"]);
    w.drain("1");
    assert_eq!(w.status_of(id), "dead");
    assert_eq!(w.job(id)["last_error"], "timed out after 1s");
    let child: i32 = w.read("child").trim().parse().unwrap();
    wait_for(5, "forked child gone", || !process_alive(child));
}

#[test]
fn kill_9_of_a_worker_mid_job_reruns_it_exactly_once() {
    let w = World::new();
    let log = w.path("runs");
    w.handler(
        "once",
        &format!(
            "echo \"start $PHR_JOB_ATTEMPT $$\" >> {0}\n[ \"$PHR_JOB_ATTEMPT\" = 1 ] && sleep 300\necho done >> {0}",
            log.display()
        ),
    );
    let id = w.add(&["once"]);
    let mut first = w.spawn_worker(&["-j", "1"]);
    wait_for(10, "first run started", || w.read("runs").contains("start 1"));
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    assert_eq!(w.status_of(id), "running", "the claim outlives its worker");
    let orphan: i32 = w.read("runs").split_whitespace().nth(2).unwrap().parse().unwrap();
    w.drain("1");
    let job = w.job(id);
    assert_eq!(job["status"], "done");
    assert_eq!(job["attempt"], 2);
    assert!(!process_alive(orphan), "the dead worker's handler was stopped before the re-run");
    let runs = w.read("runs");
    assert_eq!(runs.matches("done").count(), 1, "{runs}");
    assert_eq!(runs.matches("start").count(), 2, "{runs}");
}

#[test]
fn sigterm_lets_running_jobs_finish_then_exits() {
    let w = World::new();
    w.handler("short", &format!("echo started > {0}\nsleep 1\necho finished >> {0}", w.path("out").display()));
    let id = w.add(&["short"]);
    let mut worker = w.spawn_worker(&["-j", "1"]);
    wait_for(10, "job started", || w.read("out").contains("started"));
    kill(Pid::from_raw(worker.id() as i32), Signal::SIGTERM).unwrap();
    assert!(worker.wait().unwrap().success());
    assert!(w.read("out").contains("finished"));
    assert_eq!(w.status_of(id), "done");
}

#[test]
fn run_forces_a_future_job_now_in_the_foreground() {
    let w = World::new();
    w.handler("hello", "echo \"hello $1\"");
    let id = w.add(&["hello", "you", "--in", "1d"]);
    let run = w.taskctl(&["run", &id.to_string()]).ok();
    assert_eq!(run.stdout, "hello you\n");
    assert_eq!(w.status_of(id), "done");
    w.taskctl(&["run", &id.to_string()]).code(64).one_line_error("only a queued job can be run");
    w.taskctl(&["run", "99"]).code(1).one_line_error("no job 99");
    w.handler("bad", "exit 4");
    let bad = w.add(&["bad", "--max-attempts", "1"]);
    w.taskctl(&["run", &bad.to_string()]).code(1).one_line_error("exit status 4 (dead: no attempt left)");
}

#[test]
fn job_logs_are_capped() {
    let w = World::with_config("log_max_bytes = 1000");
    w.handler("chatty", "i=0; while [ $i -lt 500 ]; do echo line $i; i=$((i+1)); done");
    let id = w.add(&["chatty"]);
    w.drain("1");
    assert_eq!(w.status_of(id), "done");
    let log = std::fs::read_to_string(w.data().join("logs/jobs/1.log")).unwrap();
    assert!(log.len() < 1100, "{}", log.len());
    assert!(log.trim_end().ends_with("[log truncated at 1000 bytes]"), "{log}");
}

#[test]
fn a_flood_of_output_never_reaches_the_disk() {
    let w = World::with_config("log_max_bytes = 1000");
    w.handler(
        "flood",
        &format!(
            "yes | head -c 50000000\nls -l {} > {}",
            w.data().join("logs/jobs/1.log").display(),
            w.path("size").display()
        ),
    );
    let id = w.add(&["flood"]);
    w.drain("1");
    assert_eq!(w.status_of(id), "done");
    let size_while_running: u64 = w.read("size").split_whitespace().nth(4).unwrap().parse().unwrap();
    assert!(size_while_running <= 1100, "capped while the handler runs: {size_while_running}");
}

#[test]
fn many_jobs_with_parallel_workers_each_run_once() {
    let w = World::new();
    recorder(&w);
    let lines: String = (0..200).map(|i| format!("{{\"function\":\"record\",\"args\":[\"{i}\"]}}\n")).collect();
    w.taskctl_stdin(&["add", "--batch"], &lines).ok();
    let workers: Vec<_> = (0..3).map(|_| w.spawn_worker(&["-j", "4", "--until-empty"])).collect();
    for mut worker in workers {
        assert!(worker.wait().unwrap().success());
    }
    let mut seen: Vec<u32> = w.read("order").lines().map(|l| l.parse().unwrap()).collect();
    seen.sort();
    assert_eq!(seen, (0..200).collect::<Vec<_>>());
}

#[test]
fn ctrl_c_during_run_stops_the_handler_and_requeues_the_job() {
    let w = World::new();
    w.handler("hang", &format!("echo $$ > {}\nexec sleep 300", w.path("pid").display()));
    let id = w.add(&["hang"]);
    let mut run = w.command().args(["run", &id.to_string()]).stdout(std::process::Stdio::null()).spawn().unwrap();
    wait_for(10, "handler started", || !w.read("pid").trim().is_empty());
    let handler: i32 = w.read("pid").trim().parse().unwrap();
    kill(Pid::from_raw(run.id() as i32), Signal::SIGINT).unwrap();
    assert_eq!(run.wait().unwrap().code(), Some(75));
    assert!(!process_alive(handler));
    let job = w.job(id);
    assert_eq!(job["status"], "queued", "{job}");
    assert_eq!(job["failures"], 0, "{job}");
}

#[test]
fn a_quiet_job_has_an_empty_log_and_no_file() {
    let w = World::new();
    w.handler("quiet", "exit 0");
    let id = w.add(&["quiet"]);
    w.drain("1");
    assert!(!w.data().join(format!("logs/jobs/{id}.log")).exists());
    assert_eq!(w.taskctl(&["log", "--job", &id.to_string()]).ok().stdout, "");
    w.taskctl(&["log", "--job", "999"]).code(1).one_line_error("no job 999");
}

/// A long write by another process (a databox import, say) makes the worker's claim cycle wait,
/// never give up: the worker stays alive and runs the job once the store is free.
#[test]
fn a_worker_outlasts_a_long_write_by_another_process() {
    let w = World::new();
    w.taskctl(&["list"]).ok(); // creates the store
    let id = w.add(&["noop", "--in", "500ms"]);
    let mut worker = w.spawn_worker(&["-j", "1"]);
    let db = rusqlite::Connection::open(w.data().join("phr.db")).unwrap();
    db.execute_batch("BEGIN IMMEDIATE").unwrap();
    std::thread::sleep(std::time::Duration::from_secs(3)); // three times the worker's busy wait
    assert!(worker.try_wait().unwrap().is_none(), "the worker gave up while the store was busy");
    assert_eq!(w.status_of(id), "queued");
    db.execute_batch("COMMIT").unwrap();
    crate::util::wait_for(10, "job done", || w.status_of(id) == "done");
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(worker.id() as i32), nix::sys::signal::Signal::SIGTERM).unwrap();
    assert!(worker.wait().unwrap().success());
}
