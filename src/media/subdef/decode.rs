//! Decoding an original once, into 8-bit sRGB(A) pixels no larger than the sub-definitions
//! need: JPEG through `jpeg-decoder`, whose DCT scaling decodes at 1/2, 1/4 or 1/8 of the size
//! (the `image` crate's JPEG decoder cannot), every other format through `image`; the file's
//! colour profile is applied on the shrunk pixels (see `colour`). The size
//! declared by the header is checked against the pixel limit before any pixel is decoded.

use super::colour::{self, Model};
use super::{fit, SubdefError};
use image::{DynamicImage, ImageDecoder};
use std::io::{BufReader, Read};
use std::path::Path;

/// An original's pixels, ready to resize.
pub struct Decoded {
    /// 8-bit RGB, or RGBA when `alpha`, row by row.
    pub pixels: Vec<u8>,
    pub alpha: bool,
    /// The decoded buffer's size (maybe shrunk on load).
    pub width: u32,
    pub height: u32,
    /// The original's size as stored (before orientation): what sub-definition sizes follow.
    pub original_width: u32,
    pub original_height: u32,
    /// The EXIF orientation the file declares.
    pub orientation: Option<u16>,
}

/// Decodes `path` at the smallest size from which a `largest`-pixel sub-definition can still
/// be made, refusing headers above `max_pixels`.
pub fn decode(path: &Path, largest: u32, max_pixels: u64) -> Result<Decoded, SubdefError> {
    let io = |source| SubdefError::Io { path: path.display().to_string(), source };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut magic = [0u8; 3];
    let is_jpeg = file.read_exact(&mut magic).is_ok() && magic == [0xFF, 0xD8, 0xFF];
    drop(file);
    if is_jpeg {
        let file = std::fs::File::open(path).map_err(io)?;
        jpeg(BufReader::new(file), largest, max_pixels)
    } else {
        other(path, max_pixels)
    }
}

fn check_pixels(width: u64, height: u64, max: u64) -> Result<(), SubdefError> {
    if width.saturating_mul(height) > max {
        return Err(SubdefError::TooLarge { width, height, max });
    }
    Ok(())
}

fn jpeg(reader: impl Read, largest: u32, max_pixels: u64) -> Result<Decoded, SubdefError> {
    use jpeg_decoder::PixelFormat;
    let bad = |e: jpeg_decoder::Error| SubdefError::Decode(e.to_string());
    let mut decoder = jpeg_decoder::Decoder::new(reader);
    decoder.read_info().map_err(bad)?;
    let info = decoder.info().ok_or_else(|| SubdefError::Decode("no JPEG frame header".into()))?;
    let (ow, oh) = (u32::from(info.width), u32::from(info.height));
    check_pixels(ow.into(), oh.into(), max_pixels)?;
    let (tw, th) = fit(ow, oh, largest);
    // Never below what the largest sub-definition needs: scale picks the smallest DCT size
    // whose result is at least this big.
    decoder.scale(tw.min(u16::MAX.into()) as u16, th.min(u16::MAX.into()) as u16).map_err(bad)?;
    let raw = decoder.decode().map_err(bad)?;
    let info = decoder.info().ok_or_else(|| SubdefError::Decode("no JPEG frame header".into()))?;
    let orientation =
        decoder.exif_data().and_then(image::metadata::Orientation::from_exif_chunk).map(|o| u16::from(o.to_exif()));
    let (raw, model) = match info.pixel_format {
        PixelFormat::RGB24 => (raw, Model::Rgb),
        PixelFormat::L8 => (raw, Model::Gray),
        PixelFormat::L16 => (raw.chunks_exact(2).map(|v| v[0]).collect(), Model::Gray),
        PixelFormat::CMYK32 => (raw, Model::Cmyk),
    };
    let (pixels, _) = colour::to_srgb(raw, model, decoder.icc_profile().as_deref());
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    if pixels.len() != width as usize * height as usize * 3 {
        return Err(SubdefError::Decode("the decoder returned a short image".into()));
    }
    Ok(Decoded { pixels, alpha: false, width, height, original_width: ow, original_height: oh, orientation })
}

fn other(path: &Path, max_pixels: u64) -> Result<Decoded, SubdefError> {
    let io = |source| SubdefError::Io { path: path.display().to_string(), source };
    let bad = |e: image::ImageError| SubdefError::Decode(e.to_string());
    let mut reader = image::ImageReader::open(path).map_err(io)?.with_guessed_format().map_err(io)?;
    let mut limits = image::Limits::default();
    // The pixel limit is ours; memory follows from it (16-bit RGBA at 8 bytes a pixel).
    limits.max_alloc = Some(max_pixels.saturating_mul(8).max(64 << 20));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(bad)?;
    let (ow, oh) = decoder.dimensions();
    check_pixels(ow.into(), oh.into(), max_pixels)?;
    let orientation = decoder.orientation().ok().map(|o| u16::from(o.to_exif()));
    let icc = decoder.icc_profile().ok().flatten();
    let image = DynamicImage::from_decoder(decoder).map_err(bad)?;
    let (width, height) = (image.width(), image.height());
    let colour = image.color();
    let (raw, model) = if colour.has_alpha() {
        (image.into_rgba8().into_raw(), Model::Rgba)
    } else if colour.has_color() {
        (image.into_rgb8().into_raw(), Model::Rgb)
    } else {
        (image.into_luma8().into_raw(), Model::Gray)
    };
    let (pixels, alpha) = colour::to_srgb(raw, model, icc.as_deref());
    Ok(Decoded { pixels, alpha, width, height, original_width: ow, original_height: oh, orientation })
}
