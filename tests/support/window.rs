//! Driving the real desktop app through WebDriver: tauri-driver and WebKitWebDriver under a
//! display (Xvfb in CI), one window at a time, with screenshots of the real screen.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use crate::repo;

/// One window at a time: tauri-driver and WebKitWebDriver are not meant to run side by side.
static ONE_WINDOW: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub fn one_window() -> std::sync::MutexGuard<'static, ()> {
    ONE_WINDOW
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub fn app_binary() -> PathBuf {
    crate::built_binary("stratum-app")
}

/// Runs a scenario in the real window, one window at a time; without the prerequisites it is
/// skipped with the reason printed (and fails in CI). The scenario gets tauri-driver's path.
pub fn in_window<Fut: std::future::Future<Output = ()>>(scenario: impl FnOnce(PathBuf) -> Fut) {
    let Some(driver) = prerequisites() else {
        return;
    };
    let _window = one_window();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    rt.block_on(scenario(driver));
}

/// What the end-to-end layer needs; in CI a missing piece fails the test instead of skipping it.
pub fn prerequisites() -> Option<PathBuf> {
    let driver = which("tauri-driver").or_else(|| {
        let home = std::env::var_os("HOME").map(PathBuf::from)?;
        Some(home.join(".cargo/bin/tauri-driver")).filter(|p| p.exists())
    });
    let missing: Vec<&str> = [
        (
            driver.is_none(),
            "tauri-driver (cargo install tauri-driver --locked --version 2.1.0)",
        ),
        (
            which("WebKitWebDriver").is_none(),
            "WebKitWebDriver (apt package webkit2gtk-driver)",
        ),
        (
            std::env::var_os("DISPLAY").is_none(),
            "a display (run under xvfb-run, as scripts/test does)",
        ),
        (
            which("xdotool").is_none(),
            "xdotool (apt package xdotool), to answer the system file dialogs",
        ),
        (
            !app_binary().exists(),
            "the app binary (cargo build -p stratum-app)",
        ),
    ]
    .into_iter()
    .filter(|(m, _)| *m)
    .map(|(_, what)| what)
    .collect();
    if missing.is_empty() {
        return driver;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the desktop tests need: {}",
        missing.join(", ")
    );
    eprintln!("SKIPPED: the desktop tests need {}", missing.join(", "));
    None
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(4444)
}

/// tauri-driver for one test, with the app's data folder set, stopped on drop.
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Driver {
    pub fn start(driver: &Path, data_dir: &Path) -> Driver {
        let port = free_port();
        let mut native = free_port();
        while native == port {
            native = free_port();
        }
        // Its own process group, so that dropping it also stops the WebKitWebDriver it starts.
        // stdin from /dev/null: nothing below the driver may read the test runner's input.
        let child = Command::new(driver)
            .process_group(0)
            .stdin(Stdio::null())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("STRATUM_DATA_DIR", data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("tauri-driver: {e}"));
        let d = Driver { child, port };
        let started = Instant::now();
        while !status_ready(port) {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "tauri-driver did not become ready"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        d
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: tauri-driver, WebKitWebDriver and the app. Signalled directly: procps'
        // `kill -TERM -PGID` can read the group as an option and signal every process (-1).
        if let Ok(pid) = i32::try_from(self.child.id()) {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The driver answers its `/status` with `"ready": true` (plain HTTP, no client needed).
fn status_ready(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /status HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200")
}

pub async fn session(port: u16) -> WebDriver {
    session_with(port, &app_binary()).await
}

/// A WebDriver session that starts `app` (tauri-driver launches it).
pub async fn session_with(port: u16, app: &Path) -> WebDriver {
    let mut last = String::new();
    // The first request can race WebKitWebDriver's start; a second one finds it up.
    for _ in 0..3 {
        let mut caps = Capabilities::new();
        caps.set("browserName", "wry")
            .unwrap_or_else(|e| panic!("{e}"));
        caps.set("tauri:options", serde_json::json!({ "application": app }))
            .unwrap_or_else(|e| panic!("{e}"));
        match WebDriver::new(format!("http://127.0.0.1:{port}"), caps).await {
            Ok(d) => return d,
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("WebDriver session: {last}");
}

/// Saves what the screen shows. ImageMagick's `import` grabs the real X display (WebKitWebDriver's
/// own screenshot can hang for minutes under Xvfb); the page's repaint is awaited first.
pub async fn shot(driver: &WebDriver, name: &str) {
    let dir = repo().join("tests/artifacts");
    let _ = std::fs::create_dir_all(&dir);
    let _ = driver.execute("return await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))));", vec![]).await;
    let path = dir.join(format!("{name}.png"));
    let grabbed = Command::new("import")
        .stdin(Stdio::null())
        .args(["-window", "root"])
        .arg(&path)
        .status();
    if !grabbed.is_ok_and(|s| s.success()) {
        eprintln!("screenshot {name}: ImageMagick's import failed");
    }
}

/// Waits for an element whose text contains `text`.
pub async fn wait_text(driver: &WebDriver, css: &str, text: &str) -> WebElement {
    let started = Instant::now();
    loop {
        // textContent rather than WebDriver's visible text: WebKitWebDriver reports no text for
        // elements cut with `text-overflow: ellipsis`.
        if let Ok(el) = driver.find(By::Css(css)).await {
            if el
                .prop("textContent")
                .await
                .ok()
                .flatten()
                .is_some_and(|t| t.contains(text))
            {
                return el;
            }
        }
        if started.elapsed() > Duration::from_secs(20) {
            let body = driver.find(By::Css("body")).await.ok();
            let seen = match body {
                Some(b) => b.text().await.unwrap_or_default(),
                None => String::new(),
            };
            panic!("no {css} with text {text:?}; the window shows:\n{seen}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

pub async fn click(driver: &WebDriver, css: &str) {
    let started = Instant::now();
    loop {
        if let Ok(el) = driver.find(By::Css(css)).await {
            if el.click().await.is_ok() {
                return;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "cannot click {css}"
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// A visible (mapped) window with this title: one that can take the keyboard focus.
fn find_window(title: &str) -> Option<String> {
    Command::new("xdotool")
        .stdin(Stdio::null())
        .args(["search", "--onlyvisible", "--name", title])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_string))
}

/// Runs xdotool; false when it failed (a window not ready for focus yet, say).
fn xdotool(args: &[&str]) -> bool {
    Command::new("xdotool")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .args(args)
        .status()
        .is_ok_and(|s| s.success())
}

/// Answers the system file dialog titled `title` as a person would: types `path` into its
/// location bar (Ctrl+L) and presses Enter, saving a screenshot `shot_name` of the dialog with
/// the path typed. The dialog is GTK's own window, outside WebDriver's reach, so xdotool types
/// into it; a dialog still open a few seconds later (typed into before it was ready) is
/// answered again.
pub async fn answer_file_dialog(title: &str, path: &Path, shot_name: &str) {
    let started = Instant::now();
    for attempt in 0..3 {
        let window = loop {
            if let Some(id) = find_window(title) {
                break id;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the file dialog {title:?} did not open"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        // Let GTK finish laying out the dialog before typing into it.
        tokio::time::sleep(Duration::from_millis(800 * (attempt + 1))).await;
        if !xdotool(&["windowfocus", "--sync", &window]) {
            continue;
        }
        xdotool(&["key", "ctrl+l"]);
        xdotool(&["key", "ctrl+a"]);
        xdotool(&["type", "--delay", "5", &path.to_string_lossy()]);
        // The location bar completes inline; the completion is selected text, removed by Delete.
        xdotool(&["key", "Delete"]);
        if attempt == 0 {
            let dir = repo().join("tests/artifacts");
            let _ = std::fs::create_dir_all(&dir);
            let _ = Command::new("import")
                .stdin(Stdio::null())
                .args(["-window", "root"])
                .arg(dir.join(format!("{shot_name}.png")))
                .status();
        }
        xdotool(&["key", "Return"]);
        let closing = Instant::now();
        while closing.elapsed() < Duration::from_secs(4) {
            if find_window(title).is_none() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    panic!(
        "the file dialog {title:?} did not take the path {}",
        path.display()
    );
}

/// Types `value` into the profile form's field `name`.
pub async fn fill(driver: &WebDriver, name: &str, value: &str) {
    fill_in(driver, "profile-form", name, value).await
}

/// Types `value` into the field `name` of the dialog with the test id `dialog`.
pub async fn fill_in(driver: &WebDriver, dialog: &str, name: &str, value: &str) {
    let css = format!("[data-testid={dialog}] [name={name}]");
    let el = driver
        .find(By::Css(css.as_str()))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    // A long form scrolls inside its dialog, which the driver does not do by itself.
    el.scroll_into_view()
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    el.clear().await.unwrap_or_else(|e| panic!("{css}: {e}"));
    el.send_keys(value)
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
}

/// Opens the profile form and fills it in.
pub async fn new_profile(
    driver: &WebDriver,
    name: &str,
    url: &str,
    password: &str,
    project: &Path,
) {
    click(driver, "[data-testid=new-profile]").await;
    fill(driver, "name", name).await;
    fill(driver, "client", "Acme AS").await;
    fill(driver, "url", url).await;
    if !password.is_empty() {
        fill(driver, "password", password).await;
    }
    fill(driver, "project_dir", &project.to_string_lossy()).await;
}
