//! `phr-exec`: the `exec` task kind from a shell or cron (`phr-exec --once -- COMMAND…`).

fn main() {
    phr_tasks::kinds::entry::kind_main::<phr_tasks::kinds::exec::Exec>()
}
