//! A consultant's fleet in the desktop app as a person uses it: databases at different
//! revisions, one unreachable, one whose project has a failing revision, one in production;
//! the Fleet view shows each as it stands, a batch upgrade of the chosen ones runs with its
//! progress per database, the production one confirmed, and its report is saved as CSV from the
//! system's own dialog. Screenshots in tests/artifacts/.

use std::path::Path;

use stratum_db::Engine;
use stratum_tests::window::{
    answer_file_dialog, click, in_window, session, shot, wait_text, Driver,
};
use stratum_tests::{repo, sample_project, ScratchDb};
use thirtyfour::prelude::*;

fn stratum_ok(args: &[&str]) {
    let o = stratum_tests::stratum(args);
    assert!(o.status.success(), "{args:?}: {}", stratum_tests::text(&o));
}

#[test]
fn the_fleet_view_shows_every_database_and_a_batch_brings_them_up_with_a_report() {
    if !stratum_tests::server_available(Engine::Postgres) {
        return;
    }
    let dbs: Vec<ScratchDb> = (0..4).map(|_| ScratchDb::new(Engine::Postgres)).collect();
    let failing = ScratchDb::new(Engine::Sqlite);
    let dbs = &dbs;
    let failing = &failing;
    in_window(|driver_bin| async move { fleet_scenario(&driver_bin, dbs, failing).await });
}

async fn fleet_scenario(driver_bin: &Path, dbs: &[ScratchDb], failing: &ScratchDb) {
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = data.path().to_string_lossy().to_string();
    let sample = sample_project().to_string_lossy().to_string();
    // The fleet, set up from the command line before the app starts.
    let starts = [None, Some("003"), Some("heads"), Some("006")];
    tokio::task::block_in_place(|| {
        for (i, (db, start)) in dbs.iter().zip(starts).enumerate() {
            if let Some(t) = start {
                stratum_ok(&["--project", &sample, "--url", &db.url, "upgrade", t]);
            }
            let env = if i == 1 { "production" } else { "staging" };
            stratum_ok(&[
                "--data-dir",
                &dir,
                "profile",
                "add",
                &format!("acme-{i}"),
                "--db",
                &db.url,
                "--dir",
                &sample,
                "--client",
                if i < 2 { "Acme" } else { "Globex" },
                "--environment",
                env,
                "--tags",
                "eu",
            ]);
        }
        stratum_ok(&[
            "--data-dir",
            &dir,
            "profile",
            "add",
            "gone",
            "--db",
            "postgresql://postgres@127.0.0.1:1/nowhere",
            "--dir",
            &sample,
            "--client",
            "Initech",
            "--environment",
            "staging",
        ]);
        stratum_ok(&[
            "--data-dir",
            &dir,
            "profile",
            "add",
            "failing",
            "--db",
            &failing.url,
            "--dir",
            &repo()
                .join("tests/fixtures/failing-project")
                .to_string_lossy(),
            "--client",
            "Initech",
            "--environment",
            "staging",
        ]);
    });
    let tauri_driver = Driver::start(driver_bin, data.path());
    let driver = session(tauri_driver.port).await;

    click(&driver, "[data-testid=open-fleet]").await;
    wait_text(&driver, "[data-testid=fleet-summary]", "6 databases").await;
    wait_text(
        &driver,
        "[data-testid^=fleet-row-][data-state=unreachable]",
        "gone",
    )
    .await;
    wait_text(
        &driver,
        "[data-testid^=fleet-row-][data-state=up_to_date]",
        "acme-2",
    )
    .await;
    all_read(&driver).await;
    shot(&driver, "60-fleet-mixed-states").await;

    // Every database chosen; the production one confirmed by typing how many there are.
    click(&driver, "[data-testid=fleet-select-all]").await;
    click(&driver, "[data-testid=fleet-upgrade]").await;
    wait_text(&driver, "[data-testid=batch]", "acme-1").await;
    let confirm = driver
        .find(By::Css("[data-testid=batch-production-confirm]"))
        .await
        .unwrap_or_else(|e| panic!("the production confirmation: {e}"));
    confirm
        .send_keys("1")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let stop = driver
        .find(By::Css("[data-testid=batch-stop]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    if stop.is_selected().await.unwrap_or(true) {
        stop.click().await.unwrap_or_else(|e| panic!("{e}"));
    }
    // The production database has a release gate: held to its checklist unless overridden.
    wait_text(
        &driver,
        "[data-testid=batch-gate]",
        "1 database with a release gate",
    )
    .await;
    for (css, typed) in [
        ("[data-testid=batch-reviewer]", "Dana"),
        (
            "[data-testid=batch-override-reason]",
            "first release on the new fleet, approved by Acme",
        ),
    ] {
        driver
            .find(By::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .send_keys(typed)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    shot(&driver, "61-batch-chosen").await;
    click(&driver, "[data-testid=batch-start]").await;
    wait_text(&driver, "[data-testid=batch-report]", "failed").await;
    let report = wait_text(&driver, "[data-testid=batch-report]", "succeeded").await;
    let said = report.text().await.unwrap_or_default();
    assert!(said.contains("002") && said.contains("gone"), "{said}");
    shot(&driver, "62-batch-report").await;

    // The report saved as CSV, through GTK's own save dialog.
    let csv = data.path().join("acme-report.csv");
    click(&driver, "[data-testid=batch-save-csv]").await;
    answer_file_dialog("Save the batch report", &csv, "63-save-report-dialog").await;
    wait_text(&driver, "[data-testid=batch]", "acme-report.csv").await;
    let saved = std::fs::read_to_string(&csv).unwrap_or_default();
    assert_eq!(
        saved.lines().count(),
        7,
        "a header and a line per database: {saved}"
    );
    assert!(
        saved.contains("release gate overridden")
            && saved.contains("first release on the new fleet"),
        "the override is in the report: {saved}"
    );

    click(&driver, "[data-testid=batch-close]").await;
    wait_text(&driver, "[data-testid=fleet-summary]", "6 databases").await;
    all_read(&driver).await;
    wait_text(
        &driver,
        "[data-testid^=fleet-row-][data-state=up_to_date]",
        "acme-0",
    )
    .await;
    shot(&driver, "64-fleet-after-batch").await;

    // A check-up of every chosen database fills the check-up column as each one ends.
    click(&driver, "[data-testid=fleet-check-up]").await;
    wait_text(&driver, "[data-testid=fleet-check-up]", "Check up").await;
    // The production one was backed up and is up to date; the unreachable one cannot be checked.
    wait_text(&driver, "[data-testid=fleet] [role=table]", "✓ passed").await;
    wait_text(&driver, "[data-testid=fleet] [role=table]", "✗ failed").await;
    wait_text(&driver, "[data-testid=fleet-check-up]", "Check up").await;
    shot(&driver, "65-fleet-checkup-column").await;
    tokio::task::block_in_place(|| {
        for db in dbs {
            assert_eq!(db.version_rows(), ["007"]);
        }
        assert!(
            failing.version_rows().is_empty(),
            "the failing one was rolled back"
        );
    });
    driver.quit().await.unwrap_or_else(|e| panic!("{e}"));
}

/// Waits until no row of the fleet is still being read.
async fn all_read(driver: &WebDriver) {
    let started = std::time::Instant::now();
    while driver
        .find(By::Css("[data-testid^=fleet-row-][data-state=reading]"))
        .await
        .is_ok()
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the fleet is still being read"
        );
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
}
