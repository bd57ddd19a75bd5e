//! What psql does that the other clients do not: dollar-quoted strings (`$tag$ ... $tag$`,
//! where function bodies usually live), `E'...'` strings with backslash escapes, the
//! `BEGIN ATOMIC` bodies of SQL-standard functions and procedures, and parentheses inside
//! which no statement ends. Block comments also nest on PostgreSQL; that is one flag where all
//! block comments are read, in `scan`.

use super::scan::{is, is_word_byte, Tok};
use super::{SplitError, Splitter};

impl Splitter<'_> {
    /// A PostgreSQL `$`: a dollar-quoted string `$tag$ ... $tag$` (`$$` has an empty tag), or
    /// else a parameter such as `$1`.
    pub(super) fn dollar(&mut self) -> Result<(), SplitError> {
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

    /// Whether `word`, ending at `end`, is the `E` of an `E'...'` string, which takes
    /// backslash escapes (`E'it\'s'`) where a standard string does not.
    pub(super) fn escape_string_at(&self, word: &str, end: usize) -> bool {
        is(word, "E") && self.bytes.get(end) == Some(&b'\'')
    }

    /// Keeps the parenthesis depth, because psql does not end a statement inside parentheses
    /// (`CREATE RULE ... DO ALSO (INSERT ...; UPDATE ...)` relies on it).
    pub(super) fn count_parenthesis(&mut self, b: u8) {
        match b {
            b'(' => self.cur.parens += 1,
            b')' => self.cur.parens = self.cur.parens.saturating_sub(1),
            _ => {}
        }
    }

    /// In a routine, `BEGIN` opens a body only as the SQL-standard `BEGIN ATOMIC`: a PL/pgSQL
    /// `BEGIN` sits inside a dollar-quoted string, which is never looked into.
    pub(super) fn begin_atomic(&mut self) -> bool {
        self.consume_words(&["ATOMIC"])
    }
}

#[cfg(test)]
mod tests {
    use crate::dialect::Dialect::{MySql, Postgres, Sqlite};
    use crate::split::test_support::{count, error, lines, sqls, statements};
    use crate::split::SplitError;

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
    fn postgres_unterminated_begin_atomic_is_an_error_at_its_begin() {
        assert_eq!(
            error(
                "SELECT 1;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n",
                Postgres
            ),
            SplitError::UnterminatedBlock { line: 3 }
        );
    }

    #[test]
    fn postgres_does_not_end_a_statement_inside_parentheses() {
        let rule = "CREATE RULE r AS ON INSERT TO t DO ALSO (\n  INSERT INTO log VALUES (1);\n  UPDATE c SET n = n + 1\n);\nSELECT 1;";
        assert_eq!(lines(rule, Postgres), [1, 5]);
    }
}
