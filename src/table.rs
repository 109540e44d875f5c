//! Text for people on a terminal: tables fitted to the screen's width (long cells cut with `…`,
//! so one huge argument cannot make every line huge), control characters escaped (a job's
//! description must not drive the admin's terminal), and command lines quoted as a shell would
//! (`one 'two three'`), so what is shown can be read back unambiguously and pasted.

use std::io::{self, IsTerminal, Write};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Spaces between columns.
const GAP: usize = 2;

/// The width `list` fits its table to when stdout is not a terminal and `$COLUMNS` is unset.
pub const DEFAULT_WIDTH: usize = 80;

/// How wide lines on stdout may be: the terminal's width when stdout is one, else `$COLUMNS`
/// when set (as `ls` does), else [`DEFAULT_WIDTH`].
pub fn output_width() -> usize {
    let stdout = io::stdout();
    if stdout.is_terminal() {
        if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size_of(&stdout) {
            return usize::from(w).max(1);
        }
    }
    std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse().ok()).filter(|&w| w > 0).unwrap_or(DEFAULT_WIDTH)
}

/// A column: its header, and whether it may be cut to fit (short, fixed-form columns such as
/// ids and times never are).
pub struct Column {
    pub header: &'static str,
    pub cut: bool,
}

/// Writes `rows` under `columns`, each cell escaped, padded to its column, lines without
/// trailing spaces. With `width`, the cuttable columns give way, widest first, until lines fit
/// (never below their header's width); `None` shows every cell whole.
pub fn write(out: &mut impl Write, columns: &[Column], rows: &[Vec<String>], width: Option<usize>) -> io::Result<()> {
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| escape(c)).collect()).collect();
    let mut natural: Vec<usize> = columns.iter().map(|c| c.header.width()).collect();
    for row in &rows {
        for (w, cell) in natural.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let widths = match width {
        Some(width) => fit(columns, &natural, width),
        None => natural,
    };
    let headers: Vec<String> = columns.iter().map(|c| c.header.to_string()).collect();
    for row in std::iter::once(&headers).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, &w)) in row.iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push_str(&" ".repeat(GAP));
            }
            let cell = cut(cell, w);
            line.push_str(&cell);
            line.push_str(&" ".repeat(w.saturating_sub(cell.width())));
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Column widths that fit `width`: fixed columns keep their natural width; the space left is
/// shared among the cuttable ones, the narrow ones first getting all they need.
fn fit(columns: &[Column], natural: &[usize], width: usize) -> Vec<usize> {
    let total: usize = natural.iter().sum::<usize>() + GAP * natural.len().saturating_sub(1);
    if total <= width {
        return natural.to_vec();
    }
    let fixed: usize = columns.iter().zip(natural).filter(|(c, _)| !c.cut).map(|(_, w)| w).sum();
    let mut budget = width.saturating_sub(fixed + GAP * natural.len().saturating_sub(1));
    let mut flexible: Vec<usize> = (0..columns.len()).filter(|&i| columns[i].cut).collect();
    flexible.sort_by_key(|&i| natural[i]);
    let mut widths = natural.to_vec();
    for (n, &i) in flexible.iter().enumerate() {
        let share = budget / (flexible.len() - n);
        widths[i] = natural[i].min(share).max(columns[i].header.width());
        budget = budget.saturating_sub(widths[i]);
    }
    widths
}

/// `text` in at most `width` columns: cut with a trailing `…` when longer.
pub fn cut(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Characters that must not reach a terminal raw: C0 and C1 controls, DEL, and the invisible
/// bidirectional overrides that can make text read differently from what it is.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with unsafe characters written as escapes (`\n`, `\t`, `\x1b`, `\u{202e}`).
pub fn escape(text: &str) -> String {
    if !text.chars().any(is_unsafe) {
        return text.to_string();
    }
    text.chars().map(escaped).collect()
}

fn escaped(c: char) -> String {
    match c {
        '\n' => "\\n".into(),
        '\t' => "\\t".into(),
        '\r' => "\\r".into(),
        c if is_unsafe(c) && (c as u32) < 0x100 => format!("\\x{:02x}", c as u32),
        c if is_unsafe(c) => format!("\\u{{{:x}}}", c as u32),
        c => c.to_string(),
    }
}

/// `words` as a POSIX shell command line: plain words as they are, others in single quotes,
/// and words holding unsafe characters in bash's `$'…'` form, which escapes them.
pub fn shell_line<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    words.into_iter().map(shell_word).collect::<Vec<_>>().join(" ")
}

fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_alphanumeric() || "_@%+=:,./-".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else if word.chars().any(is_unsafe) {
        let inner: String = word
            .chars()
            .map(|c| match c {
                '\\' => "\\\\".into(),
                '\'' => "\\'".into(),
                c if (c as u32) < 0x100 || !is_unsafe(c) => escaped(c),
                c => format!("\\u{:04x}", c as u32),
            })
            .collect();
        format!("$'{inner}'")
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_as_a_shell_would() {
        assert_eq!(
            shell_line(["one", "two three", "", "it's", "a=b,c/d.e"]),
            "one 'two three' '' 'it'\\''s' a=b,c/d.e"
        );
        assert_eq!(shell_line(["a\u{1b}[31mb", "x\ny", "\u{202e}"]), "$'a\\x1b[31mb' $'x\\ny' $'\\u202e'");
    }

    #[test]
    fn cells_are_cut_to_width_with_an_ellipsis() {
        assert_eq!(cut("abcdef", 6), "abcdef");
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("日本語です", 5), "日本…");
        assert_eq!(escape("a\u{1b}b\u{9b}c"), "a\\x1bb\\x9bc");
    }
}
