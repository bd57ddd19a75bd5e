//! MySQL's compound bodies: the `DEFINER` clause a routine's header may carry, `BEGIN` blocks
//! told from transactions and from names, MariaDB's anonymous `BEGIN NOT ATOMIC` block, and the
//! `IF`, `LOOP`, `WHILE`, `REPEAT` and `CASE` statements, which hold statements (so `;`) and
//! end with their own `END IF`, `END LOOP`...

use super::blocks::{Block, Header};
use super::scan::{is, is_word_start, Tok};
use super::Splitter;

impl Splitter<'_> {
    /// Advances through `DEFINER = user` in a `CREATE` header: `'a'@'b'`, `` `a`@`b` ``, `a@b`,
    /// `CURRENT_USER` or `CURRENT_USER()`.
    pub(super) fn definer_step(&self, tok: Tok) -> Header {
        let user_part = matches!(tok, Tok::Word(..) | Tok::Quoted);
        match (self.cur.header, tok) {
            (Header::AfterDefiner, Tok::Punct(b'=')) => Header::DefinerUser,
            (Header::DefinerUser, _) if user_part => Header::AfterUser,
            (Header::AfterUser, Tok::Punct(b'@')) => Header::DefinerHost,
            (Header::AfterUser, Tok::Punct(b'(')) => Header::DefinerParens,
            (Header::DefinerParens, Tok::Punct(b')')) => Header::AfterCreate,
            (Header::DefinerHost, _) if user_part => Header::AfterCreate,
            // A user without a host: the word is what would follow `CREATE`.
            (Header::AfterUser, Tok::Word(start, end)) => self.after_create(&self.text[start..end]),
            _ => Header::Plain,
        }
    }

    /// Whether `word` starts MariaDB's anonymous `BEGIN NOT ATOMIC ... END` block.
    pub(super) fn anonymous_block_at(&self, word: &str) -> bool {
        is(word, "BEGIN") && self.words_follow(&["NOT", "ATOMIC"]).is_some()
    }

    /// Whether a MySQL `BEGIN` here opens a block: not `BEGIN WORK`, and not a column or
    /// variable named `begin` (which follows `SELECT`, `,`, `=`... and precedes punctuation).
    pub(super) fn mysql_block_begin(&mut self) -> bool {
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

    /// Handles the word `w`, which starts a statement of a compound body: `IF`, `LOOP`,
    /// `WHILE` and `REPEAT` open a block there. Returns whether statements follow the word
    /// itself (`LOOP`, `REPEAT`).
    pub(super) fn mysql_statement_block(&mut self, w: &str, line: usize) -> bool {
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

    /// After `END`: `END IF`, `END LOOP`, `END WHILE`, `END REPEAT` and `END CASE` close only
    /// their own kind; if that was not recognised as open, they close nothing. Returns whether
    /// the `END` was one of them (and moves past its second word).
    pub(super) fn end_mysql_statement_block(&mut self) -> bool {
        let Some((start, end)) = self.next_word(self.pos) else {
            return false;
        };
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
        let Some((_, kind)) = kind else {
            return false;
        };
        self.advance_to(end);
        let closes = match (self.cur.blocks.last(), kind) {
            (Some(open), Block::Case { .. }) => matches!(open.block, Block::Case { .. }),
            (Some(open), kind) => open.block == kind,
            (None, _) => false,
        };
        if closes {
            self.cur.blocks.pop();
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use crate::dialect::Dialect::MySql;
    use crate::split::test_support::{count, error, lines, sqls, statements};
    use crate::split::SplitError;

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
}
