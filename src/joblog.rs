//! A job's log: the handler's stdout and stderr, copied through a pipe so the log stops growing
//! at its cap while the handler runs (what is past the cap is read and dropped, and one line
//! says so). Each attempt that prints anything starts with a header line; a job that prints
//! nothing gets no file at all, which spares the filesystem one inode per quiet job.

use crate::job::Claimed;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

/// The line that starts an attempt's part of the log.
pub fn header(job: &Claimed) -> String {
    format!("=== job {} attempt {} at {} ===\n", job.id, job.attempt, crate::when::rfc3339(crate::when::now_us()))
}

/// Copies `from` into the log at `path` on a thread until the pipe closes; the receiver gets a
/// message then. `echo` also copies everything to our stdout (`taskctl run`, in the foreground).
pub fn capture(
    from: impl Read + Send + 'static,
    path: PathBuf,
    header: String,
    cap: u64,
    echo: bool,
) -> mpsc::Receiver<()> {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        if let Err(e) = copy_capped(from, &path, &header, cap, echo) {
            log::warn!("job log {}: {e}", path.display());
        }
        let _ = done.send(());
    });
    finished
}

fn copy_capped(mut from: impl Read, path: &Path, header: &str, cap: u64, echo: bool) -> std::io::Result<()> {
    let mut log: Option<File> = None;
    let mut written = 0u64;
    let mut truncated = false;
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => return Ok(()),
            Ok(n) => n,
        };
        if echo {
            let _ = std::io::stdout().lock().write_all(&buf[..n]);
        }
        let file = match log.as_mut() {
            Some(f) => f,
            None => {
                let (f, len) = open_with_header(path, header)?;
                written = len;
                log.insert(f)
            }
        };
        let take = (cap.saturating_sub(written) as usize).min(n);
        if take > 0 {
            file.write_all(&buf[..take])?;
            written += take as u64;
        }
        if take < n && !truncated {
            writeln!(file, "\n[log truncated at {cap} bytes]")?;
            truncated = true;
        }
    }
}

/// Opens the log for appending (creating it and its directory) and writes the header.
fn open_with_header(path: &Path, header: &str) -> std::io::Result<(File, u64)> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    f.write_all(header.as_bytes())?;
    let len = f.metadata()?.len();
    Ok((f, len))
}
