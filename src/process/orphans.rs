//! Finding what a killed run left running. A helper program runs with its scratch folder as
//! working directory, and dies with its parent (`die_with_parent`); but what the helper started
//! in turn (a shell's children, a converter's own helpers) does not, and outlives a `kill -9`
//! of the run. Such orphans are found by that working directory, which no other process has:
//! the folder is private to the data dir's owner and named after the run's pid.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Sends SIGKILL to every process of this user whose working directory is `dir` or inside it;
/// returns how many were signalled. Called before a stale scratch folder is removed.
pub fn kill_working_in(dir: &Path) -> usize {
    let Ok(dir) = std::fs::canonicalize(dir) else { return 0 };
    let Ok(entries) = std::fs::read_dir("/proc") else { return 0 };
    let me = nix::unistd::geteuid().as_raw();
    let mut killed = 0;
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<i64>().ok()).and_then(super::pid_from) else {
            continue;
        };
        let ours = std::fs::metadata(entry.path()).is_ok_and(|m| m.uid() == me);
        let inside = std::fs::read_link(entry.path().join("cwd")).is_ok_and(|cwd| cwd.starts_with(&dir));
        if ours && inside && nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL).is_ok() {
            log::info!("killed process {pid}, left running in {} by a killed run", dir.display());
            killed += 1;
        }
    }
    killed
}
