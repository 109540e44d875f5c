//! Crashes under `tasksched`: workers killed with -9 are restarted, a worker that always
//! crashes ends `crashed`, a killed scheduler loses no job and leaves no orphan, and whatever a
//! pass started is stopped with its worker. Real processes in temp dirs.

use crate::sched::{lines, task_pid, term};
use crate::util::{process_alive, wait_for, World};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::time::Duration;

#[test]
fn kill_9_of_a_worker_restarts_it() {
    let w = World::new();
    w.exec_task("tick", "100ms", &format!("echo x >> {}", w.path("ticks").display()), "");
    let mut sched = w.spawn_sched();
    wait_for(10, "worker running", || w.task_state("tick") == "started");
    let first = task_pid(&w, "tick");
    kill(Pid::from_raw(first), Signal::SIGKILL).unwrap();
    wait_for(10, "worker restarted", || task_pid(&w, "tick") != first && task_pid(&w, "tick") != 0);
    let status = w.task_status("tick");
    assert_eq!(status["crashes"], 1, "{status}");
    assert_eq!(status["last_exit"], "killed by SIGKILL", "{status}");
    let before = lines(&w, "ticks");
    wait_for(5, "passes again", || lines(&w, "ticks") > before);
    term(&sched);
    sched.wait().unwrap();
    w.assert_no_processes_left();
}

#[test]
fn a_worker_that_always_crashes_ends_crashed_until_started_again() {
    let w = World::new();
    w.exec_task("flaky", "1s", "true", "max_crashes = 3\ncrash_window = \"1m\"");
    let mut sched = w.spawn_sched();
    wait_for(10, "worker running", || w.task_state("flaky") == "started");
    let mut worker = task_pid(&w, "flaky");
    for crash in 1..=3 {
        kill(Pid::from_raw(worker), Signal::SIGKILL).unwrap();
        if crash < 3 {
            wait_for(20, "worker restarted", || task_pid(&w, "flaky") != worker && task_pid(&w, "flaky") != 0);
            worker = task_pid(&w, "flaky");
        }
    }
    wait_for(20, "task crashed", || w.task_state("flaky") == "crashed");
    let status = w.task_status("flaky");
    assert_eq!(status["crashes"], 3, "{status}");
    assert_eq!(status["last_exit"], "killed by SIGKILL", "{status}");
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(w.task_state("flaky"), "crashed", "not restarted any more");
    // `reset` forgets the crashes but leaves it stopped, `start` runs it.
    w.taskctl(&["reset", "flaky"]).ok();
    wait_for(5, "reset seen", || w.task_state("flaky") == "stopped");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(w.task_state("flaky"), "stopped", "reset does not start it");
    assert_eq!(w.task_status("flaky")["crashes"], 0);
    w.taskctl(&["start", "flaky"]).ok();
    wait_for(10, "running again", || w.task_state("flaky") == "started");
    assert_eq!(w.task_status("flaky")["crashes"], 0);
    term(&sched);
    sched.wait().unwrap();
    w.assert_no_processes_left();
}

#[test]
fn a_task_file_broken_under_a_running_task_leaves_it_crashed_at_once_with_why() {
    let w = World::new();
    w.exec_task("broken", "1s", "true", "max_crashes = 5");
    let mut sched = w.spawn_sched();
    wait_for(10, "worker running", || w.task_state("broken") == "started");
    let worker = task_pid(&w, "broken");
    // Broken without telling the scheduler: the next worker reads it and exits 78.
    w.task("broken", "kind = \"exec\"\nperiod = \"1s\"\nbogus = 1\n[settings]\ncommand = [\"true\"]\n");
    kill(Pid::from_raw(worker), Signal::SIGKILL).unwrap();
    let broken = || w.taskctl(&["status", "--json"]).code(78).json()["tasks"][0].clone();
    wait_for(20, "task crashed", || broken()["state"] == "crashed");
    let status = broken();
    assert_eq!(status["crashes"], 2, "the kill, then one worker that could not start: {status}");
    let why = status["last_exit"].as_str().unwrap();
    assert!(why.starts_with("exit status 78: its task file or the config is invalid"), "{status}");
    assert!(why.ends_with("taskctl start broken"), "{status}");
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(broken()["state"], "crashed", "not restarted in a loop");
    let log = std::fs::read_to_string(w.data().join("logs/tasks/broken.log")).unwrap();
    assert!(log.contains("unknown field `bogus`"), "{log}");
    w.exec_task("broken", "1s", "true", "");
    w.taskctl(&["start", "broken"]).ok();
    wait_for(10, "running again once fixed", || w.task_state("broken") == "started");
    term(&sched);
    sched.wait().unwrap();
    w.assert_no_processes_left();
}

#[test]
fn kill_9_of_the_scheduler_loses_no_job_and_leaves_no_orphan() {
    let w = World::new();
    w.task("jobs", "kind = \"queue\"\n[settings]\njobs = 1\n");
    let runs = w.path("runs").display().to_string();
    w.handler("long", &format!("echo \"start $PHR_JOB_ATTEMPT\" >> {runs}\nsleep 2\necho done >> {runs}"));
    let mut sched = w.spawn_sched();
    let id = w.add(&["long"]);
    wait_for(10, "job started", || w.read("runs").contains("start 1"));
    let old_worker = task_pid(&w, "jobs");
    sched.kill().unwrap(); // SIGKILL
    sched.wait().unwrap();
    let mut second = w.spawn_sched();
    wait_for(10, "new worker", || {
        let pid = task_pid(&w, "jobs");
        pid != 0 && pid != old_worker
    });
    wait_for(20, "job done", || w.status_of(id) == "done");
    assert!(!process_alive(old_worker), "the old worker is gone");
    assert_eq!(w.read("runs").matches("done").count(), 1, "{}", w.read("runs"));
    term(&second);
    second.wait().unwrap();
    w.assert_no_processes_left();
}

#[test]
fn workers_stop_by_themselves_when_the_scheduler_dies() {
    let w = World::new();
    w.exec_task("tick", "100ms", &format!("echo x >> {}", w.path("ticks").display()), "");
    let mut sched = w.spawn_sched();
    wait_for(10, "worker running", || w.task_state("tick") == "started");
    let worker = task_pid(&w, "tick");
    sched.kill().unwrap();
    sched.wait().unwrap();
    wait_for(5, "orphaned worker gone", || !process_alive(worker));
    w.assert_no_processes_left();
}

#[test]
fn stopping_a_task_stops_the_command_of_its_pass() {
    let w = World::new();
    let pidfile = w.path("cmd.pid").display().to_string();
    w.exec_task("long", "1s", &format!("echo $$ > {pidfile}; exec sleep 300"), "");
    let mut sched = w.spawn_sched();
    wait_for(10, "command running", || !w.read("cmd.pid").trim().is_empty());
    let cmd: i32 = w.read("cmd.pid").trim().parse().unwrap();
    w.taskctl(&["stop", "long"]).ok();
    wait_for(10, "task stopped", || w.task_state("long") == "stopped");
    assert!(!process_alive(cmd), "the pass's command went with its worker");
    // restart: the old command goes before a new one starts
    std::fs::remove_file(w.path("cmd.pid")).unwrap();
    w.taskctl(&["start", "long"]).ok();
    wait_for(10, "command running", || !w.read("cmd.pid").trim().is_empty());
    let first: i32 = w.read("cmd.pid").trim().parse().unwrap();
    std::fs::remove_file(w.path("cmd.pid")).unwrap();
    w.taskctl(&["restart", "long"]).ok();
    wait_for(10, "new command", || !w.read("cmd.pid").trim().is_empty());
    assert!(!process_alive(first), "never two passes at once");
    term(&sched);
    sched.wait().unwrap();
    w.assert_no_processes_left();
}

#[test]
fn what_a_killed_workers_pass_started_is_stopped_too() {
    let w = World::new();
    let child = w.path("child").display().to_string();
    w.exec_task("deep", "1h", &format!("sleep 300 & echo $! > {child}; wait"), "");
    let mut sched = w.spawn_sched();
    wait_for(10, "grandchild running", || !w.read("child").trim().is_empty());
    let grandchild: i32 = w.read("child").trim().parse().unwrap();
    kill(Pid::from_raw(task_pid(&w, "deep")), Signal::SIGKILL).unwrap();
    wait_for(10, "grandchild stopped", || !process_alive(grandchild));
    term(&sched);
    sched.wait().unwrap();
    w.assert_no_processes_left();
}
