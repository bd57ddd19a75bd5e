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

use crate::dialect::Dialect;

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

/// Words after which the next word is a name or part of an expression, never a keyword that
/// opens a block: `SELECT begin`, `RETURN IF(...)`, `DROP TABLE IF EXISTS`, `CREATE PROCEDURE
/// IF NOT EXISTS`... (After punctuation such as `=`, `,` or `(` it never is either.)
#[rustfmt::skip]
const NOT_BEFORE_KEYWORD: &[&str] = &[
    "ALL", "AND", "ANY", "AS", "BETWEEN", "BINARY", "BY", "CALL", "CASE", "CLOSE", "DATABASE",
    "DECLARE", "DEFAULT", "DISTINCT", "DIV", "ELSEIF", "ESCAPE", "EVENT", "EXISTS", "FETCH",
    "FROM", "FUNCTION", "HAVING", "HIGH_PRIORITY", "IF", "IN", "INDEX", "INTERVAL", "INTO",
    "IS", "ITERATE", "JOIN", "LEAVE", "LIKE", "LIMIT", "MOD", "NOT", "OFFSET", "ON", "OPEN",
    "OR", "PROCEDURE", "REGEXP", "RETURN", "RLIKE", "SCHEMA", "SELECT", "SET", "SOME",
    "SQL_BIG_RESULT", "SQL_BUFFER_RESULT", "SQL_CALC_FOUND_ROWS", "SQL_NO_CACHE",
    "SQL_SMALL_RESULT", "STRAIGHT_JOIN", "TABLE", "TRIGGER", "UNTIL", "UPDATE", "USING",
    "VALUE", "VALUES", "VIEW", "WHEN", "WHERE", "WHILE", "XOR",
];

fn is(word: &str, keyword: &str) -> bool {
    word.eq_ignore_ascii_case(keyword)
}

/// Bytes that continue an unquoted identifier or a number. `$` is one on PostgreSQL and MySQL
/// (`a$b`); the bytes of multi-byte characters count as letters.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Bytes that start a word a keyword could be.
fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

/// How far the splitter has recognised the statement's opening words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Header {
    /// Nothing read yet.
    #[default]
    Start,
    /// `CREATE`, `CREATE OR REPLACE`, `CREATE TEMP`, `CREATE AGGREGATE`, or a finished definer.
    AfterCreate,
    AfterOr,
    /// MySQL `DEFINER`, then `=`, then a user: `'a'@'b'`, `` `a`@`b` ``, `a@b`,
    /// `CURRENT_USER` or `CURRENT_USER()`.
    AfterDefiner,
    DefinerUser,
    AfterUser,
    DefinerHost,
    DefinerParens,
    /// A routine, trigger or event (or MariaDB's `BEGIN NOT ATOMIC`): blocks are tracked.
    Routine {
        event: bool,
    },
    /// Anything else: only strings, comments and the terminator matter.
    Plain,
}

/// A block whose `END` has not been read yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Begin,
    /// `statement`: a MySQL `CASE` statement (its branches hold statements and it ends with
    /// `END CASE`) rather than a `CASE` expression.
    Case {
        statement: bool,
    },
    If,
    Loop,
    While,
    Repeat,
}

#[derive(Debug, Clone, Copy)]
struct Open {
    block: Block,
    line: usize,
}

/// The token before the current one, which decides whether a word can be a keyword here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Prev {
    #[default]
    Nothing,
    Punct(u8),
    /// A string, quoted identifier or dollar-quoted body.
    Quoted,
    Word {
        start: usize,
        end: usize,
        /// It opened a block that statements follow (`BEGIN`, `LOOP`, `REPEAT`).
        opens_body: bool,
        /// It stood where a statement starts (tells `WHILE ... DO` from the `DO` statement).
        at_start: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    /// The byte range of a word or number.
    Word(usize, usize),
    Quoted,
    Punct(u8),
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

    /// Reads the token, comment or quoted thing that starts with `b` (not whitespace).
    fn step(&mut self, b: u8) -> Result<(), SplitError> {
        let next = self.peek(1);
        match b {
            b'-' if self.dash_comment_at(self.pos) => self.pos = self.line_end(self.pos),
            b'#' if self.dialect == Dialect::MySql => self.pos = self.line_end(self.pos),
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

    /// A byte of punctuation: an operator, a parenthesis, `@`, `.`, a `;` inside a body...
    fn punct(&mut self, b: u8) {
        self.mark_code();
        if self.dialect == Dialect::Postgres {
            match b {
                b'(' => self.cur.parens += 1,
                b')' => self.cur.parens = self.cur.parens.saturating_sub(1),
                _ => {}
            }
        }
        self.advance_to(self.pos + 1);
        self.token(Tok::Punct(b));
    }

    // ---- comments, strings and identifiers -------------------------------------------------

    fn line_end(&self, p: usize) -> usize {
        self.bytes[p..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(self.bytes.len(), |n| p + n)
    }

    /// `--` starts a comment, except on MySQL where it needs a whitespace or control character
    /// (or the end) after it: `1--1` is arithmetic there.
    fn dash_comment_at(&self, p: usize) -> bool {
        self.bytes.get(p) == Some(&b'-')
            && self.bytes.get(p + 1) == Some(&b'-')
            && (self.dialect != Dialect::MySql || self.bytes.get(p + 2).is_none_or(|b| *b <= b' '))
    }

    /// The length of a MySQL executable comment's opener at `p` (`/*!`, MariaDB's `/*M!`, and
    /// the version number after it), if there is one.
    fn exec_comment_len(&self, p: usize) -> Option<usize> {
        if self.dialect != Dialect::MySql {
            return None;
        }
        let opener = match (self.bytes.get(p + 2), self.bytes.get(p + 3)) {
            (Some(b'!'), _) => 3,
            (Some(b'M'), Some(b'!')) => 4,
            _ => return None,
        };
        let digits = self.bytes[p + opener..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        Some(opener + digits)
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

    /// Moves past the string or quoted identifier opening here. Inside, the quote doubled
    /// stands for itself; with `backslash`, a backslash also escapes the byte after it.
    fn quoted(&mut self, quote: u8, backslash: bool, identifier: bool) -> Result<(), SplitError> {
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

    /// SQLite's `[identifier]`, which has no escapes.
    fn bracketed(&mut self) -> Result<(), SplitError> {
        self.mark_code();
        match self.bytes[self.pos..].iter().position(|b| *b == b']') {
            Some(n) => {
                self.advance_to(self.pos + n + 1);
                self.token(Tok::Quoted);
                Ok(())
            }
            None => Err(SplitError::UnterminatedIdentifier { line: self.line }),
        }
    }

    /// A PostgreSQL `$`: a dollar-quoted string `$tag$ ... $tag$` (`$$` has an empty tag), or
    /// else a parameter such as `$1`.
    fn dollar(&mut self) -> Result<(), SplitError> {
        // Right after a word character, `$` belongs to an identifier (`a$b$`); `$1` is a
        // parameter; a tag follows the rules of an unquoted identifier, without `$`.
        let after_word = self.pos > 0 && is_word_byte(self.bytes[self.pos - 1]);
        let rest = &self.bytes[self.pos + 1..];
        let tag = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b >= 0x80)
            .count();
        if after_word
            || rest.first().is_some_and(u8::is_ascii_digit)
            || rest.get(tag) != Some(&b'$')
        {
            self.punct(b'$');
            return Ok(());
        }
        self.mark_code();
        let text = self.text;
        let len = tag + 2;
        let tag = &text[self.pos..self.pos + len];
        match text[self.pos + len..].find(tag) {
            Some(n) => {
                self.advance_to(self.pos + len + n + len);
                self.token(Tok::Quoted);
                Ok(())
            }
            None => Err(SplitError::UnterminatedDollarQuote {
                tag: tag.to_string(),
                line: self.line,
            }),
        }
    }

    // ---- words ------------------------------------------------------------------------------

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
        // The mysql client's own command, honoured where a statement would start.
        if self.dialect == Dialect::MySql
            && self.cur.code_start.is_none()
            && is(word, "DELIMITER")
            && self.bytes.get(end).is_none_or(u8::is_ascii_whitespace)
        {
            return self.delimiter_line(end);
        }
        self.mark_code();
        // PostgreSQL's E'...' takes backslash escapes (E'it\'s').
        if self.dialect == Dialect::Postgres && is(word, "E") && self.bytes.get(end) == Some(&b'\'')
        {
            self.advance_to(end);
            return self.quoted(b'\'', true, false);
        }
        self.advance_to(end);
        self.token(Tok::Word(start, end));
        Ok(())
    }

    /// `DELIMITER xx`: the rest of the line is the command, and the line is no statement.
    fn delimiter_line(&mut self, after_word: usize) -> Result<(), SplitError> {
        let end = self.line_end(after_word);
        match self.text[after_word..end].split_whitespace().next() {
            Some(delimiter) => {
                self.delimiter = delimiter.to_string();
                self.pos = end;
                // Comments above the command are not part of the next statement.
                self.cur = Current::default();
                Ok(())
            }
            None => Err(SplitError::EmptyDelimiter { line: self.line }),
        }
    }

    /// The position after whitespace and comments from `p` (a MySQL `/*!` comment is code).
    fn skip_trivia(&self, mut p: usize) -> usize {
        loop {
            match self.bytes.get(p) {
                Some(b) if b.is_ascii_whitespace() => p += 1,
                Some(b'-') if self.dash_comment_at(p) => p = self.line_end(p),
                Some(b'#') if self.dialect == Dialect::MySql => p = self.line_end(p),
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
    fn next_word(&self, p: usize) -> Option<(usize, usize)> {
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
    fn words_follow(&self, words: &[&str]) -> Option<usize> {
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
    fn consume_words(&mut self, words: &[&str]) -> bool {
        match self.words_follow(words) {
            Some(end) => {
                self.advance_to(end);
                true
            }
            None => false,
        }
    }

    // ---- statement kind and blocks -----------------------------------------------------------

    /// Feeds a token to the statement-kind recogniser and, in routines, to the block tracker.
    fn token(&mut self, tok: Tok) {
        let mut at_start = false;
        let mut opens_body = false;
        match self.cur.header {
            Header::Plain => {}
            Header::Routine { .. } => {
                at_start = self.at_statement_start();
                if let Tok::Word(start, end) = tok {
                    opens_body = self.block_word(start, end, at_start);
                }
            }
            _ => {
                if self.header_step(tok) {
                    if let Tok::Word(start, end) = tok {
                        at_start = true;
                        opens_body = self.block_word(start, end, true);
                    }
                }
            }
        }
        self.cur.prev = match tok {
            Tok::Word(start, end) => Prev::Word {
                start,
                end,
                opens_body,
                at_start,
            },
            Tok::Quoted => Prev::Quoted,
            Tok::Punct(b) => Prev::Punct(b),
        };
    }

    /// Advances the recogniser of `CREATE [OR REPLACE] [DEFINER = user] [AGGREGATE | TEMP]
    /// PROCEDURE | FUNCTION | TRIGGER | EVENT`. Returns whether the token itself opens a block
    /// (MariaDB's anonymous `BEGIN NOT ATOMIC ... END`).
    fn header_step(&mut self, tok: Tok) -> bool {
        use Header::*;
        let text = self.text;
        let word = match tok {
            Tok::Word(start, end) => Some(&text[start..end]),
            _ => None,
        };
        let kw = |keyword: &str| word.is_some_and(|w| is(w, keyword));
        let user_part = matches!(tok, Tok::Word(..) | Tok::Quoted);
        let next = match self.cur.header {
            Start if kw("CREATE") => AfterCreate,
            Start
                if self.dialect == Dialect::MySql
                    && kw("BEGIN")
                    && self.words_follow(&["NOT", "ATOMIC"]).is_some() =>
            {
                self.cur.header = Routine { event: false };
                return true;
            }
            AfterOr if kw("REPLACE") => AfterCreate,
            AfterDefiner if tok == Tok::Punct(b'=') => DefinerUser,
            DefinerUser if user_part => AfterUser,
            AfterUser if tok == Tok::Punct(b'@') => DefinerHost,
            AfterUser if tok == Tok::Punct(b'(') => DefinerParens,
            DefinerParens if tok == Tok::Punct(b')') => AfterCreate,
            DefinerHost if user_part => AfterCreate,
            AfterCreate | AfterUser => word.map_or(Plain, |w| self.after_create(w)),
            _ => Plain,
        };
        self.cur.header = next;
        false
    }

    /// The state after the word `w` following `CREATE ...`.
    fn after_create(&self, w: &str) -> Header {
        let d = self.dialect;
        if is(w, "OR") && d != Dialect::Sqlite {
            Header::AfterOr
        } else if (is(w, "FUNCTION") || is(w, "PROCEDURE")) && d != Dialect::Sqlite {
            Header::Routine { event: false }
        } else if is(w, "TRIGGER") && d != Dialect::Postgres {
            // PostgreSQL triggers call a function; they have no body of their own.
            Header::Routine { event: false }
        } else if is(w, "EVENT") && d == Dialect::MySql {
            Header::Routine { event: true }
        } else if ((is(w, "TEMP") || is(w, "TEMPORARY")) && d == Dialect::Sqlite)
            || (is(w, "AGGREGATE") && d == Dialect::MySql)
        {
            Header::AfterCreate
        } else if is(w, "DEFINER") && d == Dialect::MySql {
            Header::AfterDefiner
        } else {
            Header::Plain
        }
    }

    fn in_case_expression(&self) -> bool {
        matches!(
            self.cur.blocks.last(),
            Some(Open {
                block: Block::Case { statement: false },
                ..
            })
        )
    }

    /// Whether a word here could be a keyword opening a block rather than a name or part of an
    /// expression, judged by the token before it.
    fn keyword_position(&self) -> bool {
        match self.cur.prev {
            Prev::Nothing | Prev::Quoted => true,
            Prev::Punct(b) => matches!(b, b';' | b':' | b')'),
            Prev::Word {
                start,
                end,
                at_start,
                ..
            } => {
                let w = &self.text[start..end];
                if is(w, "THEN") || is(w, "ELSE") {
                    !self.in_case_expression()
                } else if is(w, "DO") {
                    // An event's body follows its `DO`; elsewhere `DO expr` is a statement,
                    // unless this `DO` ends a `WHILE` condition.
                    if self.cur.blocks.is_empty() {
                        self.cur.header == Header::Routine { event: true }
                    } else {
                        !at_start
                    }
                } else {
                    !NOT_BEFORE_KEYWORD.iter().any(|k| is(w, k))
                }
            }
        }
    }

    /// Whether the current token starts a statement of a MySQL compound body (where `IF`,
    /// `LOOP`, `WHILE`, `REPEAT` and `CASE` are statements, not functions or expressions).
    fn at_statement_start(&self) -> bool {
        if self.cur.blocks.is_empty() {
            // The body of `CREATE PROCEDURE p() ...`, `... FOR EACH ROW ...`, `... DO ...`.
            return self.keyword_position();
        }
        match self.cur.prev {
            Prev::Punct(b';' | b':') => true,
            Prev::Word {
                opens_body: true, ..
            } => true,
            Prev::Word {
                start,
                end,
                at_start,
                ..
            } => {
                let w = &self.text[start..end];
                if is(w, "THEN") || is(w, "ELSE") {
                    !self.in_case_expression()
                } else {
                    is(w, "DO") && !at_start
                }
            }
            _ => false,
        }
    }

    fn open(&mut self, block: Block, line: usize) {
        self.cur.blocks.push(Open { block, line });
    }

    /// Handles a word inside a routine. Returns whether it opened a block that statements
    /// follow.
    fn block_word(&mut self, start: usize, end: usize, at_start: bool) -> bool {
        let text = self.text;
        let w = &text[start..end];
        // `new.begin`, `t.end`: a qualified name is never a keyword.
        if self.cur.prev == Prev::Punct(b'.') {
            return false;
        }
        let line = self.line;
        if is(w, "BEGIN") {
            let opens = match self.dialect {
                Dialect::Postgres => self.consume_words(&["ATOMIC"]),
                // A trigger has one body, and nothing nests in it.
                Dialect::Sqlite => self.cur.blocks.is_empty(),
                Dialect::MySql => self.mysql_block_begin(),
            };
            if opens {
                self.open(Block::Begin, line);
            }
            return opens;
        }
        if is(w, "CASE") {
            let statement = at_start;
            self.open(Block::Case { statement }, line);
            return false;
        }
        if is(w, "END") {
            self.end();
            return false;
        }
        if self.dialect != Dialect::MySql || !at_start {
            return false;
        }
        let block = if is(w, "IF") && self.if_statement_follows() {
            Block::If
        } else if is(w, "LOOP") {
            Block::Loop
        } else if is(w, "WHILE") {
            Block::While
        } else if is(w, "REPEAT") && self.bytes.get(self.skip_trivia(self.pos)) != Some(&b'(') {
            Block::Repeat
        } else {
            return false;
        };
        self.open(block, line);
        matches!(block, Block::Loop | Block::Repeat)
    }

    /// Whether a MySQL `BEGIN` here opens a block: not `BEGIN WORK`, and not a column or
    /// variable named `begin` (which follows `SELECT`, `,`, `=`... and precedes punctuation).
    fn mysql_block_begin(&mut self) -> bool {
        if !self.keyword_position() {
            return false;
        }
        let next = self.skip_trivia(self.pos);
        if self
            .bytes
            .get(next)
            .is_some_and(|b| !is_word_start(*b) && *b != b'`')
        {
            return false;
        }
        if self.words_follow(&["WORK"]).is_some() {
            return false;
        }
        // MariaDB spells a block that is no transaction `BEGIN NOT ATOMIC`.
        self.consume_words(&["NOT", "ATOMIC"]);
        true
    }

    /// After a MySQL `IF` at a statement start: `IF EXISTS name` and `IF NOT EXISTS name`
    /// belong to DDL, while `IF [NOT] EXISTS (SELECT ...) THEN` is an IF statement.
    fn if_statement_follows(&self) -> bool {
        let exists = self
            .words_follow(&["EXISTS"])
            .or_else(|| self.words_follow(&["NOT", "EXISTS"]));
        match exists {
            Some(end) => self.bytes.get(self.skip_trivia(end)) == Some(&b'('),
            None => true,
        }
    }

    /// `END`: closes the innermost block it can close.
    fn end(&mut self) {
        if self.dialect == Dialect::MySql {
            // `END IF`, `END LOOP`, `END WHILE`, `END REPEAT` and `END CASE` close only their
            // own kind; if that was not recognised as open, they close nothing.
            if let Some((start, end)) = self.next_word(self.pos) {
                let w = &self.text[start..end];
                let kind = [
                    ("IF", Block::If),
                    ("LOOP", Block::Loop),
                    ("WHILE", Block::While),
                    ("REPEAT", Block::Repeat),
                    ("CASE", Block::Case { statement: true }),
                ]
                .into_iter()
                .find(|(k, _)| is(w, k));
                if let Some((_, kind)) = kind {
                    self.advance_to(end);
                    let closes = match (self.cur.blocks.last(), kind) {
                        (Some(open), Block::Case { .. }) => {
                            matches!(open.block, Block::Case { .. })
                        }
                        (Some(open), kind) => open.block == kind,
                        (None, _) => false,
                    };
                    if closes {
                        self.cur.blocks.pop();
                    }
                    return;
                }
            }
        }
        // A plain END closes a CASE expression, or a BEGIN block when it stands where a
        // statement would (after `;`, or right after the BEGIN): anywhere else it is a name.
        let closes = match self.cur.blocks.last().map(|open| open.block) {
            Some(Block::Case { .. }) => true,
            Some(Block::Begin) => matches!(
                self.cur.prev,
                Prev::Punct(b';')
                    | Prev::Word {
                        opens_body: true,
                        ..
                    }
            ),
            _ => false,
        };
        if closes {
            self.cur.blocks.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Dialect::{MySql, Postgres, Sqlite};

    const ALL: [Dialect; 3] = [Postgres, MySql, Sqlite];

    fn statements(body: &str, d: Dialect) -> Vec<Statement> {
        split(body, d).unwrap_or_else(|e| panic!("{d:?}: {e}\n{body}"))
    }

    fn sqls(body: &str, d: Dialect) -> Vec<String> {
        statements(body, d).into_iter().map(|s| s.sql).collect()
    }

    fn lines(body: &str, d: Dialect) -> Vec<usize> {
        statements(body, d).into_iter().map(|s| s.line).collect()
    }

    fn count(body: &str, d: Dialect) -> usize {
        statements(body, d).len()
    }

    fn error(body: &str, d: Dialect) -> SplitError {
        match split(body, d) {
            Ok(stmts) => panic!("{d:?}: expected an error, got {stmts:?}"),
            Err(e) => e,
        }
    }

    // ---- statements and terminators ----------------------------------------------------------

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

    // ---- line numbers ----------------------------------------------------------------------

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

    // ---- strings, identifiers and comments (all dialects) ------------------------------------

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

    // ---- PostgreSQL -----------------------------------------------------------------------

    #[test]
    fn postgres_dollar_quotes_hold_function_bodies() {
        let body = "CREATE FUNCTION f() RETURNS int AS $body$\nBEGIN\n  RETURN 1; -- it's\nEND;\n$body$ LANGUAGE plpgsql;\nSELECT f();";
        let stmts = statements(body, Postgres);
        assert_eq!(stmts.len(), 2);
        assert!(stmts[0].sql.ends_with("$body$ LANGUAGE plpgsql"));
        assert_eq!(stmts[1].line, 6);
        assert_eq!(
            count("DO $$ BEGIN PERFORM 1; END $$;\nSELECT 1", Postgres),
            2
        );
    }

    #[test]
    fn postgres_dollar_quotes_end_only_at_their_own_tag() {
        let body = "CREATE FUNCTION f() RETURNS text AS $outer$\n  SELECT $$;$$ || $in$;$in$;\n$outer$ LANGUAGE sql;\nSELECT 2;";
        assert_eq!(count(body, Postgres), 2);
        // Tags are case-sensitive.
        assert_eq!(count("SELECT $A$ ; $a$ ; $A$; SELECT 2", Postgres), 2);
    }

    #[test]
    fn postgres_dollar_parameters_and_identifiers_are_not_quotes() {
        assert_eq!(
            sqls(
                "PREPARE p AS SELECT $1, $2; SELECT a$b$ FROM t; SELECT 3",
                Postgres
            ),
            [
                "PREPARE p AS SELECT $1, $2",
                "SELECT a$b$ FROM t",
                "SELECT 3"
            ]
        );
    }

    #[test]
    fn dollar_quotes_are_postgres_only() {
        for d in [MySql, Sqlite] {
            assert_eq!(count("SELECT $$; SELECT $$;", d), 2, "{d:?}");
        }
    }

    #[test]
    fn postgres_escape_strings_take_backslashes() {
        assert_eq!(
            sqls("SELECT E'it\\'s;'; SELECT e'\\\\'; SELECT 3", Postgres),
            ["SELECT E'it\\'s;'", "SELECT e'\\\\'", "SELECT 3"]
        );
    }

    #[test]
    fn postgres_standard_strings_have_no_backslash_escapes() {
        assert_eq!(
            sqls("SELECT 'C:\\'; SELECT 2", Postgres),
            ["SELECT 'C:\\'", "SELECT 2"]
        );
        // A word ending in e is no E prefix.
        assert_eq!(count("SELECT some 'x\\'; SELECT 2", Postgres), 2);
    }

    #[test]
    fn postgres_begin_atomic_bodies_stay_whole() {
        let body = "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT CASE WHEN true THEN 2 END;\nEND;\nSELECT 3;";
        let stmts = statements(body, Postgres);
        assert_eq!(stmts.len(), 2);
        assert!(stmts[0].sql.ends_with("END"));
        assert_eq!((stmts[0].line, stmts[1].line), (1, 6));
        let procedure = "create or replace procedure ins(a int)\nlanguage sql\nbegin /* std */ atomic\n  insert into t values (a);\n  insert into t values (a + 1);\nend;\ncall ins(1);";
        assert_eq!(count(procedure, Postgres), 2);
        assert_eq!(
            count(
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC END; SELECT 1",
                Postgres
            ),
            2
        );
    }

    #[test]
    fn postgres_begin_is_a_block_only_as_begin_atomic_in_a_routine() {
        assert_eq!(
            sqls("BEGIN; SELECT 1; COMMIT;", Postgres),
            ["BEGIN", "SELECT 1", "COMMIT"]
        );
        assert_eq!(count("BEGIN TRANSACTION; SELECT 1; END;", Postgres), 3);
        assert_eq!(count("START TRANSACTION; SELECT 1; COMMIT;", Postgres), 3);
        // A trigger calls a function; `FOR EACH ROW EXECUTE FUNCTION` has no body.
        assert_eq!(
            count(
                "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW EXECUTE FUNCTION f();\nINSERT INTO x VALUES (1);",
                Postgres
            ),
            2
        );
        // A SQL function with a RETURN body has no block.
        assert_eq!(
            count(
                "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql RETURN a + b;\nSELECT add(1, 2);",
                Postgres
            ),
            2
        );
    }

    #[test]
    fn postgres_does_not_end_a_statement_inside_parentheses() {
        let rule = "CREATE RULE r AS ON INSERT TO t DO ALSO (\n  INSERT INTO log VALUES (1);\n  UPDATE c SET n = n + 1\n);\nSELECT 1;";
        assert_eq!(lines(rule, Postgres), [1, 5]);
    }

    #[test]
    fn postgres_unterminated_begin_atomic_is_an_error_at_its_begin() {
        assert_eq!(
            error(
                "SELECT 1;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n",
                Postgres
            ),
            SplitError::UnterminatedBlock { line: 3 }
        );
    }

    // ---- MySQL ------------------------------------------------------------------------------

    #[test]
    fn mysql_strings_take_backslash_escapes() {
        assert_eq!(
            sqls(
                "SELECT 'it\\'s;', \"say \\\"hi\\\";\"; SELECT 'a\\\\'; SELECT 'b'''",
                MySql
            ),
            [
                "SELECT 'it\\'s;', \"say \\\"hi\\\";\"",
                "SELECT 'a\\\\'",
                "SELECT 'b'''"
            ]
        );
    }

    #[test]
    fn mysql_backtick_identifiers_double_their_quote_and_take_no_backslash() {
        assert_eq!(
            sqls("SELECT `a;b`, `x``;y`, `c:\\` FROM t; SELECT 2", MySql),
            ["SELECT `a;b`, `x``;y`, `c:\\` FROM t", "SELECT 2"]
        );
    }

    #[test]
    fn mysql_hash_starts_a_comment_elsewhere_it_does_not() {
        assert_eq!(
            sqls("SELECT 1; # note; it's here\nSELECT 2", MySql),
            ["SELECT 1", "# note; it's here\nSELECT 2"]
        );
        assert_eq!(sqls("SELECT 1 # x; y\n", Sqlite), ["SELECT 1 # x", "y"]);
    }

    #[test]
    fn mysql_double_dash_needs_whitespace_to_start_a_comment() {
        assert_eq!(
            sqls("SELECT 1--1;\nSELECT 2", MySql),
            ["SELECT 1--1", "SELECT 2"]
        );
        assert_eq!(
            sqls("SELECT 1 -- x;\n;SELECT 2 --\t;\n;SELECT 3 --", MySql),
            ["SELECT 1 -- x;", "SELECT 2 --\t;", "SELECT 3 --"]
        );
        // Elsewhere `--` always starts a comment.
        assert_eq!(sqls("SELECT 1--1;\n", Postgres), ["SELECT 1--1;"]);
    }

    #[test]
    fn mysql_executable_comments_are_statements() {
        let body = "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n/*M!100100 SET sql_mode='' */;\n/* a plain comment */;\n/*!40101 SET NAMES utf8mb4 */;";
        let stmts = statements(body, MySql);
        assert_eq!(stmts.iter().map(|s| s.line).collect::<Vec<_>>(), [1, 2, 4]);
        assert_eq!(stmts[1].sql, "/*M!100100 SET sql_mode='' */");
        // As in the mysql client, the terminator still ends a statement inside one.
        assert_eq!(
            sqls("/*!40101 SET a = 1; SET b = 2 */;", MySql),
            ["/*!40101 SET a = 1", "SET b = 2 */"]
        );
        assert_eq!(
            error("SELECT 1;\n/*!40101 SET x = 1\n", MySql),
            SplitError::UnterminatedComment { line: 2 }
        );
    }

    #[test]
    fn mysql_delimiter_lines_change_the_terminator() {
        let body = "DELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND //\nDELIMITER ;\nCALL p();";
        let stmts = statements(body, MySql);
        assert_eq!(stmts.len(), 2);
        assert_eq!(
            stmts[0].sql,
            "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND"
        );
        assert_eq!(stmts[1].sql, "CALL p()");
        assert_eq!((stmts[0].line, stmts[1].line), (2, 7));
    }

    #[test]
    fn mysql_delimiter_is_case_insensitive_and_any_token() {
        let body = "delimiter $$\nSELECT 1; SELECT 2$$\n  Delimiter ;;\nSELECT 3;;\nDELIMITER ;\nSELECT 4;";
        assert_eq!(
            sqls(body, MySql),
            ["SELECT 1; SELECT 2", "SELECT 3", "SELECT 4"]
        );
        let workbench =
            "DELIMITER $$\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND$$\nDELIMITER ;";
        assert_eq!(
            sqls(workbench, MySql),
            ["CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND"]
        );
    }

    #[test]
    fn mysql_comments_before_a_delimiter_line_are_not_part_of_a_statement() {
        let body =
            "-- the procedure\nDELIMITER //\nCREATE PROCEDURE p() SELECT 1 //\nDELIMITER ;\n";
        assert_eq!(sqls(body, MySql), ["CREATE PROCEDURE p() SELECT 1"]);
    }

    #[test]
    fn mysql_delimiter_is_a_command_only_where_a_statement_starts() {
        assert_eq!(
            sqls("SELECT 1 AS x,\ndelimiter FROM t;", MySql),
            ["SELECT 1 AS x,\ndelimiter FROM t"]
        );
        assert_eq!(sqls("SELECT delimiter_id FROM t;", MySql).len(), 1);
        // Other engines have no such command.
        assert_eq!(count("DELIMITER //\nSELECT 1;", Sqlite), 1);
    }

    #[test]
    fn mysql_delimiter_without_a_delimiter_is_an_error() {
        assert_eq!(
            error("SELECT 1;\nDELIMITER   \nSELECT 2;", MySql),
            SplitError::EmptyDelimiter { line: 2 }
        );
    }

    #[test]
    fn mysqldump_triggers_in_executable_comments_split_at_the_delimiter() {
        let body = "DELIMITER ;;\n/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW BEGIN\n  SET NEW.a = 1;\nEND */;;\nDELIMITER ;\nSELECT 1;";
        let stmts = statements(body, MySql);
        assert_eq!(stmts.len(), 2);
        assert!(stmts[0].sql.ends_with("END */"));
        assert_eq!((stmts[0].line, stmts[1].line), (2, 6));
    }

    const FILL: &str = "CREATE DEFINER=`root`@`%` PROCEDURE fill(IN n INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
    RESIGNAL;
  END;
  WHILE i < n DO
    IF i % 2 = 0 THEN
      INSERT INTO t VALUES (i);
    ELSEIF i > 100 THEN
      BEGIN
        SELECT 'big; really';
      END;
    ELSE
      INSERT INTO t VALUES (IF(i > 1, -i, i));
    END IF;
    SET i = i + 1;
  END WHILE;
  SELECT CASE WHEN n > 0 THEN 1 ELSE 0 END AS positive;
  outer_loop: LOOP
    LEAVE outer_loop;
  END LOOP outer_loop;
  REPEAT
    SET i = i - 1;
  UNTIL i <= 0 END REPEAT;
  CASE n
    WHEN 1 THEN SELECT 'one';
    ELSE BEGIN END;
  END CASE;
END;
CALL fill(3);";

    #[test]
    fn mysql_procedures_end_after_their_outermost_end() {
        let stmts = statements(FILL, MySql);
        assert_eq!(stmts.len(), 2, "{stmts:#?}");
        assert!(stmts[0].sql.ends_with("END CASE;\nEND"));
        assert_eq!(stmts[1].sql, "CALL fill(3)");
        assert_eq!(stmts[1].line, 33);
    }

    #[test]
    fn mysql_routine_keywords_are_case_insensitive() {
        assert_eq!(count(&FILL.to_lowercase(), MySql), 2);
    }

    #[test]
    fn mysql_definers_take_every_user_form() {
        for definer in [
            "'root'@'%'",
            "`root`@`localhost`",
            "root@localhost",
            "\"admin\" @ \"10.0.0.%\"",
            "CURRENT_USER",
            "CURRENT_USER()",
        ] {
            let body = format!(
                "CREATE DEFINER = {definer} PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND;\nCALL p();"
            );
            assert_eq!(count(&body, MySql), 2, "{definer}");
        }
        let replace = "CREATE OR REPLACE DEFINER=root@localhost AGGREGATE FUNCTION agg(x INT) RETURNS INT\nBEGIN\n  DECLARE s INT DEFAULT 0;\n  LOOP FETCH GROUP NEXT ROW; SET s = s + x; END LOOP;\n  RETURN s;\nEND;\nSELECT 1;";
        assert_eq!(count(replace, MySql), 2);
    }

    #[test]
    fn mysql_functions_triggers_and_events_keep_their_bodies() {
        let function = "CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC\nBEGIN\n  DECLARE y INT;\n  SET y = x * 2;\n  RETURN y;\nEND;\nSELECT f(1);";
        assert_eq!(lines(function, MySql), [1, 7]);
        let trigger = "CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW\nBEGIN\n  SET NEW.end_date = IF(NEW.x > 0, NOW(), NULL);\n  DROP TEMPORARY TABLE IF EXISTS tmp;\nEND;\nSELECT 1;";
        assert_eq!(lines(trigger, MySql), [1, 6]);
        let event = "CREATE EVENT IF NOT EXISTS purge ON SCHEDULE EVERY 1 DAY DO\nBEGIN\n  DELETE FROM log WHERE at < NOW() - INTERVAL 30 DAY;\n  DELETE FROM tmp;\nEND;\nSELECT 1;";
        assert_eq!(lines(event, MySql), [1, 6]);
    }

    #[test]
    fn mysql_routines_without_begin_end_at_their_semicolon() {
        let body = "CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN IF(1 > 0, 1, 0);\nCREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = IF(NEW.b, 1, REPEAT('x', 2));\nCREATE PROCEDURE p() DROP TABLE IF EXISTS t;\nCREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO DELETE FROM t;\nCREATE FUNCTION g(a INT) RETURNS INT RETURN CASE WHEN a > 0 THEN 1 ELSE 0 END;\nSELECT 1;";
        assert_eq!(lines(body, MySql), [1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn mysql_compound_bodies_without_begin_keep_their_semicolons() {
        let trigger = "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW\nIF NEW.a IS NULL THEN\n  SET NEW.a = 0;\n  SET NEW.b = 1;\nEND IF;\nSELECT 1;";
        assert_eq!(lines(trigger, MySql), [1, 6]);
        let event = "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO\nIF NOT EXISTS (SELECT 1 FROM t) THEN\n  INSERT INTO t VALUES (1);\nEND IF;\nSELECT 1;";
        assert_eq!(lines(event, MySql), [1, 5]);
        let procedure = "CREATE PROCEDURE p() lbl: LOOP\n  LEAVE lbl;\nEND LOOP lbl;\nSELECT 1;";
        assert_eq!(lines(procedure, MySql), [1, 4]);
        let exists = "CREATE TRIGGER t BEFORE DELETE ON x FOR EACH ROW\nIF EXISTS (SELECT 1 FROM y WHERE y.x = OLD.id) THEN\n  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'in use; sorry';\nEND IF;\nSELECT 1;";
        assert_eq!(lines(exists, MySql), [1, 5]);
    }

    #[test]
    fn mysql_if_exists_conditions_are_if_statements() {
        let body = "CREATE PROCEDURE p()\nBEGIN\n  IF EXISTS (SELECT 1 FROM t) THEN\n    DELETE FROM t;\n  END IF;\n  IF NOT EXISTS(SELECT 1 FROM t) THEN\n    INSERT INTO t VALUES (1);\n  END IF;\nEND;\nSELECT 1;";
        assert_eq!(lines(body, MySql), [1, 10]);
    }

    #[test]
    fn mysql_empty_blocks_close() {
        assert_eq!(
            lines("CREATE PROCEDURE p() BEGIN END;\nSELECT 1;", MySql),
            [1, 2]
        );
        assert_eq!(
            lines(
                "CREATE PROCEDURE p()\nBEGIN\n  BEGIN END;\n  lbl: BEGIN\n  END lbl;\nEND;\nSELECT 1;",
                MySql
            ),
            [1, 7]
        );
    }

    #[test]
    fn mysql_if_statements_with_parenthesised_conditions_nest() {
        let body = "CREATE PROCEDURE p(x INT)\nBEGIN\n  IF (x > 0) THEN\n    IF(x > 1) THEN\n      SELECT 2;\n    END IF;\n    SELECT 1;\n  END IF;\n  SELECT 0;\nEND;\nSELECT 3;";
        assert_eq!(lines(body, MySql), [1, 11]);
    }

    #[test]
    fn mysql_create_if_not_exists_is_no_if_statement() {
        let body = "CREATE PROCEDURE IF NOT EXISTS p()\nBEGIN\n  CREATE TABLE IF NOT EXISTS t (id INT);\n  DROP TABLE IF EXISTS u;\nEND;\nCREATE TABLE IF NOT EXISTS v (id INT);\nSELECT 1;";
        assert_eq!(lines(body, MySql), [1, 6, 7]);
    }

    #[test]
    fn mysql_transactions_are_statements_not_blocks() {
        assert_eq!(
            sqls("BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;", MySql),
            ["BEGIN", "INSERT INTO t VALUES (1)", "COMMIT"]
        );
        assert_eq!(count("BEGIN WORK; SELECT 1; COMMIT WORK;", MySql), 3);
        assert_eq!(count("START TRANSACTION; SELECT 1; ROLLBACK;", MySql), 3);
        // Inside a routine too.
        assert_eq!(
            count(
                "CREATE PROCEDURE p()\nBEGIN\n  START TRANSACTION;\n  BEGIN WORK;\n  COMMIT;\nEND;\nSELECT 1;",
                MySql
            ),
            2
        );
    }

    #[test]
    fn mariadb_anonymous_blocks_stay_whole() {
        let body = "BEGIN NOT ATOMIC\n  DECLARE x INT DEFAULT 1;\n  SELECT x;\nEND;\nSELECT 2;";
        assert_eq!(lines(body, MySql), [1, 5]);
        let nested = "CREATE PROCEDURE p()\nBEGIN NOT ATOMIC\n  SELECT 1;\nEND;\nSELECT 2;";
        assert_eq!(lines(nested, MySql), [1, 5]);
    }

    #[test]
    fn mysql_begin_and_end_used_as_names_are_not_blocks() {
        let body = "CREATE TRIGGER t BEFORE UPDATE ON x FOR EACH ROW\nBEGIN\n  SET NEW.begin = OLD.end;\n  SELECT begin, end INTO @b, @e FROM spans WHERE id = NEW.id;\nEND;\nSELECT 1;";
        assert_eq!(lines(body, MySql), [1, 6]);
    }

    #[test]
    fn mysql_unterminated_routine_is_an_error_at_its_outermost_begin() {
        assert_eq!(
            error(
                "SELECT 1;\nCREATE PROCEDURE p()\nBEGIN\n  IF 1 THEN\n    SELECT 1;\n  END IF;\n",
                MySql
            ),
            SplitError::UnterminatedBlock { line: 3 }
        );
        assert_eq!(
            error(
                "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW\nIF NEW.a THEN\n  SET NEW.a = 0;\n",
                MySql
            ),
            SplitError::UnterminatedBlock { line: 2 }
        );
    }

    #[test]
    fn compound_bodies_are_not_tracked_under_a_custom_delimiter() {
        // The user took control: an END missing does not matter to the mysql client.
        let body =
            "DELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n//\nDELIMITER ;\nSELECT 2;";
        assert_eq!(lines(body, MySql), [2, 7]);
    }

    // ---- SQLite -------------------------------------------------------------------------------

    #[test]
    fn sqlite_triggers_keep_their_bodies() {
        let body = "CREATE TRIGGER tr AFTER INSERT ON a BEGIN\n  INSERT INTO log VALUES (CASE WHEN new.x > 0 THEN 'pos' ELSE 'neg' END);\n  UPDATE a SET begin_at = 1, end_date = 2;\nEND;\nSELECT 1;";
        let stmts = statements(body, Sqlite);
        assert_eq!(stmts.len(), 2);
        assert!(stmts[0].sql.ends_with("END"));
        assert_eq!(stmts[1].line, 5);
    }

    #[test]
    fn sqlite_case_in_a_trigger_does_not_end_it() {
        let body = "CREATE TEMP TRIGGER IF NOT EXISTS tr BEFORE UPDATE ON a\nWHEN CASE WHEN new.x IS NULL THEN 1 END\nBEGIN\n  SELECT CASE new.x WHEN 1 THEN RAISE(ABORT, 'one; no') END;\n  SELECT CASE WHEN 1 THEN CASE WHEN 2 THEN 3 END END;\nEND;\nSELECT 1;";
        assert_eq!(lines(body, Sqlite), [1, 7]);
    }

    #[test]
    fn sqlite_bracketed_and_backtick_identifiers() {
        assert_eq!(
            sqls("SELECT [c;d], `a;b`, `x``;` FROM t; SELECT 2", Sqlite),
            ["SELECT [c;d], `a;b`, `x``;` FROM t", "SELECT 2"]
        );
        // Brackets quote nothing on PostgreSQL.
        assert_eq!(count("SELECT a[1]; SELECT 2", Postgres), 2);
        assert_eq!(
            error("SELECT 1;\nSELECT [open", Sqlite),
            SplitError::UnterminatedIdentifier { line: 2 }
        );
    }

    #[test]
    fn sqlite_trigger_keywords_are_case_insensitive() {
        let body = "create trigger tr after delete on a begin\n  delete from b where b.a = old.id;\n  select case when 1 then 2 end;\nend;\nselect 1;";
        assert_eq!(lines(body, Sqlite), [1, 5]);
    }

    #[test]
    fn sqlite_transactions_are_statements() {
        assert_eq!(
            sqls("BEGIN TRANSACTION;\nSELECT 1;\nEND TRANSACTION;", Sqlite),
            ["BEGIN TRANSACTION", "SELECT 1", "END TRANSACTION"]
        );
        assert_eq!(count("BEGIN; COMMIT;", Sqlite), 2);
    }

    #[test]
    fn sqlite_unterminated_trigger_is_an_error_at_its_begin() {
        assert_eq!(
            error(
                "CREATE TRIGGER tr AFTER INSERT ON a\nBEGIN\n  SELECT 1;\nSELECT 2;\n",
                Sqlite
            ),
            SplitError::UnterminatedBlock { line: 2 }
        );
    }

    // ---- keywords ------------------------------------------------------------------------------

    #[test]
    fn keywords_are_whole_words() {
        let body = "CREATE TABLE events (id INT, end_date DATE, begin_at DATE, endpoint TEXT, casey INT);\nINSERT INTO events VALUES (1, NULL, NULL, 'x', 2);";
        for d in ALL {
            assert_eq!(count(body, d), 2, "{d:?}");
        }
        let procedure = "CREATE PROCEDURE p()\nBEGIN\n  UPDATE events SET end_date = NULL, begin_at = NULL, ending = 1, ifx = 2;\n  SELECT 1;\nEND;\nSELECT 2;";
        assert_eq!(lines(procedure, MySql), [1, 6]);
    }

    #[test]
    fn begin_and_end_outside_routines_never_open_blocks() {
        for d in ALL {
            assert_eq!(
                count(
                    "SELECT CASE WHEN a THEN 1 END FROM t;\nCREATE TABLE x (\"begin\" INT);\nSELECT 2;",
                    d
                ),
                3,
                "{d:?}"
            );
        }
        assert_eq!(
            count("CREATE VIEW v AS SELECT begin FROM t; SELECT 1;", MySql),
            2
        );
    }

    // ---- errors ---------------------------------------------------------------------------

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
    fn unterminated_comments_are_errors_at_the_line_they_start() {
        for d in ALL {
            assert_eq!(
                error("SELECT 1;\n\n/* never\nclosed", d),
                SplitError::UnterminatedComment { line: 3 },
                "{d:?}"
            );
        }
    }

    #[test]
    fn unterminated_dollar_quotes_are_errors_naming_their_tag() {
        let e = error(
            "SELECT 1;\n\n\n\n\n\nCREATE FUNCTION f() AS $fn$ SELECT 1;\n$$;",
            Postgres,
        );
        assert_eq!(
            e,
            SplitError::UnterminatedDollarQuote {
                tag: "$fn$".into(),
                line: 7
            }
        );
        assert_eq!(
            e.to_string(),
            "unterminated dollar-quoted string $fn$ starting at line 7"
        );
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
