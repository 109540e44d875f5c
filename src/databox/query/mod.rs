//! The search syntax of `phr-record search`, parsed into a backend-neutral [`Search`]: words,
//! phrases (`"en forêt"`), prefixes (`sun*`), `Field:value` with the config's field names,
//! `AND`/`OR`/`NOT` (upper case; words side by side are ANDed) with parentheses, and date
//! ranges on date fields (`Date:2014-01-01..2014-12-31`). The store translates a [`Search`]
//! into its own engine's language (FTS5 for SQLite), so no user text reaches it unquoted.
//! A mistake is a [`QueryError`] naming it in one line, never a panic.

mod lex;
mod parse;

pub use parse::parse;

/// Why a query cannot be run, in one line for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad query: {0}")]
pub struct QueryError(pub String);

/// A [`QueryError`] saying `why`.
fn bad<T>(why: impl Into<String>) -> Result<T, QueryError> {
    Err(QueryError(why.into()))
}

/// One word or phrase to find, in every field or in one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The field's name as the config spells it; `None`: any field.
    pub field: Option<String>,
    /// The words, as typed (one word, or a phrase: consecutive words).
    pub text: String,
    /// The last word is a prefix (`sun*`).
    pub prefix: bool,
}

/// A boolean expression over terms. An [`Expr::And`] always has at least one positive part:
/// the engine finds records, then takes the negative parts away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Term(Term),
    And { all: Vec<Expr>, not: Vec<Expr> },
    Or(Vec<Expr>),
}

/// A range of dates on a date field: values (ISO, `YYYY-MM-DD[THH:MM:SS]`) from `from` up to
/// `to`, each bound inclusive at its precision (`..2014` takes all of 2014).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateRange {
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// A parsed query: the text to find (none: dates only) and date ranges that must all hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub text: Option<Expr>,
    pub dates: Vec<DateRange>,
}

/// Filters beside the query (`--collection`, `--status`, `-n`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilter {
    pub collection: Option<String>,
    pub status: Option<super::StatusMask>,
    pub limit: Option<u64>,
}

/// Whether `c` belongs to a word, as the index's tokenizer sees it (letters, digits and the
/// combining accents of decomposed text).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::databox::{FieldType, Structure};

    fn structure() -> Structure {
        let mut s = Structure::default_structure();
        s.fields.insert("Date".into(), super::super::FieldDef { kind: FieldType::Date, ..Default::default() });
        s.fields.insert("Title".into(), Default::default());
        s
    }

    fn t(field: Option<&str>, text: &str, prefix: bool) -> Expr {
        Expr::Term(Term { field: field.map(String::from), text: text.into(), prefix })
    }

    #[test]
    fn words_phrases_prefixes_fields_and_operators_parse() {
        let s = structure();
        let q = parse(r#"(sun* title:"en forêt" OR (a NOT b)) Date:2014-01-01..2014-12-31"#, &s).unwrap();
        assert_eq!(
            q.dates,
            vec![DateRange { field: "Date".into(), from: Some("2014-01-01".into()), to: Some("2014-12-31".into()) }]
        );
        let and = |all, not| Expr::And { all, not };
        assert_eq!(
            q.text.unwrap(),
            Expr::Or(vec![
                and(vec![t(None, "sun", true), t(Some("Title"), "en forêt", false)], vec![]),
                and(vec![t(None, "a", false)], vec![t(None, "b", false)])
            ])
        );
        assert_eq!(
            parse("Date:..2014", &s).unwrap(),
            Search { text: None, dates: vec![DateRange { field: "Date".into(), from: None, to: Some("2014".into()) }] }
        );
    }

    #[test]
    fn mistakes_are_one_line_errors() {
        let s = structure();
        for (q, says) in [
            (r#"a "b"#, "quote"),
            ("a AND", "AND has nothing after"),
            ("OR a", "OR has nothing before"),
            ("a OR", "nothing after"),
            ("NOT a", "NOT needs"),
            ("(a", "not closed"),
            ("a)", "no '('"),
            ("()", "empty"),
            ("Nope:x", "unknown field"),
            ("a*b", "only ends"),
            ("---", "no letter"),
            ("", "nothing to search"),
            ("a OR Date:2014..", "goes with AND"),
            ("Date:2014-1..", "not a date"),
            ("Title:", "nothing to search"),
            ("NOT", "nothing after"),
        ] {
            let e = parse(q, &s).unwrap_err().to_string();
            assert!(e.contains(says), "{q:?}: {e}");
            assert!(!e.contains('\n'));
        }
    }
}
