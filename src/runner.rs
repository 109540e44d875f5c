//! Running one handler as a child process: its own process group, no shell, stdin from
//! /dev/null, stdout and stderr into the job's size-capped log, a timeout that stops the whole
//! group (SIGTERM, grace, SIGKILL), and an exit status turned into an [`Outcome`].

use crate::job::{Claimed, Outcome};
use crate::process;
use nix::sys::signal::Signal;
use std::collections::HashMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The handlers a worker has running, so a shutdown can stop them all.
#[derive(Default)]
pub struct Running {
    groups: Mutex<HashMap<i64, i64>>,
    /// No new job starts (claimed ones end `Interrupted`); running ones may finish.
    draining: AtomicBool,
    /// Running handlers are being stopped.
    stopping: AtomicBool,
}

impl Running {
    /// Lets running handlers finish but starts no other job.
    pub fn drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// Whether a claimed job should be given back instead of started.
    pub fn refuses_new(&self) -> bool {
        self.draining.load(Ordering::SeqCst) || self.stopping.load(Ordering::SeqCst)
    }

    /// Stops every running handler's process group; their jobs end [`Outcome::Interrupted`].
    pub fn stop_all(&self, grace: Duration) {
        self.draining.store(true, Ordering::SeqCst);
        self.stopping.store(true, Ordering::SeqCst);
        let groups: Vec<i64> = self.lock().values().copied().collect();
        for &g in &groups {
            process::signal_group(g, Signal::SIGTERM);
        }
        let deadline = Instant::now() + grace;
        while !self.lock().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        for &g in self.lock().values() {
            process::kill_group(g);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, i64>> {
        self.groups.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Everything a handler run needs besides the job.
pub struct RunSpec<'a> {
    pub program: &'a Path,
    /// The program's argv instead of the job's args (a kind's `--job ID`).
    pub argv: Option<Vec<std::ffi::OsString>>,
    pub data_dir: &'a Path,
    pub log_path: PathBuf,
    pub log_max_bytes: u64,
    pub timeout: Duration,
    pub kill_grace: Duration,
    /// Also copy the handler's output to our stdout (`taskctl run`, in the foreground).
    pub echo: bool,
}

/// Runs the job's handler to its end and says how it ended.
pub fn run_program(job: &Claimed, spec: &RunSpec<'_>, running: &Running) -> Outcome {
    if running.refuses_new() {
        return Outcome::Interrupted;
    }
    let (reader, writer) = match std::io::pipe().and_then(|(r, w)| Ok((r, w.try_clone()?, w))) {
        Ok((r, w1, w2)) => (r, (w1, w2)),
        Err(e) => return failed(format!("cannot create a pipe: {e}"), None),
    };
    let objects: Vec<String> = job.objects.iter().map(ToString::to_string).collect();
    let mut cmd = process::group_command(spec.program);
    match &spec.argv {
        Some(argv) => cmd.args(argv),
        None => cmd.args(&job.args),
    };
    cmd.stdout(Stdio::from(writer.0))
        .stderr(Stdio::from(writer.1))
        .env("PHR_JOB_ID", job.id.to_string())
        .env("PHR_JOB_ATTEMPT", job.attempt.to_string())
        .env("PHR_JOB_OBJECTS", objects.join(" "))
        .env("PHR_DATA_DIR", spec.data_dir)
        .env("PHR_WORKER", process::this_process().to_string());
    let spawned = cmd.spawn();
    drop(cmd); // closes our copies of the pipe's write end
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) if e.raw_os_error() == Some(libc::E2BIG) || e.kind() == std::io::ErrorKind::InvalidInput => {
            return Outcome::Unrunnable { reason: format!("cannot run {}: {e}", spec.program.display()) };
        }
        Err(e) => return failed(format!("cannot run {}: {e}", spec.program.display()), None),
    };
    let header = crate::joblog::header(job);
    let copied = match crate::joblog::capture(reader, spec.log_path.clone(), header, spec.log_max_bytes, spec.echo) {
        Ok(c) => c,
        Err(e) => {
            process::kill_group(i64::from(child.id()));
            let _ = child.wait();
            return failed(format!("cannot start a thread for its log: {e}"), None);
        }
    };
    let pgid = i64::from(child.id());
    running.lock().insert(job.id, pgid);
    let timed_out = if running.stopping.load(Ordering::SeqCst) {
        // stop_all may have looked at the running handlers just before this one was added.
        process::stop_group(pgid, spec.kill_grace);
        false
    } else {
        !process::wait_exit(pgid, spec.timeout)
    };
    if timed_out {
        process::stop_group(pgid, spec.kill_grace);
    }
    let status = child.wait();
    // Whatever the handler left behind in its group goes with it, so the pipe closes.
    process::kill_group(pgid);
    running.lock().remove(&job.id);
    copied.finish();
    match status {
        Err(e) => failed(format!("cannot wait for handler: {e}"), None),
        Ok(_) if timed_out => failed(format!("timed out after {}", humantime::format_duration(spec.timeout)), None),
        Ok(s) => match (s.code(), s.signal()) {
            (Some(0), _) => Outcome::Done,
            // Any other end after we asked the handler to stop is our doing, not the job's.
            (_, _) if running.stopping.load(Ordering::SeqCst) => Outcome::Interrupted,
            (Some(75), _) => Outcome::NotFinished,
            (Some(code), _) => failed(format!("exit status {code}"), Some(code)),
            (None, Some(sig)) => failed(format!("killed by signal {}", process::signal_name(sig)), None),
            (None, None) => failed("ended without a status".into(), None),
        },
    }
}

fn failed(reason: String, exit_code: Option<i32>) -> Outcome {
    Outcome::Failed { reason, exit_code }
}
