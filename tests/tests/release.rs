//! The seed's release checklist, proved on real databases: the check-up (each item failing on
//! purpose, and every one passing on the clean sample) and the release gate of a production
//! profile (held until the client's staging ran the same files and a rehearsal passed, held
//! outside the maintenance window, let through by a typed reason that the audit log keeps).

use std::path::Path;

use chrono::{Datelike, Utc};
use stratum_alembic::RenderCache;
use stratum_db::{Engine, Operation, RunOptions};
use stratum_operations::{
    checkup_profile, keep_rehearsal, rehearse, run_checked, take, Checkup, GateAnswers,
    RehearsalOptions, Target, Verdict,
};
use stratum_store::{NewProfile, Profile, Secrets, Store};
use stratum_tests::{
    copy_dir, project_with, revision_file, rt, sample_project, server_available, ScratchDb,
};

struct Desk {
    store: Store,
    data: tempfile::TempDir,
}

fn desk() -> Desk {
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = rt()
        .block_on(Store::open(&data.path().join("stratum.db")))
        .unwrap_or_else(|e| panic!("{e}"));
    Desk { store, data }
}

impl Desk {
    fn profile(&self, name: &str, environment: &str, db: &ScratchDb, project: &Path) -> Profile {
        self.profile_with(name, environment, db, project, "")
    }

    fn profile_with(
        &self,
        name: &str,
        environment: &str,
        db: &ScratchDb,
        project: &Path,
        window: &str,
    ) -> Profile {
        rt().block_on(self.store.add_profile(&NewProfile {
            name: name.into(),
            client: "Acme".into(),
            environment: environment.into(),
            url: db.url.clone(),
            project_dir: project.display().to_string(),
            maintenance_window: window.into(),
            ..Default::default()
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn target(&self, p: &Profile) -> Target {
        let fresh = rt()
            .block_on(self.store.profile(p.id))
            .unwrap_or_else(|e| panic!("{e}"));
        Target::open(fresh, &Secrets::default()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn checkup(&self, p: &Profile) -> Checkup {
        let mut t = self.target(p);
        rt().block_on(checkup_profile(
            &self.store,
            &mut t,
            &RenderCache::default(),
        ))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn backup(&self, p: &Profile) -> stratum_store::BackupEntry {
        rt().block_on(take(&self.store, self.data.path(), &self.target(p), "test"))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn rehearse(&self, p: &Profile) -> bool {
        let t = self.target(p);
        let runner = t.runner().unwrap_or_else(|e| panic!("{e}"));
        let r = rt()
            .block_on(rehearse(
                &t.url,
                &t.project,
                "heads",
                runner.as_ref(),
                &t.tools(),
                &RehearsalOptions::default(),
            ))
            .unwrap_or_else(|e| panic!("{e}"));
        rt().block_on(keep_rehearsal(&self.store, p.id, &t.project, &r, false))
            .unwrap_or_else(|e| panic!("{e}"));
        r.passed()
    }

    /// Upgrades to heads with a fresh backup when the profile wants one; the run's error, if
    /// it was refused.
    fn upgrade(&self, p: &Profile, answers: &GateAnswers) -> Result<(), String> {
        let backup = self.target(p).profile.auto_backup.then(|| self.backup(p));
        let mut t = self.target(p);
        let ran = rt()
            .block_on(run_checked(
                &self.store,
                &mut t,
                &RenderCache::default(),
                &Operation::Upgrade("heads".into()),
                &RunOptions::default(),
                backup.as_ref(),
                answers,
            ))
            .map_err(|e| e.to_string())?;
        ran.outcome.map(|_| ()).map_err(|f| f.to_string())
    }

    fn last_audit(&self, p: &Profile) -> stratum_store::AuditEntry {
        rt().block_on(self.store.audit(Some(p.id)))
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no audit entry for {}", p.name))
    }
}

fn verdict(c: &Checkup, key: &str) -> (Verdict, String) {
    let item = c
        .items
        .iter()
        .find(|i| i.key == key)
        .unwrap_or_else(|| panic!("no item {key} in {c:?}"));
    (item.verdict, format!("{} / {}", item.detail, item.action))
}

#[test]
fn the_clean_sample_passes_every_checkup_item_once_backed_up_and_rehearsed() {
    if !server_available(Engine::Postgres) {
        return;
    }
    let d = desk();
    let db = ScratchDb::new(Engine::Postgres);
    db.upgrade_sample("002");
    let p = d.profile("acme-dev", "development", &db, &sample_project());

    // Pending revisions, never backed up nor rehearsed: those two items say what to do.
    let c = d.checkup(&p);
    let (backup, says) = verdict(&c, "backup");
    assert_eq!(backup, Verdict::Failed, "{says}");
    assert!(says.contains("Take a backup"), "{says}");
    let (rehearsal, says) = verdict(&c, "rehearsal");
    assert_eq!(rehearsal, Verdict::Warning, "{says}");
    assert!(says.contains("never rehearsed"), "{says}");

    d.backup(&p);
    assert!(d.rehearse(&p), "the sample rehearses cleanly");
    let c = d.checkup(&p);
    for i in &c.items {
        assert_eq!(i.verdict, Verdict::Passed, "{i:?}");
    }
    assert_eq!(c.items.len(), 7);
    assert_eq!(c.pending.len(), 5);
    let kept = rt()
        .block_on(d.store.checkups())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kept.get(&p.id).map(|k| k.verdict.as_str()), Some("passed"));
}

/// A project with two heads, a blocking finding pending, and a table the tenant audit flags.
fn troubled_project() -> tempfile::TempDir {
    project_with(&[
        (
            "001_accounts.sql",
            &revision_file(
                "001",
                "",
                "CREATE TABLE accounts (id INTEGER PRIMARY KEY, client_id INTEGER NOT NULL);",
                "DROP TABLE accounts;",
            ),
        ),
        (
            "002_notes.sql",
            &revision_file(
                "002",
                "001",
                "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);",
                "DROP TABLE notes;",
            ),
        ),
        (
            "003_drop.sql",
            &revision_file(
                "003",
                "002",
                "DROP TABLE accounts;",
                "CREATE TABLE accounts (id INTEGER PRIMARY KEY, client_id INTEGER NOT NULL);",
            ),
        ),
        (
            "004_side.sql",
            &revision_file(
                "004",
                "001",
                "CREATE TABLE side (id INTEGER PRIMARY KEY, client_id INTEGER NOT NULL);",
                "SELECT 1;",
            ),
        ),
    ])
}

#[test]
fn each_checkup_item_fails_on_purpose_with_what_to_do() {
    let d = desk();
    let project = troubled_project();
    let db = ScratchDb::new(Engine::Sqlite);
    let p = d.profile("acme-dev", "development", &db, project.path());
    stratum_tests::stratum(&[
        "--project",
        &project.path().display().to_string(),
        "--url",
        &db.url,
        "upgrade",
        "002",
    ]);
    // Changed by hand, outside any revision.
    db.execute("CREATE TABLE handmade (id INTEGER PRIMARY KEY)");
    d.rehearse(&p);

    let c = d.checkup(&p);
    assert_eq!(c.verdict, Verdict::Failed);
    let expect = [
        ("heads", Verdict::Failed, "Merge the heads"),
        ("drift", Verdict::Failed, "handmade"),
        ("tenant-audit", Verdict::Failed, "notes"),
        ("safety-checks", Verdict::Failed, "drop-table"),
        ("backup", Verdict::Failed, "no backup"),
        // 004's downgrade leaves its table behind.
        ("rehearsal", Verdict::Failed, "failed"),
        ("rows", Verdict::Passed, "2 revision(s) to apply"),
    ];
    for (key, want, says) in expect {
        let (got, text) = verdict(&c, key);
        assert_eq!(got, want, "{key}: {text}");
        assert!(text.contains(says), "{key}: {text}");
    }

    // Version rows the project does not know.
    db.execute("UPDATE alembic_version SET version_num = 'feedface'");
    let c = d.checkup(&p);
    let (rows, text) = verdict(&c, "rows");
    assert_eq!(rows, Verdict::Failed, "{text}");
    assert!(text.contains("feedface"), "{text}");
}

#[test]
fn the_cli_checkup_exits_1_on_a_failed_item_and_reads_the_apps_profiles() {
    let d = desk();
    let project = troubled_project();
    let db = ScratchDb::new(Engine::Sqlite);
    d.profile("acme-dev", "development", &db, project.path());
    let dir = d.data.path().display().to_string();
    let o = stratum_tests::stratum(&["--data-dir", &dir, "--json", "checkup", "--all"]);
    assert_eq!(o.status.code(), Some(1), "{}", stratum_tests::text(&o));
    let all: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all[0]["profile"], "acme-dev");
    let items = all[0]["checkup"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(items.len(), 7, "{all}");
    assert!(items
        .iter()
        .any(|i| i["key"] == "heads" && i["verdict"] == "failed"));

    let clean = ScratchDb::new(Engine::Sqlite);
    let o = stratum_tests::stratum(&[
        "--project",
        &sample_project().display().to_string(),
        "--url",
        &clean.url,
        "checkup",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stratum_tests::text(&o));
    assert!(stratum_tests::text(&o).contains("5 passed, 0 warning(s), 0 failed"));
}

#[test]
fn a_production_upgrade_waits_for_staging_and_a_rehearsal_of_the_same_files() {
    if !server_available(Engine::Postgres) {
        return;
    }
    let d = desk();
    let (staging_db, prod_db) = (
        ScratchDb::new(Engine::Postgres),
        ScratchDb::new(Engine::Postgres),
    );
    staging_db.upgrade_sample("002");
    prod_db.upgrade_sample("002");
    let staging = d.profile("acme-staging", "staging", &staging_db, &sample_project());
    let prod = d.profile_with(
        "acme-prod",
        "production",
        &prod_db,
        &sample_project(),
        // Every hour of every day: "00:00-00:00" runs round the clock.
        "daily 00:00-00:00 UTC",
    );
    assert!(prod.release_gate, "on by default for production");
    assert!(!staging.release_gate);
    let reviewed = GateAnswers {
        reviewer: "Dana".into(),
        override_reason: String::new(),
    };

    let e = d.upgrade(&prod, &reviewed).expect_err("held by the gate");
    assert!(e.contains("release gate of acme-prod is not met"), "{e}");
    assert!(
        e.contains("did not upgrade with these files on acme-staging"),
        "{e}"
    );
    assert!(e.contains("never rehearsed"), "{e}");
    assert_eq!(prod_db.version_rows(), vec!["002".to_string()], "untouched");
    let refused = d.last_audit(&prod);
    assert_eq!(refused.result, "failed");
    assert!(refused.message.contains("release gate"), "{refused:?}");

    // Staging runs the same files; the production rehearsal is still missing.
    d.upgrade(&staging, &GateAnswers::default())
        .unwrap_or_else(|e| panic!("staging has no gate: {e}"));
    assert!(d.last_audit(&staging).files.contains("007 "));
    let e = d.upgrade(&prod, &reviewed).expect_err("still no rehearsal");
    assert!(!e.contains("acme-staging"), "{e}");
    assert!(e.contains("never rehearsed"), "{e}");

    assert!(d.rehearse(&prod));
    let e = d
        .upgrade(&prod, &GateAnswers::default())
        .expect_err("nobody confirmed the review");
    assert!(e.contains("Code review completed"), "{e}");

    d.upgrade(&prod, &reviewed)
        .unwrap_or_else(|e| panic!("every item met: {e}"));
    assert_eq!(prod_db.version_rows(), vec!["007".to_string()]);
    let passed = d.last_audit(&prod);
    assert_eq!(passed.result, "succeeded");
    assert_eq!(passed.gate, "passed; reviewed by Dana");
}

#[test]
fn outside_the_window_only_a_typed_reason_lets_a_production_run_through_and_history_keeps_it() {
    let d = desk();
    let copy = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    copy_dir(&sample_project(), copy.path());
    let (staging_db, prod_db) = (
        ScratchDb::new(Engine::Sqlite),
        ScratchDb::new(Engine::Sqlite),
    );
    // A window three days from today never holds now.
    let day = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        [(Utc::now().weekday().num_days_from_monday() as usize + 3) % 7];
    let window = format!("{day} 01:00-02:00 UTC");
    let staging = d.profile("acme-staging", "staging", &staging_db, copy.path());
    let prod = d.profile_with("acme-prod", "production", &prod_db, copy.path(), &window);
    d.upgrade(&staging, &GateAnswers::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(d.rehearse(&prod));
    let reviewed = GateAnswers {
        reviewer: "Dana".into(),
        override_reason: String::new(),
    };
    let e = d.upgrade(&prod, &reviewed).expect_err("outside the window");
    assert!(e.contains(&format!("now is outside {window}")), "{e}");
    assert!(!e.contains("rehearsal"), "only the window is unmet: {e}");

    // A file changed after staging ran it is not the file staging proved.
    let file = copy
        .path()
        .join("versions/007_index_vendor_invoices_by_client_date.sql");
    {
        let mut body = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{e}"));
        body.push_str("\n-- changed after staging\n");
        std::fs::write(&file, &body).unwrap_or_else(|e| panic!("{e}"));
        let e = d.upgrade(&prod, &reviewed).expect_err("changed file");
        assert!(e.contains("007 did not upgrade with these files"), "{e}");
        assert!(e.contains("files changed since"), "{e}");
        body.truncate(body.len() - "\n-- changed after staging\n".len());
        std::fs::write(&file, body).unwrap_or_else(|e| panic!("{e}"));
    }

    let overridden = GateAnswers {
        reviewer: "Dana".into(),
        override_reason: "hotfix for ticket 4711, approved by the client".into(),
    };
    d.upgrade(&prod, &overridden)
        .unwrap_or_else(|e| panic!("overridden: {e}"));
    let kept = d.last_audit(&prod);
    assert_eq!(kept.result, "succeeded");
    assert!(
        kept.gate.contains("hotfix for ticket 4711")
            && kept.gate.contains("unmet: window")
            && kept.gate.contains("reviewed by Dana"),
        "{}",
        kept.gate
    );
}

#[test]
fn an_alembic_revision_that_reads_the_database_gets_its_sql_from_the_latest_rehearsal() {
    let Some(python) = stratum_tests::oracle::python() else {
        return;
    };
    if !server_available(Engine::Postgres) {
        return;
    }
    let project = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    copy_dir(
        &stratum_tests::repo().join("examples/kontali-erp-alembic"),
        project.path(),
    );
    std::fs::write(
        project.path().join("alembic/versions/008_data.py"),
        "\"\"\"clear phones, row by row\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = '008'\ndown_revision = '007'\n\n\ndef upgrade():\n    rows = op.get_bind().execute(sa.text('SELECT id FROM users ORDER BY id')).fetchall()\n    for (i,) in rows:\n        op.execute(f'UPDATE users SET phone = NULL WHERE id = {i}')\n\n\ndef downgrade():\n    op.execute('SELECT 1')\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let db = ScratchDb::new(Engine::Postgres);
    let o = stratum_tests::stratum(&[
        "--project",
        &project.path().display().to_string(),
        "--python",
        &python.display().to_string(),
        "--url",
        &db.url,
        "upgrade",
        "007",
    ]);
    assert!(o.status.success(), "{}", stratum_tests::text(&o));
    let d = desk();
    let p = rt()
        .block_on(d.store.add_profile(&NewProfile {
            name: "acme-dev".into(),
            client: "Acme".into(),
            environment: "development".into(),
            url: db.url.clone(),
            project_dir: project.path().display().to_string(),
            python: python.display().to_string(),
            ..Default::default()
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    let renders = RenderCache::default();
    let preview = |d: &Desk| {
        let mut t = d.target(&p);
        let unrendered = rt()
            .block_on(t.with_sql(&renders, &d.store))
            .unwrap_or_else(|e| panic!("{e}"));
        let plan = rt()
            .block_on(stratum_operations::current_plan(
                &t,
                &Operation::Upgrade("heads".into()),
            ))
            .unwrap_or_else(|e| panic!("{e}"));
        let sql = stratum_db::render_offline(&t.project, &plan, t.url.dialect(), false)
            .unwrap_or_else(|e| panic!("{e}"));
        let findings = stratum_operations::findings::plan_findings(
            &t.project,
            &plan,
            t.url.dialect(),
            &unrendered,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        (unrendered, sql, findings)
    };

    // Offline mode cannot run a SELECT: the revision's SQL is unknown, and said so.
    let (unrendered, sql, findings) = preview(&d);
    assert_eq!(unrendered.len(), 1, "{unrendered:?}");
    assert!(!sql.contains("SELECT id FROM users"), "{sql}");
    assert!(findings.iter().any(|f| f.rule == "sql-unavailable"));

    // The rehearsal records what the revision sent; the preview and the checks read that.
    assert!(d.rehearse(&p));
    let (unrendered, sql, findings) = preview(&d);
    assert!(unrendered.is_empty(), "{unrendered:?}");
    assert!(sql.contains("Recorded while rehearsing on"), "{sql}");
    assert!(sql.contains("SELECT id FROM users ORDER BY id"), "{sql}");
    assert!(
        !findings.iter().any(|f| f.rule == "sql-unavailable"),
        "{findings:?}"
    );

    // Another version of the file is not what was rehearsed.
    let file = project.path().join("alembic/versions/008_data.py");
    let mut body = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{e}"));
    body.push_str("# changed\n");
    std::fs::write(&file, body).unwrap_or_else(|e| panic!("{e}"));
    let (unrendered, sql, _) = preview(&d);
    assert_eq!(unrendered.len(), 1);
    assert!(!sql.contains("Recorded while rehearsing"), "{sql}");
}

#[test]
fn the_cli_holds_a_production_profile_to_its_gate_in_a_batch_unless_overridden_with_a_reason() {
    let d = desk();
    let (staging_db, prod_db) = (
        ScratchDb::new(Engine::Sqlite),
        ScratchDb::new(Engine::Sqlite),
    );
    let dir = d.data.path().display().to_string();
    let project = sample_project().display().to_string();
    let add = |name: &str, env: &str, db: &ScratchDb, window: &str| {
        stratum_tests::stratum(&[
            "--data-dir",
            &dir,
            "profile",
            "add",
            name,
            "--db",
            &db.url,
            "--dir",
            &project,
            "--client",
            "Acme",
            "--environment",
            env,
            "--window",
            window,
        ])
    };
    for (name, env, db) in [
        ("acme-staging", "staging", &staging_db),
        ("acme-prod", "production", &prod_db),
    ] {
        let o = add(name, env, db, "Sat 01:00-02:00 Mars/Olympus");
        let said = stratum_tests::text(&o);
        assert_eq!(o.status.code(), Some(2), "a bad window is refused: {said}");
        assert!(said.contains("not a time zone"), "{said}");
        let o = add(name, env, db, "daily 00:00-00:00 UTC");
        assert!(o.status.success(), "{}", stratum_tests::text(&o));
    }
    let batch = |extra: &[&str]| {
        let report = d.data.path().join("report.csv");
        let report_arg = report.display().to_string();
        let mut args = vec![
            "--data-dir",
            &dir,
            "upgrade",
            "heads",
            "--profiles",
            "acme-prod",
            "--yes",
            "--report",
            &report_arg,
        ];
        args.extend_from_slice(extra);
        let o = stratum_tests::stratum(&args);
        (o, std::fs::read_to_string(&report).unwrap_or_default())
    };
    let (o, report) = batch(&["--reviewer", "Dana"]);
    assert_eq!(o.status.code(), Some(1), "{}", stratum_tests::text(&o));
    assert!(
        report.contains("release gate of acme-prod is not met"),
        "{report}"
    );
    assert!(prod_db.version_rows().is_empty(), "untouched");

    let (o, report) = batch(&[
        "--reviewer",
        "Dana",
        "--override-gate",
        "first install, approved by Acme",
    ]);
    assert!(o.status.success(), "{}", stratum_tests::text(&o));
    assert!(report.contains("release gate overridden"), "{report}");
    assert!(
        report.contains("first install, approved by Acme"),
        "{report}"
    );
    assert_eq!(prod_db.version_rows(), vec!["007".to_string()]);
}
