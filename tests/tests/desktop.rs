//! The desktop app as a person uses it: the real binary in a real window (under Xvfb in CI),
//! driven through WebDriver (tauri-driver + WebKitWebDriver). Each step saves a screenshot in
//! `tests/artifacts/`.

use std::path::Path;

use thirtyfour::prelude::*;

use stratum_tests::window::{
    answer_file_dialog, click, fill, in_window, new_profile, session, shot, wait_text, Driver,
};
use stratum_tests::{copy_dir, repo};

#[test]
fn first_run_shows_the_demo_timeline_and_upgrades_it_to_head() {
    in_window(|driver_bin| async move { first_run(&driver_bin).await });
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

    // What the safety checks find is worth reading: the initial schema's downgrade, dropping
    // the tables it creates, is one finding, not one per table.
    wait_text(&driver, "[data-testid=revision-001]", "1 to review").await;
    // A revision's detail: its SQL, its findings and the actions.
    click(&driver, "[data-testid=revision-004]").await;
    wait_text(&driver, ".detail", "CREATE TABLE report_snapshots").await;
    wait_text(&driver, ".detail", "which this revision creates").await;
    shot(&driver, "02-revision-detail").await;

    // Rehearse before the real run: every step up, down and up again on a scratch copy.
    rehearse_from_the_menu(&driver, "Every step passed").await;
    wait_text(&driver, "[data-testid=rehearse-step-006]", "passed").await;
    shot(&driver, "07-rehearsal-passed").await;
    click(&driver, "[data-testid=rehearse-close]").await;
    // The rehearsal left the demo database as it was.
    wait_text(&driver, "[data-testid=db-summary]", "7 revision(s) pending").await;

    // Upgrade to head: plan and SQL first, then run.
    click(&driver, "[data-testid=upgrade-head]").await;
    wait_text(&driver, "[data-testid=plan-steps]", "007").await;
    wait_text(
        &driver,
        "[data-testid=sql-preview]",
        "INSERT INTO alembic_version",
    )
    .await;
    // The sample's tables all have their tenant column (the tenant table itself, `clients`, is
    // known from the foreign keys to it), so the upgrade's checks find nothing to hold it.
    shot(&driver, "03-upgrade-preview").await;
    click(&driver, "[data-testid=confirm-run]").await;
    wait_text(&driver, "[data-testid=result]", "Done").await;
    shot(&driver, "04-upgrade-done").await;
    click(&driver, "[data-testid=close-operation]").await;

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
    click(&driver, "[data-testid=tab-history]").await;
    wait_text(&driver, "[data-testid=history]", "succeeded").await;
    shot(&driver, "06-history").await;
    driver.quit().await.unwrap_or_else(|e| panic!("{e}"));
}

/// More → Rehearse upgrade…, started, until its summary says `outcome`.
async fn rehearse_from_the_menu(driver: &WebDriver, outcome: &str) {
    click(driver, "[data-testid=more-menu]").await;
    click(driver, "[data-testid=menu-rehearse]").await;
    click(driver, "[data-testid=rehearse-start]").await;
    wait_text(driver, "[data-testid=rehearse-summary]", outcome).await;
}

async fn upgrade_to_head(driver: &WebDriver) {
    click(driver, "[data-testid=upgrade-head]").await;
    wait_text(driver, "[data-testid=sql-preview]", "alembic_version").await;
    click(driver, "[data-testid=confirm-run]").await;
}

#[test]
fn profiles_made_in_the_form_connect_upgrade_fail_readably_and_merge() {
    if !stratum_tests::server_available(stratum_db::Engine::Postgres) {
        return;
    }
    // The scratch database is made and dropped outside the window's runtime (its helpers block).
    let pg = stratum_tests::ScratchDb::new(stratum_db::Engine::Postgres);
    let pg = &pg;
    in_window(|driver_bin| async move { form_scenarios(&driver_bin, pg).await });
}

async fn form_scenarios(driver_bin: &Path, pg: &stratum_tests::ScratchDb) {
    let rows = || tokio::task::block_in_place(|| pg.version_rows());
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let tauri_driver = Driver::start(driver_bin, data.path());
    let driver = session(tauri_driver.port).await;
    wait_text(&driver, "[data-testid=db-summary]", "pending").await;
    let sample = data.path().join("sample-project");

    // A PostgreSQL profile from the form's fields, no URL typed: a database name mistyped is
    // pointed out on its field; corrected, the connection works, and the URL box followed.
    let database = stratum_db::DatabaseUrl::parse(&pg.url)
        .unwrap_or_else(|e| panic!("{e}"))
        .database;
    click(&driver, "[data-testid=new-profile]").await;
    fill(&driver, "name", "ERP on PostgreSQL").await;
    fill(&driver, "client", "Acme AS").await;
    fill(&driver, "host", "127.0.0.1").await;
    fill(&driver, "port", "5432").await;
    fill(&driver, "database", "no_such_database").await;
    fill(&driver, "user", "postgres").await;
    fill(&driver, "project_dir", &sample.to_string_lossy()).await;
    click(&driver, "[data-testid=test-connection]").await;
    wait_text(&driver, "[data-testid=form-error]", "does not exist").await;
    wait_text(&driver, "[data-testid=problem-database]", "does not exist").await;
    shot(&driver, "10a-profile-from-fields-database-pointed-out").await;
    fill(&driver, "database", &database).await;
    assert_eq!(
        field_value(&driver, "url").await,
        format!("postgresql://postgres@127.0.0.1:5432/{database}")
    );
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
    wait_text(&driver, "[data-testid=problem-password]", "wrong password").await;
    assert!(!err
        .text()
        .await
        .unwrap_or_default()
        .contains("not-the-password"));
    shot(&driver, "13-wrong-password").await;
    click(&driver, "[data-testid=cancel-profile]").await;

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

    // Its rehearsal says the same before anything runs: 001 passes, 002's upgrade fails.
    rehearse_from_the_menu(&driver, "The rehearsal failed").await;
    wait_text(&driver, "[data-testid=rehearse-step-001]", "passed").await;
    wait_text(
        &driver,
        "[data-testid=rehearse-step-002]",
        "the upgrade of 002 failed",
    )
    .await;
    shot(&driver, "17-rehearsal-failed").await;
    click(&driver, "[data-testid=rehearse-close]").await;
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

#[test]
fn files_come_from_the_system_dialogs_and_new_revisions_from_the_toolbar() {
    in_window(|driver_bin| async move { dialogs_and_new_revision(&driver_bin).await });
}

async fn field_value(driver: &WebDriver, name: &str) -> String {
    let css = format!("[data-testid=profile-form] [name={name}]");
    let el = driver
        .find(By::Css(css.as_str()))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    el.prop("value").await.ok().flatten().unwrap_or_default()
}

async fn dialogs_and_new_revision(driver_bin: &Path) {
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let tauri_driver = Driver::start(driver_bin, data.path());
    let driver = session(tauri_driver.port).await;
    wait_text(&driver, "[data-testid=db-summary]", "pending").await;

    // A team's Alembic folder (its ini names a SQLite file relative to it) and, elsewhere,
    // the migration project.
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let team = work.path().join("acme-erp");
    std::fs::create_dir_all(&team).unwrap_or_else(|e| panic!("{e}"));
    let ini = team.join("alembic.ini");
    std::fs::write(
        &ini,
        "[alembic]\nscript_location = %(here)s/alembic\nsqlalchemy.url = sqlite:///acme.db\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let project = work.path().join("acme-migrations");
    copy_dir(&repo().join("examples/kontali-erp"), &project);

    // The profile form, filled from the alembic.ini chosen in the system's file dialog.
    click(&driver, "[data-testid=new-profile]").await;
    click(&driver, "[data-testid=from-alembic-ini]").await;
    answer_file_dialog(
        "Choose the project's alembic.ini",
        &ini,
        "20-alembic-ini-file-dialog",
    )
    .await;
    wait_text(
        &driver,
        "[data-testid=form-notes]",
        "choose the migration project folder",
    )
    .await;
    assert_eq!(field_value(&driver, "name").await, "acme-erp");
    assert_eq!(
        field_value(&driver, "url").await,
        format!("sqlite:///{}", team.join("acme.db").display())
    );
    shot(&driver, "21-filled-from-alembic-ini").await;

    // The project folder, from the system's folder dialog.
    click(&driver, "[data-testid=choose-folder]").await;
    answer_file_dialog(
        "Choose the migration project folder",
        &project,
        "22-folder-dialog",
    )
    .await;
    let started = std::time::Instant::now();
    while field_value(&driver, "project_dir").await != project.display().to_string() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the chosen folder never reached the form"
        );
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    click(&driver, "[data-testid=save-profile]").await;
    wait_text(&driver, ".toolbar h1", "acme-erp").await;
    wait_text(&driver, "[data-testid=db-summary]", "7 revision(s) pending").await;

    // A new revision from the toolbar: the file is written after the head and shown.
    click(&driver, "[data-testid=new-revision-button]").await;
    wait_text(
        &driver,
        "[data-testid=new-revision]",
        "It follows the head, 007.",
    )
    .await;
    let message = driver
        .find(By::Css("[data-testid=new-revision] [name=message]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    message
        .send_keys("add invoice notes")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    click(&driver, "[data-testid=create-revision]").await;
    wait_text(
        &driver,
        "[data-testid=revision-written]",
        "_add_invoice_notes.sql",
    )
    .await;
    shot(&driver, "23-new-revision-written").await;
    let written: Vec<_> = std::fs::read_dir(project.join("versions"))
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .filter(|f| {
            f.file_name()
                .to_string_lossy()
                .ends_with("_add_invoice_notes.sql")
        })
        .collect();
    assert_eq!(written.len(), 1, "one new file in the project");
    let content = std::fs::read_to_string(written[0].path()).unwrap_or_default();
    assert!(content.contains("-- down_revision: 007"), "{content}");
    click(&driver, "[data-testid=close-new-revision]").await;
    wait_text(&driver, "[data-testid=db-summary]", "8 revision(s) pending").await;
    wait_text(&driver, ".timeline", "add invoice notes").await;
    shot(&driver, "24-timeline-with-the-new-revision").await;
    driver.quit().await.unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_production_upgrade_passes_its_release_gate_backs_up_first_and_the_backup_restores_from_its_tab(
) {
    if !stratum_tests::server_available(stratum_db::Engine::Postgres) {
        return;
    }
    let pg = stratum_tests::ScratchDb::new(stratum_db::Engine::Postgres);
    let staging = stratum_tests::ScratchDb::new(stratum_db::Engine::Postgres);
    // The client's databases already stand at 003 (an earlier release).
    let project = repo().join("examples/kontali-erp").display().to_string();
    for db in [&pg, &staging] {
        let o =
            stratum_tests::stratum(&["--project", &project, "--url", &db.url, "upgrade", "003"]);
        assert!(o.status.success(), "{}", stratum_tests::text(&o));
    }
    let at_003 = pg.snapshot();
    // The scratch databases are dropped outside the window's runtime (its helpers block).
    let (pg, staging, at_003) = (&pg, &staging, &at_003);
    in_window(|driver_bin| async move {
        production_backup_and_restore(&driver_bin, pg, staging, at_003).await
    });
}

async fn type_into(driver: &WebDriver, css: &str, value: &str) {
    let el = driver
        .find(By::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    el.send_keys(value).await.unwrap_or_else(|e| panic!("{e}"));
}

async fn gate_item_met(driver: &WebDriver, key: &str) -> String {
    let css = format!("[data-testid=gate-item-{key}]");
    let el = driver
        .find(By::Css(css.as_str()))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    el.attr("data-met").await.ok().flatten().unwrap_or_default()
}

async fn production_backup_and_restore(
    driver_bin: &Path,
    pg: &stratum_tests::ScratchDb,
    staging: &stratum_tests::ScratchDb,
    at_003: &[String],
) {
    let snapshot = || tokio::task::block_in_place(|| pg.snapshot());
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let tauri_driver = Driver::start(driver_bin, data.path());
    let driver = session(tauri_driver.port).await;
    wait_text(&driver, "[data-testid=db-summary]", "pending").await;
    let sample = data.path().join("sample-project");

    new_profile(&driver, "Acme production", &pg.url, "", &sample).await;
    click(
        &driver,
        "[data-testid=profile-form] [name=environment] option[value=production]",
    )
    .await;
    // Round the clock: the window is not what this test holds the run with.
    fill(&driver, "maintenance_window", "daily 00:00-00:00 UTC").await;
    shot(&driver, "29-production-profile-with-its-release-gate").await;
    click(&driver, "[data-testid=save-profile]").await;
    wait_text(&driver, ".toolbar h1", "Acme production").await;
    wait_text(&driver, "[data-testid=db-summary]", "4 revision(s) pending").await;

    // The check-up before the release: revisions pending, never backed up nor rehearsed.
    click(&driver, "[data-testid=more-menu]").await;
    click(&driver, "[data-testid=more-checkup]").await;
    wait_text(&driver, "[data-testid=checkup-summary]", "failed").await;
    wait_text(&driver, "[data-testid=checkup-item-backup]", "no backup").await;
    shot(&driver, "35-checkup-before-the-release").await;
    click(&driver, "[data-testid=checkup-close]").await;

    // The gate holds the upgrade: staging never ran these files, nobody rehearsed them.
    click(&driver, "[data-testid=upgrade-head]").await;
    wait_text(&driver, "[data-testid=gate]", "not met").await;
    assert_eq!(gate_item_met(&driver, "staging").await, "no");
    assert_eq!(gate_item_met(&driver, "rehearsal").await, "no");
    assert_eq!(gate_item_met(&driver, "backup").await, "yes");
    assert_eq!(gate_item_met(&driver, "window").await, "yes");
    type_into(&driver, "[data-testid=operation] .confirm input", &pg.name).await;
    shot(&driver, "30-production-gate-holds-the-upgrade").await;
    let run = driver
        .find(By::Css("[data-testid=confirm-run]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!run.is_enabled().await.unwrap_or(true), "held by the gate");
    click(&driver, "[data-testid=close-operation]").await;

    // The client's staging database runs the same revisions first.
    new_profile(&driver, "Acme staging", &staging.url, "", &sample).await;
    click(
        &driver,
        "[data-testid=profile-form] [name=environment] option[value=staging]",
    )
    .await;
    click(&driver, "[data-testid=save-profile]").await;
    wait_text(&driver, ".toolbar h1", "Acme staging").await;
    wait_text(&driver, "[data-testid=db-summary]", "4 revision(s) pending").await;
    upgrade_to_head(&driver).await;
    wait_text(&driver, "[data-testid=result]", "Done").await;
    click(&driver, "[data-testid=close-operation]").await;

    // Back on production: rehearsed from the preview, the review confirmed by name.
    click(&driver, "[data-testid=profile-2]").await;
    wait_text(&driver, ".toolbar h1", "Acme production").await;
    wait_text(&driver, "[data-testid=db-summary]", "4 revision(s) pending").await;
    click(&driver, "[data-testid=upgrade-head]").await;
    wait_text(&driver, "[data-testid=gate-item-staging]", "Acme staging").await;
    click(&driver, "[data-testid=open-rehearse]").await;
    click(&driver, "[data-testid=rehearse-start]").await;
    wait_text(&driver, "[data-testid=rehearse-summary]", "passed").await;
    click(&driver, "[data-testid=rehearse-close]").await;
    wait_text(&driver, "[data-testid=gate-item-rehearsal]", "passed on").await;
    type_into(&driver, "[data-testid=gate-reviewer]", "Dana Reviewer").await;
    wait_text(&driver, "[data-testid=gate]", "every item met").await;
    click(&driver, "[data-testid=dry-run]").await;
    wait_text(
        &driver,
        "[data-testid=dry-run-result]",
        "nothing was changed",
    )
    .await;
    type_into(&driver, "[data-testid=operation] .confirm input", &pg.name).await;
    shot(&driver, "31-production-gate-met").await;
    click(&driver, "[data-testid=confirm-run]").await;
    wait_text(&driver, "[data-testid=result]", "Done").await;
    wait_text(&driver, "[data-testid=backup-taken]", ".dump").await;
    shot(&driver, "31b-production-upgraded-after-a-backup").await;
    click(&driver, "[data-testid=close-operation]").await;
    wait_text(&driver, "[data-testid=db-summary]", "Up to date").await;
    assert_ne!(snapshot(), at_003);
    click(&driver, "[data-testid=tab-history]").await;
    wait_text(
        &driver,
        "[data-testid=history-gate]",
        "reviewed by Dana Reviewer",
    )
    .await;
    shot(&driver, "36-history-with-the-gate").await;

    // The Backups tab lists it, taken at 003; restoring it brings 003's schema back.
    click(&driver, "[data-testid=tab-backups]").await;
    wait_text(
        &driver,
        "[data-testid=backup-list]",
        "before upgrade to heads",
    )
    .await;
    wait_text(&driver, "[data-testid=backup-list]", "003").await;
    shot(&driver, "32-backups-tab").await;
    click(&driver, "[data-testid=restore-backup]").await;
    type_into(
        &driver,
        "[data-testid=restore-dialog] [name=confirm]",
        &pg.name,
    )
    .await;
    shot(&driver, "33-restore-dialog").await;
    click(&driver, "[data-testid=confirm-restore]").await;
    wait_text(&driver, "[data-testid=backup-note]", "Restored the backup").await;
    assert_eq!(snapshot(), at_003, "the schema is back at 003");
    wait_text(&driver, "[data-testid=backup-list]", "before restoring").await;
    shot(&driver, "34-restored").await;
    driver.quit().await.unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn the_schema_tab_shows_tables_foreign_keys_the_er_diagram_and_drift() {
    in_window(|driver_bin| async move { schema_tab(&driver_bin).await });
}

async fn schema_tab(driver_bin: &Path) {
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let tauri_driver = Driver::start(driver_bin, data.path());
    let driver = session(tauri_driver.port).await;
    wait_text(&driver, "[data-testid=db-summary]", "pending").await;
    upgrade_to_head(&driver).await;
    wait_text(&driver, "[data-testid=result]", "Done").await;
    click(&driver, "[data-testid=close-operation]").await;

    click(&driver, "[data-testid=tab-schema]").await;
    wait_text(&driver, "[data-testid=schema]", "tables").await;
    let search = driver
        .find(By::Css("[data-testid=schema-search]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    search
        .send_keys("vendor")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    click(&driver, "[data-testid=schema-table-vendor_invoices]").await;
    wait_text(&driver, "[data-testid=table-view]", "main.vendor_invoices").await;
    wait_text(
        &driver,
        "[data-testid=table-provenance]",
        "last changed by 007",
    )
    .await;
    wait_text(&driver, "[data-testid=foreign-keys]", "vendors").await;
    wait_text(&driver, "[data-testid=er-diagram]", "vendors").await;
    wait_text(&driver, "[data-testid=tenant-audit]", "Tenant audit").await;
    shot(&driver, "40-schema-table").await;
    let _ = driver
        .execute(
            "document.querySelector('[data-testid=er-diagram]').scrollIntoView()",
            vec![],
        )
        .await;
    shot(&driver, "42-schema-er-diagram").await;

    // A column added by hand, outside any revision, is drift.
    let url = stratum_db::DatabaseUrl::parse(&format!(
        "sqlite:///{}",
        data.path().join("demo.db").display()
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let mut conn = stratum_db::Connection::connect(&url, std::time::Duration::from_secs(5))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    conn.execute("ALTER TABLE vendor_invoices ADD COLUMN approved_by TEXT")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    conn.close().await;
    click(&driver, "[data-testid=check-drift]").await;
    wait_text(
        &driver,
        "[data-testid=drift-result]",
        "vendor_invoices.approved_by",
    )
    .await;
    shot(&driver, "41-schema-drift-found").await;
    driver.quit().await.unwrap_or_else(|e| panic!("{e}"));
}

/// Revision k creates `t_k`, puts one row in it and creates `u_k`: three statements that, on
/// MariaDB, commit as they run.
fn three_statement_project() -> tempfile::TempDir {
    let files: Vec<(String, String)> = (1..=3)
        .map(|k| {
            let down = if k == 1 {
                String::new()
            } else {
                format!("r{:02}", k - 1)
            };
            (
                format!("r{k:02}_t{k}.sql"),
                format!(
                    "-- revision: r{k:02}\n-- down_revision: {down}\n-- message: tables t_{k} and u_{k}\n\n-- migrate:up\nCREATE TABLE t_{k} (id INTEGER PRIMARY KEY);\nINSERT INTO t_{k} (id) VALUES (1);\nCREATE TABLE u_{k} (id INTEGER PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE u_{k};\nDROP TABLE t_{k};\n"
                ),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_str()))
        .collect();
    stratum_tests::project_with(&refs)
}

/// The journal's digests of a revision's upgrade statements, as a run records them.
fn upgrade_digests(dir: &Path, revision: &str) -> String {
    let project = stratum_project::Project::open(dir).unwrap_or_else(|e| panic!("{e}"));
    let file = project
        .file(revision)
        .unwrap_or_else(|| panic!("no {revision}"));
    file.statements(true, stratum_project::Dialect::MySql)
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .map(|s| stratum_db::journal_digest(&s.sql))
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn an_interrupted_revision_is_shown_statement_by_statement_and_resumed_from_the_window() {
    if !stratum_tests::server_available(stratum_db::Engine::MySql) {
        return;
    }
    let db = stratum_tests::ScratchDb::new(stratum_db::Engine::MySql);
    let project = three_statement_project();
    let dir = project.path().display().to_string();
    let o = stratum_tests::stratum(&["upgrade", "r01", "--project", &dir, "--url", &db.url]);
    assert!(o.status.success(), "{}", stratum_tests::text(&o));
    // As a run cut off after r02's first statement leaves it: t_2 made, the journal saying so.
    db.execute("CREATE TABLE t_2 (id INTEGER PRIMARY KEY)");
    db.execute(&format!(
        "INSERT INTO stratum_journal (version_table, revision, direction, statements, done, digests, started_by, started_at, in_flight) VALUES ('alembic_version', 'r02', 'upgrade', 3, 1, '{}', 'stratum 0.2.0 ana@desk', '2026-12-03 02:00:00 UTC', '')",
        upgrade_digests(project.path(), "r02")
    ));
    assert_eq!(db.version_rows(), ["r01"]);
    // The scratch database is dropped outside the window's runtime (its helpers block).
    let (db, project) = (&db, project.path());
    in_window(|driver_bin| async move { resume_interrupted(&driver_bin, db, project).await });
}

async fn resume_interrupted(driver_bin: &Path, db: &stratum_tests::ScratchDb, project: &Path) {
    let query = |sql: &str| tokio::task::block_in_place(|| db.query(sql));
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let tauri_driver = Driver::start(driver_bin, data.path());
    let driver = session(tauri_driver.port).await;
    wait_text(&driver, "[data-testid=db-summary]", "pending").await;

    new_profile(&driver, "ERP on MariaDB", &db.url, "", project).await;
    click(&driver, "[data-testid=save-profile]").await;
    wait_text(&driver, ".toolbar h1", "ERP on MariaDB").await;
    wait_text(&driver, "[data-testid=db-summary]", "Database at r01.").await;

    // The banner says, statement by statement, how far r02 got, and offers to finish it.
    wait_text(
        &driver,
        "[data-testid=interrupted]",
        "Revision r02 was interrupted while upgrading.",
    )
    .await;
    wait_text(&driver, "[data-testid=interrupted]", "ana@desk").await;
    let states = [
        (1, "ran", "CREATE TABLE t_2"),
        (2, "did not run", "INSERT INTO t_2"),
        (3, "did not run", "CREATE TABLE u_2"),
    ];
    for (n, state, sql) in states {
        let css = format!("[data-testid=journal-{n}]");
        let el = wait_text(&driver, &css, sql).await;
        let said = el
            .prop("textContent")
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        assert!(said.starts_with(state), "statement {n}: {said}");
    }
    assert!(
        driver
            .find(By::Css("[data-testid=resume-ran]"))
            .await
            .is_err(),
        "nothing is in doubt"
    );
    wait_text(&driver, "[data-testid=resume]", "Resume r02").await;
    shot(&driver, "70-interrupted-revision").await;

    // Resume: the usual review, saying what resuming does, with a backup first.
    click(&driver, "[data-testid=resume]").await;
    wait_text(
        &driver,
        "[data-testid=operation] h2",
        "Resume ERP on MariaDB to r02",
    )
    .await;
    wait_text(
        &driver,
        "[data-testid=resuming]",
        "the statements that ran are skipped",
    )
    .await;
    wait_text(&driver, "[data-testid=plan-steps]", "r02").await;
    wait_text(&driver, "[data-testid=sql-preview]", "CREATE TABLE u_2").await;
    wait_text(&driver, "[data-testid=confirm-run]", "Resume now").await;
    shot(&driver, "71-resume-review").await;
    // Back up first: the box is below the SQL, scrolled to as a person would (the dialog's
    // sticky actions would otherwise cover it).
    let backup_first = "[data-testid=operation] .backup-step input[type=checkbox]";
    let _ = driver
        .execute(
            &format!(
                "document.querySelector('{backup_first}').scrollIntoView({{block: 'center'}})"
            ),
            vec![],
        )
        .await;
    click(&driver, backup_first).await;
    let checked = driver
        .find(By::Css(backup_first))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .prop("checked")
        .await
        .ok()
        .flatten();
    assert_eq!(checked.as_deref(), Some("true"), "back up first");
    shot(&driver, "71b-resume-backup-first").await;
    click(&driver, "[data-testid=confirm-run]").await;
    wait_text(&driver, "[data-testid=result]", "Done").await;
    wait_text(
        &driver,
        "[data-testid=backup-taken]",
        "Backup taken before the run",
    )
    .await;
    shot(&driver, "72-resume-done").await;
    click(&driver, "[data-testid=close-operation]").await;

    // The timeline: r02 finished, the banner gone.
    wait_text(&driver, "[data-testid=db-summary]", "Database at r02.").await;
    wait_text(&driver, "[data-testid=db-summary]", "1 revision(s) pending").await;
    assert!(
        driver
            .find(By::Css("[data-testid=interrupted]"))
            .await
            .is_err(),
        "the banner is gone"
    );
    assert_eq!(tokio::task::block_in_place(|| db.version_rows()), ["r02"]);
    assert_eq!(
        tokio::task::block_in_place(|| db.tables()),
        ["t_1", "t_2", "u_1", "u_2"]
    );
    assert_eq!(
        query("SELECT CAST(COUNT(*) AS CHAR) FROM t_2"),
        ["1"],
        "the INSERT ran once"
    );
    assert_eq!(
        query("SELECT CAST(COUNT(*) AS CHAR) FROM stratum_journal"),
        ["0"]
    );
    shot(&driver, "73-resumed").await;
    driver.quit().await.unwrap_or_else(|e| panic!("{e}"));
}
