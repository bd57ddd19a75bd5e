//! Commands that reach the user's files: the system dialogs, and a profile drafted from a
//! team's `alembic.ini`.

use std::path::{Path, PathBuf};

use stratum_operations::{draft_from_alembic_ini, ProfileDraft, Target};
use tauri::State;

use crate::picker::Pick;
use crate::{AppError, AppState};

pub(crate) async fn pick(
    state: &AppState,
    what: Pick,
    start: Option<String>,
) -> Result<Option<String>, AppError> {
    let picker = state.picker.as_ref().ok_or_else(|| {
        AppError::Input("the system file dialog is not available here: type the path".into())
    })?;
    let answer = picker.pick(what, start.map(PathBuf::from)).await;
    Ok(answer.ok().flatten().map(|p| p.display().to_string()))
}

/// The system folder dialog; `None` when the user cancels.
#[tauri::command]
#[specta::specta]
pub async fn choose_project_folder(
    state: State<'_, AppState>,
    start: Option<String>,
) -> Result<Option<String>, AppError> {
    pick(&state, Pick::Folder, start).await
}

/// The system file dialog for an `alembic.ini` (or a `pyproject.toml` with `[tool.alembic]`);
/// `None` when the user cancels.
#[tauri::command]
#[specta::specta]
pub async fn choose_alembic_ini(
    state: State<'_, AppState>,
    start: Option<String>,
) -> Result<Option<String>, AppError> {
    pick(&state, Pick::AlembicIni, start).await
}

/// Drafts a profile from an `alembic.ini` or a `pyproject.toml`: its URL (the password split off), and the project
/// folder when a Stratum project sits next to it.
#[tauri::command]
#[specta::specta]
pub async fn read_alembic_ini(path: String) -> Result<ProfileDraft, AppError> {
    Ok(draft_from_alembic_ini(Path::new(path.trim()))?)
}

/// Saves an operation's SQL (what the preview shows, Alembic's `--sql` shape) where the user
/// chooses; `None` when the dialog is cancelled.
#[tauri::command]
#[specta::specta]
pub async fn save_operation_sql(
    state: State<'_, AppState>,
    profile_id: u32,
    request: crate::views::OperationRequest,
) -> Result<Option<String>, AppError> {
    let plan =
        crate::operation_commands::plan_operation(state.clone(), profile_id, request).await?;
    let Some(path) = pick(&state, Pick::SaveSql, None).await? else {
        return Ok(None);
    };
    std::fs::write(&path, &plan.sql)
        .map_err(|e| AppError::Input(format!("cannot write {path}: {e}")))?;
    Ok(Some(path))
}

/// Converts the profile's Alembic project into a Stratum project of SQL revisions for the
/// profile's engine, in an empty folder the user chooses; `None` when the dialog is cancelled.
#[tauri::command]
#[specta::specta]
pub async fn convert_project(
    state: State<'_, AppState>,
    profile_id: u32,
) -> Result<Option<crate::views::ConvertedView>, AppError> {
    let Target {
        profile,
        project,
        url,
    } = state.load(profile_id).await?;
    let alembic = state.alembic(&profile, &project).await?;
    let Some(dir) = pick(
        &state,
        Pick::NewProject,
        project.dir.parent().map(|d| d.display().to_string()),
    )
    .await?
    else {
        return Ok(None);
    };
    let done = stratum_alembic::convert(
        &alembic,
        &project,
        Path::new(&dir),
        &[url.dialect()],
        Some(&url),
    )
    .await?;
    Ok(Some(crate::views::ConvertedView {
        dir: done.dir.display().to_string(),
        revisions: u32::try_from(done.files.len()).unwrap_or(u32::MAX),
        dialect: url.dialect().to_string(),
        outside_transaction: done.outside_transaction,
    }))
}
