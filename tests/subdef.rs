//! `phr-subdef` on generated images, decoded back and measured: sizes (never enlarged), EXIF
//! orientations 1-8 (where a coloured patch lands), alpha, 16-bit, greyscale and CMYK colours;
//! broken files failing with their reason and attempt count, retried up to the limit; a job;
//! `kill -9` during a build leaving every sub-definition whole or absent.

use crate::archive::{archive, databox_world, hot, records, PHR_RECORD};
use crate::util::{wait_for, write_tags, World};
use image::{GenericImageView, Rgb, RgbImage};
use std::path::{Path, PathBuf};

pub const PHR_SUBDEF: &str = env!("CARGO_BIN_EXE_phr-subdef");

/// A databox world whose `photos` collection builds a 64 px JPEG thumbnail and a 200 px PNG
/// preview.
pub fn subdef_world() -> World {
    let w = databox_world();
    let config = std::fs::read_to_string(w.config()).unwrap();
    std::fs::write(
        w.config(),
        format!(
            "{config}[collections.photos.subdefs.thumbnail]\nsize = 64\nquality = 90\n\
             [collections.photos.subdefs.preview]\nsize = 200\nformat = \"png\"\n"
        ),
    )
    .unwrap();
    w
}

/// A `subdef` task file with these settings lines, run with `--task sd`.
pub fn task(w: &World, settings: &str) {
    w.task("sd", &format!("kind = \"subdef\"\nperiod = \"1h\"\n[settings]\n{settings}\n"));
}

pub fn show(w: &World, id: i64) -> serde_json::Value {
    w.phr(PHR_RECORD, &["show", &id.to_string(), "--json"]).ok().json()
}

pub fn subdef<'a>(record: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    record["subdefs"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap_or_else(|| panic!("{record}"))
}

/// The decoded file of a record's sub-definition.
pub fn open_subdef(w: &World, record: &serde_json::Value, name: &str) -> image::DynamicImage {
    let s = subdef(record, name);
    assert_eq!(s["state"], "done", "{record}");
    image::open(w.data().join(s["path"].as_str().unwrap())).unwrap()
}

/// Archives the hot folder and builds; returns the records by original name.
fn archive_and_build(w: &World) -> Vec<serde_json::Value> {
    archive(w, &[]).ok();
    w.phr(PHR_SUBDEF, &["--once"]).ok();
    records(w)
}

pub fn by_name(all: &[serde_json::Value], name: &str) -> serde_json::Value {
    let id = all.iter().find(|r| r["original_name"] == name).unwrap_or_else(|| panic!("no {name}"))["id"].as_i64();
    all.iter().find(|r| r["id"].as_i64() == id).unwrap().clone()
}

pub fn near(a: [u8; 3], b: [u8; 3], tolerance: i32) -> bool {
    a.iter().zip(b).all(|(x, y)| (i32::from(*x) - i32::from(y)).abs() <= tolerance)
}

pub fn rgb_at(img: &image::DynamicImage, fx: f64, fy: f64) -> [u8; 3] {
    let (w, h) = img.dimensions();
    let p = img.to_rgb8().get_pixel(((f64::from(w) * fx) as u32).min(w - 1), ((f64::from(h) * fy) as u32).min(h - 1)).0;
    p
}

/// A 120x80 image, white, with a red stored top-left quadrant.
fn asymmetric(path: &Path) {
    let img =
        RgbImage::from_fn(120, 80, |x, y| if x < 60 && y < 40 { Rgb([220, 20, 20]) } else { Rgb([255, 255, 255]) });
    img.save_with_format(path, image::ImageFormat::Jpeg).unwrap();
}

#[test]
fn sizes_follow_the_collection_and_small_originals_are_not_enlarged() {
    let w = subdef_world();
    RgbImage::from_pixel(300, 200, Rgb([10, 120, 200])).save(hot(&w).join("big.jpg")).unwrap();
    RgbImage::from_pixel(40, 30, Rgb([10, 120, 200])).save(hot(&w).join("small.png")).unwrap();
    let all = archive_and_build(&w);
    let big = by_name(&all, "big.jpg");
    assert!(big["pending"].as_array().unwrap().iter().all(|p| p != "subdefs"), "{big}");
    let thumb = open_subdef(&w, &big, "thumbnail");
    assert_eq!(thumb.dimensions(), (64, 43));
    assert_eq!(subdef(&big, "thumbnail")["mime"], "image/jpeg");
    assert_eq!(subdef(&big, "thumbnail")["width"], 64);
    assert!(near(rgb_at(&thumb, 0.5, 0.5), [10, 120, 200], 6), "{:?}", rgb_at(&thumb, 0.5, 0.5));
    let preview = open_subdef(&w, &big, "preview");
    assert_eq!(preview.dimensions(), (200, 133));
    assert_eq!(subdef(&big, "preview")["mime"], "image/png");
    let id = big["id"].as_i64().unwrap();
    let path = subdef(&big, "preview")["path"].as_str().unwrap().to_string();
    assert_eq!(path, format!("subdefs/000/000/{id}-preview.png"));
    let small = by_name(&all, "small.png");
    assert_eq!(open_subdef(&w, &small, "thumbnail").dimensions(), (40, 30));
    assert_eq!(open_subdef(&w, &small, "preview").dimensions(), (40, 30));
    // phr-record show says so.
    let text = w.phr(PHR_RECORD, &["show", &id.to_string()]).ok().stdout;
    assert!(text.contains("thumbnail"), "{text}");
}

#[test]
fn exif_orientations_one_to_eight_are_applied() {
    let w = subdef_world();
    for n in 1..=8 {
        let file = hot(&w).join(format!("o{n}.jpg"));
        asymmetric(&file);
        write_tags(&file, &[&format!("-EXIF:Orientation#={n}")]);
    }
    let all = archive_and_build(&w);
    for n in 1..=8 {
        let r = by_name(&all, &format!("o{n}.jpg"));
        let img = open_subdef(&w, &r, "thumbnail");
        let want = if n >= 5 { (43, 64) } else { (64, 43) };
        assert_eq!(img.dimensions(), want, "orientation {n}");
        // Where the stored top-left corner is shown.
        let (fx, fy) = match n {
            1 | 5 => (0.25, 0.25),
            2 | 6 => (0.75, 0.25),
            3 | 7 => (0.75, 0.75),
            _ => (0.25, 0.75),
        };
        assert!(near(rgb_at(&img, fx, fy), [220, 20, 20], 25), "orientation {n}: {:?}", rgb_at(&img, fx, fy));
        for (ox, oy) in [(0.25, 0.25), (0.75, 0.25), (0.75, 0.75), (0.25, 0.75)] {
            if (ox, oy) != (fx, fy) {
                assert!(near(rgb_at(&img, ox, oy), [255, 255, 255], 25), "orientation {n} at {ox},{oy}");
            }
        }
    }
}

#[test]
fn alpha_16_bit_grey_and_cmyk_come_out_srgb() {
    let w = subdef_world();
    let alpha = image::RgbaImage::from_fn(100, 100, |x, _| {
        if x < 50 {
            image::Rgba([0, 0, 255, 255])
        } else {
            image::Rgba([255, 0, 0, 0])
        }
    });
    alpha.save(hot(&w).join("alpha.png")).unwrap();
    let deep = image::ImageBuffer::<Rgb<u16>, Vec<u16>>::from_pixel(100, 80, Rgb([65535, 32768, 0]));
    image::DynamicImage::ImageRgb16(deep).save(hot(&w).join("deep.png")).unwrap();
    let deep_tiff = image::ImageBuffer::<Rgb<u16>, Vec<u16>>::from_pixel(100, 80, Rgb([0, 32768, 65535]));
    image::DynamicImage::ImageRgb16(deep_tiff).save(hot(&w).join("deep.tif")).unwrap();
    image::GrayImage::from_pixel(90, 90, image::Luma([100])).save(hot(&w).join("grey.jpg")).unwrap();
    // Pure cyan ink, as a CMYK JPEG (jpeg-encoder writes Adobe's inverted CMYK).
    let mut cmyk = Vec::new();
    for _ in 0..(64 * 64) {
        cmyk.extend_from_slice(&[255, 0, 0, 0]);
    }
    jpeg_encoder::Encoder::new_file(hot(&w).join("cmyk.jpg"), 95)
        .unwrap()
        .encode(&cmyk, 64, 64, jpeg_encoder::ColorType::Cmyk)
        .unwrap();
    let all = archive_and_build(&w);
    let a = by_name(&all, "alpha.png");
    let thumb = open_subdef(&w, &a, "thumbnail");
    assert!(near(rgb_at(&thumb, 0.2, 0.5), [0, 0, 255], 12), "{:?}", rgb_at(&thumb, 0.2, 0.5));
    assert!(near(rgb_at(&thumb, 0.8, 0.5), [255, 255, 255], 6), "flattened onto white: {:?}", rgb_at(&thumb, 0.8, 0.5));
    let preview = open_subdef(&w, &a, "preview").to_rgba8();
    assert_eq!(preview.get_pixel(90, 50)[3], 0, "PNG keeps alpha");
    let deep = open_subdef(&w, &by_name(&all, "deep.png"), "thumbnail");
    assert!(near(rgb_at(&deep, 0.5, 0.5), [255, 128, 0], 8), "{:?}", rgb_at(&deep, 0.5, 0.5));
    let tiff = open_subdef(&w, &by_name(&all, "deep.tif"), "preview");
    assert_eq!(tiff.color(), image::ColorType::Rgb8, "16-bit reduced");
    assert!(near(rgb_at(&tiff, 0.5, 0.5), [0, 128, 255], 2), "{:?}", rgb_at(&tiff, 0.5, 0.5));
    let grey = open_subdef(&w, &by_name(&all, "grey.jpg"), "preview");
    assert_eq!(grey.color(), image::ColorType::Rgb8);
    assert!(near(rgb_at(&grey, 0.5, 0.5), [100, 100, 100], 3), "{:?}", rgb_at(&grey, 0.5, 0.5));
    let cyan = open_subdef(&w, &by_name(&all, "cmyk.jpg"), "thumbnail");
    assert!(near(rgb_at(&cyan, 0.5, 0.5), [0, 255, 255], 12), "{:?}", rgb_at(&cyan, 0.5, 0.5));
}

/// A JPEG whose header declares 30,000 x 30,000 pixels.
fn huge_header(path: &Path) {
    let mut bytes = Vec::new();
    RgbImage::from_pixel(16, 16, Rgb([1, 2, 3]))
        .write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Jpeg)
        .unwrap();
    let sof = bytes.windows(2).position(|p| p == [0xFF, 0xC0]).unwrap();
    bytes[sof + 5..sof + 9].copy_from_slice(&[0x75, 0x30, 0x75, 0x30]);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn broken_files_fail_with_their_reason_and_are_retried_up_to_the_limit() {
    let w = subdef_world();
    task(&w, "max_attempts = 2\nretry_backoff = \"1ms\"");
    huge_header(&hot(&w).join("huge.jpg"));
    let mut good = Vec::new();
    RgbImage::from_fn(400, 300, |x, y| Rgb([x as u8, y as u8, 7]))
        .write_to(&mut std::io::Cursor::new(&mut good), image::ImageFormat::Jpeg)
        .unwrap();
    std::fs::write(hot(&w).join("cut.jpg"), &good[..good.len() / 3]).unwrap();
    std::fs::write(hot(&w).join("fine.jpg"), &good).unwrap();
    archive(&w, &[]).ok();
    let ids: Vec<(String, i64)> = records(&w)
        .iter()
        .map(|r| (r["original_name"].as_str().unwrap().to_string(), r["id"].as_i64().unwrap()))
        .collect();
    let id = |name: &str| ids.iter().find(|(n, _)| n == name).unwrap().1;
    let run = w.phr(PHR_SUBDEF, &["--once", "--task", "sd"]).ok();
    assert!(run.stderr.contains("max_pixels"), "{run:#?}");
    let huge = show(&w, id("huge.jpg"));
    let s = subdef(&huge, "thumbnail");
    assert_eq!(s["state"], "failed");
    assert_eq!(s["attempts"], 1);
    assert!(s["reason"].as_str().unwrap().contains("30000x30000"), "{s}");
    assert!(huge["pending"].as_array().unwrap().iter().any(|p| p == "subdefs"), "never marked done: {huge}");
    let cut = show(&w, id("cut.jpg"));
    assert_eq!(subdef(&cut, "thumbnail")["state"], "failed", "{cut}");
    assert_eq!(open_subdef(&w, &show(&w, id("fine.jpg")), "preview").dimensions(), (200, 150));
    std::thread::sleep(std::time::Duration::from_millis(20));
    w.phr(PHR_SUBDEF, &["--once", "--task", "sd"]).code(65);
    w.phr(PHR_SUBDEF, &["--once", "--task", "sd"]).ok(); // both at the limit: nothing left to try
    for name in ["huge.jpg", "cut.jpg"] {
        let r = show(&w, id(name));
        assert_eq!(subdef(&r, "preview")["attempts"], 2, "left at the limit: {r}");
        assert_eq!(subdef(&r, "preview")["state"], "failed");
    }
    // Asked for by id, a record is built whatever its failures.
    w.phr(PHR_SUBDEF, &["--once", "--task", "sd", "--record", &id("cut.jpg").to_string()]).code(65);
    assert_eq!(subdef(&show(&w, id("cut.jpg")), "preview")["attempts"], 3);
}

#[test]
fn a_job_builds_one_record() {
    let w = subdef_world();
    RgbImage::from_pixel(300, 300, Rgb([0, 200, 0])).save(hot(&w).join("g.jpg")).unwrap();
    archive(&w, &[]).ok();
    let id = records(&w)[0]["id"].as_i64().unwrap();
    let job = w.add(&["subdef", &id.to_string()]);
    w.drain("1");
    assert_eq!(w.status_of(job), "done", "{}", w.job(job));
    assert_eq!(open_subdef(&w, &show(&w, id), "thumbnail").dimensions(), (64, 64));
}

fn subdef_files(w: &World) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![w.data().join("subdefs")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.file_type().unwrap().is_dir() {
                dirs.push(e.path());
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

#[test]
fn kill_9_during_a_build_leaves_no_half_written_subdef() {
    let w = subdef_world();
    for i in 0..24u32 {
        RgbImage::from_fn(1600, 1200, |x, y| Rgb([(x + i) as u8, (y * 3) as u8, i as u8]))
            .save(hot(&w).join(format!("k{i}.jpg")))
            .unwrap();
    }
    archive(&w, &[]).ok();
    let mut child = w.program_command(PHR_SUBDEF).args(["--once"]).spawn().unwrap();
    wait_for(30, "a first sub-definition", || subdef_files(&w).len() >= 3);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let files = subdef_files(&w);
    assert!(!files.is_empty());
    for f in &files {
        let img = image::open(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(img.width() == 64 || img.width() == 200, "{}", f.display());
    }
    w.phr(PHR_SUBDEF, &["--once"]).ok();
    let all = records(&w);
    assert!(all.iter().all(|r| r["pending"].as_array().unwrap().iter().all(|p| p != "subdefs")), "{all:#?}");
    assert_eq!(subdef_files(&w).len(), 48);
}
