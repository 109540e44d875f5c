//! `taskctl`: parse, log to stderr, run, exit with a meaningful code. The work is in the library.

use phr_tasks::cli::{edge, taskctl::Taskctl};

fn main() {
    let cli: Taskctl = edge::parse_or_exit("taskctl");
    let style = match cli.command {
        phr_tasks::cli::taskctl::Command::Work(_) => phr_tasks::logging::Style::Worker,
        _ => phr_tasks::logging::Style::Command,
    };
    phr_tasks::logging::init("taskctl", style);
    std::process::exit(edge::finish("taskctl", phr_tasks::commands::taskctl(cli)));
}
