//! A revision left half-done, in words: which of its statements ran, which did not, and the
//! one in doubt settled by the catalog where it can be.

use serde::Serialize;
use stratum_graph::Direction;
use stratum_project::{Dialect, Project};

use crate::journal::{digests, is_row_change, JournalRow};
use crate::settle::{settle, Settled};
use crate::{Connection, DbError};

/// What is known of one statement of an interrupted revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", content = "index", rename_all = "snake_case")]
pub enum StatementState {
    Ran,
    NotRan,
    /// Sent when the run was cut off; the catalog cannot tell whether it took effect.
    InDoubt,
    /// An index built `CONCURRENTLY` was cut off and left INVALID: resuming rebuilds it.
    InvalidIndex(String),
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct JournaledStatement {
    /// 1-based position in the revision.
    pub number: usize,
    /// 1-based line in the revision file, when the file is there.
    pub line: Option<usize>,
    pub sql: String,
    pub state: StatementState,
    /// True when the catalog, not the journal, says what happened.
    pub settled_by_catalog: bool,
}

/// A revision whose statements commit as they run, stopped part way.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Interruption {
    pub revision: String,
    pub direction: Direction,
    pub file: Option<String>,
    pub started_by: String,
    pub started_at: String,
    pub statements: Vec<JournaledStatement>,
    /// The statements that ran were edited since: resuming cannot finish what ran.
    pub edited: bool,
    /// The revision's statements are not in a file: an Alembic revision's Python decides them
    /// as it runs, so those after the one in flight are not known until it runs again (and
    /// the ones that ran are known by count, their text by the digest a resume checks).
    pub open_ended: bool,
}

impl Interruption {
    /// Reads the journal row against the project's file and settles the statement that was
    /// in flight from the catalog.
    pub async fn describe(
        conn: &mut Connection,
        project: &Project,
        row: JournalRow,
    ) -> Result<Interruption, DbError> {
        if row.open_ended() {
            return Self::describe_open_ended(conn, project, row).await;
        }
        let dialect: Dialect = conn.dialect();
        let file = project.file(&row.revision);
        let from_file = file.and_then(|f| {
            f.statements(row.direction == Direction::Upgrade, dialect)
                .ok()
        });
        let edited = match &from_file {
            Some(now) => {
                let now = digests(now);
                now.len() < row.done
                    || now[..row.done] != row.digests[..row.done.min(row.digests.len())]
            }
            None => false,
        };
        let total = from_file.as_ref().map_or(row.statements, Vec::len);
        let mut statements = Vec::with_capacity(total);
        for k in 0..total {
            let stmt = from_file.as_ref().and_then(|s| s.get(k));
            let sql = stmt.map(|s| s.sql.clone()).unwrap_or_default();
            let (state, settled_by_catalog) = if k < row.done {
                (StatementState::Ran, false)
            } else if k == row.done && is_row_change(&sql) {
                // A row change commits with its journal record: not recorded, not run.
                (StatementState::NotRan, false)
            } else if k == row.done && !sql.is_empty() && !edited {
                match settle(conn, &sql).await? {
                    Settled::Ran => (StatementState::Ran, true),
                    Settled::NotRan => (StatementState::NotRan, true),
                    Settled::InvalidIndex(name) => (StatementState::InvalidIndex(name), true),
                    Settled::Unknown => (StatementState::InDoubt, false),
                }
            } else if k == row.done {
                (StatementState::InDoubt, false)
            } else {
                (StatementState::NotRan, false)
            };
            statements.push(JournaledStatement {
                number: k + 1,
                line: stmt.map(|s| s.line),
                sql,
                state,
                settled_by_catalog,
            });
        }
        Ok(Interruption {
            revision: row.revision,
            direction: row.direction,
            file: file.map(|f| f.path.display().to_string()),
            started_by: row.started_by,
            started_at: row.started_at,
            statements,
            edited,
            open_ended: false,
        })
    }

    /// An Alembic revision: the statements that completed by count, and the one in flight as
    /// the journal kept its text.
    async fn describe_open_ended(
        conn: &mut Connection,
        project: &Project,
        row: JournalRow,
    ) -> Result<Interruption, DbError> {
        let mut statements: Vec<JournaledStatement> = (1..=row.done)
            .map(|number| JournaledStatement {
                number,
                line: None,
                sql: String::new(),
                state: StatementState::Ran,
                settled_by_catalog: false,
            })
            .collect();
        if !row.in_flight.trim().is_empty() {
            let sql = row.in_flight.clone();
            // A row change's record may have committed before it (outside a transaction):
            // nothing in the catalog shows whether it ran.
            let (state, settled_by_catalog) = if is_row_change(&sql) {
                (StatementState::InDoubt, false)
            } else {
                match settle(conn, &sql).await? {
                    Settled::Ran => (StatementState::Ran, true),
                    Settled::NotRan => (StatementState::NotRan, true),
                    Settled::InvalidIndex(name) => (StatementState::InvalidIndex(name), true),
                    Settled::Unknown => (StatementState::InDoubt, false),
                }
            };
            statements.push(JournaledStatement {
                number: row.done + 1,
                line: None,
                sql,
                state,
                settled_by_catalog,
            });
        }
        Ok(Interruption {
            file: project
                .file(&row.revision)
                .map(|f| f.path.display().to_string()),
            revision: row.revision,
            direction: row.direction,
            started_by: row.started_by,
            started_at: row.started_at,
            statements,
            edited: false,
            open_ended: true,
        })
    }

    /// The statement that was in flight, when one was.
    pub fn in_flight(&self) -> Option<&JournaledStatement> {
        self.statements
            .iter()
            .find(|s| s.settled_by_catalog || s.state == StatementState::InDoubt)
    }

    /// No statement of the revision took effect: running it again from the start is safe.
    pub fn nothing_ran(&self) -> bool {
        !self.edited
            && self
                .statements
                .iter()
                .all(|s| s.state == StatementState::NotRan)
    }

    /// Whether the person must say whether the statement in flight ran.
    pub fn needs_answer(&self) -> bool {
        self.statements
            .iter()
            .any(|s| s.state == StatementState::InDoubt)
    }
}

fn span(numbers: &[usize]) -> String {
    match numbers {
        [] => String::new(),
        [one] => format!("statement {one}"),
        [first, .., last] if last - first + 1 == numbers.len() => {
            format!("statements {first}–{last}")
        }
        many => format!(
            "statements {}",
            many.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn short(sql: &str) -> String {
    let one_line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 70 {
        format!("{}…", one_line.chars().take(70).collect::<String>())
    } else {
        one_line
    }
}

impl std::fmt::Display for Interruption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = if self.direction == Direction::Downgrade {
            "downgrading"
        } else {
            "upgrading"
        };
        write!(
            f,
            "revision {} was interrupted while {verb} (started {} by {})",
            self.revision, self.started_at, self.started_by
        )?;
        if let Some(file) = &self.file {
            write!(f, " [{file}]")?;
        }
        let total = self.statements.len();
        let by_journal: Vec<usize> = self
            .statements
            .iter()
            .filter(|s| s.state == StatementState::Ran && !s.settled_by_catalog)
            .map(|s| s.number)
            .collect();
        // Before the one in flight, an Alembic revision's statements are known by count.
        let mut sep = "; ";
        match by_journal.len() {
            0 if self.open_ended && self.in_flight().is_some() => sep = ": ",
            0 if self.open_ended => write!(f, ": none of its statements had completed")?,
            1 if self.open_ended => write!(f, ": its first statement ran")?,
            n if self.open_ended => write!(f, ": its first {n} statements ran")?,
            0 => write!(f, ": none of its {total} statement(s) had completed")?,
            n if n == total => write!(
                f,
                ": all {total} of its statement(s) ran, but its version row was not written"
            )?,
            _ => write!(f, ": {} of {total} ran", span(&by_journal))?,
        }
        if let Some(s) = self.in_flight() {
            let at = s.line.map(|l| format!(" (line {l})")).unwrap_or_default();
            let what = format!("statement {}{at}, {}", s.number, short(&s.sql));
            match &s.state {
                StatementState::Ran => write!(f, "{sep}{what}, ran, as the catalog shows")?,
                StatementState::NotRan => {
                    write!(f, "{sep}{what}, did not run, as the catalog shows")?
                }
                StatementState::InvalidIndex(name) => write!(
                    f,
                    "{sep}{what}, was cut off and left the index {name} INVALID: resuming drops it and builds it again"
                )?,
                StatementState::InDoubt => write!(
                    f,
                    "{sep}{what}, may or may not have run and the catalog cannot tell: check the database, then resume saying whether it ran"
                )?,
            }
        }
        let after = self.in_flight().map_or(0, |s| s.number);
        let rest: Vec<usize> = self
            .statements
            .iter()
            .filter(|s| s.number > after && s.state == StatementState::NotRan)
            .map(|s| s.number)
            .collect();
        if !rest.is_empty() {
            write!(f, "; {} did not run", span(&rest))?;
        }
        if self.open_ended {
            let body = if self.direction == Direction::Downgrade {
                "downgrade()"
            } else {
                "upgrade()"
            };
            write!(f, "; whatever its {body} sends after that has not run")?;
        }
        if self.edited {
            write!(
                f,
                ". The statements that ran were edited since it started, so it cannot be resumed from the file: put the file back as it was, or repair the database by hand"
            )
        } else {
            write!(
                f,
                ". Nothing else runs on this database until it is finished: resume runs the rest of {} and writes its version row",
                self.revision
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmt(number: usize, state: StatementState, by_catalog: bool) -> JournaledStatement {
        JournaledStatement {
            number,
            line: Some(number * 3),
            sql: format!("CREATE TABLE t_{number} (id int)"),
            state,
            settled_by_catalog: by_catalog,
        }
    }

    #[test]
    fn an_interruption_says_what_ran_what_is_settled_and_what_is_left() {
        let i = Interruption {
            revision: "a1".into(),
            direction: Direction::Upgrade,
            file: Some("versions/a1_add.sql".into()),
            started_by: "stratum 0.2.0 ana@desk".into(),
            started_at: "2026-12-03T02:00:00Z".into(),
            statements: vec![
                stmt(1, StatementState::Ran, false),
                stmt(2, StatementState::Ran, false),
                stmt(3, StatementState::NotRan, true),
                stmt(4, StatementState::NotRan, false),
            ],
            edited: false,
            open_ended: false,
        };
        let text = i.to_string();
        assert!(text.contains("statements 1–2 of 4 ran"), "{text}");
        assert!(
            text.contains("statement 3 (line 9), CREATE TABLE t_3 (id int), did not run, as the catalog shows"),
            "{text}"
        );
        assert!(text.contains("statement 4 did not run"), "{text}");
        assert!(text.contains("resume runs the rest of a1"), "{text}");
    }

    #[test]
    fn an_alembic_revision_is_told_by_count_and_its_statement_in_flight() {
        let ran = |number| JournaledStatement {
            number,
            line: None,
            sql: String::new(),
            state: StatementState::Ran,
            settled_by_catalog: false,
        };
        let mut i = Interruption {
            revision: "c3".into(),
            direction: Direction::Upgrade,
            file: None,
            started_by: "x".into(),
            started_at: "y".into(),
            statements: vec![ran(1), ran(2), stmt(3, StatementState::NotRan, true)],
            edited: false,
            open_ended: true,
        };
        let text = i.to_string();
        assert!(text.contains(": its first 2 statements ran; statement 3 (line 9), CREATE TABLE t_3 (id int), did not run, as the catalog shows; whatever its upgrade() sends after that has not run"), "{text}");
        i.statements = vec![stmt(1, StatementState::Ran, true)];
        let text = i.to_string();
        assert!(
            text.contains(
                ": statement 1 (line 3), CREATE TABLE t_1 (id int), ran, as the catalog shows;"
            ),
            "{text}"
        );
        assert!(!i.nothing_ran());
    }

    #[test]
    fn a_statement_the_catalog_cannot_settle_is_put_to_the_person() {
        let i = Interruption {
            revision: "b2".into(),
            direction: Direction::Downgrade,
            file: None,
            started_by: "x".into(),
            started_at: "y".into(),
            statements: vec![stmt(1, StatementState::InDoubt, false)],
            edited: false,
            open_ended: false,
        };
        assert!(i.needs_answer());
        assert!(i.to_string().contains("while downgrading"));
        assert!(i.to_string().contains("resume saying whether it ran"));
    }
}
