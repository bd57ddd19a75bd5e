//! One operation on one profile's database, as every front end runs it: the profile's backup
//! policy enforced, blocking safety findings refused, the plan run by the project's runner,
//! and the outcome in the audit log.

use std::time::{Duration, Instant};

use stratum_alembic::RenderCache;
use stratum_db::{DbError, Operation, RunFailure, RunOptions, RunReport, VersionTable};
use stratum_graph::Plan;
use stratum_store::{AuditEntry, BackupEntry, Store};
use tracing::Instrument;

use crate::files::checksum_lines;
use crate::findings::{plan_findings_kept, refuse_unacknowledged, FindingsCache};
use crate::gate::{release_gate, GateAnswers, GateRun};
use crate::who::whoami;
use crate::{OperationError, Target};

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The verb and the target as the audit log and a report write them.
pub fn describe(op: &Operation) -> (&'static str, String) {
    match op {
        Operation::Upgrade(t) => ("upgrade", t.clone()),
        Operation::Downgrade(t) => ("downgrade", t.clone()),
        Operation::Stamp { targets, .. } => ("stamp", targets.join(" ")),
    }
}

/// What a run did: its report, or where it failed and what it left.
#[derive(Debug)]
pub struct Ran {
    pub outcome: Result<RunReport, Box<RunFailure>>,
    pub millis: u64,
}

/// The database's version rows as they are now.
pub async fn current_rows(target: &Target) -> Result<Vec<String>, OperationError> {
    let mut conn = crate::connect(&target.url, CONNECT_TIMEOUT).await?;
    let rows = conn
        .version_rows(&VersionTable::from_config(&target.project.config))
        .await;
    conn.close().await;
    Ok(rows?)
}

/// The plan of `op` from the database's version rows as they are now.
pub async fn current_plan(target: &Target, op: &Operation) -> Result<Plan, OperationError> {
    Ok(op.plan(&target.project.map, &current_rows(target).await?)?)
}

/// Runs `op` on the target's database. `backup` is the backup taken for it, which a profile
/// that backs up before every change must have; a profile with a release gate needs its
/// checklist met, or `answers` overriding it. Every outcome, failures included, is audited;
/// `Err` is what stopped the run before it could start (or a failure that is not a
/// revision's: the database unreachable, say).
pub async fn run_checked(
    store: &Store,
    target: &mut Target,
    cache: &RenderCache,
    op: &Operation,
    opts: &RunOptions,
    backup: Option<&BackupEntry>,
    answers: &GateAnswers,
) -> Result<Ran, OperationError> {
    let before = Before {
        checks: Some(cache),
        backup,
        answers,
    };
    run_audited(store, target, op, opts, &before).await
}

/// [`run_checked`] for a caller that has just made the same checks ([`check`]): a batch
/// checks, then backs up, then runs.
pub async fn run_prechecked(
    store: &Store,
    target: &mut Target,
    op: &Operation,
    opts: &RunOptions,
    backup: Option<&BackupEntry>,
    answers: &GateAnswers,
) -> Result<Ran, OperationError> {
    let before = Before {
        checks: None,
        backup,
        answers,
    };
    run_audited(store, target, op, opts, &before).await
}

/// What a run is checked against before it starts.
struct Before<'a> {
    /// Check the plan's findings (the caller has not).
    checks: Option<&'a RenderCache>,
    backup: Option<&'a BackupEntry>,
    answers: &'a GateAnswers,
}

/// What the audit log keeps of a run besides its outcome.
#[derive(Default)]
struct Kept {
    files: String,
    gate: String,
}

/// Refuses `op` on the target while a blocking finding in its plan is not acknowledged;
/// returns the plan.
pub async fn check(
    store: &Store,
    target: &mut Target,
    cache: &RenderCache,
    op: &Operation,
    kept: &FindingsCache,
) -> Result<Plan, OperationError> {
    let plan = current_plan(target, op).await?;
    if matches!(op, Operation::Stamp { .. }) {
        return Ok(plan);
    }
    let unrendered = target.with_sql(cache, store).await?;
    refuse_unacknowledged(&plan_findings_kept(
        &target.project,
        &plan,
        target.url.dialect(),
        &unrendered,
        kept,
    )?)?;
    Ok(plan)
}

async fn run_audited(
    store: &Store,
    target: &mut Target,
    op: &Operation,
    opts: &RunOptions,
    before: &Before<'_>,
) -> Result<Ran, OperationError> {
    let started = Instant::now();
    let (verb, what) = describe(op);
    let span = tracing::info_span!(
        "operation",
        profile = %target.profile.name,
        db = %target.url,
        op = verb,
        to = %what
    );
    let mut kept = Kept::default();
    let result = run_inner(store, target, op, opts, before, &mut kept)
        .instrument(span.clone())
        .await;
    let backup_path = before.backup.map(|b| b.path.clone()).unwrap_or_default();
    let millis = stratum_db::elapsed_ms(started);
    let (before, after, word, message) = match &result {
        Ok(r) => (
            r.rows_before.join(","),
            r.rows_after.join(","),
            "succeeded",
            String::new(),
        ),
        Err(OperationError::Db(DbError::Failed(f))) => (
            String::new(),
            f.rows_now.join(","),
            if f.message.contains("cancelled") {
                "cancelled"
            } else {
                "failed"
            },
            f.to_string(),
        ),
        Err(e) => (String::new(), String::new(), "failed", e.to_string()),
    };
    span.in_scope(|| match word {
        "succeeded" => tracing::info!(ms = millis, rows = %after, "operation succeeded"),
        _ => tracing::warn!(ms = millis, rows = %after, result = word, error = %message, "operation did not succeed"),
    });
    store
        .record(&AuditEntry {
            id: 0,
            at: Store::now(),
            who: whoami(),
            profile_id: Some(target.profile.id),
            profile_name: target.profile.name.clone(),
            operation: verb.into(),
            target: what,
            rows_before: before,
            rows_after: after,
            duration_ms: i64::try_from(millis).unwrap_or(i64::MAX),
            result: word.into(),
            message,
            backup: backup_path,
            files: kept.files,
            gate: kept.gate,
        })
        .await?;
    match result {
        Ok(report) => Ok(Ran {
            outcome: Ok(report),
            millis,
        }),
        Err(OperationError::Db(DbError::Failed(f))) => Ok(Ran {
            outcome: Err(f),
            millis,
        }),
        Err(e) => Err(e),
    }
}

async fn run_inner(
    store: &Store,
    target: &mut Target,
    op: &Operation,
    opts: &RunOptions,
    before: &Before<'_>,
    kept: &mut Kept,
) -> Result<RunReport, OperationError> {
    tracing::info!(backup = before.backup.is_some(), "operation started");
    let changes = !matches!(op, Operation::Stamp { .. });
    if changes && target.profile.auto_backup && before.backup.is_none() {
        return Err(OperationError::Input(format!(
            "{} backs up before every upgrade and downgrade: take the backup first (or switch it off in the profile)",
            target.profile.name
        )));
    }
    let plan = match before.checks {
        // A blocking finding must be acknowledged in its file before anything runs.
        Some(cache) => check(store, target, cache, op, &FindingsCache::default()).await?,
        None => current_plan(target, op).await?,
    };
    if changes {
        kept.files = checksum_lines(
            &target.project,
            plan.steps.iter().map(|s| s.revision.as_str()),
        );
    }
    let gate = release_gate(
        store,
        target,
        &GateRun {
            plan: &plan,
            // The findings were checked (here, or by the batch) and none blocks.
            blocking: &[],
            backup_now: before.backup.is_some(),
            reviewer: &before.answers.reviewer,
            now: chrono::Utc::now(),
        },
    )
    .await?;
    kept.gate = gate.decide(&target.profile.name, before.answers)?;
    let runner = target.runner()?;
    let opts = RunOptions {
        transaction_per_revision: opts.transaction_per_revision
            || target.project.config.run.transaction_per_revision,
        ..opts.clone()
    };
    let mut conn = crate::connect(&target.url, CONNECT_TIMEOUT).await?;
    let r = runner
        .run(
            &mut conn,
            &target.project,
            op,
            &crate::logging::logged(opts),
        )
        .await;
    conn.close().await;
    Ok(r?)
}
