//! Splits a revision body into the statements a driver sends, one by one or in a batch.
//!
//! It must never cut inside a string, a quoted identifier, a comment, a PostgreSQL
//! dollar-quoted body or a compound `BEGIN ... END` body (MySQL routines and triggers, SQLite
//! triggers, PostgreSQL `BEGIN ATOMIC`), and it honours the mysql client's `DELIMITER` lines,
//! so that files written for the engines' own clients split the way those clients split them.
//! Anything left open at the end is an error naming the line where it started.

use crate::dialect::Dialect;

/// One statement, without its terminator, and the body line where its SQL starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sql: String,
    pub line: usize,
}

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

/// Splits `body` into statements for `dialect`.
pub fn split(body: &str, dialect: Dialect) -> Result<Vec<Statement>, SplitError> {
    Splitter::new(body, dialect).run()
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Where a compound body may start: after `CREATE ... PROCEDURE|FUNCTION|TRIGGER|EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Routine {
    /// Still reading the statement's first words.
    Maybe,
    Yes,
    No,
}

struct Splitter<'a> {
    text: &'a str,
    bytes: &'a [u8],
    dialect: Dialect,
    pos: usize,
    line: usize,
    delimiter: String,
    out: Vec<Statement>,
    /// Byte offset and line of the current statement's first code character.
    code_start: Option<(usize, usize)>,
    /// Where the current statement's text starts: its leading comments belong to it.
    text_start: Option<usize>,
    words: usize,
    routine: Routine,
    depth: usize,
    block_line: usize,
    /// After `END`, the next word (IF, LOOP, CASE...) closes rather than opens.
    after_end: bool,
    /// The last code byte before the current one, for `DEFINER = user@host`.
    last_code: u8,
}

impl<'a> Splitter<'a> {
    fn new(text: &'a str, dialect: Dialect) -> Self {
        Splitter {
            text,
            bytes: text.as_bytes(),
            dialect,
            pos: 0,
            line: 1,
            delimiter: ";".into(),
            out: Vec::new(),
            code_start: None,
            text_start: None,
            words: 0,
            routine: Routine::No,
            depth: 0,
            block_line: 0,
            after_end: false,
            last_code: 0,
        }
    }

    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.pos + ahead).copied().unwrap_or(0)
    }

    /// Moves over `n` bytes, counting lines.
    fn advance(&mut self, n: usize) {
        let end = (self.pos + n).min(self.bytes.len());
        self.line += self.bytes[self.pos..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.pos = end;
    }

    fn mark_code(&mut self) {
        if self.code_start.is_none() {
            self.code_start = Some((self.pos, self.line));
            if self.dialect != Dialect::MySql || self.delimiter == ";" {
                self.routine = Routine::Maybe;
            }
        }
    }

    fn finish(&mut self, end: usize) {
        let text_start = self.text_start.take();
        if let Some((start, line)) = self.code_start.take() {
            let sql = self.text[text_start.unwrap_or(start).min(start)..end]
                .trim_end()
                .to_string();
            if !sql.is_empty() {
                self.out.push(Statement { sql, line });
            }
        }
        self.words = 0;
        self.routine = Routine::No;
        self.depth = 0;
        self.after_end = false;
        self.last_code = 0;
    }

    fn run(mut self) -> Result<Vec<Statement>, SplitError> {
        while self.pos < self.bytes.len() {
            if self.code_start.is_none()
                && self.dialect == Dialect::MySql
                && self.at_line_start()
                && self.delimiter_line()?
            {
                continue;
            }
            let b = self.peek(0);
            if self.text_start.is_none() && !b.is_ascii_whitespace() {
                self.text_start = Some(self.pos);
            }
            if self.depth == 0 && self.text[self.pos..].starts_with(self.delimiter.as_str()) {
                let end = self.pos;
                self.advance(self.delimiter.len());
                self.finish(end);
                continue;
            }
            match b {
                b'\n' | b' ' | b'\t' | b'\r' => self.advance(1),
                b'-' if self.peek(1) == b'-' && self.line_comment_dash() => self.skip_line(),
                b'#' if self.dialect == Dialect::MySql => self.skip_line(),
                b'/' if self.peek(1) == b'*' => self.block_comment()?,
                b'\'' => self.quoted(b'\'', self.backslash_string(), false)?,
                b'"' => self.quoted(
                    b'"',
                    self.dialect == Dialect::MySql,
                    self.dialect != Dialect::MySql,
                )?,
                b'`' if self.dialect != Dialect::Postgres => self.quoted(b'`', false, true)?,
                b'[' if self.dialect == Dialect::Sqlite => self.bracketed()?,
                b'$' if self.dialect == Dialect::Postgres && self.dollar_quote()? => {}
                b if is_ident_byte(b) && !b.is_ascii_digit() => self.word(),
                _ => {
                    self.mark_code();
                    if !b.is_ascii_whitespace() {
                        self.last_code = b;
                    }
                    if b == b'(' && self.routine == Routine::Maybe {
                        self.routine = Routine::No;
                    }
                    self.advance(1);
                }
            }
        }
        if self.depth > 0 && self.code_start.is_some() {
            return Err(SplitError::UnterminatedBlock {
                line: self.block_line,
            });
        }
        let end = self.bytes.len();
        self.finish(end);
        Ok(self.out)
    }

    fn at_line_start(&self) -> bool {
        self.text[..self.pos]
            .rsplit('\n')
            .next()
            .is_none_or(|before| before.trim().is_empty())
    }

    /// The mysql client's `DELIMITER xx` line; consumed when present.
    fn delimiter_line(&mut self) -> Result<bool, SplitError> {
        let rest = &self.text[self.pos..];
        let line_text = rest.split('\n').next().unwrap_or("");
        let trimmed = line_text.trim_start();
        if trimmed.len() < 9 || !trimmed[..9].eq_ignore_ascii_case("delimiter") {
            return Ok(false);
        }
        let after = &trimmed[9..];
        if !after.is_empty() && !after.starts_with(char::is_whitespace) {
            return Ok(false);
        }
        let new = after.split_whitespace().next().unwrap_or("");
        if new.is_empty() {
            return Err(SplitError::EmptyDelimiter { line: self.line });
        }
        self.delimiter = new.to_string();
        self.advance(line_text.len());
        Ok(true)
    }

    /// `--` starts a comment, except on MySQL where it needs a following space or control
    /// character (`1--1` is arithmetic there).
    fn line_comment_dash(&self) -> bool {
        self.dialect != Dialect::MySql || self.peek(2) <= b' '
    }

    fn skip_line(&mut self) {
        while self.pos < self.bytes.len() && self.peek(0) != b'\n' {
            self.pos += 1;
        }
    }

    fn block_comment(&mut self) -> Result<(), SplitError> {
        let line = self.line;
        let nested = self.dialect == Dialect::Postgres;
        let mut level = 0usize;
        while self.pos < self.bytes.len() {
            if self.peek(0) == b'/' && self.peek(1) == b'*' {
                level = if nested || level == 0 {
                    level + 1
                } else {
                    level
                };
                self.advance(2);
            } else if self.peek(0) == b'*' && self.peek(1) == b'/' {
                self.advance(2);
                level -= 1;
                if level == 0 {
                    return Ok(());
                }
            } else {
                self.advance(1);
            }
        }
        Err(SplitError::UnterminatedComment { line })
    }

    /// Whether `'` here starts a string with backslash escapes: always on MySQL, after an `E`
    /// prefix on PostgreSQL.
    fn backslash_string(&self) -> bool {
        match self.dialect {
            Dialect::MySql => true,
            Dialect::Postgres => {
                let p = self.pos;
                p >= 1
                    && matches!(self.bytes[p - 1], b'E' | b'e')
                    && (p < 2 || !is_ident_byte(self.bytes[p - 2]))
            }
            Dialect::Sqlite => false,
        }
    }

    fn quoted(&mut self, quote: u8, backslash: bool, identifier: bool) -> Result<(), SplitError> {
        self.mark_code();
        let line = self.line;
        self.advance(1);
        while self.pos < self.bytes.len() {
            let b = self.peek(0);
            // A backslash escape (MySQL, E'' strings) or a doubled quote: two bytes of content.
            if (backslash && b == b'\\') || (b == quote && self.peek(1) == quote) {
                self.advance(2);
            } else if b == quote {
                self.advance(1);
                self.last_code = quote;
                return Ok(());
            } else {
                self.advance(1);
            }
        }
        Err(if identifier {
            SplitError::UnterminatedIdentifier { line }
        } else {
            SplitError::UnterminatedString { line }
        })
    }

    fn bracketed(&mut self) -> Result<(), SplitError> {
        self.mark_code();
        let line = self.line;
        match self.text[self.pos..].find(']') {
            Some(n) => {
                self.advance(n + 1);
                Ok(())
            }
            None => Err(SplitError::UnterminatedIdentifier { line }),
        }
    }

    /// `$tag$ ... $tag$` (PostgreSQL). `$1` and `a$b` are not dollar quotes.
    fn dollar_quote(&mut self) -> Result<bool, SplitError> {
        if self.pos > 0 && is_ident_byte(self.bytes[self.pos - 1]) {
            return Ok(false);
        }
        let rest = &self.text[self.pos + 1..];
        let tag_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b >= 0x80)
            .count();
        if rest.as_bytes().get(tag_len) != Some(&b'$')
            || rest.as_bytes().first().is_some_and(u8::is_ascii_digit)
        {
            return Ok(false);
        }
        let tag = &self.text[self.pos..self.pos + tag_len + 2];
        self.mark_code();
        let line = self.line;
        match self.text[self.pos + tag.len()..].find(tag) {
            Some(n) => {
                self.advance(tag.len() + n + tag.len());
                Ok(true)
            }
            None => Err(SplitError::UnterminatedDollarQuote {
                tag: tag.to_string(),
                line,
            }),
        }
    }

    fn word(&mut self) {
        self.mark_code();
        let start = self.pos;
        let len = self.bytes[start..]
            .iter()
            .take_while(|b| is_ident_byte(**b))
            .count();
        let word = self.text[start..start + len].to_ascii_uppercase();
        let line = self.line;
        self.advance(len);
        let after_definer = matches!(self.last_code, b'=' | b'@');
        self.last_code = b'a';
        self.words += 1;
        if self.routine == Routine::Maybe {
            self.routine = match word.as_str() {
                _ if self.words == 1 && word != "CREATE" => Routine::No,
                "CREATE" | "OR" | "REPLACE" | "DEFINER" | "AGGREGATE" | "TEMP" | "TEMPORARY"
                | "CURRENT_USER" => Routine::Maybe,
                "PROCEDURE" | "FUNCTION" => Routine::Yes,
                "TRIGGER" => Routine::Yes,
                "EVENT" if self.dialect == Dialect::MySql => Routine::Yes,
                _ if after_definer => Routine::Maybe,
                _ => Routine::No,
            };
            return;
        }
        if self.routine != Routine::Yes || self.delimiter != ";" {
            return;
        }
        let closing = std::mem::take(&mut self.after_end);
        let opens = match word.as_str() {
            "BEGIN" => match self.dialect {
                Dialect::Postgres => self.next_word_is("ATOMIC"),
                _ => true,
            },
            "CASE" => !closing,
            "IF" if self.dialect == Dialect::MySql => {
                !closing
                    && !self.next_word_is("EXISTS")
                    && !self.next_word_is("NOT")
                    && self.next_byte() != b'('
            }
            "LOOP" | "REPEAT" | "WHILE" if self.dialect == Dialect::MySql => !closing,
            "END" if self.depth > 0 => {
                self.depth -= 1;
                self.after_end = true;
                false
            }
            _ => false,
        };
        if opens {
            if self.depth == 0 {
                self.block_line = line;
            }
            self.depth += 1;
        }
    }

    fn next_byte(&self) -> u8 {
        self.bytes[self.pos..]
            .iter()
            .copied()
            .find(|b| !b.is_ascii_whitespace())
            .unwrap_or(0)
    }

    fn next_word_is(&self, w: &str) -> bool {
        let rest = self.text[self.pos..].trim_start();
        rest.len() >= w.len()
            && rest[..w.len()].eq_ignore_ascii_case(w)
            && !rest
                .as_bytes()
                .get(w.len())
                .is_some_and(|b| is_ident_byte(*b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Dialect::{MySql, Postgres, Sqlite};

    fn sql(body: &str, d: Dialect) -> Vec<String> {
        split(body, d)
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|s| s.sql)
            .collect()
    }

    #[test]
    fn statements_end_at_semicolons_and_the_last_may_lack_one() {
        assert_eq!(
            sql("SELECT 1;\nSELECT 2;\n\nSELECT 3", Postgres),
            ["SELECT 1", "SELECT 2", "SELECT 3"]
        );
        assert_eq!(sql(";;  ;\n", Sqlite), Vec::<String>::new());
    }

    #[test]
    fn each_statement_knows_the_line_its_sql_starts_on() {
        let stmts = split(
            "-- setup\n\nCREATE TABLE a (id int);\n/* two\nlines */ INSERT INTO a\nVALUES (1);",
            Postgres,
        )
        .unwrap_or_default();
        assert_eq!(stmts.iter().map(|s| s.line).collect::<Vec<_>>(), [3, 5]);
        assert_eq!(
            stmts[0].sql, "-- setup\n\nCREATE TABLE a (id int)",
            "leading comments stay with their statement"
        );
        assert_eq!(stmts[1].sql, "/* two\nlines */ INSERT INTO a\nVALUES (1)");
    }

    #[test]
    fn semicolons_in_strings_identifiers_and_comments_do_not_split() {
        let body = "INSERT INTO t VALUES ('a;b', 'it''s;');\nSELECT \"odd;name\" FROM t; -- trailing; comment\n/* ; */ SELECT 2;";
        assert_eq!(sql(body, Postgres).len(), 3);
        assert_eq!(
            sql("SELECT `a;b` FROM t; SELECT [c;d] FROM t;", Sqlite).len(),
            2
        );
    }

    #[test]
    fn postgres_dollar_quotes_hold_function_bodies() {
        let body = "CREATE FUNCTION f() RETURNS int AS $body$\nBEGIN\n  RETURN 1;\nEND;\n$body$ LANGUAGE plpgsql;\nSELECT f();";
        assert_eq!(sql(body, Postgres).len(), 2);
        assert_eq!(sql("DO $$ BEGIN PERFORM 1; END $$;", Postgres).len(), 1);
        // $1 is a parameter, not a quote; a$b$ is an identifier.
        assert_eq!(
            sql("PREPARE p AS SELECT $1; SELECT a$b$ FROM t;", Postgres).len(),
            2
        );
    }

    #[test]
    fn postgres_escape_strings_take_backslashes_and_standard_strings_do_not() {
        assert_eq!(sql("SELECT E'it\\'s;'; SELECT 2;", Postgres).len(), 2);
        assert_eq!(
            sql("SELECT 'C:\\'; SELECT 2;", Postgres).len(),
            2,
            "a standard string ends at the quote"
        );
    }

    #[test]
    fn postgres_block_comments_nest() {
        assert_eq!(
            sql("/* a /* b; */ still; */ SELECT 1; SELECT 2;", Postgres).len(),
            2
        );
    }

    #[test]
    fn postgres_begin_atomic_bodies_stay_whole() {
        let body = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC\n  SELECT 1;\n  SELECT CASE WHEN true THEN 2 END;\nEND;\nSELECT 3;";
        assert_eq!(sql(body, Postgres).len(), 2);
        assert_eq!(
            sql("BEGIN; SELECT 1; COMMIT;", Postgres).len(),
            3,
            "a transaction BEGIN is a statement"
        );
    }

    #[test]
    fn mysql_strings_use_backslash_escapes_and_hash_comments() {
        assert_eq!(
            sql("SELECT 'it\\'s;'; # note; here\nSELECT \"x\\\";\";", MySql).len(),
            2
        );
        assert_eq!(
            sql("SELECT 1--1;\nSELECT 2;", MySql),
            ["SELECT 1--1", "SELECT 2"]
        );
        assert_eq!(
            sql("SELECT 1 -- comment;\n;SELECT 2;", MySql),
            ["SELECT 1 -- comment;", "SELECT 2"]
        );
    }

    #[test]
    fn mysql_routines_split_after_their_outermost_end() {
        let body = "CREATE DEFINER=`root`@`%` PROCEDURE fill(IN n INT)\nBEGIN\n  DECLARE i INT DEFAULT 0;\n  WHILE i < n DO\n    IF i % 2 = 0 THEN\n      INSERT INTO t VALUES (i);\n    END IF;\n    SET i = i + 1;\n  END WHILE;\n  SELECT CASE WHEN n > 0 THEN 1 ELSE 0 END;\nEND;\nCALL fill(3);";
        let out = sql(body, MySql);
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(out[0].ends_with("END"));
        let trigger = "CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW\nBEGIN\n  SET NEW.end_date = IF(NEW.x > 0, NOW(), NULL);\n  DROP TEMPORARY TABLE IF EXISTS tmp;\nEND;\nSELECT 1;";
        assert_eq!(sql(trigger, MySql).len(), 2);
        assert_eq!(
            sql(
                "CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN 1;\nSELECT f();",
                MySql
            )
            .len(),
            2
        );
    }

    #[test]
    fn mysql_delimiter_lines_change_the_terminator() {
        let body = "DELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND //\nDELIMITER ;\nCALL p();";
        let out = split(body, MySql).unwrap_or_default();
        assert_eq!(out.len(), 2);
        assert!(out[0].sql.starts_with("CREATE PROCEDURE") && out[0].sql.ends_with("END"));
        assert_eq!((out[0].line, out[1].line), (2, 7));
    }

    #[test]
    fn sqlite_triggers_keep_their_bodies() {
        let body = "CREATE TRIGGER tr AFTER INSERT ON a BEGIN\n  INSERT INTO log VALUES (CASE WHEN new.x > 0 THEN 'pos' ELSE 'neg' END);\n  UPDATE a SET begin_at = 1;\nEND;\nSELECT 1;";
        assert_eq!(sql(body, Sqlite).len(), 2);
    }

    #[test]
    fn keywords_are_whole_words() {
        let body = "CREATE TABLE events (id INT, end_date DATE, begin_at DATE);\nINSERT INTO events VALUES (1, NULL, NULL);";
        assert_eq!(sql(body, MySql).len(), 2);
        assert_eq!(sql(body, Sqlite).len(), 2);
    }

    #[test]
    fn unterminated_things_are_errors_at_the_line_they_start() {
        assert_eq!(
            split("SELECT 1;\nSELECT 'oops;\n", Postgres),
            Err(SplitError::UnterminatedString { line: 2 })
        );
        assert_eq!(
            split("\n\n/* never closed", Sqlite),
            Err(SplitError::UnterminatedComment { line: 3 })
        );
        assert_eq!(
            split("SELECT 1;\nCREATE FUNCTION f() AS $fn$ SELECT 1;", Postgres),
            Err(SplitError::UnterminatedDollarQuote {
                tag: "$fn$".into(),
                line: 2
            })
        );
        assert_eq!(
            split("CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n", MySql),
            Err(SplitError::UnterminatedBlock { line: 2 })
        );
        assert_eq!(
            split("SELECT \"unclosed", Postgres),
            Err(SplitError::UnterminatedIdentifier { line: 1 })
        );
        assert_eq!(
            split("SELECT 'it\\'s", MySql),
            Err(SplitError::UnterminatedString { line: 1 })
        );
    }
}
