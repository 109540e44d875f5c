//! A job's log: each attempt starts with a header line, then the handler's stdout and stderr,
//! copied through a pipe so the log stops growing at its cap while the handler runs (what is
//! past the cap is read and dropped, and one line says so).

use crate::job::Claimed;
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc;

/// Opens the job's log for appending and writes the attempt's header.
pub fn open(path: &Path, job: &Claimed) -> std::io::Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    writeln!(f, "=== job {} attempt {} at {} ===", job.id, job.attempt, crate::when::rfc3339(crate::when::now_us()))?;
    Ok(f)
}

/// Copies `from` into `log` on a thread until the pipe closes; the receiver gets a message then.
/// `echo` also copies everything to our stdout (`taskctl run`, in the foreground).
pub fn capture(from: impl Read + Send + 'static, log: File, cap: u64, echo: bool) -> mpsc::Receiver<()> {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        copy_capped(from, log, cap, echo);
        let _ = done.send(());
    });
    finished
}

fn copy_capped(mut from: impl Read, mut log: File, cap: u64, echo: bool) {
    let mut written = log.metadata().map(|m| m.len()).unwrap_or(0);
    let mut truncated = false;
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if echo {
            let _ = std::io::stdout().lock().write_all(&buf[..n]);
        }
        let room = cap.saturating_sub(written) as usize;
        let take = room.min(n);
        if take > 0 {
            let _ = log.write_all(&buf[..take]);
            written += take as u64;
        }
        if take < n && !truncated {
            let _ = writeln!(log, "\n[log truncated at {cap} bytes]");
            truncated = true;
        }
    }
}
