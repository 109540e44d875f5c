//! The file type from its content (magic bytes), never from its name: a PNG renamed `.jpg`
//! is still a PNG, and a task must treat it as one.

/// How many leading bytes [`mime_of`] needs to recognise every type it knows.
pub const SNIFF_LEN: usize = 8192;

/// The MIME type said when the content matches no known type.
pub const UNKNOWN_MIME: &str = "application/octet-stream";

/// The MIME type of a file whose first bytes (up to [`SNIFF_LEN`]) are `head`, so that tasks
/// dispatch on what the file is rather than on what its name claims.
///
/// The matching is the `infer` crate's; HEIF images are named `image/heic`, the name the media
/// library uses for them. Unknown or empty content gives [`UNKNOWN_MIME`].
pub fn mime_of(head: &[u8]) -> String {
    match infer::get(head).map(|t| t.mime_type()) {
        Some("image/heif") => "image/heic".to_string(),
        Some(mime) => mime.to_string(),
        None => UNKNOWN_MIME.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_magic_bytes() {
        assert_eq!(mime_of(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0"), "image/jpeg");
        assert_eq!(mime_of(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
        assert_eq!(mime_of(b"%PDF-1.7\n"), "application/pdf");
        assert_eq!(mime_of(b"II*\0\x08\0\0\0\x0c\0\0\x01\x03\0"), "image/tiff");
        assert_eq!(mime_of(b"RIFF\x24\0\0\0WEBPVP8 "), "image/webp");
        assert_eq!(mime_of(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"), "image/heic");
        assert_eq!(mime_of(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf"), "image/avif");
        assert_eq!(mime_of(b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2"), "video/mp4");
    }

    #[test]
    fn unknown_and_empty() {
        assert_eq!(mime_of(b""), UNKNOWN_MIME);
        assert_eq!(mime_of(b"just some text"), UNKNOWN_MIME);
    }
}
