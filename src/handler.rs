//! Which code runs a job: a job function in the registry (run in the worker, or as a kind's
//! `phr-KIND --job ID` in a process of its own), or an executable found by the job's handler
//! location (`--file`) or in the configured handler dirs (like run-parts).

use crate::kinds::registry::{self, Builtin, JobFunction};
use crate::kinds::AnyKind;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// How a job's function resolved.
pub enum Handler {
    /// Runs in the worker process.
    Builtin(&'static Builtin),
    /// A task kind's job, run as `phr-KIND --job ID`: its program and leading arguments.
    Kind(&'static dyn AnyKind, PathBuf, Vec<String>),
    /// Runs as a child process with the job's args.
    Program(PathBuf),
}

/// Resolves a job's function: `--file DIR/` (DIR/FUNCTION) or `--file PATH` first, then the
/// registry, then the handler dirs. The error says why nothing runnable was found.
pub fn resolve(function: &str, file: &str, handler_dirs: &[PathBuf]) -> Result<Handler, String> {
    if !file.is_empty() {
        let path = if file.ends_with('/') { Path::new(file).join(function) } else { PathBuf::from(file) };
        return check_executable(&path).map(|()| Handler::Program(path));
    }
    match registry::job_function(function) {
        Some(JobFunction::InProcess(builtin)) => return Ok(Handler::Builtin(builtin)),
        Some(JobFunction::Isolated(kind)) => {
            let mut invoked = kind.invoked_as();
            let program = kind_binary(&invoked.remove(0));
            return Ok(Handler::Kind(kind, program, invoked));
        }
        None => {}
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

/// A kind's program (`phr-exec`) next to the running one (how they are installed together),
/// else on PATH.
pub fn kind_binary(name: &str) -> PathBuf {
    let sibling = std::env::current_exe().ok().and_then(|p| p.parent().map(|d| d.join(name)));
    sibling.filter(|p| p.exists()).unwrap_or_else(|| PathBuf::from(name))
}

/// A runnable handler: a regular executable file that, as root, no other user can change
/// (nor its dir, `jobs.d/` or wherever `--file` points): else what they wrote would run as root.
fn check_executable(path: &Path) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("handler {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("handler {} is not a regular file", path.display()));
    }
    if meta.permissions().mode() & 0o111 == 0 || nix::unistd::access(path, nix::unistd::AccessFlags::X_OK).is_err() {
        return Err(format!("handler {} is not executable", path.display()));
    }
    crate::trust::check(path).map_err(|e| format!("handler {}: {e}", path.display()))
}
