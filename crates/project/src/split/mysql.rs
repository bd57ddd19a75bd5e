//! MySQL and MariaDB files are written for the mysql client, which reads its own `DELIMITER`
//! command, and for a lexer with `#` comments, a `--` that needs a space after it, executable
//! `/*! ... */` comments (mysqldump wraps whole statements in them) and backslash escapes in
//! `'...'` and `"..."` strings (picked where strings are read, in `scan`).
//!
//! The blocks of routines, triggers and events are in `mysql_blocks`.

use super::scan::is;
use super::{Current, SplitError, Splitter};
use crate::dialect::Dialect;

impl Splitter<'_> {
    /// `#` starts a comment, and `--` only when a whitespace or control character (or the end)
    /// follows it: `1--1` is arithmetic.
    pub(super) fn mysql_line_comment_at(&self, p: usize) -> bool {
        match self.bytes.get(p..) {
            Some([b'#', ..]) => true,
            Some([b'-', b'-', rest @ ..]) => rest.first().is_none_or(|b| *b <= b' '),
            _ => false,
        }
    }

    /// The length of a MySQL executable comment's opener at `p` (`/*!`, MariaDB's `/*M!`, and
    /// the version number after it), if there is one.
    pub(super) fn exec_comment_len(&self, p: usize) -> Option<usize> {
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

    /// Whether `word`, ending at `end`, is the mysql client's own command, which it honours
    /// only where a statement would start.
    pub(super) fn delimiter_command_at(&self, word: &str, end: usize) -> bool {
        self.cur.code_start.is_none()
            && is(word, "DELIMITER")
            && self.bytes.get(end).is_none_or(u8::is_ascii_whitespace)
    }

    /// `DELIMITER xx`: the rest of the line is the command, and the line is no statement.
    pub(super) fn delimiter_line(&mut self, after_word: usize) -> Result<(), SplitError> {
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
}

#[cfg(test)]
mod tests {
    use crate::dialect::Dialect::{MySql, Postgres, Sqlite};
    use crate::split::test_support::{count, error, lines, sqls, statements};
    use crate::split::SplitError;

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

    #[test]
    fn compound_bodies_are_not_tracked_under_a_custom_delimiter() {
        // The user took control: an END missing does not matter to the mysql client.
        let body =
            "DELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n//\nDELIMITER ;\nSELECT 2;";
        assert_eq!(lines(body, MySql), [2, 7]);
    }
}
