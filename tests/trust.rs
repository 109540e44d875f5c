//! Run as root, phr-tasks refuses (exit 77) a data dir, config, tasks.d, task file or handler
//! that another user owns or can write, or under a folder they can: what that user put there
//! would run as root. Other users are not checked. These tests need root (they chown to
//! nobody, uid 65534) and are skipped otherwise.

use crate::util::World;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::Path;

const NOBODY: u32 = 65534;

fn root() -> bool {
    let root = nix::unistd::geteuid().is_root();
    if !root {
        eprintln!("skipped: needs root");
    }
    root
}

fn chown(path: &Path, uid: u32) {
    std::os::unix::fs::chown(path, Some(uid), None).unwrap();
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn mkdir(path: &Path, mode: u32) {
    std::fs::DirBuilder::new().mode(mode).create(path).unwrap();
    chmod(path, mode);
}

#[test]
fn a_data_dir_or_config_another_user_can_change_is_refused_with_the_fix() {
    if !root() {
        return;
    }
    let w = World::new();
    let data = w.data();
    mkdir(&data, 0o700);
    chown(&data, NOBODY);
    w.taskctl(&["list"]).code(77).one_line_error(&format!("{}: is owned by nobody (uid 65534)", data.display()));
    w.taskctl(&["list"]).code(77).one_line_error(&format!("chown root {}", data.display()));
    chown(&data, 0);
    chmod(&data, 0o770);
    w.taskctl(&["list"]).code(77).one_line_error("is writable by its group (mode 0770)");
    w.taskctl(&["list"]).code(77).one_line_error(&format!("chmod go-w {}", data.display()));
    chmod(&data, 0o700);
    w.taskctl(&["list"]).ok();

    // A folder above it that others can write (without the sticky bit of /tmp) is as bad:
    // they could move the data dir away and put theirs in its place.
    let shared = w.path("shared");
    mkdir(&shared, 0o777);
    let below = shared.join("data");
    let below = below.to_str().unwrap();
    w.taskctl(&["--data-dir", below, "list"]).code(77).one_line_error(&format!("chmod go-w {}", shared.display()));
    // Even when the data dir is reached through a link from a safe place.
    let link = w.path("link-to-data");
    std::os::unix::fs::symlink(&shared, &link).unwrap();
    let through = format!("{}/data", link.display());
    w.taskctl(&["--data-dir", &through, "list"]).code(77).one_line_error(&format!("chmod go-w {}", shared.display()));
    chmod(&shared, 0o1777);
    chown(&shared, NOBODY);
    w.taskctl(&["--data-dir", below, "list"]).code(77).one_line_error("is owned by nobody");
    chown(&shared, 0);
    w.taskctl(&["--data-dir", below, "list"]).ok(); // root's own sticky folder, as /tmp

    chown(&w.config(), NOBODY);
    w.taskctl(&["list"]).code(77).one_line_error(&format!("chown root {}", w.config().display()));
}

#[test]
fn a_tasks_dir_or_task_file_another_user_can_change_is_refused() {
    if !root() {
        return;
    }
    let w = World::new();
    w.exec_task("t", "1h", &format!("touch {}", w.path("ran").display()), "autostart = false");
    let dir = w.path("tasks.d");
    chmod(&dir, 0o775);
    w.taskctl(&["status"]).code(77).one_line_error(&format!("chmod go-w {}", dir.display()));
    w.taskctl(&["pass", "t"]).code(77).one_line_error(&format!("chmod go-w {}", dir.display()));
    let sched = w.tasksched().arg("-f").output().unwrap();
    assert_eq!(sched.status.code(), Some(77), "{sched:?}");
    chmod(&dir, 0o755);
    let file = dir.join("t.toml");
    chown(&file, NOBODY);
    w.taskctl(&["pass", "t"]).code(77).one_line_error(&format!("chown root {}", file.display()));
    w.taskctl(&["status"]).code(77);
    assert!(!w.path("ran").exists(), "the task's command ran");
    chown(&file, 0);
    w.taskctl(&["pass", "t"]).ok();
    assert!(w.path("ran").exists());
}

#[test]
fn a_handler_another_user_can_change_fails_its_job_without_running() {
    if !root() {
        return;
    }
    let w = World::new();
    let ran = w.path("ran");
    let handler = w.handler("h", &format!("touch {}", ran.display()));
    chown(&handler, NOBODY);
    let id = w.add(&["h", "--max-attempts", "1"]);
    w.drain("1");
    let job = w.job(id);
    assert_eq!(job["status"], "dead", "{job}");
    let error = job["last_error"].as_str().unwrap();
    assert!(error.contains(&format!("chown root {}", handler.display())), "{job}");
    chown(&handler, 0);
    chmod(&w.handlers(), 0o777);
    let id = w.add(&["h", "--max-attempts", "1"]);
    w.drain("1");
    let error = w.job(id)["last_error"].as_str().unwrap().to_string();
    assert!(error.contains(&format!("chmod go-w {}", w.handlers().display())), "{error}");
    assert!(!ran.exists(), "the handler ran");
    chmod(&w.handlers(), 0o755);
    let id = w.add(&["h"]);
    w.drain("1");
    assert_eq!(w.status_of(id), "done");
    assert!(ran.exists());
}

#[test]
fn other_users_are_not_checked() {
    if !root() {
        return;
    }
    let w = World::new();
    chmod(w.dir.path(), 0o755);
    let shared = w.path("shared");
    mkdir(&shared, 0o777);
    let data = shared.join("data");
    mkdir(&data, 0o777);
    chown(&data, NOBODY);
    let out = w.command().args(["--data-dir", data.to_str().unwrap(), "add", "noop"]).uid(NOBODY).output().unwrap();
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn as_root_a_file_hard_linked_into_a_hot_folder_is_set_aside_not_archived() {
    if !root() {
        return;
    }
    let w = crate::archive::databox_world();
    let hot = crate::archive::hot(&w);
    let secret = w.path("shadow-like");
    crate::util::jpeg(&secret, 7);
    chmod(&secret, 0o600);
    std::fs::hard_link(&secret, hot.join("linked.jpg")).unwrap();
    crate::util::jpeg(&hot.join("own.jpg"), 8);
    crate::archive::archive(&w, &[]).ok();
    let names: Vec<String> =
        crate::archive::records(&w).iter().map(|r| r["original_name"].as_str().unwrap().to_string()).collect();
    assert_eq!(names, ["own.jpg"]);
    let why = std::fs::read_to_string(w.path("hot_error").join("linked.jpg.error")).unwrap();
    assert!(why.contains("2 hard links"), "{why}");
    assert!(secret.exists(), "the file linked from elsewhere is untouched");
}
