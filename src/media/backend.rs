//! exiv2 loaded only by the programs that read or write metadata. It is a C++ library with
//! GLib behind it, and a program that links it pays for loading them at every start (about
//! 2 ms here: `taskctl add` went from 1.3 to 3.3 ms). So the library reaches exiv2 only through
//! what a program's `main` installs: `phr-archive`, `phr-meta` and `tasksched` (whose workers
//! run every kind) install it; `taskctl` does not, and runs a task's pass through the kind's own
//! program.

use super::exiv::TagMap;
use super::meta::Technical;
use super::write::{TagValues, WriteError};
use std::path::Path;
use std::sync::OnceLock;

/// The exiv2 entry points a program installed.
pub(crate) struct Exiv2 {
    pub(crate) read: fn(&Path, &mut Technical, &mut Vec<String>) -> TagMap,
    pub(crate) write: fn(&Path, &[TagValues]) -> Result<Vec<String>, WriteError>,
}

static INSTALLED: OnceLock<Exiv2> = OnceLock::new();

/// Makes exiv2 available to this program (call it first thing in `main`).
pub fn install_exiv2() {
    let _ = INSTALLED.set(Exiv2 { read: super::exiv::read, write: super::write::write_with_exiv2 });
}

/// exiv2, if this program installed it.
pub(crate) fn exiv2() -> Option<&'static Exiv2> {
    INSTALLED.get()
}
