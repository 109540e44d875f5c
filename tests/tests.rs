#![allow(clippy::unwrap_used)]
//! One integration-test binary (faster to link) with a module per area. Every test drives the
//! real `taskctl` binary against its own temp data dir and config.

mod util;

mod add;
mod archive;
mod config;
mod docs;
mod faults;
mod full_disk;
mod health;
mod index;
mod kinds;
mod links;
mod list;
mod media;
mod metawrite;
mod privacy;
mod record;
mod reload;
mod remove;
mod sched;
mod sched_crash;
mod start;
mod store;
mod subdef;
mod subdef_media;
mod trust;
mod usage;
mod when;
mod work;
