//! Commands that reach the user's files: the system dialogs, and a profile drafted from a
//! team's `alembic.ini`.

use std::path::{Path, PathBuf};

use stratum_db::{DatabaseUrl, Engine};
use stratum_project::{AlembicIni, CONFIG_FILE};
use tauri::State;

use crate::picker::Pick;
use crate::views::ProfileDraft;
use crate::{AppError, AppState};

async fn pick(
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

/// The system file dialog for an `alembic.ini`; `None` when the user cancels.
#[tauri::command]
#[specta::specta]
pub async fn choose_alembic_ini(
    state: State<'_, AppState>,
    start: Option<String>,
) -> Result<Option<String>, AppError> {
    pick(&state, Pick::AlembicIni, start).await
}

/// Drafts a profile from an `alembic.ini`: its URL (the password split off), and the project
/// folder when a Stratum project sits next to it.
#[tauri::command]
#[specta::specta]
pub async fn read_alembic_ini(path: String) -> Result<ProfileDraft, AppError> {
    let ini = AlembicIni::read(Path::new(path.trim()))?;
    let here = ini.path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut notes = Vec::new();
    let (url, password) = match &ini.url {
        None => {
            notes.push(format!(
                "{} sets no sqlalchemy.url (it may be set in env.py): type the database URL.",
                ini.path.display()
            ));
            (None, None)
        }
        Some(raw) => {
            let mut url = DatabaseUrl::parse(raw)?;
            // Alembic opens a relative SQLite path from where it is run, which is the ini's folder.
            if url.engine == Engine::Sqlite {
                if let Some(p) = url.path.as_ref().filter(|p| p.is_relative()) {
                    let absolute = here.join(p);
                    notes.push(format!(
                        "The SQLite file is relative in the ini; it was taken as {}.",
                        absolute.display()
                    ));
                    url.path = Some(absolute);
                }
            }
            (Some(url.without_password()), url.password.clone())
        }
    };
    let candidates = [Some(here.clone()), ini.script_location.clone()];
    let project_dir = candidates
        .into_iter()
        .flatten()
        .find(|d| d.join(CONFIG_FILE).is_file());
    if project_dir.is_none() {
        notes.push(format!(
            "There is no {CONFIG_FILE} next to the ini: choose the migration project folder."
        ));
    }
    let name = here
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Alembic project".into());
    Ok(ProfileDraft {
        name,
        url,
        password,
        project_dir: project_dir.map(|d| d.display().to_string()),
        notes,
    })
}
