//! Wake-ups: each idle worker listens on a Unix datagram socket in the run dir; `taskctl add`
//! sends one byte to each after its commit. Workers still look at the queue every
//! `poll_interval`, so a lost datagram delays a job, never loses it.

use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};

/// A worker's wake-up socket; the file is removed when it is dropped.
pub struct WakeSocket {
    path: PathBuf,
    socket: UnixDatagram,
}

impl WakeSocket {
    /// Binds `DIR/PID.sock` (DIR made private), replacing a stale file left by a dead process
    /// with our pid. Safe against a planted link: unlink removes a link, not what it points
    /// to, and bind creates a new socket file, refusing any path that exists (a link put there
    /// in between included), never writing through it.
    pub fn bind(dir: &Path) -> std::io::Result<WakeSocket> {
        crate::private_file::create_dir(dir)?;
        let path = dir.join(format!("{}.sock", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let socket = UnixDatagram::bind(&path)?;
        Ok(WakeSocket { path, socket })
    }

    /// A handle a listener thread can block on; the socket file stays owned by `self`.
    pub fn listener(&self) -> std::io::Result<UnixDatagram> {
        self.socket.try_clone()
    }
}

impl Drop for WakeSocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Tells every listening worker that the queue changed. Sockets nobody listens on any more
/// (their worker died) are removed. Only sockets are written to, never a link to one
/// elsewhere. Never fails: a wake-up is only a hint.
pub fn notify_workers(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let Ok(sender) = UnixDatagram::unbound() else { return };
    let _ = sender.set_nonblocking(true);
    for entry in entries.flatten() {
        let path = entry.path();
        let is_socket = entry.file_type().is_ok_and(|t| t.is_socket()); // not following links
        if is_socket && path.extension().is_some_and(|e| e == "sock") {
            if let Err(e) = sender.send_to(b"w", &path) {
                if e.kind() == std::io::ErrorKind::ConnectionRefused {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
    }
}
