//! "Add databases from a server…": a server's databases listed with their version rows, and the
//! ones the person ticks added as profiles bound to one project.

use stratum_db::DatabaseUrl;
use stratum_operations::fleet::{add_found, discover, AddOptions, Added, DiscoverOptions, Found};
use stratum_project::Project;
use tauri::State;

use crate::views::DiscoverRequest;
use crate::{AppError, AppState};

/// The server's URL with its password: the one typed, else the profile's from the keychain
/// when the URL is a profile's.
async fn server_of(state: &AppState, r: &DiscoverRequest) -> Result<DatabaseUrl, AppError> {
    let mut url = DatabaseUrl::parse(&r.server)?;
    if let Some(p) = r.password.clone().filter(|p| !p.is_empty()) {
        url.password = Some(p);
    } else if let Some(id) = r.from_profile {
        url.password = state.secrets.get(i64::from(id));
    }
    Ok(url)
}

async fn found(
    state: &AppState,
    r: &DiscoverRequest,
) -> Result<(DatabaseUrl, Vec<Found>), AppError> {
    let server = server_of(state, r).await?;
    let project = Project::open(std::path::Path::new(r.project_dir.trim()))
        .map_err(stratum_operations::OperationError::from)?;
    let existing = state.store.profiles().await?;
    let found = discover(
        &server,
        &project,
        &existing,
        &DiscoverOptions {
            databases: Some(r.databases.trim().to_string()).filter(|p| !p.is_empty()),
            schemas: Some(r.schemas.trim().to_string()).filter(|p| !p.is_empty()),
            name: r.name_rule.clone(),
            client: r.client_rule.clone(),
            concurrency: 8,
        },
    )
    .await?;
    Ok((server, found))
}

#[tauri::command]
#[specta::specta]
pub async fn discover_databases(
    state: State<'_, AppState>,
    request: DiscoverRequest,
) -> Result<Vec<Found>, AppError> {
    Ok(found(&state, &request).await?.1)
}

/// Adds the ticked databases, as the listing found them, as profiles.
#[tauri::command]
#[specta::specta]
pub async fn add_discovered(
    state: State<'_, AppState>,
    request: DiscoverRequest,
    chosen: Vec<Found>,
) -> Result<Added, AppError> {
    let server = server_of(&state, &request).await?;
    Ok(add_found(
        &state.store,
        &state.secrets,
        &chosen,
        server.password.as_deref(),
        &AddOptions {
            project_dir: request.project_dir.trim().to_string(),
            environment: request.environment.clone(),
            tags: request.tags.clone(),
            // What was ticked is what is wanted, version table or not.
            include_unversioned: true,
        },
    )
    .await?)
}
