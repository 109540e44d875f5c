//! A temp phr-tasks world per test: data dir, config, handler dir, and helpers to run
//! `taskctl` in it. Failures print the command, its exit status, stdout and stderr.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const TASKCTL: &str = env!("CARGO_BIN_EXE_taskctl");
pub const TASKSCHED: &str = env!("CARGO_BIN_EXE_tasksched");
pub const PHR_EXEC: &str = env!("CARGO_BIN_EXE_phr-exec");

pub struct World {
    pub dir: tempfile::TempDir,
}

/// What one run of a command gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// The command line, shown by {:#?} when an assertion fails.
    pub what: String,
}

impl Run {
    fn from(what: String, out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            what,
        }
    }

    /// Asserts the exit code, showing everything on failure.
    pub fn code(self, want: i32) -> Run {
        assert_eq!(self.code, want, "{self:#?}");
        self
    }

    pub fn ok(self) -> Run {
        self.code(0)
    }

    /// Asserts stderr is exactly one line naming the program, and contains `needle`.
    pub fn one_line_error(self, needle: &str) -> Run {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "want one stderr line: {self:#?}");
        let mut words = self.what.split(' ');
        let prog = words.next().unwrap_or("taskctl");
        // `taskctl pass` runs the pass in the kind's own program, which names itself; a program
        // with subcommands names the one it runs (`phr-meta write: …`).
        let delegated = self.what.starts_with("taskctl pass ") && lines[0].starts_with("phr-");
        let subcommand = words.next().is_some_and(|sub| lines[0].starts_with(&format!("{prog} {sub}: ")));
        assert!(lines[0].starts_with(&format!("{prog}: ")) || delegated || subcommand, "{self:#?}");
        assert!(lines[0].contains(needle), "want {needle:?} in stderr: {self:#?}");
        assert!(!self.stderr.contains("panicked"), "{self:#?}");
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {self:#?}"))
    }
}

impl World {
    pub fn new() -> World {
        World::with_config("")
    }

    /// A world whose config file has the test defaults plus `extra` TOML appended to `[jobs]`.
    pub fn with_config(extra_jobs: &str) -> World {
        let dir = tempfile::tempdir().expect("tempdir");
        let w = World { dir };
        std::fs::create_dir_all(w.handlers()).expect("jobs.d");
        let config = format!(
            "[jobs]\nhandler_dirs = [\"{}\"]\nretry_backoff = \"50ms\"\nkill_grace = \"500ms\"\n{extra_jobs}\n\n[worker]\npoll_interval = \"200ms\"\nstop_grace = \"5s\"\n\n[scheduler]\nstop_grace = \"3s\"\nrestart_backoff_max = \"1s\"\n",
            w.handlers().display()
        );
        std::fs::write(w.config(), config).expect("config");
        w
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn data(&self) -> PathBuf {
        self.path("data")
    }

    pub fn config(&self) -> PathBuf {
        self.path("phr.toml")
    }

    pub fn handlers(&self) -> PathBuf {
        self.path("jobs.d")
    }

    /// A `taskctl` command in this world (config and data dir set through the environment).
    pub fn command(&self) -> Command {
        self.program(TASKCTL)
    }

    /// `program` (another of our binaries) with this world's config and data dir.
    pub fn program_command(&self, program: &str) -> Command {
        self.program(program)
    }

    /// `program` with this world's config and data dir in its environment, and no RUST_LOG.
    fn program(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("PHR_CONFIG", self.config())
            .env("PHR_DATA_DIR", self.data())
            .env_remove("RUST_LOG")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `program` (a `phr-KIND` binary) in this world.
    pub fn phr(&self, program: &str, args: &[&str]) -> Run {
        let out = self.program(program).args(args).output().expect("run phr binary");
        let name = std::path::Path::new(program).file_name().unwrap_or_default().to_string_lossy().into_owned();
        Run::from(format!("{name} {}", args.join(" ")), out)
    }

    pub fn taskctl(&self, args: &[&str]) -> Run {
        let out = self.command().args(args).output().expect("run taskctl");
        Run::from(format!("taskctl {}", args.join(" ")), out)
    }

    pub fn taskctl_stdin(&self, args: &[&str], input: &str) -> Run {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
        let out = child.wait_with_output().expect("wait");
        Run::from(format!("taskctl {} < input", args.join(" ")), out)
    }

    /// A worker in the background.
    pub fn spawn_worker(&self, args: &[&str]) -> Child {
        self.command().arg("work").args(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn worker")
    }

    /// Writes an executable shell handler named `name` into the handler dir.
    pub fn handler(&self, name: &str, body: &str) -> PathBuf {
        let path = self.handlers().join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write handler");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path
    }

    /// Adds a job and returns its id.
    pub fn add(&self, args: &[&str]) -> i64 {
        let mut full = vec!["add"];
        full.extend_from_slice(args);
        let run = self.taskctl(&full).ok();
        run.stdout.trim().parse().unwrap_or_else(|_| panic!("no id: {run:#?}"))
    }

    pub fn job(&self, id: i64) -> serde_json::Value {
        self.taskctl(&["show", &id.to_string(), "--json"]).ok().json()
    }

    pub fn jobs(&self) -> Vec<serde_json::Value> {
        self.taskctl(&["list", "--json"]).ok().json()["jobs"].as_array().expect("jobs array").clone()
    }

    pub fn status_of(&self, id: i64) -> String {
        self.job(id)["status"].as_str().expect("status").to_string()
    }

    /// Runs `taskctl work --until-empty` to its end.
    pub fn drain(&self, jobs: &str) -> Run {
        self.taskctl(&["work", "-j", jobs, "--until-empty"]).ok()
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    /// Writes `tasks.d/NAME.toml`.
    pub fn task(&self, name: &str, toml: &str) {
        std::fs::create_dir_all(self.path("tasks.d")).expect("tasks.d");
        std::fs::write(self.path("tasks.d").join(format!("{name}.toml")), toml).expect("task file");
    }

    /// An `exec` task running `sh -c SCRIPT` every `period`.
    pub fn exec_task(&self, name: &str, period: &str, script: &str, extra: &str) {
        let script = script.replace('\\', "\\\\").replace('"', "\\\"");
        self.task(name, &format!("kind = \"exec\"\nperiod = \"{period}\"\n{extra}\n[settings]\ncommand = [\"sh\", \"-c\", \"{script}\"]\n"));
    }

    /// A `tasksched` command in this world.
    pub fn tasksched(&self) -> Command {
        self.program(TASKSCHED)
    }

    /// Starts `tasksched -f` as our child and waits until it holds its pidfile.
    pub fn spawn_sched(&self) -> Child {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(self.path("sched.stderr")).expect("log");
        let child = self.tasksched().arg("-f").stdout(Stdio::null()).stderr(log).spawn().expect("spawn tasksched");
        wait_for(10, "scheduler running", || self.status()["scheduler"]["running"] == true);
        child
    }

    pub fn status(&self) -> serde_json::Value {
        self.taskctl(&["status", "--json"]).ok().json()
    }

    /// The status of one task, as JSON.
    pub fn task_status(&self, name: &str) -> serde_json::Value {
        let status = self.status();
        status["tasks"].as_array().expect("tasks").iter().find(|t| t["name"] == name).cloned().expect("task in status")
    }

    pub fn task_state(&self, name: &str) -> String {
        self.task_status(name)["state"].as_str().expect("state").to_string()
    }

    /// Live processes started for this world (their command line or environment names its
    /// directory), other than the test itself.
    pub fn our_processes(&self) -> Vec<i32> {
        let me = std::process::id() as i32;
        let marker = self.dir.path().to_string_lossy().into_owned();
        let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
        entries
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
            .filter(|&pid| pid != me && process_alive(pid))
            .filter(|pid| {
                let read = |what: &str| std::fs::read(format!("/proc/{pid}/{what}")).unwrap_or_default();
                let has = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).contains(&marker);
                has(read("cmdline")) || has(read("environ"))
            })
            .collect()
    }

    /// Asserts that nothing of ours is left running (waiting a little for exits in progress).
    pub fn assert_no_processes_left(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && !self.our_processes().is_empty() {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(self.our_processes().is_empty(), "left running: {:?}", self.our_processes());
    }
}

impl Drop for World {
    /// Whatever a failed test left running is killed, so it cannot disturb other tests.
    fn drop(&mut self) {
        for pid in self.our_processes() {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
        }
    }
}

/// Polls `cond` every 20 ms for up to `secs` seconds.
pub fn wait_for(secs: u64, what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if cond() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out waiting for {what}");
}

/// Whether a process exists (and is not a zombie).
pub fn process_alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'),
        Err(_) => false,
    }
}

/// Runs exiftool with `args`; fails the test, saying how to install it, when it is missing.
pub fn exiftool(args: &[&str]) -> String {
    let out = Command::new("exiftool").args(args).output().unwrap_or_else(|e| {
        panic!("exiftool cannot be run ({e}): run scripts/setup to install libimage-exiftool-perl")
    });
    assert!(out.status.success(), "exiftool {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Writes metadata into `file` with exiftool (`-TAG=VALUE` arguments).
pub fn write_tags(file: &std::path::Path, tags: &[&str]) {
    let mut args = vec!["-q", "-q", "-overwrite_original"];
    args.extend_from_slice(tags);
    args.push(file.to_str().unwrap());
    exiftool(&args);
}

/// A small JPEG, different for each `seed` (so its checksum is its own).
pub fn jpeg(path: &std::path::Path, seed: u8) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 ^ seed, y as u8, seed]));
    img.save_with_format(path, image::ImageFormat::Jpeg).unwrap();
}
