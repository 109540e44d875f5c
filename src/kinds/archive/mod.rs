//! `archive` (`phr-archive`): the seed's "Archiver dans la collection" — a Phraseanet hot
//! folder, archived into the databox. See `scan` for what is taken and `ingest` for how a file
//! becomes a record without ever being lost or archived twice.

mod ingest;
mod moves;
mod scan;
mod xml;

use super::{Context, Field, Invalid, KindError, Mode, PassReport, Show, TaskKind};
use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// The `archive` kind.
pub struct Archive;

/// One file or grouping mask, as Phraseanet's `<file mask="…" caption="…"/>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaskSetting {
    /// A case-sensitive regular expression on the file (or folder) name.
    pub mask: String,
    /// The caption sidecar's name from the mask's groups (`$1.xml`); required when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
}

/// What to do with a file whose checksum is already in the collection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Duplicates {
    /// Set it aside (`_error`) with the record it duplicates as the reason.
    #[default]
    SetAside,
    /// Archive it anyway, as a new record.
    Archive,
}

/// An `archive` task's `[settings]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArchiveSettings {
    /// The hot folder.
    pub hotfolder: PathBuf,
    /// The collection files go to (its name or Phraseanet id), unless a `.phrasea.xml` says otherwise.
    pub collection: String,
    /// A file is taken once unchanged (size and time) for this long (Phraseanet's "cold").
    #[serde(with = "crate::config::duration")]
    pub delay: Duration,
    /// Move archived files to `HOT_archived/` (else they are deleted once safely archived).
    pub move_archived: bool,
    /// Move failed files to `HOT_error/` with a `NAME.error` reason (else they stay, not retried
    /// until they change).
    pub move_error: bool,
    /// `set-aside` or `archive`.
    pub duplicates: Duplicates,
    /// A status mask applied to every record archived (`1xxxx`: bit 4 set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// File masks, first match wins; a file matching none goes to `_error`.
    pub files: Vec<MaskSetting>,
    /// Folder masks that make stories.
    pub groupings: Vec<MaskSetting>,
}

impl Default for ArchiveSettings {
    fn default() -> Self {
        ArchiveSettings {
            hotfolder: PathBuf::new(),
            collection: "default".into(),
            delay: Duration::from_secs(30),
            move_archived: true,
            move_error: true,
            duplicates: Duplicates::SetAside,
            status: None,
            files: vec![MaskSetting { mask: "^.*$".into(), caption: None }],
            groupings: Vec::new(),
        }
    }
}

/// `phr-archive`'s own flags.
#[derive(Debug, clap::Args)]
pub struct ArchiveFlags {
    /// The hot folder.
    #[arg(long, value_name = "DIR")]
    pub hotfolder: Option<PathBuf>,
    /// The target collection (name or Phraseanet id).
    #[arg(long, value_name = "NAME")]
    pub collection: Option<String>,
    /// Take files unchanged for this long ("0s" takes them at once).
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub delay: Option<String>,
    /// Delete archived files instead of moving them to HOT_archived/.
    #[arg(long)]
    pub delete_archived: bool,
    /// Archive duplicates instead of setting them aside.
    #[arg(long)]
    pub keep_duplicates: bool,
}

/// What a worker keeps across passes: the compiled masks.
pub struct State {
    files: Vec<scan::Mask>,
    groupings: Vec<scan::Mask>,
}

impl TaskKind for Archive {
    const NAME: &'static str = "archive";
    const SUMMARY: &'static str = "archives a Phraseanet hot folder into a collection";
    const MODE: Mode = Mode::Passes;
    const FIELDS: &'static [Field] = &[
        Field {
            key: "hotfolder",
            doc: "The hot folder (it must hold a .phrasea.xml at its root).",
            show: Show::Example("\"/srv/hotfolder\""),
        },
        Field { key: "collection", doc: "The collection files go to: its name or Phraseanet id.", show: Show::Default },
        Field { key: "delay", doc: "A file is taken once unchanged for this long.", show: Show::Default },
        Field {
            key: "move_archived",
            doc: "Move archived files to HOT_archived/ (false: delete them once archived).",
            show: Show::Default,
        },
        Field {
            key: "move_error",
            doc: "Move failed files to HOT_error/ with NAME.error (false: leave them, not retried until changed).",
            show: Show::Default,
        },
        Field {
            key: "duplicates",
            doc: "A file already in the collection: \"set-aside\" or \"archive\".",
            show: Show::Default,
        },
        Field {
            key: "status",
            doc: "Status bits set on every record archived (bit 0 rightmost).",
            show: Show::Commented("\"1xxxx\""),
        },
        Field {
            key: "files",
            doc: "File masks (case-sensitive regexes), first match wins; caption names a required sidecar.",
            show: Show::Default,
        },
        Field {
            key: "groupings",
            doc: "Folder masks that become stories, described by their caption:",
            show: Show::Commented("[{ mask = \"^(.*)\\\\.grp$\", caption = \"$1.grp.xml\" }]"),
        },
    ];
    type Settings = ArchiveSettings;
    type Flags = ArchiveFlags;
    type State = State;

    fn check(s: &ArchiveSettings) -> std::result::Result<(), Invalid> {
        if s.hotfolder.as_os_str().is_empty() {
            return Err(Invalid::new("hotfolder", "must name the hot folder"));
        }
        if !s.hotfolder.is_absolute() {
            return Err(Invalid::new("hotfolder", "must be an absolute path"));
        }
        compile(&s.files).map_err(|e| Invalid::new("files", e))?;
        compile(&s.groupings).map_err(|e| Invalid::new("groupings", e))?;
        if let Some(mask) = &s.status {
            mask.parse::<crate::databox::StatusMask>().map_err(|e| Invalid::new("status", e))?;
        }
        Ok(())
    }

    fn apply_flags(flags: ArchiveFlags, s: &mut ArchiveSettings) -> Result<()> {
        if let Some(h) = flags.hotfolder {
            s.hotfolder = std::path::absolute(&h).unwrap_or(h);
        }
        if let Some(c) = flags.collection {
            s.collection = c;
        }
        if let Some(d) = flags.delay {
            s.delay = crate::when::parse_duration(&d)?;
        }
        if flags.delete_archived {
            s.move_archived = false;
        }
        if flags.keep_duplicates {
            s.duplicates = Duplicates::Archive;
        }
        Ok(())
    }

    fn open(ctx: &Context<'_>, s: &ArchiveSettings) -> std::result::Result<State, KindError> {
        if ctx.settings.structure.collection(&s.collection).is_none() {
            return Err(KindError::Failed(format!("no collection {:?} in the config", s.collection)));
        }
        let files = compile(&s.files).map_err(KindError::Failed)?;
        let groupings = compile(&s.groupings).map_err(KindError::Failed)?;
        Ok(State { files, groupings })
    }

    fn pass(state: &mut State, ctx: &Context<'_>, s: &ArchiveSettings) -> std::result::Result<PassReport, KindError> {
        ingest::pass(state, ctx, s)
    }
}

fn compile(masks: &[MaskSetting]) -> std::result::Result<Vec<scan::Mask>, String> {
    masks
        .iter()
        .map(|m| {
            let regex = regex::Regex::new(&m.mask).map_err(|e| format!("mask {:?}: {e}", m.mask))?;
            Ok(scan::Mask { regex, caption: m.caption.clone() })
        })
        .collect()
}
