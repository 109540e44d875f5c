//! `subdef` (`phr-subdef`): builds each record's sub-definitions (thumbnail, preview…) as its
//! collection declares them, for records marked for it (archive marks every new one), for
//! given records (`--record ID`, a job `taskctl add subdef ID`) or for all (`--all`). Images
//! are decoded once per record for all its sub-definitions and records are built on every
//! core; files are written atomically. A failure keeps its reason and an attempt count, is
//! retried with backoff up to `max_attempts`, and never clears the record's flag.

mod build;
mod convert;

use super::{Context, Field, Invalid, KindError, Mode, PassReport, SetAside, Show, TaskKind};
use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

pub use convert::{default_commands, Converter};

/// The `subdef` kind.
pub struct Subdef;

/// A `subdef` task's `[settings]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SubdefSettings {
    /// Records built per pass at most.
    pub batch: u64,
    /// Only these records (marked or not); empty: every record marked for it.
    pub records: Vec<i64>,
    /// Every document, marked or not.
    pub all: bool,
    /// Records built at once; 0: one per core.
    pub threads: u32,
    /// Images whose header declares more pixels are refused before decoding.
    pub max_pixels: u64,
    /// Builds of a record tried at most, then it is left failed (until asked by --record).
    pub max_attempts: u32,
    /// Wait before trying a failed record again, doubling with each attempt.
    #[serde(with = "crate::config::duration")]
    pub retry_backoff: Duration,
    /// What transparent pixels become in JPEG sub-definitions (`#rrggbb`).
    pub background: String,
    /// Programs that make images (and videos) of documents that are not images, by MIME type.
    pub commands: BTreeMap<String, Converter>,
    /// How long one such program may run before it is stopped and the build fails.
    #[serde(with = "crate::config::duration")]
    pub command_timeout: Duration,
}

impl Default for SubdefSettings {
    fn default() -> Self {
        SubdefSettings {
            batch: 1000,
            records: Vec::new(),
            all: false,
            threads: 0,
            max_pixels: 200_000_000,
            max_attempts: 3,
            retry_backoff: Duration::from_secs(600),
            background: "#ffffff".into(),
            commands: default_commands(),
            command_timeout: Duration::from_secs(300),
        }
    }
}

/// `phr-subdef`'s own flags.
#[derive(Debug, clap::Args)]
pub struct SubdefFlags {
    /// Build this record now, marked or not, whatever its failures (repeatable).
    #[arg(long = "record", value_name = "ID", conflicts_with = "all")]
    pub records: Vec<i64>,
    /// Build every document's sub-definitions again.
    #[arg(long)]
    pub all: bool,
    /// Records built per pass at most.
    #[arg(long, value_name = "N")]
    pub batch: Option<u64>,
    /// Records built at once (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<u32>,
}

impl TaskKind for Subdef {
    const NAME: &'static str = "subdef";
    const SUMMARY: &'static str = "builds records' sub-definitions (thumbnails, previews) as their collection declares";
    const MODE: Mode = Mode::Passes;
    const FIELDS: &'static [Field] = &[
        Field { key: "batch", doc: "Records built per pass at most (1 to 100000).", show: Show::Default },
        Field {
            key: "records",
            doc: "Only these records; empty: every record marked for its sub-definitions.",
            show: Show::Default,
        },
        Field { key: "all", doc: "Build every document's sub-definitions again.", show: Show::Default },
        Field { key: "threads", doc: "Records built at once; 0: one per core (0 to 256).", show: Show::Default },
        Field {
            key: "max_pixels",
            doc: "Refuse, before decoding, images whose header declares more pixels than this.",
            show: Show::Default,
        },
        Field {
            key: "max_attempts",
            doc: "Failed builds of a record before it is left failed (1 to 100).",
            show: Show::Default,
        },
        Field {
            key: "retry_backoff",
            doc: "Wait before building a failed record again, doubled at each attempt.",
            show: Show::Default,
        },
        Field { key: "background", doc: "What transparency becomes in JPEG (#rrggbb).", show: Show::Default },
        Field {
            key: "commands",
            doc: "Programs that make an image (and an mp4 preview) of documents that are not images,\n\
                  by MIME type, run without a shell; {input}, {output} (no extension) and {size}\n\
                  are filled in. A table here replaces the built-in one: ffmpeg for video/*,\n\
                  pdftoppm for application/pdf (see the README).",
            show: Show::Commented(
                "{ \"application/pdf\" = { image = [\"pdftoppm\", \"-png\", \"-singlefile\", \"-scale-to\", \"{size}\", \"{input}\", \"{output}\"] } }",
            ),
        },
        Field {
            key: "command_timeout",
            doc: "How long one such program may run before it is stopped and the build fails.",
            show: Show::Default,
        },
    ];
    type Settings = SubdefSettings;
    type Flags = SubdefFlags;
    type State = ();

    fn check(s: &SubdefSettings) -> std::result::Result<(), Invalid> {
        crate::kinds::check_batch(s.batch, 100_000)?;
        crate::kinds::check_threads(s.threads)?;
        if s.max_pixels < 1 {
            return Err(Invalid::new("max_pixels", "must be at least 1"));
        }
        crate::kinds::check_retries(s.max_attempts, s.retry_backoff)?;
        if s.command_timeout.is_zero() {
            return Err(Invalid::new("command_timeout", "must be more than zero"));
        }
        convert::check(&s.commands)?;
        parse_colour(&s.background).map(drop).map_err(|e| Invalid::new("background", e))
    }

    fn apply_flags(flags: SubdefFlags, s: &mut SubdefSettings) -> Result<()> {
        if !flags.records.is_empty() {
            s.records = flags.records;
        }
        s.all |= flags.all;
        if let Some(b) = flags.batch {
            s.batch = b;
        }
        if let Some(t) = flags.threads {
            s.threads = t;
        }
        Ok(())
    }

    fn open(_: &Context<'_>, _: &SubdefSettings) -> std::result::Result<(), KindError> {
        Ok(())
    }

    fn pass(_: &mut (), ctx: &Context<'_>, s: &SubdefSettings) -> std::result::Result<PassReport, KindError> {
        build::pass(ctx, s)
    }

    fn job_settings(args: &[String], base: SubdefSettings) -> Option<std::result::Result<SubdefSettings, String>> {
        Some(crate::kinds::job_record_ids(args, Self::NAME).map(|records| SubdefSettings { records, ..base }))
    }
}

/// `#rrggbb` as three bytes.
pub fn parse_colour(text: &str) -> std::result::Result<[u8; 3], String> {
    let bad = || format!("{text:?} is not a colour written #rrggbb");
    let hex = text.strip_prefix('#').filter(|h| h.len() == 6 && h.is_ascii()).ok_or_else(bad)?;
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad());
    Ok([byte(0)?, byte(2)?, byte(4)?])
}

/// What a pass reports for a record it could not build.
fn set_aside(id: i64, reason: String) -> SetAside {
    SetAside { item: format!("record {id}"), reason }
}

#[cfg(test)]
mod tests {
    use super::parse_colour;

    #[test]
    fn colours_are_hex_triplets() {
        assert_eq!(parse_colour("#ff8000"), Ok([255, 128, 0]));
        assert!(parse_colour("ff8000").is_err());
        assert!(parse_colour("#ff80").is_err());
        assert!(parse_colour("#é0000").is_err());
    }
}
