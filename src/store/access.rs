//! Who may do what with the store file: opening it read-only (for `list`, `show`, `status`,
//! `log`, `check`, `backup`), and saying plainly why a write cannot happen (a read-only file
//! system, another user's store) before SQLite says "unable to open database file".

use super::{schema, Store};
use crate::error::{Error, Result, StoreFailure};
use nix::errno::Errno;
use nix::unistd::{access, AccessFlags};
use rusqlite::ffi::ErrorCode;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// What still works on a store that cannot be written, for the messages below.
const READS_STILL_WORK: &str = "list, show, status, log, check and backup still work";

impl Store {
    /// Opens the store at `path` for reading only: it never creates, migrates or writes
    /// anything, so reading works on a read-only mount or another user's store. A store that
    /// does not exist yet (or was never written) reads as an empty one, held in memory.
    ///
    /// SQLite reads a WAL store through its `-shm` file; when that file is missing and cannot
    /// be created (read-only mount or directory), the store is read as immutable, which is
    /// exact when the WAL holds nothing (a cleanly closed store). A WAL with content and no
    /// `-shm` cannot be read faithfully from here, and the error says so.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        let len = match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let why = "is a symbolic link: a store is never opened through one";
                return Err(store_error(path, StoreFailure::ReadOnly, why.to_string()));
            }
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(source) => return Err(Error::NoInput { path: path.to_path_buf(), source }),
        };
        if len == 0 {
            return Store::empty(path);
        }
        let store = super::retrying_busy(|| match Store::try_open_read_only(path, false) {
            Ok(store) => Ok(store),
            Err(e) if cannot_share(&e) && wal_is_empty(path) => {
                Store::try_open_read_only(path, true).map_err(|e| with_path(path, e))
            }
            Err(e) if cannot_share(&e) => Err(store_error(
                path,
                StoreFailure::ReadOnly,
                format!(
                    "cannot read: its write-ahead log ({}) holds changes and its shared-memory file \
                     cannot be created here; open it once with write access to fold them in",
                    sibling(path, "-wal").display()
                ),
            )),
            Err(e) => Err(with_path(path, e)),
        })?;
        let found = store.user_version()?;
        let supported = schema::MIGRATIONS.len() as i64;
        if found == 0 {
            return Store::empty(path); // created, never migrated: no jobs, no tasks
        }
        if found > supported {
            return Err(Error::SchemaTooNew { path: path.to_path_buf(), found, supported });
        }
        if found < supported {
            return Err(Error::SchemaTooOld { path: path.to_path_buf(), found, supported });
        }
        Ok(store)
    }

    fn try_open_read_only(path: &Path, immutable: bool) -> rusqlite::Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        let uri = format!("file:{}{}", uri_path(path), if immutable { "?immutable=1" } else { "" });
        let conn = Connection::open_with_flags(uri, flags)?;
        conn.busy_timeout(super::BUSY_TIMEOUT)?;
        conn.execute_batch("PRAGMA cell_size_check = ON; PRAGMA query_only = ON;")?;
        super::rank::register(&conn)?;
        // The first read is where a missing -shm shows: make it here, not in the caller.
        conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?;
        Ok(Store { conn, path: path.to_path_buf() })
    }

    /// An empty store in memory: what a store that does not exist yet reads as.
    fn empty(path: &Path) -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        super::rank::register(&conn)?;
        let mut store = Store { conn, path: path.to_path_buf() };
        store.migrate()?;
        store.conn.execute_batch("PRAGMA query_only = ON;")?;
        Ok(store)
    }
}

/// Fails, saying why in words an admin can act on, when this process cannot write the store:
/// a read-only file system (73) or another user's file or directory (77). SQLite would
/// otherwise open it read-only without a word and fail at the first write, or not open it.
pub(super) fn ensure_writable(path: &Path) -> Result<()> {
    let mut needed = vec![path.to_path_buf()];
    for suffix in ["-wal", "-shm"] {
        let file = sibling(path, suffix);
        // A missing journal file is created in the directory, which must then be writable.
        needed.push(if file.exists() { file } else { path.parent().unwrap_or(Path::new(".")).to_path_buf() });
    }
    for file in needed {
        match access(&file, AccessFlags::W_OK) {
            Err(Errno::EROFS) => {
                let why = format!("read-only file system: cannot write ({READS_STILL_WORK})");
                return Err(store_error(path, StoreFailure::ReadOnly, why));
            }
            Err(Errno::EACCES | Errno::EPERM) => {
                let why = format!(
                    "permission denied: {} belongs to {}; run this as its owner ({READS_STILL_WORK})",
                    file.display(),
                    owner(&file)
                );
                return Err(store_error(path, StoreFailure::Denied, why));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The user name (or uid) owning `file`.
fn owner(file: &Path) -> String {
    use std::os::unix::fs::MetadataExt;
    let Ok(uid) = std::fs::metadata(file).map(|m| m.uid()) else { return "another user".into() };
    match nix::unistd::User::from_uid(uid.into()) {
        Ok(Some(user)) => user.name,
        _ => format!("uid {uid}"),
    }
}

/// SQLite could not open or set up the shared-memory file a WAL reader needs.
fn cannot_share(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly))
}

/// Whether the store's WAL file is missing or empty: everything is then in the main file.
fn wal_is_empty(path: &Path) -> bool {
    std::fs::metadata(sibling(path, "-wal")).map_or(true, |m| m.len() == 0)
}

/// `path` with `suffix` appended to its file name (SQLite's `-wal`, `-shm`).
pub(super) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// `path` escaped for an SQLite `file:` URI (`%`, `?`, `#` and anything not plain ASCII).
fn uri_path(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::new();
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn store_error(path: &Path, kind: StoreFailure, message: String) -> Error {
    Error::Store { path: Some(path.to_path_buf()), kind, message }
}

/// SQLite's error, naming the store.
pub(super) fn with_path(path: &Path, source: rusqlite::Error) -> Error {
    match Error::from(source) {
        Error::Store { kind, message, .. } => Error::Store { path: Some(path.to_path_buf()), kind, message },
        other => other,
    }
}
