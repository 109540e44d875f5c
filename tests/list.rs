//! `taskctl list`'s table fits the terminal (80 columns or $COLUMNS when not one, `--wide` for
//! whole cells), shows control characters escaped and arguments quoted as a shell would.

use crate::util::World;

fn list(w: &World, columns: Option<&str>, args: &[&str]) -> String {
    let mut cmd = w.command();
    cmd.arg("list").args(args).env_remove("COLUMNS");
    if let Some(c) = columns {
        cmd.env("COLUMNS", c);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn a_huge_argument_is_cut_to_the_width_and_wide_shows_it_whole() {
    let w = World::new();
    let huge = "x".repeat(130_000);
    w.taskctl_stdin(
        &["add", "--batch"],
        &format!("{{\"function\":\"noop\",\"args\":[\"{huge}\"],\"description\":\"long\"}}\n"),
    )
    .ok();
    w.add(&["noop", "short", "-d", "small"]);
    let table = list(&w, None, &[]);
    assert!(widest(&table) <= 80, "{}", &table[..table.len().min(2000)]);
    assert!(table.contains("noop xxx") && table.contains('…'), "{table}");
    assert!(table.contains("noop short") && table.contains("small"), "cells that fit are whole: {table}");
    let table = list(&w, Some("120"), &[]);
    assert!(widest(&table) <= 120 && widest(&table) > 80, "{table}");
    let whole = list(&w, None, &["--wide"]);
    assert!(whole.contains(&format!("noop {huge}  long")), "--wide shows every cell whole");
    assert!(!whole.contains('…'));
}

#[test]
fn control_characters_are_escaped_in_the_table_and_show_but_not_in_json() {
    let w = World::new();
    let desc = "red \u{1b}[31mALERT\u{1b}[0m\tend\nnext";
    let id = w.add(&["noop", "-d", desc, "--", "-a\u{1b}b"]);
    let table = list(&w, None, &["--wide"]);
    assert!(!table.contains('\u{1b}') && !table.contains('\t'), "{table:?}");
    assert!(table.contains("red \\x1b[31mALERT\\x1b[0m\\tend\\nnext"), "{table}");
    assert!(table.contains("noop $'-a\\x1bb'"), "{table}");
    let shown = w.taskctl(&["show", &id.to_string()]).ok().stdout;
    assert!(!shown.contains('\u{1b}'), "{shown:?}");
    assert!(shown.contains("description:  red \\x1b[31mALERT\\x1b[0m\\tend\\nnext"), "{shown}");
    assert_eq!(w.job(id)["description"], desc, "JSON keeps the text verbatim");
}

#[test]
fn arguments_are_quoted_as_a_shell_would() {
    let w = World::new();
    w.add(&["noop", "one", "two three", "it's", "", "a=b/c.d"]);
    let table = list(&w, Some("200"), &[]);
    assert!(table.contains("noop one 'two three' 'it'\\''s' '' a=b/c.d"), "{table}");
}

#[test]
fn the_status_table_fits_too() {
    let w = World::new();
    let long = format!("t{}", "x".repeat(59));
    w.task(&long, "kind = \"exec\"\nperiod = \"1h\"\n[settings]\ncommand = [\"true\"]\n");
    let status = |args: &[&str]| {
        let out = w.command().arg("status").args(args).env("COLUMNS", "70").output().unwrap();
        assert!(out.stderr.is_empty(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let table = status(&[]);
    assert!(widest(&table) <= 70, "{table}");
    assert!(table.contains("txxx") && table.contains('…') && table.contains("exec"), "{table}");
    let whole = status(&["--wide"]);
    assert!(whole.contains(&long) && !whole.contains('…'), "{whole}");
}
