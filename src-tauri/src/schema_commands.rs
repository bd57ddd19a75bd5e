//! The Schema tab: what is in the profile's database, the tenant audit, drift, and a diff with
//! another profile's database.

use std::time::Duration;

use serde::Serialize;
use specta::Type;
use stratum_db::Connection;
use stratum_operations::Target;
use stratum_schema::{introspect, AuditFinding, Difference, Drift, Provenance, Schema};
use tauri::State;

use crate::{AppError, AppState};

#[derive(Debug, Clone, Serialize, Type)]
pub struct SchemaView {
    pub schema: Schema,
    pub audit: Vec<AuditFinding>,
    /// Which revision created, and last changed, each table, column and index.
    pub provenance: Provenance,
    pub millis: u32,
}

fn schema_error(e: stratum_schema::SchemaError) -> AppError {
    AppError::Database(e.to_string())
}

#[tauri::command]
#[specta::specta]
pub async fn database_schema(
    state: State<'_, AppState>,
    profile_id: u32,
) -> Result<SchemaView, AppError> {
    let Target {
        profile,
        mut project,
        url,
    } = state.load(profile_id).await?;
    let started = std::time::Instant::now();
    // Provenance reads the revisions' SQL; an Alembic project's comes from its offline mode.
    // Without it (no Python, or a folder not trusted yet), the schema is still shown, without
    // provenance: looking at a database is no reason to ask for trust.
    let _ = state.with_sql(&profile, &mut project, &url).await;
    let mut conn = Connection::connect(&url, Duration::from_secs(10)).await?;
    let read = introspect(&mut conn).await;
    conn.close().await;
    let schema = read.map_err(schema_error)?;
    let audit = stratum_schema::tenant_audit(
        &schema,
        &project.config.checks,
        &project.config.version_table.name,
    );
    let provenance = Provenance::of(&project, url.dialect());
    Ok(SchemaView {
        schema,
        audit,
        provenance,
        millis: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
    })
}

/// The database against what its revisions produce at its rows (built on a scratch database).
#[tauri::command]
#[specta::specta]
pub async fn schema_drift(state: State<'_, AppState>, profile_id: u32) -> Result<Drift, AppError> {
    let Target {
        profile,
        project,
        url,
    } = state.load(profile_id).await?;
    let runner = state.runner(&profile, &project).await?;
    stratum_schema::drift(&url, &project, runner.as_ref())
        .await
        .map_err(schema_error)
}

/// This profile's database against another profile's.
#[tauri::command]
#[specta::specta]
pub async fn schema_diff(
    state: State<'_, AppState>,
    profile_id: u32,
    other_profile_id: u32,
) -> Result<Vec<Difference>, AppError> {
    let Target {
        profile: a_profile,
        project: _,
        url: a_url,
    } = state.load(profile_id).await?;
    let Target {
        profile: b_profile,
        project: _,
        url: b_url,
    } = state.load(other_profile_id).await?;
    let mut read = Vec::new();
    for url in [&a_url, &b_url] {
        let mut conn = Connection::connect(url, Duration::from_secs(10)).await?;
        let s = introspect(&mut conn).await;
        conn.close().await;
        read.push(s.map_err(schema_error)?);
    }
    Ok(stratum_schema::diff(
        &read[0],
        &read[1],
        &a_profile.name,
        &b_profile.name,
    ))
}
