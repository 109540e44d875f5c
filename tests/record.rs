//! `phr-record`: records listed, filtered, changed and removed as an admin would, on records
//! archived from a real hot folder.

use crate::archive::{archive, databox_world, hot, records, PHR_RECORD};
use crate::util::{jpeg, write_tags};

fn record_ids(w: &crate::util::World, args: &[&str]) -> Vec<i64> {
    let mut full = vec!["list", "--json"];
    full.extend_from_slice(args);
    let run = w.phr(PHR_RECORD, &full).ok();
    run.json()["records"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

#[test]
fn records_are_filtered_changed_marked_and_removed() {
    let w = databox_world();
    jpeg(&hot(&w).join("a.jpg"), 1);
    write_tags(&hot(&w).join("a.jpg"), &["-IPTC:Keywords=été", "-IPTC:Keywords=sun"]);
    jpeg(&hot(&w).join("b.jpg"), 2);
    archive(&w, &[]).ok();
    let (a, b) = (1, 2);
    assert_eq!(record_ids(&w, &[]), vec![b, a], "newest first");
    assert_eq!(record_ids(&w, &["--field", "Keywords=été"]), vec![a]);
    assert_eq!(record_ids(&w, &["--collection", "68"]), vec![b, a], "a collection by its Phraseanet id");
    assert!(record_ids(&w, &["--collection", "archives"]).is_empty());
    assert_eq!(record_ids(&w, &["--since", "2000-01-01", "--until", "2999-01-01"]), vec![b, a]);
    assert!(record_ids(&w, &["--until", "2000-01-01"]).is_empty());

    // Fields: set, multi-valued, typed, cleared; the record is marked for write-back.
    w.phr(PHR_RECORD, &["set", "2", "Keywords", "one", "deux"]).ok();
    w.phr(PHR_RECORD, &["set", "2", "Title", "Un titre"]).ok();
    w.phr(PHR_RECORD, &["set", "2", "Title", "x", "y"]).code(64).one_line_error("takes one value");
    w.phr(PHR_RECORD, &["set", "2", "Date", "not a date"]).code(64).one_line_error("not a date");
    w.phr(PHR_RECORD, &["set", "2", "Nope", "x"]).code(64).one_line_error("unknown field \"Nope\"");
    w.phr(PHR_RECORD, &["set", "99", "Title", "x"]).code(1).one_line_error("no record 99");
    w.phr(PHR_RECORD, &["set", "1", "Keywords"]).ok();
    let show = w.phr(PHR_RECORD, &["show", "2", "--json"]).ok().json();
    assert_eq!(show["fields"]["Keywords"], serde_json::json!(["one", "deux"]));
    assert!(show["pending"].as_array().unwrap().contains(&serde_json::json!("meta-write")), "{show}");
    assert!(w.phr(PHR_RECORD, &["show", "1", "--json"]).ok().json()["fields"].get("Keywords").is_none());

    // Status bits by mask (bit 0 rightmost) and by name; filters by mask.
    w.phr(PHR_RECORD, &["status", "1", "--mask", "1x0xxxx"]).ok();
    w.phr(PHR_RECORD, &["status", "2", "--on", "published"]).ok();
    assert_eq!(record_ids(&w, &["--status", "1xxxxxx"]), vec![a]);
    assert_eq!(record_ids(&w, &["--status", "x1xxxx"]), vec![b]);
    assert_eq!(record_ids(&w, &["--status", "0xxxxxxx"]), vec![b, a], "bit 7 is clear on both");
    w.phr(PHR_RECORD, &["status", "1", "--mask", "12x"]).code(64).one_line_error("not 0, 1 or x");
    w.phr(PHR_RECORD, &["status", "1", "--on", "nosuch"]).code(64).one_line_error("unknown status bit");
    let text = w.phr(PHR_RECORD, &["show", "1"]).ok().stdout;
    assert!(text.contains("1000000 (checked)"), "{text}");

    // Marked for work again, listed by it.
    w.phr(PHR_RECORD, &["mark", "1", "--work", "meta-read"]).ok();
    assert_eq!(record_ids(&w, &["--pending", "meta-read"]), vec![a]);

    // Removed with its file.
    let stored = w.data().join(records(&w)[0]["stored_path"].as_str().unwrap());
    assert!(stored.is_file());
    w.phr(PHR_RECORD, &["rm", "1"]).ok();
    assert!(!stored.exists());
    w.phr(PHR_RECORD, &["rm", "1"]).code(1).one_line_error("no record 1");
    assert_eq!(record_ids(&w, &[]), vec![b]);
    let table = w.phr(PHR_RECORD, &["list"]).ok().stdout;
    assert!(table.starts_with("ID") && table.contains("b.jpg"), "{table}");
}

#[test]
fn meta_read_rereads_marked_records_as_a_task_a_command_and_a_job() {
    let w = databox_world();
    jpeg(&hot(&w).join("a.jpg"), 1);
    archive(&w, &[]).ok();
    // The structure changes: a field now reads a tag the file had all along.
    let file = w.data().join(records(&w)[0]["stored_path"].as_str().unwrap());
    write_tags(&file, &["-IPTC:ObjectName=from the file"]);
    w.phr(PHR_RECORD, &["mark", "1", "--work", "meta-read"]).ok();
    let meta = env!("CARGO_BIN_EXE_phr-meta");
    w.phr(meta, &["read", "--once"]).ok();
    let r = &records(&w)[0];
    assert_eq!(r["fields"]["Title"], serde_json::json!(["from the file"]));
    assert!(!r["pending"].as_array().unwrap().contains(&serde_json::json!("meta-read")), "{r}");
    // As a job of the queue, run isolated as `phr-meta read --job ID`.
    write_tags(&file, &["-IPTC:ObjectName=second"]);
    let id = w.add(&["meta-read", "1"]);
    w.drain("1");
    assert_eq!(w.status_of(id), "done", "{}", w.job(id));
    assert_eq!(records(&w)[0]["fields"]["Title"], serde_json::json!(["second"]));
    w.phr(meta, &["read", "--once", "--record", "42"])
        .code(65)
        .stderr
        .contains("no record 42")
        .then_some(())
        .expect("set aside");
    w.phr(meta, &["nope"]).code(64).one_line_error("unknown subcommand");
}
