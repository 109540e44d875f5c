//! Everything phr-tasks creates is private whoever creates it first and whatever the umask
//! (cron's is 022): files 0600, folders 0700, since job output, logs and task files may hold
//! secrets. A data dir left open to others is kept, with a warning.

use crate::util::{wait_for, World};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

/// Runs `cmd` with cron's umask, 022, and returns its output.
fn with_cron_umask(mut cmd: Command) -> std::process::Output {
    // SAFETY: umask is async-signal-safe and touches no memory.
    unsafe {
        cmd.pre_exec(|| {
            nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o022));
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    out
}

fn taskctl(w: &World, args: &[&str]) -> std::process::Output {
    let mut cmd = w.command();
    cmd.args(args);
    with_cron_umask(cmd)
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

fn assert_modes(base: &Path, want: &[(&str, u32)]) {
    for (name, wanted) in want {
        let path = base.join(name);
        assert_eq!(mode(&path), *wanted, "{} is {:o}, want {:o}", path.display(), mode(&path), wanted);
    }
}

#[test]
fn files_and_folders_are_private_whoever_creates_them_under_umask_022() {
    let w = World::new();
    taskctl(&w, &["new", "exec", "secret"]);
    assert_modes(&w.path("tasks.d"), &[("", 0o700), ("secret.toml", 0o600)]);
    std::fs::remove_file(w.path("tasks.d/secret.toml")).unwrap();
    w.exec_task("t", "1h", "echo out", "");

    // The daemon launcher and the scheduler create the data dir first here.
    taskctl(&w, &["start"]);
    wait_for(10, "task started", || w.task_state("t") == "started");
    wait_for(10, "task output", || w.read("data/logs/tasks/t.log").contains("out"));
    taskctl(&w, &["stop"]);
    let data = w.data();
    assert_modes(
        &data,
        &[
            ("", 0o700),
            ("run", 0o700),
            ("run/tasksched.pid", 0o600),
            ("run/tasks", 0o700),
            ("logs", 0o700),
            ("logs/tasksched.log", 0o600),
            ("logs/tasks", 0o700),
            ("logs/tasks/t.log", 0o600),
            ("phr.db", 0o600),
        ],
    );
    taskctl(&w, &["pass", "t"]);
    assert_modes(&data, &[("run/tasks/t.lock", 0o600)]);

    w.handler("talk", "echo secret output");
    let id = w.add(&["talk"]);
    taskctl(&w, &["work", "-j", "1", "--until-empty"]);
    assert_modes(&data, &[("logs/jobs", 0o700), (&format!("logs/jobs/{id}.log"), 0o600)]);
    w.assert_no_processes_left();
}

#[test]
fn a_data_dir_open_to_others_is_kept_with_one_warning() {
    let w = World::new();
    std::fs::DirBuilder::new().mode(0o755).create(w.data()).unwrap();
    std::fs::set_permissions(w.data(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = w.taskctl(&["add", "noop"]).ok();
    let data = w.data().display().to_string();
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{run:#?}");
    assert!(lines[0].starts_with(&format!("taskctl: warning: data dir {data} is open to other users (mode 0755)")));
    assert!(lines[0].ends_with(&format!("chmod 700 {data}")), "{run:#?}");
    assert_eq!(mode(&w.data()), 0o755, "the admin's choice is kept");
    std::fs::set_permissions(w.data(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let run = w.taskctl(&["add", "noop"]).ok();
    assert_eq!(run.stderr, "", "{run:#?}");
}
