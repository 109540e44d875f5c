//! Where phr-tasks finds its configuration and data, and what the configuration may say.
//!
//! Layers, lowest first: built-in defaults, the TOML file, the environment (`PHR_CONFIG`,
//! `PHR_DATA_DIR`), the command line. Unknown keys are refused so that a typo in a config
//! file is an error (exit 78 with `file:line:col`) rather than a silently ignored setting.

mod text;

pub use text::{duration, error_at, line_col, optional_duration, parse_toml};

use crate::error::{Error, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The system-wide config file, used when running as root.
pub const SYSTEM_CONFIG: &str = "/etc/phr-tasks/phr.toml";
/// The system-wide data dir, used when running as root.
pub const SYSTEM_DATA_DIR: &str = "/var/lib/phr-tasks";

/// The TOML file as written by an admin; every field has a default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConfigFile {
    /// Where the store, logs and run files live.
    pub data_dir: Option<PathBuf>,
    /// How jobs are run.
    pub jobs: JobSettings,
    /// Where task definitions live (default: `tasks.d` next to the config file).
    pub tasks_dir: Option<PathBuf>,
    /// How `taskctl work` behaves.
    pub worker: WorkerSettings,
    /// How `tasksched` supervises task workers.
    pub scheduler: SchedulerSettings,
    /// The databox's fields (`[fields.NAME]`); default: a few common photo fields.
    pub fields: Option<std::collections::BTreeMap<String, crate::databox::FieldDef>>,
    /// Named status bits (`[status]`, `4 = "published"`).
    pub status: Option<std::collections::BTreeMap<String, String>>,
    /// The databox's collections (`[collections.NAME]`); default: `default` (id 1).
    pub collections: Option<std::collections::BTreeMap<String, crate::databox::CollectionDef>>,
}

/// Settings of `tasksched`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SchedulerSettings {
    /// On stop, how long a task's worker may take to finish its current item before SIGKILL.
    #[serde(with = "duration")]
    pub stop_grace: Duration,
    /// The longest wait before restarting a crashed worker (the wait doubles from 1 s).
    #[serde(with = "duration")]
    pub restart_backoff_max: Duration,
}

impl Default for SchedulerSettings {
    fn default() -> Self {
        SchedulerSettings { stop_grace: Duration::from_secs(30), restart_backoff_max: Duration::from_secs(60) }
    }
}

/// Defaults for every job, overridable per job at `taskctl add`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobSettings {
    /// Directories searched for an executable named after the job's function (like run-parts).
    pub handler_dirs: Option<Vec<PathBuf>>,
    /// Runs before a failing job is declared dead.
    pub max_attempts: u32,
    /// How long a handler may run before its process group is stopped.
    #[serde(with = "duration")]
    pub timeout: Duration,
    /// First retry delay; doubled at each further failure.
    #[serde(with = "duration")]
    pub retry_backoff: Duration,
    /// The retry delay never grows beyond this.
    #[serde(with = "duration")]
    pub retry_backoff_max: Duration,
    /// Time between SIGTERM and SIGKILL when a handler is stopped.
    #[serde(with = "duration")]
    pub kill_grace: Duration,
    /// A job's log stops growing at this size.
    pub log_max_bytes: u64,
}

impl Default for JobSettings {
    fn default() -> Self {
        JobSettings {
            handler_dirs: None,
            max_attempts: 5,
            timeout: Duration::from_secs(3600),
            retry_backoff: Duration::from_secs(1),
            retry_backoff_max: Duration::from_secs(3600),
            kill_grace: Duration::from_secs(5),
            log_max_bytes: 1 << 20,
        }
    }
}

/// Settings of `taskctl work`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkerSettings {
    /// Jobs run at once by one worker; defaults to the number of CPUs.
    pub jobs: Option<usize>,
    /// Longest sleep between two looks at the queue when nothing wakes the worker.
    #[serde(with = "duration")]
    pub poll_interval: Duration,
    /// On SIGTERM, how long running jobs may take to finish before they are stopped.
    #[serde(with = "duration")]
    pub stop_grace: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings { jobs: None, poll_interval: Duration::from_secs(1), stop_grace: Duration::from_secs(30) }
    }
}

/// The configuration once every layer is applied: what the commands actually use.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The config file that was read, if any.
    pub config_path: Option<PathBuf>,
    /// Where the store, logs and run files live.
    pub data_dir: PathBuf,
    /// Directories searched for job handlers.
    pub handler_dirs: Vec<PathBuf>,
    /// Job defaults.
    pub jobs: JobSettings,
    /// Worker settings.
    pub worker: WorkerSettings,
    /// Where task definitions (`NAME.toml`) live.
    pub tasks_dir: PathBuf,
    /// Scheduler settings.
    pub scheduler: SchedulerSettings,
    /// The databox's structure.
    pub structure: crate::databox::Structure,
}

impl Settings {
    /// Resolves and reads the configuration: `--config`, then `PHR_CONFIG`, then the system or
    /// XDG file. An explicitly named file must exist; the default one may be absent.
    pub fn load(config_flag: Option<&Path>, data_dir_flag: Option<&Path>) -> Result<Settings> {
        let explicit = config_flag.map(Path::to_path_buf).or_else(|| env_path("PHR_CONFIG"));
        let (config_path, file) = match explicit {
            Some(path) => {
                let file = read_config(&path)?;
                (Some(path), file)
            }
            None => {
                let path = default_config_path();
                match path.as_deref().filter(|p| p.exists()) {
                    Some(p) => (Some(p.to_path_buf()), read_config(p)?),
                    None => (None, ConfigFile::default()),
                }
            }
        };
        // Absolute paths: the daemon changes its directory to / and passes them to its workers.
        let config_path = config_path.map(|p| std::path::absolute(&p).unwrap_or(p));
        let data_dir = choose_data_dir(data_dir_flag, file.data_dir.as_deref(), config_path.as_deref())?;
        crate::trust::check(&data_dir)?; // as root, the store decides what runs
                                         // Canonical, since handlers are found again by the data dir in their environment.
        let data_dir = crate::trust::real_path(&data_dir);
        // A config that is no file (`/dev/null`, a pipe) has no folder of its own: not /dev.
        let config_dir = config_path
            .as_deref()
            .filter(|p| p.is_file())
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .or_else(default_config_dir);
        let handler_dirs =
            file.jobs.handler_dirs.clone().unwrap_or_else(|| config_dir.iter().map(|d| d.join("jobs.d")).collect());
        let tasks_dir = file
            .tasks_dir
            .clone()
            .or_else(|| config_dir.map(|d| d.join("tasks.d")))
            .ok_or_else(|| Error::Config("cannot tell where tasks.d is: set tasks_dir in the config".into()))?;
        let structure = file.structure()?;
        Ok(Settings {
            config_path,
            data_dir,
            handler_dirs,
            jobs: file.jobs,
            worker: file.worker,
            tasks_dir,
            scheduler: file.scheduler,
            structure,
        })
    }

    /// Warns (once per process) when the data dir is open to other users: they can read the
    /// job output and logs in it. Only said, not refused, as the admin may want it so.
    pub fn warn_if_data_dir_open(&self) {
        use std::os::unix::fs::PermissionsExt;
        static ONCE: std::sync::Once = std::sync::Once::new();
        let Ok(meta) = std::fs::metadata(&self.data_dir) else { return }; // created private later
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            let dir = self.data_dir.display();
            ONCE.call_once(|| {
                log::warn!("data dir {dir} is open to other users (mode {mode:04o}): they can read job output and logs; chmod 700 {dir}")
            });
        }
    }

    /// The SQLite file holding the queue (and, later, the databox).
    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("phr.db")
    }

    /// Where per-job logs go.
    pub fn job_log_dir(&self) -> PathBuf {
        self.data_dir.join("logs").join("jobs")
    }

    /// The log file of one job.
    pub fn job_log(&self, id: i64) -> PathBuf {
        self.job_log_dir().join(format!("{id}.log"))
    }

    /// Where idle workers listen for "a job was added" datagrams.
    pub fn wake_dir(&self) -> PathBuf {
        self.data_dir.join("run").join("wake")
    }

    /// Run files: pidfiles, locks, wake-up sockets.
    pub fn run_dir(&self) -> PathBuf {
        self.data_dir.join("run")
    }

    /// The scheduler's pidfile, locked (flock) for as long as it runs.
    pub fn scheduler_pidfile(&self) -> PathBuf {
        self.run_dir().join("tasksched.pid")
    }

    /// A task worker's pidfile (pid and start time), written by the scheduler.
    pub fn task_pidfile(&self, task: &str) -> PathBuf {
        self.run_dir().join("tasks").join(format!("{task}.pid"))
    }

    /// The process group of the command an `exec` pass is running (pid and start time), so
    /// that it can be stopped even if its worker is killed outright.
    pub fn task_cmdfile(&self, task: &str) -> PathBuf {
        self.run_dir().join("tasks").join(format!("{task}.cmd"))
    }

    /// Held (flock) by whatever runs a task's passes, so two never run at once.
    pub fn task_lock(&self, task: &str) -> PathBuf {
        self.run_dir().join("tasks").join(format!("{task}.lock"))
    }

    /// The scheduler's log when it runs as a daemon.
    pub fn scheduler_log(&self) -> PathBuf {
        self.data_dir.join("logs").join("tasksched.log")
    }

    /// A task's log: its worker's stdout and stderr.
    pub fn task_log(&self, task: &str) -> PathBuf {
        self.data_dir.join("logs").join("tasks").join(format!("{task}.log"))
    }

    /// The number of jobs a worker runs at once when `-j` is not given.
    pub fn default_parallelism(&self) -> usize {
        self.worker.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
    }
}

/// The data dir: `--data-dir`, `$PHR_DATA_DIR`, the config's `data_dir` (relative to the
/// config file's folder), then the default. An empty one is refused rather than taken for the
/// current directory, where the store would silently land.
fn choose_data_dir(flag: Option<&Path>, from_config: Option<&Path>, config_path: Option<&Path>) -> Result<PathBuf> {
    let empty = |what: &str| Error::Config(format!("{what} is empty: give the data dir's path"));
    if let Some(dir) = flag {
        return if dir.as_os_str().is_empty() { Err(empty("--data-dir")) } else { Ok(dir.to_path_buf()) };
    }
    match std::env::var_os("PHR_DATA_DIR") {
        Some(v) if v.is_empty() => return Err(empty("PHR_DATA_DIR")),
        Some(v) => return Ok(PathBuf::from(v)),
        None => {}
    }
    if let Some(dir) = from_config {
        let path = config_path.map_or_else(|| Path::new("the config").to_path_buf(), Path::to_path_buf);
        if dir.as_os_str().is_empty() {
            return Err(Error::Config(format!("{}: data_dir is empty: give the data dir's path", path.display())));
        }
        let base = config_path.and_then(Path::parent).unwrap_or(Path::new("/"));
        return Ok(base.join(dir));
    }
    default_data_dir()
        .ok_or_else(|| Error::Config("cannot tell where the data dir is: set PHR_DATA_DIR or --data-dir".into()))
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from)
}

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

fn default_config_dir() -> Option<PathBuf> {
    if is_root() {
        Some(PathBuf::from(SYSTEM_CONFIG).parent()?.to_path_buf())
    } else {
        dirs::config_dir().map(|d| d.join("phr-tasks"))
    }
}

fn default_config_path() -> Option<PathBuf> {
    default_config_dir().map(|d| d.join("phr.toml"))
}

fn default_data_dir() -> Option<PathBuf> {
    if is_root() {
        Some(PathBuf::from(SYSTEM_DATA_DIR))
    } else {
        dirs::data_dir().map(|d| d.join("phr-tasks"))
    }
}

/// Reads and parses one TOML config file, turning a parse error into `file:line:col: reason`.
/// As root, a file another user could change is refused: it names the dirs that run as root.
pub fn read_config(path: &Path) -> Result<ConfigFile> {
    if path != Path::new("/dev/null") {
        crate::trust::check(path)?; // /dev/null: "no config", as `--config /dev/null` says
    }
    let text = std::fs::read_to_string(path).map_err(|source| Error::NoInput { path: path.to_path_buf(), source })?;
    let file: ConfigFile = parse_toml(path, &text)?;
    file.check().map_err(|(keys, reason)| {
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        error_at(path, &text, &keys, reason)
    })?;
    Ok(file)
}

impl ConfigFile {
    /// Every setting's valid range: values that parse but would break things (a zero retry
    /// delay that spins, a zero poll interval that burns a CPU) are refused at their line.
    fn check(&self) -> std::result::Result<(), (Vec<String>, String)> {
        let ms = Duration::from_millis;
        let (j, w, s) = (&self.jobs, &self.worker, &self.scheduler);
        if j.max_attempts == 0 {
            return Err((keys(&["jobs", "max_attempts"]), "must be at least 1".into()));
        }
        at_least(&["jobs", "timeout"], j.timeout, ms(1000))?;
        at_least(&["jobs", "retry_backoff"], j.retry_backoff, ms(10))?;
        at_least(&["jobs", "retry_backoff_max"], j.retry_backoff_max, j.retry_backoff)?;
        if j.log_max_bytes < 256 {
            return Err((keys(&["jobs", "log_max_bytes"]), "must be at least 256 (a log's header line)".into()));
        }
        let max_jobs = crate::kinds::queue::MAX_JOBS;
        if w.jobs.is_some_and(|n| !(1..=max_jobs).contains(&n)) {
            return Err((keys(&["worker", "jobs"]), format!("must be from 1 to {max_jobs}")));
        }
        at_least(&["worker", "poll_interval"], w.poll_interval, ms(10))?;
        at_least(&["scheduler", "restart_backoff_max"], s.restart_backoff_max, ms(1000))?;
        self.structure_checked().map(drop)
    }

    fn structure_checked(&self) -> std::result::Result<crate::databox::Structure, (Vec<String>, String)> {
        crate::databox::Structure::from_config(self.fields.as_ref(), self.status.as_ref(), self.collections.as_ref())
    }

    /// The databox structure this file declares (checked by [`read_config`] already).
    fn structure(&self) -> Result<crate::databox::Structure> {
        self.structure_checked().map_err(|(keys, reason)| Error::Config(format!("{}: {reason}", keys.join("."))))
    }
}

fn at_least(path: &[&str], value: Duration, min: Duration) -> std::result::Result<(), (Vec<String>, String)> {
    if value < min {
        return Err((keys(path), format!("must be at least {}", humantime::format_duration(min))));
    }
    Ok(())
}

fn keys(path: &[&str]) -> Vec<String> {
    path.iter().map(|k| k.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_that_is_no_file_puts_tasks_in_the_default_folder_not_beside_it() {
        let data = std::env::temp_dir().join(format!("phr-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&data).expect("temp dir");
        let settings = Settings::load(Some(Path::new("/dev/null")), Some(&data));
        let _ = std::fs::remove_dir_all(&data);
        let settings = settings.expect("settings");
        assert_ne!(settings.tasks_dir, PathBuf::from("/dev/tasks.d"));
        assert_eq!(Some(settings.tasks_dir), default_config_dir().map(|d| d.join("tasks.d")));
    }
}
