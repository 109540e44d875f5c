//! Building a record's sub-definitions (thumbnail, preview…) from its image: the file is
//! decoded once for all of them, at the smallest size that still serves the largest one
//! (JPEG's DCT scaling shrinks on load), converted to 8-bit sRGB, then each is resized with
//! SIMD convolution, turned upright per its EXIF orientation and encoded in memory. Nothing
//! here touches the data dir: the caller writes the bytes atomically.
//!
//! A file whose header declares more pixels than [`Options::max_pixels`] is refused before any
//! pixel is decoded, so one hostile header cannot take the machine's memory.

mod colour;
mod decode;
mod render;

use std::path::Path;

/// Why a file's sub-definitions could not be built: the reason a record keeps.
#[derive(Debug, thiserror::Error)]
pub enum SubdefError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    /// The header declares more pixels than allowed.
    #[error("{width}x{height} pixels is more than max_pixels ({max})")]
    TooLarge { width: u64, height: u64, max: u64 },
    /// The image data is damaged or of a kind not supported.
    #[error("cannot decode the image: {0}")]
    Decode(String),
    /// Encoding the result failed.
    #[error("cannot encode {format}: {reason}")]
    Encode { format: String, reason: String },
}

/// One sub-definition to build.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// Its name in the collection (`thumbnail`).
    pub name: String,
    /// Largest side in pixels; a smaller image is never enlarged.
    pub size: u32,
    /// `jpeg`, `png` or `webp`.
    pub format: String,
    /// 1 to 100, for JPEG and WebP.
    pub quality: u8,
}

/// How images are built, from the kind's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Refuse images whose header declares more pixels than this.
    pub max_pixels: u64,
    /// What transparent pixels become in a format without alpha (JPEG).
    pub background: [u8; 3],
}

/// One built sub-definition, in memory.
#[derive(Debug, Clone)]
pub struct Built {
    /// The spec's name.
    pub name: String,
    /// The encoded file.
    pub bytes: Vec<u8>,
    /// Its MIME type.
    pub mime: &'static str,
    /// Its file name extension.
    pub extension: &'static str,
    /// Pixel size, upright.
    pub width: u32,
    pub height: u32,
}

/// Builds every spec from the image at `path`. `orientation` is the EXIF orientation (1-8)
/// when the caller already knows it; otherwise the file's own is read.
pub fn build(
    path: &Path,
    orientation: Option<u16>,
    specs: &[Spec],
    options: &Options,
) -> Result<Vec<Built>, SubdefError> {
    let largest = specs.iter().map(|s| s.size).max().unwrap_or(1);
    let decoded = decode::decode(path, largest, options.max_pixels)?;
    let orientation = orientation.or(decoded.orientation).unwrap_or(1);
    specs.iter().map(|spec| render::render(&decoded, orientation, spec, options)).collect()
}

/// The size of an image of `width` x `height` fitted into a `size` box (its largest side
/// `size`), never enlarged, never below one pixel.
pub fn fit(width: u32, height: u32, size: u32) -> (u32, u32) {
    let largest = width.max(height);
    if largest <= size || largest == 0 {
        return (width.max(1), height.max(1));
    }
    let scale = f64::from(size) / f64::from(largest);
    let side = |v: u32| if v == largest { size } else { ((f64::from(v) * scale).round() as u32).clamp(1, size) };
    (side(width), side(height))
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn fitting_keeps_the_ratio_and_never_enlarges() {
        assert_eq!(fit(6000, 4000, 256), (256, 171));
        assert_eq!(fit(4000, 6000, 1024), (683, 1024));
        assert_eq!(fit(100, 50, 256), (100, 50));
        assert_eq!(fit(10000, 1, 256), (256, 1));
        assert_eq!(fit(300, 300, 256), (256, 256));
    }
}
