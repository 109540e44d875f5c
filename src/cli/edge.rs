//! The edge of every binary: clap errors become one-line usage errors (exit 64), library
//! errors become `prog: reason` with their sysexits code, a closed stdout pipe exits 0.

use crate::error::Error;
use crate::exit_codes;
use clap::error::ErrorKind;
use clap::Parser;

/// Parses the command line like clap does, but a usage error is one line and exits 64.
pub fn parse_or_exit<T: Parser>(prog: &str) -> T {
    match T::try_parse() {
        Ok(args) => args,
        Err(e) => usage_exit(prog, &e),
    }
}

/// [`parse_or_exit`] for a command built at run time (the `phr-KIND` binaries).
pub fn matches_or_exit(prog: &str, cmd: clap::Command) -> clap::ArgMatches {
    match cmd.try_get_matches() {
        Ok(m) => m,
        Err(e) => usage_exit(prog, &e),
    }
}

/// Prints help or version (exit 0), or a one-line usage error (exit 64).
pub fn usage_exit(prog: &str, e: &clap::Error) -> ! {
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
            eprintln!("{prog}: {} (see '{prog} --help')", first_line(&e.to_string()));
            std::process::exit(exit_codes::USAGE)
        }
    }
}

fn first_line(rendered: &str) -> String {
    let line = rendered.lines().find(|l| !l.trim().is_empty()).unwrap_or("bad usage");
    line.trim_start_matches("error: ").trim().to_string()
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
