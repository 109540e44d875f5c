//! The grammar over the tokens: `OR` binds loosest, then `AND` (or words side by side), then
//! `NOT` and parentheses; `Field:value` resolved against the config's fields, date ranges
//! checked and taken out of the top-level AND into [`Search::dates`].

use super::lex::{closed, describe, lex, Token};
use super::{bad, is_word_char, DateRange, Expr, QueryError, Search, Term};
use crate::databox::{FieldType, Structure};
use std::sync::LazyLock;

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

/// An ISO date at any precision, from the year to the second; compiled once per process.
static ISO_DATE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}(:\d{2}(:\d{2})?)?)?)?)?$").expect("a valid pattern")
});

/// `FROM..TO`, either side may be empty, each an ISO date at any precision.
fn date_range(field: &str, value: &str) -> Result<DateRange, QueryError> {
    let (from, to) = value.split_once("..").unwrap_or((value, ""));
    let bound = |b: &str| -> Result<Option<String>, QueryError> {
        if b.is_empty() {
            return Ok(None);
        }
        if !ISO_DATE.is_match(b) {
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
