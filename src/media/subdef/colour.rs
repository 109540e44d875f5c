//! Decoded pixels to 8-bit sRGB: the profile a file embeds is applied with Little CMS (the
//! `lcms2` crate), as vipsthumbnail and ImageMagick do, so an Adobe RGB, a linear or a CMYK
//! press original looks the same in its thumbnail as in an editor. Without a profile, RGB is
//! taken as sRGB, grey is spread to three channels and CMYK goes through the plain formula.
//!
//! A profile that cannot be parsed, or that describes another colour space than the pixels,
//! is ignored with a warning: a wrong profile must not cost the record its thumbnails.

use lcms2::{ColorSpaceSignature, Flags, Intent, PixelFormat, Profile, Transform};

/// How the decoder's pixels are laid out, one byte a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    Rgb,
    Rgba,
    Gray,
    /// 0 is no ink (the JPEG decoder undoes Adobe's inversion).
    Cmyk,
}

/// `raw` in `model` as sRGB: RGB, or RGBA when the model has alpha (the second value).
pub fn to_srgb(raw: Vec<u8>, model: Model, icc: Option<&[u8]>) -> (Vec<u8>, bool) {
    let alpha = model == Model::Rgba;
    if let Some(profile) = icc.and_then(|bytes| usable_profile(bytes, model)) {
        match transform(&raw, model, &profile) {
            Ok(out) => return (out, alpha),
            Err(e) => log::warn!("the embedded colour profile cannot be applied ({e}); it is ignored"),
        }
    }
    let out = match model {
        Model::Rgb | Model::Rgba => raw,
        Model::Gray => raw.iter().flat_map(|&v| [v, v, v]).collect(),
        Model::Cmyk => raw.chunks_exact(4).flat_map(|p| cmyk_to_rgb(p[0], p[1], p[2], p[3])).collect(),
    };
    (out, alpha)
}

/// The embedded profile, if it parses and describes the pixels' colour space.
fn usable_profile(bytes: &[u8], model: Model) -> Option<Profile> {
    let profile = match Profile::new_icc(bytes) {
        Ok(p) => p,
        Err(e) => {
            log::warn!("the embedded colour profile is damaged ({e}); it is ignored");
            return None;
        }
    };
    let expected = match model {
        Model::Rgb | Model::Rgba => ColorSpaceSignature::RgbData,
        Model::Gray => ColorSpaceSignature::GrayData,
        Model::Cmyk => ColorSpaceSignature::CmykData,
    };
    if profile.color_space() != expected {
        log::warn!(
            "the embedded colour profile is for {:?}, not {expected:?} pixels; it is ignored",
            profile.color_space()
        );
        return None;
    }
    Some(profile)
}

/// Converts through Little CMS, perceptual intent (what vips uses by default).
fn transform(raw: &[u8], model: Model, profile: &Profile) -> lcms2::LCMSResult<Vec<u8>> {
    let srgb = Profile::new_srgb();
    let (from, to, flags, out_channels) = match model {
        Model::Rgb => (PixelFormat::RGB_8, PixelFormat::RGB_8, Flags::default(), 3),
        Model::Rgba => (PixelFormat::RGBA_8, PixelFormat::RGBA_8, Flags::COPY_ALPHA, 4),
        Model::Gray => (PixelFormat::GRAY_8, PixelFormat::RGB_8, Flags::default(), 3),
        Model::Cmyk => (PixelFormat::CMYK_8, PixelFormat::RGB_8, Flags::default(), 3),
    };
    let in_channels = from.bytes_per_pixel();
    let t: Transform<u8, u8> = Transform::new_flags(profile, from, &srgb, to, Intent::Perceptual, flags)?;
    let pixels = raw.len() / in_channels;
    let mut out = vec![0u8; pixels * out_channels];
    t.transform_pixels(&raw[..pixels * in_channels], &mut out);
    Ok(out)
}

/// CMYK (0 = no ink) to RGB without a profile: the naive conversion, used when the file
/// carries no ICC profile to do better.
fn cmyk_to_rgb(c: u8, m: u8, y: u8, k: u8) -> [u8; 3] {
    let ink = |v: u8| ((255 - u32::from(v)) * (255 - u32::from(k)) / 255) as u8;
    [ink(c), ink(m), ink(y)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linear_rgb_profile() -> Vec<u8> {
        let white = lcms2::CIExyY { x: 0.3127, y: 0.3290, Y: 1.0 };
        let primaries = lcms2::CIExyYTRIPLE {
            Red: lcms2::CIExyY { x: 0.64, y: 0.33, Y: 1.0 },
            Green: lcms2::CIExyY { x: 0.30, y: 0.60, Y: 1.0 },
            Blue: lcms2::CIExyY { x: 0.15, y: 0.06, Y: 1.0 },
        };
        let linear = lcms2::ToneCurve::new(1.0);
        let profile = Profile::new_rgb(&white, &primaries, &[&linear, &linear, &linear]).expect("profile");
        profile.icc().expect("icc bytes")
    }

    #[test]
    fn a_linear_profile_brightens_mid_grey_as_srgb_encodes_it() {
        let (out, alpha) = to_srgb(vec![128, 128, 128], Model::Rgb, Some(&linear_rgb_profile()));
        assert!(!alpha);
        // Linear 0.502 is sRGB 0.737, 188 of 255.
        assert!(out.iter().all(|&v| (186..=190).contains(&v)), "{out:?}");
    }

    #[test]
    fn alpha_is_kept_through_a_profile() {
        let (out, alpha) = to_srgb(vec![128, 128, 128, 77], Model::Rgba, Some(&linear_rgb_profile()));
        assert!(alpha);
        assert_eq!(out[3], 77);
    }

    #[test]
    fn a_damaged_or_mismatched_profile_is_ignored() {
        assert_eq!(to_srgb(vec![1, 2, 3], Model::Rgb, Some(b"not a profile")).0, vec![1, 2, 3]);
        assert_eq!(to_srgb(vec![9], Model::Gray, Some(&linear_rgb_profile())).0, vec![9, 9, 9]);
    }

    #[test]
    fn cmyk_without_a_profile_uses_the_formula() {
        assert_eq!(to_srgb(vec![0, 0, 0, 0, 255, 0, 0, 0], Model::Cmyk, None).0, vec![255, 255, 255, 0, 255, 255]);
    }
}
