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
    assert_eq!(kinds, vec!["exec", "archive", "queue", "subdef"], "the example tasks, by name");
}

/// Values that parse but would break things are refused at their line: a zero retry delay
/// spins, a zero poll interval burns a CPU, a zero timeout kills every run.
#[test]
fn every_setting_has_a_valid_range_checked_with_its_position() {
    let w = World::new();
    let cases = [
        ("[jobs]\nretry_backoff = \"0s\"\n", "phr.toml:2:17: jobs.retry_backoff: must be at least 10ms"),
        ("[jobs]\ntimeout = \"0s\"\n", "phr.toml:2:11: jobs.timeout: must be at least 1s"),
        ("[jobs]\nmax_attempts = 0\n", "phr.toml:2:16: jobs.max_attempts: must be at least 1"),
        ("[jobs]\nlog_max_bytes = 5\n", "jobs.log_max_bytes"),
        ("[worker]\npoll_interval = \"0s\"\n", "phr.toml:2:17: worker.poll_interval: must be at least 10ms"),
        ("[worker]\njobs = 0\n", "phr.toml:2:8: worker.jobs: must be from 1 to 256"),
        ("[worker]\njobs = 100000\n", "worker.jobs: must be from 1 to 256"),
        ("[scheduler]\nrestart_backoff_max = \"0s\"\n", "scheduler.restart_backoff_max"),
    ];
    for (config, error) in cases {
        std::fs::write(w.config(), config).unwrap();
        w.taskctl(&["list"]).code(78).one_line_error(error);
    }
    std::fs::write(w.config(), "").unwrap();
    w.taskctl(&["add", "noop", "--timeout", "0s"]).code(64).one_line_error("a timeout must be more than 0s");
    w.taskctl(&["work", "-j", "100000"]).code(64);
    w.task("q", "kind = \"queue\"\n[settings]\njobs = 0\n");
    w.taskctl(&["status"]).code(78).one_line_error("q.toml:3:8: settings.jobs: must be from 1 to 256, not 0");
    w.exec_task("e", "1m", "true", "");
    std::fs::write(
        w.path("tasks.d/e.toml"),
        "kind = \"exec\"\nperiod = \"1m\"\n[settings]\ncommand = [\"true\"]\ntimeout = \"0s\"\n",
    )
    .unwrap();
    w.task("q", "kind = \"queue\"\n");
    w.taskctl(&["status"]).code(78).one_line_error("e.toml:5:11: settings.timeout: must be more than 0s");
    w.task("e", "kind = \"exec\"\nperiod = \"1m\"\nmax_crashes = 0\n[settings]\ncommand = [\"true\"]\n");
    w.taskctl(&["status"]).code(78).one_line_error("e.toml:3:15: max_crashes: must be at least 1");
}

/// An empty data dir is refused (not taken for the current directory); a relative `data_dir` in
/// the config is relative to the config file's folder, wherever the command runs.
#[test]
fn empty_and_relative_data_dirs() {
    let w = World::new();
    let run = w.command().env("PHR_DATA_DIR", "").arg("list").current_dir(w.path("")).output().unwrap();
    assert_eq!(run.status.code(), Some(78), "{run:?}");
    assert!(String::from_utf8_lossy(&run.stderr).contains("PHR_DATA_DIR is empty"), "{run:?}");
    w.taskctl(&["--data-dir", "", "list"]).code(64).one_line_error("--data-dir");
    std::fs::write(w.config(), "data_dir = \"\"\n").unwrap();
    let run = w.command().env_remove("PHR_DATA_DIR").arg("list").output().unwrap();
    assert_eq!(run.status.code(), Some(78), "{run:?}");
    std::fs::write(w.config(), "data_dir = \"rel-data\"\n").unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let run =
        w.command().env_remove("PHR_DATA_DIR").args(["add", "noop"]).current_dir(elsewhere.path()).output().unwrap();
    assert!(run.status.success(), "{run:?}");
    assert!(w.path("rel-data/phr.db").exists(), "the store did not land next to the config");
    assert!(!elsewhere.path().join("rel-data").exists());
}
