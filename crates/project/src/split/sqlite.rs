//! SQLite's own rules: `[identifier]` quoting (from Access and SQL Server), and triggers, its
//! only statements with a `BEGIN ... END` body.

use super::scan::Tok;
use super::{SplitError, Splitter};

impl Splitter<'_> {
    /// SQLite's `[identifier]`, which has no escapes.
    pub(super) fn bracketed(&mut self) -> Result<(), SplitError> {
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

    /// Whether a `BEGIN` in a trigger opens its body: a trigger has one body, and nothing
    /// nests in it.
    pub(super) fn trigger_begin(&self) -> bool {
        self.cur.blocks.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use crate::dialect::Dialect::{Postgres, Sqlite};
    use crate::split::test_support::{count, error, lines, sqls, statements};
    use crate::split::SplitError;

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
}
