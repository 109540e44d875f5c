//! `phr-record`: parse, log to stderr, run, exit with a meaningful code. The work is in the library.

use phr_tasks::cli::{edge, record::RecordCli};

fn main() {
    let cli: RecordCli = edge::parse_or_exit("phr-record");
    phr_tasks::logging::init("phr-record", phr_tasks::logging::Style::Command);
    std::process::exit(edge::finish("phr-record", phr_tasks::commands::record::phr_record(cli)));
}
