//! `phr-queue`: the `queue` task kind from a shell (`phr-queue --once -j 4`), like `taskctl work`.

fn main() {
    phr_tasks::kinds::entry::kind_main::<phr_tasks::kinds::queue::Queue>()
}
