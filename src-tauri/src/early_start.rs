//! The store is opened, and the first timeline's read begun, as the process starts.
//!
//! Until the window's page asks for anything, a launch is one thread's work: loading GTK's and
//! WebKit's libraries, starting GTK, creating the window (150-250 ms), then WebKit's two
//! processes loading theirs. Opened in the app's `setup`, the store and the first read (about
//! 100 ms of CPU on a 5,000-revision project) came after the window, when WebKit's processes
//! wanted both cores. Begun before the app is built, they run on the core that is otherwise
//! idle while GTK starts, and `setup` takes the opened state.

use std::path::{Path, PathBuf};

use tauri::async_runtime::JoinHandle;
use tauri::Config;

use crate::{logging, AppError, AppState};

/// The data folder, the state being opened in it, and the read it begins.
pub struct EarlyStart(Option<(PathBuf, JoinHandle<Result<AppState, AppError>>)>);

impl EarlyStart {
    /// Opens the state in the folder the app will use, when that is known before the app is
    /// built.
    pub fn begin(config: &Config) -> EarlyStart {
        EarlyStart::begin_in(data_dir_before_start(config))
    }

    fn begin_in(dir: Option<PathBuf>) -> EarlyStart {
        let Some(dir) = dir else {
            return EarlyStart(None);
        };
        logging::init(&dir);
        let opening = dir.clone();
        let open = tauri::async_runtime::spawn(async move {
            let state = AppState::open(&opening).await?;
            state.first_timeline.begin(&state.store).await;
            Ok(state)
        });
        EarlyStart(Some((dir, open)))
    }

    /// The state for `dir`, the data folder the app resolved: the one opened early when it is
    /// that folder, else opened now.
    pub async fn state(self, dir: &Path) -> Result<AppState, AppError> {
        if let Some((early, open)) = self.0 {
            if early == dir {
                return open
                    .await
                    .map_err(|e| AppError::Store(format!("the store did not open: {e}")))?;
            }
            open.abort();
        }
        logging::init(dir);
        AppState::open(dir).await
    }
}

/// Where the app keeps its store, worked out as Tauri's `app_data_dir` does (the platform's
/// data folder and the app's identifier) or `STRATUM_DATA_DIR`; unknown when the configuration
/// moves the app's folders.
pub fn data_dir_before_start(config: &Config) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("STRATUM_DATA_DIR") {
        return Some(dir.into());
    }
    if config.app.app_directories_override.is_some() {
        return None;
    }
    dirs::data_dir().map(|d| d.join(&config.identifier))
}

#[cfg(test)]
mod tests {
    use tauri::test::{mock_builder, mock_context, noop_assets};
    use tauri::Manager;

    use super::*;

    fn demo_timeline_handed_over(state: &AppState) -> bool {
        matches!(
            tauri::async_runtime::block_on(state.first_timeline.take(1)),
            Some(Ok(view)) if view.profile.name == "Demo (SQLite)"
        )
    }

    #[test]
    fn the_folder_worked_out_before_start_is_the_one_tauri_resolves() {
        // STRATUM_DATA_DIR, when the environment sets it, is used by both and says nothing here.
        if std::env::var_os("STRATUM_DATA_DIR").is_some() {
            return;
        }
        let app = mock_builder()
            .build(mock_context(noop_assets()))
            .unwrap_or_else(|e| panic!("{e}"));
        let resolved = app.path().app_data_dir().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(data_dir_before_start(app.config()), Some(resolved));
    }

    #[test]
    fn the_state_opened_early_is_handed_over_with_its_first_timeline_read() {
        let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let early = EarlyStart::begin_in(Some(data.path().to_path_buf()));
        let state = tauri::async_runtime::block_on(early.state(data.path()))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(demo_timeline_handed_over(&state));
    }

    #[test]
    fn another_folder_than_the_one_opened_early_is_opened_afresh() {
        let guessed = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let resolved = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let early = EarlyStart::begin_in(Some(guessed.path().to_path_buf()));
        let state = tauri::async_runtime::block_on(early.state(resolved.path()))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(state.data_dir, resolved.path());
        assert!(resolved.path().join("stratum.db").exists());
        assert!(!demo_timeline_handed_over(&state));
    }

    #[test]
    fn a_store_that_cannot_be_opened_early_fails_the_start_with_its_reason() {
        let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        // A file where the data folder should be: nothing can be created in it.
        let dir = data.path().join("not-a-folder");
        std::fs::write(&dir, "").unwrap_or_else(|e| panic!("{e}"));
        let early = EarlyStart::begin_in(Some(dir.clone()));
        let Err(e) = tauri::async_runtime::block_on(early.state(&dir)) else {
            panic!("a store in a file opened")
        };
        assert!(e.to_string().contains("not-a-folder"), "{e}");
    }
}
