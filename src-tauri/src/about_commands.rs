//! About Stratum: the version the app, the command line and the packages share, and where this
//! app keeps its data, for a support engineer to read out.

use tauri::State;

use crate::views::AboutView;
use crate::{AppError, AppState};

#[tauri::command]
#[specta::specta]
pub async fn about(state: State<'_, AppState>) -> Result<AboutView, AppError> {
    Ok(AboutView {
        version: stratum_store::VERSION.into(),
        data_dir: state.data_dir.display().to_string(),
        store_schema: u32::try_from(state.store.schema_version().await?).unwrap_or(u32::MAX),
        platform: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
    })
}
