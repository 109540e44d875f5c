//! One module per `taskctl` subcommand: each turns parsed arguments into calls on the store and
//! the queue, writes its output, and returns the exit code.

mod add;
mod batch;
mod health;
mod list;
mod log;
pub mod record;
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
use crate::error::{Error, Result};

/// Runs a parsed `taskctl` command line.
pub fn taskctl(cli: Taskctl) -> Result<i32> {
    let settings = Settings::load(cli.config.as_deref(), cli.data_dir.as_deref())?;
    settings.warn_if_data_dir_open();
    let result = command(&settings, cli.command).map_err(|e| match e {
        // Name the store in a failure met past opening it.
        Error::Store { path: None, kind, message } => Error::Store { path: Some(settings.db_path()), kind, message },
        other => other,
    });
    if let Err(e) = &result {
        if e.is_corrupt() {
            // So that writes refuse the store from now on, until it passes a check again.
            crate::store::mark_damaged(&settings.db_path(), &e.to_string());
        }
    }
    result
}

fn command(settings: &Settings, command: Command) -> Result<i32> {
    match command {
        Command::Add(args) => add::run(settings, args),
        Command::Rm(args) => remove::rm(settings, args),
        Command::Link(args) => list::link(settings, args),
        Command::List(args) => list::list(settings, args),
        Command::Show(args) => list::show(settings, args),
        Command::Run(args) => run::run(settings, args),
        Command::Purge(args) => remove::purge(settings, args),
        Command::Work(args) => work::run(settings, args),
        Command::Log(args) => log::run(settings, args),
        Command::New(args) => tasks::new(settings, args),
        Command::Start(args) => tasks::start(settings, args),
        Command::Stop(args) => tasks::stop(settings, args),
        Command::Restart(args) => tasks::restart(settings, args),
        Command::Reset(args) => tasks::reset(settings, args),
        Command::Status(args) => status::run(settings, args),
        Command::Pass(args) => tasks::pass(settings, args),
        Command::Check(args) => health::check(settings, args),
        Command::Backup(args) => health::backup(settings, args),
        Command::Reload => tasks::reload(settings),
    }
}

/// A buffered, locked stdout for commands that print data.
fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::new(std::io::stdout().lock())
}
