//! The one signal-listener thread every long-running program here uses: the scheduler, a
//! task's worker, `taskctl work` and `taskctl run` only differ in what a signal means to them.

use crate::error::{Error, Result};

/// Calls `handle` on a thread of its own with each of `signals` as it arrives, until `handle`
/// returns false. Signals that arrive together are delivered one by one, in order.
pub fn on_signals(signals: &[i32], mut handle: impl FnMut(i32) -> bool + Send + 'static) -> Result<()> {
    let mut listener = signal_hook::iterator::Signals::new(signals)
        .map_err(|e| Error::Unavailable(format!("cannot catch signals: {e}")))?;
    std::thread::spawn(move || {
        for sig in listener.forever() {
            if !handle(sig) {
                return;
            }
        }
    });
    Ok(())
}
