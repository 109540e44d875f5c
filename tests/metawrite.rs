//! `phr-meta write` on archived JPEG, TIFF and PNG files: every value written read back with
//! exiftool (non-ASCII text, repeated keywords, a removed value, dates, the record id), pixels
//! untouched, checksum and size following the file, the flag cleared only on success; formats
//! exiv2 cannot write stay marked with their reason and attempts, retried with backoff up to a
//! limit; sub-definitions marked `meta = true` get the values too; `kill -9` never leaves a
//! half-written file.

use crate::archive::{archive, databox_world, hot, records, PHR_RECORD};
use crate::util::{exiftool, jpeg, write_tags, World};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const PHR_META: &str = env!("CARGO_BIN_EXE_phr-meta");

fn sha256(path: &Path) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap()).iter().map(|b| format!("{b:02x}")).collect()
}

fn show(w: &World, id: i64) -> Value {
    w.phr(PHR_RECORD, &["show", &id.to_string(), "--json"]).ok().json()
}

fn stored(w: &World, id: i64) -> PathBuf {
    w.data().join(show(w, id)["stored_path"].as_str().unwrap())
}

fn pending(w: &World, id: i64) -> Vec<String> {
    show(w, id)["pending"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect()
}

fn pixels(path: &Path) -> Vec<u8> {
    image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).to_rgba8().into_raw()
}

/// Every tag exiftool reads, by group-qualified name, values as numbers (`-n`).
fn tags(path: &Path) -> Value {
    let out = exiftool(&["-j", "-G1", "-n", "-struct", path.to_str().unwrap()]);
    serde_json::from_str::<Value>(&out).unwrap()[0].clone()
}

/// A tag's values as a list whether exiftool gives one value or several.
fn list(v: &Value) -> Value {
    match v {
        Value::Array(_) => v.clone(),
        Value::Null => json!([]),
        other => json!([other.as_str().map(str::to_string).unwrap_or_else(|| other.to_string())]),
    }
}

#[test]
fn values_are_written_into_jpeg_tiff_and_png_and_read_back_by_exiftool() {
    let w = databox_world();
    let hot = hot(&w);
    jpeg(&hot.join("a.jpg"), 1);
    write_tags(&hot.join("a.jpg"), &["-XMP-photoshop:City=Orléans", "-IPTC:Keywords=old", "-EXIF:Make=Cam"]);
    let img = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 5, y as u8 * 7, 99]));
    img.save_with_format(hot.join("b.tif"), image::ImageFormat::Tiff).unwrap();
    img.save_with_format(hot.join("c.png"), image::ImageFormat::Png).unwrap();
    archive(&w, &[]).ok();
    let ids: Vec<i64> = records(&w).iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 3);
    let title = "Été à 日本 — « ok »";
    let before: Vec<(Vec<u8>, String)> =
        ids.iter().map(|&id| (pixels(&stored(&w, id)), sha256(&stored(&w, id)))).collect();
    for &id in &ids {
        let id = id.to_string();
        w.phr(PHR_RECORD, &["set", &id, "Title", title]).ok();
        w.phr(PHR_RECORD, &["set", &id, "Keywords", "é", "日本", "three words"]).ok();
        w.phr(PHR_RECORD, &["set", &id, "Date", "2021-03-04 05:06:07"]).ok();
        w.phr(PHR_RECORD, &["set", &id, "Ville"]).ok(); // no value: the tag goes
        assert!(pending(&w, id.parse().unwrap()).contains(&"meta-write".to_string()));
    }
    w.phr(PHR_META, &["write", "--once"]).ok();
    for (i, &id) in ids.iter().enumerate() {
        let file = stored(&w, id);
        let t = tags(&file);
        let what = format!("record {id} ({}): {t:#}", file.display());
        assert_eq!(t["XMP-dc:Title"], title, "{what}");
        assert_eq!(t["IPTC:ObjectName"], title, "{what}");
        assert_eq!(list(&t["IPTC:Keywords"]), json!(["é", "日本", "three words"]), "{what}");
        assert_eq!(list(&t["XMP-dc:Subject"]), json!(["é", "日本", "three words"]), "{what}");
        assert_eq!(t["ExifIFD:DateTimeOriginal"], "2021:03:04 05:06:07", "{what}");
        assert!(t.get("XMP-photoshop:City").is_none(), "{what}");
        let urn = format!("urn:phr-tasks:record:{id}");
        assert_eq!(t["IPTC:UniqueDocumentID"], urn.as_str(), "{what}");
        assert_eq!(t["ExifIFD:ImageUniqueID"], urn.as_str(), "{what}");
        assert_eq!(t["XMP-exif:ImageUniqueID"], urn.as_str(), "{what}");
        assert_eq!(t["IPTC:CodedCharacterSet"], "\u{1b}%G", "{what}");
        assert_eq!(pixels(&file), before[i].0, "{what}: pixels changed");
        let r = show(&w, id);
        assert_ne!(r["sha256"], before[i].1.as_str(), "{what}");
        assert_eq!(r["sha256"], sha256(&file).as_str(), "{what}");
        assert_eq!(r["size"].as_u64(), Some(std::fs::metadata(&file).unwrap().len()), "{what}");
        assert!(!pending(&w, id).contains(&"meta-write".to_string()), "{what}");
    }
    assert_eq!(tags(&stored(&w, ids[0]))["IFD0:Make"], "Cam", "tags the structure does not name stay");
    // Read back by phr-meta read, the fields are what was written.
    w.phr(PHR_RECORD, &["mark", "1", "--work", "meta-read"]).ok();
    w.phr(PHR_META, &["read", "--once"]).ok();
    let r = show(&w, 1);
    assert_eq!(r["fields"]["Keywords"], json!(["é", "日本", "three words"]));
    assert_eq!(r["fields"]["Title"], json!([title]));
    assert_eq!(r["fields"]["Date"], json!(["2021-03-04T05:06:07"]));
    // As a job: one record, run isolated as `phr-meta write --job ID`.
    w.phr(PHR_RECORD, &["set", "2", "Keywords", "solo"]).ok();
    let job = w.add(&["meta-write", "2"]);
    w.drain("1");
    assert_eq!(w.status_of(job), "done", "{}", w.job(job));
    assert_eq!(list(&tags(&stored(&w, 2))["IPTC:Keywords"]), json!(["solo"]));
    assert!(!pending(&w, 2).contains(&"meta-write".to_string()));
}

#[test]
fn formats_exiv2_cannot_write_stay_marked_with_their_reason() {
    let w = databox_world();
    let hot = hot(&w);
    std::fs::write(hot.join("notes.txt"), "plain text, no metadata anywhere\n").unwrap();
    let img = image::RgbImage::from_fn(20, 20, |x, y| image::Rgb([x as u8 * 9, y as u8 * 9, 0]));
    img.save_with_format(hot.join("anim.gif"), image::ImageFormat::Gif).unwrap();
    archive(&w, &[]).ok();
    let all = records(&w);
    assert_eq!(all.len(), 2, "{all:#?}");
    for r in &all {
        let id = r["id"].as_i64().unwrap();
        let file = stored(&w, id);
        let sha = sha256(&file);
        w.phr(PHR_RECORD, &["set", &id.to_string(), "Title", "jamais écrit"]).ok();
        let run = w.phr(PHR_META, &["write", "--once", "--record", &id.to_string()]).code(65);
        assert!(run.stderr.contains(&format!("record {id}")) && run.stderr.contains("exiv2 cannot"), "{run:#?}");
        assert!(pending(&w, id).contains(&"meta-write".to_string()), "stays marked: {run:#?}");
        assert_eq!(sha256(&file), sha, "never damaged");
        assert_eq!(show(&w, id)["sha256"], sha.as_str());
    }
    for r in &all {
        let failure = &show(&w, r["id"].as_i64().unwrap())["meta_write_failure"];
        assert!(failure["reason"].as_str().unwrap().contains("exiv2 cannot"), "{failure}");
        assert_eq!(failure["attempts"], 1, "{failure}");
    }
    // Not retried before its backoff (10 minutes by default), never cleared.
    let run = w.phr(PHR_META, &["write", "--once"]).ok();
    assert_eq!(run.stderr.matches("metadata not written").count(), 0, "{run:#?}");
    assert!(all.iter().all(|r| pending(&w, r["id"].as_i64().unwrap()).contains(&"meta-write".to_string())));
    let leftovers = std::fs::read_dir(w.data().join("tmp")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(leftovers, 0, "failed copies are removed");
}

#[test]
fn kill_9_during_a_write_leaves_the_old_file_or_the_new_one() {
    let w = databox_world();
    let big = hot(&w).join("big.jpg");
    let img = image::RgbImage::from_fn(2400, 1800, |x, y| image::Rgb([(x * y) as u8, (x ^ y) as u8, (x + y) as u8]));
    img.save_with_format(&big, image::ImageFormat::Jpeg).unwrap();
    let reference = pixels(&big);
    archive(&w, &[]).ok();
    let file = stored(&w, 1);
    let mut titles = vec![None];
    for round in 0..12u64 {
        let title = format!("round {round}");
        w.phr(PHR_RECORD, &["set", "1", "Title", &title]).ok();
        let mut child =
            w.program_command(PHR_META).args(["write", "--once"]).stderr(std::process::Stdio::null()).spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2 + round * 6));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        assert_eq!(pixels(&file), reference, "round {round}: the stored file decodes, pixels intact");
        let found = tags(&file)["XMP-dc:Title"].as_str().map(str::to_string);
        assert!(
            found.is_none() || titles.contains(&found) || found.as_deref() == Some(title.as_str()),
            "round {round}: title {found:?}"
        );
        // The store's checksum is the file's, or the record is still marked and the next
        // pass writes it again (a kill between the renames and the commit).
        let r = show(&w, 1);
        assert!(
            r["sha256"] == sha256(&file).as_str() || pending(&w, 1).contains(&"meta-write".to_string()),
            "round {round}: {r}"
        );
        titles.push(Some(title));
    }
    w.phr(PHR_META, &["write", "--once"]).ok();
    assert_eq!(tags(&file)["XMP-dc:Title"], "round 11");
    let r = show(&w, 1);
    assert_eq!(r["sha256"], sha256(&file).as_str());
    assert!(!pending(&w, 1).contains(&"meta-write".to_string()));
    assert_eq!(pixels(&file), reference);
    let leftovers = std::fs::read_dir(w.data().join("tmp")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(leftovers, 0, "copies left by killed writers are removed by the next pass");
}

#[test]
fn a_failed_write_keeps_its_reason_and_attempts_until_it_works() {
    let w = databox_world();
    jpeg(&hot(&w).join("a.jpg"), 1);
    archive(&w, &[]).ok();
    let file = stored(&w, 1);
    let good = std::fs::read(&file).unwrap();
    std::fs::write(&file, "no longer an image: exiv2 cannot write this\n").unwrap();
    w.task("mw", "kind = \"meta-write\"\nperiod = \"1h\"\n[settings]\nmax_attempts = 2\nretry_backoff = \"1ms\"\n");
    w.phr(PHR_RECORD, &["set", "1", "Title", "après coup"]).ok();
    let run = w.phr(PHR_META, &["write", "--once", "--task", "mw"]).code(65);
    assert!(run.stderr.contains("record 1: metadata not written: exiv2 cannot open"), "{run:#?}");
    let failure = show(&w, 1)["meta_write_failure"].clone();
    assert!(failure["reason"].as_str().unwrap().starts_with("exiv2 cannot open"), "{failure}");
    assert!(!failure["reason"].as_str().unwrap().contains("/proc/"), "names the stored file: {failure}");
    assert_eq!(failure["attempts"], 1);
    assert!(failure["failed_at"].as_str().unwrap().ends_with('Z'), "{failure}");
    let text = w.phr(PHR_RECORD, &["show", "1"]).ok().stdout;
    assert!(text.contains("meta-write:  failed (attempts 1, last ") && text.contains("exiv2 cannot open"), "{text}");
    std::thread::sleep(std::time::Duration::from_millis(20));
    w.phr(PHR_META, &["write", "--once", "--task", "mw"]).code(65);
    assert_eq!(show(&w, 1)["meta_write_failure"]["attempts"], 2, "retried after its backoff");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let run = w.phr(PHR_META, &["write", "--once", "--task", "mw"]).ok();
    assert!(!run.stderr.contains("not written"), "left at the limit: {run:#?}");
    assert_eq!(show(&w, 1)["meta_write_failure"]["attempts"], 2);
    assert!(pending(&w, 1).contains(&"meta-write".to_string()), "never cleared on failure");
    // The cause fixed, asked for by id: written, the reason gone, the flag cleared.
    std::fs::write(&file, &good).unwrap();
    w.phr(PHR_META, &["write", "--once", "--task", "mw", "--record", "1"]).ok();
    let r = show(&w, 1);
    assert_eq!(r["meta_write_failure"], Value::Null, "{r}");
    assert!(!pending(&w, 1).contains(&"meta-write".to_string()), "{r}");
    assert_eq!(tags(&file)["XMP-dc:Title"], "après coup");
    assert_eq!(r["sha256"], sha256(&file).as_str());
    assert!(!w.phr(PHR_RECORD, &["show", "1"]).ok().stdout.contains("meta-write:"));
}

#[test]
fn subdefs_marked_meta_get_the_values_and_unbuilt_ones_are_skipped() {
    let w = databox_world();
    let config = std::fs::read_to_string(w.config()).unwrap();
    std::fs::write(
        w.config(),
        format!(
            "{config}[collections.photos.subdefs.preview]\nsize = 200\nmeta = true\n\
             [collections.photos.subdefs.lossless]\nsize = 100\nformat = \"png\"\nmeta = true\n\
             [collections.photos.subdefs.web]\nsize = 100\nformat = \"webp\"\nmeta = true\n\
             [collections.photos.subdefs.thumbnail]\nsize = 64\n"
        ),
    )
    .unwrap();
    jpeg(&hot(&w).join("a.jpg"), 1);
    archive(&w, &[]).ok();
    w.phr(crate::subdef::PHR_SUBDEF, &["--once"]).ok();
    jpeg(&hot(&w).join("b.jpg"), 2); // archived after: its sub-definitions are not built
    archive(&w, &[]).ok();
    let subdef_file = |id: i64, name: &str| {
        let r = show(&w, id);
        let s = r["subdefs"].as_array().unwrap().iter().find(|s| s["name"] == name).cloned().unwrap();
        (w.data().join(s["path"].as_str().unwrap()), s["size"].as_i64().unwrap())
    };
    let thumbnail = std::fs::read(subdef_file(1, "thumbnail").0).unwrap();
    let before: Vec<Vec<u8>> = ["preview", "lossless", "web"].iter().map(|n| pixels(&subdef_file(1, n).0)).collect();
    for id in ["1", "2"] {
        w.phr(PHR_RECORD, &["set", id, "Title", "Été à 日本"]).ok();
        w.phr(PHR_RECORD, &["set", id, "Keywords", "é", "日本"]).ok();
        w.phr(PHR_RECORD, &["set", id, "Date", "2021-03-04"]).ok();
    }
    let run = w.phr(PHR_META, &["write", "--once"]).ok();
    assert!(!run.stderr.contains("not written"), "{run:#?}");
    for (i, name) in ["preview", "lossless", "web"].iter().enumerate() {
        let (file, size) = subdef_file(1, name);
        let t = tags(&file);
        let what = format!("{name}: {t:#}");
        assert_eq!(t["XMP-dc:Title"], "Été à 日本", "{what}");
        assert_eq!(list(&t["XMP-dc:Subject"]), json!(["é", "日本"]), "{what}");
        assert_eq!(t["XMP-exif:ImageUniqueID"], "urn:phr-tasks:record:1", "{what}");
        if *name != "lossless" {
            assert_eq!(t["ExifIFD:DateTimeOriginal"], "2021:03:04 00:00:00", "{what}");
        }
        if *name == "preview" {
            assert_eq!(list(&t["IPTC:Keywords"]), json!(["é", "日本"]), "{what}");
        }
        assert_eq!(size as u64, std::fs::metadata(&file).unwrap().len(), "{name}: the stored size follows");
        assert_eq!(pixels(&file), before[i], "{name}: pixels untouched");
    }
    assert_eq!(std::fs::read(subdef_file(1, "thumbnail").0).unwrap(), thumbnail, "not marked meta: untouched");
    for id in [1, 2] {
        assert!(!pending(&w, id).contains(&"meta-write".to_string()), "record {id}");
        assert_eq!(show(&w, id)["meta_write_failure"], Value::Null);
    }
    assert_eq!(tags(&stored(&w, 2))["XMP-dc:Title"], "Été à 日本");
}

#[test]
fn a_file_too_large_to_copy_into_memory_is_written_in_the_data_dir() {
    let w = databox_world();
    // 4800 x 4700 RGB: 67.7 MB of pixels, over the 64 MiB rewritten in memory.
    let img = image::RgbImage::from_fn(4800, 4700, |x, y| image::Rgb([x as u8, y as u8, (x ^ y) as u8]));
    img.save_with_format(hot(&w).join("big.tif"), image::ImageFormat::Tiff).unwrap();
    archive(&w, &[]).ok();
    let file = stored(&w, 1);
    assert!(std::fs::metadata(&file).unwrap().len() > 64 << 20);
    w.phr(PHR_RECORD, &["set", "1", "Title", "très grand"]).ok();
    w.phr(PHR_META, &["write", "--once"]).ok();
    assert_eq!(tags(&file)["XMP-dc:Title"], "très grand");
    assert_eq!(image::open(&file).unwrap().to_rgb8(), img, "pixels untouched");
    let r = show(&w, 1);
    assert_eq!(r["sha256"], sha256(&file).as_str());
    assert!(!pending(&w, 1).contains(&"meta-write".to_string()));
}

/// A stored original replaced by a link (to a file someone else may own) or by a FIFO is never
/// read or written through: the record stays marked with the reason, the link's target
/// untouched.
#[test]
fn a_link_or_fifo_planted_at_a_stored_path_is_not_written_through() {
    let w = databox_world();
    let hot = hot(&w);
    jpeg(&hot.join("a.jpg"), 1);
    jpeg(&hot.join("b.jpg"), 2);
    archive(&w, &[]).ok();
    let outside = w.path("outside.jpg");
    jpeg(&outside, 3);
    let before = sha256(&outside);
    let (link, fifo) = (stored(&w, 1), stored(&w, 2));
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&outside, &link).unwrap();
    std::fs::remove_file(&fifo).unwrap();
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    for id in ["1", "2"] {
        w.phr(PHR_RECORD, &["set", id, "Title", "not through a link"]).ok();
    }
    let run = w.phr(PHR_META, &["write", "--once"]).code(65);
    assert!(run.stderr.contains("a link, not a regular file"), "{run:#?}");
    assert!(run.stderr.contains("not a regular file: not written"), "{run:#?}");
    assert_eq!(sha256(&outside), before, "the link's target is untouched");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    for id in [1, 2] {
        assert!(pending(&w, id).contains(&"meta-write".to_string()), "stays marked");
    }
}

/// A store edited by hand to point a record outside the data dir (an absolute path, `..`)
/// never makes phr-meta write rewrite that file, nor phr-subdef read it.
#[test]
fn a_stored_path_outside_the_data_dir_is_not_written() {
    let w = databox_world();
    jpeg(&hot(&w).join("a.jpg"), 1);
    jpeg(&hot(&w).join("b.jpg"), 2);
    archive(&w, &[]).ok();
    let outside = w.path("outside.jpg");
    jpeg(&outside, 3);
    let before = sha256(&outside);
    let db = rusqlite::Connection::open(w.data().join("phr.db")).unwrap();
    let escape = format!("../{}", outside.file_name().unwrap().to_str().unwrap());
    db.execute("UPDATE records SET stored_path = ?1 WHERE id = 1", [outside.to_str().unwrap()]).unwrap();
    db.execute("UPDATE records SET stored_path = ?1 WHERE id = 2", [escape.as_str()]).unwrap();
    drop(db);
    for id in ["1", "2"] {
        w.phr(PHR_RECORD, &["set", id, "Title", "nowhere else"]).ok();
    }
    let run = w.phr(PHR_META, &["write", "--once"]).code(65);
    assert_eq!(run.stderr.matches("is not inside the data dir").count(), 2, "{run:#?}");
    let subdef = w.phr(crate::subdef::PHR_SUBDEF, &["--once", "--record", "1"]).code(65);
    assert!(subdef.stderr.contains("is not inside the data dir"), "{subdef:#?}");
    assert_eq!(sha256(&outside), before, "untouched");
}
