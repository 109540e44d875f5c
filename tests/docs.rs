//! Man pages and completions are generated from the clap definitions; the checked-in copies
//! must match what `cargo run --example gen-docs` writes today.

#[path = "../examples/gen-docs.rs"]
mod gen_docs;

use std::path::Path;

#[test]
fn man_pages_and_completions_are_current() {
    let tmp = tempfile::tempdir().unwrap();
    gen_docs::generate(tmp.path()).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for sub in ["man", "completions"] {
        for entry in std::fs::read_dir(tmp.path().join(sub)).unwrap() {
            let entry = entry.unwrap();
            let fresh = std::fs::read(entry.path()).unwrap();
            let committed = std::fs::read(root.join(sub).join(entry.file_name())).unwrap_or_default();
            assert!(
                fresh == committed,
                "{sub}/{} is stale: run `cargo run --example gen-docs`",
                entry.file_name().to_string_lossy()
            );
            checked += 1;
        }
    }
    assert!(checked >= 4, "expected man pages and completions, found {checked} files");
}

/// Every field `--batch` accepts, as serde lists them when refusing an unknown one.
fn batch_fields() -> Vec<String> {
    let w = crate::util::World::new();
    let run = w.taskctl_stdin(&["add", "--batch"], "{\"function\":\"noop\",\"zzz\":1}\n").code(65);
    let list = run.stderr.split("expected one of ").nth(1).unwrap_or_else(|| panic!("{run:#?}"));
    let list = list.split(" at line ").next().unwrap();
    let fields: Vec<String> = list.split(',').map(|f| f.trim().trim_matches('`').to_string()).collect();
    assert!(fields.len() >= 10 && fields.contains(&"function".to_string()), "{fields:?}");
    fields
}

#[test]
fn the_batch_format_is_documented_in_add_help_man_page_and_readme_with_a_working_example() {
    let w = crate::util::World::new();
    let help = w.taskctl(&["add", "--help"]).ok().stdout;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let man = std::fs::read_to_string(root.join("man/taskctl-add.1")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for field in batch_fields() {
        assert!(help.contains(&format!("\"{field}\"")), "{field} missing from taskctl add --help:\n{help}");
        assert!(man.contains(&format!("\"{field}\"")), "{field} missing from man/taskctl-add.1");
        assert!(readme.contains(&format!("| `{field}`")), "{field} missing from the README's batch table");
    }
    // The example in the help is valid input, and adds what it says.
    let example: String =
        help.lines().filter(|l| l.trim_start().starts_with("{\"")).map(|l| format!("{}\n", l.trim())).collect();
    assert_eq!(example.lines().count(), 2, "{help}");
    assert_eq!(w.taskctl_stdin(&["add", "--batch"], &example).ok().stdout, "1\n2\n");
    assert_eq!(w.job(1)["args"], serde_json::json!(["a b.jpg", "256"]));
    assert_eq!(w.job(2)["priority"], 5);
    assert!(readme.contains(example.lines().next().unwrap()), "the README shows the same example");
}
