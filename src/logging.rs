//! Logging to stderr through `log` + env_logger, as `prog: level: message`, quiet by default
//! (warnings and errors) so that cron mails only what matters; `RUST_LOG=info` or `debug` for
//! more. While a progress bar is on screen, log lines are written above it, not through it.

use std::io::Write;
use std::sync::Mutex;

/// How a program logs when `RUST_LOG` does not say.
#[derive(Debug, Clone, Copy)]
pub enum Style {
    /// A command: warnings and errors, `prog: level: message`.
    Command,
    /// A worker whose stderr may be a log file: warnings and errors, with times.
    Worker,
    /// A daemon writing its own log file: from `info` up, with times.
    Daemon,
}

/// The progress bar on screen, if any: log lines suspend it while they are written.
static BAR: Mutex<Option<indicatif::ProgressBar>> = Mutex::new(None);

/// Shows `bar` on stderr until [`clear_progress`]; log lines go above it meanwhile.
pub fn show_progress(bar: &indicatif::ProgressBar) {
    *BAR.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar.clone());
}

/// Removes the progress bar (log lines go straight to stderr again).
pub fn clear_progress() {
    if let Some(bar) = BAR.lock().unwrap_or_else(|e| e.into_inner()).take() {
        bar.finish_and_clear();
    }
}

/// stderr, but around a progress bar when one is shown.
struct Stderr;

impl Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let bar = BAR.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match bar {
            Some(bar) => bar.suspend(|| std::io::stderr().write_all(buf)).map(|()| buf.len()),
            None => std::io::stderr().write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Sets up logging for program `prog`.
pub fn init(prog: &'static str, style: Style) {
    let timestamps = !matches!(style, Style::Command);
    let default = if matches!(style, Style::Daemon) { "info" } else { "warn" };
    let env = env_logger::Env::default().default_filter_or(default);
    env_logger::Builder::from_env(env)
        .target(env_logger::Target::Pipe(Box::new(Stderr)))
        .format(move |buf, record| {
            let level = match record.level() {
                log::Level::Warn => "warning".to_string(),
                other => other.as_str().to_ascii_lowercase(),
            };
            if timestamps {
                let now = crate::when::rfc3339(crate::when::now_us());
                writeln!(buf, "{now} {prog}[{}]: {level}: {}", std::process::id(), record.args())
            } else {
                writeln!(buf, "{prog}: {level}: {}", record.args())
            }
        })
        .init();
}
