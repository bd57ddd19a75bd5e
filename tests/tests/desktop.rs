//! The desktop app as a person uses it: the real binary in a real window (under Xvfb in CI),
//! driven through WebDriver (tauri-driver + WebKitWebDriver). Each step saves a screenshot in
//! `tests/artifacts/`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use stratum_tests::repo;

fn app_binary() -> PathBuf {
    repo().join(format!(
        "target/debug/stratum-app{}",
        std::env::consts::EXE_SUFFIX
    ))
}

/// What the end-to-end layer needs; in CI a missing piece fails the test instead of skipping it.
fn prerequisites() -> Option<PathBuf> {
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
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(driver: &Path, data_dir: &Path) -> Driver {
        let port = free_port();
        let native = free_port();
        let child = Command::new(driver)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("STRATUM_DATA_DIR", data_dir)
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("tauri-driver: {e}"));
        let d = Driver { child, port };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "tauri-driver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        d
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn session(port: u16) -> WebDriver {
    let mut caps = Capabilities::new();
    caps.set("browserName", "wry")
        .unwrap_or_else(|e| panic!("{e}"));
    caps.set(
        "tauri:options",
        serde_json::json!({ "application": app_binary() }),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    WebDriver::new(format!("http://127.0.0.1:{port}"), caps)
        .await
        .unwrap_or_else(|e| panic!("WebDriver session: {e}"))
}

/// Saves what the screen shows. ImageMagick's `import` grabs the real X display (WebKitWebDriver's
/// own screenshot can hang for minutes under Xvfb); the page's repaint is awaited first.
async fn shot(driver: &WebDriver, name: &str) {
    let dir = repo().join("tests/artifacts");
    let _ = std::fs::create_dir_all(&dir);
    let _ = driver.execute("return await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))));", vec![]).await;
    let path = dir.join(format!("{name}.png"));
    let grabbed = Command::new("import")
        .args(["-window", "root"])
        .arg(&path)
        .status();
    if !grabbed.is_ok_and(|s| s.success()) {
        eprintln!("screenshot {name}: ImageMagick's import failed");
    }
}

/// Waits for an element whose text contains `text`.
async fn wait_text(driver: &WebDriver, css: &str, text: &str) -> WebElement {
    let started = Instant::now();
    loop {
        if let Ok(el) = driver.find(By::Css(css)).await {
            if el.text().await.is_ok_and(|t| t.contains(text)) {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_shows_the_demo_timeline_and_upgrades_it_to_head() {
    let Some(driver_bin) = prerequisites() else {
        return;
    };
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let tauri_driver = Driver::start(&driver_bin, data.path());
    let driver = session(tauri_driver.port).await;

    // First run: the demo profile on SQLite, bound to the sample project, all pending.
    wait_text(&driver, "[data-testid=db-summary]", "7 revision(s) pending").await;
    let head = driver
        .find(By::Css("[data-testid=revision-007]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        head.attr("data-applied").await.ok().flatten().as_deref(),
        Some("false")
    );
    shot(&driver, "01-first-run-demo-timeline").await;

    // A revision's detail: its SQL and the actions.
    driver
        .find(By::Css("[data-testid=revision-004]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_text(&driver, ".detail", "CREATE TABLE report_snapshots").await;
    shot(&driver, "02-revision-detail").await;

    // Upgrade to head: plan and SQL first, then run.
    driver
        .find(By::Css("[data-testid=upgrade-head]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_text(&driver, "[data-testid=plan-steps]", "007").await;
    wait_text(
        &driver,
        "[data-testid=sql-preview]",
        "INSERT INTO alembic_version",
    )
    .await;
    shot(&driver, "03-upgrade-preview").await;
    driver
        .find(By::Css("[data-testid=confirm-run]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_text(&driver, "[data-testid=result]", "Done").await;
    shot(&driver, "04-upgrade-done").await;
    driver
        .find(By::Css("[data-testid=close-operation]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    // The timeline now shows everything applied, and the history has the run.
    wait_text(&driver, "[data-testid=db-summary]", "Up to date").await;
    let head = driver
        .find(By::Css("[data-testid=revision-007]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        head.attr("data-applied").await.ok().flatten().as_deref(),
        Some("true")
    );
    shot(&driver, "05-all-applied").await;
    driver
        .find(By::Css("[role=tab]:nth-child(2)"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_text(&driver, "[data-testid=history]", "succeeded").await;
    shot(&driver, "06-history").await;
    driver.quit().await.unwrap_or_else(|e| panic!("{e}"));
}
