//! The seed's checklist in the window: a profile's check-up, the check-up of many for the
//! fleet view, and the release gate of an operation about to run. Thin: the engine is
//! stratum-operations.

use std::sync::Arc;

use stratum_operations::fleet::checkup_many;
use stratum_operations::{release_gate, Checkup, GateRun, ReleaseGate};
use stratum_store::CheckupRecord;
use tauri::ipc::Channel;
use tauri::State;

use crate::fleet_commands::chosen;
use crate::operation_commands::planned;
use crate::views::OperationRequest;
use crate::{AppError, AppState};

/// Checks up on a profile's database, and keeps the result for the fleet view.
#[tauri::command]
#[specta::specta]
pub async fn checkup_profile(
    state: State<'_, AppState>,
    profile_id: u32,
) -> Result<Checkup, AppError> {
    let mut target = state.load(profile_id).await?;
    state.may_run(&target.project).await?;
    Ok(stratum_operations::checkup_profile(&state.store, &mut target, &state.renders).await?)
}

/// Checks up on the chosen databases, a few at a time, each sent on `on_row` when done.
#[tauri::command]
#[specta::specta]
pub async fn fleet_checkup(
    state: State<'_, AppState>,
    profile_ids: Vec<u32>,
    on_row: Channel<CheckupRecord>,
) -> Result<Vec<CheckupRecord>, AppError> {
    let profiles = chosen(&state, &profile_ids).await?;
    state.may_run_all(&profiles).await?;
    let fleet = state.fleet();
    Ok(checkup_many(
        &fleet,
        profiles,
        3,
        Arc::new(move |c: &CheckupRecord| {
            let _ = on_row.send(c.clone());
        }),
    )
    .await)
}

/// The release gate of an operation on a profile, from the evidence the store holds;
/// `backup_first` is whether the window takes a backup before running, `reviewer` who the
/// person says reviewed the code.
#[tauri::command]
#[specta::specta]
pub async fn release_gate_of(
    state: State<'_, AppState>,
    profile_id: u32,
    request: OperationRequest,
    backup_first: bool,
    reviewer: String,
) -> Result<ReleaseGate, AppError> {
    let (target, plan, findings) = planned(&state, profile_id, &request).await?;
    let blocking: Vec<String> = findings
        .iter()
        .filter(|f| f.blocks())
        .map(|f| format!("{} in {}:{}", f.rule, f.file, f.line))
        .collect();
    Ok(release_gate(
        &state.store,
        &target,
        &GateRun {
            plan: &plan,
            blocking: &blocking,
            backup_now: backup_first,
            reviewer: &reviewer,
            now: chrono::Utc::now(),
        },
    )
    .await?)
}
