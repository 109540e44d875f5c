//! Writes N distinct JPEG images into DIR, then realistic EXIF/IPTC/XMP metadata into all of
//! them with one exiftool process: the test material of `bench/archive.sh`, `bench/subdef.sh`
//! and `scripts/demo`.
//!
//!     cargo run --release --example make-images -- DIR N [WIDTHxHEIGHT]
//!
//! The default size is 6000x4000 (a 24 MP camera). One textured base image is drawn once;
//! each file differs from it by a few blocks drawn from its number, so every file (and its
//! SHA-256) is different, and is encoded at quality 85. Files are `img-00001.jpg`... Encoding
//! runs on every core. exiftool (Debian libimage-exiftool-perl) must be installed.

use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, RgbImage};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{exit, Command};
use std::sync::atomic::{AtomicUsize, Ordering};

const QUALITY: u8 = 85;
const BLOCK: u32 = 16;

fn usage() -> ! {
    eprintln!("usage: make-images DIR N [WIDTHxHEIGHT]   (default 6000x4000)");
    exit(64)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 || args.len() > 3 {
        usage();
    }
    let dir = PathBuf::from(&args[0]);
    let n: usize = args[1].parse().unwrap_or_else(|_| usage());
    let (w, h) = match args.get(2) {
        None => (6000, 4000),
        Some(s) => {
            let (w, h) = s.split_once('x').unwrap_or_else(|| usage());
            (w.parse().unwrap_or_else(|_| usage()), h.parse().unwrap_or_else(|_| usage()))
        }
    };
    if w < BLOCK * 8 || h < BLOCK * 2 {
        eprintln!("make-images: {w}x{h} is too small (at least {}x{})", BLOCK * 8, BLOCK * 2);
        exit(64);
    }
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("make-images: {}: {e}", dir.display());
        exit(73);
    }
    let base = base_image(w, h);
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(n.max(1));
    let failed = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> Result<(), String> {
                    let mut img = base.clone();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            return Ok(());
                        }
                        mark(&mut img, i);
                        let path = dir.join(format!("img-{:05}.jpg", i + 1));
                        write_jpeg(&path, &img).map_err(|e| format!("{}: {e}", path.display()))?;
                        unmark(&mut img, &base);
                    }
                })
            })
            .collect();
        workers.into_iter().filter_map(|t| t.join().unwrap_or_else(|_| Err("a thread panicked".into())).err()).next()
    });
    if let Some(e) = failed {
        eprintln!("make-images: {e}");
        exit(74);
    }
    if n > 0 {
        write_metadata(&dir);
    }
}

/// A smooth colour field with fine noise on it: it compresses as a photo does (about 3 MB at
/// 24 MP and quality 85), not as a flat colour (tiny) or as pure noise (huge).
fn base_image(w: u32, h: u32) -> RgbImage {
    let mut seed: u32 = 0x9E37_79B9;
    RgbImage::from_fn(w, h, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = |shift: u32| ((seed >> shift) & 0x0f) as i32 - 8;
        let fx = x as f32 / w as f32;
        let fy = y as f32 / h as f32;
        let wave = ((fx * 23.0).sin() * (fy * 17.0).cos() * 40.0) as i32;
        let r = 60 + (fx * 150.0) as i32 + wave + noise(0);
        let g = 80 + (fy * 120.0) as i32 - wave / 2 + noise(8);
        let b = 200 - (fx * fy * 150.0) as i32 + wave / 3 + noise(16);
        image::Rgb([r.clamp(0, 255) as u8, g.clamp(0, 255) as u8, b.clamp(0, 255) as u8])
    })
}

/// The blocks that make file `i` different: a row of 32 blocks at the top left, one per bit
/// of `i`, white for a 1 and black for a 0.
fn mark(img: &mut RgbImage, i: usize) {
    for bit in 0..32u32 {
        let on = (i >> bit) & 1 == 1;
        let colour = if on { image::Rgb([255, 255, 255]) } else { image::Rgb([0, 0, 0]) };
        for (x, y) in block(img, bit) {
            img.put_pixel(x, y, colour);
        }
    }
}

/// Puts the base image's pixels back where [`mark`] drew.
fn unmark(img: &mut RgbImage, base: &RgbImage) {
    for bit in 0..32u32 {
        for (x, y) in block(img, bit) {
            img.put_pixel(x, y, *base.get_pixel(x, y));
        }
    }
}

/// The pixels of block `bit`, wrapping onto a second row when the image is narrow.
fn block(img: &RgbImage, bit: u32) -> impl Iterator<Item = (u32, u32)> {
    let per_row = img.width() / BLOCK;
    let (bx, by) = ((bit % per_row) * BLOCK, (bit / per_row) * BLOCK);
    (by..by + BLOCK).flat_map(move |y| (bx..bx + BLOCK).map(move |x| (x, y)))
}

fn write_jpeg(path: &Path, img: &RgbImage) -> Result<(), String> {
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    JpegEncoder::new_with_quality(&mut out, QUALITY)
        .encode(img.as_raw(), img.width(), img.height(), ExtendedColorType::Rgb8)
        .map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())
}

/// A camera's EXIF, an agency's IPTC and an editor's XMP, in one exiftool run over `dir`;
/// titles, descriptions and the image number are per file (`$filename`).
fn write_metadata(dir: &Path) {
    let status = Command::new("exiftool")
        .args([
            "-overwrite_original",
            "-q",
            "-ext",
            "jpg",
            "-EXIF:Make=Canon",
            "-EXIF:Model=Canon EOS 5D Mark IV",
            "-EXIF:DateTimeOriginal=2024:06:15 14:32:07",
            "-EXIF:ExposureTime=1/250",
            "-EXIF:FNumber=8",
            "-EXIF:ISO=200",
            "-EXIF:FocalLength=35",
            "-EXIF:Artist=Jeanne Martin",
            "-EXIF:Copyright=(c) 2024 Jeanne Martin",
            "-IPTC:Keywords=harbour",
            "-IPTC:Keywords=boats",
            "-IPTC:Keywords=summer",
            "-IPTC:By-line=Jeanne Martin",
            "-IPTC:City=Marseille",
            "-IPTC:Country-PrimaryLocationName=France",
            "-IPTC:CopyrightNotice=(c) 2024 Jeanne Martin",
            "-IPTC:Caption-Abstract<Boats in the old harbour, $filename",
            "-XMP-dc:Title<Old harbour $filename",
            "-XMP-dc:Description<Boats in the old harbour, $filename",
            "-XMP-dc:Subject=harbour",
            "-XMP-dc:Subject=boats",
            "-XMP-dc:Subject=summer",
            "-XMP-dc:Creator=Jeanne Martin",
            "-XMP-dc:Rights=(c) 2024 Jeanne Martin",
            "-XMP-photoshop:City=Marseille",
        ])
        .arg(dir)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => {
            eprintln!("make-images: exiftool failed ({s})");
            exit(70);
        }
        Err(e) => {
            eprintln!("make-images: cannot run exiftool (Debian: libimage-exiftool-perl): {e}");
            exit(69);
        }
    }
}
