//! Reading what a media file says about itself, for the task kinds that archive files and
//! report their metadata (`phr-archive`, `phr-meta read`).
//!
//! [`meta::read`] is the one entry point: it sniffs the file's type from its content, reads
//! its pixel size and colour model from the headers only (never decoding pixels, so that
//! reading stays far faster than running exiftool), and reads EXIF, IPTC and XMP through
//! exiv2. Broken metadata never makes reading fail: what could not be read becomes a warning.
//! Tags are looked up by the names admins know from exiftool (`IPTC:Keywords`,
//! `XMP-dc:Title`), mapped to exiv2's keys in [`tags`].

pub mod backend;
mod exiv;
pub mod jpeg_head;
pub mod meta;
mod pixels;
pub mod sniff;
pub mod subdef;
pub mod tags;
pub mod write;

pub use meta::{read, FileMetadata, MetaError, Technical};
