//! Upgrades, downgrades and stamps of an Alembic project, run by its own Alembic under
//! Stratum's lock, planned by Stratum first (so the preview, the checks and the progress bar
//! know every step), with failures described as Stratum's own runner describes them.

use std::time::Instant;

use futures_util::future::BoxFuture;
use serde_json::{json, Value};
use stratum_db::{
    elapsed_ms, Connection, DbError, Engine, Operation, Progress, RunFailure, RunOptions,
    RunReport, Runner, VersionTable,
};
use stratum_graph::Direction;
use stratum_project::Project;

use crate::process::Line;
use crate::{Alembic, AlembicError};

/// [`Runner`] for Alembic projects.
pub struct AlembicRunner(pub Alembic);

impl Runner for AlembicRunner {
    fn run<'a>(
        &'a self,
        conn: &'a mut Connection,
        project: &'a Project,
        op: &'a Operation,
        opts: &'a RunOptions,
    ) -> BoxFuture<'a, Result<RunReport, DbError>> {
        Box::pin(async move { Ok(self.0.run(conn, project, op, opts).await?) })
    }
}

/// Where a run that failed stopped.
struct Stopped<'a> {
    plan: &'a stratum_graph::Plan,
    rows_before: &'a [String],
    rows_now: Vec<String>,
    /// The revision that was running (or whose version row was being written).
    revision: String,
    message: String,
    at: Option<crate::Location>,
    engine: Engine,
    /// Revisions whose autocommit block ran.
    autocommitted: &'a [String],
    /// The journal's row of the revision that stopped, when any of its statements ran.
    journal: Option<stratum_db::JournalRow>,
}

fn same_rows(a: &[String], b: &[String]) -> bool {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort();
    b.sort();
    a == b
}

/// `[SQL: ...]` in SQLAlchemy's message is the statement; the first line is the database's
/// own words.
fn split_sqlalchemy(message: &str) -> (String, Option<String>) {
    let statement = message
        .split_once("[SQL: ")
        .and_then(|(_, rest)| rest.split_once(']'))
        .map(|(sql, _)| sql.trim().to_string());
    let first = message
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(message)
        .to_string();
    (first, statement)
}

impl Alembic {
    /// Runs `op` through Alembic on the database `conn` is connected to, holding Stratum's
    /// runner lock on `conn` meanwhile, so a second Stratum never runs at the same time.
    pub async fn run(
        &self,
        conn: &mut Connection,
        project: &Project,
        op: &Operation,
        opts: &RunOptions,
    ) -> Result<RunReport, AlembicError> {
        if opts.dry_run {
            return Err(DbError::DryRunImpossible(
                "an Alembic project runs through its own Alembic, which commits what it runs"
                    .into(),
            )
            .into());
        }
        let vt = VersionTable::from_config(&project.config);
        conn.lock(&vt, opts.lock_wait).await?;
        let result = self.run_locked(conn, project, op, opts, &vt).await;
        conn.unlock(&vt).await;
        result
    }

    async fn run_locked(
        &self,
        conn: &mut Connection,
        project: &Project,
        op: &Operation,
        opts: &RunOptions,
        vt: &VersionTable,
    ) -> Result<RunReport, AlembicError> {
        let started = Instant::now();
        let rows = conn.version_rows(vt).await?;
        // A revision left half-done comes first: nothing else may run over it.
        let journaled = crate::journal::prepare(conn, project, op, opts.resume, vt, &rows).await?;
        let op = &journaled.op;
        // Stratum's plan is Alembic's (checked against Alembic on thousands of graphs); making
        // it first refuses what Alembic would guess at, and numbers the steps for progress.
        let plan = op.plan(&project.map, &rows)?;
        let emit = |p: Progress| opts.emit(p);
        emit(Progress::Planned {
            steps: plan.steps.len(),
            rows: rows.clone(),
        });
        if plan.steps.is_empty() && !plan.purge {
            return Ok(RunReport::unchanged(plan, rows, started));
        }
        let (name, args, kwargs): (&str, Vec<Value>, Value) = match op {
            Operation::Upgrade(t) => ("upgrade", vec![json!(t)], json!({})),
            Operation::Downgrade(t) => ("downgrade", vec![json!(t)], json!({})),
            Operation::Stamp { targets, purge } => {
                ("stamp", vec![json!(targets)], json!({ "purge": purge }))
            }
        };
        let request = json!({
            "op": "command", "ini": self.ini, "name": name, "args": args, "kwargs": kwargs,
            "journal": journaled.request,
        });
        // The project's Python reaches a database behind a bastion through this process's tunnel.
        let url = self.sqlalchemy_url(&stratum_db::tunnel::reachable(&conn.url).await?);
        let total = plan.steps.len();
        let mut index = 0usize;
        let mut statements = 0usize;
        let mut current: Option<(String, Instant)> = None;
        let mut finished: Vec<String> = Vec::new();
        let mut autocommitted: Vec<String> = Vec::new();
        let outcome = self
            .driver(Some(&url), Some(&opts.cancel))
            .run(name, &request, |l| match l {
                Line::Output { text, .. } => emit(Progress::Output {
                    line: text.to_string(),
                }),
                Line::Event(v) if v["event"] == "step" => {
                    let revision = v["revision"].as_str().unwrap_or_default().to_string();
                    if v["phase"] == "start" {
                        emit(Progress::StepStarted {
                            index,
                            total,
                            revision: revision.clone(),
                            direction: if v["upgrade"] == true {
                                Direction::Upgrade
                            } else {
                                Direction::Downgrade
                            },
                        });
                        current = Some((revision, Instant::now()));
                        statements = 0;
                    } else {
                        let took = current.take().map(|(_, t)| elapsed_ms(t)).unwrap_or(0);
                        emit(Progress::StepFinished {
                            index,
                            revision: revision.clone(),
                            millis: took,
                        });
                        finished.push(revision);
                        index += 1;
                    }
                }
                Line::Event(v) if v["event"] == "statement" => {
                    statements += 1;
                    let sql = v["sql"].as_str().unwrap_or_default();
                    // Alembic runs Python, not a file of statements: no line to point at.
                    emit(Progress::Statement {
                        index,
                        number: statements,
                        line: 0,
                        sql: if v["skipped"] == true {
                            format!("-- ran before the interruption, not sent again\n{sql}")
                        } else {
                            sql.to_string()
                        },
                    });
                }
                Line::Event(v) if v["event"] == "autocommit" => {
                    if let Some(r) = v["revision"].as_str() {
                        autocommitted.push(r.to_string());
                    }
                }
                Line::Event(_) => {}
            })
            .await;
        let rows_now = conn.version_rows(vt).await?;
        let left = stratum_db::Journal::new(vt, conn.dialect())
            .read(conn)
            .await
            .ok()
            .flatten();
        let failure = match outcome {
            Ok(_) if same_rows(&rows_now, &plan.rows_after) => {
                return Ok(RunReport {
                    plan,
                    rows_before: rows,
                    rows_after: rows_now,
                    millis: elapsed_ms(started),
                })
            }
            // Alembic says it succeeded, but the table Stratum reads did not move as planned:
            // env.py writes another version table (or another database) than the profile's.
            Ok(_) => return Err(AlembicError::Failed {
                command: name.to_string(),
                message: format!(
                    "Alembic finished, but {} holds [{}] where [{}] was planned; env.py may keep its versions in another table or schema (set them in the profile) or connect elsewhere",
                    vt.qualified(conn.dialect(), true),
                    rows_now.join(", "),
                    plan.rows_after.join(", ")
                ),
                at: None,
                output: Vec::new(),
            }),
            Err(e) => e,
        };
        let (message, at) = match &failure {
            AlembicError::Cancelled { .. } => ("cancelled".to_string(), None),
            AlembicError::Failed { message, at, .. } => (message.clone(), at.as_deref().cloned()),
            _ => return Err(failure),
        };
        // A failure before any revision started (env.py, the connection) is Alembic's, not a
        // revision's; one after a revision's body ran is in writing its version row.
        let revision = match (current, finished.last()) {
            (Some((r, _)), _) => r,
            (None, Some(r)) => r.clone(),
            (None, None) => return Err(failure),
        };
        Err(self
            .failure(
                project,
                Stopped {
                    plan: &plan,
                    rows_before: &rows,
                    rows_now,
                    revision,
                    message,
                    at,
                    engine: conn.engine(),
                    autocommitted: &autocommitted,
                    journal: left,
                },
            )
            .into())
    }

    fn failure(&self, project: &Project, stopped: Stopped<'_>) -> DbError {
        let Stopped {
            plan,
            rows_before,
            rows_now,
            revision,
            message,
            at,
            engine,
            autocommitted,
            journal,
        } = stopped;
        let file = project.file(&revision).map(|f| f.path.clone());
        let (mut message, statement) = split_sqlalchemy(&message);
        let line = match (&at, &file) {
            (Some(at), Some(f)) if std::path::Path::new(&at.file) == f.as_path() => Some(at.line),
            _ => project.file(&revision).map(|f| f.line_of("upgrade")),
        };
        let unchanged = rows_now == rows_before;
        // The revisions that stay applied: the plan's steps up to the one whose rows the
        // database now has.
        let mut committed: Vec<String> = if unchanged {
            Vec::new()
        } else {
            plan.steps
                .iter()
                .position(|s| same_rows(&s.rows_after, &rows_now))
                .map(|i| {
                    plan.steps[..=i]
                        .iter()
                        .map(|s| s.revision.clone())
                        .collect()
                })
                .unwrap_or_default()
        };
        // An autocommit block commits its statements (and everything before them) at once;
        // its revision's version row comes later, so the rows do not show it.
        let mut unrecorded = Vec::new();
        for r in autocommitted {
            if !committed.contains(r) {
                committed.push(r.clone());
                unrecorded.push(r.clone());
            }
        }
        if !unrecorded.is_empty() {
            message.push_str(&format!(
                "; before that, the autocommit block of {} committed its statements, which stay although the version rows do not record {}",
                unrecorded.join(", "),
                if unrecorded.len() == 1 { "it" } else { "them" }
            ));
            if let Some(j) = journal
                .as_ref()
                .filter(|j| unrecorded.contains(&j.revision))
            {
                message.push_str(&format!(
                    "; Stratum's journal records how far {} got, and the next run offers to resume it",
                    j.revision
                ));
            }
        }
        // Alembic runs PostgreSQL's revisions in one transaction (unless env.py says
        // otherwise); elsewhere each revision's DDL commits as it runs.
        let journal = journal.filter(|j| j.revision == revision);
        // A journal row left behind means statements committed outside a transaction.
        let rolled_back = unchanged
            && autocommitted.is_empty()
            && engine == Engine::Postgres
            && journal.is_none();
        if !rolled_back && engine != Engine::Postgres && journal.is_none() {
            message.push_str(&format!(
                " ({} commits DDL as it runs: statements of {revision} before the failing one may have been applied)",
                match engine {
                    Engine::MySql => "MySQL",
                    _ => "SQLite under Alembic",
                }
            ));
        }
        DbError::Failed(Box::new(RunFailure {
            revision,
            file: file.map(|f| f.display().to_string()),
            line,
            statement: statement.or_else(|| at.map(|a| a.code).filter(|c| !c.is_empty())),
            statements_done: journal.as_ref().map_or(0, |j| j.done),
            message,
            rolled_back,
            committed,
            rows_now,
            resumable: journal.is_some(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlalchemys_message_gives_the_database_words_and_the_statement() {
        let (m, s) = split_sqlalchemy("(psycopg2.errors.UndefinedTable) relation \"nosuch\" does not exist\n\n[SQL: ALTER TABLE nosuch ADD COLUMN x INT]\n(Background on this error at: https://sqlalche.me/e/20/f405)");
        assert_eq!(
            m,
            "(psycopg2.errors.UndefinedTable) relation \"nosuch\" does not exist"
        );
        assert_eq!(s.as_deref(), Some("ALTER TABLE nosuch ADD COLUMN x INT"));
    }
}
