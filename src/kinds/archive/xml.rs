//! The XML files of a Phraseanet hot folder, read as Phraseanet reads them: per-folder
//! `.phrasea.xml` (`<record collection="68" lng="fr"><magicfile method="unlock">_ok.txt
//! </magicfile></record>`), the hidden `.grouping.xml` a story folder carries
//! (`<record grouping="RID"/>`), and caption sidecars (`<record><description><Field>value
//! </Field>…</description><status>mask</status></record>`). ISO-8859-1 files are accepted, as
//! Phraseanet's docs allow.

use std::collections::BTreeMap;
use std::path::Path;

/// A magic file's rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Magic {
    /// Wait until the file appears; delete it once the folder is archived.
    Unlock(String),
    /// Wait while the file exists; re-create it once the folder is archived.
    Lock(String),
}

impl Magic {
    /// The magic file's name.
    pub fn name(&self) -> &str {
        match self {
            Magic::Unlock(n) | Magic::Lock(n) => n,
        }
    }
}

/// What a folder's `.phrasea.xml` says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderRules {
    /// Collection id or name this folder (and below) archives into.
    pub collection: Option<String>,
    pub magic: Option<Magic>,
}

/// What a caption sidecar says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caption {
    /// Field values, in document order; a repeated element is a multi-valued field.
    pub fields: BTreeMap<String, Vec<String>>,
    /// A status mask, bit 0 rightmost.
    pub status: Option<String>,
}

/// Reads an XML file as text: UTF-8, or ISO-8859-1 when its declaration says so.
fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_ascii_lowercase();
    if head.contains("iso-8859-1") || head.contains("latin1") || head.contains("latin-1") {
        // ISO-8859-1 maps each byte to the code point of the same value.
        let text: String = bytes.iter().map(|&b| char::from(b)).collect();
        return Ok(text.replacen("iso-8859-1", "utf-8", 1).replacen("ISO-8859-1", "UTF-8", 1));
    }
    String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8 and not declared ISO-8859-1", path.display()))
}

fn document<'t>(path: &Path, text: &'t str) -> Result<roxmltree::Document<'t>, String> {
    roxmltree::Document::parse(text).map_err(|e| format!("{}: not valid XML: {e}", path.display()))
}

/// Reads a folder's `.phrasea.xml`.
pub fn folder_rules(path: &Path) -> Result<FolderRules, String> {
    let text = read_text(path)?;
    let doc = document(path, &text)?;
    let root = doc.root_element();
    let mut rules = FolderRules { collection: root.attribute("collection").map(str::to_string), magic: None };
    if let Some(m) = root.descendants().find(|n| n.has_tag_name("magicfile")) {
        let name = m.text().unwrap_or("").trim().to_string();
        if name.is_empty() || name.contains('/') {
            return Err(format!("{}: <magicfile> needs a file name", path.display()));
        }
        rules.magic = Some(match m.attribute("method").unwrap_or("unlock") {
            "lock" => Magic::Lock(name),
            "unlock" => Magic::Unlock(name),
            other => return Err(format!("{}: magicfile method {other:?} is not lock or unlock", path.display())),
        });
    }
    Ok(rules)
}

/// The story a folder's `.grouping.xml` names, if it names one.
pub fn grouping_story(path: &Path) -> Result<Option<i64>, String> {
    let text = read_text(path)?;
    let doc = document(path, &text)?;
    Ok(doc.root_element().attribute("grouping").and_then(|g| g.trim().parse().ok()))
}

/// Writes a story folder's `.grouping.xml`, so files added later join the story.
/// Written without following a link planted in the (user-writable) hot folder.
pub fn write_grouping(dir: &Path, story: i64) -> std::io::Result<()> {
    let xml = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<record grouping=\"{story}\"/>\n");
    crate::private_file::replace(&dir.join(".grouping.xml"), xml.as_bytes())
}

/// Reads a caption sidecar.
pub fn caption(path: &Path) -> Result<Caption, String> {
    let text = read_text(path)?;
    let doc = document(path, &text)?;
    let mut caption = Caption::default();
    let root = doc.root_element();
    if let Some(desc) = root.children().find(|n| n.has_tag_name("description")) {
        for field in desc.children().filter(roxmltree::Node::is_element) {
            let value: String = field.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
            let value = value.trim();
            if !value.is_empty() {
                caption.fields.entry(field.tag_name().name().to_string()).or_default().push(value.to_string());
            }
        }
    }
    if let Some(status) = root.children().find(|n| n.has_tag_name("status")) {
        caption.status = status.text().map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    }
    Ok(caption)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap_or_default();
        p
    }

    #[test]
    fn phraseanet_files_read_as_phraseanet_writes_them() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let rules =
            file(d.path(), "a", b"<record collection=\"68\"><magicfile method=\"lock\">_wait.txt</magicfile></record>");
        assert_eq!(
            folder_rules(&rules),
            Ok(FolderRules { collection: Some("68".into()), magic: Some(Magic::Lock("_wait.txt".into())) })
        );
        let latin = file(d.path(), "b", b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><record><description><Titre>For\xeat</Titre><Mots>a</Mots><Mots>b</Mots></description><status>1xxxx</status></record>");
        let c = caption(&latin).unwrap_or_default();
        assert_eq!(c.fields["Titre"], vec!["Forêt"]);
        assert_eq!(c.fields["Mots"], vec!["a", "b"]);
        assert_eq!(c.status.as_deref(), Some("1xxxx"));
        let bad = file(d.path(), "c", b"not xml <");
        assert!(caption(&bad).is_err_and(|e| e.contains("not valid XML")));
        write_grouping(d.path(), 42).unwrap_or_default();
        assert_eq!(grouping_story(&d.path().join(".grouping.xml")), Ok(Some(42)));
    }
}
