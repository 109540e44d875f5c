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
