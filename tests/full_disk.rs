//! A full data dir: `phr-archive`, `phr-subdef` and `phr-meta write` stop their pass with
//! exit 75 and a one-line reason, count no failed attempt, move nothing to `_error`, lose
//! nothing, and do the work once there is room. The data dir is a small tmpfs; where mounting
//! is not permitted (not root) the test prints a note and checks nothing.

use crate::archive::{archive, hot, records, PHR_RECORD};
use crate::store::Tmpfs;
use crate::subdef::{show, subdef_world, PHR_SUBDEF};
use crate::util::World;

const PHR_META: &str = env!("CARGO_BIN_EXE_phr-meta");

/// A JPEG of noise, about 600 KB: larger than the room left on the full disk.
fn noisy_jpeg(path: &std::path::Path, seed: u32) {
    let img = image::RgbImage::from_fn(1200, 900, |x, y| {
        let v = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503) ^ seed.wrapping_mul(97))
            .wrapping_mul(2_246_822_519);
        image::Rgb([(v >> 8) as u8, (v >> 16) as u8, (v >> 24) as u8])
    });
    img.save_with_format(path, image::ImageFormat::Jpeg).unwrap();
}

/// Fills the tmpfs, then frees `room` bytes: enough for the store's commits, not for a copy.
fn leave_room(fs: &Tmpfs, room: u64) -> std::path::PathBuf {
    let fill = fs.fill();
    let len = std::fs::metadata(&fill).unwrap().len();
    std::fs::OpenOptions::new().write(true).open(&fill).unwrap().set_len(len.saturating_sub(room)).unwrap();
    fill
}

fn pending(w: &World, id: i64) -> Vec<String> {
    show(w, id)["pending"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect()
}

#[test]
fn a_full_data_dir_stops_each_pass_with_75_and_the_work_is_done_once_there_is_room() {
    let w = subdef_world();
    let Some(fs) = Tmpfs::mount(&w.data(), "12m") else { return };
    noisy_jpeg(&hot(&w).join("first.jpg"), 1);
    archive(&w, &[]).ok();
    w.phr(PHR_RECORD, &["set", "1", "Title", "écrit plus tard"]).ok();
    for (name, seed) in [("a.jpg", 2), ("b.jpg", 3)] {
        noisy_jpeg(&hot(&w).join(name), seed);
    }
    let fill = leave_room(&fs, 48 << 10);

    archive(&w, &[]).code(75).one_line_error("the data dir is full");
    for name in ["a.jpg", "b.jpg"] {
        assert!(hot(&w).join(name).is_file(), "{name} stays in the hot folder");
    }
    assert!(!w.path("hot_error").exists(), "nothing is set aside for a full disk");

    w.phr(PHR_SUBDEF, &["--once"]).code(75).one_line_error("the data dir is full");
    let first = show(&w, 1);
    assert!(pending(&w, 1).contains(&"subdefs".to_string()), "{first}");
    let attempts: Vec<_> = first["subdefs"].as_array().unwrap().iter().map(|s| s["attempts"].clone()).collect();
    assert!(attempts.iter().all(|a| a.is_null() || a == 0), "no attempt counted: {first}");

    w.phr(PHR_META, &["write", "--once"]).code(75).one_line_error("the data dir is full");
    assert!(pending(&w, 1).contains(&"meta-write".to_string()));
    assert!(show(&w, 1)["meta_write_failure"].is_null(), "no failure counted: {}", show(&w, 1));
    let staged = std::fs::read_dir(w.data().join("tmp")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(staged, 0, "no partial copy is left");

    std::fs::remove_file(fill).unwrap();
    archive(&w, &[]).ok();
    assert_eq!(records(&w).len(), 3);
    w.phr(PHR_SUBDEF, &["--once"]).ok();
    w.phr(PHR_META, &["write", "--once"]).ok();
    for id in 1..=3 {
        let left = pending(&w, id);
        assert!(!left.contains(&"subdefs".to_string()) && !left.contains(&"meta-write".to_string()), "{id}: {left:?}");
    }
    assert_eq!(
        crate::util::exiftool(&[
            "-s3",
            "-XMP-dc:Title",
            w.data().join(show(&w, 1)["stored_path"].as_str().unwrap()).to_str().unwrap()
        ])
        .trim(),
        "écrit plus tard"
    );
}
