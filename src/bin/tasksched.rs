//! `tasksched`: parse, log, run the scheduler (or one task's worker). The work is in the library.

use phr_tasks::cli::{edge, tasksched::Tasksched};
use phr_tasks::logging::{self, Style};

fn main() {
    phr_tasks::media::backend::install_exiv2(); // archiving reads metadata (in tasksched: its workers)
    let cli: Tasksched = edge::parse_or_exit("tasksched");
    // The launcher that turns into a daemon stays as quiet as a command: cron mails its output.
    let long_running = cli.foreground || cli.daemon_child || cli.run_task.is_some();
    logging::init("tasksched", if long_running { Style::Daemon } else { Style::Command });
    std::process::exit(edge::finish("tasksched", phr_tasks::commands::tasksched(cli)));
}
