//! The desktop app as a person uses it: the real binary in a real window (under Xvfb in CI),
//! driven through WebDriver (tauri-driver + WebKitWebDriver). Each step saves a screenshot in
//! `tests/artifacts/`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use stratum_tests::repo;

/// One window at a time: tauri-driver and WebKitWebDriver are not meant to run side by side.
static ONE_WINDOW: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_window() -> std::sync::MutexGuard<'static, ()> {
    ONE_WINDOW
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

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

#[test]
fn first_run_shows_the_demo_timeline_and_upgrades_it_to_head() {
    let Some(driver_bin) = prerequisites() else {
        return;
    };
    let _window = one_window();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    rt.block_on(first_run(&driver_bin));
}

async fn first_run(driver_bin: &Path) {
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let tauri_driver = Driver::start(driver_bin, data.path());
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

async fn click(driver: &WebDriver, css: &str) {
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

async fn fill(driver: &WebDriver, name: &str, value: &str) {
    let css = format!("[data-testid=profile-form] [name={name}]");
    let el = driver
        .find(By::Css(css.as_str()))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    el.clear().await.unwrap_or_else(|e| panic!("{e}"));
    el.send_keys(value).await.unwrap_or_else(|e| panic!("{e}"));
}

/// Opens the profile form and fills it in.
async fn new_profile(driver: &WebDriver, name: &str, url: &str, password: &str, project: &Path) {
    click(driver, "[data-testid=new-profile]").await;
    fill(driver, "name", name).await;
    fill(driver, "client", "Acme AS").await;
    fill(driver, "url", url).await;
    if !password.is_empty() {
        fill(driver, "password", password).await;
    }
    fill(driver, "project_dir", &project.to_string_lossy()).await;
}

async fn upgrade_to_head(driver: &WebDriver) {
    click(driver, "[data-testid=upgrade-head]").await;
    wait_text(driver, "[data-testid=sql-preview]", "alembic_version").await;
    click(driver, "[data-testid=confirm-run]").await;
}

#[test]
fn profiles_made_in_the_form_connect_upgrade_fail_readably_and_merge() {
    let Some(driver_bin) = prerequisites() else {
        return;
    };
    if !stratum_tests::server_available(stratum_db::Engine::Postgres) {
        return;
    }
    let _window = one_window();
    // The scratch database is made and dropped outside the async runtime (its helpers block).
    let pg = stratum_tests::ScratchDb::new(stratum_db::Engine::Postgres);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    rt.block_on(form_scenarios(&driver_bin, &pg));
}

async fn form_scenarios(driver_bin: &Path, pg: &stratum_tests::ScratchDb) {
    let rows = || tokio::task::block_in_place(|| pg.version_rows());
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let tauri_driver = Driver::start(driver_bin, data.path());
    let driver = session(tauri_driver.port).await;
    wait_text(&driver, "[data-testid=db-summary]", "pending").await;
    let sample = data.path().join("sample-project");

    // A PostgreSQL profile through the form: test the connection, save, upgrade to head.
    new_profile(&driver, "ERP on PostgreSQL", &pg.url, "", &sample).await;
    click(&driver, "[data-testid=test-connection]").await;
    wait_text(&driver, "[data-testid=connection-ok]", "PostgreSQL").await;
    shot(&driver, "10-postgres-profile-tested").await;
    click(&driver, "[data-testid=save-profile]").await;
    wait_text(&driver, ".toolbar h1", "ERP on PostgreSQL").await;
    wait_text(&driver, "[data-testid=db-summary]", "7 revision(s) pending").await;
    upgrade_to_head(&driver).await;
    wait_text(&driver, "[data-testid=result]", "Done").await;
    click(&driver, "[data-testid=close-operation]").await;
    wait_text(&driver, "[data-testid=db-summary]", "Up to date").await;
    assert_eq!(rows(), vec!["007"]);
    shot(&driver, "11-postgres-upgraded").await;

    // Downgrade one step from the revision's detail panel.
    click(&driver, "[data-testid=revision-006]").await;
    click(&driver, ".detail-actions button:nth-child(2)").await;
    wait_text(&driver, "[data-testid=plan-steps]", "007").await;
    click(&driver, "[data-testid=confirm-run]").await;
    wait_text(&driver, "[data-testid=result]", "Done").await;
    click(&driver, "[data-testid=close-operation]").await;
    wait_text(&driver, "[data-testid=db-summary]", "Database at 006").await;
    assert_eq!(rows(), vec!["006"]);
    shot(&driver, "12-postgres-downgraded-one-step").await;

    // A wrong password reads as one.
    new_profile(
        &driver,
        "Wrong password",
        "postgresql://stratum_pw_test@127.0.0.1:5432/postgres",
        "not-the-password",
        &sample,
    )
    .await;
    click(&driver, "[data-testid=test-connection]").await;
    let err = wait_text(&driver, "[data-testid=form-error]", "wrong password").await;
    assert!(!err
        .text()
        .await
        .unwrap_or_default()
        .contains("not-the-password"));
    shot(&driver, "13-wrong-password").await;
    click(&driver, "[data-testid=profile-form] button:last-child").await;

    // A failing revision: the error names revision, line and statement; nothing changed.
    let failing_db = data.path().join("failing.db");
    let failing = repo().join("tests/fixtures/failing-project");
    new_profile(
        &driver,
        "Failing project",
        &format!("sqlite:///{}", failing_db.display()),
        "",
        &failing,
    )
    .await;
    click(&driver, "[data-testid=save-profile]").await;
    wait_text(&driver, ".toolbar h1", "Failing project").await;
    wait_text(&driver, "[data-testid=db-summary]", "2 revision(s) pending").await;
    upgrade_to_head(&driver).await;
    let result = wait_text(&driver, "[data-testid=result]", "Revision 002 failed").await;
    let said = result
        .prop("textContent")
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    assert!(
        said.contains("legacy_customers") && said.contains("rolled back"),
        "{said}"
    );
    shot(&driver, "14-failing-revision").await;
    click(&driver, "[data-testid=close-operation]").await;
    wait_text(&driver, "[data-testid=db-summary]", "Database at base").await;

    // Two heads: merge them from the toolbar; the timeline shows the merge point.
    let two_heads = data.path().join("two-heads");
    std::fs::create_dir_all(two_heads.join("versions")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(sample.join("stratum.toml"), two_heads.join("stratum.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    for f in std::fs::read_dir(sample.join("versions"))
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        let name = f.file_name().to_string_lossy().to_string();
        if !name.starts_with("006") && !name.starts_with("007") {
            std::fs::copy(f.path(), two_heads.join("versions").join(&name))
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    new_profile(
        &driver,
        "Two heads",
        &format!("sqlite:///{}", data.path().join("heads.db").display()),
        "",
        &two_heads,
    )
    .await;
    click(&driver, "[data-testid=save-profile]").await;
    wait_text(&driver, "[data-testid=merge-heads]", "Merge 2 heads").await;
    shot(&driver, "15-two-heads").await;
    click(&driver, "[data-testid=merge-heads]").await;
    wait_text(&driver, "[data-testid=note]", "Wrote the merge revision").await;
    wait_text(&driver, ".timeline .badge.merge", "merge").await;
    assert!(
        driver
            .find(By::Css("[data-testid=merge-heads]"))
            .await
            .is_err(),
        "one head after the merge"
    );
    shot(&driver, "16-merged").await;
    driver.quit().await.unwrap_or_else(|e| panic!("{e}"));
}
