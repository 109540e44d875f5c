//! `queue`: a pool of job-queue workers, the task that runs `taskctl add`'s jobs. Its one pass
//! lasts until the worker is told to stop or reaches a limit.

use super::{Context, Field, Invalid, KindError, Mode, PassReport, Show, TaskKind};
use crate::error::Result;
use crate::queue::{self, WorkOptions};
use serde::{Deserialize, Serialize};

/// The `queue` kind.
pub struct Queue;

/// The most jobs one worker runs at once: each is a thread and a child process.
pub const MAX_JOBS: usize = 256;

/// A `queue` task's `[settings]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueueSettings {
    /// Jobs run at once.
    pub jobs: usize,
}

impl Default for QueueSettings {
    fn default() -> Self {
        QueueSettings { jobs: 2 }
    }
}

/// `phr-queue`'s own flags.
#[derive(Debug, clap::Args)]
pub struct QueueFlags {
    /// Jobs run at once.
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
}

impl TaskKind for Queue {
    const NAME: &'static str = "queue";
    const SUMMARY: &'static str = "runs queued jobs (taskctl add), N at a time";
    const MODE: Mode = Mode::Continuous;
    const FIELDS: &'static [Field] =
        &[Field { key: "jobs", doc: "Jobs run at once by this task's worker (1 to 256).", show: Show::Default }];
    type Settings = QueueSettings;
    type Flags = QueueFlags;
    type State = ();

    fn check(s: &QueueSettings) -> std::result::Result<(), Invalid> {
        if !(1..=MAX_JOBS).contains(&s.jobs) {
            return Err(Invalid::new("jobs", format!("must be from 1 to {MAX_JOBS}, not {}", s.jobs)));
        }
        Ok(())
    }

    fn apply_flags(flags: QueueFlags, s: &mut QueueSettings) -> Result<()> {
        if let Some(jobs) = flags.jobs {
            s.jobs = jobs;
        }
        Ok(())
    }

    fn open(_: &Context<'_>, _: &QueueSettings) -> std::result::Result<(), KindError> {
        Ok(())
    }

    fn pass(_: &mut (), ctx: &Context<'_>, s: &QueueSettings) -> std::result::Result<PassReport, KindError> {
        if ctx.dry_run {
            let pending = crate::store::Store::open(&ctx.settings.db_path())?.claims().count_pending()?;
            log::warn!("dry run: {pending} job(s) due or waiting for a retry; none run");
            return Ok(PassReport::default());
        }
        let max_jobs = Some(ctx.limits.max_items).filter(|&n| n > 0);
        let max_rss_mb = Some(ctx.limits.max_rss_mb).filter(|&n| n > 0);
        let opts = WorkOptions { jobs: s.jobs, once: ctx.once, max_jobs, max_rss_mb, ..WorkOptions::default() };
        // Finish (or stop and re-queue) running jobs before the scheduler's own grace runs out.
        let mut settings = ctx.settings.clone();
        let sched = &settings.scheduler;
        let before_sigkill =
            sched.stop_grace.saturating_sub(settings.jobs.kill_grace + std::time::Duration::from_secs(1));
        settings.worker.stop_grace = settings.worker.stop_grace.min(before_sigkill);
        let summary = queue::work(&settings, opts)?;
        Ok(PassReport { done: summary.done, set_aside: Vec::new() })
    }
}
