//! About Stratum: the version the app, the command line and the packages share, and where this
//! app keeps its data, for a support engineer to read out.

use tauri::State;

use crate::logging::log_dir;
use crate::views::AboutView;
use crate::{AppError, AppState};

#[tauri::command]
#[specta::specta]
pub async fn about(state: State<'_, AppState>) -> Result<AboutView, AppError> {
    Ok(AboutView {
        version: stratum_store::VERSION.into(),
        data_dir: state.data_dir.display().to_string(),
        log_dir: log_dir(&state.data_dir).display().to_string(),
        store_schema: u32::try_from(state.store.schema_version().await?).unwrap_or(u32::MAX),
        platform: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
    })
}

/// Opens the log folder in the system's file manager, from Rust: the window gets no shell or
/// opener permission for it.
#[tauri::command]
#[specta::specta]
pub async fn open_log_folder(state: State<'_, AppState>) -> Result<(), AppError> {
    let dir = log_dir(&state.data_dir);
    // A log folder not written yet (no file could be created) still opens, empty.
    std::fs::create_dir_all(&dir)
        .map_err(|e| AppError::Input(format!("cannot create {}: {e}", dir.display())))?;
    tauri_plugin_opener::open_path(&dir, None::<&str>).map_err(|e| {
        AppError::Input(format!(
            "cannot open {} in the file manager: {e}",
            dir.display()
        ))
    })
}
