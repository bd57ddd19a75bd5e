//! The Tauri commands: thin adapters from the window to the engine.

use std::sync::Arc;
use std::time::Duration;

use stratum_alembic::RenderFailure;
use stratum_db::{
    render_offline, Connection, DatabaseUrl, DbError, Operation, Progress, RunOptions, VersionTable,
};
use stratum_graph::{Direction, Plan};
use stratum_project::Project;
use stratum_store::Profile;
use tauri::ipc::Channel;
use tauri::State;

use crate::views::*;
use crate::{AppError, AppState};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

fn id32(id: i64) -> u32 {
    u32::try_from(id).unwrap_or(u32::MAX)
}

pub(crate) fn profile_view(p: &Profile) -> ProfileView {
    let (database, engine) = match DatabaseUrl::parse(&p.url) {
        Ok(u) => (u.to_string(), format!("{:?}", u.engine).to_lowercase()),
        Err(_) => (p.url.clone(), "unknown".into()),
    };
    ProfileView {
        id: id32(p.id),
        name: p.name.clone(),
        client: p.client.clone(),
        environment: p.environment.clone(),
        database,
        engine,
        project_dir: p.project_dir.clone(),
        auto_backup: p.auto_backup,
        backup_keep: u32::try_from(p.backup_keep).unwrap_or(10),
        python: p.python.clone(),
        version_table: p.version_table.clone(),
        version_table_schema: p.version_table_schema.clone(),
        alembic_values: p.alembic_values.clone(),
        tags: p.tag_list(),
    }
}

/// An Alembic project's SQL for the profile's engine (kept while its files do not change).
pub(crate) async fn with_sql(
    state: &AppState,
    p: &Profile,
    project: &mut Project,
    url: &DatabaseUrl,
) -> Result<Vec<RenderFailure>, AppError> {
    Ok(stratum_fleet::with_sql(&state.renders, p, project, url).await?)
}

/// A profile with its project and its URL, the password filled in from the keychain.
pub(crate) async fn load(
    state: &AppState,
    profile_id: u32,
) -> Result<(Profile, Project, DatabaseUrl), AppError> {
    let profile = state.store.profile(i64::from(profile_id)).await?;
    let t = stratum_fleet::Target::open(profile, &state.secrets)?;
    Ok((t.profile, t.project, t.url))
}

#[tauri::command]
#[specta::specta]
pub async fn list_profiles(state: State<'_, AppState>) -> Result<Vec<ProfileView>, AppError> {
    Ok(state
        .store
        .profiles()
        .await?
        .iter()
        .map(profile_view)
        .collect())
}

/// The revision graph of the profile's project, with where the database stands.
#[tauri::command]
#[specta::specta]
pub async fn timeline(
    state: State<'_, AppState>,
    profile_id: u32,
) -> Result<TimelineView, AppError> {
    let (profile, project, url) = load(&state, profile_id).await?;
    let database = match Connection::connect(&url, CONNECT_TIMEOUT).await {
        Ok(mut conn) => {
            let read = async {
                let server = conn.server_info().await?.version;
                let rows = conn
                    .version_rows(&VersionTable::from_config(&project.config))
                    .await?;
                Ok::<_, DbError>((server, rows))
            }
            .await;
            conn.close().await;
            match read {
                Ok((server, rows)) => {
                    let pending = project.map.pending(&rows).unwrap_or_default();
                    DatabaseState::Reachable {
                        rows,
                        pending,
                        server,
                    }
                }
                Err(e) => DatabaseState::Unreachable {
                    message: e.to_string(),
                },
            }
        }
        Err(e) => DatabaseState::Unreachable {
            message: e.to_string(),
        },
    };
    let rows_now = match &database {
        DatabaseState::Reachable { rows, .. } => rows.clone(),
        DatabaseState::Unreachable { .. } => Vec::new(),
    };
    let applied = project.map.applied(&rows_now).unwrap_or_default();
    let map = &project.map;
    let layout = map.timeline();
    let rows = layout
        .rows
        .into_iter()
        .map(|r| {
            let file = project.file(&r.revision);
            let id = r.revision.clone();
            RevisionRow {
                message: file.map(|f| f.message.clone()).unwrap_or_default(),
                created: file
                    .and_then(|f| f.created)
                    .map(|c| c.format("%Y-%m-%d %H:%M").to_string()),
                file: file
                    .map(|f| f.path.display().to_string())
                    .unwrap_or_default(),
                down_revisions: map.down_revisions(&id),
                labels: map.labels(&id),
                lane: r.lane,
                top: r
                    .top
                    .iter()
                    .map(|s| Segment {
                        from: s.from,
                        to: s.to,
                    })
                    .collect(),
                bottom: r
                    .bottom
                    .iter()
                    .map(|s| Segment {
                        from: s.from,
                        to: s.to,
                    })
                    .collect(),
                is_head: map.children(&id).is_empty(),
                is_merge_point: map.is_merge_point(&id),
                is_branch_point: map.is_branch_point(&id),
                applied: applied.contains(&id),
                current: rows_now.contains(&id),
                revision: id,
            }
        })
        .collect();
    Ok(TimelineView {
        profile: profile_view(&profile),
        format: if project.alembic().is_some() {
            "alembic"
        } else {
            "native"
        }
        .into(),
        rows,
        lanes: layout.lanes,
        heads: map.heads(),
        database,
    })
}

/// One revision's SQL for the profile's engine.
#[tauri::command]
#[specta::specta]
pub async fn revision_detail(
    state: State<'_, AppState>,
    profile_id: u32,
    revision: String,
) -> Result<RevisionDetail, AppError> {
    let (profile, mut project, url) = load(&state, profile_id).await?;
    // Without its Python the revision can still be read; its SQL then says why it is missing.
    let failures = match with_sql(&state, &profile, &mut project, &url).await {
        Ok(f) => f,
        Err(e) if project.alembic().is_some() => vec![RenderFailure {
            revision: revision.clone(),
            upgrade: true,
            message: e.to_string(),
            at: None,
        }],
        Err(e) => return Err(e),
    };
    let file = project
        .file(&revision)
        .ok_or_else(|| AppError::Input(format!("no revision '{revision}'")))?;
    let d = url.dialect();
    let python = project
        .alembic()
        .and_then(|_| std::fs::read_to_string(&file.path).ok());
    if let Some(f) = failures.iter().find(|f| f.revision == revision) {
        return Ok(RevisionDetail {
            revision: revision.clone(),
            upgrade_sql: String::new(),
            downgrade_sql: String::new(),
            dialect: d.to_string(),
            python,
            note: Some(format!(
                "Alembic's offline mode cannot show this revision's SQL: {}",
                f.message
            )),
        });
    }
    let sql = |up: bool| -> Result<String, AppError> {
        Ok(file
            .statements(up, d)?
            .iter()
            .map(|s| format!("{};\n", s.sql))
            .collect::<Vec<_>>()
            .join("\n"))
    };
    Ok(RevisionDetail {
        revision: revision.clone(),
        upgrade_sql: sql(true)?,
        downgrade_sql: sql(false)?,
        dialect: d.to_string(),
        note: python.as_ref().map(|_| {
            format!("The Python runs; this is the SQL Alembic's offline mode prints for it on {d}.")
        }),
        python,
    })
}

/// The operation's plan from the database's version rows as they are now.
async fn current_plan(
    url: &DatabaseUrl,
    project: &Project,
    request: &OperationRequest,
) -> Result<Plan, AppError> {
    let mut conn = Connection::connect(url, CONNECT_TIMEOUT).await?;
    let rows = conn
        .version_rows(&VersionTable::from_config(&project.config))
        .await;
    conn.close().await;
    Ok(operation(request).plan(&project.map, &rows?)?)
}

pub(crate) fn operation(req: &OperationRequest) -> Operation {
    match req.kind {
        OperationKind::Upgrade => Operation::Upgrade(req.target.clone()),
        OperationKind::Downgrade => Operation::Downgrade(req.target.clone()),
        OperationKind::Stamp => Operation::Stamp {
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
            .map(|s| StepView {
                revision: s.revision.clone(),
                direction: match s.direction {
                    Direction::Upgrade => "upgrade",
                    Direction::Downgrade => "downgrade",
                    Direction::Stamp => "stamp",
                }
                .into(),
                from: s.from.clone(),
                to: s.to.clone(),
                message: project
                    .file(&s.revision)
                    .map(|f| f.message.clone())
                    .unwrap_or_default(),
                rows_after: s.rows_after.clone(),
            })
            .collect(),
        sql,
    }
}

/// The plan and the exact SQL of an operation, from the database's current rows; runs nothing.
#[tauri::command]
#[specta::specta]
pub async fn plan_operation(
    state: State<'_, AppState>,
    profile_id: u32,
    request: OperationRequest,
) -> Result<PlanView, AppError> {
    let (profile, mut project, url) = load(&state, profile_id).await?;
    let plan = current_plan(&url, &project, &request).await?;
    let failures = with_sql(&state, &profile, &mut project, &url).await?;
    let sql = render_offline(
        &project,
        &plan,
        url.dialect(),
        project.config.run.transaction_per_revision,
    )?;
    let findings =
        stratum_fleet::findings::plan_findings(&project, &plan, url.dialect(), &failures)?
            .iter()
            .map(crate::findings::finding_view)
            .collect();
    Ok(plan_view(&project, &plan, sql, findings))
}

fn to_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// Runs an operation, streaming progress; `operation_id` lets the window cancel it.
#[tauri::command]
#[specta::specta]
pub async fn run_operation(
    state: State<'_, AppState>,
    profile_id: u32,
    request: OperationRequest,
    operation_id: String,
    backup_id: Option<u32>,
    on_progress: Channel<ProgressEvent>,
) -> Result<RunOutcome, AppError> {
    let (profile, project, url) = load(&state, profile_id).await?;
    let backup = match backup_id {
        Some(id) => Some(state.store.backup(i64::from(id)).await?),
        None => None,
    };
    let progress: stratum_db::ProgressFn = Arc::new(move |p: &Progress| {
        let event = match p {
            Progress::Planned { steps, .. } => ProgressEvent::Planned {
                steps: to_u32(*steps),
            },
            Progress::StepStarted {
                index,
                total,
                revision,
                ..
            } => ProgressEvent::StepStarted {
                index: to_u32(*index),
                total: to_u32(*total),
                revision: revision.clone(),
            },
            Progress::Statement {
                index,
                number,
                line,
                sql,
            } => ProgressEvent::Statement {
                index: to_u32(*index),
                number: to_u32(*number),
                line: to_u32(*line),
                sql: sql.clone(),
            },
            Progress::StepFinished {
                index,
                revision,
                millis,
            } => ProgressEvent::StepFinished {
                index: to_u32(*index),
                revision: revision.clone(),
                millis: u32::try_from(*millis).unwrap_or(u32::MAX),
            },
            Progress::Output { line } => ProgressEvent::Output { line: line.clone() },
        };
        // A closed window stops listening; the run goes on regardless.
        let _ = on_progress.send(event);
    });
    let opts = RunOptions {
        progress: Some(progress),
        ..RunOptions::default()
    };
    if let Ok(mut running) = state.running.lock() {
        running.insert(operation_id.clone(), opts.cancel.clone());
    }
    let mut target = stratum_fleet::Target {
        profile,
        project,
        url,
    };
    let ran = stratum_fleet::run_checked(
        &state.store,
        &mut target,
        &state.renders,
        &operation(&request),
        &opts,
        backup.as_ref(),
    )
    .await;
    if let Ok(mut running) = state.running.lock() {
        running.remove(&operation_id);
    }
    Ok(run_outcome(ran?))
}

/// A run's outcome in the window's words.
pub(crate) fn run_outcome(ran: stratum_fleet::Ran) -> RunOutcome {
    let millis = u32::try_from(ran.millis).unwrap_or(u32::MAX);
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
            steps: to_u32(report.plan.steps.len()),
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
            failure: Some(failure_view(&f)),
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
) -> Result<Vec<AuditView>, AppError> {
    let entries = state.store.audit(profile_id.map(i64::from)).await?;
    Ok(entries
        .into_iter()
        .map(|e| AuditView {
            id: id32(e.id),
            at: e.at,
            who: e.who,
            profile_name: e.profile_name,
            operation: e.operation,
            target: e.target,
            rows_before: e.rows_before,
            rows_after: e.rows_after,
            duration_ms: u32::try_from(e.duration_ms).unwrap_or(u32::MAX),
            result: e.result,
            message: e.message,
            backup: e.backup,
        })
        .collect())
}

pub(crate) fn failure_view(f: &stratum_db::RunFailure) -> FailureView {
    FailureView {
        revision: f.revision.clone(),
        file: f.file.clone(),
        line: f.line.map(to_u32),
        statement: f.statement.clone(),
        message: f.message.clone(),
        rolled_back: f.rolled_back,
        committed: f.committed.clone(),
        rows_now: f.rows_now.clone(),
    }
}

/// The safety checks' findings for the revisions the database has not applied yet.
#[tauri::command]
#[specta::specta]
pub async fn pending_findings(
    state: State<'_, AppState>,
    profile_id: u32,
) -> Result<Vec<FindingView>, AppError> {
    let (profile, mut project, url) = load(&state, profile_id).await?;
    let mut conn = Connection::connect(&url, CONNECT_TIMEOUT).await?;
    let rows = conn
        .version_rows(&VersionTable::from_config(&project.config))
        .await;
    conn.close().await;
    let pending = project.map.pending(&rows?)?;
    let failures = with_sql(&state, &profile, &mut project, &url).await?;
    Ok(
        stratum_fleet::findings::revision_findings(&project, &pending, url.dialect(), &failures)?
            .iter()
            .map(crate::findings::finding_view)
            .collect(),
    )
}
