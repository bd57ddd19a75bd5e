//! The lexical layer shared by every dialect: what a token is, and how to step over strings,
//! quoted identifiers and comments without ever mistaking their contents for SQL. The
//! engines differ in small ways (which quotes exist, whether backslashes escape, whether
//! comments nest); the checks that pick a rule stay here when the rule is a flag, and call
//! into the dialect's module when it is more.

use super::{SplitError, Splitter};
use crate::dialect::Dialect;

/// A token as the statement-kind recogniser and the block tracker see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tok {
    /// The byte range of a word or number.
    Word(usize, usize),
    Quoted,
    Punct(u8),
}

pub(super) fn is(word: &str, keyword: &str) -> bool {
    word.eq_ignore_ascii_case(keyword)
}

/// Bytes that continue an unquoted identifier or a number. `$` is one on PostgreSQL and MySQL
/// (`a$b`); the bytes of multi-byte characters count as letters.
pub(super) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Bytes that start a word a keyword could be.
pub(super) fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

impl Splitter<'_> {
    /// Reads the token, comment or quoted thing that starts with `b` (not whitespace).
    pub(super) fn step(&mut self, b: u8) -> Result<(), SplitError> {
        let next = self.peek(1);
        match b {
            b'-' | b'#' if self.line_comment_at(self.pos) => self.pos = self.line_end(self.pos),
            b'/' if next == b'*' => match self.exec_comment_len(self.pos) {
                // `/*!50003 ... */` is code to MySQL (mysqldump writes whole statements so).
                Some(len) => {
                    self.mark_code();
                    self.cur.exec_comment = Some(self.line);
                    self.advance_to(self.pos + len);
                }
                None => self.block_comment()?,
            },
            b'*' if next == b'/' && self.cur.exec_comment.is_some() => {
                self.cur.exec_comment = None;
                self.advance_to(self.pos + 2);
            }
            b'\'' => {
                let backslash = self.dialect == Dialect::MySql;
                self.quoted(b'\'', backslash, false)?;
            }
            // A string on MySQL (with backslash escapes), an identifier elsewhere.
            b'"' => match self.dialect {
                Dialect::MySql => self.quoted(b'"', true, false)?,
                _ => self.quoted(b'"', false, true)?,
            },
            b'`' if self.dialect != Dialect::Postgres => self.quoted(b'`', false, true)?,
            b'[' if self.dialect == Dialect::Sqlite => self.bracketed()?,
            b'$' if self.dialect == Dialect::Postgres => self.dollar()?,
            _ if is_word_byte(b) => self.word()?,
            _ => self.punct(b),
        }
        Ok(())
    }

    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.pos + ahead).copied().unwrap_or(0)
    }

    /// A byte of punctuation: an operator, a parenthesis, `@`, `.`, a `;` inside a body...
    pub(super) fn punct(&mut self, b: u8) {
        self.mark_code();
        if self.dialect == Dialect::Postgres {
            self.count_parenthesis(b);
        }
        self.advance_to(self.pos + 1);
        self.token(Tok::Punct(b));
    }

    // ---- comments ------------------------------------------------------------------------

    pub(super) fn line_end(&self, p: usize) -> usize {
        self.bytes[p..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(self.bytes.len(), |n| p + n)
    }

    /// Whether a comment running to the end of the line starts at `p`.
    fn line_comment_at(&self, p: usize) -> bool {
        match self.dialect {
            Dialect::MySql => self.mysql_line_comment_at(p),
            _ => self
                .bytes
                .get(p..)
                .is_some_and(|rest| rest.starts_with(b"--")),
        }
    }

    /// Where the block comment opening at `p` ends, if it does. They nest on PostgreSQL only.
    fn comment_end(&self, p: usize) -> Option<usize> {
        let nests = self.dialect == Dialect::Postgres;
        let mut depth = 0usize;
        let mut p = p;
        while p + 1 < self.bytes.len() {
            match (self.bytes[p], self.bytes[p + 1]) {
                (b'/', b'*') => {
                    if nests || depth == 0 {
                        depth += 1;
                    }
                    p += 2;
                }
                (b'*', b'/') => {
                    p += 2;
                    depth -= 1;
                    if depth == 0 {
                        return Some(p);
                    }
                }
                _ => p += 1,
            }
        }
        None
    }

    fn block_comment(&mut self) -> Result<(), SplitError> {
        match self.comment_end(self.pos) {
            Some(end) => {
                self.advance_to(end);
                Ok(())
            }
            None => Err(SplitError::UnterminatedComment { line: self.line }),
        }
    }

    // ---- strings and identifiers -----------------------------------------------------------

    /// Moves past the string or quoted identifier opening here. Inside, the quote doubled
    /// stands for itself; with `backslash`, a backslash also escapes the byte after it.
    pub(super) fn quoted(
        &mut self,
        quote: u8,
        backslash: bool,
        identifier: bool,
    ) -> Result<(), SplitError> {
        self.mark_code();
        let line = self.line;
        let mut p = self.pos + 1;
        while let Some(&b) = self.bytes.get(p) {
            // An escaped byte or a doubled quote: two bytes of content.
            if (backslash && b == b'\\') || (b == quote && self.bytes.get(p + 1) == Some(&quote)) {
                p += 2;
            } else if b == quote {
                self.advance_to(p + 1);
                self.token(Tok::Quoted);
                return Ok(());
            } else {
                p += 1;
            }
        }
        Err(if identifier {
            SplitError::UnterminatedIdentifier { line }
        } else {
            SplitError::UnterminatedString { line }
        })
    }

    // ---- words ----------------------------------------------------------------------------

    fn word(&mut self) -> Result<(), SplitError> {
        let text = self.text;
        let start = self.pos;
        let mut end = start + 1;
        // A custom delimiter may follow a word directly (`END$$`) or be made of word
        // characters: the mysql client looks for it at every byte.
        while self.bytes.get(end).is_some_and(|b| is_word_byte(*b))
            && (self.delimiter == ";" || !self.bytes[end..].starts_with(self.delimiter.as_bytes()))
        {
            end += 1;
        }
        let word = &text[start..end];
        if self.dialect == Dialect::MySql && self.delimiter_command_at(word, end) {
            return self.delimiter_line(end);
        }
        self.mark_code();
        if self.dialect == Dialect::Postgres && self.escape_string_at(word, end) {
            self.advance_to(end);
            return self.quoted(b'\'', true, false);
        }
        self.advance_to(end);
        self.token(Tok::Word(start, end));
        Ok(())
    }

    /// The position after whitespace and comments from `p` (a MySQL `/*!` comment is code).
    pub(super) fn skip_trivia(&self, mut p: usize) -> usize {
        loop {
            match self.bytes.get(p) {
                Some(b) if b.is_ascii_whitespace() => p += 1,
                Some(b'-' | b'#') if self.line_comment_at(p) => p = self.line_end(p),
                Some(b'/')
                    if self.bytes.get(p + 1) == Some(&b'*')
                        && self.exec_comment_len(p).is_none() =>
                {
                    match self.comment_end(p) {
                        Some(end) => p = end,
                        None => return self.bytes.len(),
                    }
                }
                _ => return p,
            }
        }
    }

    /// The byte range of the word after `p`, past whitespace and comments.
    pub(super) fn next_word(&self, p: usize) -> Option<(usize, usize)> {
        let start = self.skip_trivia(p);
        if !self.bytes.get(start).is_some_and(|b| is_word_start(*b)) {
            return None;
        }
        let len = self.bytes[start..]
            .iter()
            .take_while(|b| is_word_byte(**b))
            .count();
        Some((start, start + len))
    }

    /// Where the given words end, if they come next (past whitespace and comments).
    pub(super) fn words_follow(&self, words: &[&str]) -> Option<usize> {
        let mut p = self.pos;
        for word in words {
            let (start, end) = self.next_word(p)?;
            if !is(&self.text[start..end], word) {
                return None;
            }
            p = end;
        }
        Some(p)
    }

    /// Moves past the given words if they come next.
    pub(super) fn consume_words(&mut self, words: &[&str]) -> bool {
        match self.words_follow(words) {
            Some(end) => {
                self.advance_to(end);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::dialect::Dialect::{MySql, Postgres, Sqlite};
    use crate::split::test_support::{count, error, sqls, ALL};
    use crate::split::SplitError;

    #[test]
    fn semicolons_in_strings_do_not_split_and_doubled_quotes_escape() {
        for d in ALL {
            assert_eq!(
                sqls("INSERT INTO t VALUES ('a;b', 'it''s;', '');\nSELECT 2", d),
                ["INSERT INTO t VALUES ('a;b', 'it''s;', '')", "SELECT 2"],
                "{d:?}"
            );
        }
    }

    #[test]
    fn double_quoted_identifiers_hold_semicolons_and_double_their_quote() {
        for d in ALL {
            assert_eq!(
                sqls(
                    "SELECT \"odd;name\", \"say \"\"hi\"\";\" FROM t; SELECT 2",
                    d
                ),
                [
                    "SELECT \"odd;name\", \"say \"\"hi\"\";\" FROM t",
                    "SELECT 2"
                ],
                "{d:?}"
            );
        }
    }

    #[test]
    fn quote_characters_inside_other_quotes_are_plain_text() {
        for d in ALL {
            assert_eq!(
                count("SELECT '\"', \"'\", '--', '/*'; SELECT 2", d),
                2,
                "{d:?}"
            );
        }
    }

    #[test]
    fn unterminated_strings_are_errors_at_the_line_they_start() {
        assert_eq!(
            error("SELECT 1;\nSELECT 'oops;\n\n", Postgres),
            SplitError::UnterminatedString { line: 2 }
        );
        assert_eq!(
            error("SELECT 'it\\'s", MySql),
            SplitError::UnterminatedString { line: 1 }
        );
        assert_eq!(
            error("SELECT 1;\n\nSELECT E'it\\'s", Postgres),
            SplitError::UnterminatedString { line: 3 }
        );
        assert_eq!(
            error("SELECT \"unclosed", MySql),
            SplitError::UnterminatedString { line: 1 }
        );
    }

    #[test]
    fn unterminated_identifiers_are_errors_at_the_line_they_start() {
        assert_eq!(
            error("SELECT \"unclosed", Postgres),
            SplitError::UnterminatedIdentifier { line: 1 }
        );
        assert_eq!(
            error("\nSELECT `x", MySql),
            SplitError::UnterminatedIdentifier { line: 2 }
        );
    }

    #[test]
    fn line_comments_hide_semicolons_and_quotes() {
        for d in ALL {
            assert_eq!(
                sqls("SELECT 1 -- it's; not the end\n, 2;\nSELECT 3", d),
                ["SELECT 1 -- it's; not the end\n, 2", "SELECT 3"],
                "{d:?}"
            );
        }
    }

    #[test]
    fn block_comments_hide_semicolons_and_quotes() {
        for d in ALL {
            assert_eq!(
                sqls("SELECT /* it's; \"odd */ 1; SELECT 2", d),
                ["SELECT /* it's; \"odd */ 1", "SELECT 2"],
                "{d:?}"
            );
        }
    }

    #[test]
    fn block_comments_nest_on_postgres_only() {
        assert_eq!(
            sqls("/* a /* b; */ still; */ SELECT 1; SELECT 2", Postgres),
            ["/* a /* b; */ still; */ SELECT 1", "SELECT 2"]
        );
        // Elsewhere the first */ closes the comment.
        for d in [MySql, Sqlite] {
            assert_eq!(
                sqls("/* a /* b */ SELECT 1; SELECT 2", d),
                ["/* a /* b */ SELECT 1", "SELECT 2"]
            );
        }
        assert_eq!(
            error("/* a /* b */ SELECT 1;", Postgres),
            SplitError::UnterminatedComment { line: 1 }
        );
    }

    #[test]
    fn unterminated_comments_are_errors_at_the_line_they_start() {
        for d in ALL {
            assert_eq!(
                error("SELECT 1;\n\n/* never\nclosed", d),
                SplitError::UnterminatedComment { line: 3 },
                "{d:?}"
            );
        }
    }
}
