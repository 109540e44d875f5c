//! Reads the metadata of every file of DIR with `phr_tasks::media::meta::read` (exiv2,
//! in-process, one file after another) and prints how many and how long:
//!
//!     cargo run --release --example meta-bench -- DIR
//!     2000 files in 1.234 s
//!
//! `bench/archive.sh` compares it with `exiftool -j` on the same files. Exit 1 if a file could
//! not be read.

use std::process::exit;
use std::time::Instant;

fn main() {
    phr_tasks::media::backend::install_exiv2();
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: meta-bench DIR");
        exit(64)
    };
    let mut paths: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.path())
            .collect(),
        Err(e) => {
            eprintln!("meta-bench: {}: {e}", dir.to_string_lossy());
            exit(66)
        }
    };
    paths.sort();
    let start = Instant::now();
    let mut tags = 0usize;
    for path in &paths {
        match phr_tasks::media::meta::read(path) {
            Ok(meta) => tags += meta.tags().count(),
            Err(e) => {
                eprintln!("meta-bench: {e}");
                exit(1)
            }
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    println!("{} files in {elapsed:.3} s ({tags} tags)", paths.len());
}
