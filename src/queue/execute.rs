//! Runs one claimed job with whatever its function resolves to. A job that cannot be run
//! (unknown function, handler not executable) fails with that reason; the worker goes on.

use crate::config::Settings;
use crate::handler::{self, Handler, JobContext};
use crate::job::{Claimed, Outcome};
use crate::runner::{self, RunSpec, Running};
use std::time::Duration;

/// Runs `job` to its end. `echo` copies a program's output to stdout (foreground runs).
pub fn execute(job: &Claimed, settings: &Settings, running: &Running, echo: bool) -> Outcome {
    if running.refuses_new() {
        return Outcome::Interrupted;
    }
    match handler::resolve(&job.function, &job.file, &settings.handler_dirs) {
        Err(reason) => Outcome::Failed { reason, exit_code: None },
        Ok(Handler::Builtin(builtin)) => (builtin.run)(&JobContext { job, data_dir: &settings.data_dir }),
        Ok(Handler::Program(program)) => {
            let timeout =
                job.timeout_ms.map(|ms| Duration::from_millis(ms.max(0) as u64)).unwrap_or(settings.jobs.timeout);
            let spec = RunSpec {
                program: &program,
                data_dir: &settings.data_dir,
                log_path: settings.job_log(job.id),
                log_max_bytes: settings.jobs.log_max_bytes,
                timeout,
                kill_grace: settings.jobs.kill_grace,
                echo,
            };
            runner::run_program(job, &spec, running)
        }
    }
}
