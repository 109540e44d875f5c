//! Writes N test JPEGs of 6000x4000 pixels (24 megapixels, quality 90) into DIR for
//! bench/subdef.sh: smooth gradients with fine detail, so decoders and resizers do real work.
//! `cargo run --release --example bench-images -- DIR N`

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(n)) = (args.get(1), args.get(2).and_then(|n| n.parse::<u32>().ok())) else {
        eprintln!("usage: bench-images DIR N");
        std::process::exit(64);
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("bench-images: {dir}: {e}");
        std::process::exit(73);
    }
    for i in 0..n {
        let img = image::RgbImage::from_fn(6000, 4000, |x, y| {
            let detail = ((x * 7 + y * 13 + i * 31) % 23) as u8;
            image::Rgb([(x / 24) as u8 ^ detail, (y / 16) as u8, ((x + y) / 40) as u8 + detail])
        });
        let path = format!("{dir}/img{i:03}.jpg");
        let file = match std::fs::File::create(&path) {
            Ok(f) => std::io::BufWriter::new(f),
            Err(e) => {
                eprintln!("bench-images: {path}: {e}");
                std::process::exit(73);
            }
        };
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(file, 90);
        if let Err(e) = img.write_with_encoder(encoder) {
            eprintln!("bench-images: {path}: {e}");
            std::process::exit(74);
        }
    }
}
