//! `phr-subdef`: builds records' sub-definitions (thumbnails, previews) from a shell or cron.

fn main() {
    phr_tasks::kinds::entry::kind_main::<phr_tasks::kinds::subdef::Subdef>()
}
