//! New revisions and merge points written into the profile's project: by Stratum for SQL
//! projects, by the project's own Alembic (its template, autogenerate) for Alembic ones.

use stratum_operations::Target;
use stratum_project::{new_revision_id, NewRevision, Project};
use tauri::State;

use crate::views::WrittenRevision;
use crate::{AppError, AppState};

fn write(project: &Project, rev: NewRevision) -> Result<WrittenRevision, AppError> {
    let path = rev.write(&project.versions_dir())?;
    Ok(WrittenRevision {
        revision: rev.id.clone(),
        file: path.display().to_string(),
        content: rev.render(),
    })
}

fn now() -> String {
    stratum_store::Store::now()
}

/// Writes a merge revision joining every head of the profile's project.
#[tauri::command]
#[specta::specta]
pub async fn merge_heads(
    state: State<'_, AppState>,
    profile_id: u32,
    message: String,
) -> Result<WrittenRevision, AppError> {
    let Target {
        profile,
        project,
        url: _,
    } = state.load(profile_id).await?;
    let parents = project.map.merge_parents(&[], false)?;
    let message = if message.trim().is_empty() {
        "merge heads".to_string()
    } else {
        message
    };
    if project.alembic().is_some() {
        let w = state
            .alembic(&profile, &project)
            .await?
            .merge(&parents, &message, None, None, |_| {})
            .await?;
        return written(w);
    }
    write(&project, NewRevision::merge_point(parents, message, now()))
}

/// A file an Alembic project's own Alembic wrote.
fn written(w: stratum_alembic::Written) -> Result<WrittenRevision, AppError> {
    Ok(WrittenRevision {
        content: std::fs::read_to_string(&w.path).unwrap_or_default(),
        revision: w.revision,
        file: w.path.display().to_string(),
    })
}

/// Writes a new, empty revision after the head; in an Alembic project through its own Alembic
/// (its template), and with `autogenerate` from the difference between its models and the
/// profile's database.
#[tauri::command]
#[specta::specta]
pub async fn new_revision(
    state: State<'_, AppState>,
    profile_id: u32,
    message: String,
    autogenerate: bool,
) -> Result<WrittenRevision, AppError> {
    let Target {
        profile,
        project,
        url,
    } = state.load(profile_id).await?;
    if project.alembic().is_some() {
        let w = state
            .alembic(&profile, &project)
            .await?
            .revision(
                &stratum_alembic::NewAlembicRevision {
                    message,
                    autogenerate,
                    ..Default::default()
                },
                Some(&url),
                |_| {},
            )
            .await?;
        return written(w);
    }
    if autogenerate {
        return Err(AppError::Input(
            "autogenerate compares an Alembic project's models with the database; this project is SQL revisions".into(),
        ));
    }
    let parents = project.map.parents_of_new_revision("head", false)?;
    write(
        &project,
        NewRevision {
            id: new_revision_id(),
            down_revisions: parents,
            message,
            created: now(),
            ..Default::default()
        },
    )
}
