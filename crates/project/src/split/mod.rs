//! Splits a revision body into the statements a driver sends, one by one or in a batch.
//!
//! It must never cut inside a string, a quoted identifier, a comment, a PostgreSQL
//! dollar-quoted body or a compound `BEGIN ... END` body (MySQL routines, triggers and events,
//! SQLite triggers, PostgreSQL `BEGIN ATOMIC`), and it honours the mysql client's `DELIMITER`
//! lines, so that files written for the engines' own clients split the way those clients split
//! them. Anything left open at the end is an error naming the line where it started.
//!
//! This is a scanner, not a parser. It reads tokens (words, quoted things, punctuation), steps
//! over comments, and keeps just enough state to decide whether a `;` ends the statement:
//! - whether the statement is a `CREATE` of a routine, trigger or event, the only statements
//!   that can hold a compound body (so `BEGIN;` on its own is a transaction, not a block);
//! - inside such a statement, a stack of open blocks: `BEGIN`, `CASE`, and on MySQL the
//!   `IF`, `LOOP`, `WHILE` and `REPEAT` statements;
//! - on PostgreSQL, the parenthesis depth, because psql does not end a statement inside
//!   parentheses (`CREATE RULE ... DO ALSO (INSERT ...; UPDATE ...)` relies on it).
//!
//! This module drives the scan and cuts the statements; `scan` reads tokens, comments and
//! quoted things; `blocks` recognises the statements that can hold a body and tracks the blocks
//! open in one; `postgres`, `mysql`, `mysql_blocks` and `sqlite` hold each engine's own rules.

mod blocks;
mod mysql;
mod mysql_blocks;
mod postgres;
mod scan;
mod sqlite;
#[cfg(test)]
mod test_support;

use crate::dialect::Dialect;
use blocks::{Header, Open, Prev};

/// One statement, without its terminator, and the body line where its SQL starts.
///
/// `sql` keeps the comments written just above the statement (offline SQL reproduces the file
/// as written), but `line` is the line of its first character of SQL, the one worth pointing at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sql: String,
    pub line: usize,
}

/// Something opened and never closed. `line` is the 1-based body line where it starts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error("unterminated quoted string starting at line {line}")]
    UnterminatedString { line: usize },
    #[error("unterminated quoted identifier starting at line {line}")]
    UnterminatedIdentifier { line: usize },
    #[error("unterminated block comment starting at line {line}")]
    UnterminatedComment { line: usize },
    #[error("unterminated dollar-quoted string {tag} starting at line {line}")]
    UnterminatedDollarQuote { tag: String, line: usize },
    #[error("unterminated BEGIN ... END block starting at line {line}")]
    UnterminatedBlock { line: usize },
    #[error("DELIMITER without a delimiter at line {line}")]
    EmptyDelimiter { line: usize },
}

impl SplitError {
    /// The body line (1-based) where the offending construct starts.
    pub fn line(&self) -> usize {
        match self {
            SplitError::UnterminatedString { line }
            | SplitError::UnterminatedIdentifier { line }
            | SplitError::UnterminatedComment { line }
            | SplitError::UnterminatedDollarQuote { line, .. }
            | SplitError::UnterminatedBlock { line }
            | SplitError::EmptyDelimiter { line } => *line,
        }
    }
}

/// Splits `body` into statements for `dialect`. Empty and comment-only pieces are dropped.
pub fn split(body: &str, dialect: Dialect) -> Result<Vec<Statement>, SplitError> {
    Splitter::new(body, dialect).run()
}

/// What the splitter knows about the statement it is in; reset at each terminator.
#[derive(Debug, Default)]
struct Current {
    /// Where the statement's text starts, its leading comments included.
    text_start: Option<usize>,
    /// Byte offset and line of its first character of SQL.
    code_start: Option<(usize, usize)>,
    header: Header,
    blocks: Vec<Open>,
    prev: Prev,
    /// Open parentheses; only counted on PostgreSQL.
    parens: usize,
    /// While inside a MySQL `/*! ... */` executable comment, the line where it opened.
    exec_comment: Option<usize>,
}

struct Splitter<'a> {
    text: &'a str,
    bytes: &'a [u8],
    dialect: Dialect,
    pos: usize,
    /// The 1-based line of `pos`.
    line: usize,
    /// What ends a statement: `;`, or what the mysql client's last `DELIMITER` line set.
    delimiter: String,
    cur: Current,
    out: Vec<Statement>,
}

impl<'a> Splitter<'a> {
    fn new(text: &'a str, dialect: Dialect) -> Self {
        Splitter {
            text,
            bytes: text.as_bytes(),
            dialect,
            // A byte-order mark is not SQL.
            pos: if text.starts_with('\u{feff}') { 3 } else { 0 },
            line: 1,
            delimiter: ";".to_string(),
            cur: Current::default(),
            out: Vec::new(),
        }
    }

    fn run(mut self) -> Result<Vec<Statement>, SplitError> {
        while let Some(&b) = self.bytes.get(self.pos) {
            if b.is_ascii_whitespace() {
                self.advance_to(self.pos + 1);
                continue;
            }
            if self.cur.text_start.is_none() {
                self.cur.text_start = Some(self.pos);
            }
            if self.at_terminator() {
                let end = self.pos;
                self.advance_to(self.pos + self.delimiter.len());
                self.finish_statement(end);
                continue;
            }
            self.step(b)?;
        }
        if let Some(line) = self.cur.exec_comment {
            return Err(SplitError::UnterminatedComment { line });
        }
        if let Some(open) = self.cur.blocks.first() {
            return Err(SplitError::UnterminatedBlock { line: open.line });
        }
        self.finish_statement(self.bytes.len());
        Ok(self.out)
    }

    /// Whether the terminator starts here and ends the statement.
    fn at_terminator(&self) -> bool {
        if !self.bytes[self.pos..].starts_with(self.delimiter.as_bytes()) {
            return false;
        }
        // A custom DELIMITER is all the mysql client looks for. A `;` inside a block belongs
        // to the body, and psql does not end a statement inside parentheses.
        self.delimiter != ";" || (self.cur.blocks.is_empty() && self.cur.parens == 0)
    }

    /// Moves to byte `p`, counting the lines passed.
    fn advance_to(&mut self, p: usize) {
        let p = p.clamp(self.pos, self.bytes.len());
        self.line += self.bytes[self.pos..p]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.pos = p;
    }

    /// Notes that the current statement has SQL in it, starting here if nothing came before.
    fn mark_code(&mut self) {
        if self.cur.code_start.is_none() {
            self.cur.code_start = Some((self.pos, self.line));
            // With a custom DELIMITER the mysql client looks for nothing but it; so do we.
            self.cur.header = if self.delimiter == ";" {
                Header::Start
            } else {
                Header::Plain
            };
        }
    }

    fn finish_statement(&mut self, end: usize) {
        let cur = std::mem::take(&mut self.cur);
        let Some((code, line)) = cur.code_start else {
            return; // empty, or comments only
        };
        let start = cur.text_start.map_or(code, |t| t.min(code));
        let sql = self.text[start..end].trim_end();
        if !sql.is_empty() {
            self.out.push(Statement {
                sql: sql.to_string(),
                line,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{lines, sqls, statements, ALL};
    use super::SplitError;
    use crate::dialect::Dialect::{MySql, Postgres, Sqlite};

    #[test]
    fn statements_end_at_semicolons_and_the_last_may_lack_one() {
        for d in ALL {
            assert_eq!(
                sqls("SELECT 1;\nSELECT 2;\n\nSELECT 3", d),
                ["SELECT 1", "SELECT 2", "SELECT 3"]
            );
            assert_eq!(sqls("SELECT 1; SELECT 2;", d), ["SELECT 1", "SELECT 2"]);
        }
    }

    #[test]
    fn sql_is_trimmed_and_has_no_terminator() {
        assert_eq!(
            sqls("  \n\tCREATE TABLE t (\n  id int\n)  ;\n", Postgres),
            ["CREATE TABLE t (\n  id int\n)"]
        );
    }

    #[test]
    fn empty_and_comment_only_pieces_are_dropped() {
        for d in ALL {
            assert!(sqls("", d).is_empty());
            assert!(sqls(" \n\t\n", d).is_empty());
            assert!(sqls(";;  ;\n;", d).is_empty());
            assert!(sqls("-- only a comment\n/* and another; */\n", d).is_empty());
            assert_eq!(
                sqls("SELECT 1;\n-- trailing note; with a semicolon\n", d),
                ["SELECT 1"]
            );
            assert_eq!(sqls("SELECT 1;;\n;SELECT 2", d), ["SELECT 1", "SELECT 2"]);
        }
    }

    #[test]
    fn a_byte_order_mark_is_not_sql() {
        let stmts = statements("\u{feff}SELECT 1;", Sqlite);
        assert_eq!((stmts[0].sql.as_str(), stmts[0].line), ("SELECT 1", 1));
    }

    #[test]
    fn non_ascii_text_is_kept_intact() {
        assert_eq!(
            sqls(
                "INSERT INTO t VALUES ('blåbær; ø');\nSELECT ñame FROM t",
                Postgres
            ),
            ["INSERT INTO t VALUES ('blåbær; ø')", "SELECT ñame FROM t"]
        );
    }

    #[test]
    fn line_is_where_the_sql_starts_not_its_comments() {
        let body = "-- setup\n\nCREATE TABLE a (id int);\n/* two\nlines */ INSERT INTO a\nVALUES (1);\n\n\n  SELECT 1;";
        assert_eq!(lines(body, Postgres), [3, 5, 9]);
    }

    #[test]
    fn line_counts_newlines_inside_strings_comments_and_bodies() {
        let body = "SELECT 'a\nb\nc';\n/* x\ny */\nSELECT $$\n;\n$$;\nSELECT 3;";
        assert_eq!(lines(body, Postgres), [1, 6, 9]);
        assert_eq!(lines("SELECT 1;\r\n\r\nSELECT 2;\r\n", MySql), [1, 3]);
    }

    #[test]
    fn several_statements_on_one_line_share_it() {
        assert_eq!(lines("\nSELECT 1; SELECT 2;\nSELECT 3;", Sqlite), [2, 2, 3]);
    }

    #[test]
    fn leading_comments_stay_with_their_statement_and_inner_comments_are_kept() {
        let stmts = statements(
            "-- setup\n\nCREATE TABLE a (id int); -- after\n/* block */ INSERT INTO a -- why\nVALUES (1)",
            Postgres,
        );
        assert_eq!(stmts[0].sql, "-- setup\n\nCREATE TABLE a (id int)");
        assert_eq!(
            stmts[1].sql,
            "-- after\n/* block */ INSERT INTO a -- why\nVALUES (1)"
        );
        assert_eq!((stmts[0].line, stmts[1].line), (3, 4));
    }

    #[test]
    fn error_messages_and_lines() {
        let cases = [
            (
                SplitError::UnterminatedString { line: 4 },
                "unterminated quoted string starting at line 4",
            ),
            (
                SplitError::UnterminatedComment { line: 2 },
                "unterminated block comment starting at line 2",
            ),
            (
                SplitError::UnterminatedBlock { line: 3 },
                "unterminated BEGIN ... END block starting at line 3",
            ),
            (
                SplitError::UnterminatedIdentifier { line: 5 },
                "unterminated quoted identifier starting at line 5",
            ),
            (
                SplitError::EmptyDelimiter { line: 6 },
                "DELIMITER without a delimiter at line 6",
            ),
        ];
        for (e, message) in cases {
            assert_eq!(e.to_string(), message);
            assert!(message.ends_with(&e.line().to_string()));
        }
    }
}
