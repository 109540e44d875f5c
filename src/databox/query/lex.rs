//! The query's words: quoted phrases (with the field written just before them), parentheses,
//! the operators `AND`/`OR`/`NOT` (upper case only), and the other words as typed.

/// One token of a query.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
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
pub(super) fn lex(input: &str) -> Vec<Token> {
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
pub(super) fn closed(input: &str) -> bool {
    input.matches('"').count().is_multiple_of(2)
}

/// A token as a message names it.
pub(super) fn describe(t: &Token) -> &'static str {
    match t {
        Token::And => "AND",
        Token::Or => "OR",
        Token::Not => "NOT",
        Token::Open => "'('",
        Token::Close => "')'",
        Token::Word(_) | Token::Phrase { .. } => "word",
    }
}
