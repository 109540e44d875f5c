//! `taskctl start` of a running scheduler is success (as `systemctl start`), while `tasksched`
//! run directly still refuses a second instance; task files with bad names are not silently lost.

use crate::util::{wait_for, World};

#[test]
fn start_when_the_scheduler_runs_succeeds_and_says_so() {
    let w = World::new();
    w.taskctl(&["start"]).ok();
    let pid = w.status()["scheduler"]["pid"].as_i64().unwrap();
    w.taskctl(&["start"]).ok().one_line_error(&format!("tasksched already running (pid {pid})"));
    // Only taskctl start changed: tasksched itself, daemon or foreground, still refuses with 75.
    for args in [&[][..], &["-f"][..]] {
        let direct = w.tasksched().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&direct.stderr);
        assert_eq!(direct.status.code(), Some(75), "tasksched {args:?}: {stderr}");
        assert!(stderr.starts_with("tasksched: already running for ") && stderr.contains(&format!("(pid {pid})")));
    }
    assert_eq!(w.status()["scheduler"]["pid"], pid);
    w.taskctl(&["stop"]).ok();
    w.assert_no_processes_left();
}

#[test]
fn a_task_file_with_a_bad_name_is_ignored_with_a_warning_saying_why() {
    let w = World::new();
    w.exec_task("good", "1h", "true", "autostart = false");
    w.task("bad.name", "kind = \"exec\"\nperiod = \"1h\"\n[settings]\ncommand = [\"true\"]\n");
    let run = w.taskctl(&["status"]).ok();
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{run:#?}");
    assert!(lines[0].starts_with("taskctl: warning: ignoring "), "{run:#?}");
    assert!(lines[0].contains("bad.name.toml") && lines[0].contains("not a task name"), "{run:#?}");
    assert!(run.stdout.contains("good") && !run.stdout.contains("bad"), "{run:#?}");
    assert_eq!(w.status()["tasks"].as_array().unwrap().len(), 1);
    // The scheduler says it too, in its log.
    let mut sched = w.spawn_sched();
    wait_for(10, "warning in the scheduler's log", || w.read("sched.stderr").contains("bad.name.toml"));
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(sched.id() as i32), nix::sys::signal::Signal::SIGTERM).unwrap();
    sched.wait().unwrap();
    w.assert_no_processes_left();
}
