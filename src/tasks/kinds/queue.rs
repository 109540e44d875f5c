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
    let opts = WorkOptions { jobs: s.jobs.max(1), until_empty: false, once, max_jobs };
    queue::work(ctx.settings, opts).map(drop)
}
