//! The processes of a job run, found even after their worker is gone: every handler carries
//! `PHR_DATA_DIR`, `PHR_JOB_ID` and `PHR_WORKER` (the worker's pid and start time) in its
//! environment, and so does whatever it starts. A run is exactly (job, worker): a later run of
//! the same job by another worker is never taken for it.

use crate::process::{self, ProcessId};
use nix::sys::signal::Signal;
use std::path::Path;
use std::time::{Duration, Instant};

/// Which processes to look for.
#[derive(Debug, Clone, Copy)]
pub struct Runs<'a> {
    pub data_dir: &'a Path,
    /// Only this job's (any worker's, when `worker` is `None`).
    pub job: Option<i64>,
    /// Only those started by this worker.
    pub worker: Option<ProcessId>,
}

impl Runs<'_> {
    /// Pids of the live processes that match, other than this process.
    pub fn pids(&self) -> Vec<i64> {
        let want_dir = format!("PHR_DATA_DIR={}", self.data_dir.display());
        let want_job = self.job.map(|id| format!("PHR_JOB_ID={id}"));
        let want_worker = self.worker.map(|w| format!("PHR_WORKER={w}"));
        let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
        entries
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i64>().ok())
            .filter(|&pid| pid != i64::from(std::process::id()))
            .filter(|pid| {
                let Ok(env) = std::fs::read(format!("/proc/{pid}/environ")) else { return false };
                let has = |want: &str| env.split(|&b| b == 0).any(|v| v == want.as_bytes());
                has(&want_dir)
                    && want_job.as_deref().is_none_or(has)
                    && want_worker.as_deref().is_none_or(has)
                    && (want_job.is_some() || want_worker.is_some())
            })
            .collect()
    }

    /// Stops every matching process: SIGTERM to their process groups, then SIGKILL to those
    /// left after `grace`. Used by `rm --force`, when taking back a dead worker's jobs, and when
    /// the scheduler stops a worker whose handlers may have left its process group.
    pub fn stop(&self, grace: Duration) {
        if !self.signal(Signal::SIGTERM) {
            return;
        }
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            if self.pids().is_empty() {
                return;
            }
        }
        self.signal(Signal::SIGKILL);
    }

    fn signal(&self, sig: Signal) -> bool {
        let pids = self.pids();
        for &pid in &pids {
            let Some(p) = process::pid_from(pid) else { continue };
            // Never our own group: a match that shares it (started without a group of its own)
            // is signalled alone.
            if let Ok(pgid) = nix::unistd::getpgid(Some(p)).map(|g| g.as_raw()) {
                if pgid != nix::unistd::getpgrp().as_raw() {
                    process::signal_group(i64::from(pgid), sig);
                }
            }
            let _ = nix::sys::signal::kill(p, sig);
        }
        !pids.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A dead worker's run of job 7 is found; another worker's later run of the same job is not.
    #[test]
    fn a_run_is_the_job_and_its_worker() {
        let dir = tempfile::tempdir().unwrap();
        let start = |worker: &str| {
            crate::process::group_command("sleep")
                .arg("30")
                .env("PHR_DATA_DIR", dir.path())
                .env("PHR_JOB_ID", "7")
                .env("PHR_WORKER", worker)
                .spawn()
                .unwrap()
        };
        let (mut dead_run, mut fresh_run) = (start("100:5"), start("200:9"));
        let dead = ProcessId { pid: 100, start: 5 };
        let runs = Runs { data_dir: dir.path(), job: Some(7), worker: Some(dead) };
        assert_eq!(runs.pids(), vec![i64::from(dead_run.id())]);
        runs.stop(Duration::from_secs(1));
        dead_run.wait().unwrap();
        assert!(process::start_time(i64::from(fresh_run.id())).is_some(), "the fresh run was stopped too");
        let other_job = Runs { data_dir: dir.path(), job: Some(8), worker: None };
        assert!(other_job.pids().is_empty());
        fresh_run.kill().unwrap();
        fresh_run.wait().unwrap();
    }
}
