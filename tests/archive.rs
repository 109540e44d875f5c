//! `phr-archive` on real hot folders: Phraseanet's `.phrasea.xml`, masks, captions, stories and
//! magic files; metadata written by exiftool read into fields; failures set aside with their
//! reason; `kill -9` at any moment losing nothing and archiving nothing twice.

use crate::util::{jpeg, wait_for, write_tags, World};
use std::path::{Path, PathBuf};

pub const PHR_ARCHIVE: &str = env!("CARGO_BIN_EXE_phr-archive");
pub const PHR_RECORD: &str = env!("CARGO_BIN_EXE_phr-record");

/// A world whose config declares fields, status bits and two collections with Phraseanet ids.
pub fn databox_world() -> World {
    let w = World::new();
    let config = std::fs::read_to_string(w.config()).unwrap();
    std::fs::write(
        w.config(),
        format!(
            "{config}\n[fields.Title]\nsources = [\"XMP-dc:Title\", \"IPTC:ObjectName\"]\n\
             [fields.Keywords]\nmulti = true\nsources = [\"IPTC:Keywords\", \"XMP-dc:Subject\"]\n\
             [fields.Date]\ntype = \"date\"\nsources = [\"EXIF:DateTimeOriginal\"]\n\
             [fields.Ville]\nsources = [\"XMP-photoshop:City\"]\n\
             [status]\n4 = \"published\"\n6 = \"checked\"\n\
             [collections.photos]\nid = 68\n[collections.archives]\nid = 3\n"
        ),
    )
    .unwrap();
    std::fs::create_dir_all(hot(&w)).unwrap();
    std::fs::write(hot(&w).join(".phrasea.xml"), "<record/>").unwrap();
    w
}

pub fn hot(w: &World) -> PathBuf {
    w.path("hot")
}

fn archived(w: &World) -> PathBuf {
    w.path("hot_archived")
}

fn errors(w: &World) -> PathBuf {
    w.path("hot_error")
}

/// `phr-archive --once` on the world's hot folder into `photos`, with `extra` flags.
pub fn archive(w: &World, extra: &[&str]) -> crate::util::Run {
    let hot = hot(w);
    let mut args = vec!["--hotfolder", hot.to_str().unwrap(), "--collection", "photos", "--delay", "0s", "--once"];
    args.extend_from_slice(extra);
    w.phr(PHR_ARCHIVE, &args)
}

/// Every record, as `phr-record list --json` gives them, oldest first.
pub fn records(w: &World) -> Vec<serde_json::Value> {
    let mut all = w.phr(PHR_RECORD, &["list", "--json"]).ok().json()["records"].as_array().unwrap().clone();
    all.reverse();
    all
}

fn by_name<'a>(records: &'a [serde_json::Value], name: &str) -> &'a serde_json::Value {
    records.iter().find(|r| r["original_name"] == name).unwrap_or_else(|| panic!("no record {name}: {records:#?}"))
}

fn sha256(path: &Path) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(std::fs::read(path).unwrap());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_hot_folder_is_archived_with_its_metadata_and_files_are_moved() {
    let w = databox_world();
    let hot = hot(&w);
    jpeg(&hot.join("forest.jpg"), 1);
    write_tags(
        &hot.join("forest.jpg"),
        &[
            "-XMP-dc:Title=Ballade en forêt",
            "-IPTC:Keywords=arbre",
            "-IPTC:Keywords=terre",
            "-EXIF:DateTimeOriginal=2014:12:31 10:11:12",
            "-XMP-photoshop:City=Orléans",
        ],
    );
    jpeg(&hot.join("plain.jpg"), 2); // no metadata at all
    let original = sha256(&hot.join("forest.jpg"));
    std::fs::write(hot.join(".hidden.jpg"), b"dot files are ignored").unwrap();
    std::fs::write(hot.join("Thumbs.db"), b"so is this").unwrap();
    archive(&w, &[]).ok();
    let all = records(&w);
    assert_eq!(all.len(), 2, "{all:#?}");
    let forest = by_name(&all, "forest.jpg");
    assert_eq!(forest["collection"], "photos");
    assert_eq!(forest["fields"]["Title"], serde_json::json!(["Ballade en forêt"]));
    assert_eq!(forest["fields"]["Keywords"], serde_json::json!(["arbre", "terre"]));
    assert_eq!(forest["fields"]["Date"], serde_json::json!(["2014-12-31T10:11:12"]));
    assert_eq!(forest["fields"]["Ville"], serde_json::json!(["Orléans"]));
    assert_eq!(forest["mime"], "image/jpeg");
    assert_eq!((forest["width"].as_i64(), forest["height"].as_i64()), (Some(64), Some(48)));
    assert_eq!(forest["sha256"], original);
    assert_eq!(forest["pending"], serde_json::json!(["subdefs", "index"]));
    let stored = w.data().join(forest["stored_path"].as_str().unwrap());
    assert_eq!(sha256(&stored), original, "the stored original is the file, byte for byte");
    assert!(by_name(&all, "plain.jpg")["fields"].as_object().unwrap().is_empty());
    assert!(archived(&w).join("forest.jpg").is_file() && !hot.join("forest.jpg").exists());
    assert!(hot.join(".hidden.jpg").exists() && hot.join("Thumbs.db").exists(), "ignored files stay");
    // Exported back out, the original is unchanged.
    let out = w.path("export.jpg");
    w.phr(PHR_RECORD, &["export", &forest["id"].to_string(), "-o", out.to_str().unwrap()]).ok();
    assert_eq!(sha256(&out), original);
}

#[test]
fn without_a_phrasea_xml_at_its_root_the_task_refuses_until_one_is_added() {
    let w = databox_world();
    std::fs::remove_file(hot(&w).join(".phrasea.xml")).unwrap();
    jpeg(&hot(&w).join("a.jpg"), 1);
    archive(&w, &[]).code(75).one_line_error("no .phrasea.xml at its root");
    assert!(hot(&w).join("a.jpg").exists());
    std::fs::write(hot(&w).join(".phrasea.xml"), "<record/>").unwrap();
    archive(&w, &[]).ok();
    assert_eq!(records(&w).len(), 1);
}

#[test]
fn a_phraseanet_hot_folder_works_unchanged() {
    let w = databox_world();
    let hot = hot(&w);
    w.task(
        "hot",
        &format!(
            "kind = \"archive\"\nperiod = \"1h\"\nautostart = false\n[settings]\nhotfolder = \"{}\"\ncollection = \"photos\"\n\
             delay = \"0s\"\nstatus = \"1xxxx\"\nfiles = [{{ mask = '^(.*)\\.(jpg|tif)$', caption = '$1.xml' }}, {{ mask = '^.*\\.png$' }}]\n\
             groupings = [{{ mask = '^(.*)\\.grp$', caption = '$1.grp.xml' }}]\n",
            hot.display()
        ),
    );
    // A captioned file, its sidecar's fields over the file's own, and a status mask.
    jpeg(&hot.join("one.jpg"), 1);
    write_tags(&hot.join("one.jpg"), &["-XMP-dc:Title=from the file", "-IPTC:Keywords=file"]);
    std::fs::write(
        hot.join("one.xml"),
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><record><description><Title>Ballade en for\u{ea}t</Title>\
         <Keywords>arbre</Keywords><Keywords>terre</Keywords></description><status>1000000</status></record>"
            .replace('\u{ea}', "\u{fffd}"),
    )
    .unwrap();
    let latin1: Vec<u8> = std::fs::read(hot.join("one.xml")).unwrap();
    let latin1: Vec<u8> =
        String::from_utf8(latin1).unwrap().chars().map(|c| if c == '\u{fffd}' { 0xea } else { c as u8 }).collect();
    std::fs::write(hot.join("one.xml"), latin1).unwrap();
    // Captions missing, naming an unknown field, or not XML: set aside with the reason.
    jpeg(&hot.join("nocaption.jpg"), 2);
    jpeg(&hot.join("badfield.jpg"), 3);
    std::fs::write(hot.join("badfield.xml"), "<record><description><Nope>x</Nope></description></record>").unwrap();
    jpeg(&hot.join("notxml.jpg"), 4);
    std::fs::write(hot.join("notxml.xml"), "this is not <xml").unwrap();
    std::fs::write(hot.join("readme.txt"), "no mask takes me").unwrap();
    // A folder redirected to collection 3 by id, gated by a magic file it waits for.
    let sub = hot.join("to-archives");
    jpeg(&sub.join("a.png"), 5);
    std::fs::write(
        sub.join(".phrasea.xml"),
        "<record collection=\"3\"><magicfile method=\"unlock\">_ok.txt</magicfile></record>",
    )
    .unwrap();
    // A folder locked while its magic file exists.
    let locked = hot.join("locked");
    jpeg(&locked.join("l.png"), 6);
    std::fs::write(locked.join(".phrasea.xml"), "<record><magicfile method=\"lock\">_wait.txt</magicfile></record>")
        .unwrap();
    std::fs::write(locked.join("_wait.txt"), "").unwrap();
    // A story: the x.grp folder, described by x.grp.xml.
    let story = hot.join("x.grp");
    jpeg(&story.join("s1.png"), 7);
    jpeg(&story.join("s2.png"), 8);
    std::fs::write(hot.join("x.grp.xml"), "<record><description><Title>A story</Title></description></record>")
        .unwrap();
    // An unknown collection in a .phrasea.xml: that folder waits, with the reason.
    let unknown = hot.join("unknown");
    jpeg(&unknown.join("u.png"), 9);
    std::fs::write(unknown.join(".phrasea.xml"), "<record collection=\"999\"/>").unwrap();

    let pass = w.taskctl(&["pass", "hot"]).ok();
    let all = records(&w);
    let one = by_name(&all, "one.jpg");
    assert_eq!(one["fields"]["Title"], serde_json::json!(["Ballade en forêt"]), "{pass:#?}");
    assert_eq!(one["fields"]["Keywords"], serde_json::json!(["arbre", "terre"]));
    assert_eq!(one["status_bits"], serde_json::json!({"published": true, "checked": true}));
    assert!(archived(&w).join("one.xml").exists(), "the caption goes with its file");
    for (name, reason) in [
        ("nocaption.jpg", "caption"),
        ("badfield.jpg", "unknown field \"Nope\""),
        ("notxml.jpg", "not valid XML"),
        ("readme.txt", "matches no file mask"),
    ] {
        let why = std::fs::read_to_string(errors(&w).join(format!("{name}.error"))).unwrap_or_default();
        assert!(why.contains(reason), "{name}: {why:?} lacks {reason:?}");
        assert!(errors(&w).join(name).exists() && !hot.join(name).exists());
    }
    assert!(sub.join("a.png").exists(), "waits for _ok.txt");
    assert!(locked.join("l.png").exists(), "waits while _wait.txt exists");
    assert!(unknown.join("u.png").exists(), "a folder naming an unknown collection waits");
    let story_record = all.iter().find(|r| r["kind"] == "story").expect("a story");
    assert_eq!(story_record["fields"]["Title"], serde_json::json!(["A story"]));
    let members: Vec<i64> = story_record["members"].as_array().unwrap().iter().map(|m| m.as_i64().unwrap()).collect();
    assert_eq!(members.len(), 2, "{story_record:#}");
    assert!(story.join(".grouping.xml").exists());

    // The go for the gated folder, the lock lifted, and a file added to the story later.
    std::fs::write(sub.join("_ok.txt"), "").unwrap();
    std::fs::remove_file(locked.join("_wait.txt")).unwrap();
    jpeg(&story.join("s3.png"), 10);
    w.taskctl(&["pass", "hot"]).ok();
    let all = records(&w);
    assert_eq!(by_name(&all, "a.png")["collection"], "archives");
    assert!(!sub.join("_ok.txt").exists(), "an unlock magic file goes once the folder is archived");
    assert!(locked.join("_wait.txt").exists(), "a lock magic file comes back");
    let stories: Vec<_> = all.iter().filter(|r| r["kind"] == "story").collect();
    assert_eq!(stories.len(), 1, "a file added later joins the story");
    assert_eq!(stories[0]["members"].as_array().unwrap().len(), 3);
    assert!(by_name(&all, "s3.png")["stories"] == serde_json::json!([stories[0]["id"]]));
}

#[test]
fn duplicates_hostile_names_fresh_files_and_failures_that_stay() {
    let w = databox_world();
    let hot = hot(&w);
    jpeg(&hot.join("a.jpg"), 1);
    archive(&w, &[]).ok();
    jpeg(&hot.join("again.jpg"), 1); // the same bytes
    let weird: std::ffi::OsString = std::os::unix::ffi::OsStringExt::from_vec(b"bad\x1b[31m\xff name.jpg".to_vec());
    jpeg(&hot.join(&weird), 2);
    let run = archive(&w, &[]).ok();
    let why = std::fs::read_to_string(errors(&w).join("again.jpg.error")).unwrap_or_default();
    assert!(why.contains("duplicate of record 1"), "{why:?} {run:#?}");
    assert!(archived(&w).join(&weird).exists(), "a name that is not UTF-8 is archived and moved");
    assert_eq!(records(&w).len(), 2);
    jpeg(&hot.join("again2.jpg"), 1);
    archive(&w, &["--keep-duplicates"]).ok();
    assert_eq!(records(&w).len(), 3, "--keep-duplicates archives it anyway");
    // A file written just now is not taken before the delay.
    jpeg(&hot.join("fresh.jpg"), 3);
    w.phr(PHR_ARCHIVE, &["--hotfolder", hot.to_str().unwrap(), "--collection", "photos", "--delay", "1h", "--once"])
        .ok();
    assert!(hot.join("fresh.jpg").exists());
    // With move_error off, a failed file stays and is not retried until it changes.
    std::fs::write(hot.join("empty.jpg"), b"").unwrap();
    w.task(
        "keep",
        &format!(
            "kind = \"archive\"\nperiod = \"1h\"\nautostart = false\n[settings]\nhotfolder = \"{}\"\ncollection = \"photos\"\nmove_error = false\ndelay = \"1h\"\n",
            hot.display()
        ),
    );
    let first = w.taskctl(&["pass", "keep"]).ok();
    std::fs::write(hot.join("empty.jpg"), b"").unwrap(); // same size; only the time changes below
    let again = w.taskctl(&["pass", "keep"]).ok();
    assert!(hot.join("empty.jpg").exists(), "{first:#?}");
    assert!(!again.stderr.contains("empty.jpg"), "reported again although unchanged: {again:#?}");
}

#[test]
fn kill_9_at_any_moment_loses_nothing_and_archives_nothing_twice() {
    let w = databox_world();
    let hot = hot(&w);
    let n = 40;
    let mut expected = std::collections::BTreeMap::new();
    for i in 0..n {
        let path = hot.join(format!("f{i:02}.jpg"));
        jpeg(&path, i as u8);
        expected.insert(format!("f{i:02}.jpg"), sha256(&path));
    }
    for round in 0..12u64 {
        let mut child = w
            .program_command(PHR_ARCHIVE)
            .args(["--hotfolder", hot.to_str().unwrap(), "--collection", "photos", "--delay", "0s", "--once"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(15 + round * 9));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }
    archive(&w, &[]).ok(); // a last, whole pass
    wait_for(5, "hot folder empty", || {
        std::fs::read_dir(&hot).unwrap().flatten().all(|e| e.file_name() == ".phrasea.xml")
    });
    let all = records(&w);
    let mut seen = std::collections::BTreeMap::new();
    for r in &all {
        let name = r["original_name"].as_str().unwrap().to_string();
        assert!(
            seen.insert(name.clone(), r["sha256"].as_str().unwrap().to_string()).is_none(),
            "{name} archived twice"
        );
        assert!(w.data().join(r["stored_path"].as_str().unwrap()).is_file(), "{name}: record without its file");
    }
    assert_eq!(seen, expected, "every file archived exactly once, byte for byte");
    for name in expected.keys() {
        assert!(archived(&w).join(name).is_file(), "{name} not in hot_archived");
    }
    let leftovers = std::fs::read_dir(w.data().join("tmp")).map(|d| d.count()).unwrap_or(0);
    assert!(leftovers <= 12, "staged copies pile up: {leftovers}");
}

/// Unmounts a test's tmpfs, whatever happens to the test.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn bad_input_and_a_hot_folder_on_another_filesystem() {
    let w = databox_world();
    let hot = hot(&w);
    // The hot folder on a filesystem of its own (a tmpfs) when this machine lets us mount one.
    let _mount = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=16m", "tmpfs"])
        .arg(&hot)
        .status()
        .is_ok_and(|s| s.success())
        .then(|| Mount(hot.clone()));
    if _mount.is_none() {
        eprintln!("note: cannot mount a tmpfs here; the hot folder shares the data dir's filesystem");
    }
    std::fs::write(hot.join(".phrasea.xml"), "<record/>").unwrap();
    std::fs::write(hot.join("empty.jpg"), b"").unwrap();
    jpeg(&hot.join("whole.jpg"), 1);
    let bytes = std::fs::read(hot.join("whole.jpg")).unwrap();
    std::fs::write(hot.join("truncated.jpg"), &bytes[..bytes.len() / 2]).unwrap();
    std::fs::write(hot.join("text.jpg"), b"this is not a JPEG at all").unwrap();
    let rgba = image::RgbaImage::from_fn(20, 10, |x, _| image::Rgba([255, 0, 0, (x * 12) as u8]));
    rgba.save(hot.join("alpha.png")).unwrap();
    image::RgbImage::from_fn(30, 20, |x, y| image::Rgb([x as u8, y as u8, 9])).save(hot.join("scan.tif")).unwrap();
    jpeg(&hot.join("turned.jpg"), 2);
    write_tags(&hot.join("turned.jpg"), &["-EXIF:Orientation#=6"]);
    let run = archive(&w, &[]).ok();
    assert!(run.stderr.contains("empty.jpg") && !run.stderr.contains("panicked"), "{run:#?}");
    let why = std::fs::read_to_string(errors(&w).join("empty.jpg.error")).unwrap();
    assert!(why.contains("empty file"), "{why}");
    let all = records(&w);
    assert_eq!(all.len(), 6, "{all:#?}");
    assert_eq!(by_name(&all, "truncated.jpg")["mime"], "image/jpeg");
    assert_ne!(by_name(&all, "text.jpg")["mime"], "image/jpeg", "the type comes from the content");
    assert_eq!(by_name(&all, "alpha.png")["technical"]["has_alpha"], "true");
    assert_eq!(by_name(&all, "scan.tif")["mime"], "image/tiff");
    assert_eq!(
        (by_name(&all, "scan.tif")["width"].as_i64(), by_name(&all, "scan.tif")["height"].as_i64()),
        (Some(30), Some(20))
    );
    assert_eq!(by_name(&all, "turned.jpg")["technical"]["orientation"], "6");
    for r in &all {
        let stored = w.data().join(r["stored_path"].as_str().unwrap());
        assert_eq!(
            sha256(&stored),
            r["sha256"].as_str().unwrap(),
            "{} copied whole across filesystems",
            r["original_name"]
        );
    }
}
