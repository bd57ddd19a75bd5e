//! Operations from the window: the plan and exact SQL, a dry run, the run itself with progress
//! and Cancel, and the audit log of what ran.

use std::path::Path;
use std::sync::Arc;

use stratum_checks::Finding;
use stratum_db::{render_offline, DbError, Operation, Progress, RunOptions};
use stratum_graph::{Direction, Plan};
use stratum_operations::{current_plan, GateAnswers, Ran, Target};
use stratum_project::Project;
use stratum_store::AuditEntry;
use tauri::ipc::Channel;
use tauri::State;

use crate::backup_commands::tools;
use crate::views::*;
use crate::{AppError, AppState};

pub(crate) fn operation(req: &OperationRequest) -> Operation {
    match req.kind {
        Direction::Upgrade => Operation::Upgrade(req.target.clone()),
        Direction::Downgrade => Operation::Downgrade(req.target.clone()),
        Direction::Stamp => Operation::Stamp {
            targets: vec![req.target.clone()],
            purge: false,
        },
    }
}

fn plan_view(project: &Project, plan: &Plan, sql: String, findings: Vec<FindingView>) -> PlanView {
    PlanView {
        findings,
        rows_before: plan.rows_before.clone(),
        rows_after: plan.rows_after.clone(),
        steps: plan
            .steps
            .iter()
            .map(|s| PlannedStep {
                message: project
                    .file(&s.revision)
                    .map(|f| f.message.clone())
                    .unwrap_or_default(),
                step: s.clone(),
            })
            .collect(),
        sql,
    }
}

/// The target, the plan of `request` from the database's current rows, and the safety findings
/// of the revisions it runs (an Alembic project's SQL put in place first).
pub(crate) async fn planned(
    state: &AppState,
    profile_id: u32,
    request: &OperationRequest,
) -> Result<(Target, Plan, Vec<Finding>), AppError> {
    let mut target = state.load(profile_id).await?;
    let plan = current_plan(&target, &operation(request)).await?;
    let Target {
        profile,
        project,
        url,
    } = &mut target;
    let failures = state.with_sql(profile, project, url).await?;
    let findings =
        stratum_operations::findings::plan_findings(project, &plan, url.dialect(), &failures)?;
    Ok((target, plan, findings))
}

/// The plan and the exact SQL of an operation, from the database's current rows; runs nothing.
#[tauri::command]
#[specta::specta]
pub async fn plan_operation(
    state: State<'_, AppState>,
    profile_id: u32,
    request: OperationRequest,
) -> Result<PlanView, AppError> {
    let (target, plan, findings) = planned(&state, profile_id, &request).await?;
    let project = &target.project;
    let sql = render_offline(
        project,
        &plan,
        target.url.dialect(),
        project.config.run.transaction_per_revision,
    )?;
    let findings = findings.iter().map(FindingView::from).collect();
    Ok(plan_view(project, &plan, sql, findings))
}

/// Runs an operation, streaming progress; `operation_id` lets the window cancel it. A profile
/// with a release gate runs only with its checklist met (`reviewer` confirming the code
/// review) or an `override_reason`.
#[tauri::command]
#[specta::specta]
#[allow(clippy::too_many_arguments)]
pub async fn run_operation(
    state: State<'_, AppState>,
    profile_id: u32,
    request: OperationRequest,
    operation_id: String,
    backup_id: Option<u32>,
    reviewer: Option<String>,
    override_reason: Option<String>,
    on_progress: Channel<Progress>,
) -> Result<RunOutcome, AppError> {
    let mut target = state.load(profile_id).await?;
    state.may_run(&target.project).await?;
    let backup = match backup_id {
        Some(id) => Some(state.store.backup(i64::from(id)).await?),
        None => None,
    };
    let progress: stratum_db::ProgressFn = Arc::new(move |p: &Progress| {
        // A closed window stops listening; the run goes on regardless.
        let _ = on_progress.send(p.clone());
    });
    let opts = RunOptions {
        progress: Some(progress),
        resume: request.resume.map(|r| stratum_db::Resume {
            doubtful_ran: r.doubtful_ran,
            only: true,
        }),
        ..RunOptions::default()
    };
    let _cancellable = state.cancellable(&operation_id, &opts.cancel);
    let ran = stratum_operations::run_checked(
        &state.store,
        &mut target,
        &state.renders,
        &operation(&request),
        &opts,
        backup.as_ref(),
        &GateAnswers {
            reviewer: reviewer.unwrap_or_default(),
            override_reason: override_reason.unwrap_or_default(),
        },
    )
    .await;
    Ok(run_outcome(ran?))
}

/// A run's outcome in the window's words.
fn run_outcome(ran: Ran) -> RunOutcome {
    let millis = ran.millis;
    match ran.outcome {
        Ok(report) => RunOutcome {
            succeeded: true,
            summary: format!(
                "{} revision(s) applied in {} ms; the database is now at {}",
                report.plan.steps.len(),
                report.millis,
                if report.rows_after.is_empty() {
                    "base".to_string()
                } else {
                    report.rows_after.join(", ")
                }
            ),
            rows_before: report.rows_before,
            rows_after: report.rows_after,
            steps: report.plan.steps.len(),
            millis,
            failure: None,
        },
        Err(f) => RunOutcome {
            succeeded: false,
            summary: f.to_string(),
            rows_before: Vec::new(),
            rows_after: f.rows_now.clone(),
            steps: 0,
            millis,
            failure: Some(*f),
        },
    }
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_operation(
    state: State<'_, AppState>,
    operation_id: String,
) -> Result<bool, AppError> {
    let token = state
        .running
        .lock()
        .ok()
        .and_then(|r| r.get(&operation_id).cloned());
    Ok(token.map(|t| t.cancel()).is_some())
}

#[tauri::command]
#[specta::specta]
pub async fn audit_log(
    state: State<'_, AppState>,
    profile_id: Option<u32>,
) -> Result<Vec<AuditEntry>, AppError> {
    Ok(state.store.audit(profile_id.map(i64::from)).await?)
}

/// Tries the operation for real and leaves no trace; says how it was done.
#[tauri::command]
#[specta::specta]
pub async fn dry_run_operation(
    state: State<'_, AppState>,
    profile_id: u32,
    request: OperationRequest,
) -> Result<DryRunView, AppError> {
    let Target {
        profile,
        project,
        url,
    } = state.load(profile_id).await?;
    let opts = stratum_db::RunOptions {
        transaction_per_revision: project.config.run.transaction_per_revision,
        ..Default::default()
    };
    let tools = tools(&project, Path::new(&profile.project_dir));
    let runner = state.runner(&profile, &project).await?;
    let dry = stratum_backup::dry_run(
        &url,
        &project,
        &operation(&request),
        &tools,
        opts,
        runner.as_ref(),
    )
    .await?;
    let method = dry.method.describe();
    match dry.outcome {
        Ok(report) => Ok(DryRunView {
            method,
            succeeded: true,
            rows_after: report.rows_after,
            failure: None,
        }),
        Err(DbError::Failed(f)) => Ok(DryRunView {
            method,
            succeeded: false,
            rows_after: f.rows_now.clone(),
            failure: Some(*f),
        }),
        Err(e) => Err(e.into()),
    }
}
