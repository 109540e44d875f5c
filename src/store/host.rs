//! Where a claim was made: this kernel boot and pid namespace. Liveness is read from the local
//! /proc, which only shows our own pid namespace; a worker of another container sharing the
//! data dir would look dead and have its live jobs taken back. So each claim records its host,
//! and a claim from another namespace on this boot is left alone (with a warning); one from
//! another boot is from before a reboot, and dead.

use crate::process::ProcessId;
use std::sync::{Mutex, OnceLock};

/// `BOOT_ID/pid:[INODE]` for this process, read once.
pub fn token() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(|| format!("{}/{}", boot_id(), pid_namespace()))
}

fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id").map(|s| s.trim().to_string()).unwrap_or_default()
}

fn pid_namespace() -> String {
    std::fs::read_link("/proc/self/ns/pid").map(|p| p.to_string_lossy().into_owned()).unwrap_or_default()
}

/// What can be known here about a claim's worker.
#[derive(Debug, PartialEq, Eq)]
pub enum Liveness {
    /// Same boot, same namespace (or an old claim with no host): ask /proc.
    Local,
    /// Claimed before this kernel booted: the worker is gone.
    Rebooted,
    /// Another pid namespace on this boot: its workers cannot be seen from here.
    Unknowable(String),
}

/// Judges a claim's recorded host against ours.
pub fn judge(host: Option<&str>) -> Liveness {
    let Some(host) = host.filter(|h| !h.is_empty()) else { return Liveness::Local };
    if host == token() {
        return Liveness::Local;
    }
    let boot = |t: &str| t.split('/').next().unwrap_or("").to_string();
    if boot(host) != boot(token()) {
        return Liveness::Rebooted;
    }
    Liveness::Unknowable(host.to_string())
}

/// Says once per worker that its jobs are left alone.
pub fn warn_once(worker: ProcessId, host: &str) {
    static WARNED: Mutex<Vec<ProcessId>> = Mutex::new(Vec::new());
    let mut warned = WARNED.lock().unwrap_or_else(|e| e.into_inner());
    if !warned.contains(&worker) {
        warned.push(worker);
        log::warn!(
            "worker pid {} holds jobs from another pid namespace ({host}): its liveness cannot be \
             seen from here, so its jobs are not taken back; run the workers of one data dir in one \
             container",
            worker.pid
        );
    }
}
