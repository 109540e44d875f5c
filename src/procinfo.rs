//! What Linux tells us about processes through /proc: a pid's start time (so a reused pid is
//! never taken for the process we recorded), and which processes belong to a job.

use crate::store::WorkerId;
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::path::Path;
use std::time::{Duration, Instant};

/// The start time of `pid` in clock ticks since boot (field 22 of /proc/PID/stat), if it is
/// running: a zombie (dead, not yet reaped) counts as gone.
pub fn start_time(pid: i64) -> Option<i64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may contain spaces and parentheses: fields restart after the last ')'.
    let mut fields = stat.get(stat.rfind(')')? + 2..)?.split(' ');
    if fields.next()? == "Z" {
        return None;
    }
    fields.nth(18)?.parse().ok()
}

/// This process's resident memory, from /proc/self/statm.
pub fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE).ok().flatten().unwrap_or(4096) as u64)
}

/// This process as a worker identity.
pub fn this_worker() -> WorkerId {
    let pid = i64::from(std::process::id());
    WorkerId { pid, start: start_time(pid).unwrap_or(0) }
}

/// Whether the recorded process is still the one running (same pid, same start time).
pub fn is_alive(worker: WorkerId) -> bool {
    worker.pid > 0 && start_time(worker.pid) == Some(worker.start)
}

/// Kills (SIGKILL) the process group recorded in a pidfile (`PID START`) and removes the file:
/// what a killed worker left running. The leader may be dead while the rest of its group lives
/// on; Linux never gives a pid still used as a group id to a new process, so the group is ours
/// unless the pid now belongs to another process (another start time).
pub fn kill_recorded_group(path: &Path) {
    if let Some(leader) = crate::sched::pidfile::read_worker(path) {
        let reused = start_time(leader.pid).is_some_and(|start| start != leader.start);
        if !reused && leader.pid > 1 {
            let _ = killpg(Pid::from_raw(leader.pid as i32), Signal::SIGKILL);
        }
    }
    let _ = std::fs::remove_file(path);
}

/// Pids of the processes that carry `PHR_JOB_ID=id` and `PHR_DATA_DIR=data_dir` in their
/// environment: a job's handler and whatever it started, even after the worker is gone.
pub fn processes_of_job(id: i64, data_dir: &Path) -> Vec<i32> {
    let want_id = format!("PHR_JOB_ID={id}");
    let want_dir = format!("PHR_DATA_DIR={}", data_dir.display());
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| pid as u32 != std::process::id())
        .filter(|pid| {
            let Ok(env) = std::fs::read(format!("/proc/{pid}/environ")) else { return false };
            let mut vars = env.split(|&b| b == 0);
            let (mut has_id, mut has_dir) = (false, false);
            for v in vars.by_ref() {
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
            let pgid = nix::unistd::getpgid(Some(Pid::from_raw(pid))).unwrap_or(Pid::from_raw(pid));
            let _ = killpg(pgid, sig);
            let _ = nix::sys::signal::kill(Pid::from_raw(pid), sig);
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
