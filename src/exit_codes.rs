//! The exit codes every phr-tasks program uses, in one table, so that scripts and crontab
//! entries can tell "you called me wrong" from "try again later" (sysexits.h).

/// Success.
pub const OK: i32 = 0;
/// A generic failure that is not worth a sysexits code: an id that does not exist, a job that failed.
pub const FAILURE: i32 = 1;
/// EX_USAGE: the command line was wrong.
pub const USAGE: i32 = 64;
/// EX_DATAERR: the input data (a JSON line, a stored value) was wrong.
pub const DATA: i32 = 65;
/// EX_NOINPUT: a file named by the user does not exist or cannot be read.
pub const NO_INPUT: i32 = 66;
/// EX_UNAVAILABLE: a service or program we need is not there.
pub const UNAVAILABLE: i32 = 69;
/// EX_SOFTWARE: an internal error (a bug, or a database in a state we did not expect).
pub const SOFTWARE: i32 = 70;
/// EX_CANTCREAT: a file or directory could not be created.
pub const CANT_CREATE: i32 = 73;
/// EX_IOERR: reading or writing failed.
pub const IO: i32 = 74;
/// EX_TEMPFAIL: try again later (a busy database, a running job, a handler that is not finished).
pub const TEMP_FAIL: i32 = 75;
/// EX_NOPERM: the store (or a file) belongs to someone else and we may not write it; as root,
/// a path another user owns or can write is refused (see `trust`).
pub const NO_PERMISSION: i32 = 77;
/// EX_CONFIG: the configuration file is wrong.
pub const CONFIG: i32 = 78;
