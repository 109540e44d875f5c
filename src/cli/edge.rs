//! The edge of every binary: clap errors become one-line usage errors (exit 64), library
//! errors become `prog: reason` with their sysexits code, a closed stdout pipe exits 0.

use crate::error::Error;
use crate::exit_codes;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Command, Parser};

/// Parses the command line like clap does, but a usage error is one line and exits 64.
pub fn parse_or_exit<T: Parser>(prog: &str) -> T {
    match T::try_parse() {
        Ok(args) => args,
        Err(e) => usage_exit(prog, &T::command(), &e),
    }
}

/// Prints help or version (exit 0), or a one-line usage error (exit 64).
pub fn usage_exit(prog: &str, cmd: &Command, e: &clap::Error) -> ! {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            std::process::exit(exit_codes::OK)
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            std::process::exit(exit_codes::USAGE)
        }
        _ => {
            let args: Vec<String> = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
            eprintln!("{}", usage_error(prog, cmd, e, &args));
            std::process::exit(exit_codes::USAGE)
        }
    }
}

/// The one line a usage error prints: what is wrong, complete (clap's own rendering puts lists
/// of missing arguments and allowed values on later lines), and the help of the subcommand that
/// was being parsed, where the fix is described, rather than the program's.
pub fn usage_error(prog: &str, cmd: &Command, e: &clap::Error, args: &[String]) -> String {
    let strings = |kind: ContextKind| match e.get(kind) {
        Some(ContextValue::Strings(v)) if !v.is_empty() => Some(v.join(", ")),
        Some(ContextValue::String(v)) => Some(v.clone()),
        _ => None,
    };
    let reason = match e.kind() {
        ErrorKind::MissingRequiredArgument => match strings(ContextKind::InvalidArg) {
            Some(missing) if missing.contains(", ") => format!("missing required arguments: {missing}"),
            Some(missing) => format!("missing required argument: {missing}"),
            None => first_line(&e.to_string()),
        },
        ErrorKind::InvalidValue => match strings(ContextKind::ValidValue) {
            Some(valid) => format!("{}; possible values: {valid}", first_line(&e.to_string())),
            None => first_line(&e.to_string()),
        },
        _ => first_line(&e.to_string()),
    };
    format!("{prog}: {reason} (see '{} --help')", subcommand_path(prog, cmd, args))
}

/// `prog sub…`: the subcommands named on the command line, followed from the top.
fn subcommand_path(prog: &str, cmd: &Command, args: &[String]) -> String {
    let mut path = prog.to_string();
    let mut current = cmd;
    for arg in args {
        if arg == "--" || !current.has_subcommands() {
            break;
        }
        if let Some(sub) = current.find_subcommand(arg) {
            path.push(' ');
            path.push_str(sub.get_name());
            current = sub;
        }
    }
    path
}

fn first_line(rendered: &str) -> String {
    let line = rendered.lines().find(|l| !l.trim().is_empty()).unwrap_or("bad usage");
    line.trim_start_matches("error: ").trim().trim_end_matches(':').to_string()
}

/// Turns the result of a command into the process exit code, printing the error if any.
pub fn finish(prog: &str, result: Result<i32, Error>) -> i32 {
    match result {
        Ok(code) => code,
        Err(e) if e.is_broken_pipe() => exit_codes::OK,
        Err(e) => {
            eprintln!("{prog}: {e}");
            e.exit_code()
        }
    }
}
