//! The store on a full disk: writes say why they cannot with their sysexits code, and nothing
//! is lost. Full file systems are small tmpfs mounts; where mounting is not permitted (not
//! root, no CAP_SYS_ADMIN) those tests print a note and pass without checking anything.

use crate::util::{wait_for, World};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (such as "1m") on `dir`, or says why not and gives None.
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
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

    /// Fills it up: a file grows until the disk is full.
    fn fill(&self) -> PathBuf {
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
