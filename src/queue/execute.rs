//! Runs one claimed job with whatever its function resolves to. A job that cannot be run
//! (unknown function, handler not executable) fails with that reason; the worker goes on.

use crate::config::Settings;
use crate::handler::{self, Handler};
use crate::job::{Claimed, Outcome};
use crate::kinds::registry::JobContext;
use crate::runner::{self, RunSpec, Running};
use std::ffi::OsString;
use std::time::Duration;

/// Runs `job` to its end. `echo` copies a program's output to stdout (foreground runs).
pub fn execute(job: &Claimed, settings: &Settings, running: &Running, echo: bool) -> Outcome {
    if running.refuses_new() {
        return Outcome::Interrupted;
    }
    match handler::resolve(&job.function, &job.file, &settings.handler_dirs) {
        Err(reason) => Outcome::Failed { reason, exit_code: None },
        Ok(Handler::Builtin(builtin)) => (builtin.run)(&JobContext { job, data_dir: &settings.data_dir }),
        Ok(Handler::Kind(_, program, leading)) => {
            let mut argv: Vec<OsString> = leading.into_iter().map(OsString::from).collect();
            argv.extend(["--job".into(), job.id.to_string().into()]);
            if let Some(config) = &settings.config_path {
                argv.extend(["--config".into(), config.clone().into_os_string()]);
            }
            argv.extend(["--data-dir".into(), settings.data_dir.clone().into_os_string()]);
            run_handler(job, settings, running, echo, &program, Some(argv))
        }
        Ok(Handler::Program(program)) => run_handler(job, settings, running, echo, &program, None),
    }
}

/// Runs a program for the job: its args as argv, or `argv` instead.
fn run_handler(
    job: &Claimed,
    settings: &Settings,
    running: &Running,
    echo: bool,
    program: &std::path::Path,
    argv: Option<Vec<OsString>>,
) -> Outcome {
    let timeout = job.timeout_ms.map(|ms| Duration::from_millis(ms.max(0) as u64)).unwrap_or(settings.jobs.timeout);
    let spec = RunSpec {
        program,
        argv,
        data_dir: &settings.data_dir,
        log_path: settings.job_log(job.id),
        log_max_bytes: settings.jobs.log_max_bytes,
        timeout,
        kill_grace: settings.jobs.kill_grace,
        echo,
    };
    runner::run_program(job, &spec, running)
}
