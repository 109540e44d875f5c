//! Pids as phr-tasks records them: with the pid's start time, so that a pid reused by another
//! process is never taken for the one recorded, and converted with checks, so that a corrupt
//! value never becomes `kill(-1)` (every process) or `kill(0)` (our own group).

use nix::unistd::Pid;

/// A process as recorded in the store or a pidfile: its pid and the pid's start time (clock
/// ticks since boot), which together name one process for the whole uptime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProcessId {
    pub pid: i64,
    pub start: i64,
}

/// The pid to signal for a recorded number, or `None` when the number cannot name another
/// process: 0, 1 (init), negative values and anything past `pid_t`.
pub fn pid_from(raw: i64) -> Option<Pid> {
    i32::try_from(raw).ok().filter(|&p| p > 1).map(Pid::from_raw)
}

/// The start time of `pid` (field 22 of /proc/PID/stat), if it is running: a zombie (dead, not
/// yet reaped) counts as gone.
pub fn start_time(pid: i64) -> Option<i64> {
    pid_from(pid)?;
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

/// This process, as it records itself (read once: it never changes).
pub fn this_process() -> ProcessId {
    static ME: std::sync::OnceLock<ProcessId> = std::sync::OnceLock::new();
    *ME.get_or_init(|| {
        let pid = i64::from(std::process::id());
        ProcessId { pid, start: start_time(pid).unwrap_or(0) }
    })
}

impl std::fmt::Display for ProcessId {
    /// `PID:START`, the form handlers find their worker by in `PHR_WORKER`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.pid, self.start)
    }
}

/// Whether the recorded process is still the one running (same pid, same start time).
pub fn is_alive(p: ProcessId) -> bool {
    start_time(p.pid) == Some(p.start)
}
