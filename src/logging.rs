//! Logging to stderr through `log` + env_logger, as `prog: level: message`, quiet by default
//! (warnings and errors) so that cron mails only what matters; `RUST_LOG=info` or `debug` for more.

use std::io::Write;

/// Sets up logging for program `prog`. `timestamps` adds an RFC 3339 time to each line, for
/// long-running processes whose stderr ends up in a log file.
pub fn init(prog: &'static str, timestamps: bool) {
    let env = env_logger::Env::default().default_filter_or("warn");
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
