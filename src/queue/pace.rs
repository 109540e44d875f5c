//! How many jobs a worker holds at once. Short jobs are claimed ahead (a local queue, as
//! Graphile Worker's), so executors never wait for the store and claims and reports go in
//! batches; long jobs are not, so another worker can take them.

use std::time::Duration;

/// Claim ahead only as much work as the worker expects to start within this time.
const LOOKAHEAD: Duration = Duration::from_millis(10);
/// Never hold more jobs than this.
const MAX_HELD: usize = 1000;
/// Weight of the newest run in the running average of job durations.
const SMOOTHING: f64 = 0.1;

/// A running average of how long this worker's jobs take.
#[derive(Debug, Default)]
pub struct Pace {
    average_us: Option<f64>,
}

impl Pace {
    /// Records one run's duration.
    pub fn record(&mut self, took: Duration) {
        let us = took.as_secs_f64() * 1e6;
        self.average_us = Some(match self.average_us {
            None => us,
            Some(avg) => avg + SMOOTHING * (us - avg),
        });
    }

    /// The running average, for logs.
    pub fn average(&self) -> Option<Duration> {
        self.average_us.map(|us| Duration::from_micros(us as u64))
    }

    /// How many jobs the worker may hold (running plus waiting) with `slots` executors: just
    /// `slots` until jobs are known to be short, then as many as start within [`LOOKAHEAD`].
    pub fn limit(&self, slots: usize) -> usize {
        let lookahead = LOOKAHEAD.as_secs_f64() * 1e6;
        match self.average_us {
            Some(avg) if avg < lookahead => {
                let ahead = (slots as f64 * lookahead / avg.max(1.0)) as usize;
                ahead.clamp(slots, MAX_HELD.max(slots))
            }
            _ => slots,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_or_long_jobs_are_not_claimed_ahead() {
        let mut pace = Pace::default();
        assert_eq!(pace.limit(4), 4);
        pace.record(Duration::from_secs(2));
        assert_eq!(pace.limit(4), 4);
    }

    #[test]
    fn short_jobs_are_claimed_ahead_within_bounds() {
        let mut pace = Pace::default();
        pace.record(Duration::from_millis(1));
        assert_eq!(pace.limit(2), 20);
        let mut instant = Pace::default();
        instant.record(Duration::from_micros(1));
        assert_eq!(instant.limit(2), MAX_HELD);
    }
}
