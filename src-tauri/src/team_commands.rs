//! Profiles shared with a team: exported to a file the user chooses (no password in it), and
//! imported from one, each server's password typed in the window unless this keychain or the
//! engine's own files already have it.

use std::collections::BTreeMap;
use std::path::Path;

use stratum_operations::profile_file::{
    import, read, servers_wanting_a_password, ImportOptions, Imported,
};
use stratum_store::Secrets;
use tauri::State;

use crate::file_commands::pick;
use crate::picker::Pick;
use crate::views::ProfilesFileView;
use crate::{AppError, AppState};

/// Writes every profile to a file the user chooses; `None` when the dialog is cancelled.
#[tauri::command]
#[specta::specta]
pub async fn export_profiles(state: State<'_, AppState>) -> Result<Option<String>, AppError> {
    let Some(path) = pick(&state, Pick::SaveProfiles, None).await? else {
        return Ok(None);
    };
    let profiles = state.store.profiles().await?;
    stratum_operations::profile_file::export(&profiles, Path::new(&path))?;
    Ok(Some(path))
}

/// The system dialog for a profiles file, and what it holds: its profiles and the servers whose
/// password is not known here. `None` when the dialog is cancelled.
#[tauri::command]
#[specta::specta]
pub async fn choose_profiles_file(
    state: State<'_, AppState>,
) -> Result<Option<ProfilesFileView>, AppError> {
    let Some(path) = pick(&state, Pick::ProfilesFile, None).await? else {
        return Ok(None);
    };
    Ok(Some(
        profiles_file(&state.store, &state.secrets, &path).await?,
    ))
}

pub(crate) async fn profiles_file(
    store: &stratum_store::Store,
    secrets: &Secrets,
    path: &str,
) -> Result<ProfilesFileView, AppError> {
    let shared = read(Path::new(path))?;
    let existing = store.profiles().await?;
    Ok(ProfilesFileView {
        path: path.to_string(),
        profiles: shared.profiles.iter().map(|p| p.name.clone()).collect(),
        taken: shared
            .profiles
            .iter()
            .filter(|p| existing.iter().any(|e| e.name == p.name))
            .map(|p| p.name.clone())
            .collect(),
        servers_wanting_a_password: servers_wanting_a_password(&shared, &existing, secrets),
    })
}

/// Imports the file's profiles, with the passwords typed for their servers.
#[tauri::command]
#[specta::specta]
pub async fn import_profiles(
    state: State<'_, AppState>,
    path: String,
    passwords: BTreeMap<String, String>,
) -> Result<Imported, AppError> {
    Ok(import(
        &state.store,
        &state.secrets,
        Path::new(&path),
        &ImportOptions {
            passwords,
            ..Default::default()
        },
    )
    .await?)
}
