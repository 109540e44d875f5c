//! One module per `taskctl` subcommand: each turns parsed arguments into calls on the store and
//! the queue, writes its output, and returns the exit code.

mod add;
mod batch;
mod list;
mod log;
mod remove;
mod run;
mod status;
mod tasks;
mod tasksched;
mod work;

pub use run::run_job;
pub use tasksched::tasksched;

use crate::cli::taskctl::{Command, Taskctl};
use crate::config::Settings;
use crate::error::Result;

/// Runs a parsed `taskctl` command line.
pub fn taskctl(cli: Taskctl) -> Result<i32> {
    let settings = Settings::load(cli.config.as_deref(), cli.data_dir.as_deref())?;
    settings.warn_if_data_dir_open();
    match cli.command {
        Command::Add(args) => add::run(&settings, args),
        Command::Rm(args) => remove::rm(&settings, args),
        Command::Link(args) => list::link(&settings, args),
        Command::List(args) => list::list(&settings, args),
        Command::Show(args) => list::show(&settings, args),
        Command::Run(args) => run::run(&settings, args),
        Command::Purge(args) => remove::purge(&settings, args),
        Command::Work(args) => work::run(&settings, args),
        Command::Log(args) => log::run(&settings, args),
        Command::New(args) => tasks::new(&settings, args),
        Command::Start(args) => tasks::start(&settings, args),
        Command::Stop(args) => tasks::stop(&settings, args),
        Command::Restart(args) => tasks::restart(&settings, args),
        Command::Reset(args) => tasks::reset(&settings, args),
        Command::Status(args) => status::run(&settings, args),
        Command::Pass(args) => tasks::pass(&settings, args),
        Command::Reload => tasks::reload(&settings),
    }
}

/// A buffered, locked stdout for commands that print data.
fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::new(std::io::stdout().lock())
}
