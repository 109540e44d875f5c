//! The metadata library (`phr_tasks::media::meta::read`) against exiftool as the independent
//! reference: every test image is generated here, exiftool writes its metadata, and what
//! `read` returns must be what `exiftool -j -G1 -n` reads back.

use std::path::{Path, PathBuf};

use crate::util::{exiftool, write_tags};

/// `meta::read`, with exiv2 installed as the programs that read metadata install it.
fn read(path: &Path) -> Result<FileMetadata, MetaError> {
    phr_tasks::media::backend::install_exiv2();
    phr_tasks::media::meta::read(path)
}
use image::{GrayImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use phr_tasks::media::meta::{FileMetadata, MetaError};
use serde_json::Value;

/// What exiftool reads back from `file`, by `GROUP1:Tag`, numbers unformatted.
fn reference(file: &Path) -> serde_json::Map<String, Value> {
    let out = exiftool(&["-j", "-G1", "-n", file.to_str().unwrap()]);
    let mut all: Vec<serde_json::Map<String, Value>> = serde_json::from_str(&out).unwrap();
    all.remove(0)
}

/// A reference value as a list of strings, as `values` gives it.
fn as_strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().flat_map(as_strings).collect(),
        Value::String(s) => vec![s.clone()],
        other => vec![other.to_string()],
    }
}

/// Asserts that `read` gives each of `tags` as exiftool reads it back.
fn assert_matches_exiftool(meta: &FileMetadata, file: &Path, tags: &[&str]) {
    let reference = reference(file);
    for tag in tags {
        let expected =
            reference.get(*tag).unwrap_or_else(|| panic!("exiftool did not read back {tag}: {reference:#?}"));
        assert_eq!(meta.values(tag), Some(as_strings(expected)), "{tag} in {}", file.display());
    }
}

/// A temp dir for one test's files.
fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// A gradient RGB image saved as `name` in `format`.
fn rgb_image(dir: &Path, name: &str, format: ImageFormat, w: u32, h: u32) -> PathBuf {
    let path = dir.join(name);
    RgbImage::from_fn(w, h, |x, y| Rgb([x as u8, y as u8, 128])).save_with_format(&path, format).unwrap();
    path
}

fn read_ok(path: &Path) -> FileMetadata {
    read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

#[test]
fn jpeg_tags_and_non_ascii_text_read_as_exiftool_reads_them() {
    let d = dir();
    let jpg = rgb_image(d.path(), "photo.jpg", ImageFormat::Jpeg, 64, 48);
    write_tags(
        &jpg,
        &[
            "-IPTC:CodedCharacterSet=UTF8",
            "-XMP-dc:Title=Été à Kyōto 日本",
            "-XMP-dc:Subject=mer",
            "-XMP-dc:Subject=plage é",
            "-XMP-dc:Subject=日本",
            "-XMP-photoshop:City=Besançon",
            "-IPTC:ObjectName=Titre é",
            "-IPTC:Keywords=zèbre",
            "-IPTC:Keywords=a",
            "-IPTC:Keywords=日本",
            "-IPTC:Keywords=b",
            "-IPTC:By-line=Zoë Doe",
            "-IPTC:Caption-Abstract=Une légende, 日本語",
            "-EXIF:DateTimeOriginal=2024:05:06 07:08:09",
            "-EXIF:Orientation#=6",
            "-EXIF:Make=Canon",
            "-EXIF:Model=EOS R5",
            "-EXIF:Artist=Jérôme",
        ],
    );
    let meta = read_ok(&jpg);
    assert_matches_exiftool(
        &meta,
        &jpg,
        &[
            "XMP-dc:Title",
            "XMP-dc:Subject",
            "XMP-photoshop:City",
            "IPTC:ObjectName",
            "IPTC:Keywords",
            "IPTC:By-line",
            "IPTC:Caption-Abstract",
        ],
    );
    assert_eq!(meta.values("IPTC:Keywords").unwrap(), ["zèbre", "a", "日本", "b"]);
    assert_eq!(meta.values("XMP-dc:Title").unwrap(), ["Été à Kyōto 日本"]);
    let r = reference(&jpg);
    for (ours, theirs) in [
        ("EXIF:DateTimeOriginal", "ExifIFD:DateTimeOriginal"),
        ("EXIF:Make", "IFD0:Make"),
        ("EXIF:Model", "IFD0:Model"),
        ("EXIF:Artist", "IFD0:Artist"),
        ("EXIF:Orientation", "IFD0:Orientation"),
    ] {
        assert_eq!(meta.values(ours), Some(as_strings(&r[theirs])), "{ours}");
        assert_eq!(meta.values(theirs), Some(as_strings(&r[theirs])), "{theirs}");
    }
    assert_eq!(meta.values("xmp-dc:title"), meta.values("XMP-dc:Title"));
    assert_eq!(meta.values("Xmp.dc.title"), meta.values("XMP-dc:Title"));
    assert_eq!(meta.values("IPTC:Headline"), None);
    assert_eq!(meta.values("XMP-dc:Rights"), None);
    assert_eq!(meta.values("nonsense::"), None);

    let t = &meta.technical;
    assert_eq!(meta.mime, "image/jpeg");
    assert_eq!((t.width, t.height), (Some(64), Some(48)));
    assert_eq!(r["File:ImageWidth"], 64);
    assert_eq!(t.orientation, Some(6));
    assert_eq!(t.camera_make.as_deref(), Some("Canon"));
    assert_eq!(t.camera_model.as_deref(), Some("EOS R5"));
    assert_eq!(t.date_taken.as_deref(), Some("2024-05-06T07:08:09"));
    assert_eq!(t.colour_space.as_deref(), Some("RGB"));
    assert_eq!((t.bits_per_sample, t.has_alpha), (Some(8), Some(false)));
    assert_eq!(t.duration_secs, None);
    assert!(meta.warnings.is_empty(), "{:?}", meta.warnings);
    assert!(meta.tags().any(|(k, _)| k == "Iptc.Application2.Keywords"));
}

#[test]
fn latin1_iptc_without_a_charset_reads_as_exiftool_reads_it() {
    let d = dir();
    let jpg = rgb_image(d.path(), "latin.jpg", ImageFormat::Jpeg, 8, 8);
    write_tags(&jpg, &["-IPTC:ObjectName=Été", "-IPTC:City=Besançon"]);
    let meta = read_ok(&jpg);
    assert_matches_exiftool(&meta, &jpg, &["IPTC:ObjectName", "IPTC:City"]);
}

#[test]
fn every_exif_orientation_is_read() {
    let d = dir();
    let jpg = rgb_image(d.path(), "o.jpg", ImageFormat::Jpeg, 30, 20);
    for n in 1..=8u16 {
        write_tags(&jpg, &[&format!("-EXIF:Orientation#={n}")]);
        let meta = read_ok(&jpg);
        assert_eq!(meta.technical.orientation, Some(n));
        assert_eq!(reference(&jpg)["IFD0:Orientation"], n);
        // Pixel size is as stored, whatever the orientation.
        assert_eq!((meta.technical.width, meta.technical.height), (Some(30), Some(20)));
    }
    write_tags(&jpg, &["-EXIF:Orientation#=9"]);
    let meta = read_ok(&jpg);
    assert_eq!(meta.technical.orientation, None);
    assert!(meta.warnings.iter().any(|w| w.contains("Orientation")));
}

#[test]
fn greyscale_and_cmyk_jpegs_give_their_colour_model() {
    let d = dir();
    let grey = d.path().join("grey.jpg");
    GrayImage::from_fn(40, 30, |x, _| image::Luma([x as u8])).save_with_format(&grey, ImageFormat::Jpeg).unwrap();
    let cmyk = d.path().join("cmyk.jpg");
    let pixels: Vec<u8> = (0..50 * 20).flat_map(|i| [i as u8, 0, 255, 10]).collect();
    jpeg_encoder::Encoder::new_file(&cmyk, 90).unwrap().encode(&pixels, 50, 20, jpeg_encoder::ColorType::Cmyk).unwrap();
    for (file, model, w, h) in [(&grey, "Gray", 40, 30), (&cmyk, "CMYK", 50, 20)] {
        write_tags(file, &["-XMP-dc:Title=colour"]);
        let meta = read_ok(file);
        let r = reference(file);
        assert_eq!(meta.mime, "image/jpeg");
        assert_eq!(meta.technical.colour_space.as_deref(), Some(model));
        assert_eq!((meta.technical.width, meta.technical.height), (Some(w), Some(h)));
        assert_eq!(r["File:ImageWidth"], w);
        assert_eq!(r["File:ImageHeight"], h);
        assert_eq!(r["File:ColorComponents"], if model == "CMYK" { 4 } else { 1 });
        assert_matches_exiftool(&meta, file, &["XMP-dc:Title"]);
    }
}

#[test]
fn png_tiff_and_webp_give_size_colour_and_xmp() {
    let d = dir();
    let png = d.path().join("alpha.png");
    RgbaImage::from_fn(33, 17, |x, y| Rgba([x as u8, y as u8, 0, 100]))
        .save_with_format(&png, ImageFormat::Png)
        .unwrap();
    let tiff = rgb_image(d.path(), "img.tif", ImageFormat::Tiff, 21, 13);
    let webp = rgb_image(d.path(), "img.webp", ImageFormat::WebP, 19, 11);
    for (file, mime, w, h, alpha) in
        [(&png, "image/png", 33, 17, true), (&tiff, "image/tiff", 21, 13, false), (&webp, "image/webp", 19, 11, false)]
    {
        write_tags(file, &["-XMP-dc:Title=Ça 日本", "-XMP-dc:Subject=x", "-XMP-dc:Subject=y"]);
        let meta = read_ok(file);
        assert_eq!(meta.mime, mime);
        let t = &meta.technical;
        assert_eq!((t.width, t.height), (Some(w), Some(h)), "{mime}");
        assert_eq!(t.has_alpha, Some(alpha), "{mime}");
        assert_eq!(t.bits_per_sample, Some(8), "{mime}");
        assert_eq!(t.colour_space.as_deref(), Some("RGB"), "{mime}");
        assert_matches_exiftool(&meta, file, &["XMP-dc:Title", "XMP-dc:Subject"]);
    }
}

#[test]
fn mime_comes_from_content_not_the_name() {
    let d = dir();
    let png = rgb_image(d.path(), "really-a-png.jpg", ImageFormat::Png, 5, 4);
    let meta = read_ok(&png);
    assert_eq!(meta.mime, "image/png");
    assert_eq!(reference(&png)["File:MIMEType"], "image/png");
    assert_eq!((meta.technical.width, meta.technical.height), (Some(5), Some(4)));

    let text = d.path().join("notes.jpg");
    std::fs::write(&text, "not an image at all\n").unwrap();
    let meta = read_ok(&text);
    assert_eq!(meta.mime, "application/octet-stream");
    assert_eq!(meta.technical, Default::default());
    assert!(!meta.warnings.is_empty());
}

#[test]
fn a_file_without_metadata_has_none_and_no_warning() {
    let d = dir();
    let jpg = rgb_image(d.path(), "bare.jpg", ImageFormat::Jpeg, 10, 10);
    let meta = read_ok(&jpg);
    assert_eq!(meta.tags().count(), 0);
    assert_eq!(meta.values("XMP-dc:Title"), None);
    assert_eq!(meta.values("IPTC:Keywords"), None);
    assert_eq!(meta.technical.orientation, None);
    assert_eq!(meta.technical.date_taken, None);
    assert!(meta.warnings.is_empty(), "{:?}", meta.warnings);
}

#[test]
fn empty_truncated_and_garbage_files_read_with_warnings() {
    let d = dir();
    let empty = d.path().join("empty.jpg");
    std::fs::write(&empty, b"").unwrap();
    let meta = read_ok(&empty);
    assert_eq!(meta.mime, "application/octet-stream");
    assert!(!meta.warnings.is_empty());

    let full = rgb_image(d.path(), "full.jpg", ImageFormat::Jpeg, 64, 64);
    write_tags(&full, &["-XMP-dc:Title=cut", "-EXIF:Make=Canon"]);
    let bytes = std::fs::read(&full).unwrap();
    for len in [3, 20, 200, bytes.len() / 2] {
        let cut = d.path().join(format!("cut{len}.jpg"));
        std::fs::write(&cut, &bytes[..len]).unwrap();
        let meta = read_ok(&cut);
        assert_eq!(meta.mime, "image/jpeg", "cut at {len}");
        assert!(!meta.warnings.is_empty(), "cut at {len}");
    }

    let garbage = d.path().join("garbage.jpg");
    let mut junk = b"\xFF\xD8\xFF\xE1\x00\x40Exif\0\0MM\0\x2a\0\0\0\x08\xFF\xFF".to_vec();
    junk.extend((0..500u32).map(|i| (i * 7919 % 251) as u8));
    std::fs::write(&garbage, &junk).unwrap();
    let meta = read_ok(&garbage);
    assert_eq!(meta.mime, "image/jpeg");
    assert!(!meta.warnings.is_empty());
}

#[test]
fn a_missing_file_or_a_directory_is_an_error_naming_the_path() {
    let d = dir();
    let missing = d.path().join("no-such-file.jpg");
    let err = read(&missing).unwrap_err();
    assert!(matches!(err, MetaError::Io { .. }));
    assert!(err.to_string().contains("no-such-file.jpg"), "{err}");
    let err = read(d.path()).unwrap_err();
    assert!(matches!(err, MetaError::NotAFile { .. }), "{err}");
}

#[test]
fn results_can_cross_threads() {
    fn is_send_sync<T: Send + Sync>() {}
    is_send_sync::<FileMetadata>();
    let d = dir();
    let jpg = rgb_image(d.path(), "t.jpg", ImageFormat::Jpeg, 9, 9);
    write_tags(&jpg, &["-IPTC:Keywords=k"]);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let jpg = jpg.clone();
            std::thread::spawn(move || read(&jpg).unwrap().values("IPTC:Keywords"))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), Some(vec!["k".to_string()]));
    }
}

#[test]
fn xmp_language_alternatives_give_the_default_and_text_gives_one_value() {
    let d = dir();
    let jpg = rgb_image(d.path(), "lang.jpg", ImageFormat::Jpeg, 8, 8);
    write_tags(
        &jpg,
        &[
            "-XMP-dc:Title-fr=Français",
            "-XMP-dc:Title=Défaut",
            "-XMP-dc:Description-de=Nur deutsch",
            "-XMP-dc:Creator=A",
            "-XMP-dc:Creator=B é",
            "-XMP-photoshop:City=Paris",
            "-XMP-iptcCore:Location=Ici",
            "-XMP-xmp:Rating=3",
        ],
    );
    let meta = read_ok(&jpg);
    assert_matches_exiftool(
        &meta,
        &jpg,
        &["XMP-dc:Title", "XMP-dc:Creator", "XMP-photoshop:City", "XMP-iptcCore:Location", "XMP-xmp:Rating"],
    );
    assert_eq!(meta.values("XMP-dc:Title").unwrap(), ["Défaut"]);
    assert_eq!(meta.values("XMP:Title").unwrap(), ["Défaut"]);
    assert_eq!(meta.values("XMP-dc:Description").unwrap(), ["Nur deutsch"]);
}
