//! The processes of a job whose worker is gone: found through the job id and data dir in
//! their environment, and stopped before the job is given back or removed, so it never runs
//! twice. (A later change records each run's process group with the job instead.)

use crate::process;
use nix::sys::signal::Signal;
use std::path::Path;
use std::time::{Duration, Instant};

/// Pids of the processes that carry `PHR_JOB_ID=id` and `PHR_DATA_DIR=data_dir` in their
/// environment: a job's handler and whatever it started, even after the worker is gone.
pub fn processes_of_job(id: i64, data_dir: &Path) -> Vec<i64> {
    let want_id = format!("PHR_JOB_ID={id}");
    let want_dir = format!("PHR_DATA_DIR={}", data_dir.display());
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i64>().ok())
        .filter(|&pid| pid != i64::from(std::process::id()))
        .filter(|pid| {
            let Ok(env) = std::fs::read(format!("/proc/{pid}/environ")) else { return false };
            let (mut has_id, mut has_dir) = (false, false);
            for v in env.split(|&b| b == 0) {
                has_id |= v == want_id.as_bytes();
                has_dir |= v == want_dir.as_bytes();
            }
            has_id && has_dir
        })
        .collect()
}

/// Stops every process of a job: SIGTERM to their process groups, then SIGKILL after `grace`.
/// Used by `rm --force` and when reclaiming a dead worker's jobs, so a job never runs twice.
pub fn stop_job_processes(id: i64, data_dir: &Path, grace: Duration) {
    let signal_all = |sig: Signal| {
        let pids = processes_of_job(id, data_dir);
        for &pid in &pids {
            let Some(p) = process::pid_from(pid) else { continue };
            let pgid = nix::unistd::getpgid(Some(p)).unwrap_or(p);
            process::signal_group(i64::from(pgid.as_raw()), sig);
            let _ = nix::sys::signal::kill(p, sig);
        }
        !pids.is_empty()
    };
    if !signal_all(Signal::SIGTERM) {
        return;
    }
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        if processes_of_job(id, data_dir).is_empty() {
            return;
        }
    }
    signal_all(Signal::SIGKILL);
}
