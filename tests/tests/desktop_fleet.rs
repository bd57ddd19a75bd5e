//! A consultant's fleet in the desktop app as a person uses it: databases at different
//! revisions, one unreachable, one whose project has a failing revision, one in production;
//! the Fleet view shows each as it stands, a batch upgrade of the chosen ones runs with its
//! progress per database, the production one confirmed, and its report is saved as CSV from the
//! system's own dialog. Screenshots in tests/artifacts/.

use std::path::Path;

use stratum_db::Engine;
use stratum_tests::window::{
    answer_file_dialog, click, fill_in, in_window, session, shot, wait_text, Driver,
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
    // The reading indicator counts what is still being read (the table draws only the rows in
    // view): gone once every database has answered.
    let started = std::time::Instant::now();
    while let Ok(reading) = driver.find(By::Css("[data-testid=fleet-reading]")).await {
        let said = reading.text().await.unwrap_or_default();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(90),
            "the fleet is still being read: {said}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    eprintln!("the fleet was read in {:?}", started.elapsed());
}

/// Tenant databases on one PostgreSQL server, made for the test and dropped after it.
struct Tenants(Vec<String>);

impl Tenants {
    fn admin(sql: &str, database: &str) {
        stratum_tests::admin(
            &format!("postgresql://postgres@127.0.0.1:5432/{database}"),
            sql,
        );
    }
}

impl Drop for Tenants {
    fn drop(&mut self) {
        for n in &self.0 {
            Tenants::admin(
                &format!("DROP DATABASE IF EXISTS \"{n}\" WITH (FORCE)"),
                "postgres",
            );
        }
    }
}

/// "Add databases from a server…": the server's tenant databases listed with their version
/// rows, the one not migrated yet apart and unticked, and the ticked ones added as profiles
/// named and grouped by the rule, without a URL typed per database.
#[test]
fn databases_on_a_server_are_found_and_added_from_the_sidebar() {
    if !stratum_tests::server_available(Engine::Postgres) {
        return;
    }
    let prefix = format!("sdw{}", std::process::id());
    let mut tenants = Tenants(Vec::new());
    for (i, region) in ["north", "north", "south", "south", "west", "west"]
        .iter()
        .enumerate()
    {
        let name = format!("{prefix}_{region}_{i}");
        Tenants::admin(&format!("CREATE DATABASE \"{name}\""), "postgres");
        tenants.0.push(name.clone());
        if i != 5 {
            Tenants::admin(
                "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)",
                &name,
            );
            Tenants::admin("INSERT INTO alembic_version VALUES ('003')", &name);
        }
    }
    let tenants = &tenants;
    let prefix = &prefix;
    in_window(|driver_bin| async move {
        let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let tauri_driver = Driver::start(&driver_bin, data.path());
        let driver = session(tauri_driver.port).await;
        click(&driver, "[data-testid=open-discover]").await;
        let sample = sample_project().to_string_lossy().to_string();
        for (name, value) in [
            (
                "server",
                "postgresql://postgres@127.0.0.1:5432/".to_string(),
            ),
            ("project_dir", sample),
            ("databases", format!("{prefix}_*_?")),
            ("name_rule", "{1} {2}".to_string()),
            ("client_rule", "{1}".to_string()),
        ] {
            fill_in(&driver, "discover-dialog", name, &value).await;
        }
        click(&driver, "[data-testid=discover-find]").await;
        wait_text(
            &driver,
            "[data-testid=found-list]",
            "6 database(s) match: 5 with a version table, 1 without.",
        )
        .await;
        wait_text(&driver, "[data-testid=discover-add]", "Add 5 profile(s)").await;
        shot(&driver, "80-discover-found").await;
        click(&driver, "[data-testid=discover-add]").await;
        wait_text(&driver, ".sidebar", "west 4").await;
        wait_text(&driver, ".sidebar", "north 0").await;
        assert!(
            !driver.source().await.unwrap_or_default().contains("west 5"),
            "the tenant without a version table was not ticked"
        );
        click(&driver, "[data-testid=open-fleet]").await;
        // The five, and the demo profile every first start has.
        wait_text(&driver, "[data-testid=fleet-summary]", "6 databases").await;
        wait_text(&driver, "[data-testid=fleet-table]", "west 4").await;
        wait_text(&driver, "[data-testid=fleet-summary]", "6 behind").await;
        shot(&driver, "81-discover-added-fleet").await;
        let _ = tenants;
    });
}

/// A consultant's real estate in one window: a thousand profiles (imported from a team's
/// file) whose table stays a few dozen rows in the page however far it scrolls, filters and
/// sorts; and a batch whose process died midway, shown on the next start with each database's
/// state and run to its end from the banner.
#[test]
fn a_thousand_databases_scroll_filter_and_sort_and_an_interrupted_batch_is_resumed() {
    if !stratum_tests::server_available(Engine::Postgres) {
        return;
    }
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = data.path().to_string_lossy().to_string();
    let sample = sample_project().to_string_lossy().to_string();
    // Half the tenants at head (a copy of one database), half never migrated.
    let files = data.path().join("tenants");
    std::fs::create_dir_all(&files).unwrap_or_else(|e| panic!("{e}"));
    let at_head = files.join("at-head.db");
    stratum_ok(&[
        "--project",
        &sample,
        "--url",
        &format!("sqlite:///{}", at_head.display()),
        "upgrade",
        "heads",
    ]);
    let mut profiles = Vec::new();
    for i in 0..1000 {
        let db = files.join(format!("tenant-{i:04}.db"));
        if i % 2 == 0 {
            std::fs::copy(&at_head, &db).unwrap_or_else(|e| panic!("{e}"));
        }
        profiles.push(serde_json::json!({
            "name": format!("tenant-{i:04}"), "client": format!("Client {}", i % 10),
            "environment": "staging", "url": format!("sqlite:///{}", db.display()),
            "project_dir": sample, "auto_backup": false, "backup_keep": 10,
        }));
    }
    let file = data.path().join("profiles.json");
    std::fs::write(
        &file,
        serde_json::json!({ "stratum_profiles": 1, "profiles": profiles }).to_string(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    stratum_ok(&[
        "--data-dir",
        &dir,
        "profile",
        "import",
        &file.to_string_lossy(),
    ]);

    // Three more, whose batch is killed while the second (a slow revision) runs.
    let slow = stratum_tests::project_with(&[
        (
            "001_a.sql",
            &stratum_tests::revision_file(
                "001",
                "",
                "CREATE TABLE a (id INTEGER PRIMARY KEY);",
                "DROP TABLE a;",
            ),
        ),
        (
            "002_b.sql",
            &stratum_tests::revision_file(
                "002",
                "001",
                "SELECT pg_sleep(3);\nCREATE TABLE b (id INTEGER PRIMARY KEY);",
                "DROP TABLE b;",
            ),
        ),
    ]);
    let pg = ScratchDb::new(Engine::Postgres);
    let fast: Vec<ScratchDb> = (0..2).map(|_| ScratchDb::new(Engine::Postgres)).collect();
    for (name, url) in [
        ("resume-a", &fast[0].url),
        ("resume-b-slow", &pg.url),
        ("resume-c", &fast[1].url),
    ] {
        stratum_ok(&[
            "--data-dir",
            &dir,
            "profile",
            "add",
            name,
            "--db",
            url,
            "--dir",
            &slow.path().to_string_lossy(),
            "--client",
            "Resume",
            "--environment",
            "staging",
        ]);
    }
    stratum_tests::kill_stratum_at(
        &[
            "--data-dir",
            &dir,
            "upgrade",
            "head",
            "--group",
            "Resume",
            "--concurrency",
            "1",
        ],
        "resume-b-slow: running: step 2 of 2",
    );

    let (data, fast, pg) = (&data, &fast, &pg);
    in_window(|driver_bin| async move {
        let tauri_driver = Driver::start(&driver_bin, data.path());
        let driver = session(tauri_driver.port).await;
        click(&driver, "[data-testid=open-fleet]").await;
        // The thousand and the three (a store with profiles gets no demo profile).
        wait_text(&driver, "[data-testid=fleet-summary]", "1003 databases").await;
        all_read(&driver).await;
        let rows_in_page = || async {
            driver
                .find_all(By::Css("[data-testid^=fleet-row-]"))
                .await
                .map(|r| r.len())
                .unwrap_or_default()
        };
        let in_page = rows_in_page().await;
        assert!(
            in_page < 100,
            "{in_page} rows in the page: the table is not virtualised"
        );
        shot(&driver, "82-fleet-1000-rows").await;

        // Scrolled to the end: the last rows are drawn, still only a page of them.
        driver
            .execute(
                "const t = document.querySelector('[data-testid=fleet-table]'); \
                 (t.querySelector('.fleet-scroll') || t).scrollTop = 1e9;",
                vec![],
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        wait_text(&driver, "[data-testid=fleet-table]", "tenant-0999").await;
        assert!(rows_in_page().await < 100);
        shot(&driver, "83-fleet-1000-scrolled-to-the-end").await;

        // Filtered to a hundred, then sorted by name the other way.
        driver
            .find(By::Css("[data-testid=fleet-filter]"))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .send_keys("tenant-07")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let to_top = "document.querySelector('[data-testid=fleet-table]').scrollTop = 0;";
        driver
            .execute(to_top, vec![])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        wait_text(&driver, "[data-testid=fleet-table]", "tenant-0700").await;
        let names = driver
            .find_all(By::Css("[data-testid^=fleet-row-]"))
            .await
            .unwrap_or_default();
        assert!(!names.is_empty());
        for row in &names {
            let t = row
                .prop("textContent")
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            assert!(t.contains("tenant-07"), "{t}");
        }
        click(&driver, "[data-testid=fleet-sort-name]").await;
        click(&driver, "[data-testid=fleet-sort-name]").await;
        driver
            .execute(to_top, vec![])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        wait_text(&driver, "[data-testid=fleet-table]", "tenant-0799").await;
        let first = driver
            .find(By::Css("[data-testid^=fleet-row-]"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let first = first
            .prop("textContent")
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        assert!(first.contains("tenant-0799"), "{first}");
        shot(&driver, "84-fleet-1000-filtered-and-sorted").await;

        // The interrupted batch, on this start: which database finished, which never ran.
        let banner = wait_text(&driver, "[data-testid^=batch-interrupted-]", "resume-a").await;
        let said = banner
            .prop("textContent")
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        assert!(said.contains("resume-c"), "{said}");
        shot(&driver, "85-interrupted-batch-on-start").await;
        click(&driver, "[data-testid^=batch-run-rest-]").await;
        wait_text(&driver, "[data-testid=batch-rest-of]", "").await;
        click(&driver, "[data-testid=batch-start]").await;
        wait_text(&driver, "[data-testid=batch-summary]", "2 succeeded").await;
        shot(&driver, "86-interrupted-batch-finished").await;
        let rows =
            tokio::task::block_in_place(|| [&fast[0], pg, &fast[1]].map(|db| db.version_rows()));
        assert_eq!(
            rows,
            [["002"], ["002"], ["002"]].map(|r| r.map(String::from).to_vec())
        );
        driver.quit().await.unwrap_or_else(|e| panic!("{e}"));
    });
}
