//! A job's log: the handler's stdout and stderr, copied through a pipe so the log stops growing
//! at its cap while the handler runs (what is past the cap is read and dropped, and one line
//! says so). Each attempt that prints anything starts with a header line; a job that prints
//! nothing gets no file at all, which spares the filesystem one inode per quiet job. The pipe
//! is always drained, even when the log cannot be written, so a handler never dies of SIGPIPE.

use crate::job::Claimed;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::fs::File;
use std::io::{PipeReader, Read, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// After the handler's group is gone, how long a process that left it may keep the pipe open.
const LINGER: Duration = Duration::from_secs(2);

/// The line that starts an attempt's part of the log.
pub fn header(job: &Claimed) -> String {
    format!("=== job {} attempt {} at {} ===\n", job.id, job.attempt, crate::when::rfc3339(crate::when::now_us()))
}

/// A running copy of a handler's output into its log.
pub struct Capture {
    finished: mpsc::Receiver<()>,
    handler_gone: Arc<AtomicBool>,
}

impl Capture {
    /// Waits for the copy to end once the handler's group is gone: at EOF, or after
    /// [`LINGER`] if something that left the group still holds the pipe.
    pub fn finish(self) {
        self.handler_gone.store(true, Ordering::SeqCst);
        let _ = self.finished.recv_timeout(LINGER + Duration::from_secs(1));
    }
}

/// Copies `from` into the log at `path` on a thread. `echo` also copies everything to our
/// stdout (`taskctl run`, in the foreground).
pub fn capture(from: PipeReader, path: PathBuf, header: String, cap: u64, echo: bool) -> std::io::Result<Capture> {
    let (done, finished) = mpsc::channel();
    let handler_gone = Arc::new(AtomicBool::new(false));
    let gone = Arc::clone(&handler_gone);
    std::thread::Builder::new().name("joblog".into()).spawn(move || {
        copy_capped(from, &path, &header, cap, echo, &gone);
        let _ = done.send(());
    })?;
    Ok(Capture { finished, handler_gone })
}

fn copy_capped(mut from: PipeReader, path: &Path, header: &str, cap: u64, echo: bool, handler_gone: &AtomicBool) {
    let mut log = Log { path, header, cap, file: None, written: 0, truncated: false, broken: false };
    let mut buf = [0u8; 16 * 1024];
    let mut linger_until: Option<Instant> = None;
    loop {
        let mut fds = [PollFd::new(from.as_fd(), PollFlags::POLLIN)];
        let ready = poll(&mut fds, PollTimeout::from(100u16)).unwrap_or(0) > 0;
        if !ready {
            if handler_gone.load(Ordering::SeqCst) {
                let until = *linger_until.get_or_insert_with(|| Instant::now() + LINGER);
                if Instant::now() >= until {
                    return;
                }
            }
            continue;
        }
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if echo {
            let _ = std::io::stdout().lock().write_all(&buf[..n]);
        }
        log.append(&buf[..n]);
    }
}

/// The log file, opened on the first output; write errors are reported once and then the
/// output is only drained.
struct Log<'a> {
    path: &'a Path,
    header: &'a str,
    cap: u64,
    file: Option<File>,
    written: u64,
    truncated: bool,
    broken: bool,
}

impl Log<'_> {
    fn append(&mut self, data: &[u8]) {
        if self.broken {
            return;
        }
        if let Err(e) = self.try_append(data) {
            log::warn!("job log {}: {e}; the rest of this run's output is dropped", self.path.display());
            self.broken = true;
        }
    }

    fn try_append(&mut self, data: &[u8]) -> std::io::Result<()> {
        if self.file.is_none() {
            let (f, len) = open_with_header(self.path, self.header)?;
            self.file = Some(f);
            self.written = len;
        }
        let Some(file) = self.file.as_mut() else { return Ok(()) };
        let take = (self.cap.saturating_sub(self.written) as usize).min(data.len());
        if take > 0 {
            file.write_all(&data[..take])?;
            self.written += take as u64;
        }
        if take < data.len() && !self.truncated {
            writeln!(file, "\n[log truncated at {} bytes]", self.cap)?;
            self.truncated = true;
        }
        Ok(())
    }
}

/// Opens the log for appending (creating it and its directory, private, never through a
/// link) and writes the header.
fn open_with_header(path: &Path, header: &str) -> std::io::Result<(File, u64)> {
    let mut f = crate::private_file::open_append(path)?;
    f.write_all(header.as_bytes())?;
    let len = f.metadata()?.len();
    Ok((f, len))
}
