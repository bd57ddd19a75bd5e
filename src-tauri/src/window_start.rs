//! The window appears once its page has loaded.
//!
//! Shown at once, the window asks WebKit to paint before the page has drawn anything, and
//! WebKit's drawing area then waits on the main thread, up to half a second, for the web
//! process's first backing store; the page's requests for its own files and the first commands
//! are answered on that same thread, so they waited too. Half of the launches took 0.5 s longer
//! (the timeline's database read at 0.92 s after launch instead of 0.41 s; with the window
//! shown after the page loaded, 0.38-0.41 s in every launch). The window also no longer
//! flashes blank before the page.

use std::time::Duration;

use tauri::webview::{PageLoadEvent, PageLoadPayload};
use tauri::{Manager, Runtime, Webview};

/// Should the page never finish loading, the window appears anyway after this long.
const AT_THE_LATEST: Duration = Duration::from_secs(3);

/// The `on_page_load` handler: shows the window when its page has loaded.
pub fn show_when_loaded<R: Runtime>(webview: &Webview<R>, payload: &PageLoadPayload<'_>) {
    if payload.event() == PageLoadEvent::Finished {
        let _ = webview.window().show();
    }
}

/// Shows the main window after `AT_THE_LATEST` if it is still hidden, so that a page that never
/// loads still leaves a window to close.
pub fn show_at_the_latest<R: Runtime, M: Manager<R>>(app: &M) {
    if let Some(window) = app.get_webview_window("main") {
        std::thread::spawn(move || {
            std::thread::sleep(AT_THE_LATEST);
            if !window.is_visible().unwrap_or(true) {
                let _ = window.show();
            }
        });
    }
}
