//! The fleet view: every profile's status at once, drift checks over many, and batch runs
//! with their report. Thin: the engine is stratum-operations.

use std::sync::Arc;

use stratum_db::CancelToken;
use stratum_operations::fleet::{
    check_drift, run_batch, status, BatchEvent, BatchOptions, BatchReport, FleetStatus,
    StatusOptions,
};
use stratum_operations::GateAnswers;
use stratum_store::{DriftCheck, Profile};
use tauri::ipc::Channel;
use tauri::State;

use crate::operation_commands::operation;
use crate::picker::Pick;
use crate::views::*;
use crate::{AppError, AppState};

pub(crate) async fn chosen(state: &AppState, ids: &[u32]) -> Result<Vec<Profile>, AppError> {
    let all = state.store.profiles().await?;
    let chosen: Vec<Profile> = all
        .into_iter()
        .filter(|p| ids.iter().any(|id| i64::from(*id) == p.id))
        .collect();
    if chosen.is_empty() {
        return Err(AppError::Input("choose at least one database".into()));
    }
    Ok(chosen)
}

/// Every profile's status, each sent on `on_row` as soon as it is known (a dead server answers
/// after its timeout without holding up the others).
#[tauri::command]
#[specta::specta]
pub async fn fleet_status(
    state: State<'_, AppState>,
    on_row: Channel<FleetStatus>,
) -> Result<Vec<FleetStatus>, AppError> {
    let profiles = state.store.profiles().await?;
    let all = status(
        &state.store,
        &state.secrets,
        profiles,
        &StatusOptions::default(),
        move |s| {
            // A closed window stops listening; the reading goes on regardless.
            let _ = on_row.send(s.clone());
        },
    )
    .await?;
    Ok(all)
}

/// Checks drift on the chosen databases (each built on a scratch database), a few at a time.
#[tauri::command]
#[specta::specta]
pub async fn fleet_drift(
    state: State<'_, AppState>,
    profile_ids: Vec<u32>,
    on_row: Channel<DriftCheck>,
) -> Result<Vec<DriftCheck>, AppError> {
    let profiles = chosen(&state, &profile_ids).await?;
    state.may_run_all(&profiles).await?;
    let fleet = state.fleet();
    let done = check_drift(
        &fleet,
        profiles,
        3,
        Arc::new(move |d: &DriftCheck| {
            let _ = on_row.send(d.clone());
        }),
    )
    .await;
    Ok(done)
}

fn report_view(report: BatchReport) -> BatchReportView {
    BatchReportView {
        summary: report.summary(),
        report,
    }
}

/// Runs one operation on the chosen databases; `batch_key` lets the window cancel it.
#[tauri::command]
#[specta::specta]
pub async fn run_batch_operation(
    state: State<'_, AppState>,
    request: BatchRequest,
    batch_key: String,
    on_event: Channel<BatchEvent>,
) -> Result<BatchReportView, AppError> {
    let profiles = chosen(&state, &request.profile_ids).await?;
    state.may_run_all(&profiles).await?;
    let production = profiles
        .iter()
        .filter(|p| p.environment == "production")
        .count();
    let confirmed = production == 0
        || request
            .production_confirmation
            .as_deref()
            .is_some_and(|typed| typed.trim() == production.to_string());
    let opts = BatchOptions {
        concurrency: usize::try_from(request.concurrency.clamp(1, 32)).unwrap_or(4),
        stop_on_failure: request.stop_on_failure,
        backup_all: request.backup_all,
        production_confirmed: confirmed,
        gate: GateAnswers {
            reviewer: request.reviewer.clone(),
            override_reason: request.override_reason.clone(),
        },
        rest_of: request.rest_of.map(i64::from),
        resume: false,
    };
    let op = operation(&OperationRequest {
        kind: request.kind,
        target: request.target.clone(),
        resume: None,
    });
    let cancel = CancelToken::default();
    let _cancellable = state.cancellable(&batch_key, &cancel);
    let fleet = state.fleet();
    let report = run_batch(
        &fleet,
        profiles,
        &op,
        &opts,
        &cancel,
        Arc::new(move |e: &BatchEvent| {
            let _ = on_event.send(e.clone());
        }),
    )
    .await;
    Ok(report_view(report?))
}

/// A past batch's report.
#[tauri::command]
#[specta::specta]
pub async fn batch_report(
    state: State<'_, AppState>,
    batch_id: u32,
) -> Result<BatchReportView, AppError> {
    let (batch, items) = state.store.batch(i64::from(batch_id)).await?;
    Ok(report_view(BatchReport { batch, items }))
}

/// Past batches, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_batches(state: State<'_, AppState>) -> Result<Vec<BatchSummaryView>, AppError> {
    let tallies = state.store.batch_tallies().await?;
    Ok(state
        .store
        .batches()
        .await?
        .into_iter()
        .map(|batch| {
            let tally = tallies.get(&batch.id).cloned().unwrap_or_default();
            BatchSummaryView {
                interrupted: batch.interrupted(&tally),
                tally,
                batch,
            }
        })
        .collect())
}

/// Batches that never finished and left databases pending (their process was killed), newest
/// first, each with its line per database: the fleet view offers to run the rest.
#[tauri::command]
#[specta::specta]
pub async fn interrupted_batches(
    state: State<'_, AppState>,
) -> Result<Vec<BatchReportView>, AppError> {
    Ok(state
        .store
        .interrupted_batches()
        .await?
        .into_iter()
        .map(|(batch, items)| report_view(BatchReport { batch, items }))
        .collect())
}

/// Saves a batch's report as CSV or HTML where the user chooses; `None` when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn save_batch_report(
    state: State<'_, AppState>,
    batch_id: u32,
    format: String,
) -> Result<Option<String>, AppError> {
    let (batch, items) = state.store.batch(i64::from(batch_id)).await?;
    let report = BatchReport { batch, items };
    let (what, body) = match format.as_str() {
        "csv" => (Pick::SaveCsv, stratum_operations::fleet::to_csv(&report)),
        "html" => (Pick::SaveHtml, stratum_operations::fleet::to_html(&report)),
        other => {
            return Err(AppError::Input(format!(
                "a report is saved as csv or html, not {other}"
            )))
        }
    };
    let Some(path) = crate::file_commands::pick(&state, what, None).await? else {
        return Ok(None);
    };
    std::fs::write(&path, body)
        .map_err(|e| AppError::Input(format!("cannot write {path}: {e}")))?;
    Ok(Some(path))
}
