//! A damaged store is found and refused (`taskctl check`, `add`, `tasksched`), and a backup
//! taken while a worker runs is a sound copy that restores the queue.

use crate::util::World;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

/// `n` queued noop jobs in one batch.
fn add_jobs(w: &World, n: usize, function: &str) {
    let lines: String = (0..n).map(|i| format!("{{\"function\":\"{function}\",\"args\":[\"{i}\"]}}\n")).collect();
    w.taskctl_stdin(&["add", "--batch"], &lines).ok();
}

/// Writes garbage over `len` bytes of `file` from `offset`.
fn scribble(file: &Path, offset: u64, len: usize) {
    let mut f = std::fs::OpenOptions::new().write(true).open(file).unwrap();
    f.seek(SeekFrom::Start(offset)).unwrap();
    f.write_all(&b"garbage!".repeat(len / 8)).unwrap();
}

#[test]
fn a_damaged_store_is_refused_by_check_add_and_tasksched_until_a_backup_is_restored() {
    let w = World::new();
    add_jobs(&w, 2000, "noop");
    w.taskctl(&["check"]).ok().stdout.contains("ok").then_some(()).expect("ok");
    let backup = w.path("backup.db");
    w.taskctl(&["backup", backup.to_str().unwrap()]).ok();
    let db = w.data().join("phr.db");
    // Garbage in the middle of the jobs' pages (the middle third of the file), away from where
    // an add writes.
    let pages = std::fs::metadata(&db).unwrap().len() / 4096;
    scribble(&db, 4096 * (pages / 3), 4096 * (pages / 3) as usize);

    let check = w.taskctl(&["check"]).code(65).one_line_error("damaged");
    assert!(check.stderr.contains("restore a backup"), "{check:#?}");
    assert!(!check.stdout.trim().is_empty(), "check lists what is wrong: {check:#?}");
    w.taskctl(&["check", "--quick"]).code(65).one_line_error("damaged");
    let add = w.taskctl(&["add", "noop", "into-damage"]).code(65).one_line_error("damaged");
    assert!(add.stdout.is_empty() && add.stderr.contains("nothing written"), "{add:#?}");
    w.taskctl(&["list"]).code(65).one_line_error("malformed");

    let sched = w.tasksched().arg("-f").output().unwrap();
    let stderr = String::from_utf8_lossy(&sched.stderr);
    assert_eq!(sched.status.code(), Some(65), "{stderr}");
    assert!(stderr.starts_with("tasksched: ") && stderr.lines().count() == 1, "{stderr}");
    assert!(stderr.contains("damaged, not starting") && stderr.contains("restore a backup"), "{stderr}");
    assert_eq!(w.status()["scheduler"]["running"], false);

    // The README's recovery: the backup over phr.db, without the old -wal and -shm.
    std::fs::copy(&backup, &db).unwrap();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(w.data().join(format!("phr.db{suffix}")));
    }
    w.taskctl(&["check"]).ok();
    w.add(&["noop", "after"]);
    assert_eq!(w.jobs().len(), 2001);
}

#[test]
fn a_store_that_is_not_a_database_is_damaged_not_an_internal_error() {
    let w = World::new();
    w.add(&["noop"]);
    scribble(&w.data().join("phr.db"), 0, 4096);
    w.taskctl(&["check"]).code(65).one_line_error("damaged");
    // SQLite's own reason, not that of the first thing that happened to read the schema.
    let list = w.taskctl(&["list"]).code(65).one_line_error("damaged");
    assert!(!list.stderr.contains("phr_bm25"), "{list:#?}");
    w.taskctl(&["add", "noop"]).code(65).one_line_error("damaged");
    let search = w.phr(crate::archive::PHR_RECORD, &["search", "x"]).code(65).one_line_error("damaged");
    assert!(search.stderr.contains("not a database") || search.stderr.contains("malformed"), "{search:#?}");
}

#[test]
fn a_backup_taken_while_a_worker_runs_is_sound_and_holds_every_job() {
    let w = World::new();
    w.handler("step", "sleep 0.01");
    add_jobs(&w, 300, "step");
    let mut worker = w.spawn_worker(&["-j", "2", "--until-empty"]);
    let mut taken = 0;
    for i in 0..3 {
        std::thread::sleep(std::time::Duration::from_millis(200));
        let file = w.path(&format!("b{i}/copy.db"));
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        w.taskctl(&["backup", file.to_str().unwrap()]).ok();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        // The copy is a store: restore it into a data dir of its own and look.
        let restored = w.path(&format!("r{i}"));
        std::fs::create_dir_all(&restored).unwrap();
        std::fs::copy(&file, restored.join("phr.db")).unwrap();
        let look = |args: &[&str]| {
            let out = w.command().env("PHR_DATA_DIR", &restored).args(args).output().unwrap();
            assert!(out.status.success(), "{out:?}");
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        assert_eq!(look(&["check"]).trim(), "ok");
        let jobs: serde_json::Value = serde_json::from_str(&look(&["list", "--json"])).unwrap();
        assert_eq!(jobs["jobs"].as_array().unwrap().len(), 300, "backup {i} lost jobs");
        let leftovers: Vec<_> = std::fs::read_dir(file.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only the backup, no temporary file: {leftovers:?}");
        if worker.try_wait().unwrap().is_none() {
            taken += 1;
        }
    }
    assert!(taken > 0, "the worker ended before any backup: make its jobs longer");
    assert!(worker.wait().unwrap().success());
    assert!(w.jobs().iter().all(|j| j["status"] == "done"));
}
