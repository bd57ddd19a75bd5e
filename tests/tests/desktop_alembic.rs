//! An Alembic project in the desktop app as a person uses it: a team's folder with alembic.ini
//! and Python revisions is chosen in the profile form, its timeline shows, a revision's Python
//! and SQL are read, and it is upgraded and downgraded on PostgreSQL through its own Alembic,
//! with Alembic's output in the progress view. A value a revision computes is asked for in the
//! window. A folder received from a client runs none of its code until trusted in the window.
//! Screenshots in tests/artifacts/.

use std::path::Path;

use thirtyfour::prelude::*;

use stratum_tests::window::{
    click, fill, in_window, new_profile, session, shot, wait_text, Driver,
};
use stratum_tests::{copy_dir, repo, ScratchDb};

#[test]
fn an_alembic_project_is_opened_read_upgraded_and_downgraded_in_the_window() {
    let Some(python) = stratum_tests::oracle::python() else {
        return;
    };
    if !stratum_tests::server_available(stratum_db::Engine::Postgres) {
        return;
    }
    let pg = ScratchDb::new(stratum_db::Engine::Postgres);
    let (pg, python) = (&pg, &python);
    in_window(|driver_bin| async move { alembic_scenario(&driver_bin, pg, python).await });
}

async fn alembic_scenario(driver_bin: &Path, pg: &ScratchDb, python: &Path) {
    let rows = || tokio::task::block_in_place(|| pg.version_rows());
    let tables = || tokio::task::block_in_place(|| pg.tables());
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let twin = data.path().join("kontali-erp-alembic");
    copy_dir(&repo().join("examples/kontali-erp-alembic"), &twin);
    let tauri_driver = Driver::start(driver_bin, data.path());
    let driver = session(tauri_driver.port).await;
    wait_text(&driver, "[data-testid=db-summary]", "pending").await;

    // The team's Alembic folder, on a PostgreSQL database; its Python set in the profile.
    new_profile(&driver, "Kontali ERP (Alembic)", &pg.url, "", &twin).await;
    click(&driver, "[data-testid=alembic-settings-toggle]").await;
    fill(&driver, "python", &python.to_string_lossy()).await;
    shot(&driver, "50-alembic-profile-form").await;
    click(&driver, "[data-testid=save-profile]").await;
    wait_text(&driver, ".toolbar h1", "Kontali ERP (Alembic)").await;
    wait_text(&driver, "[data-testid=alembic-badge]", "Alembic").await;
    wait_text(&driver, "[data-testid=db-summary]", "7 revision(s) pending").await;
    driver
        .find(By::Css("[data-testid=revision-007]"))
        .await
        .unwrap_or_else(|e| panic!("the head is on the timeline: {e}"));
    shot(&driver, "51-alembic-timeline").await;

    // A revision: its Python (what runs) and the SQL Alembic's offline mode prints for it,
    // once the folder is trusted (the first time its code would run, the window asks).
    click(&driver, "[data-testid=revision-002]").await;
    wait_text(
        &driver,
        "[data-testid=trust-prompt]",
        "Run this project's code?",
    )
    .await;
    click(&driver, "[data-testid=trust-continue]").await;
    wait_text(&driver, ".detail", "ALTER TABLE users ADD COLUMN phone").await;
    click(&driver, "[data-testid=detail-python]").await;
    wait_text(&driver, "[data-testid=detail-python-code]", "def upgrade()").await;
    shot(&driver, "52-alembic-revision-python").await;

    // The checks read the SQL Alembic's offline mode prints: the initial schema's downgrade is
    // one finding for the tables it creates.
    wait_text(&driver, "[data-testid=revision-001]", "1 to review").await;
    // Upgrade to head through the project's own Alembic: preview, checks, run, its output.
    click(&driver, "[data-testid=upgrade-head]").await;
    wait_text(&driver, "[data-testid=plan-steps]", "007").await;
    wait_text(&driver, "[data-testid=sql-preview]", "Running upgrade").await;
    shot(&driver, "53-alembic-upgrade-preview").await;
    click(&driver, "[data-testid=confirm-run]").await;
    wait_text(&driver, "[data-testid=result]", "Done").await;
    wait_text(
        &driver,
        "[data-testid=run-output]",
        "Running upgrade 006 -> 007",
    )
    .await;
    shot(&driver, "54-alembic-upgraded-with-output").await;
    click(&driver, "[data-testid=close-operation]").await;
    wait_text(&driver, "[data-testid=db-summary]", "Up to date").await;
    assert_eq!(rows(), vec!["007"]);
    assert!(tables().contains(&"report_snapshots".to_string()));

    // Downgrade one step from the toolbar (the seed's `alembic downgrade -1`).
    click(&driver, "[data-testid=downgrade-one]").await;
    wait_text(&driver, "[data-testid=plan-steps]", "007").await;
    click(&driver, "[data-testid=confirm-run]").await;
    wait_text(&driver, "[data-testid=result]", "Done").await;
    click(&driver, "[data-testid=close-operation]").await;
    wait_text(&driver, "[data-testid=db-summary]", "Database at 006").await;
    assert_eq!(rows(), vec!["006"]);
    shot(&driver, "55-alembic-downgraded-one-step").await;

    // The More menu holds the rest of the seed's commands.
    click(&driver, "[data-testid=more-menu]").await;
    wait_text(&driver, "[data-testid=menu-convert]", "Convert").await;
    shot(&driver, "56-alembic-more-menu").await;
    click(&driver, "[data-testid=menu-downgrade-base]").await;
    wait_text(&driver, "[data-testid=plan-steps]", "001").await;
    click(&driver, "[data-testid=confirm-run]").await;
    wait_text(&driver, "[data-testid=result]", "Done").await;
    click(&driver, "[data-testid=close-operation]").await;
    wait_text(&driver, "[data-testid=db-summary]", "Database at base").await;
    assert!(rows().is_empty());
    click(&driver, "[data-testid=tab-history]").await;
    wait_text(&driver, "[data-testid=history]", "succeeded").await;
    shot(&driver, "57-alembic-history").await;

    // A revision file that computes its branch label: the window asks for the value.
    std::fs::write(
        twin.join("alembic/versions/008_expand.py"),
        "\"\"\"expand phase\"\"\"\nfrom app.migration import cli\n\nrevision = '008'\ndown_revision = '007'\nbranch_labels = (cli.EXPAND_BRANCH,)\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    click(&driver, "[data-testid=tab-timeline]").await;
    driver
        .action_chain()
        .key_down(Key::F5)
        .key_up(Key::F5)
        .perform()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_text(&driver, "[data-testid=computed-value]", "branch_labels").await;
    shot(&driver, "58-alembic-computed-value-asked").await;
    fill_css(&driver, "[data-testid=computed-value-input]", "expand").await;
    click(&driver, "[data-testid=computed-value-save]").await;
    wait_text(&driver, "[data-testid=revision-008]", "expand").await;
    shot(&driver, "59-alembic-computed-value-supplied").await;
    driver.quit().await.unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn an_alembic_folder_runs_no_code_until_trusted_and_asks_again_once_revoked() {
    let Some(python) = stratum_tests::oracle::python() else {
        return;
    };
    let python = &python;
    in_window(|driver_bin| async move { trust_scenario(&driver_bin, python).await });
}

/// A client's Alembic project whose env.py leaves a mark each time it runs.
fn marked_project(dir: &Path) -> std::path::PathBuf {
    copy_dir(&repo().join("examples/kontali-erp-alembic"), dir);
    let env = dir.join("alembic/env.py");
    let original = std::fs::read_to_string(&env).unwrap_or_else(|e| panic!("{e}"));
    let marker = dir.join("env-py-ran");
    std::fs::write(
        &env,
        format!(
            "import pathlib\npathlib.Path({:?}).write_text('env.py ran')\n{original}",
            marker.display().to_string()
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    marker
}

async fn trust_scenario(driver_bin: &Path, python: &Path) {
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let client = data.path().join("client-erp");
    let marker = marked_project(&client);
    let folder = std::fs::canonicalize(&client)
        .unwrap_or_else(|e| panic!("{e}"))
        .display()
        .to_string();
    let tauri_driver = Driver::start(driver_bin, data.path());
    let driver = session(tauri_driver.port).await;
    wait_text(&driver, "[data-testid=db-summary]", "pending").await;

    // Bound to a profile and read: the timeline is Stratum's own reading, nothing of it runs.
    let url = format!("sqlite:///{}", data.path().join("client.db").display());
    new_profile(&driver, "Client ERP (received)", &url, "", &client).await;
    click(&driver, "[data-testid=alembic-settings-toggle]").await;
    fill(&driver, "python", &python.to_string_lossy()).await;
    click(&driver, "[data-testid=save-profile]").await;
    wait_text(&driver, "[data-testid=alembic-badge]", "Alembic").await;
    wait_text(&driver, "[data-testid=db-summary]", "7 revision(s) pending").await;
    wait_text(&driver, "[data-testid=revision-007]", "head").await;
    assert!(!marker.exists(), "reading the timeline ran env.py");

    // A revision's SQL needs its env.py: the window asks first, and nothing has run.
    click(&driver, "[data-testid=revision-002]").await;
    let prompt = wait_text(
        &driver,
        "[data-testid=trust-prompt]",
        "Run this project's code?",
    )
    .await;
    let said = prompt.text().await.unwrap_or_default();
    assert!(
        said.contains("env.py and revision files run with your rights"),
        "{said}"
    );
    wait_text(&driver, "[data-testid=trust-folder]", &folder).await;
    assert!(!marker.exists(), "env.py ran before the folder was trusted");
    shot(&driver, "60-alembic-trust-prompt").await;

    // Trusted: the same click goes on, its SQL shows, and env.py has now run.
    click(&driver, "[data-testid=trust-continue]").await;
    wait_text(&driver, ".detail", "ALTER TABLE users ADD COLUMN phone").await;
    assert!(marker.exists(), "the trusted project's env.py ran");
    assert!(driver
        .find(By::Css("[data-testid=trust-prompt]"))
        .await
        .is_err());
    // The checks read the SQL too: read again now that the folder is trusted.
    wait_text(&driver, "[data-testid=revision-001]", "1 to review").await;
    shot(&driver, "61-alembic-trusted-revision-sql").await;

    // More → Trusted folders… lists it; revoked, the next preview asks again.
    click(&driver, "[data-testid=more-menu]").await;
    click(&driver, "[data-testid=menu-trusted-folders]").await;
    wait_text(&driver, "[data-testid=trusted-folder]", &folder).await;
    shot(&driver, "62-trusted-folders").await;
    click(&driver, "[data-testid=revoke-folder]").await;
    wait_text(
        &driver,
        "[data-testid=trusted-none]",
        "No folder is trusted yet",
    )
    .await;
    click(&driver, "[data-testid=trusted-close]").await;
    std::fs::remove_file(&marker).unwrap_or_else(|e| panic!("{e}"));
    click(&driver, "[data-testid=upgrade-head]").await;
    wait_text(&driver, "[data-testid=trust-folder]", &folder).await;
    assert!(!marker.exists(), "env.py ran after its folder was revoked");
    shot(&driver, "63-alembic-trust-asked-again").await;
    // Cancel runs nothing and the preview says why it has no plan.
    click(&driver, "[data-testid=trust-cancel]").await;
    wait_text(&driver, "[data-testid=operation]", "not trusted").await;
    assert!(!marker.exists(), "env.py ran after Cancel");
    click(&driver, "[data-testid=close-operation]").await;
    driver.quit().await.unwrap_or_else(|e| panic!("{e}"));
}

async fn fill_css(driver: &WebDriver, css: &str, value: &str) {
    let el = driver
        .find(By::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    el.send_keys(value).await.unwrap_or_else(|e| panic!("{e}"));
}
