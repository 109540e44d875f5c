//! `tasksched`: parse, log, run the scheduler (or one task's worker). The work is in the library.

use phr_tasks::cli::{edge, tasksched::Tasksched};

fn main() {
    let cli: Tasksched = edge::parse_or_exit("tasksched");
    phr_tasks::logging::init("tasksched", phr_tasks::logging::Style::Daemon);
    std::process::exit(edge::finish("tasksched", phr_tasks::commands::tasksched(cli)));
}
