//! Which statements can hold a compound body, and the blocks open inside one.
//!
//! Only the `CREATE` of a routine, trigger or event can hold a body, so the opening words of
//! each statement are recognised first (`Header`); everywhere else `BEGIN` is a transaction and
//! `END` a name or the end of a `CASE` expression, and a `;` ends the statement. Inside such a
//! statement, every word that can open or close a block is judged by the token before it,
//! because the same words are also names, functions and parts of expressions.

use super::scan::{is, Tok};
use super::Splitter;
use crate::dialect::Dialect;

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

/// How far the splitter has recognised the statement's opening words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Header {
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
pub(super) enum Block {
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
pub(super) struct Open {
    pub(super) block: Block,
    pub(super) line: usize,
}

/// The token before the current one, which decides whether a word can be a keyword here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Prev {
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

impl Splitter<'_> {
    /// Feeds a token to the statement-kind recogniser and, in routines, to the block tracker.
    pub(super) fn token(&mut self, tok: Tok) {
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
        let next = match self.cur.header {
            Start if kw("CREATE") => AfterCreate,
            Start
                if self.dialect == Dialect::MySql
                    && word.is_some_and(|w| self.anonymous_block_at(w)) =>
            {
                self.cur.header = Routine { event: false };
                return true;
            }
            AfterOr if kw("REPLACE") => AfterCreate,
            AfterDefiner | DefinerUser | AfterUser | DefinerHost | DefinerParens => {
                self.definer_step(tok)
            }
            AfterCreate => word.map_or(Plain, |w| self.after_create(w)),
            _ => Plain,
        };
        self.cur.header = next;
        false
    }

    /// The state after the word `w` following `CREATE ...`.
    pub(super) fn after_create(&self, w: &str) -> Header {
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
    pub(super) fn keyword_position(&self) -> bool {
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

    pub(super) fn open(&mut self, block: Block, line: usize) {
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
                Dialect::Postgres => self.begin_atomic(),
                Dialect::Sqlite => self.trigger_begin(),
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
        self.mysql_statement_block(w, line)
    }

    /// `END`: closes the innermost block it can close.
    fn end(&mut self) {
        if self.dialect == Dialect::MySql && self.end_mysql_statement_block() {
            return;
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
    use crate::dialect::Dialect::MySql;
    use crate::split::test_support::{count, lines, ALL};

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
}
