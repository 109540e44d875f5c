//! Running the job queue: the worker loop (`taskctl work`), the code that runs one claimed job,
//! and the wake-up datagrams that let an idle worker start a new job within milliseconds.

pub mod execute;
pub mod orphans;
pub mod pace;
pub mod started;
pub mod wake;
pub mod worker;

pub use execute::execute;
pub use worker::{work, WorkOptions};
