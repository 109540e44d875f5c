//! One sub-definition from decoded pixels: resized with `fast_image_resize` (SIMD Lanczos3),
//! turned upright, flattened onto the background where the format has no alpha, encoded.

use super::decode::Decoded;
use super::{fit, Built, Options, Spec, SubdefError};
use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ImageEncoder, RgbImage, RgbaImage};

/// Builds `spec` from `decoded`, turned per EXIF `orientation` (1 to 8).
pub fn render(decoded: &Decoded, orientation: u16, spec: &Spec, options: &Options) -> Result<Built, SubdefError> {
    let (tw, th) = fit(decoded.original_width, decoded.original_height, spec.size);
    let pixels = resize(decoded, tw, th)?;
    let mut image = if decoded.alpha {
        DynamicImage::ImageRgba8(RgbaImage::from_raw(tw, th, pixels).ok_or_else(short)?)
    } else {
        DynamicImage::ImageRgb8(RgbImage::from_raw(tw, th, pixels).ok_or_else(short)?)
    };
    if let Some(o) = image::metadata::Orientation::from_exif(orientation.min(8) as u8) {
        image.apply_orientation(o);
    }
    encode(image, spec, options)
}

fn short() -> SubdefError {
    SubdefError::Decode("a resized buffer has the wrong size".into())
}

fn resize(decoded: &Decoded, tw: u32, th: u32) -> Result<Vec<u8>, SubdefError> {
    if (tw, th) == (decoded.width, decoded.height) {
        return Ok(decoded.pixels.clone());
    }
    let kind = if decoded.alpha { PixelType::U8x4 } else { PixelType::U8x3 };
    let bad = |e: String| SubdefError::Decode(format!("resizing: {e}"));
    let src = ImageRef::new(decoded.width, decoded.height, &decoded.pixels, kind).map_err(|e| bad(e.to_string()))?;
    let mut dst = Image::new(tw, th, kind);
    // Lanczos3, as vipsthumbnail; alpha is premultiplied while resizing (the crate's default).
    let how = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new().resize(&src, &mut dst, &how).map_err(|e| bad(e.to_string()))?;
    Ok(dst.into_vec())
}

fn encode(image: DynamicImage, spec: &Spec, options: &Options) -> Result<Built, SubdefError> {
    let (width, height) = (image.width(), image.height());
    let failed = |reason: String| SubdefError::Encode { format: spec.format.clone(), reason };
    let mut bytes = Vec::new();
    let (mime, extension) = match spec.format.as_str() {
        "png" => {
            let (raw, colour) = raw_of(image);
            image::codecs::png::PngEncoder::new(&mut bytes)
                .write_image(&raw, width, height, colour)
                .map_err(|e| failed(e.to_string()))?;
            ("image/png", "png")
        }
        "webp" => {
            // libwebp (the `webp` crate): the `image` crate's encoder writes lossless WebP only,
            // several times the size of a lossy one at the same look.
            let (raw, colour) = raw_of(image);
            let encoder = if colour == image::ExtendedColorType::Rgba8 {
                webp::Encoder::from_rgba(&raw, width, height)
            } else {
                webp::Encoder::from_rgb(&raw, width, height)
            };
            let encoded = encoder
                .encode_simple(false, f32::from(spec.quality.clamp(1, 100)))
                .map_err(|e| failed(format!("{e:?}")))?;
            bytes.extend_from_slice(&encoded);
            ("image/webp", "webp")
        }
        _ => {
            let rgb = flatten(image, options.background);
            let (w, h) = (u16::try_from(width), u16::try_from(height));
            let (Ok(w), Ok(h)) = (w, h) else { return Err(failed(format!("{width}x{height} is too large for JPEG"))) };
            jpeg_encoder::Encoder::new(&mut bytes, spec.quality.clamp(1, 100))
                .encode(rgb.as_raw(), w, h, jpeg_encoder::ColorType::Rgb)
                .map_err(|e| failed(e.to_string()))?;
            ("image/jpeg", "jpg")
        }
    };
    Ok(Built { name: spec.name.clone(), bytes, mime, extension, width, height })
}

fn raw_of(image: DynamicImage) -> (Vec<u8>, image::ExtendedColorType) {
    match image {
        DynamicImage::ImageRgba8(i) => (i.into_raw(), image::ExtendedColorType::Rgba8),
        other => (other.into_rgb8().into_raw(), image::ExtendedColorType::Rgb8),
    }
}

/// RGB, transparent pixels composited over `background`.
fn flatten(image: DynamicImage, background: [u8; 3]) -> RgbImage {
    match image {
        DynamicImage::ImageRgba8(rgba) => {
            let (w, h) = rgba.dimensions();
            let mut out = RgbImage::new(w, h);
            for (o, p) in out.pixels_mut().zip(rgba.pixels()) {
                let a = u32::from(p[3]);
                for c in 0..3 {
                    o[c] = ((u32::from(p[c]) * a + u32::from(background[c]) * (255 - a) + 127) / 255) as u8;
                }
            }
            out
        }
        other => other.into_rgb8(),
    }
}
