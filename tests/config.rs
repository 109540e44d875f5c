//! Configuration: where it is looked for, and how a bad one is reported (exit 78).

use crate::util::World;
use std::os::unix::fs::PermissionsExt;

#[test]
fn bad_toml_names_file_line_and_column() {
    let w = World::new();
    std::fs::write(w.config(), "[jobs]\nmax_attempts = 3\ntimeout = \n").unwrap();
    let run = w.taskctl(&["list"]).code(78).one_line_error("phr.toml:3:");
    assert!(run.stderr.contains(&w.config().display().to_string()), "{run:#?}");
}

#[test]
fn unknown_keys_and_unitless_durations_are_refused() {
    let w = World::new();
    std::fs::write(w.config(), "[jobs]\nmax_attempt = 3\n").unwrap();
    w.taskctl(&["list"]).code(78).one_line_error("phr.toml:2:1: unknown field `max_attempt`");
    std::fs::write(w.config(), "[worker]\npoll_interval = \"5\"\n").unwrap();
    w.taskctl(&["list"]).code(78).one_line_error("with a unit");
}

#[test]
fn a_named_config_file_must_exist() {
    let w = World::new();
    w.taskctl(&["--config", "/nonexistent/phr.toml", "list"]).code(66).one_line_error("/nonexistent/phr.toml");
}

#[test]
fn flags_override_the_environment() {
    let w = World::new();
    let other = w.path("other-data");
    w.taskctl(&["--data-dir", other.to_str().unwrap(), "add", "noop"]).ok();
    assert!(other.join("phr.db").exists());
    assert!(!w.data().join("phr.db").exists());
}

#[test]
fn data_dir_from_the_config_file() {
    let w = World::new();
    let dir = w.path("from-config");
    std::fs::write(w.config(), format!("data_dir = \"{}\"\n", dir.display())).unwrap();
    let out = w.command().env_remove("PHR_DATA_DIR").args(["add", "noop"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(dir.join("phr.db").exists());
}

#[test]
fn the_store_is_private() {
    let w = World::new();
    w.add(&["noop"]);
    let mode = |p: std::path::PathBuf| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(w.data()), 0o700);
    assert_eq!(mode(w.data().join("phr.db")), 0o600);
}

#[test]
fn the_example_config_parses() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/etc/phr.toml");
    let w = World::new();
    std::fs::copy(example, w.config()).unwrap();
    w.taskctl(&["list"]).ok();
}

#[test]
fn the_example_tasks_parse() {
    let w = World::new();
    std::fs::create_dir_all(w.path("tasks.d")).unwrap();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/etc/tasks.d")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), w.path("tasks.d").join(entry.file_name())).unwrap();
    }
    let status = w.taskctl(&["status", "--json"]).ok().json();
    let kinds: Vec<&str> = status["tasks"].as_array().unwrap().iter().map(|t| t["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["exec", "queue"], "one example task of each kind");
}
