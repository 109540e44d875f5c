//! Where a JPEG's metadata ends. Every segment that holds metadata (APPn: EXIF, XMP, IPTC in
//! Photoshop's APP13, ICC; COM) comes before the first scan, and exiv2, writing a JPEG, copies
//! everything from the first scan's marker on byte for byte (`JpegBase::doWriteMetadata`).
//! So `phr-meta write` can hand exiv2 the head alone (a few KB instead of the whole image) and
//! append the rest of the file itself: the result is the same file, for far less work done
//! while holding exiv2's lock.
//!
//! Only what is plainly a JPEG is split: a walk that meets anything unusual (bytes between
//! segments, a marker without a length before the first scan, a file that ends first) says
//! `None`, and the caller gives exiv2 the whole file as before.

use std::io::{self, BufRead, BufReader, Read};

/// The offset of the `FF DA` marker (start of scan) that begins the first scan of the JPEG
/// read from `input`, found by walking its segments from the start; `None` when `input` is not
/// a JPEG whose segments lead cleanly to a scan. Reads only the segments' markers and lengths.
pub fn first_scan(input: impl Read) -> io::Result<Option<u64>> {
    let mut r = BufReader::with_capacity(16 << 10, input);
    let mut pos = 0u64;
    if read_u16(&mut r, &mut pos)? != Some(0xFFD8) {
        return Ok(None);
    }
    loop {
        if read_u8(&mut r, &mut pos)? != Some(0xFF) {
            return Ok(None); // bytes between segments, or the end of the file
        }
        let mut marker = read_u8(&mut r, &mut pos)?;
        while marker == Some(0xFF) {
            marker = read_u8(&mut r, &mut pos)?; // fill bytes
        }
        match marker {
            Some(0xDA) => return Ok(Some(pos - 2)),
            // The end, a stuffed zero, or a marker that has no length (TEM, RSTn) before any
            // scan: not a file to split.
            None | Some(0x00 | 0x01 | 0xD0..=0xD9) => return Ok(None),
            Some(_) => {
                let Some(length) = read_u16(&mut r, &mut pos)? else { return Ok(None) };
                if length < 2 || !skip(&mut r, &mut pos, u64::from(length) - 2)? {
                    return Ok(None);
                }
            }
        }
    }
}

fn read_u8(r: &mut impl Read, pos: &mut u64) -> io::Result<Option<u8>> {
    let mut b = [0u8; 1];
    match r.read_exact(&mut b) {
        Ok(()) => {
            *pos += 1;
            Ok(Some(b[0]))
        }
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(e),
    }
}

fn read_u16(r: &mut impl Read, pos: &mut u64) -> io::Result<Option<u16>> {
    let (Some(hi), Some(lo)) = (read_u8(r, pos)?, read_u8(r, pos)?) else { return Ok(None) };
    Ok(Some(u16::from_be_bytes([hi, lo])))
}

/// Skips `n` bytes; `false` if the input ends first.
fn skip(r: &mut impl BufRead, pos: &mut u64, n: u64) -> io::Result<bool> {
    let skipped = io::copy(&mut r.take(n), &mut io::sink())?;
    *pos += skipped;
    Ok(skipped == n)
}

#[cfg(test)]
mod tests {
    use super::first_scan;

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let len = u16::try_from(payload.len() + 2).unwrap_or(u16::MAX).to_be_bytes();
        [&[0xFF, marker][..], &len, payload].concat()
    }

    fn at(bytes: &[u8]) -> Option<u64> {
        first_scan(bytes).unwrap_or(None)
    }

    #[test]
    fn the_first_scan_is_found_past_every_segment_and_fill_byte() {
        let head = [
            &[0xFF, 0xD8][..],
            &segment(0xE1, b"Exif\0\0 with \xFF\xDA inside"),
            &[0xFF, 0xFF], // fill bytes before the next marker
            &segment(0xFE, b"a comment"),
            &segment(0xDB, &[0; 65]),
        ]
        .concat();
        let file = [&head[..], &[0xFF, 0xFF, 0xDA, 0, 8, 1, 2, 3, 4, 5, 6, 0xFF, 0xD9]].concat();
        assert_eq!(at(&file), Some(head.len() as u64 + 1), "the last fill byte is the marker's");
        let plain = [&[0xFF, 0xD8][..], &segment(0xE0, b"JFIF\0"), &[0xFF, 0xDA, 0, 2]].concat();
        assert_eq!(at(&plain), Some(2 + 2 + 2 + 5));
    }

    #[test]
    fn anything_unusual_is_not_split() {
        let soi = [0xFF, 0xD8];
        for bad in [
            &b"\x89PNG\r\n\x1a\n"[..],
            &[],
            &soi,
            &[&soi[..], &segment(0xE0, b"JFIF"), &[0xFF, 0xD9]].concat(), // EOI before a scan
            &[&soi[..], &[0x00, 0xFF, 0xDA, 0, 2]].concat(),              // a byte between segments
            &[&soi[..], &[0xFF, 0xD0, 0xFF, 0xDA, 0, 2]].concat(),        // RST0 before a scan
            &[&soi[..], &[0xFF, 0xE1, 0x10, 0x00, 1, 2, 3]].concat(),     // a segment longer than the file
            &[&soi[..], &[0xFF, 0xE1, 0x00, 0x01, 0xFF, 0xDA]].concat(),  // a length under 2
        ] {
            assert_eq!(at(bad), None, "{bad:02x?}");
        }
    }
}
