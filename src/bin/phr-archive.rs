//! `phr-archive`: the `archive` task kind from a shell or cron
//! (`phr-archive --hotfolder DIR --collection NAME --delay 0s --once`).

fn main() {
    phr_tasks::media::backend::install_exiv2(); // archiving reads metadata (in tasksched: its workers)
    phr_tasks::kinds::entry::kind_main::<phr_tasks::kinds::archive::Archive>()
}
