//! `phr-index`: the `index` task kind from a shell or cron (`phr-index --once`,
//! `phr-index --rebuild --once`).

fn main() {
    phr_tasks::kinds::entry::kind_main::<phr_tasks::kinds::index::IndexKind>()
}
