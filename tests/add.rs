//! `taskctl add`, `link`, `list`, `show`: the SPIP API as commands.

use crate::util::{wait_for, World};

#[test]
fn add_prints_the_new_id_and_list_shows_the_job() {
    let w = World::new();
    assert_eq!(w.add(&["noop", "a", "b", "-d", "say hello", "-p", "3"]), 1);
    assert_eq!(w.add(&["noop"]), 2);
    let job = w.job(1);
    assert_eq!(job["function"], "noop");
    assert_eq!(job["args"], serde_json::json!(["a", "b"]));
    assert_eq!(job["description"], "say hello");
    assert_eq!(job["priority"], 3);
    assert_eq!(job["status"], "queued");
    assert!(job["due_at"].as_str().unwrap().ends_with('Z'), "RFC 3339 UTC: {job}");
    let table = w.taskctl(&["list"]).ok().stdout;
    assert!(table.starts_with("ID  "), "{table}");
    assert!(table.contains("noop a b") && table.contains("say hello"), "{table}");
    assert!(table.trim_end().ends_with("next job in 0 s"), "{table}");
}

#[test]
fn list_says_when_the_next_job_is_due() {
    let w = World::new();
    w.add(&["noop", "--in", "90s"]);
    let out = w.taskctl(&["list"]).ok().stdout;
    let last = out.lines().last().unwrap();
    assert!(last == "next job in 89 s" || last == "next job in 90 s", "{out}");
    let empty = World::new();
    assert_eq!(empty.taskctl(&["list"]).ok().stdout, "no job queued\n");
    assert_eq!(empty.taskctl(&["list", "--json"]).ok().json(), serde_json::json!({"jobs": [], "next_due": null}));
}

#[test]
fn no_duplicate_by_args_returns_zero_and_names_the_queued_job() {
    let w = World::new();
    let first = w.add(&["noop", "x", "--no-duplicate"]);
    let dup = w.taskctl(&["add", "noop", "x", "--no-duplicate"]).ok();
    assert_eq!(dup.stdout, "0\n");
    assert!(dup.stderr.contains(&format!("duplicates queued job {first}")), "{dup:#?}");
    let json = w.taskctl(&["add", "noop", "x", "--no-duplicate", "--json"]).ok().json();
    assert_eq!(json, serde_json::json!({"id": 0, "added": false, "duplicate_of": first}));
    // Other args, or another handler location, are other work.
    assert_ne!(w.add(&["noop", "y", "--no-duplicate"]), 0);
    assert_eq!(w.jobs().len(), 2);
    let new = w.taskctl(&["add", "noop", "z", "--json"]).ok().json();
    assert_eq!(new["added"], true);
    assert_eq!(new["duplicate_of"], serde_json::Value::Null);
}

#[test]
fn no_duplicate_by_function_ignores_args() {
    let w = World::new();
    let first = w.add(&["noop", "x"]);
    let dup = w.taskctl(&["add", "noop", "other", "--no-duplicate=function", "--json"]).ok().json();
    assert_eq!(dup["duplicate_of"], first);
    assert_eq!(w.jobs().len(), 1);
}

#[test]
fn a_running_job_does_not_swallow_new_work() {
    let w = World::new();
    w.handler("slow", "sleep 2");
    let first = w.add(&["slow", "--no-duplicate"]);
    let mut worker = w.spawn_worker(&["-j", "1", "--once"]);
    wait_for(10, "job running", || w.status_of(first) == "running");
    let second = w.add(&["slow", "--no-duplicate"]);
    assert_ne!(second, 0, "a running job must not count as a duplicate");
    assert_eq!(w.add(&["slow", "--no-duplicate"]), 0, "but the queued one does");
    worker.wait().unwrap();
}

#[test]
fn eight_concurrent_no_duplicate_adds_make_exactly_one_job() {
    let w2 = World::new();
    w2.add(&["noop", "warm-up-the-store"]);
    // Start all eight before any of them finishes: the race is real.
    let procs: Vec<_> = (0..8)
        .map(|_| {
            w2.command()
                .args(["add", "noop", "same", "--no-duplicate", "--json"])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let outs: Vec<serde_json::Value> = procs
        .into_iter()
        .map(|p| {
            let out = p.wait_with_output().expect("wait");
            assert!(out.status.success(), "{out:?}");
            serde_json::from_slice(&out.stdout).expect("json")
        })
        .collect();
    let added: Vec<_> = outs.iter().filter(|o| o["added"] == true).collect();
    assert_eq!(added.len(), 1, "{outs:?}");
    let id = added[0]["id"].clone();
    assert!(outs.iter().filter(|o| o["added"] == false).all(|o| o["duplicate_of"] == id), "{outs:?}");
    assert_eq!(w2.jobs().len(), 2);
}

#[test]
fn priority_outside_the_range_is_a_usage_error() {
    let w = World::new();
    w.taskctl(&["add", "noop", "-p", "11"]).code(64).one_line_error("11 is not in -10..=10");
    w.taskctl(&["add", "noop", "-p", "-11"]).code(64).one_line_error("-11");
    assert_eq!(w.add(&["noop", "-p", "-10"]), 1);
}

#[test]
fn bad_times_and_durations_are_usage_errors() {
    let w = World::new();
    w.taskctl(&["add", "noop", "--at", "tomorrowish"]).code(64).one_line_error("bad time");
    w.taskctl(&["add", "noop", "--in", "5"]).code(64).one_line_error("bad duration");
    w.taskctl(&["add", "noop", "--timeout", "soon"]).code(64).one_line_error("bad duration");
    w.taskctl(&["add", "no/slash"]).code(64).one_line_error("bad function name");
    w.taskctl(&["add", "noop", "--object", "nocolon"]).code(64).one_line_error("TYPE:ID");
    assert!(w.jobs().is_empty());
}

#[test]
fn at_zero_or_in_the_past_is_due_at_once_and_at_accepts_several_forms() {
    let w = World::new();
    let past = w.add(&["noop", "--at", "2001-02-03 04:05:06"]);
    let zero = w.add(&["noop", "--at", "0"]);
    let unix = w.add(&["noop", "--at", "@4102444800"]);
    let rfc = w.add(&["noop", "--at", "2100-01-01T00:00:00Z"]);
    assert_eq!(w.job(unix)["due_at"], "2100-01-01T00:00:00.000000Z");
    assert_eq!(w.job(rfc)["due_at"], "2100-01-01T00:00:00.000000Z");
    w.drain("2");
    assert_eq!(w.status_of(past), "done");
    assert_eq!(w.status_of(zero), "done");
    assert_eq!(w.status_of(unix), "queued");
}

#[test]
fn unknown_function_warns_at_add_but_is_queued() {
    let w = World::new();
    let run = w.taskctl(&["add", "nosuchthing"]).ok();
    assert_eq!(run.stdout, "1\n");
    assert!(run.stderr.contains("unknown function \"nosuchthing\""), "{run:#?}");
}

#[test]
fn batch_adds_every_line_in_one_go() {
    let w = World::new();
    let input = "{\"function\":\"noop\",\"args\":[\"1\"]}\n\n{\"function\":\"noop\",\"priority\":5,\"description\":\"d\",\"objects\":[\"article:7\"]}\n\
                 {\"function\":\"noop\",\"args\":[\"1\"],\"no_duplicate\":true}\n{\"function\":\"noop\",\"in\":\"1h\"}\n{\"function\":\"noop\",\"at\":4102444800}\n";
    let run = w.taskctl_stdin(&["add", "--batch"], input).ok();
    assert_eq!(run.stdout, "1\n2\n0\n3\n4\n");
    assert_eq!(w.job(2)["priority"], 5);
    assert_eq!(w.job(2)["objects"], serde_json::json!(["article:7"]));
    assert_eq!(w.job(4)["due_at"], "2100-01-01T00:00:00.000000Z");
}

#[test]
fn a_bad_batch_line_adds_nothing_and_names_its_line() {
    let w = World::new();
    let input = "{\"function\":\"noop\"}\n{\"function\":\"noop\"}\n{\"function\":\"noop\",\"colour\":\"red\"}\n";
    w.taskctl_stdin(&["add", "--batch"], input).code(65).one_line_error("stdin:3: unknown field `colour`");
    w.taskctl_stdin(&["add", "--batch"], "{\"function\":\"noop\"}\nnot json\n").code(65).one_line_error("stdin:2:");
    w.taskctl_stdin(&["add", "--batch"], "{\"function\":\"noop\",\"priority\":12}\n")
        .code(65)
        .one_line_error("stdin:1: priority 12");
    assert!(w.jobs().is_empty());
}

#[test]
fn link_attaches_jobs_to_objects() {
    let w = World::new();
    let a = w.add(&["noop", "a"]);
    let b = w.add(&["noop", "b", "--object", "article:23"]);
    w.add(&["noop", "c"]);
    w.taskctl(&["link", &a.to_string(), "article:23", "document:5"]).ok();
    w.taskctl(&["link", &a.to_string(), "article:23"]).ok(); // twice is harmless
    let linked = w.taskctl(&["list", "--object", "article:23", "--json"]).ok().json();
    let ids: Vec<i64> = linked["jobs"].as_array().unwrap().iter().map(|j| j["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![a, b]);
    assert_eq!(w.job(a)["objects"], serde_json::json!(["article:23", "document:5"]));
    w.taskctl(&["link", "99", "article:1"]).code(1).one_line_error("no job 99");
    w.taskctl(&["link", "1", "bad"]).code(64).one_line_error("TYPE:ID");
}

#[test]
fn list_filters_by_status_and_function() {
    let w = World::new();
    w.add(&["noop"]);
    w.handler("other", "exit 0");
    w.add(&["other"]);
    w.add(&["noop", "--in", "1h"]);
    w.drain("1");
    let done = w.taskctl(&["list", "--status", "done", "--json"]).ok().json();
    assert_eq!(done["jobs"].as_array().unwrap().len(), 2);
    let noop = w.taskctl(&["list", "--function", "noop", "--status", "queued", "--json"]).ok().json();
    assert_eq!(noop["jobs"].as_array().unwrap().len(), 1);
    w.taskctl(&["list", "--status", "sleeping"]).code(64);
}

#[test]
fn show_of_a_missing_job_fails_with_one_line() {
    let w = World::new();
    w.taskctl(&["show", "42"]).code(1).one_line_error("no job 42");
    w.add(&["noop"]);
    let shown = w.taskctl(&["show", "1"]).ok().stdout;
    assert!(shown.contains("status:") && shown.contains("queued"), "{shown}");
}

#[test]
fn job_json_has_one_stable_shape() {
    let w = World::new();
    let id = w.add(&["noop", "a", "--object", "doc:1"]);
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    let want = [
        "args",
        "attempt",
        "created_at",
        "description",
        "due_at",
        "exit_code",
        "failures",
        "file",
        "finished_at",
        "function",
        "id",
        "last_error",
        "max_attempts",
        "objects",
        "priority",
        "started_at",
        "status",
        "timeout_ms",
        "worker_pid",
    ];
    assert_eq!(keys(&w.job(id)), want);
    let list = w.taskctl(&["list", "--json"]).ok().json();
    assert_eq!(keys(&list), ["jobs", "next_due"]);
    assert_eq!(keys(&list["jobs"][0]), want);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let w = World::new();
    let lines: String = (0..3000).map(|_| "{\"function\":\"noop\"}\n").collect();
    w.taskctl_stdin(&["add", "--batch"], &lines).ok();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("'{}' list | head -n 1", crate::util::TASKCTL))
        .env("PHR_CONFIG", w.config())
        .env("PHR_DATA_DIR", w.data())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ID"));
}
