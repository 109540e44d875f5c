//! Usage errors: one line on stderr that says everything wrong (missing arguments by name) and
//! points at the help of the subcommand in use; exit 64. Negative durations reach our parser.

use crate::util::World;

#[test]
fn a_missing_argument_is_named_and_the_subcommand_help_is_pointed_at() {
    let w = World::new();
    w.taskctl(&["add"]).code(64).one_line_error("missing required argument: <FUNCTION> (see 'taskctl add --help')");
    w.taskctl(&["link", "1"])
        .code(64)
        .one_line_error("missing required argument: <OBJECTS>... (see 'taskctl link --help')");
    w.taskctl(&["pass"]).code(64).one_line_error("<TASK> (see 'taskctl pass --help')");
}

#[test]
fn every_usage_error_points_at_its_subcommand_help() {
    let w = World::new();
    w.taskctl(&["add", "noop", "--bogus"]).code(64).one_line_error("'--bogus' found (see 'taskctl add --help')");
    let config = w.config().display().to_string();
    w.taskctl(&["--config", &config, "list", "--status", "sleeping"])
        .code(64)
        .one_line_error("possible values: queued, running, done, dead (see 'taskctl list --help')");
    w.taskctl(&["work", "-j", "0"]).code(64).one_line_error("(see 'taskctl work --help')");
    w.taskctl(&["bogus"]).code(64).one_line_error("unrecognized subcommand 'bogus' (see 'taskctl --help')");
    let sched = w.tasksched().arg("--bogus").output().unwrap();
    let stderr = String::from_utf8_lossy(&sched.stderr);
    assert_eq!(sched.status.code(), Some(64), "{stderr}");
    assert_eq!(stderr, "tasksched: unexpected argument '--bogus' found (see 'tasksched --help')\n");
}

#[test]
fn negative_durations_are_refused_by_our_parser_not_taken_for_options() {
    let w = World::new();
    w.taskctl(&["add", "noop", "--in", "-5s"])
        .code(64)
        .one_line_error("bad duration \"-5s\": a duration cannot be negative");
    w.taskctl(&["add", "noop", "--timeout", "-1m"]).code(64).one_line_error("a duration cannot be negative");
    w.taskctl(&["add", "noop", "--at", "-5"]).code(64).one_line_error("bad time \"-5\"");
    w.taskctl(&["add", "noop", "--timeout", "0.5ns"]).code(64).one_line_error("out of range: from 1ns to 100 years");
    assert!(w.jobs().is_empty());
}
