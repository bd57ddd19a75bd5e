//! Executes a plan: lock, read the rows, plan, then run every step with its version-row
//! changes, in one transaction where the engine allows it, reporting progress and stopping
//! cleanly on failure or cancel.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use serde::Serialize;
use stratum_graph::{Direction, Plan, RevisionMap, Step, VersionOp};
use stratum_project::{Dialect, Project, Statement};

use crate::error::db_message;
use crate::interrupted::StatementState;
use crate::journal::{
    digests, is_row_change, is_session_setting, may_leave_a_trace, Journal, JournalRow,
};
use crate::{Connection, DbError, Interruption, RunFailure, VersionTable};

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
    /// Another run holds the migration lock; this one waits for it.
    LockWait {
        holder: String,
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
    /// Finish the revision an interrupted run left half-done (see [`Interruption`]) before
    /// going on; without it, such a revision stops every run.
    pub resume: Option<Resume>,
}

/// How to finish an interrupted revision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resume {
    /// For a statement in doubt that the catalog cannot settle: whether it ran, as the person
    /// who checked says.
    pub doubtful_ran: Option<bool>,
    /// Stop once that revision is finished instead of going on to the target.
    pub only: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            transaction_per_revision: false,
            lock_wait: Duration::from_secs(60),
            cancel: CancelToken::default(),
            progress: None,
            dry_run: false,
            resume: None,
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

/// How many statements, and bytes of them, [`Exec::together`] sends at once: enough that the
/// database seldom waits for this side, little enough that a run's SQL is not all in memory
/// twice.
pub(crate) const TOGETHER_STATEMENTS: usize = 1000;
const TOGETHER_BYTES: usize = 4 << 20;

struct Prepared {
    statements: Vec<Statement>,
    transactional: bool,
    file: Option<String>,
}

impl Prepared {
    /// Statements that commit as they run are journaled: all of them on MySQL/MariaDB, those
    /// of a revision outside a transaction elsewhere.
    fn journaled(&self, dialect: Dialect) -> bool {
        !self.statements.is_empty() && (dialect == Dialect::MySql || !self.transactional)
    }
}

/// Where a resumed revision picks up.
struct Resumed {
    /// The first statement to run (0-based).
    from: usize,
    /// Run first: dropping an INVALID index an interrupted `CONCURRENTLY` left.
    first: Option<String>,
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
    let vt = conn.version_table(&VersionTable::from_config(&project.config));
    conn.lock_reporting(&vt, opts.lock_wait, &|holder| {
        opts.emit(Progress::LockWait {
            holder: holder.to_string(),
        })
    })
    .await?;
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
    let rows = conn.version_rows(vt).await?;
    let Some(row) = Journal::new(vt, conn.dialect()).read(conn).await? else {
        let plan = op.plan(&project.map, &rows)?;
        return execute(conn, project, plan, rows, opts, vt, None, started).await;
    };
    // A revision left half-done comes first: nothing else may run over it, except a stamp,
    // which is the person saying what the database holds after a repair by hand.
    let interruption = Interruption::describe(conn, project, row.clone()).await?;
    if interruption.nothing_ran() || matches!(op, Operation::Stamp { .. }) {
        // Stopped before any statement took effect: there is nothing to finish.
        if !opts.dry_run {
            conn.execute(&Journal::new(vt, conn.dialect()).finish())
                .await
                .map_err(|e| DbError::query(format!("clearing {}", crate::JOURNAL_TABLE), e))?;
        }
        let plan = op.plan(&project.map, &rows)?;
        return execute(conn, project, plan, rows, opts, vt, None, started).await;
    }
    let Some(resume) = opts.resume.filter(|_| !opts.dry_run) else {
        return Err(DbError::Interrupted(Box::new(interruption)));
    };
    let (plan, resumed) = resume_plan(
        project,
        op,
        &rows,
        &row,
        &interruption,
        resume,
        conn.dialect(),
    )?;
    let first = execute(conn, project, plan, rows, opts, vt, Some(resumed), started).await?;
    if resume.only {
        return Ok(first);
    }
    let rows = conn.version_rows(vt).await?;
    let rest = op.plan(&project.map, &rows)?;
    let second = execute(conn, project, rest, rows, opts, vt, None, started).await?;
    let mut plan = first.plan;
    plan.steps.extend(second.plan.steps);
    plan.rows_after = second.rows_after.clone();
    plan.target = second.plan.target;
    Ok(RunReport {
        plan,
        rows_before: first.rows_before,
        rows_after: second.rows_after,
        millis: elapsed_ms(started),
    })
}

/// The one-step plan that finishes the interrupted revision, and where in it to start.
fn resume_plan(
    project: &Project,
    op: &Operation,
    rows: &[String],
    row: &JournalRow,
    interruption: &Interruption,
    resume: Resume,
    dialect: Dialect,
) -> Result<(Plan, Resumed), DbError> {
    if interruption.edited {
        return Err(DbError::Interrupted(Box::new(interruption.clone())));
    }
    let verb = match row.direction {
        Direction::Downgrade => "a downgrade",
        _ => "an upgrade",
    };
    let mismatch = || {
        DbError::ResumeMismatch(format!(
            "revision {} was interrupted in {verb}: resume it with {verb}",
            row.revision
        ))
    };
    let plan = match (row.direction, op) {
        (Direction::Downgrade, Operation::Downgrade(_)) => op.plan(&project.map, rows)?,
        (Direction::Upgrade, Operation::Upgrade(_)) => {
            project.map.plan_upgrade(rows, &row.revision)?
        }
        _ => return Err(mismatch()),
    };
    let step: Step = plan
        .steps
        .into_iter()
        .next()
        .filter(|s| s.revision == row.revision && s.direction == row.direction)
        .ok_or_else(mismatch)?;
    let mut resumed = Resumed {
        from: row.done,
        first: None,
    };
    if let Some(s) = interruption.in_flight() {
        match &s.state {
            StatementState::Ran => resumed.from = s.number,
            StatementState::NotRan => {}
            StatementState::InvalidIndex(name) => {
                let quoted = name
                    .split('.')
                    .map(|part| crate::ident::quote(dialect, part))
                    .collect::<Vec<_>>()
                    .join(".");
                resumed.first = Some(format!("DROP INDEX CONCURRENTLY IF EXISTS {quoted}"));
            }
            StatementState::InDoubt => match resume.doubtful_ran {
                Some(true) => resumed.from = s.number,
                Some(false) => {}
                None => return Err(DbError::Interrupted(Box::new(interruption.clone()))),
            },
        }
    }
    Ok((
        Plan {
            direction: step.direction,
            target: row.revision.clone(),
            rows_before: rows.to_vec(),
            rows_after: step.rows_after.clone(),
            steps: vec![step],
            purge: false,
        },
        resumed,
    ))
}

/// Runs a plan made from `rows`; `resumed` picks its first step up part way.
#[allow(clippy::too_many_arguments)]
async fn execute(
    conn: &mut Connection,
    project: &Project,
    plan: Plan,
    rows: Vec<String>,
    opts: &RunOptions,
    vt: &VersionTable,
    resumed: Option<Resumed>,
    started: Instant,
) -> Result<RunReport, DbError> {
    let dialect = conn.dialect();
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
        journal_ready: false,
        resumed,
        rows_committed: rows.clone(),
        rows_pending: rows.clone(),
    };
    let table_missing = !exec.conn.version_table_exists(vt).await?;
    if let Err(failure) = exec
        .steps(&plan, &prepared, table_missing, opts, &emit)
        .await
    {
        return Err(exec.fail(*failure).await);
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

impl StepFailure {
    /// A failure in `step`, after `done` of its statements, at `stmt` when it was one.
    fn at(
        step: &Step,
        prep: &Prepared,
        done: usize,
        stmt: Option<&Statement>,
        message: String,
        resumable: bool,
    ) -> Box<StepFailure> {
        Box::new(StepFailure {
            revision: step.revision.clone(),
            file: prep.file.clone(),
            line: stmt.map(|s| s.line),
            statement: stmt.map(|s| s.sql.clone()),
            statements_done: done,
            message,
            resumable,
        })
    }
}

/// Where a journaled revision's statements stopped.
struct Stopped {
    /// Statements recorded as completed.
    done: usize,
    /// The statement that failed, when it was one (not the journal's record).
    statement: Option<usize>,
    /// The server refused the statement, so it certainly did not run.
    refused: bool,
    message: String,
}

/// A failure inside a step, before the transaction state is sorted out.
struct StepFailure {
    revision: String,
    file: Option<String>,
    line: Option<usize>,
    statement: Option<String>,
    statements_done: usize,
    message: String,
    /// The journal keeps the revision's progress for a resume.
    resumable: bool,
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
    /// The journal table is known to exist.
    journal_ready: bool,
    /// The first step picks up an interrupted revision.
    resumed: Option<Resumed>,
    /// The version rows as committed so far, for a failure that cannot read them back.
    rows_committed: Vec<String>,
    /// The version rows after the revisions done inside the open transaction.
    rows_pending: Vec<String>,
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
        self.rows_committed = self.rows_pending.clone();
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
                resumable: false,
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
        let mut i = 0;
        while i < total {
            let (step, prep) = (&plan.steps[i], &prepared[i]);
            let started = Instant::now();
            let fail = |done: usize, stmt: Option<&Statement>, message: String| {
                StepFailure::at(step, prep, done, stmt, message, false)
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
            if prep.journaled(self.dialect) {
                let resumed = if i == 0 { self.resumed.take() } else { None };
                self.journaled_step(i, step, prep, resumed, table_missing, opts, emit)
                    .await?;
                table_missing = false;
                if self.single && i + 1 < total {
                    // The rest of the run goes on in one transaction, as before this revision.
                    self.begin().await.map_err(setup_failure)?;
                }
                emit(Progress::StepFinished {
                    index: i,
                    revision: step.revision.clone(),
                    millis: elapsed_ms(started),
                });
                i += 1;
                continue;
            }
            let outside = !prep.transactional && self.dialect != Dialect::MySql;
            // Only SQLite hands over each statement's result as it completes; a server sends
            // a message's results when the whole message is done, so revisions sent together
            // there would all seem to start at once, at the end.
            if self.single && !outside && self.dialect == Dialect::Sqlite {
                if table_missing {
                    self.sql(&self.vt.create_if_missing(self.dialect))
                        .await
                        .map_err(|m| fail(0, None, m))?;
                    table_missing = false;
                }
                i = self
                    .together(plan, prepared, i, started, opts, emit)
                    .await?;
                continue;
            }
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
            let version_sql = self.version_sql(step);
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
            if let Some(m) = self.unexpected_rows(&version_sql, &counts[n..]) {
                return Err(fail(n, None, m));
            }
            let done = n;
            if outside {
                self.committed.push(step.revision.clone());
                self.rows_committed = step.rows_after.clone();
                self.rows_pending = step.rows_after.clone();
                if self.single && i + 1 < total {
                    self.begin().await.map_err(|m| fail(done, None, m))?;
                }
            } else {
                self.pending.push(step.revision.clone());
                self.rows_pending = step.rows_after.clone();
                if !self.single {
                    self.commit().await.map_err(|m| fail(done, None, m))?;
                }
            }
            emit(Progress::StepFinished {
                index: i,
                revision: step.revision.clone(),
                millis: elapsed_ms(started),
            });
            i += 1;
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

    /// Runs the revisions from `first` on that share the run's one transaction (up to a
    /// budget), sent together: SQLite's worker runs one statement after another without
    /// waiting for this side between revisions, which is most of what a revision costs over
    /// the statements themselves. Progress still comes per revision and per statement, as each
    /// result arrives, and a cancel stops after the statement running. `first` has been
    /// announced (started at `started`). Returns the index of the next step to run.
    async fn together(
        &mut self,
        plan: &Plan,
        prepared: &[Prepared],
        first: usize,
        started: Instant,
        opts: &RunOptions,
        emit: &impl Fn(Progress),
    ) -> Result<usize, Box<StepFailure>> {
        #[derive(Clone, Copy)]
        enum Part {
            Statement(usize),
            Version,
        }
        let total = plan.steps.len();
        let mut end = first;
        let (mut count, mut bytes) = (0usize, 0usize);
        while end < total {
            let p = &prepared[end];
            let shares = !p.journaled(self.dialect) && p.transactional;
            let n = p.statements.len() + plan.steps[end].version_ops.len();
            if end > first && (!shares || count + n > TOGETHER_STATEMENTS || bytes > TOGETHER_BYTES)
            {
                break;
            }
            count += n;
            bytes += p.statements.iter().map(|s| s.sql.len()).sum::<usize>();
            end += 1;
        }
        let versions: Vec<Vec<(String, Option<String>)>> = plan.steps[first..end]
            .iter()
            .map(|step| self.version_sql(step))
            .collect();
        let mut parts: Vec<(usize, Part)> = Vec::with_capacity(count);
        let mut batch: Vec<&str> = Vec::with_capacity(count);
        // Where each revision's version-row changes are in the batch.
        let mut version_at: Vec<usize> = Vec::with_capacity(end - first);
        for (j, (prep, version)) in (first..end).zip(prepared[first..end].iter().zip(&versions)) {
            for (k, stmt) in prep.statements.iter().enumerate() {
                parts.push((j, Part::Statement(k)));
                batch.push(&stmt.sql);
            }
            version_at.push(parts.len());
            for (sql, _) in version {
                parts.push((j, Part::Version));
                batch.push(sql);
            }
        }
        // The revision announced last, and when.
        let mut at = (first, started);
        // A cancel stops between revisions: the next one is not announced, and the batch
        // stops before its first statement is reported.
        let mut finished = first;
        let mut move_to = |at: &mut (usize, Instant), to: usize| {
            while at.0 < to && finished <= at.0 {
                emit(Progress::StepFinished {
                    index: at.0,
                    revision: plan.steps[at.0].revision.clone(),
                    millis: elapsed_ms(at.1),
                });
                finished = at.0 + 1;
                if opts.cancel.is_cancelled() {
                    return false;
                }
                *at = (at.0 + 1, Instant::now());
                let step = &plan.steps[at.0];
                emit(Progress::StepStarted {
                    index: at.0,
                    total,
                    revision: step.revision.clone(),
                    direction: step.direction,
                });
            }
            true
        };
        let announce = |part: Option<&(usize, Part)>| {
            if let Some(&(j, Part::Statement(k))) = part {
                let stmt = &prepared[j].statements[k];
                emit(Progress::Statement {
                    index: j,
                    number: k + 1,
                    line: stmt.line,
                    sql: stmt.sql.clone(),
                });
            }
        };
        let going = match parts.first() {
            Some(&(j, _)) => move_to(&mut at, j),
            None => true,
        };
        let result = if going {
            announce(parts.first());
            self.conn
                .execute_batch_until(
                    &batch,
                    || opts.cancel.is_cancelled(),
                    |done| {
                        let going = match parts.get(done) {
                            Some(&(j, _)) => move_to(&mut at, j),
                            None => true,
                        };
                        if going {
                            announce(parts.get(done));
                        }
                    },
                )
                .await
        } else {
            Err((0, None))
        };
        // The revisions before the one that stopped completed inside the transaction.
        let stopped_in = match &result {
            Ok(_) => end,
            Err((done, _)) => parts.get(*done).map_or(end, |&(j, _)| j),
        };
        for step in &plan.steps[first..stopped_in] {
            self.pending.push(step.revision.clone());
            self.rows_pending = step.rows_after.clone();
        }
        let counts = match result {
            Ok(counts) => counts,
            Err((done, error)) => {
                let (j, part) = parts.get(done).copied().unwrap_or((end - 1, Part::Version));
                let (step, prep) = (&plan.steps[j], &prepared[j]);
                let n = prep.statements.len();
                let announced = j <= at.0;
                // Statements of the revision done when it stopped.
                let done = match part {
                    Part::Statement(k) => k,
                    Part::Version => n,
                };
                return Err(match (part, error) {
                    (Part::Statement(0), None) if !announced => StepFailure::at(
                        step,
                        prep,
                        0,
                        None,
                        "cancelled before this revision started".into(),
                        false,
                    ),
                    (_, None) => StepFailure::at(step, prep, done, None, "cancelled".into(), false),
                    (Part::Statement(k), Some(e)) => StepFailure::at(
                        step,
                        prep,
                        k,
                        prep.statements.get(k),
                        db_message(&e),
                        false,
                    ),
                    (Part::Version, Some(e)) => StepFailure::at(
                        step,
                        prep,
                        n,
                        None,
                        format!("writing the version row: {}", db_message(&e)),
                        false,
                    ),
                });
            }
        };
        for ((j, version), &from) in (first..end).zip(&versions).zip(&version_at) {
            let got = counts.get(from..).unwrap_or(&[]);
            if let Some(m) = self.unexpected_rows(version, got) {
                let prep = &prepared[j];
                return Err(StepFailure::at(
                    &plan.steps[j],
                    prep,
                    prep.statements.len(),
                    None,
                    m,
                    false,
                ));
            }
        }
        // Revisions with nothing to send (no statements, no version row change) at the end.
        move_to(&mut at, end - 1);
        emit(Progress::StepFinished {
            index: at.0,
            revision: plan.steps[at.0].revision.clone(),
            millis: elapsed_ms(at.1),
        });
        Ok(end)
    }

    /// The version-table changes of a step, each with what a count other than one would mean.
    fn version_sql(&self, step: &Step) -> Vec<(String, Option<String>)> {
        step.version_ops
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
            .collect()
    }

    fn unexpected_rows(
        &self,
        version_sql: &[(String, Option<String>)],
        counts: &[u64],
    ) -> Option<String> {
        version_sql
            .iter()
            .zip(counts)
            .find_map(|((_, what), count)| match (what, *count != 1) {
                (Some(what), true) => Some(format!(
                    "expected one version row when {what} in {}, found {count}; another tool changed the table during the run",
                    self.vt.name
                )),
                _ => None,
            })
    }

    /// A revision whose statements commit as they run. Each completed statement is recorded
    /// in the journal (a row change in the same transaction as its record, so never in
    /// doubt), and the version rows are written in one transaction with the journal row's
    /// removal: an interruption anywhere leaves a state the next run can read and finish.
    #[allow(clippy::too_many_arguments)]
    async fn journaled_step(
        &mut self,
        i: usize,
        step: &Step,
        prep: &Prepared,
        resumed: Option<Resumed>,
        table_missing: bool,
        opts: &RunOptions,
        emit: &impl Fn(Progress),
    ) -> Result<(), Box<StepFailure>> {
        let fail = |done: usize, stmt: Option<&Statement>, message: String, resumable: bool| {
            StepFailure::at(step, prep, done, stmt, message, resumable)
        };
        if self.in_tx {
            self.commit().await.map_err(|m| fail(0, None, m, false))?;
        }
        if table_missing {
            self.sql(&self.vt.create_if_missing(self.dialect))
                .await
                .map_err(|m| fail(0, None, m, false))?;
        }
        let journal = Journal::new(self.vt, self.dialect);
        let n = prep.statements.len();
        let from = match &resumed {
            Some(r) => {
                if let Some(sql) = &r.first {
                    self.sql(sql).await.map_err(|m| {
                        fail(
                            r.from,
                            None,
                            format!("dropping the INVALID index: {m}"),
                            true,
                        )
                    })?;
                }
                // Session settings made by the statements that ran went with their session.
                let mut setup: Vec<&str> = prep.statements[..r.from.min(n)]
                    .iter()
                    .filter(|s| is_session_setting(&s.sql))
                    .map(|s| s.sql.as_str())
                    .collect();
                let progress = journal.progress(r.from);
                setup.push(&progress);
                self.conn
                    .execute_batch(&setup, |_| {})
                    .await
                    .map_err(|(_, e)| fail(r.from, None, db_message(&e), true))?;
                r.from
            }
            None => {
                if !self.journal_ready {
                    self.sql(&journal.create()).await.map_err(|m| {
                        fail(
                            0,
                            None,
                            format!("creating {}: {m}", crate::JOURNAL_TABLE),
                            false,
                        )
                    })?;
                    self.journal_ready = true;
                }
                let row = JournalRow {
                    revision: step.revision.clone(),
                    direction: step.direction,
                    statements: n,
                    done: 0,
                    digests: digests(&prep.statements),
                    started_by: crate::identity(),
                    started_at: chrono::Utc::now()
                        .format("%Y-%m-%d %H:%M:%S UTC")
                        .to_string(),
                    in_flight: String::new(),
                };
                self.sql(&journal.start(&row)).await.map_err(|m| {
                    fail(
                        0,
                        None,
                        format!("writing {}: {m}", crate::JOURNAL_TABLE),
                        false,
                    )
                })?;
                0
            }
        };
        let done = if self.dialect == Dialect::MySql {
            self.journaled_batch(i, prep, from, &journal, emit).await
        } else {
            self.journaled_one_by_one(i, prep, from, &journal, opts, emit)
                .await
        };
        let done = match done {
            Ok(()) => n,
            Err(stopped) => {
                // A statement the server refused did not run (each is atomic); one cut off
                // with its connection may have.
                let certain = stopped.refused;
                if self.in_tx {
                    let _ = self.conn.rollback().await;
                    self.in_tx = false;
                }
                let nothing_ran = stopped.done == 0 && certain && resumed.is_none();
                if nothing_ran {
                    let _ = self.sql(&journal.finish()).await;
                }
                let stmt = stopped.statement.and_then(|k| prep.statements.get(k));
                return Err(fail(stopped.done, stmt, stopped.message, !nothing_ran));
            }
        };
        let version_sql = self.version_sql(step);
        let finish = journal.finish();
        let mut last: Vec<&str> = vec!["BEGIN"];
        last.extend(version_sql.iter().map(|(sql, _)| sql.as_str()));
        last.extend([finish.as_str(), "COMMIT"]);
        self.in_tx = true;
        let counts = self
            .conn
            .execute_batch(&last, |_| {})
            .await
            .map_err(|(_, e)| {
                fail(
                    done,
                    None,
                    format!("writing the version row: {}", db_message(&e)),
                    true,
                )
            })?;
        if let Some(m) = self.unexpected_rows(&version_sql, counts.get(1..).unwrap_or(&[])) {
            let _ = self.conn.rollback().await;
            self.in_tx = false;
            return Err(fail(done, None, m, true));
        }
        self.in_tx = false;
        self.committed.push(step.revision.clone());
        self.rows_committed = step.rows_after.clone();
        self.rows_pending = step.rows_after.clone();
        Ok(())
    }

    /// MySQL/MariaDB: the rest of the revision in one round trip, each statement followed
    /// by its journal record; row changes share a transaction with theirs.
    async fn journaled_batch(
        &mut self,
        i: usize,
        prep: &Prepared,
        from: usize,
        journal: &Journal<'_>,
        emit: &impl Fn(Progress),
    ) -> Result<(), Stopped> {
        enum Part {
            Begin,
            Statement(usize),
            Record(usize),
            Commit,
        }
        let records: Vec<String> = (from..prep.statements.len())
            .map(|k| journal.progress(k + 1))
            .collect();
        let mut parts: Vec<(Part, &str)> = Vec::new();
        for (k, record) in (from..).zip(&records) {
            let sql = prep.statements[k].sql.as_str();
            let row_change = is_row_change(sql);
            if row_change {
                parts.push((Part::Begin, "BEGIN"));
            }
            parts.push((Part::Statement(k), sql));
            parts.push((Part::Record(k + 1), record.as_str()));
            if row_change {
                parts.push((Part::Commit, "COMMIT"));
            }
        }
        let announce = |p: usize| {
            if let Some((Part::Statement(k), _)) = parts.get(p) {
                let s = &prep.statements[*k];
                emit(Progress::Statement {
                    index: i,
                    number: k + 1,
                    line: s.line,
                    sql: s.sql.clone(),
                });
            }
        };
        if parts.is_empty() {
            return Ok(());
        }
        announce(0);
        let sql: Vec<&str> = parts.iter().map(|(_, s)| *s).collect();
        let result = self
            .conn
            .execute_batch(&sql, |done| {
                if matches!(parts.get(done), Some((Part::Begin, _))) {
                    announce(done + 1);
                } else {
                    announce(done);
                }
            })
            .await;
        let Err((at, e)) = result else {
            return Ok(());
        };
        let done = parts[..at]
            .iter()
            .rev()
            .find_map(|(p, _)| match p {
                Part::Record(d) => Some(*d),
                _ => None,
            })
            .unwrap_or(from);
        let open = parts[..at]
            .iter()
            .rev()
            .find_map(|(p, _)| match p {
                Part::Begin => Some(true),
                Part::Commit => Some(false),
                _ => None,
            })
            .unwrap_or(false);
        self.in_tx = open;
        let (statement, refused, message) = match parts.get(at) {
            Some((Part::Statement(k), _)) => (
                Some(*k),
                matches!(e, sqlx::Error::Database(_)),
                db_message(&e),
            ),
            _ => (
                None,
                false,
                format!(
                    "recording progress in {}: {}",
                    crate::JOURNAL_TABLE,
                    db_message(&e)
                ),
            ),
        };
        Err(Stopped {
            done,
            statement,
            refused,
            message,
        })
    }

    /// PostgreSQL and SQLite outside a transaction: one statement a message (PostgreSQL wraps
    /// a multi-statement message in a transaction), each followed by its journal record.
    async fn journaled_one_by_one(
        &mut self,
        i: usize,
        prep: &Prepared,
        from: usize,
        journal: &Journal<'_>,
        opts: &RunOptions,
        emit: &impl Fn(Progress),
    ) -> Result<(), Stopped> {
        for (k, stmt) in prep.statements.iter().enumerate().skip(from) {
            if opts.cancel.is_cancelled() {
                return Err(Stopped {
                    done: k,
                    statement: None,
                    refused: true,
                    message: "cancelled".into(),
                });
            }
            emit(Progress::Statement {
                index: i,
                number: k + 1,
                line: stmt.line,
                sql: stmt.sql.clone(),
            });
            let record = journal.progress(k + 1);
            if is_row_change(&stmt.sql) {
                // A row change and its record commit together: never in doubt.
                let together = ["BEGIN", stmt.sql.as_str(), record.as_str(), "COMMIT"];
                if let Err((at, e)) = self.conn.execute_batch(&together, |_| {}).await {
                    self.in_tx = at > 0;
                    return Err(Stopped {
                        done: k,
                        statement: (at == 1).then_some(k),
                        refused: at == 1 && matches!(e, sqlx::Error::Database(_)),
                        message: db_message(&e),
                    });
                }
                continue;
            }
            if let Err(e) = self.conn.execute(&stmt.sql).await {
                return Err(Stopped {
                    done: k,
                    statement: Some(k),
                    refused: matches!(e, sqlx::Error::Database(_)) && !may_leave_a_trace(&stmt.sql),
                    message: db_message(&e),
                });
            }
            if let Err(e) = self.conn.execute(&record).await {
                return Err(Stopped {
                    done: k + 1,
                    statement: None,
                    refused: false,
                    message: format!(
                        "recording progress in {}: {}",
                        crate::JOURNAL_TABLE,
                        db_message(&e)
                    ),
                });
            }
        }
        Ok(())
    }

    /// Rolls back what is open and describes the state the database is left in.
    async fn fail(&mut self, f: StepFailure) -> DbError {
        if self.in_tx {
            let _ = self.conn.rollback().await;
            self.in_tx = false;
        }
        self.pending.clear();
        let partial = f.statements_done > 0
            && (f.resumable || self.dialect == Dialect::MySql || !self.single_statement_safe());
        let rolled_back = self.committed.is_empty() && !partial && !f.resumable;
        // The connection may be gone with the failure: then the rows are what was committed.
        let rows_now = match self.conn.version_rows(self.vt).await {
            Ok(rows) => rows,
            Err(_) => std::mem::take(&mut self.rows_committed),
        };
        DbError::Failed(Box::new(RunFailure {
            revision: f.revision,
            file: f.file,
            line: f.line,
            statement: f.statement,
            statements_done: if partial { f.statements_done } else { 0 },
            message: f.message,
            resumable: f.resumable,
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
