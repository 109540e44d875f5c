//! Command-line definitions (clap derive) for every phr-tasks program, kept in the library so
//! that man pages and shell completions are generated from exactly what the binaries parse,
//! and the edge every binary shares: parse, run, and turn errors into `prog: reason` + exit code.

pub mod edge;
pub mod record;
pub mod taskctl;
pub mod tasksched;
