//! Turning one split statement into sqlparser's AST, or nothing.

use sqlparser::ast;
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use stratum_project::Dialect;

/// The statement's AST, or `None` when sqlparser cannot read it.
///
/// Revision files legitimately hold vendor syntax sqlparser does not know (PL/pgSQL bodies,
/// triggers, `DELIMITER` blocks); such a statement is simply not checked by the AST rules.
pub(crate) fn parse(sql: &str, dialect: Dialect) -> Option<Vec<ast::Statement>> {
    if let Some(statements) = try_parse(sql, dialect) {
        return Some(statements);
    }
    // Application-style `:name` bind parameters are not SQL to every dialect; the shape of the
    // statement is what matters here, so a literal in their place keeps the rest checkable.
    let replaced = replace_named_parameters(sql, dialect)?;
    try_parse(&replaced, dialect)
}

fn try_parse(sql: &str, dialect: Dialect) -> Option<Vec<ast::Statement>> {
    // A parser bug must not take the whole check (or the caller's process) down with it.
    std::panic::catch_unwind(|| match dialect {
        Dialect::Postgres => Parser::parse_sql(&PostgreSqlDialect {}, sql),
        Dialect::MySql => Parser::parse_sql(&MySqlDialect {}, sql),
        Dialect::Sqlite => Parser::parse_sql(&SQLiteDialect {}, sql),
    })
    .ok()?
    .ok()
}

/// `sql` with every `:name` bind parameter outside strings, quoted identifiers, comments and
/// dollar-quoted bodies replaced by `0`; `None` when there is none.
pub(crate) fn replace_named_parameters(sql: &str, dialect: Dialect) -> Option<String> {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut replaced = false;
    let mut i = 0;
    // Start of the text not yet copied to `out`.
    let mut copied = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\'' => i = quoted_end(bytes, i, b'\'', dialect == Dialect::MySql),
            b'"' => i = quoted_end(bytes, i, b'"', dialect == Dialect::MySql),
            b'`' => i = quoted_end(bytes, i, b'`', false),
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = bytes[i..]
                    .iter()
                    .position(|c| *c == b'\n')
                    .map_or(bytes.len(), |n| i + n);
            }
            b'#' if dialect == Dialect::MySql => {
                i = bytes[i..]
                    .iter()
                    .position(|c| *c == b'\n')
                    .map_or(bytes.len(), |n| i + n);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = find(bytes, i + 2, b"*/").map_or(bytes.len(), |n| n + 2);
            }
            b'$' if dialect == Dialect::Postgres => i = dollar_end(bytes, i),
            b':' => {
                let prev = i.checked_sub(1).map(|p| bytes[p]);
                // `a::int` casts, `x := 1`, slices `a[1:n]` and `'10:30'` are not parameters.
                let after_operand = prev.is_some_and(|p| {
                    p.is_ascii_alphanumeric() || matches!(p, b'_' | b':' | b')' | b']' | b'$')
                });
                let starts_name = bytes
                    .get(i + 1)
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_');
                if after_operand || !starts_name {
                    i += 1;
                    continue;
                }
                let end = bytes[i + 1..]
                    .iter()
                    .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                    .map_or(bytes.len(), |n| i + 1 + n);
                out.push_str(&sql[copied..i]);
                out.push('0');
                copied = end;
                replaced = true;
                i = end;
            }
            _ => i += 1,
        }
    }
    if !replaced {
        return None;
    }
    out.push_str(&sql[copied..]);
    Some(out)
}

/// The index just past the quoted thing opening at `start` (or the end of the text).
fn quoted_end(bytes: &[u8], start: usize, quote: u8, backslash: bool) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        let b = bytes[i];
        if backslash && b == b'\\' {
            i += 2;
            continue;
        }
        if b == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

/// The index just past a PostgreSQL dollar-quoted body opening at `start`, or past the `$`
/// when it opens none (`$1` is a positional parameter).
fn dollar_end(bytes: &[u8], start: usize) -> usize {
    let tag_len = bytes[start + 1..]
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
        .map(|n| n + 1);
    let Some(len) = tag_len else {
        return bytes.len();
    };
    let is_tag = bytes.get(start + len) == Some(&b'$')
        && bytes.get(start + 1).is_none_or(|c| !c.is_ascii_digit());
    if !is_tag {
        return start + 1;
    }
    let tag = &bytes[start..=start + len];
    find(bytes, start + tag.len(), tag).map_or(bytes.len(), |n| n + tag.len())
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|n| from + n)
}
