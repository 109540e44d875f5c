//! `tasksched` and the task commands, with real processes in temp dirs. Every test ends by
//! checking that no process of its world is left running.

use crate::util::{process_alive, wait_for, World};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::time::Duration;

pub fn term(child: &std::process::Child) {
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
}

pub fn lines(w: &World, file: &str) -> usize {
    w.read(file).lines().count()
}

pub fn task_pid(w: &World, name: &str) -> i32 {
    w.task_status(name)["pid"].as_i64().map(|p| p as i32).unwrap_or(0)
}

#[test]
fn start_stop_restart_a_task_and_its_command_runs_each_period() {
    let w = World::new();
    w.exec_task("tick", "200ms", &format!("date +%s.%N >> {}", w.path("ticks").display()), "autostart = false");
    let mut sched = w.spawn_sched();
    assert_eq!(w.task_state("tick"), "stopped");
    w.taskctl(&["status", "tick"]).code(3);
    w.taskctl(&["start", "tick"]).ok();
    wait_for(5, "several passes", || lines(&w, "ticks") >= 4);
    w.taskctl(&["status", "tick"]).code(0);
    let first = task_pid(&w, "tick");
    let status = w.task_status("tick");
    assert!(status["passes"].as_i64().unwrap() >= 3, "{status}");
    assert!(status["last_pass_at"].is_string(), "{status}");
    let ticks: Vec<f64> = w.read("ticks").lines().map(|l| l.parse().unwrap()).collect();
    for pair in ticks.windows(2) {
        assert!(pair[1] - pair[0] >= 0.15, "passes start one period apart: {ticks:?}");
    }

    w.taskctl(&["restart", "tick"]).ok();
    wait_for(10, "a fresh worker", || task_pid(&w, "tick") != first && task_pid(&w, "tick") != 0);
    assert!(!process_alive(first));

    w.taskctl(&["stop", "tick"]).ok();
    wait_for(10, "task stopped", || w.task_state("tick") == "stopped");
    w.taskctl(&["status", "tick"]).code(3);
    let after_stop = lines(&w, "ticks");
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(lines(&w, "ticks"), after_stop, "no pass after stop");

    term(&sched);
    assert!(sched.wait().unwrap().success());
    w.assert_no_processes_left();
}

#[test]
fn a_pass_that_overruns_is_followed_at_once_never_overlapped() {
    let w = World::new();
    let log = w.path("runs").display().to_string();
    w.exec_task(
        "slow",
        "100ms",
        &format!("echo start $(date +%s.%N) >> {log}; sleep 0.3; echo end $(date +%s.%N) >> {log}"),
        "",
    );
    let mut sched = w.spawn_sched();
    wait_for(10, "three passes", || w.read("runs").matches("end").count() >= 3);
    term(&sched);
    sched.wait().unwrap();
    let events: Vec<(String, f64)> = w
        .read("runs")
        .lines()
        .map(|l| {
            let mut p = l.split(' ');
            (p.next().unwrap().into(), p.next().unwrap().parse().unwrap())
        })
        .collect();
    for pair in events.windows(2) {
        assert_ne!(pair[0].0, pair[1].0, "start and end alternate: {events:?}");
        assert!(pair[1].1 >= pair[0].1);
    }
    w.assert_no_processes_left();
}

#[test]
fn the_queue_task_runs_jobs() {
    let w = World::new();
    w.task("jobs", "kind = \"queue\"\n[settings]\njobs = 2\n");
    w.handler("hello", &format!("echo \"$1\" >> {}", w.path("out").display()));
    let mut sched = w.spawn_sched();
    wait_for(10, "queue task started", || w.task_state("jobs") == "started");
    for i in 0..5 {
        w.add(&["hello", &i.to_string()]);
    }
    wait_for(10, "jobs done", || lines(&w, "out") == 5);
    term(&sched);
    sched.wait().unwrap();
    w.assert_no_processes_left();
}

#[test]
fn two_schedulers_one_refuses() {
    let w = World::new();
    let mut sched = w.spawn_sched();
    let out = w.tasksched().arg("-f").output().unwrap();
    assert_eq!(out.status.code(), Some(75));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("tasksched: already running for ") && stderr.contains(&format!("(pid {})", sched.id())),
        "{stderr}"
    );
    let ensure = w.tasksched().arg("--ensure").output().unwrap();
    assert!(ensure.status.success() && ensure.stdout.is_empty() && ensure.stderr.is_empty(), "{ensure:?}");
    term(&sched);
    sched.wait().unwrap();
    w.assert_no_processes_left();
}

#[test]
fn sighup_picks_up_a_new_task_file() {
    let w = World::new();
    let mut sched = w.spawn_sched();
    w.exec_task("late", "200ms", &format!("echo x >> {}", w.path("late").display()), "");
    kill(Pid::from_raw(sched.id() as i32), Signal::SIGHUP).unwrap();
    wait_for(10, "new task runs", || lines(&w, "late") >= 1);
    wait_for(5, "task started", || w.task_state("late") == "started");
    term(&sched);
    sched.wait().unwrap();
    w.assert_no_processes_left();
}

#[test]
fn pass_runs_one_pass_and_is_refused_while_the_worker_runs() {
    let w = World::new();
    w.exec_task("once", "1h", &format!("echo pass >> {}", w.path("passes").display()), "");
    w.taskctl(&["pass", "once"]).ok();
    assert_eq!(lines(&w, "passes"), 1);
    assert_eq!(w.task_status("once")["passes"], 1);
    let mut sched = w.spawn_sched();
    wait_for(10, "worker running", || w.task_state("once") == "started");
    w.taskctl(&["pass", "once"]).code(75).one_line_error("task once is running");
    w.exec_task("broken", "1h", "exit 3", "autostart = false");
    w.taskctl(&["pass", "broken"]).code(1).one_line_error("exit status 3");
    term(&sched);
    sched.wait().unwrap();
    w.assert_no_processes_left();
}

#[test]
fn daemon_mode_start_status_stop() {
    let w = World::new();
    w.exec_task("tick", "200ms", &format!("echo x >> {}", w.path("ticks").display()), "");
    w.taskctl(&["start"]).ok();
    let status = w.status();
    assert_eq!(status["scheduler"]["running"], true);
    let pid = status["scheduler"]["pid"].as_i64().unwrap() as i32;
    wait_for(10, "passes", || lines(&w, "ticks") >= 2);
    wait_for(5, "task started", || w.task_state("tick") == "started");
    let human = w.taskctl(&["status"]).ok().stdout;
    assert!(human.starts_with(&format!("scheduler: running, pid {pid}, up ")), "{human}");
    assert!(human.contains("tick") && human.contains("started"), "{human}");
    // cron's line says nothing when the scheduler runs
    let ensure = w.tasksched().arg("--ensure").output().unwrap();
    assert!(ensure.status.success() && ensure.stderr.is_empty(), "{ensure:?}");
    w.taskctl(&["stop"]).ok();
    assert_eq!(w.status()["scheduler"]["running"], false);
    assert_eq!(w.task_state("tick"), "stopped");
    let log = std::fs::read_to_string(w.data().join("logs/tasksched.log")).unwrap();
    assert!(log.contains(&format!("scheduler pid {pid} started")), "{log}");
    let tail = w.taskctl(&["log", "--scheduler", "-n", "1"]).ok().stdout;
    assert!(tail.contains("tasksched["), "{tail}");
    w.assert_no_processes_left();
}

#[test]
fn new_writes_a_valid_commented_task_and_bad_files_are_refused() {
    let w = World::new();
    let path = w.taskctl(&["new", "exec", "nightly"]).ok().stdout;
    let text = std::fs::read_to_string(path.trim()).unwrap();
    assert!(text.contains("kind = \"exec\"") && text.contains("# ") && text.contains("command = "), "{text}");
    w.taskctl(&["status"]).ok();
    w.taskctl(&["new", "exec", "nightly"]).code(73).one_line_error("nightly.toml");
    w.taskctl(&["new", "teleport", "x"]).code(64).one_line_error("unknown task kind \"teleport\"");
    w.taskctl(&["new", "exec", "bad/name"]).code(64).one_line_error("bad task name");
    w.task("typo", "kind = \"exec\"\nperiod = \"5m\"\n[settings]\ncommand = [\"true\"]\ncommnad = 1\n");
    w.taskctl(&["status"]).code(78).one_line_error("typo.toml:5:1: unknown field `commnad`");
    w.task("typo", "kind = \"exec\"\nperiod = \"5m\"\n[settings]\n");
    w.taskctl(&["status"]).code(78).one_line_error("typo.toml:3:1: settings.command: must name a program");
    w.task("typo", "kind = \"exec\"\nperiod = 5\n[settings]\ncommand = [\"true\"]\n");
    w.taskctl(&["status"]).code(78).one_line_error("typo.toml:2:10:");
    w.task("typo", "kind = \"exec\"\n[settings]\ncommand = [\"true\"]\n");
    w.taskctl(&["status"]).code(78).one_line_error("needs period");
    w.task("typo", "kind = \"exec\"\nschedule = \"every tuesday\"\n[settings]\ncommand = [\"true\"]\n");
    w.taskctl(&["status"]).code(78).one_line_error("schedule");
    w.task("typo", "kind = \"rocket\"\n");
    w.taskctl(&["status"]).code(78).one_line_error("typo.toml:1:8: unknown task kind \"rocket\"");
    let out = w.tasksched().arg("-f").output().unwrap();
    assert_eq!(out.status.code(), Some(78), "{out:?}");
    w.taskctl(&["start", "nosuch"]).code(1).one_line_error("no task \"nosuch\"");
}

#[test]
fn cron_schedules_are_accepted() {
    let w = World::new();
    w.task("cron", "kind = \"exec\"\nschedule = \"*/5 * * * *\"\n[settings]\ncommand = [\"true\"]\n");
    w.taskctl(&["status", "cron"]).code(3);
    w.taskctl(&["status", "nosuch"]).code(4).one_line_error("no task \"nosuch\"");
}

#[test]
fn a_worker_retires_after_max_loops_and_a_fresh_one_follows() {
    let w = World::new();
    w.exec_task("short", "100ms", &format!("echo x >> {}", w.path("ticks").display()), "max_loops = 2");
    let mut sched = w.spawn_sched();
    wait_for(10, "a worker", || task_pid(&w, "short") != 0);
    let first = task_pid(&w, "short");
    wait_for(10, "a fresh worker", || task_pid(&w, "short") != first && task_pid(&w, "short") != 0);
    let status = w.task_status("short");
    assert_eq!(status["crashes"], 0, "retiring is not crashing: {status}");
    assert_eq!(status["last_exit"], "exit status 0", "{status}");
    term(&sched);
    sched.wait().unwrap();
    w.assert_no_processes_left();
}

#[test]
fn log_follows_a_task_log_across_rotation() {
    let w = World::new();
    w.exec_task("talk", "100ms", "echo tick-$(date +%s%N)", "");
    let mut sched = w.spawn_sched();
    let log = w.data().join("logs/tasks/talk.log");
    wait_for(10, "task output", || std::fs::read_to_string(&log).unwrap_or_default().contains("tick-"));
    let mut follow =
        w.command().args(["log", "talk", "-f", "-n", "1"]).stdout(std::process::Stdio::piped()).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    // logrotate's copytruncate: the file shrinks and grows again.
    std::fs::copy(&log, w.path("talk.log.1")).unwrap();
    std::fs::OpenOptions::new().write(true).open(&log).unwrap().set_len(0).unwrap();
    std::fs::write(w.data().join("marker"), "").unwrap();
    wait_for(10, "new lines after rotation", || {
        std::fs::read_to_string(&log).unwrap_or_default().matches("tick-").count() >= 3
    });
    std::thread::sleep(Duration::from_millis(500));
    follow.kill().unwrap();
    let out = follow.wait_with_output().unwrap();
    let seen = String::from_utf8_lossy(&out.stdout).matches("tick-").count();
    assert!(seen >= 5, "followed lines before and after rotation: {seen}");
    term(&sched);
    sched.wait().unwrap();
    w.assert_no_processes_left();
}

#[test]
fn an_admins_stop_outlives_a_scheduler_restart() {
    let w = World::new();
    w.exec_task("auto", "1h", "true", "autostart = true");
    let mut sched = w.spawn_sched();
    wait_for(10, "autostarted", || w.task_state("auto") != "stopped");
    w.taskctl(&["stop", "auto"]).ok();
    wait_for(10, "stopped", || w.task_state("auto") == "stopped");
    term(&sched);
    sched.wait().unwrap();
    // A task new to the scheduler shows when it has loaded tasks.d and acted on it.
    w.exec_task("witness", "1h", "true", "autostart = true");
    let mut again = w.spawn_sched();
    wait_for(10, "tasks loaded", || w.task_state("witness") != "stopped");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(w.task_state("auto"), "stopped");
    assert_eq!(w.task_status("auto")["desired"], "stopped");
    term(&again);
    again.wait().unwrap();
    w.assert_no_processes_left();
}

#[test]
fn a_fresh_worker_keeps_the_period() {
    let w = World::new();
    w.exec_task("slowly", "700ms", &format!("date +%s.%N >> {}", w.path("ticks").display()), "max_loops = 1");
    let mut sched = w.spawn_sched();
    wait_for(10, "three passes by three workers", || lines(&w, "ticks") >= 3);
    let ticks: Vec<f64> = w.read("ticks").lines().map(|l| l.parse().unwrap()).collect();
    for pair in ticks.windows(2) {
        assert!(pair[1] - pair[0] >= 0.6, "one period between passes, across workers: {ticks:?}");
    }
    term(&sched);
    sched.wait().unwrap();
    w.assert_no_processes_left();
}

#[test]
fn two_ensure_from_cron_at_once_start_one_scheduler_quietly() {
    let w = World::new();
    let both: Vec<_> = (0..2)
        .map(|_| {
            w.tasksched()
                .arg("--ensure")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in both {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success() && out.stderr.is_empty() && out.stdout.is_empty(), "{out:?}");
    }
    assert_eq!(w.status()["scheduler"]["running"], true);
    w.taskctl(&["stop"]).ok();
    w.assert_no_processes_left();
}
