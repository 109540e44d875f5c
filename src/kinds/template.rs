//! The commented settings `taskctl new` writes. Values come from the settings type's `Default`
//! (serialized), docs from the kind's [`Field`] table, so a default is written in one place.

use serde::Serialize;

/// How a setting appears in a new task file.
#[derive(Debug, Clone, Copy)]
pub enum Show {
    /// `key = DEFAULT`, the value `Default` gives.
    Default,
    /// `# key = EXAMPLE`: an optional setting, off by default.
    Commented(&'static str),
    /// `key = EXAMPLE`: a setting with no usable default that the admin must fill in.
    Example(&'static str),
}

/// One documented setting.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Its key in the TOML table.
    pub key: &'static str,
    /// What it does, one or more lines (each becomes a `#` comment).
    pub doc: &'static str,
    pub show: Show,
}

/// Renders `fields` with their defaults taken from `defaults` (serialized to a TOML table).
/// A field the table lacks and that has no example is written commented with no value.
pub fn render(fields: &[Field], defaults: &impl Serialize) -> String {
    let table = toml::Table::try_from(defaults).unwrap_or_default();
    let mut out = String::new();
    for f in fields {
        for line in f.doc.lines() {
            out.push_str(&format!("# {line}\n"));
        }
        match (f.show, table.get(f.key)) {
            (Show::Example(example), _) => out.push_str(&format!("{} = {example}\n", f.key)),
            (Show::Commented(example), _) => out.push_str(&format!("# {} = {example}\n", f.key)),
            (Show::Default, Some(value)) => out.push_str(&format!("{} = {value}\n", f.key)),
            (Show::Default, None) => out.push_str(&format!("# {} =\n", f.key)),
        }
    }
    out
}

/// The keys `defaults` serializes that `fields` does not document (a kind's test asserts none).
pub fn undocumented(fields: &[Field], defaults: &impl Serialize) -> Vec<String> {
    let table = toml::Table::try_from(defaults).unwrap_or_default();
    table.keys().filter(|k| !fields.iter().any(|f| f.key == k.as_str())).cloned().collect()
}
