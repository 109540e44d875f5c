//! The store on a full disk, a read-only mount and another user's store: read commands work,
//! writes say why they cannot with their sysexits code, and nothing is lost. Full and
//! read-only file systems are small tmpfs mounts; where mounting is not permitted (not root,
//! no CAP_SYS_ADMIN) those tests print a note and pass without checking anything.

use crate::util::{wait_for, World};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A tmpfs mounted for one test, unmounted when dropped.
pub struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (such as "1m") on `dir`, or says why not and gives None.
    pub fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).unwrap();
        let options = format!("size={size},mode=0700");
        let out = Command::new("mount").args(["-t", "tmpfs", "-o", &options, "tmpfs"]).arg(dir).output();
        match out {
            Ok(out) if out.status.success() => Some(Tmpfs { dir: dir.to_path_buf() }),
            other => {
                eprintln!("note: test skipped, cannot mount a tmpfs here: {other:?}");
                None
            }
        }
    }

    /// Remounts it read-only (`true`) or read-write.
    fn set_read_only(&self, ro: bool) {
        let options = if ro { "remount,ro" } else { "remount,rw" };
        let out = Command::new("mount").args(["-o", options]).arg(&self.dir).output().unwrap();
        assert!(out.status.success(), "{out:?}");
    }

    /// Fills it up: a file grows until the disk is full.
    pub fn fill(&self) -> PathBuf {
        let path = self.dir.join("fill");
        let mut file = std::fs::File::create(&path).unwrap();
        let block = vec![0u8; 4096];
        while file.write_all(&block).is_ok() {}
        let _ = file.sync_all();
        path
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let unmounted = Command::new("umount").arg(&self.dir).status().is_ok_and(|s| s.success());
        if !unmounted {
            let _ = Command::new("umount").arg("-l").arg(&self.dir).status(); // still in use: detach
        }
    }
}

fn job_count(w: &World) -> usize {
    w.jobs().len()
}

#[test]
fn add_on_a_full_disk_exits_75_keeps_the_jobs_and_works_once_space_is_freed() {
    let w = World::new();
    let Some(fs) = Tmpfs::mount(&w.data(), "1m") else { return };
    for i in 0..3 {
        w.add(&["noop", &i.to_string()]);
    }
    let fill = fs.fill();
    w.taskctl(&["add", "noop", "more"]).code(75).one_line_error("disk full");
    w.taskctl_stdin(&["add", "--batch"], "{\"function\":\"noop\"}\n").code(75).one_line_error("disk full");
    assert_eq!(job_count(&w), 3, "the jobs already there are intact and readable");
    w.taskctl(&["check"]).ok();
    std::fs::remove_file(fill).unwrap();
    w.add(&["noop", "after"]);
    assert_eq!(job_count(&w), 4);
}

#[test]
fn a_worker_keeps_its_reports_while_the_disk_is_full_and_writes_them_once_freed() {
    let w = World::new();
    let Some(fs) = Tmpfs::mount(&w.data(), "1m") else { return };
    let (started, go) = (w.path("started"), w.path("go"));
    w.handler(
        "wait",
        &format!("touch '{}'; while [ ! -e '{}' ]; do sleep 0.02; done", started.display(), go.display()),
    );
    let id = w.add(&["wait"]);
    let stderr = std::fs::File::create(w.path("worker.stderr")).unwrap();
    let mut worker =
        w.command().args(["work", "-j", "1", "--until-empty"]).stdout(Stdio::null()).stderr(stderr).spawn().unwrap();
    wait_for(10, "the job started", || started.exists());
    let fill = fs.fill();
    std::fs::write(&go, "").unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(worker.try_wait().unwrap().is_none(), "the worker gave up on a full disk: {}", w.read("worker.stderr"));
    assert_eq!(w.status_of(id), "running", "the report cannot be written yet");
    std::fs::remove_file(fill).unwrap();
    let status = worker.wait().unwrap();
    assert!(status.success(), "{status:?}: {}", w.read("worker.stderr"));
    assert_eq!(w.status_of(id), "done", "the kept report was written once there was room");
    assert!(w.read("worker.stderr").contains("disk full"), "{}", w.read("worker.stderr"));
}

#[test]
fn on_a_read_only_mount_reads_work_and_writes_exit_73_saying_why() {
    let w = World::new();
    let Some(fs) = Tmpfs::mount(&w.data(), "1m") else { return };
    let id = w.add(&["noop", "-d", "kept"]);
    w.add(&["noop"]);
    fs.set_read_only(true);
    let reads = |w: &World| {
        assert_eq!(job_count(w), 2);
        assert_eq!(w.job(id)["description"], "kept");
        w.taskctl(&["list"]).ok();
        w.taskctl(&["status"]).ok();
        w.taskctl(&["log", "--job", &id.to_string()]).ok();
        w.taskctl(&["check"]).ok();
    };
    reads(&w);
    w.taskctl(&["add", "noop"]).code(73).one_line_error("read-only file system");
    w.taskctl(&["rm", &id.to_string()]).code(73).one_line_error("read-only file system");
    // A store copied or closed cleanly has no -wal/-shm files, which a read-only mount cannot
    // create: it is still readable.
    fs.set_read_only(false);
    for suffix in ["-wal", "-shm"] {
        std::fs::remove_file(w.data().join(format!("phr.db{suffix}"))).unwrap();
    }
    fs.set_read_only(true);
    reads(&w);
    assert!(!w.data().join("phr.db-shm").exists());
    fs.set_read_only(false);
}

#[test]
fn another_users_store_can_be_read_but_not_written_exit_77() {
    let w = World::new();
    if !nix::unistd::geteuid().is_root() {
        eprintln!("note: test skipped, it needs root to run taskctl as another user");
        return;
    }
    let id = w.add(&["noop", "-d", "theirs"]);
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path, mode| std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    mode(w.dir.path(), 0o755);
    mode(&w.data(), 0o755);
    for name in ["phr.db", "phr.db-wal", "phr.db-shm"] {
        mode(&w.data().join(name), 0o644);
    }
    let as_nobody = |args: &[&str]| {
        let out = w.command().args(args).uid(65534).gid(65534).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) = as_nobody(&["show", &id.to_string()]);
    assert!(code == Some(0) && stdout.contains("theirs"), "{code:?} {stdout} {stderr}");
    let (code, _, stderr) = as_nobody(&["add", "noop"]);
    assert_eq!(code, Some(77), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| !l.contains(": warning: ")).collect();
    assert!(errors.len() == 1 && errors[0].starts_with("taskctl: "), "{stderr}");
    assert!(stderr.contains("permission denied") && stderr.contains("belongs to root"), "{stderr}");
    // Without its -shm file, which only the owner could create here.
    std::fs::remove_file(w.data().join("phr.db-shm")).unwrap();
    let (code, stdout, stderr) = as_nobody(&["list"]);
    assert!(code == Some(0) && stdout.contains("theirs"), "{code:?} {stdout} {stderr}");
    assert_eq!(job_count(&w), 1);
}

#[test]
fn reading_never_creates_or_migrates_the_store() {
    let w = World::new();
    w.taskctl(&["list"]).ok();
    w.taskctl(&["status"]).ok();
    w.taskctl(&["show", "1"]).code(1).one_line_error("no job 1");
    assert!(!w.data().join("phr.db").exists(), "a read created the store");
    // A store at schema version 1 (before tasks' run state).
    w.add(&["noop", "-d", "old"]);
    let db = w.data().join("phr.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "DROP TABLE tasks; ALTER TABLE jobs DROP COLUMN worker_host; DROP TABLE archive_moves; DROP TABLE subdefs; \
         DROP TABLE story_members; DROP TABLE record_technical; DROP TABLE record_fields; DROP TABLE records; \
         DROP TABLE collections; DROP TABLE archive_failures; DROP TABLE record_search; DROP TABLE meta_write_failures; DROP TABLE record_lengths; PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(conn);
    w.taskctl(&["list"]).code(65).one_line_error("older than this program's");
    let version = |db: &Path| -> i64 {
        rusqlite::Connection::open(db).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap()
    };
    assert_eq!(version(&db), 1, "a read-only open migrated the store");
    w.add(&["noop"]); // a write upgrades it
    assert_eq!(version(&db), 8);
    assert_eq!(w.jobs()[0]["description"], "old");
}
