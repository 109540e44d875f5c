//! Due times: `--at`, `--in` and `--batch`'s "at"/"in" follow one set of rules (a past time is
//! now, before 1970 or more than 100 years ahead is refused) and say so in our own words.

use crate::util::World;

/// Seconds between a job's due time and its creation time.
fn due_after_creation(job: &serde_json::Value) -> i64 {
    let t = |k: &str| chrono::DateTime::parse_from_rfc3339(job[k].as_str().unwrap()).unwrap().timestamp();
    t("due_at") - t("created_at")
}

#[test]
fn at_is_bounded_like_in() {
    let w = World::new();
    for far in ["@99999999999999999", "@99999999999999999999999", "2200-01-01", "9999-12-31T00:00:00Z"] {
        w.taskctl(&["add", "noop", "--at", far]).code(64).one_line_error("more than 100 years ahead");
    }
    w.taskctl(&["add", "noop", "--in", "101years"]).code(64).one_line_error("more than 100 years");
    w.taskctl(&["add", "noop", "--at", "@-5"]).code(64).one_line_error("before 1970");
    w.taskctl(&["add", "noop", "--at", "1969-12-31T00:00:00Z"]).code(64).one_line_error("before 1970");
    assert!(w.jobs().is_empty());
    // The farthest allowed times still show a due time.
    let id = w.add(&["noop", "--at", "@4102444800"]);
    assert_eq!(w.job(id)["due_at"], "2100-01-01T00:00:00.000000Z");
    let listed = w.taskctl(&["list"]).ok().stdout;
    assert!(listed.contains("2100-01-0") || listed.contains("2099-12-31"), "{listed}");
}

#[test]
fn every_past_time_means_now_on_the_command_line_and_in_a_batch() {
    let w = World::new();
    for at in ["0", "now", "@0", "@1", "2001-02-03 04:05:06"] {
        let id = w.add(&["noop", "--at", at]);
        let job = w.job(id);
        assert!(due_after_creation(&job).abs() <= 2, "--at {at}: {job}");
    }
    let batch = "{\"function\":\"noop\",\"at\":0}\n{\"function\":\"noop\",\"at\":\"0\"}\n{\"function\":\"noop\",\"at\":\"@0\"}\n";
    let ids = w.taskctl_stdin(&["add", "--batch"], batch).ok().stdout;
    for id in ids.lines() {
        let job = w.job(id.parse().unwrap());
        assert!(due_after_creation(&job).abs() <= 2, "batch: {job}");
    }
}

#[test]
fn batch_at_is_parsed_exactly_like_the_option() {
    let w = World::new();
    let far = "{\"function\":\"noop\"}\n{\"function\":\"noop\",\"at\":99999999999999999}\n";
    w.taskctl_stdin(&["add", "--batch"], far)
        .code(65)
        .one_line_error("stdin:2: bad time \"@99999999999999999\": more than 100 years ahead");
    w.taskctl_stdin(&["add", "--batch"], "{\"function\":\"noop\",\"at\":-5}\n")
        .code(65)
        .one_line_error("stdin:1: bad time \"@-5\": before 1970");
    w.taskctl_stdin(&["add", "--batch"], "{\"function\":\"noop\",\"at\":1.5}\n")
        .code(65)
        .one_line_error("stdin:1: at must be whole seconds");
    let both = "{\"function\":\"noop\"}\n{\"function\":\"noop\",\"at\":\"@4102444800\",\"in\":\"1h\"}\n";
    w.taskctl_stdin(&["add", "--batch"], both).code(65).one_line_error("stdin:2: give \"at\" or \"in\", not both");
    assert!(w.jobs().is_empty());
    w.taskctl(&["add", "noop", "--at", "@4102444800", "--in", "1h"]).code(64);
}

#[test]
fn duration_errors_are_in_our_words() {
    let w = World::new();
    let cases = [
        ("0.5ns", "out of range: from 1ns to 100 years"),
        ("99999999999999999999999s", "out of range"),
        ("5", "no unit"),
        ("5 parsecs", "unknown unit \"parsecs\""),
        ("", "empty"),
    ];
    for (text, want) in cases {
        let run = w.taskctl(&["add", "noop", "--in", text]).code(64).one_line_error(want);
        assert!(!run.stderr.contains("not supported") && !run.stderr.contains("supported units"), "{run:#?}");
    }
    w.taskctl(&["add", "noop", "--timeout", "1e3s"]).code(64).one_line_error("bad duration \"1e3s\"");
}
