//! Running one handler as a child process: its own process group, no shell, stdin from
//! /dev/null, stdout and stderr into the job's size-capped log, a timeout that stops the whole
//! group (SIGTERM, grace, SIGKILL), and an exit status turned into an [`Outcome`].

use crate::job::{Claimed, Outcome};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::collections::HashMap;
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The handlers a worker has running, so a shutdown can stop them all.
#[derive(Default)]
pub struct Running {
    groups: Mutex<HashMap<i64, i32>>,
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
        let groups: Vec<i32> = self.lock().values().copied().collect();
        for &g in &groups {
            let _ = killpg(Pid::from_raw(g), Signal::SIGTERM);
        }
        let deadline = Instant::now() + grace;
        while !self.lock().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        for g in self.lock().values() {
            let _ = killpg(Pid::from_raw(*g), Signal::SIGKILL);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, i32>> {
        self.groups.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Everything a handler run needs besides the job.
pub struct RunSpec<'a> {
    pub program: &'a Path,
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
    let mut cmd = Command::new(spec.program);
    cmd.args(&job.args)
        .stdin(Stdio::null())
        .stdout(Stdio::from(writer.0))
        .stderr(Stdio::from(writer.1))
        .process_group(0)
        .env("PHR_JOB_ID", job.id.to_string())
        .env("PHR_JOB_ATTEMPT", job.attempt.to_string())
        .env("PHR_JOB_OBJECTS", objects.join(" "))
        .env("PHR_DATA_DIR", spec.data_dir);
    let spawned = cmd.spawn();
    drop(cmd); // closes our copies of the pipe's write end
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => return failed(format!("cannot run {}: {e}", spec.program.display()), None),
    };
    let header = crate::joblog::header(job);
    let copied = match crate::joblog::capture(reader, spec.log_path.clone(), header, spec.log_max_bytes, spec.echo) {
        Ok(c) => c,
        Err(e) => {
            let _ = killpg(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
            let _ = child.wait();
            return failed(format!("cannot start a thread for its log: {e}"), None);
        }
    };
    let pgid = child.id() as i32;
    running.lock().insert(job.id, pgid);
    let timed_out = if running.stopping.load(Ordering::SeqCst) {
        // stop_all may have looked at the running handlers just before this one was added.
        stop_group(pgid, spec.kill_grace);
        false
    } else {
        !wait_exit(pgid, spec.timeout)
    };
    if timed_out {
        stop_group(pgid, spec.kill_grace);
    }
    let status = child.wait();
    // Whatever the handler left behind in its group goes with it, so the pipe closes.
    let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
    running.lock().remove(&job.id);
    copied.finish();
    match status {
        Err(e) => failed(format!("cannot wait for handler: {e}"), None),
        Ok(_) if timed_out => failed(format!("timed out after {}", humantime::format_duration(spec.timeout)), None),
        Ok(s) => match (s.code(), s.signal()) {
            (Some(0), _) => Outcome::Done,
            (Some(75), _) => Outcome::NotFinished,
            (Some(code), _) => failed(format!("exit status {code}"), Some(code)),
            (None, Some(_)) if running.stopping.load(Ordering::SeqCst) => Outcome::Interrupted,
            (None, Some(sig)) => failed(format!("killed by signal {}", signal_name(sig)), None),
            (None, None) => failed("ended without a status".into(), None),
        },
    }
}

fn failed(reason: String, exit_code: Option<i32>) -> Outcome {
    Outcome::Failed { reason, exit_code }
}

/// Waits for the process to exit, up to `timeout`; true if it exited. Uses a pidfd, so the
/// wait costs no polling and no extra thread.
pub(crate) fn wait_exit(pid: i32, timeout: Duration) -> bool {
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1; no memory is passed.
    let raw = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if raw < 0 {
        return true; // no pidfd (old kernel): fall back to an unbounded wait
    }
    // SAFETY: the syscall returned a fresh fd that nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(raw as i32) };
    let deadline = Instant::now().checked_add(timeout); // None: no timeout at all
    loop {
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let wait = match left {
            None => PollTimeout::NONE,
            Some(l) => PollTimeout::try_from(l.as_millis().min(i32::MAX as u128) as i32).unwrap_or(PollTimeout::MAX),
        };
        let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, wait) {
            Ok(n) if n > 0 => return true,
            Ok(_) if left.is_some_and(|l| l.is_zero()) => return false,
            _ => continue,
        }
    }
}

/// SIGTERM to the group, SIGKILL after `grace` if its leader is still there.
pub(crate) fn stop_group(pgid: i32, grace: Duration) {
    let _ = killpg(Pid::from_raw(pgid), Signal::SIGTERM);
    if !wait_exit(pgid, grace) {
        let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
    }
}

fn signal_name(sig: i32) -> String {
    Signal::try_from(sig).map(|s| s.as_str().to_string()).unwrap_or_else(|_| format!("{sig}"))
}
