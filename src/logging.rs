//! Logging to stderr through `log` + env_logger, as `prog: level: message`, quiet by default
//! (warnings and errors) so that cron mails only what matters; `RUST_LOG=info` or `debug` for more.

use std::io::Write;

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

/// Sets up logging for program `prog`.
pub fn init(prog: &'static str, style: Style) {
    let timestamps = !matches!(style, Style::Command);
    let default = if matches!(style, Style::Daemon) { "info" } else { "warn" };
    let env = env_logger::Env::default().default_filter_or(default);
    env_logger::Builder::from_env(env)
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
