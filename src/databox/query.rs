//! The search syntax of `phr-record search`, parsed into a backend-neutral [`Search`]: words,
//! phrases (`"en forêt"`), prefixes (`sun*`), `Field:value` with the config's field names,
//! `AND`/`OR`/`NOT` (upper case; words side by side are ANDed) with parentheses, and date
//! ranges on date fields (`Date:2014-01-01..2014-12-31`). The store translates a [`Search`]
//! into its own engine's language (FTS5 for SQLite), so no user text reaches it unquoted.
//! A mistake is a [`QueryError`] naming it in one line, never a panic.

use super::{FieldType, Structure};

/// Why a query cannot be run, in one line for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad query: {0}")]
pub struct QueryError(pub String);

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

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    /// A quoted phrase, the field written just before it (`Title:"…"`), and a trailing `*`.
    Phrase {
        field: Option<String>,
        text: String,
        prefix: bool,
    },
    Open,
    Close,
    And,
    Or,
    Not,
}

/// Splits a query whose quotes are paired (checked before) into tokens.
fn lex(input: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '(' || c == ')' {
            chars.next();
            tokens.push(if c == '(' { Token::Open } else { Token::Close });
        } else if c == '"' {
            chars.next();
            let text: String = chars.by_ref().take_while(|&c| c != '"').collect();
            let prefix = chars.next_if_eq(&'*').is_some();
            tokens.push(Token::Phrase { field: None, text, prefix });
        } else {
            let mut word = String::new();
            while let Some(c) = chars.next_if(|&c| !c.is_whitespace() && !matches!(c, '(' | ')' | '"')) {
                word.push(c);
            }
            match word.as_str() {
                "AND" => tokens.push(Token::And),
                "OR" => tokens.push(Token::Or),
                "NOT" => tokens.push(Token::Not),
                _ if word.ends_with(':') && chars.peek() == Some(&'"') => {
                    chars.next();
                    let text: String = chars.by_ref().take_while(|&c| c != '"').collect();
                    let prefix = chars.next_if_eq(&'*').is_some();
                    let field = word.trim_end_matches(':').to_string();
                    tokens.push(Token::Phrase { field: Some(field), text, prefix });
                }
                _ => tokens.push(Token::Word(word)),
            }
        }
    }
    tokens
}

/// Quotes come in pairs.
fn closed(input: &str) -> bool {
    input.matches('"').count().is_multiple_of(2)
}

/// Parses `input` against the fields of `structure`.
pub fn parse(input: &str, structure: &Structure) -> Result<Search, QueryError> {
    if !closed(input) {
        return bad("a quote is not closed");
    }
    let tokens = lex(input);
    if tokens.is_empty() {
        return bad("nothing to search for");
    }
    let mut p = Parser { tokens, at: 0, structure };
    let expr = p.or()?;
    if let Some(t) = p.tokens.get(p.at) {
        return bad(match t {
            Token::Close => "a ')' has no '('".to_string(),
            other => format!("unexpected {}", describe(other)),
        });
    }
    split_dates(expr)
}

fn describe(t: &Token) -> &'static str {
    match t {
        Token::And => "AND",
        Token::Or => "OR",
        Token::Not => "NOT",
        Token::Open => "'('",
        Token::Close => "')'",
        Token::Word(_) | Token::Phrase { .. } => "word",
    }
}

/// An expression while parsing: date ranges are still leaves until [`split_dates`].
#[derive(Debug)]
enum Node {
    Term(Term),
    Date(DateRange),
    And { all: Vec<Node>, not: Vec<Node> },
    Or(Vec<Node>),
}

struct Parser<'s> {
    tokens: Vec<Token>,
    at: usize,
    structure: &'s Structure,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn or(&mut self) -> Result<Node, QueryError> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Node::Or(parts) })
    }

    fn and(&mut self) -> Result<Node, QueryError> {
        let (mut all, mut not) = (Vec::new(), Vec::new());
        loop {
            match self.peek() {
                None | Some(Token::Or) | Some(Token::Close) if all.is_empty() && not.is_empty() => {
                    return bad(match self.at.checked_sub(1).and_then(|i| self.tokens.get(i)) {
                        Some(t @ (Token::And | Token::Or | Token::Not)) => {
                            format!("{} has nothing after it", describe(t))
                        }
                        Some(Token::Open) => "'()' is empty".to_string(),
                        _ if self.peek() == Some(&Token::Or) => "OR has nothing before it".to_string(),
                        _ => "a ')' has no '('".to_string(),
                    });
                }
                None | Some(Token::Or) | Some(Token::Close) => break,
                Some(Token::And) if all.is_empty() && not.is_empty() => return bad("AND has nothing before it"),
                Some(Token::And) => {
                    self.at += 1;
                    if matches!(self.peek(), None | Some(Token::Or) | Some(Token::Close) | Some(Token::And)) {
                        return bad("AND has nothing after it");
                    }
                }
                _ => {
                    let (negated, node) = self.unary()?;
                    if negated {
                        not.push(node)
                    } else {
                        all.push(node)
                    }
                }
            }
        }
        if all.is_empty() {
            return bad("NOT needs something to take away from: write 'a NOT b'");
        }
        Ok(if all.len() == 1 && not.is_empty() { all.remove(0) } else { Node::And { all, not } })
    }

    fn unary(&mut self) -> Result<(bool, Node), QueryError> {
        let mut negated = false;
        while self.peek() == Some(&Token::Not) {
            self.at += 1;
            negated = !negated;
        }
        let Some(token) = self.tokens.get(self.at).cloned() else { return bad("NOT has nothing after it") };
        self.at += 1;
        let node = match token {
            Token::Open => {
                let inner = self.or()?;
                if self.peek() != Some(&Token::Close) {
                    return bad("a '(' is not closed");
                }
                self.at += 1;
                inner
            }
            Token::Word(w) => self.word(&w)?,
            Token::Phrase { field, text, prefix } => {
                let field = field.map(|f| self.field(&f)).transpose()?;
                Node::Term(term(field, text, prefix)?)
            }
            other => return bad(format!("{} has nothing after it", describe(&other))),
        };
        Ok((negated, node))
    }

    fn field(&self, name: &str) -> Result<String, QueryError> {
        if name.is_empty() {
            return bad("a ':' has no field name before it");
        }
        match self.structure.fields.keys().find(|k| k.eq_ignore_ascii_case(name)) {
            Some(k) => Ok(k.clone()),
            None => {
                let known: Vec<&str> = self.structure.fields.keys().map(String::as_str).collect();
                bad(format!("unknown field {name:?} (known: {}; quote a word with ':' to search it)", known.join(", ")))
            }
        }
    }

    fn word(&self, word: &str) -> Result<Node, QueryError> {
        let (field, value) = match word.split_once(':') {
            Some((f, v)) => (Some(self.field(f)?), v),
            None => (None, word),
        };
        if value.is_empty() {
            return bad(format!("{word:?}: nothing to search after the ':'"));
        }
        if let Some(f) = &field {
            if self.structure.fields[f].kind == FieldType::Date && value.contains("..") {
                return date_range(f, value).map(Node::Date);
            }
        }
        let (text, prefix) = match value.strip_suffix('*') {
            Some(t) => (t, true),
            None => (value, false),
        };
        if text.contains('*') {
            return bad(format!("{word:?}: '*' only ends a word (sun*)"));
        }
        Ok(Node::Term(term(field, text.to_string(), prefix)?))
    }
}

fn term(field: Option<String>, text: String, prefix: bool) -> Result<Term, QueryError> {
    if !text.chars().any(is_word_char) {
        return bad(format!("nothing to search in {text:?}: no letter or digit"));
    }
    Ok(Term { field, text, prefix })
}

/// `FROM..TO`, either side may be empty, each an ISO date at any precision.
fn date_range(field: &str, value: &str) -> Result<DateRange, QueryError> {
    let (from, to) = value.split_once("..").unwrap_or((value, ""));
    let bound = |b: &str| -> Result<Option<String>, QueryError> {
        if b.is_empty() {
            return Ok(None);
        }
        let re =
            regex::Regex::new(r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}(:\d{2}(:\d{2})?)?)?)?)?$").expect("a valid pattern");
        if !re.is_match(b) {
            return bad(format!(
                "{field}:{value}: {b:?} is not a date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)"
            ));
        }
        Ok(Some(b.replace(' ', "T")))
    };
    let range = DateRange { field: field.to_string(), from: bound(from)?, to: bound(to)? };
    if range.from.is_none() && range.to.is_none() {
        return bad(format!("{field}:{value}: a range needs at least one date"));
    }
    Ok(range)
}

/// Takes the date ranges out of the top-level AND (the only place they may be) and checks the
/// text part that remains.
fn split_dates(node: Node) -> Result<Search, QueryError> {
    let (all, not) = match node {
        Node::Date(d) => return Ok(Search { text: None, dates: vec![d] }),
        Node::And { all, not } => (all, not),
        other => (vec![other], Vec::new()),
    };
    let mut dates = Vec::new();
    let mut text = Vec::new();
    for n in all {
        match n {
            Node::Date(d) => dates.push(d),
            other => text.push(expr(other)?),
        }
    }
    let not = not.into_iter().map(expr).collect::<Result<Vec<_>, _>>()?;
    let text = match (text.len(), not.is_empty()) {
        (0, true) => None,
        (0, false) => return bad("NOT needs a word to take away from: write 'a NOT b'"),
        (1, true) => text.pop(),
        _ => Some(Expr::And { all: text, not }),
    };
    Ok(Search { text, dates })
}

fn expr(node: Node) -> Result<Expr, QueryError> {
    Ok(match node {
        Node::Term(t) => Expr::Term(t),
        Node::Date(d) => {
            return bad(format!("{}: a date range goes with AND, not under OR or NOT", d.field));
        }
        Node::And { all, not } => Expr::And {
            all: all.into_iter().map(expr).collect::<Result<_, _>>()?,
            not: not.into_iter().map(expr).collect::<Result<_, _>>()?,
        },
        Node::Or(parts) => Expr::Or(parts.into_iter().map(expr).collect::<Result<_, _>>()?),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

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
