//! One operation over many databases: per database the same steps as a single run (the plan,
//! the safety checks, a backup as the profile's policy or the batch asks, the run, a check that
//! the version rows are where the plan said), a bounded number at a time, in the order chosen,
//! stopping at the first failure or going on, cancellable; every database's line kept in the
//! store as the batch's report, and the batch itself in the audit log.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use futures_util::future::join_all;
use serde::Serialize;
use stratum_db::{CancelToken, Operation, Progress, RunOptions};
use stratum_graph::Plan;
use stratum_store::{AuditEntry, BatchItem, BatchRecord, Profile, Store};
use tracing::Instrument;

use super::Fleet;
use crate::findings::FindingsCache;
use crate::{
    audit_plain, check, current_rows, describe, release_gate, run_prechecked, take, whoami,
    GateAnswers, GateRun, OperationError, Target,
};

#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Databases worked on at once.
    pub concurrency: usize,
    /// Start no further database after one fails (those running finish).
    pub stop_on_failure: bool,
    /// Back up every database first, whatever its profile says (else as each profile says).
    pub backup_all: bool,
    /// The user confirmed the production databases in the batch.
    pub production_confirmed: bool,
    /// The reviewer and any override reason, for the databases whose profile has a release
    /// gate: each is held to its own checklist.
    pub gate: GateAnswers,
    /// This batch runs what that interrupted batch left pending (same operation and target,
    /// only databases it did not get to); its pending lines then say which batch ran them.
    pub rest_of: Option<i64>,
    /// Finish a revision an interrupted run left half-done on a database before going on
    /// (only where no statement is in doubt: that needs a person looking at that database).
    pub resume: bool,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            concurrency: 4,
            stop_on_failure: true,
            backup_all: false,
            production_confirmed: false,
            gate: GateAnswers::default(),
            rest_of: None,
            resume: false,
        }
    }
}

impl BatchOptions {
    fn describe(&self) -> String {
        let gate = match self.gate.override_reason.trim() {
            "" => String::new(),
            reason => format!("; release gates overridden: {reason}"),
        };
        let rest = match self.rest_of {
            Some(old) => format!("; the rest of batch #{old}"),
            None => String::new(),
        };
        let rest = if self.resume {
            format!("{rest}; interrupted revisions resumed")
        } else {
            rest
        };
        format!(
            "{} at a time; {}; {}{gate}{rest}",
            self.concurrency.max(1),
            if self.stop_on_failure {
                "stop at the first failure"
            } else {
                "go on after a failure"
            },
            if self.backup_all {
                "back up every database first"
            } else {
                "back up as each profile says"
            }
        )
    }
}

/// Where one database of the batch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Queued,
    Checking,
    BackingUp,
    Running,
    Verifying,
    Succeeded,
    UpToDate,
    Failed,
    Skipped,
    Cancelled,
}

impl Phase {
    /// In words, as progress lines and reports write it: "backing up", "up to date".
    pub fn label(self) -> &'static str {
        match self {
            Phase::Queued => "queued",
            Phase::Checking => "checking",
            Phase::BackingUp => "backing up",
            Phase::Running => "running",
            Phase::Verifying => "verifying",
            Phase::Succeeded => "succeeded",
            Phase::UpToDate => "up to date",
            Phase::Failed => "failed",
            Phase::Skipped => "skipped",
            Phase::Cancelled => "cancelled",
        }
    }

    /// How a database's line in the report ends; a phase that is no end counts as failed.
    fn word(self) -> &'static str {
        match self {
            Phase::Succeeded | Phase::UpToDate | Phase::Skipped | Phase::Cancelled => self.label(),
            _ => "failed",
        }
    }
}

/// Streamed while a batch runs.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchEvent {
    pub position: usize,
    pub profile_id: i64,
    pub phase: Phase,
    /// "step 3 of 7: 004", a failure's message, ...
    pub detail: String,
}

/// A batch's report: one line per database, in the order chosen.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchReport {
    pub batch: BatchRecord,
    pub items: Vec<BatchItem>,
}

impl BatchReport {
    pub fn count(&self, result: &str) -> usize {
        self.items.iter().filter(|i| i.result == result).count()
    }

    pub fn summary(&self) -> String {
        // Only a batch that never finished has pending lines: say so rather than hide them.
        let pending = match self.count(PENDING) {
            0 => String::new(),
            n => format!(", {n} not run (the batch was interrupted)"),
        };
        format!(
            "{} database(s): {} succeeded, {} already up to date, {} failed, {} skipped, {} cancelled{pending}",
            self.items.len(),
            self.count("succeeded"),
            self.count("up to date"),
            self.count("failed"),
            self.count("skipped"),
            self.count("cancelled")
        )
    }
}

/// A line written at the batch's start, replaced when its database ends.
pub const PENDING: &str = "pending";

/// Where a batch's events go (the window's channel, the CLI's progress lines).
pub type Tell = Arc<dyn Fn(&BatchEvent) + Send + Sync>;

/// Runs `op` on every profile in `profiles`.
pub async fn run_batch(
    fleet: &Fleet<'_>,
    profiles: Vec<Profile>,
    op: &Operation,
    opts: &BatchOptions,
    cancel: &CancelToken,
    each: Tell,
) -> Result<BatchReport, OperationError> {
    let production: Vec<&str> = profiles
        .iter()
        .filter(|p| p.environment == "production")
        .map(|p| p.name.as_str())
        .collect();
    if !production.is_empty() && !opts.production_confirmed {
        return Err(OperationError::Input(format!(
            "the batch includes {} production database(s) ({}): confirm them to go on",
            production.len(),
            production.join(", ")
        )));
    }
    let started = Instant::now();
    let (verb, what) = describe(op);
    if let Some(old) = opts.rest_of {
        rest_allowed(fleet.store, old, verb, &what, &profiles).await?;
    }
    tracing::info!(
        op = verb,
        to = %what,
        databases = profiles.len(),
        concurrency = opts.concurrency,
        options = %opts.describe(),
        "batch started"
    );
    let at = Store::now();
    // Every database's line is written now, pending, and replaced as it ends: if the process
    // is killed, the batch still says which databases it never got to.
    let pending: Vec<BatchItem> = profiles
        .iter()
        .enumerate()
        .map(|(position, p)| BatchItem {
            result: PENDING.into(),
            ..line(0, position, p, Phase::Queued, String::new())
        })
        .collect();
    let id = fleet
        .store
        .start_batch(
            &BatchRecord {
                id: 0,
                at: at.clone(),
                who: whoami(),
                operation: verb.into(),
                target: what.clone(),
                options: opts.describe(),
                finished_at: None,
                duration_ms: 0,
            },
            &pending,
            opts.rest_of,
        )
        .await?;
    for (position, p) in profiles.iter().enumerate() {
        each(&BatchEvent {
            position,
            profile_id: p.id,
            phase: Phase::Queued,
            detail: String::new(),
        });
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // The databases of one project share what the checks find in its files.
    let kept = FindingsCache::default();
    let worker = || async {
        let mut done = Vec::new();
        loop {
            let position = next.fetch_add(1, Ordering::SeqCst);
            let Some(profile) = profiles.get(position) else {
                break;
            };
            let item = if cancel.is_cancelled() {
                line(
                    id,
                    position,
                    profile,
                    Phase::Cancelled,
                    "cancelled before it started".into(),
                )
            } else if stop.load(Ordering::SeqCst) {
                line(id, position, profile, Phase::Skipped, "not started: an earlier database failed and the batch stops at the first failure".into())
            } else {
                let item = one(fleet, id, position, profile, op, opts, cancel, &each, &kept).await;
                if item.result == "failed" && opts.stop_on_failure {
                    stop.store(true, Ordering::SeqCst);
                }
                item
            };
            // The report must not lose a line because the store hiccuped: it is also returned.
            let _ = fleet.store.add_batch_item(&item).await;
            each(&BatchEvent {
                position,
                profile_id: profile.id,
                phase: match item.result.as_str() {
                    "succeeded" => Phase::Succeeded,
                    "up to date" => Phase::UpToDate,
                    "skipped" => Phase::Skipped,
                    "cancelled" => Phase::Cancelled,
                    _ => Phase::Failed,
                },
                detail: item.message.clone(),
            });
            done.push(item);
        }
        done
    };
    let workers: Vec<_> = (0..opts.concurrency.clamp(1, profiles.len().max(1)))
        .map(|_| worker())
        .collect();
    // The workers run on the caller's task (they borrow the store and the profiles); the work
    // is waiting on databases, so one task keeps them all going.
    let mut items: Vec<BatchItem> = join_all(workers).await.into_iter().flatten().collect();
    items.sort_by_key(|i| i.position);
    let millis = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    fleet.store.finish_batch(id, millis).await?;
    let (batch, _) = fleet.store.batch(id).await?;
    let report = BatchReport { batch, items };
    let failed = report.count("failed");
    tracing::info!(batch = id, ms = millis, summary = %report.summary(), "batch finished");
    fleet
        .store
        .record(&AuditEntry {
            id: 0,
            at,
            who: whoami(),
            profile_id: None,
            profile_name: format!("batch #{id} ({} databases)", report.items.len()),
            operation: format!("batch {verb}"),
            target: what,
            rows_before: String::new(),
            rows_after: String::new(),
            duration_ms: millis,
            result: if failed > 0 { "failed" } else { "succeeded" }.into(),
            message: report.summary(),
            backup: String::new(),
            files: String::new(),
            gate: String::new(),
        })
        .await?;
    Ok(report)
}

/// Batch `old` may be finished by a new batch of `verb` to `what` over `profiles`: it was
/// interrupted, it is the same operation to the same target, and each database is one it left
/// pending.
async fn rest_allowed(
    store: &Store,
    old: i64,
    verb: &str,
    what: &str,
    profiles: &[Profile],
) -> Result<(), OperationError> {
    let (b, items) = store.batch(old).await?;
    let left: Vec<&BatchItem> = items.iter().filter(|i| i.result == PENDING).collect();
    if b.finished_at.is_some() || left.is_empty() {
        return Err(OperationError::Input(format!(
            "batch #{old} has nothing left to run: {}",
            if b.finished_at.is_some() {
                "it finished"
            } else {
                "another batch ran the rest"
            }
        )));
    }
    if b.operation != verb || b.target != what {
        return Err(OperationError::Input(format!(
            "batch #{old} was {} to {}: its rest runs the same, not {verb} to {what}",
            b.operation, b.target
        )));
    }
    let strays: Vec<&str> = profiles
        .iter()
        .filter(|p| !left.iter().any(|i| i.profile_id == Some(p.id)))
        .map(|p| p.name.as_str())
        .collect();
    if !strays.is_empty() {
        return Err(OperationError::Input(format!(
            "batch #{old} did not leave {} pending: run {} in a batch of its own",
            strays.join(", "),
            if strays.len() == 1 { "it" } else { "them" }
        )));
    }
    Ok(())
}

fn line(batch_id: i64, position: usize, p: &Profile, phase: Phase, message: String) -> BatchItem {
    BatchItem {
        id: 0,
        batch_id,
        position: i64::try_from(position).unwrap_or(i64::MAX),
        profile_id: Some(p.id),
        profile_name: p.name.clone(),
        client: p.client.clone(),
        environment: p.environment.clone(),
        rows_before: String::new(),
        rows_after: String::new(),
        rows_read: false,
        backup: String::new(),
        duration_ms: 0,
        result: phase.word().into(),
        message,
    }
}

#[allow(clippy::too_many_arguments)]
async fn one(
    fleet: &Fleet<'_>,
    batch_id: i64,
    position: usize,
    profile: &Profile,
    op: &Operation,
    opts: &BatchOptions,
    cancel: &CancelToken,
    each: &Tell,
    kept: &FindingsCache,
) -> BatchItem {
    let started = Instant::now();
    let mut item = line(batch_id, position, profile, Phase::Failed, String::new());
    let said = Said {
        each: each.clone(),
        position,
        profile_id: profile.id,
    };
    let span = tracing::info_span!(
        "database",
        batch = batch_id,
        position = position + 1,
        profile = %profile.name,
        db = %crate::logging::shown(&profile.url)
    );
    let result = steps(
        fleet, batch_id, profile, op, opts, cancel, &said, kept, &mut item,
    )
    .instrument(span.clone())
    .await;
    item.duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    match result {
        Ok(phase) => item.result = phase.word().into(),
        Err((phase, message)) => {
            item.result = phase.word().into();
            item.message = message;
        }
    }
    span.in_scope(|| match item.result.as_str() {
        "failed" => tracing::warn!(result = %item.result, ms = item.duration_ms, error = %item.message, "database finished"),
        _ => tracing::info!(result = %item.result, ms = item.duration_ms, rows = %item.rows_after, "database finished"),
    });
    item
}

/// The steps of one database; `Err` carries how it ended and why.
#[allow(clippy::too_many_arguments)]
async fn steps(
    fleet: &Fleet<'_>,
    batch_id: i64,
    profile: &Profile,
    op: &Operation,
    opts: &BatchOptions,
    cancel: &CancelToken,
    said: &Said,
    kept: &FindingsCache,
    item: &mut BatchItem,
) -> Result<Phase, (Phase, String)> {
    let tell = |phase: Phase, detail: String| said.tell(phase, detail);
    let failed = |e: OperationError| (Phase::Failed, e.to_string());
    tell(Phase::Checking, "reading where the database stands".into());
    let started = Instant::now();
    let (mut target, plan) = match ready(fleet, profile, op, kept).await {
        Ok(ready) => ready,
        Err(e) => {
            // A single run audits a database it could not reach or a plan it refused; so does
            // a batch, so the profile's history and the fleet's "last operation" show it.
            let message = e.to_string();
            let (verb, what) = describe(op);
            let millis = stratum_db::elapsed_ms(started);
            audit_plain(
                fleet.store,
                profile,
                verb,
                &what,
                &[],
                millis,
                Err(message.clone()),
            )
            .await;
            return Err((Phase::Failed, message));
        }
    };
    item.rows_before = plan.rows_before.join(",");
    item.rows_after = item.rows_before.clone();
    item.rows_read = true;
    if plan.steps.is_empty() {
        return Ok(Phase::UpToDate);
    }
    let backs_up = opts.backup_all || profile.auto_backup;
    // The gate is asked before the backup, so a refused database costs no backup; the run
    // asks again, and audits the answer.
    let gate = release_gate(
        fleet.store,
        &target,
        &GateRun {
            plan: &plan,
            blocking: &[],
            backup_now: backs_up,
            reviewer: &opts.gate.reviewer,
            now: chrono::Utc::now(),
        },
    )
    .await
    .map_err(failed)?;
    let passage = match gate.decide(&profile.name, &opts.gate) {
        Ok(passage) => passage,
        Err(e) => {
            let message = e.to_string();
            let (verb, what) = describe(op);
            audit_plain(
                fleet.store,
                profile,
                verb,
                &what,
                &plan.rows_before,
                stratum_db::elapsed_ms(started),
                Err(message.clone()),
            )
            .await;
            return Err((Phase::Failed, message));
        }
    };
    if passage.starts_with("overridden") {
        item.message = format!("release gate {passage}");
    }
    let backup = if backs_up {
        tell(Phase::BackingUp, "taking a backup first".into());
        let (verb, what) = describe(op);
        let b = take(
            fleet.store,
            fleet.data_dir,
            &target,
            &format!("before batch #{batch_id}: {verb} to {what}"),
        )
        .await
        .map_err(|e| {
            (
                Phase::Failed,
                format!("the backup failed, so nothing was run: {e}"),
            )
        })?;
        item.backup = b.path.clone();
        Some(b)
    } else {
        None
    };
    if cancel.is_cancelled() {
        return Err((Phase::Cancelled, "cancelled before it ran".into()));
    }
    tell(Phase::Running, format!("{} step(s)", plan.steps.len()));
    let run_opts = RunOptions {
        resume: opts.resume.then(stratum_db::Resume::default),
        cancel: cancel.clone(),
        progress: Some(Arc::new({
            let said = said.clone();
            move |p: &Progress| {
                if let Progress::StepStarted {
                    index,
                    total,
                    revision,
                    ..
                } = p
                {
                    said.tell(
                        Phase::Running,
                        format!("step {} of {total}: {revision}", index + 1),
                    );
                }
            }
        })),
        ..RunOptions::default()
    };
    let ran = run_prechecked(
        fleet.store,
        &mut target,
        op,
        &run_opts,
        backup.as_ref(),
        &opts.gate,
    )
    .await
    .map_err(failed)?;
    let report = match ran.outcome {
        Ok(r) => r,
        Err(f) => {
            item.rows_after = f.rows_now.join(",");
            let phase = if f.message.contains("cancelled") {
                Phase::Cancelled
            } else {
                Phase::Failed
            };
            return Err((phase, f.to_string()));
        }
    };
    tell(Phase::Verifying, "reading the version rows back".into());
    let rows = current_rows(&target).await.map_err(failed)?;
    item.rows_after = rows.join(",");
    let (mut got, mut want) = (rows.clone(), report.plan.rows_after.clone());
    got.sort();
    want.sort();
    if got != want {
        return Err((
            Phase::Failed,
            format!(
                "the run finished, but the database records [{}] where [{}] was planned",
                rows.join(", "),
                report.plan.rows_after.join(", ")
            ),
        ));
    }
    Ok(Phase::Succeeded)
}

/// The profile's project and database, and the plan the checks allow.
async fn ready(
    fleet: &Fleet<'_>,
    profile: &Profile,
    op: &Operation,
    kept: &FindingsCache,
) -> Result<(Target, Plan), OperationError> {
    let mut target = Target::open(profile.clone(), fleet.secrets)?;
    let plan = check(fleet.store, &mut target, fleet.renders, op, kept).await?;
    Ok((target, plan))
}

/// One database's voice in the batch's events.
#[derive(Clone)]
struct Said {
    each: Tell,
    position: usize,
    profile_id: i64,
}

impl Said {
    fn tell(&self, phase: Phase, detail: String) {
        tracing::debug!(phase = phase.label(), %detail, "batch step");
        (self.each)(&BatchEvent {
            position: self.position,
            profile_id: self.profile_id,
            phase,
            detail,
        })
    }
}
