//! phr-tasks: the shared library behind `taskctl`, `tasksched` and the `phr-*` task binaries.
//!
//! Binaries stay thin: they parse arguments with the clap definitions in [`cli`], call one
//! function in [`commands`], and turn a [`Error`] into a one-line message and a sysexits code.
//! Everything that touches the SQLite file goes through [`store::Store`], so another backend
//! can replace it without the commands noticing.

pub mod cli;
pub mod commands;
pub mod config;
pub mod databox;
pub mod error;
pub mod exit_codes;
pub mod handler;
pub mod job;
pub mod joblog;
pub mod kinds;
pub mod logging;
pub mod media;
pub mod output;
pub mod private_file;
pub mod process;
pub mod queue;
pub mod runner;
pub mod sched;
pub mod store;
pub mod table;
pub mod tasks;
pub mod trust;
pub mod when;

pub use error::{Error, Result};
