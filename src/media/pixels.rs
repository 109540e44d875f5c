//! Pixel size, colour model, bit depth and alpha, read from an image's headers only: never
//! decoding pixel data keeps metadata reading fast on large images.

use std::fs::File;
use std::io::{BufReader, Seek, SeekFrom};
use std::path::Path;

use image::{ExtendedColorType, ImageDecoder, ImageReader};
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

use super::meta::Technical;

/// Fills `tech`'s pixel facts for the file at `path`, whose content is of type `mime`; what
/// cannot be read is said in `warnings`, since a broken header must not fail the whole read.
pub(crate) fn probe(path: &Path, mime: &str, tech: &mut Technical, warnings: &mut Vec<String>) {
    match imagesize::size(path) {
        Ok(size) => {
            tech.width = u32::try_from(size.width).ok();
            tech.height = u32::try_from(size.height).ok();
        }
        Err(imagesize::ImageError::NotSupported) => {}
        Err(e) if mime.starts_with("image/") => {
            warnings.push(format!("pixel size: cannot read the image header: {e}"));
        }
        Err(_) => {}
    }
    let result = match mime {
        "image/jpeg" => jpeg_colour(path, tech),
        "image/png" | "image/tiff" | "image/webp" | "image/gif" | "image/bmp" => decoder_colour(path, tech),
        _ => Ok(()),
    };
    if let Err(e) = result {
        warnings.push(format!("colour model: cannot read the image header: {e}"));
    }
}

/// The colour model of a JPEG from its frame header: zune-jpeg reports CMYK and YCCK, which
/// the `image` crate's decoder hides by converting to RGB.
fn jpeg_colour(path: &Path, tech: &mut Technical) -> Result<(), String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let options = DecoderOptions::default().set_strict_mode(false);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(BufReader::new(file), options);
    decoder.decode_headers().map_err(|e| format!("{e:?}"))?;
    let (model, alpha) = match decoder.input_colorspace() {
        Some(ColorSpace::Luma) => ("Gray", false),
        Some(ColorSpace::LumaA) => ("Gray", true),
        Some(ColorSpace::CMYK | ColorSpace::YCCK) => ("CMYK", false),
        Some(ColorSpace::RGBA) => ("RGB", true),
        Some(_) => ("RGB", false),
        None => return Err("no frame header".to_string()),
    };
    tech.colour_space = Some(model.to_string());
    tech.has_alpha = Some(alpha);
    tech.bits_per_sample = Some(8);
    Ok(())
}

/// The colour model of the formats the `image` crate reads headers of (PNG, TIFF, WebP, GIF,
/// BMP), from the colour type as stored rather than as it would be decoded.
fn decoder_colour(path: &Path, tech: &mut Technical) -> Result<(), String> {
    let mut reader = BufReader::new(File::open(path).map_err(|e| e.to_string())?);
    reader.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
    let decoder = ImageReader::new(reader)
        .with_guessed_format()
        .map_err(|e| e.to_string())?
        .into_decoder()
        .map_err(|e| e.to_string())?;
    let stored = decoder.original_color_type();
    let (model, channels) = match stored {
        ExtendedColorType::L1
        | ExtendedColorType::L2
        | ExtendedColorType::L4
        | ExtendedColorType::L8
        | ExtendedColorType::L16
        | ExtendedColorType::La1
        | ExtendedColorType::La2
        | ExtendedColorType::La4
        | ExtendedColorType::La8
        | ExtendedColorType::La16 => ("Gray", stored.channel_count()),
        ExtendedColorType::Cmyk8 | ExtendedColorType::Cmyk16 => ("CMYK", 4),
        _ => ("RGB", stored.channel_count()),
    };
    tech.colour_space = Some(model.to_string());
    tech.has_alpha = Some(decoder.color_type().has_alpha());
    let bits = stored.bits_per_pixel() / u16::from(channels.max(1));
    tech.bits_per_sample = (bits > 0).then_some(bits);
    Ok(())
}
