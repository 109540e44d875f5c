//! `taskctl run ID`: SPIP's "execute now", in the foreground, with the handler's output on
//! stdout as well as in the job's log. The run is recorded like any worker's.

use crate::cli::taskctl::RunArgs;
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::exit_codes;
use crate::job::{Finished, Outcome};
use crate::process;
use crate::queue::{self, worker::retry_policy};
use crate::runner::Running;
use crate::store::Store;

pub fn run(settings: &Settings, args: RunArgs) -> Result<i32> {
    run_job(settings, args.id)
}

/// Runs queued job `id` now, in the foreground, and records how it ended (`taskctl run ID`,
/// `phr-KIND --job ID` by hand).
pub fn run_job(settings: &Settings, id: i64) -> Result<i32> {
    let mut store = Store::open(&settings.db_path())?;
    let me = process::this_process();
    let job = store.write(|tx| tx.claims().claim_id(me, id))?;
    let started_at = crate::when::now_us();
    let running = std::sync::Arc::new(Running::default());
    stop_on_interrupt(&running, settings)?;
    let outcome = queue::execute(&job, settings, &running, true);
    store.write(|tx| {
        tx.claims().finish(me, Finished { id: job.id, outcome: outcome.clone(), started_at }, &retry_policy(settings))
    })?;
    match outcome {
        Outcome::Done => Ok(exit_codes::OK),
        Outcome::NotFinished => {
            eprintln!("taskctl: job {} not finished: re-queued at priority {}", job.id, (job.priority - 1).max(-10));
            Ok(exit_codes::TEMP_FAIL)
        }
        Outcome::Interrupted => Ok(exit_codes::TEMP_FAIL),
        Outcome::Unrunnable { reason } => Err(Error::JobFailed { id: job.id, reason: format!("{reason} (dead)") }),
        Outcome::Failed { reason, .. } => {
            let next = match store.jobs().get(job.id)? {
                Some(j) if j.status == crate::job::Status::Dead => " (dead: no attempt left)".to_string(),
                Some(j) => format!(" (retry {} at {})", j.attempt + 1, crate::when::local(j.due_at)),
                None => String::new(),
            };
            Err(Error::JobFailed { id: job.id, reason: format!("{reason}{next}") })
        }
    }
}

/// Ctrl-C (or SIGTERM) stops the handler's whole process group; the job is then re-queued.
fn stop_on_interrupt(running: &std::sync::Arc<Running>, settings: &Settings) -> Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let (running, grace) = (std::sync::Arc::clone(running), settings.jobs.kill_grace);
    process::on_signals(&[SIGINT, SIGTERM], move |_| {
        running.stop_all(grace);
        true
    })
}
