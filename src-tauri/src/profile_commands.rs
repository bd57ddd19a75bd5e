//! Profiles: listed, created, edited, duplicated and deleted, their connection tested, each
//! database's status for the sidebar, and values an Alembic project's files compute.

use std::time::Duration;

use stratum_db::{DatabaseUrl, VersionTable};
use stratum_operations::checked_profile;
use stratum_operations::fleet::{status, FleetStatus, StatusOptions};
use stratum_project::Project;
use stratum_store::{NewProfile, Profile};
use tauri::State;

use crate::views::*;
use crate::{AppError, AppState};

fn id32(id: i64) -> u32 {
    u32::try_from(id).unwrap_or(u32::MAX)
}

pub(crate) fn profile_view(p: &Profile) -> ProfileView {
    let (database, engine) = match DatabaseUrl::parse(&p.url) {
        Ok(u) => (u.to_string(), format!("{:?}", u.engine).to_lowercase()),
        Err(_) => (p.url.clone(), "unknown".into()),
    };
    ProfileView {
        id: id32(p.id),
        name: p.name.clone(),
        client: p.client.clone(),
        environment: p.environment.clone(),
        database,
        url: p.url.clone(),
        engine,
        project_dir: p.project_dir.clone(),
        auto_backup: p.auto_backup,
        backup_keep: u32::try_from(p.backup_keep).unwrap_or(10),
        python: p.python.clone(),
        version_table: p.version_table.clone(),
        version_table_schema: p.version_table_schema.clone(),
        alembic_values: p.alembic_values.clone(),
        tags: p.tag_list(),
        release_gate: p.release_gate,
        maintenance_window: p.maintenance_window.clone(),
    }
}

#[tauri::command]
#[specta::specta]
pub async fn list_profiles(state: State<'_, AppState>) -> Result<Vec<ProfileView>, AppError> {
    Ok(state
        .store
        .profiles()
        .await?
        .iter()
        .map(profile_view)
        .collect())
}

/// Checks the form and splits the password off the URL.
fn validate(input: &ProfileInput) -> Result<(NewProfile, Option<String>), AppError> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    Ok(checked_profile(
        NewProfile {
            name: input.name.clone(),
            client: input.client.clone(),
            environment: input.environment.clone(),
            url: input.url.clone(),
            project_dir: input.project_dir.clone(),
            auto_backup: input.auto_backup,
            backup_keep: input.backup_keep.map(i64::from),
            python: text(&input.python).trim().into(),
            version_table: text(&input.version_table).trim().into(),
            version_table_schema: text(&input.version_table_schema).trim().into(),
            alembic_values: text(&input.alembic_values),
            tags: text(&input.tags),
            release_gate: input.release_gate,
            maintenance_window: text(&input.maintenance_window),
        },
        input.password.clone(),
    )?)
}

#[tauri::command]
#[specta::specta]
pub async fn save_profile(
    state: State<'_, AppState>,
    input: ProfileInput,
) -> Result<SavedProfile, AppError> {
    let (profile, password) = validate(&input)?;
    let saved = match input.id {
        Some(id) => state.store.update_profile(i64::from(id), &profile).await?,
        None => state.store.add_profile(&profile).await?,
    };
    Ok(SavedProfile {
        profile: profile_view(&saved),
        password_storage: password.map(|p| state.secrets.set(saved.id, &p)),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn duplicate_profile(
    state: State<'_, AppState>,
    profile_id: u32,
) -> Result<ProfileView, AppError> {
    let p = state.store.profile(i64::from(profile_id)).await?;
    let copy = state
        .store
        .add_profile(&NewProfile {
            name: format!("{} (copy)", p.name),
            ..p.to_new()
        })
        .await?;
    if let Some(pw) = state.secrets.get(p.id) {
        state.secrets.set(copy.id, &pw);
    }
    Ok(profile_view(&copy))
}

#[tauri::command]
#[specta::specta]
pub async fn delete_profile(state: State<'_, AppState>, profile_id: u32) -> Result<(), AppError> {
    state.store.delete_profile(i64::from(profile_id)).await?;
    state.secrets.delete(i64::from(profile_id));
    Ok(())
}

/// Connects with what the form holds (nothing is saved): server version, latency, rows.
#[tauri::command]
#[specta::specta]
pub async fn test_connection(
    state: State<'_, AppState>,
    input: ProfileInput,
) -> Result<ConnectionTest, AppError> {
    let mut url = DatabaseUrl::parse(&input.url)?;
    if let Some(p) = input.password.clone().filter(|p| !p.is_empty()) {
        url.password = Some(p);
    } else if url.password.is_none() {
        url.password = input.id.and_then(|id| state.secrets.get(i64::from(id)));
    }
    let mut conn = stratum_operations::connect(&url, Duration::from_secs(10)).await?;
    let info = conn.server_info().await;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let table = stratum_operations::settings(
        &text(&input.alembic_values),
        &text(&input.version_table),
        &text(&input.version_table_schema),
    )
    .and_then(|s| {
        Ok(Project::open_with(
            std::path::Path::new(input.project_dir.trim()),
            &s,
        )?)
    })
    .map(|p| VersionTable::from_config(&p.config))
    .unwrap_or_default();
    let rows = conn.version_rows(&table).await;
    conn.close().await;
    let info = info?;
    Ok(ConnectionTest {
        server: info.version,
        latency_ms: u32::try_from(info.latency_ms.round() as i64).unwrap_or(u32::MAX),
        rows: rows?,
    })
}

/// Where every profile stands, for the sidebar's dots: the fleet's own reading of each database
/// (a few at a time, each within seconds: a dead server does not hold up the others).
#[tauri::command]
#[specta::specta]
pub async fn profile_statuses(state: State<'_, AppState>) -> Result<Vec<FleetStatus>, AppError> {
    let profiles = state.store.profiles().await?;
    Ok(status(
        &state.store,
        &state.secrets,
        profiles,
        &StatusOptions::default(),
        |_| {},
    )
    .await?)
}

/// Gives the value of a name a revision file computes (an Alembic project), and keeps it in the
/// profile: the next read of the project uses it.
#[tauri::command]
#[specta::specta]
pub async fn supply_value(
    state: State<'_, AppState>,
    profile_id: u32,
    file: String,
    name: String,
    value: String,
) -> Result<ProfileView, AppError> {
    let p = state.store.profile(i64::from(profile_id)).await?;
    let path = std::path::Path::new(&file);
    // The path below the project folder names the file and survives moving the project.
    let shown = path
        .strip_prefix(&p.project_dir)
        .unwrap_or(path)
        .display()
        .to_string();
    let line = stratum_project::SuppliedValue::parse_lines(&format!("{shown}: {name} = {value}"))
        .map_err(AppError::Input)?
        .remove(0)
        .to_line();
    let kept: Vec<String> = p
        .alembic_values
        .lines()
        .filter(|l| {
            stratum_project::SuppliedValue::parse_lines(l)
                .ok()
                .and_then(|v| v.into_iter().next())
                .is_none_or(|v| !(path.ends_with(&v.file) && v.name == name))
        })
        .map(str::to_string)
        .chain(std::iter::once(line))
        .collect();
    let updated = state
        .store
        .update_profile(
            p.id,
            &NewProfile {
                alembic_values: kept.join("\n"),
                ..p.to_new()
            },
        )
        .await?;
    Ok(profile_view(&updated))
}

/// Trusts the host key of the SSH bastion `url` names, once the person has compared its
/// fingerprint with the one shown.
#[tauri::command]
#[specta::specta]
pub async fn trust_ssh_host(url: String, fingerprint: String) -> Result<(), AppError> {
    let url = DatabaseUrl::parse(&url)?;
    let ssh = url
        .ssh
        .as_ref()
        .ok_or_else(|| AppError::Input("this connection names no SSH bastion".into()))?;
    Ok(stratum_db::tunnel::trust_host_key(ssh, &fingerprint).await?)
}
