//! The first profile's timeline is read while the window starts.
//!
//! The page asks for it only once WebKit has started, its script has run and the profiles are
//! listed: a quarter to half a second after launch. Reading a 5,000-revision project, planning
//! and laying it out (50-100 ms) then sat on the start's critical path while the second core
//! waited on WebKit. The read now begins as soon as the store is open (as the process starts:
//! `early_start`), and its answer goes to the page's first request for that profile, once.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use stratum_store::{Secrets, Store};
use tauri::async_runtime::JoinHandle;

use crate::timeline_commands::read_timeline;
use crate::views::TimelineView;
use crate::AppError;

/// An answer is handed over only to a request made this soon after its read began: the page
/// asks within a second of the start, and a window left hidden for longer reads afresh.
const FRESH_FOR: Duration = Duration::from_secs(3);

/// The profile being read, and the read.
type Read = (u32, JoinHandle<Result<TimelineView, AppError>>);

/// The read begun at start-up, until a request takes it.
#[derive(Default)]
pub struct FirstTimeline(Mutex<Option<(Instant, Read)>>);

impl FirstTimeline {
    /// Starts reading the timeline of the profile the window opens on: the first one listed.
    /// Its own `Secrets`: it runs before the app's state is handed over, when no password has
    /// been typed yet, so the keychain is all either would ask.
    pub async fn begin(&self, store: &Store) {
        // Known before the read begins, so that a request for another profile need not wait.
        let Ok(profiles) = store.profiles().await else {
            return;
        };
        let Some(id) = profiles.first().and_then(|p| u32::try_from(p.id).ok()) else {
            return;
        };
        let store = store.clone();
        let read = tauri::async_runtime::spawn(async move {
            read_timeline(&store, &Secrets::default(), id).await
        });
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some((Instant::now(), (id, read)));
        }
    }

    /// The start-up read's answer, when this is the first request, for the profile it read, and
    /// soon enough after it began.
    pub async fn take(&self, profile_id: u32) -> Option<Result<TimelineView, AppError>> {
        let (began, (id, read)) = self.0.lock().ok()?.take()?;
        if id != profile_id || began.elapsed() > FRESH_FOR {
            read.abort();
            return None;
        }
        read.await.ok()
    }
}

#[cfg(test)]
mod tests {
    use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
    use tauri::Manager;

    use super::*;
    use crate::AppState;

    fn app_on_a_fresh_store() -> (tauri::App<MockRuntime>, tempfile::TempDir) {
        let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let state = tauri::async_runtime::block_on(AppState::open(data.path()))
            .unwrap_or_else(|e| panic!("{e}"));
        let app = mock_builder()
            .manage(state)
            .build(mock_context(noop_assets()))
            .unwrap_or_else(|e| panic!("{e}"));
        (app, data)
    }

    fn first_timeline(app: &tauri::App<MockRuntime>) -> &FirstTimeline {
        &app.state::<AppState>().inner().first_timeline
    }

    fn begin(app: &tauri::App<MockRuntime>) {
        let state = app.state::<AppState>();
        tauri::async_runtime::block_on(state.first_timeline.begin(&state.store));
    }

    #[test]
    fn the_first_request_for_the_first_profile_gets_the_start_up_read_and_only_once() {
        let (app, _data) = app_on_a_fresh_store();
        begin(&app);
        let answer = tauri::async_runtime::block_on(first_timeline(&app).take(1));
        let Some(Ok(view)) = answer else {
            panic!("the demo profile's timeline was not handed over")
        };
        assert_eq!(view.profile.name, "Demo (SQLite)");
        assert_eq!(view.rows.len(), 7);
        assert!(tauri::async_runtime::block_on(first_timeline(&app).take(1)).is_none());
    }

    #[test]
    fn a_first_request_for_another_profile_reads_afresh_and_drops_the_start_up_read() {
        let (app, _data) = app_on_a_fresh_store();
        begin(&app);
        assert!(tauri::async_runtime::block_on(first_timeline(&app).take(2)).is_none());
        assert!(tauri::async_runtime::block_on(first_timeline(&app).take(1)).is_none());
    }

    #[test]
    fn nothing_is_handed_over_when_nothing_was_read_at_start_up() {
        let (app, _data) = app_on_a_fresh_store();
        assert!(tauri::async_runtime::block_on(first_timeline(&app).take(1)).is_none());
    }
}
