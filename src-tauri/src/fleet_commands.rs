//! The fleet view: every profile's status at once, drift checks over many, and batch runs
//! with their report. Thin: the engine is stratum-fleet.

use std::sync::Arc;

use stratum_db::CancelToken;
use stratum_fleet::{
    check_drift, run_batch, status, BatchEvent, BatchOptions, BatchReport, FleetStatus,
    State as Standing, StatusOptions,
};
use stratum_store::{rows_of, DriftCheck, Profile};
use tauri::ipc::Channel;
use tauri::State;

use crate::commands::operation;
use crate::picker::Pick;
use crate::views::*;
use crate::{AppError, AppState};

fn u32_of(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

fn drift_view(d: &DriftCheck) -> DriftView {
    DriftView {
        profile_id: u32_of(d.profile_id),
        at: d.at.clone(),
        differences: i32::try_from(d.differences).unwrap_or(i32::MAX),
        summary: d.summary.clone(),
    }
}

fn row(s: &FleetStatus) -> FleetRow {
    FleetRow {
        profile_id: u32_of(s.profile_id),
        name: s.name.clone(),
        client: s.client.clone(),
        environment: s.environment.clone(),
        tags: s.tags.clone(),
        database: s.database.clone(),
        state: match s.state {
            Standing::UpToDate => "up_to_date",
            Standing::Pending => "pending",
            Standing::UnknownRows => "unknown_rows",
            Standing::Unreachable => "unreachable",
            Standing::Invalid => "invalid",
        }
        .into(),
        reason: s.reason.clone(),
        server: s.server.clone(),
        rows: s.rows.clone(),
        pending: s.pending.clone(),
        several_heads: s.several_heads,
        project_heads: u32::try_from(s.project_heads).unwrap_or(u32::MAX),
        last_backup_at: s.last_backup.as_ref().map(|b| b.at.clone()),
        last_backup_age_seconds: s.last_backup.as_ref().map(|b| u32_of(b.age_seconds)),
        last_operation: s.last_operation.as_ref().map(|o| LastOperationView {
            at: o.at.clone(),
            operation: o.operation.clone(),
            target: o.target.clone(),
            result: o.result.clone(),
            message: o.message.clone(),
        }),
        drift: s.drift.as_ref().map(drift_view),
        millis: u32::try_from(s.millis).unwrap_or(u32::MAX),
    }
}

async fn chosen(state: &AppState, ids: &[u32]) -> Result<Vec<Profile>, AppError> {
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
    on_row: Channel<FleetRow>,
) -> Result<Vec<FleetRow>, AppError> {
    let profiles = state.store.profiles().await?;
    let all = status(
        &state.store,
        &state.secrets,
        profiles,
        &StatusOptions::default(),
        move |s| {
            // A closed window stops listening; the reading goes on regardless.
            let _ = on_row.send(row(s));
        },
    )
    .await?;
    Ok(all.iter().map(row).collect())
}

/// Checks drift on the chosen databases (each built on a scratch database), a few at a time.
#[tauri::command]
#[specta::specta]
pub async fn fleet_drift(
    state: State<'_, AppState>,
    profile_ids: Vec<u32>,
    on_row: Channel<DriftView>,
) -> Result<Vec<DriftView>, AppError> {
    let profiles = chosen(&state, &profile_ids).await?;
    let fleet = state.fleet();
    let done = check_drift(
        &fleet,
        profiles,
        3,
        Arc::new(move |d: &DriftCheck| {
            let _ = on_row.send(drift_view(d));
        }),
    )
    .await;
    Ok(done.iter().map(drift_view).collect())
}

fn report_view(r: &BatchReport) -> BatchReportView {
    BatchReportView {
        id: u32_of(r.batch.id),
        at: r.batch.at.clone(),
        who: r.batch.who.clone(),
        operation: r.batch.operation.clone(),
        target: r.batch.target.clone(),
        options: r.batch.options.clone(),
        finished_at: r.batch.finished_at.clone(),
        duration_ms: u32_of(r.batch.duration_ms),
        summary: r.summary(),
        items: r
            .items
            .iter()
            .map(|i| BatchItemView {
                position: u32_of(i.position),
                profile_id: i.profile_id.map(u32_of),
                profile_name: i.profile_name.clone(),
                client: i.client.clone(),
                environment: i.environment.clone(),
                rows_before: rows_of(&i.rows_before),
                rows_after: rows_of(&i.rows_after),
                rows_read: i.rows_read,
                backup: i.backup.clone(),
                duration_ms: u32_of(i.duration_ms),
                result: i.result.clone(),
                message: i.message.clone(),
            })
            .collect(),
    }
}

/// Runs one operation on the chosen databases; `batch_key` lets the window cancel it.
#[tauri::command]
#[specta::specta]
pub async fn run_batch_operation(
    state: State<'_, AppState>,
    request: BatchRequest,
    batch_key: String,
    on_event: Channel<BatchEventView>,
) -> Result<BatchReportView, AppError> {
    let profiles = chosen(&state, &request.profile_ids).await?;
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
    };
    let op = operation(&OperationRequest {
        kind: request.kind,
        target: request.target.clone(),
    });
    let cancel = CancelToken::default();
    if let Ok(mut running) = state.running.lock() {
        running.insert(batch_key.clone(), cancel.clone());
    }
    let fleet = state.fleet();
    let report = run_batch(
        &fleet,
        profiles,
        &op,
        &opts,
        &cancel,
        Arc::new(move |e: &BatchEvent| {
            let _ = on_event.send(BatchEventView {
                position: u32::try_from(e.position).unwrap_or(u32::MAX),
                profile_id: u32_of(e.profile_id),
                // The window's names are the words with underscores ("backing_up").
                phase: e.phase.label().replace(' ', "_"),
                detail: e.detail.clone(),
            });
        }),
    )
    .await;
    if let Ok(mut running) = state.running.lock() {
        running.remove(&batch_key);
    }
    Ok(report_view(&report?))
}

/// A past batch's report.
#[tauri::command]
#[specta::specta]
pub async fn batch_report(
    state: State<'_, AppState>,
    batch_id: u32,
) -> Result<BatchReportView, AppError> {
    let (batch, items) = state.store.batch(i64::from(batch_id)).await?;
    Ok(report_view(&BatchReport { batch, items }))
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
        .iter()
        .map(|b| {
            let t = tallies.get(&b.id).cloned().unwrap_or_default();
            BatchSummaryView {
                id: u32_of(b.id),
                at: b.at.clone(),
                operation: b.operation.clone(),
                target: b.target.clone(),
                duration_ms: u32_of(b.duration_ms),
                databases: u32_of(t.databases),
                succeeded: u32_of(t.succeeded),
                up_to_date: u32_of(t.up_to_date),
                failed: u32_of(t.failed),
                skipped: u32_of(t.skipped),
                cancelled: u32_of(t.cancelled),
            }
        })
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
        "csv" => (Pick::SaveCsv, stratum_fleet::to_csv(&report)),
        "html" => (Pick::SaveHtml, stratum_fleet::to_html(&report)),
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
