//! Stratum's journal of a revision whose statements commit as they run (every revision on
//! MySQL/MariaDB, `-- transaction: false` revisions on PostgreSQL and SQLite): which of its
//! statements completed, so that an interruption (a killed client, a dropped connection, a
//! failover) is always known and can be finished. Alembic's `alembic_version` is untouched:
//! the journal is a table of Stratum's own beside it, empty whenever no revision is half-done,
//! and nothing Alembic reads.

use stratum_graph::Direction;
use stratum_project::{Dialect, Statement};

use crate::ident::{literal, quote};
use crate::{Connection, DbError, VersionTable};

/// The journal's table, in the version table's schema.
pub const JOURNAL_TABLE: &str = "stratum_journal";

/// One revision in flight, as the journal row has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalRow {
    pub revision: String,
    pub direction: Direction,
    /// How many statements the revision has.
    pub statements: usize,
    /// How many of them completed, in order.
    pub done: usize,
    /// A digest of each statement as it was when the revision started, so a resume can tell
    /// whether the statements that ran were edited since.
    pub digests: Vec<String>,
    pub started_by: String,
    pub started_at: String,
    /// The text of the statement that was in flight, where the statements are not in a file
    /// Stratum reads (an Alembic revision's Python decides them as it runs); empty otherwise.
    pub in_flight: String,
}

impl JournalRow {
    /// An Alembic revision's row: how many statements it has is known only once its Python
    /// has run to the end.
    pub fn open_ended(&self) -> bool {
        self.statements == 0
    }
}

/// The SQL of the journal for one version table on one engine.
pub struct Journal<'a> {
    vt: &'a VersionTable,
    dialect: Dialect,
}

impl<'a> Journal<'a> {
    pub fn new(vt: &'a VersionTable, dialect: Dialect) -> Self {
        Journal { vt, dialect }
    }

    /// The journal's table, quoted and qualified by the version table's schema.
    pub fn table(&self) -> String {
        let t = quote(self.dialect, JOURNAL_TABLE);
        match &self.vt.schema {
            Some(s) => format!("{}.{t}", quote(self.dialect, s)),
            None => t,
        }
    }

    fn key(&self) -> String {
        literal(self.dialect, &self.vt.name)
    }

    pub fn create(&self) -> String {
        format!(
            "CREATE TABLE IF NOT EXISTS {} (version_table VARCHAR(255) NOT NULL PRIMARY KEY, revision VARCHAR(255) NOT NULL, direction VARCHAR(16) NOT NULL, statements INTEGER NOT NULL, done INTEGER NOT NULL, digests TEXT NOT NULL, started_by VARCHAR(255) NOT NULL, started_at VARCHAR(64) NOT NULL, in_flight TEXT NOT NULL)",
            self.table()
        )
    }

    pub fn start(&self, row: &JournalRow) -> String {
        let l = |s: &str| literal(self.dialect, s);
        format!(
            "INSERT INTO {} (version_table, revision, direction, statements, done, digests, started_by, started_at, in_flight) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})",
            self.table(),
            self.key(),
            l(&row.revision),
            l(direction_word(row.direction)),
            row.statements,
            row.done,
            l(&row.digests.join(",")),
            l(&row.started_by),
            l(&row.started_at),
            l(&row.in_flight),
        )
    }

    /// Records that the first `done` statements completed.
    pub fn progress(&self, done: usize) -> String {
        format!(
            "UPDATE {} SET done = {done} WHERE version_table = {}",
            self.table(),
            self.key()
        )
    }

    /// Clears the row; written in the same transaction as the version rows.
    pub fn finish(&self) -> String {
        format!(
            "DELETE FROM {} WHERE version_table = {}",
            self.table(),
            self.key()
        )
    }

    fn select(&self) -> String {
        let text = |c: &str| match self.dialect {
            Dialect::Postgres => format!("CAST({c} AS TEXT)"),
            Dialect::MySql => format!("CAST({c} AS CHAR)"),
            Dialect::Sqlite => format!("CAST({c} AS TEXT)"),
        };
        format!(
            "SELECT revision, direction, {}, {}, digests, started_by, started_at, in_flight FROM {} WHERE version_table = {}",
            text("statements"),
            text("done"),
            self.table(),
            self.key()
        )
    }

    /// The revision left half-done on this database, if any.
    pub async fn read(&self, conn: &mut Connection) -> Result<Option<JournalRow>, DbError> {
        if !conn
            .table_exists(self.vt.schema.as_deref(), JOURNAL_TABLE)
            .await?
        {
            return Ok(None);
        }
        let rows = conn
            .text_rows(&self.select())
            .await
            .map_err(|e| DbError::query(format!("reading {JOURNAL_TABLE}"), e))?;
        let Some(r) = rows.into_iter().next() else {
            return Ok(None);
        };
        let field = |i: usize| r.get(i).cloned().unwrap_or_default();
        let number = |i: usize| field(i).trim().parse::<usize>().unwrap_or(0);
        Ok(Some(JournalRow {
            revision: field(0),
            direction: if field(1) == "downgrade" {
                Direction::Downgrade
            } else {
                Direction::Upgrade
            },
            statements: number(2),
            done: number(3),
            digests: field(4)
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            started_by: field(5),
            started_at: field(6),
            in_flight: field(7),
        }))
    }
}

pub(crate) fn direction_word(d: Direction) -> &'static str {
    match d {
        Direction::Downgrade => "downgrade",
        _ => "upgrade",
    }
}

/// A short digest of a statement's text (FNV-1a), to notice an edit, not to resist one.
pub fn digest(sql: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in sql.trim().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

pub fn digests(statements: &[Statement]) -> Vec<String> {
    statements.iter().map(|s| digest(&s.sql)).collect()
}

/// Whether a statement changes rows only, so it can share a transaction with the journal's
/// progress and is never in doubt. Anything else (DDL, which MySQL commits at once) may be.
pub fn is_row_change(sql: &str) -> bool {
    let first = first_word(sql);
    matches!(
        first.as_str(),
        "INSERT" | "UPDATE" | "DELETE" | "REPLACE" | "MERGE" | "WITH" | "SELECT"
    )
}

/// A statement that can leave something behind even when the server refuses it: a failed
/// `CREATE INDEX CONCURRENTLY` leaves an INVALID index, so the catalog must settle it.
pub fn may_leave_a_trace(sql: &str) -> bool {
    matches!(first_word(sql).as_str(), "CREATE" | "REINDEX")
        && sql.to_ascii_uppercase().contains("CONCURRENTLY")
}

/// A statement that sets session state (`SET foreign_key_checks = 0`): a resume runs it again,
/// since the new session has lost it.
pub fn is_session_setting(sql: &str) -> bool {
    matches!(first_word(sql).as_str(), "SET" | "USE")
}

pub(crate) fn first_word(sql: &str) -> String {
    let mut rest = sql.trim_start();
    // Leading comments are part of a statement as the splitter hands it over.
    loop {
        if let Some(r) = rest.strip_prefix("--") {
            rest = r
                .split_once('\n')
                .map(|(_, r)| r)
                .unwrap_or("")
                .trim_start();
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r
                .split_once("*/")
                .map(|(_, r)| r)
                .unwrap_or("")
                .trim_start();
        } else {
            break;
        }
    }
    rest.split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_changes_are_told_from_ddl_past_leading_comments() {
        assert!(is_row_change("-- seed\nINSERT INTO t VALUES (1)"));
        assert!(is_row_change("/* x */ update t set a = 1"));
        assert!(!is_row_change("CREATE TABLE t (id int)"));
        assert!(!is_row_change("ALTER TABLE t ADD COLUMN c int"));
        assert!(is_session_setting("SET foreign_key_checks = 0"));
    }

    #[test]
    fn a_digest_ignores_surrounding_space_and_notices_an_edit() {
        assert_eq!(
            digest(" CREATE TABLE t (id int)\n"),
            digest("CREATE TABLE t (id int)")
        );
        assert_ne!(
            digest("CREATE TABLE t (id int)"),
            digest("CREATE TABLE t (id bigint)")
        );
    }

    #[test]
    fn the_journal_sits_beside_the_version_table_and_is_keyed_by_it() {
        let vt = VersionTable {
            name: "alembic_version_tenant".into(),
            schema: Some("app".into()),
        };
        let j = Journal::new(&vt, Dialect::Postgres);
        assert!(j.create().contains("\"app\".\"stratum_journal\""));
        assert!(j
            .finish()
            .ends_with("version_table = 'alembic_version_tenant'"));
    }
}
