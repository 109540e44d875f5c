#![allow(clippy::unwrap_used)]
//! The process module's promises, proved on real processes: a stopped group dies whole, even a
//! grandchild that ignores SIGTERM; waits time out and notice exits with or without a pidfd.

use super::*;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Starts `sh -c script` in its own group; the script prints pids it wants the test to see.
fn start(script: &str) -> (std::process::Child, Vec<i64>) {
    let mut child = group_command("sh").arg("-c").arg(script).stdout(Stdio::piped()).spawn().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let pids = line.split_whitespace().map(|p| p.parse().unwrap()).collect();
    (child, pids)
}

#[test]
fn stopping_a_group_kills_a_grandchild_that_ignores_sigterm() {
    let (mut child, pids) = start("trap '' TERM; sh -c 'trap \"\" TERM; sleep 60' & echo $!; wait");
    let grandchild = pids[0];
    assert!(start_time(grandchild).is_some());
    let t0 = Instant::now();
    let leader_exited = stop_group(i64::from(child.id()), Duration::from_millis(300));
    assert!(!leader_exited, "the leader ignores SIGTERM, so SIGKILL had to end it");
    assert!(t0.elapsed() >= Duration::from_millis(300));
    child.wait().unwrap();
    assert!(wait_exit(grandchild, Duration::from_secs(5)), "grandchild {grandchild} survived its group");
}

#[test]
fn a_group_that_obeys_sigterm_stops_within_the_grace() {
    let (mut child, pids) = start("sleep 60 & echo $!; wait");
    assert!(stop_group(i64::from(child.id()), Duration::from_secs(5)));
    assert!(!describe(child.wait().unwrap()).is_empty());
    assert!(wait_exit(pids[0], Duration::from_secs(5)));
}

#[test]
fn wait_times_out_then_sees_the_exit_with_and_without_a_pidfd() {
    for pidfd in [true, false] {
        let mut child = group_command("sleep").arg("0.3").spawn().unwrap();
        let pid = i64::from(child.id());
        let waited = |t| if pidfd { wait_exit(pid, t) } else { wait::wait_polling(pid, t) };
        assert!(!waited(Duration::from_millis(50)), "pidfd {pidfd}: returned before the exit");
        assert!(waited(Duration::from_secs(5)), "pidfd {pidfd}: missed the exit");
        child.wait().unwrap();
    }
}

#[test]
fn exits_and_signals_are_described() {
    let status = group_command("sh").args(["-c", "exit 3"]).status().unwrap();
    assert_eq!(describe(status), "exit status 3");
    let status = group_command("sh").args(["-c", "kill -KILL $$"]).status().unwrap();
    assert_eq!(describe(status), "killed by SIGKILL");
}

#[test]
fn recorded_numbers_that_cannot_name_another_process_are_refused() {
    for bad in [-1, 0, 1, 4_294_967_295, i64::MAX, i64::MIN] {
        assert!(pid_from(bad).is_none(), "{bad}");
        assert!(!signal_group(bad, nix::sys::signal::Signal::SIGCONT));
    }
    assert!(pid_from(i64::from(std::process::id())).is_some());
    assert!(!signal_group(i64::from(nix::unistd::getpgrp().as_raw()), nix::sys::signal::Signal::SIGCONT));
    assert!(is_alive(this_process()));
    assert!(!is_alive(ProcessId { pid: i64::from(std::process::id()), start: -5 }));
}

#[test]
fn signals_reach_the_listener() {
    let (tx, rx) = std::sync::mpsc::channel();
    on_signals(&[signal_hook::consts::SIGUSR2], move |sig| tx.send(sig).is_ok()).unwrap();
    nix::sys::signal::raise(nix::sys::signal::Signal::SIGUSR2).unwrap();
    assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), signal_hook::consts::SIGUSR2);
}

#[test]
fn a_timed_run_returns_the_exit_or_stops_the_whole_group_at_the_limit() {
    let mut quick = group_command("sh");
    quick.args(["-c", "exit 3"]);
    match run_timed(&mut quick, Duration::from_secs(10), Duration::from_millis(100)).unwrap() {
        Ran::Exited(status) => assert_eq!(status.code(), Some(3)),
        Ran::TimedOut => panic!("a quick exit timed out"),
    }
    let marker = std::env::temp_dir().join(format!("phr-run-timed-{}", std::process::id()));
    let mut slow = group_command("sh");
    slow.args(["-c", &format!("trap '' TERM; sleep 60 & echo $! > {}; wait", marker.display())]);
    let t0 = Instant::now();
    assert!(matches!(
        run_timed(&mut slow, Duration::from_millis(300), Duration::from_millis(100)).unwrap(),
        Ran::TimedOut
    ));
    assert!(t0.elapsed() < Duration::from_secs(10));
    let grandchild: i64 = std::fs::read_to_string(&marker).unwrap().trim().parse().unwrap();
    let _ = std::fs::remove_file(&marker);
    assert!(wait_exit(grandchild, Duration::from_secs(5)), "sleep {grandchild} outlived the time limit");
}

#[test]
fn a_pinned_signal_is_sent_only_when_the_pid_is_confirmed_once_pinned() {
    let mut child = group_command("sleep").arg("60").spawn().unwrap();
    let pid = i64::from(child.id());
    assert!(!signal_pinned(pid, nix::sys::signal::Signal::SIGTERM, || false));
    assert!(!wait_exit(pid, Duration::from_millis(100)), "not confirmed: not signalled");
    assert!(signal_pinned(pid, nix::sys::signal::Signal::SIGTERM, || true));
    assert!(describe(child.wait().unwrap()).contains("SIGTERM"));
    assert!(!signal_pinned(pid, nix::sys::signal::Signal::SIGTERM, || true), "a reaped pid is not signalled");
}
