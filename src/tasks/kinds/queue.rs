//! `queue`: a pool of job-queue workers, the task that runs `taskctl add`'s jobs.

use super::{check_as, settings_of, Kind, Run, TaskContext};
use crate::error::Result;
use crate::queue::{self, WorkOptions};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QueueSettings {
    /// Jobs run at once.
    #[serde(default = "two")]
    jobs: usize,
}

fn two() -> usize {
    2
}

pub static KIND: Kind = Kind {
    name: "queue",
    summary: "runs queued jobs (taskctl add), N at a time",
    periodic: false,
    template: r#"
[settings]
# Jobs run at once by this task's worker.
jobs = 2
"#,
    check: check_as::<QueueSettings>,
    run: Run::Continuous(run),
};

fn run(ctx: &TaskContext<'_>, once: bool) -> Result<()> {
    let s: QueueSettings = settings_of(ctx.task)?;
    let max_jobs = Some(ctx.task.limits.max_items).filter(|&n| n > 0);
    let max_rss_mb = Some(ctx.task.limits.max_rss_mb).filter(|&n| n > 0);
    let opts = WorkOptions { jobs: s.jobs.max(1), once, max_jobs, max_rss_mb, ..WorkOptions::default() };
    // Finish (or stop and re-queue) running jobs before the scheduler's own grace runs out.
    let mut settings = ctx.settings.clone();
    let sched = &settings.scheduler;
    let before_sigkill = sched.stop_grace.saturating_sub(settings.jobs.kill_grace + std::time::Duration::from_secs(1));
    settings.worker.stop_grace = settings.worker.stop_grace.min(before_sigkill);
    queue::work(&settings, opts).map(drop)
}
