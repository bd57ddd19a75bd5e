//! Executes a plan: lock, read the rows, plan, then run every step with its version-row
//! changes, in one transaction where the engine allows it, reporting progress and stopping
//! cleanly on failure or cancel.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use serde::Serialize;
use stratum_graph::{Direction, Plan, RevisionMap, VersionOp};
use stratum_project::{Dialect, Project, Statement};

use crate::error::db_message;
use crate::{Connection, DbError, RunFailure, VersionTable};

/// What to run. The plan is made only once the lock is held and the rows are read, so that a
/// second runner plans from the first one's result.
#[derive(Debug, Clone)]
pub enum Operation {
    Upgrade(String),
    Downgrade(String),
    Stamp { targets: Vec<String>, purge: bool },
}

impl Operation {
    pub fn plan(
        &self,
        map: &RevisionMap,
        rows: &[String],
    ) -> Result<Plan, stratum_graph::GraphError> {
        match self {
            Operation::Upgrade(t) => map.plan_upgrade(rows, t),
            Operation::Downgrade(t) => map.plan_downgrade(rows, t),
            Operation::Stamp { targets, purge } => map.plan_stamp(rows, targets, *purge),
        }
    }
}

/// Set to stop a run between statements; the run then rolls back what it can.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Events a front end shows while a run goes on.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Progress {
    Planned {
        steps: usize,
        rows: Vec<String>,
    },
    StepStarted {
        index: usize,
        total: usize,
        revision: String,
        direction: Direction,
    },
    Statement {
        index: usize,
        number: usize,
        line: usize,
        sql: String,
    },
    StepFinished {
        index: usize,
        revision: String,
        millis: u64,
    },
    /// A line of output from the tool doing the work (an Alembic project's own Alembic).
    Output {
        line: String,
    },
}

pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

#[derive(Clone)]
pub struct RunOptions {
    /// Commit after each revision (always the case on MySQL).
    pub transaction_per_revision: bool,
    pub lock_wait: Duration,
    pub cancel: CancelToken,
    pub progress: Option<ProgressFn>,
    /// Run everything in one transaction and roll it back: the plan is tried for real and
    /// leaves no trace. Only where DDL is transactional and every revision runs in a
    /// transaction; otherwise the run is refused with [`DbError::DryRunImpossible`].
    pub dry_run: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            transaction_per_revision: false,
            lock_wait: Duration::from_secs(60),
            cancel: CancelToken::default(),
            progress: None,
            dry_run: false,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub plan: Plan,
    pub rows_before: Vec<String>,
    pub rows_after: Vec<String>,
    pub millis: u64,
}

impl RunReport {
    /// The report of a plan with nothing to run: the rows stay as they were.
    pub fn unchanged(plan: Plan, rows: Vec<String>, started: Instant) -> RunReport {
        RunReport {
            rows_after: rows.clone(),
            rows_before: rows,
            plan,
            millis: elapsed_ms(started),
        }
    }
}

impl RunOptions {
    /// Tells the caller's progress callback, when there is one.
    pub fn emit(&self, p: Progress) {
        if let Some(f) = &self.progress {
            f(&p)
        }
    }
}

struct Prepared {
    statements: Vec<Statement>,
    transactional: bool,
    file: Option<String>,
}

/// What executes a plan on a connection: Stratum's own SQL runner for native projects, or an
/// Alembic project's own Alembic. Front ends and dry runs take either.
pub trait Runner: Send + Sync {
    fn run<'a>(
        &'a self,
        conn: &'a mut Connection,
        project: &'a Project,
        op: &'a Operation,
        opts: &'a RunOptions,
    ) -> BoxFuture<'a, Result<RunReport, DbError>>;
}

/// Stratum's own runner: native revisions' SQL, statement by statement.
pub struct SqlRunner;

impl Runner for SqlRunner {
    fn run<'a>(
        &'a self,
        conn: &'a mut Connection,
        project: &'a Project,
        op: &'a Operation,
        opts: &'a RunOptions,
    ) -> BoxFuture<'a, Result<RunReport, DbError>> {
        Box::pin(run(conn, project, op, opts))
    }
}

/// Runs `op` on the database under the runner lock.
pub async fn run(
    conn: &mut Connection,
    project: &Project,
    op: &Operation,
    opts: &RunOptions,
) -> Result<RunReport, DbError> {
    if project.alembic().is_some() {
        return Err(DbError::RunsThroughAlembic(
            project.dir.display().to_string(),
        ));
    }
    let vt = VersionTable::from_config(&project.config);
    conn.lock(&vt, opts.lock_wait).await?;
    let result = run_locked(conn, project, op, opts, &vt).await;
    conn.unlock(&vt).await;
    result
}

async fn run_locked(
    conn: &mut Connection,
    project: &Project,
    op: &Operation,
    opts: &RunOptions,
    vt: &VersionTable,
) -> Result<RunReport, DbError> {
    let started = Instant::now();
    let dialect = conn.dialect();
    let rows = conn.version_rows(vt).await?;
    let plan = op.plan(&project.map, &rows)?;
    // Every body is split before anything runs, so a malformed file stops the run untouched.
    let prepared = prepare(project, &plan, dialect)?;
    if opts.dry_run {
        if !dialect.transactional_ddl() {
            return Err(DbError::DryRunImpossible(format!(
                "{} commits each DDL statement at once, so nothing can be rolled back",
                dialect.name()
            )));
        }
        if let Some((step, _)) = plan
            .steps
            .iter()
            .zip(&prepared)
            .find(|(_, p)| !p.transactional)
        {
            return Err(DbError::DryRunImpossible(format!(
                "revision {} runs outside a transaction (-- transaction: false)",
                step.revision
            )));
        }
    }
    let emit = |p: Progress| opts.emit(p);
    emit(Progress::Planned {
        steps: plan.steps.len(),
        rows: rows.clone(),
    });
    if plan.steps.is_empty() && !plan.purge {
        return Ok(RunReport::unchanged(plan, rows, started));
    }
    let mut exec = Exec {
        conn,
        vt,
        dialect,
        single: opts.dry_run || (dialect.transactional_ddl() && !opts.transaction_per_revision),
        dry_run: opts.dry_run,
        committed: Vec::new(),
        pending: Vec::new(),
        in_tx: false,
    };
    let table_missing = !exec.conn.version_table_exists(vt).await?;
    if let Err(failure) = exec
        .steps(&plan, &prepared, table_missing, opts, &emit)
        .await
    {
        return Err(exec.fail(*failure, &rows).await);
    }
    Ok(RunReport {
        rows_after: plan.rows_after.clone(),
        rows_before: rows,
        plan,
        millis: elapsed_ms(started),
    })
}

/// Milliseconds since `t`, for reports and progress.
pub fn elapsed_ms(t: Instant) -> u64 {
    u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn prepare(project: &Project, plan: &Plan, dialect: Dialect) -> Result<Vec<Prepared>, DbError> {
    plan.steps
        .iter()
        .map(|step| {
            if step.direction == Direction::Stamp {
                return Ok(Prepared {
                    statements: Vec::new(),
                    transactional: true,
                    file: None,
                });
            }
            let file = project
                .file(&step.revision)
                .ok_or_else(|| DbError::MissingFile(step.revision.clone()))?;
            Ok(Prepared {
                statements: file.statements(step.direction == Direction::Upgrade, dialect)?,
                transactional: file.transactional,
                file: Some(file.path.display().to_string()),
            })
        })
        .collect()
}

/// A failure inside a step, before the transaction state is sorted out.
struct StepFailure {
    revision: String,
    file: Option<String>,
    line: Option<usize>,
    statement: Option<String>,
    statements_done: usize,
    message: String,
}

struct Exec<'a> {
    conn: &'a mut Connection,
    vt: &'a VersionTable,
    dialect: Dialect,
    /// One transaction for the whole run.
    single: bool,
    /// Roll the one transaction back at the end instead of committing it.
    dry_run: bool,
    committed: Vec<String>,
    /// Revisions done inside the open transaction.
    pending: Vec<String>,
    in_tx: bool,
}

impl Exec<'_> {
    async fn sql(&mut self, sql: &str) -> Result<u64, String> {
        self.conn.execute(sql).await.map_err(|e| db_message(&e))
    }

    async fn begin(&mut self) -> Result<(), String> {
        self.conn.begin().await.map_err(|e| db_message(&e))?;
        self.in_tx = true;
        Ok(())
    }

    async fn commit(&mut self) -> Result<(), String> {
        self.conn.commit().await.map_err(|e| db_message(&e))?;
        self.in_tx = false;
        self.committed.append(&mut self.pending);
        Ok(())
    }

    async fn steps(
        &mut self,
        plan: &Plan,
        prepared: &[Prepared],
        table_missing: bool,
        opts: &RunOptions,
        emit: &impl Fn(Progress),
    ) -> Result<(), Box<StepFailure>> {
        let total = plan.steps.len();
        let setup_failure = |message: String| {
            Box::new(StepFailure {
                revision: plan
                    .steps
                    .first()
                    .map(|s| s.revision.clone())
                    .unwrap_or_default(),
                file: None,
                line: None,
                statement: None,
                statements_done: 0,
                message,
            })
        };
        if self.single {
            self.begin().await.map_err(setup_failure)?;
        }
        let mut table_missing = table_missing;
        if plan.purge {
            if !self.single {
                self.begin().await.map_err(setup_failure)?;
            }
            if table_missing {
                self.sql(&self.vt.create_if_missing(self.dialect))
                    .await
                    .map_err(setup_failure)?;
                table_missing = false;
            }
            let purge = format!("DELETE FROM {}", self.vt.qualified(self.dialect, true));
            self.sql(&purge).await.map_err(setup_failure)?;
            if !self.single {
                self.commit().await.map_err(setup_failure)?;
            }
        }
        for (i, (step, prep)) in plan.steps.iter().zip(prepared).enumerate() {
            let started = Instant::now();
            let fail = |done: usize, stmt: Option<&Statement>, message: String| {
                Box::new(StepFailure {
                    revision: step.revision.clone(),
                    file: prep.file.clone(),
                    line: stmt.map(|s| s.line),
                    statement: stmt.map(|s| s.sql.clone()),
                    statements_done: done,
                    message,
                })
            };
            if opts.cancel.is_cancelled() {
                return Err(fail(
                    0,
                    None,
                    "cancelled before this revision started".into(),
                ));
            }
            emit(Progress::StepStarted {
                index: i,
                total,
                revision: step.revision.clone(),
                direction: step.direction,
            });
            let outside = !prep.transactional && self.dialect != Dialect::MySql;
            if outside && self.in_tx {
                self.commit().await.map_err(|m| fail(0, None, m))?;
            }
            if !self.single && !outside {
                self.begin().await.map_err(|m| fail(0, None, m))?;
            }
            if table_missing {
                self.sql(&self.vt.create_if_missing(self.dialect))
                    .await
                    .map_err(|m| fail(0, None, m))?;
                table_missing = false;
            }
            let version_sql: Vec<(String, Option<String>)> = step
                .version_ops
                .iter()
                .map(|op| match op {
                    VersionOp::Insert { revision } => {
                        (self.vt.insert(self.dialect, revision, false), None)
                    }
                    VersionOp::Delete { revision } => (
                        self.vt.delete(self.dialect, revision, false),
                        Some(format!("deleting '{revision}'")),
                    ),
                    VersionOp::Update { from, to } => (
                        self.vt.update(self.dialect, from, to, false),
                        Some(format!("updating '{from}' to '{to}'")),
                    ),
                })
                .collect();
            let n = prep.statements.len();
            let mut batch: Vec<&str> = Vec::with_capacity(n + version_sql.len());
            let mut counts: Vec<u64> = Vec::with_capacity(n + version_sql.len());
            if outside {
                // Statements outside a transaction go one at a time: PostgreSQL wraps a
                // multi-statement message in an implicit transaction.
                for (k, stmt) in prep.statements.iter().enumerate() {
                    if opts.cancel.is_cancelled() {
                        return Err(fail(k, None, "cancelled".into()));
                    }
                    emit(Progress::Statement {
                        index: i,
                        number: k + 1,
                        line: stmt.line,
                        sql: stmt.sql.clone(),
                    });
                    counts.push(
                        self.sql(&stmt.sql)
                            .await
                            .map_err(|m| fail(k, Some(stmt), m))?,
                    );
                }
            } else {
                // One round trip for the revision: its statements and its version-row changes.
                // The server reports each statement as it completes, which drives progress and
                // says exactly which statement failed.
                batch.extend(prep.statements.iter().map(|s| s.sql.as_str()));
                if let Some(first) = prep.statements.first() {
                    emit(Progress::Statement {
                        index: i,
                        number: 1,
                        line: first.line,
                        sql: first.sql.clone(),
                    });
                }
            }
            batch.extend(version_sql.iter().map(|(sql, _)| sql.as_str()));
            let done_in_batch = if batch.is_empty() {
                Ok(Vec::new())
            } else {
                self.conn
                    .execute_batch(&batch, |done| {
                        if let Some(next) = prep.statements.get(done).filter(|_| !outside) {
                            emit(Progress::Statement {
                                index: i,
                                number: done + 1,
                                line: next.line,
                                sql: next.sql.clone(),
                            });
                        }
                    })
                    .await
            };
            match done_in_batch {
                Ok(c) => counts.extend(c),
                Err((done, e)) => {
                    let already = if outside { n } else { 0 };
                    let at = already + done;
                    return Err(if at < n {
                        fail(at, prep.statements.get(at), db_message(&e))
                    } else {
                        fail(
                            n,
                            None,
                            format!("writing the version row: {}", db_message(&e)),
                        )
                    });
                }
            }
            for ((_, what), count) in version_sql.iter().zip(&counts[n..]) {
                if let (Some(what), true) = (what, *count != 1) {
                    return Err(fail(
                        n,
                        None,
                        format!(
                            "expected one version row when {what} in {}, found {count}; another tool changed the table during the run",
                            self.vt.name
                        ),
                    ));
                }
            }
            let done = n;
            if outside {
                self.committed.push(step.revision.clone());
                if self.single && i + 1 < total {
                    self.begin().await.map_err(|m| fail(done, None, m))?;
                }
            } else {
                self.pending.push(step.revision.clone());
                if !self.single {
                    self.commit().await.map_err(|m| fail(done, None, m))?;
                }
            }
            emit(Progress::StepFinished {
                index: i,
                revision: step.revision.clone(),
                millis: elapsed_ms(started),
            });
        }
        if self.in_tx && self.dry_run {
            self.conn
                .rollback()
                .await
                .map_err(|e| setup_failure(db_message(&e)))?;
            self.in_tx = false;
            self.pending.clear();
        } else if self.in_tx {
            self.commit().await.map_err(setup_failure)?;
        }
        Ok(())
    }

    /// Rolls back what is open and describes the state the database is left in.
    async fn fail(&mut self, f: StepFailure, rows_before: &[String]) -> DbError {
        if self.in_tx {
            let _ = self.conn.rollback().await;
            self.in_tx = false;
        }
        self.pending.clear();
        let partial = f.statements_done > 0
            && (self.dialect == Dialect::MySql || !self.single_statement_safe());
        let rolled_back = self.committed.is_empty() && !partial;
        let rows_now = self
            .conn
            .version_rows(self.vt)
            .await
            .unwrap_or_else(|_| rows_before.to_vec());
        DbError::Failed(Box::new(RunFailure {
            revision: f.revision,
            file: f.file,
            line: f.line,
            statement: f.statement,
            statements_done: if partial { f.statements_done } else { 0 },
            message: f.message,
            rolled_back,
            committed: std::mem::take(&mut self.committed),
            rows_now,
        }))
    }

    fn single_statement_safe(&self) -> bool {
        // Statements of a transactional revision on PostgreSQL/SQLite are rolled back with it.
        self.dialect.transactional_ddl()
    }
}
