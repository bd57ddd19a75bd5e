//! Rehearsals from the window: every step of an upgrade proved on a scratch database, each
//! step's result streamed as it ends; `operation_id` lets the window cancel it.

use std::path::Path;
use std::sync::Arc;

use stratum_operations::{
    keep_rehearsal, rehearse, Rehearsal, RehearsalOptions, RehearsedStep, Start, Target,
};
use tauri::ipc::Channel;
use tauri::State;

use crate::backup_commands::tools;
use crate::{AppError, AppState};

#[tauri::command]
#[specta::specta]
#[allow(clippy::too_many_arguments)]
pub async fn rehearse_profile(
    state: State<'_, AppState>,
    profile_id: u32,
    target: String,
    from_base: bool,
    with_data: bool,
    from_backup: Option<u32>,
    operation_id: String,
    on_step: Channel<RehearsedStep>,
) -> Result<Rehearsal, AppError> {
    let Target {
        profile,
        project,
        url,
    } = state.load(profile_id).await?;
    // The copy would put production rows in a scratch database beside them.
    if with_data && profile.environment == "production" {
        return Err(AppError::Input(
            "a rehearsal with data copies every row: run it on a development or staging profile"
                .into(),
        ));
    }
    let backup = match from_backup {
        Some(id) => Some(state.store.backup(i64::from(id)).await?),
        None => None,
    };
    if backup
        .as_ref()
        .is_some_and(|b| b.profile_id != Some(profile.id))
    {
        return Err(AppError::Input(
            "that backup is another profile's: rehearse from one of this database's own".into(),
        ));
    }
    let tools = tools(&project, Path::new(&profile.project_dir));
    let runner = state.runner(&profile, &project).await?;
    let opts = RehearsalOptions {
        start: Some(match (&backup, from_base) {
            (Some(_), _) => Start::Backup,
            (None, true) => Start::Base,
            (None, false) => Start::Live,
        }),
        with_data,
        backup: backup.as_ref().map(|b| std::path::PathBuf::from(&b.path)),
        each: Some(Arc::new(move |s: &RehearsedStep| {
            // A closed window stops listening; the rehearsal goes on and is dropped all the same.
            let _ = on_step.send(s.clone());
        })),
        ..RehearsalOptions::default()
    };
    let _cancellable = state.cancellable(&operation_id, &opts.cancel);
    let done = rehearse(&url, &project, &target, runner.as_ref(), &tools, &opts).await?;
    let compared_rows = with_data || backup.is_some();
    keep_rehearsal(&state.store, profile.id, &project, &done, compared_rows).await?;
    Ok(done)
}
