//! Which code runs a job: a built-in kind registered in the library, or an executable found by
//! the job's handler location (`--file`) or in the configured handler dirs (like run-parts).

use crate::job::{Claimed, Outcome};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// What a built-in job kind receives.
pub struct JobContext<'a> {
    /// The job as claimed.
    pub job: &'a Claimed,
    /// The data dir, for kinds that work on the databox next to the queue.
    pub data_dir: &'a Path,
}

/// A job kind compiled into phr-tasks. Later kinds (subdef, ftp-push, …) add one line to [`BUILTINS`].
pub struct Builtin {
    /// The function name jobs use.
    pub name: &'static str,
    /// One line for `taskctl add --help` and error messages.
    pub summary: &'static str,
    /// Runs the job in the worker process.
    pub run: fn(&JobContext<'_>) -> Outcome,
}

/// The registry of built-in job kinds.
pub static BUILTINS: &[Builtin] =
    &[Builtin { name: "noop", summary: "does nothing and succeeds (tests, benchmarks)", run: |_| Outcome::Done }];

/// How a job's function resolved.
pub enum Handler {
    /// Runs in-process.
    Builtin(&'static Builtin),
    /// Runs as a child process.
    Program(PathBuf),
}

/// Resolves a job's function: `--file DIR/` (DIR/FUNCTION) or `--file PATH` first, then the
/// built-in kinds, then the handler dirs. The error says why nothing runnable was found.
pub fn resolve(function: &str, file: &str, handler_dirs: &[PathBuf]) -> Result<Handler, String> {
    if !file.is_empty() {
        let path = if file.ends_with('/') { Path::new(file).join(function) } else { PathBuf::from(file) };
        return check_executable(&path).map(|()| Handler::Program(path));
    }
    if let Some(builtin) = BUILTINS.iter().find(|b| b.name == function) {
        return Ok(Handler::Builtin(builtin));
    }
    for dir in handler_dirs {
        let path = dir.join(function);
        if path.exists() {
            return check_executable(&path).map(|()| Handler::Program(path));
        }
    }
    let dirs: Vec<String> = handler_dirs.iter().map(|d| d.display().to_string()).collect();
    Err(format!(
        "unknown function {function:?}: not a built-in kind and no handler in {}",
        if dirs.is_empty() { "(no handler dirs)".into() } else { dirs.join(", ") }
    ))
}

fn check_executable(path: &Path) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("handler {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("handler {} is not a regular file", path.display()));
    }
    if meta.permissions().mode() & 0o111 == 0 || nix::unistd::access(path, nix::unistd::AccessFlags::X_OK).is_err() {
        return Err(format!("handler {} is not executable", path.display()));
    }
    Ok(())
}
