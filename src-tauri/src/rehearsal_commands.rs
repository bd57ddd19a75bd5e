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
pub async fn rehearse_profile(
    state: State<'_, AppState>,
    profile_id: u32,
    target: String,
    from_base: bool,
    with_data: bool,
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
    let tools = tools(&project, Path::new(&profile.project_dir));
    let runner = stratum_operations::runner(&profile, &project)?;
    let opts = RehearsalOptions {
        start: Some(if from_base { Start::Base } else { Start::Live }),
        with_data,
        each: Some(Arc::new(move |s: &RehearsedStep| {
            // A closed window stops listening; the rehearsal goes on and is dropped all the same.
            let _ = on_step.send(s.clone());
        })),
        ..RehearsalOptions::default()
    };
    let _cancellable = state.cancellable(&operation_id, &opts.cancel);
    let done = rehearse(&url, &project, &target, runner.as_ref(), &tools, &opts).await?;
    keep_rehearsal(&state.store, profile.id, &project, &done, with_data).await?;
    Ok(done)
}
