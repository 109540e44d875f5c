//! `taskctl work`: a worker in the foreground (tasksched supervises such workers). With
//! `--until-empty` on a terminal it shows a progress bar; in cron it stays quiet.

use crate::cli::taskctl::WorkArgs;
use crate::config::Settings;
use crate::error::Result;
use crate::queue::{self, WorkOptions};
use crate::store::Store;
use std::io::IsTerminal;

pub fn run(settings: &Settings, args: WorkArgs) -> Result<i32> {
    let jobs = args.jobs.map(|j| j as usize).unwrap_or_else(|| settings.default_parallelism());
    let progress = if args.until_empty && std::io::stderr().is_terminal() { Some(bar(settings)?) } else { None };
    let opts = WorkOptions {
        jobs,
        until_empty: args.until_empty,
        once: args.once,
        max_jobs: args.max_jobs,
        progress,
        ..Default::default()
    };
    let result = queue::work(settings, opts);
    crate::logging::clear_progress();
    result.map(|_| crate::exit_codes::OK)
}

fn bar(settings: &Settings) -> Result<indicatif::ProgressBar> {
    let pending = Store::open(&settings.db_path())?.claims().count_pending()?;
    let bar = indicatif::ProgressBar::new(pending);
    let style = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} jobs  {rate}  eta {eta}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .with_key("rate", |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&rate(state.per_sec()));
        });
    bar.set_style(style);
    crate::logging::show_progress(&bar);
    Ok(bar)
}

/// Jobs per second as a whole number with thousands separators (`152,054/s`): indicatif's own
/// `{per_sec}` prints four decimals (`152,054.0551/s`), precision nobody reads off a bar.
fn rate(per_sec: f64) -> String {
    let whole = if per_sec.is_finite() && per_sec > 0.0 { per_sec.round() as u64 } else { 0 };
    format!("{}/s", indicatif::HumanCount(whole))
}

#[cfg(test)]
mod tests {
    use super::rate;

    #[test]
    fn rates_are_whole_numbers_with_separators() {
        assert_eq!(rate(152_054.055_1), "152,054/s");
        assert_eq!(rate(1940.5), "1,941/s");
        assert_eq!(rate(0.4), "0/s");
        assert_eq!(rate(7.0), "7/s");
        assert_eq!(rate(f64::NAN), "0/s");
        assert_eq!(rate(f64::INFINITY), "0/s");
    }
}
