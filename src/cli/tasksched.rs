//! `tasksched`: the scheduler daemon's command line.

use clap::Parser;
use std::path::PathBuf;

/// Start and supervise the phr-tasks task workers (one scheduler per data dir).
#[derive(Debug, Parser)]
#[command(name = "tasksched", version, about, long_about = None)]
#[command(after_help = "Without -f it becomes a daemon and logs to DATA_DIR/logs/tasksched.log.\n\
    Crontab line that keeps it running: * * * * * tasksched --ensure\n\
    Signals: SIGTERM/SIGINT stop every task and exit; SIGHUP reloads tasks.d and reopens the log.")]
pub struct Tasksched {
    /// Stay in the foreground and log to stderr (for systemd).
    #[arg(short = 'f', long)]
    pub foreground: bool,
    /// Start only if no scheduler runs for this data dir, and say nothing if one does (for cron).
    #[arg(long)]
    pub ensure: bool,
    /// Configuration file to read instead of the default one.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory (store, logs, run files).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Run the worker of one task (how the scheduler starts its workers).
    #[arg(long, value_name = "TASK", hide = true)]
    pub run_task: Option<String>,
    /// Set on the daemon's own process.
    #[arg(long = "daemon-child", hide = true)]
    pub daemon_child: bool,
}
