//! Backups from the window: take, list, verify, restore, delete, reveal.

use std::path::{Path, PathBuf};

use stratum_backup::{RestoreTarget, Tools};
use stratum_db::DatabaseUrl;
use stratum_operations::Target;
use stratum_project::Project;
use stratum_store::{BackupEntry, Profile};
use tauri::State;

use crate::views::*;
use crate::{AppError, AppState};

impl From<stratum_backup::BackupError> for AppError {
    fn from(e: stratum_backup::BackupError) -> Self {
        use stratum_backup::BackupError as E;
        match e {
            E::Db(db) => db.into(),
            E::Corrupt { .. }
            | E::ChecksumMismatch { .. }
            | E::NoManifest { .. }
            | E::WrongEngine { .. } => AppError::Input(e.to_string()),
            other => AppError::Database(other.to_string()),
        }
    }
}

pub(crate) fn tools(project: &Project, project_dir: &Path) -> Tools {
    Tools::new(
        project
            .config
            .backup
            .tools_dir
            .as_ref()
            .map(|d| project_dir.join(d)),
    )
}

fn backup_view(entry: BackupEntry) -> BackupView {
    BackupView {
        present: Path::new(&entry.path).is_file(),
        entry,
    }
}

/// Takes a backup of the profile's database, catalogues it and applies the retention.
pub(crate) async fn take(
    state: &AppState,
    profile: &Profile,
    project: &Project,
    url: &DatabaseUrl,
    reason: &str,
) -> Result<BackupView, AppError> {
    let target = stratum_operations::Target {
        profile: profile.clone(),
        project: project.clone(),
        url: url.clone(),
    };
    let saved = stratum_operations::take(&state.store, &state.data_dir, &target, reason).await?;
    Ok(backup_view(saved))
}

#[tauri::command]
#[specta::specta]
pub async fn list_backups(
    state: State<'_, AppState>,
    profile_id: u32,
) -> Result<Vec<BackupView>, AppError> {
    Ok(state
        .store
        .backups(Some(i64::from(profile_id)))
        .await?
        .into_iter()
        .map(backup_view)
        .collect())
}

#[tauri::command]
#[specta::specta]
pub async fn take_backup(
    state: State<'_, AppState>,
    profile_id: u32,
    reason: String,
) -> Result<BackupView, AppError> {
    let Target {
        profile,
        project,
        url,
    } = state.load(profile_id).await?;
    let reason = if reason.trim().is_empty() {
        "manual".to_string()
    } else {
        reason
    };
    take(&state, &profile, &project, &url, &reason).await
}

async fn entry_and_profile(
    state: &AppState,
    backup_id: u32,
) -> Result<(BackupEntry, Profile, Project, DatabaseUrl), AppError> {
    let entry = state.store.backup(i64::from(backup_id)).await?;
    let pid = entry.profile_id.ok_or_else(|| {
        AppError::Input(
            "this backup's profile was deleted; restore it from the command line".into(),
        )
    })?;
    let Target {
        profile,
        project,
        url,
    } = state.load(u32::try_from(pid).unwrap_or(u32::MAX)).await?;
    Ok((entry, profile, project, url))
}

#[tauri::command]
#[specta::specta]
pub async fn verify_backup(
    state: State<'_, AppState>,
    backup_id: u32,
) -> Result<Vec<String>, AppError> {
    let (entry, profile, project, _) = entry_and_profile(&state, backup_id).await?;
    let v = stratum_backup::verify(
        Path::new(&entry.path),
        &tools(&project, Path::new(&profile.project_dir)),
    )
    .await?;
    if v.manifest.sha256 != entry.sha256 {
        return Err(AppError::Input(format!(
            "{}: the file and its manifest were replaced since the backup was catalogued (SHA-256 {} instead of {})",
            entry.path, v.manifest.sha256, entry.sha256
        )));
    }
    Ok(v.checks)
}

/// Restores a backup: into the profile's own database after a safety backup (`into` None), or
/// into a new database (or SQLite file) named by `into`.
#[tauri::command]
#[specta::specta]
pub async fn restore_backup(
    state: State<'_, AppState>,
    backup_id: u32,
    into: Option<String>,
) -> Result<RestoredView, AppError> {
    let (entry, profile, project, url) = entry_and_profile(&state, backup_id).await?;
    let tools = tools(&project, Path::new(&profile.project_dir));
    let path = PathBuf::from(&entry.path);
    // A damaged backup is refused before anything, the safety backup included, is done.
    stratum_backup::verify(&path, &tools).await?;
    let target = match into.filter(|s| !s.trim().is_empty()) {
        Some(name) => RestoreTarget::New(name.trim().to_string()),
        None => RestoreTarget::Same,
    };
    let safety_backup = if target == RestoreTarget::Same {
        Some(
            take(
                &state,
                &profile,
                &project,
                &url,
                &format!("before restoring the backup of {}", entry.at),
            )
            .await?,
        )
    } else {
        None
    };
    let result = stratum_backup::restore(&url, &path, &tools, &target).await;
    match result {
        Ok(r) => {
            stratum_operations::audit_plain(
                &state.store,
                &profile,
                "restore",
                &entry.at,
                &r.rows,
                r.duration_ms,
                Ok(&r.database),
            )
            .await;
            Ok(RestoredView {
                restored: r,
                safety_backup,
            })
        }
        Err(e) => {
            let e = AppError::from(e);
            stratum_operations::audit_plain(
                &state.store,
                &profile,
                "restore",
                &entry.at,
                &[],
                0,
                Err(e.to_string()),
            )
            .await;
            Err(e)
        }
    }
}

#[tauri::command]
#[specta::specta]
pub async fn delete_backup(state: State<'_, AppState>, backup_id: u32) -> Result<(), AppError> {
    let entry = state.store.delete_backup(i64::from(backup_id)).await?;
    stratum_operations::remove_files(&entry.path);
    Ok(())
}

/// Shows the backup in the system's file manager.
#[tauri::command]
#[specta::specta]
pub async fn reveal_backup(state: State<'_, AppState>, backup_id: u32) -> Result<(), AppError> {
    let entry = state.store.backup(i64::from(backup_id)).await?;
    let path = PathBuf::from(&entry.path);
    if !path.is_file() {
        return Err(AppError::Input(format!(
            "{} is no longer on disk",
            entry.path
        )));
    }
    tauri_plugin_opener::reveal_item_in_dir(&path).map_err(|e| {
        AppError::Input(format!(
            "cannot show {} in the file manager: {e}",
            entry.path
        ))
    })
}
