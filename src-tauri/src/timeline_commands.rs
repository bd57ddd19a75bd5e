//! The timeline: the revision graph with where the database stands, one revision's SQL, and
//! the safety checks' findings on what is pending.

use std::collections::HashSet;

use stratum_alembic::RenderFailure;
use stratum_db::{DbError, Interruption, Journal, VersionTable};
use stratum_operations::{current_rows, Target, CONNECT_TIMEOUT};
use stratum_store::{Secrets, Store};
use tauri::State;

use crate::profile_commands::profile_view;
use crate::state::load_target;
use crate::views::*;
use crate::{AppError, AppState};

/// The revision graph of the profile's project, with where the database stands.
#[tauri::command]
#[specta::specta]
pub async fn timeline(
    state: State<'_, AppState>,
    profile_id: u32,
) -> Result<TimelineView, AppError> {
    if let Some(answer) = state.first_timeline.take(profile_id).await {
        return answer;
    }
    read_timeline(&state.store, &state.secrets, profile_id).await
}

/// What `timeline` answers, read now.
pub(crate) async fn read_timeline(
    store: &Store,
    secrets: &Secrets,
    profile_id: u32,
) -> Result<TimelineView, AppError> {
    let Target {
        profile,
        project,
        url,
    } = load_target(store, secrets, profile_id).await?;
    let database = match stratum_operations::connect(&url, CONNECT_TIMEOUT).await {
        Ok(mut conn) => {
            let read = async {
                let server = conn.server_info().await?.version;
                let vt = VersionTable::from_config(&project.config);
                let rows = conn.version_rows(&vt).await?;
                let interrupted = match Journal::new(&vt, conn.dialect()).read(&mut conn).await? {
                    Some(row) => Some(Interruption::describe(&mut conn, &project, row).await?),
                    None => None,
                };
                Ok::<_, DbError>((server, rows, interrupted))
            }
            .await;
            conn.close().await;
            match read {
                Ok((server, rows, interrupted)) => {
                    let pending = project.map.pending(&rows).unwrap_or_default();
                    DatabaseState::Reachable {
                        rows,
                        pending,
                        server,
                        interrupted,
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
    // A set: the timeline asks it once per revision, of projects with thousands.
    let applied: HashSet<String> = project
        .map
        .applied(&rows_now)
        .unwrap_or_default()
        .into_iter()
        .collect();
    let map = &project.map;
    let layout = map.timeline();
    let rows = layout
        .rows
        .into_iter()
        .map(|layout| {
            let id = layout.revision.as_str();
            let file = project.file(id);
            RevisionRow {
                message: file.map(|f| f.message.clone()).unwrap_or_default(),
                created: file
                    .and_then(|f| f.created)
                    .map(|c| c.format("%Y-%m-%d %H:%M").to_string()),
                file: file
                    .map(|f| f.path.display().to_string())
                    .unwrap_or_default(),
                down_revisions: map.down_revisions(id),
                labels: map.labels(id),
                is_head: map.children(id).is_empty(),
                is_merge_point: map.is_merge_point(id),
                is_branch_point: map.is_branch_point(id),
                applied: applied.contains(id),
                current: rows_now.iter().any(|r| r == id),
                layout,
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
    let Target {
        profile,
        mut project,
        url,
    } = state.load(profile_id).await?;
    // Without its Python the revision can still be read; its SQL then says why it is missing.
    // Untrusted, nothing ran: the window asks for trust and asks again.
    let failures = match state.with_sql(&profile, &mut project, &url).await {
        Ok(f) => f,
        Err(e @ AppError::Untrusted(_)) => return Err(e),
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

/// The safety checks' findings for the revisions the database has not applied yet.
#[tauri::command]
#[specta::specta]
pub async fn pending_findings(
    state: State<'_, AppState>,
    profile_id: u32,
) -> Result<Vec<FindingView>, AppError> {
    let target = state.load(profile_id).await?;
    let pending = target.project.map.pending(&current_rows(&target).await?)?;
    let Target {
        profile,
        mut project,
        url,
    } = target;
    let failures = state.with_sql(&profile, &mut project, &url).await?;
    Ok(stratum_operations::findings::revision_findings(
        &project,
        &pending,
        url.dialect(),
        &failures,
    )?
    .iter()
    .map(FindingView::from)
    .collect())
}
