//! The sample project goes to head, to base and back to head on every engine, through the CLI.

use stratum_db::Engine;
use stratum_tests::{sample_project, server_available, stratum, text, ScratchDb};

fn cli(db: &ScratchDb, args: &[&str]) -> String {
    let project = sample_project().to_string_lossy().to_string();
    let mut all = vec!["--project", project.as_str(), "--url", db.url.as_str()];
    all.extend_from_slice(args);
    let out = stratum(&all);
    assert!(
        out.status.success(),
        "{:?} {args:?}: {}",
        db.engine,
        text(&out)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_sample_project_goes_to_head_to_base_and_back_on_every_engine() {
    for engine in [Engine::Sqlite, Engine::Postgres, Engine::MySql] {
        if !server_available(engine) {
            continue;
        }
        let db = ScratchDb::new(engine);
        cli(&db, &["upgrade", "heads"]);
        assert_eq!(db.version_rows(), vec!["007"], "{engine:?}");
        let tables = db.tables();
        assert!(tables.len() >= 17, "{engine:?}: {tables:?}");
        for t in [
            "clients",
            "users",
            "vendor_invoices",
            "journal_lines",
            "audit_log",
            "report_snapshots",
        ] {
            assert!(
                tables.iter().any(|x| x == t),
                "{engine:?}: no table {t} in {tables:?}"
            );
        }
        let at_head = db.snapshot();
        cli(&db, &["downgrade", "base"]);
        assert!(
            db.tables().is_empty(),
            "{engine:?}: tables left at base: {:?}",
            db.tables()
        );
        assert!(db.version_rows().is_empty());
        cli(&db, &["upgrade", "heads"]);
        assert_eq!(
            db.snapshot(),
            at_head,
            "{engine:?}: head again is the same schema"
        );
        // Step by step, as a support engineer would: one revision down, then out of the merge
        // point (which leaves one row per branch), then up again.
        cli(&db, &["downgrade", "-1"]);
        assert_eq!(db.version_rows(), vec!["006"], "{engine:?}");
        cli(&db, &["downgrade", "004"]);
        assert_eq!(db.version_rows(), vec!["004", "005"], "{engine:?}");
        cli(&db, &["upgrade", "heads"]);
        assert_eq!(db.snapshot(), at_head, "{engine:?}");
    }
}

#[test]
fn the_sample_history_has_two_branches_a_label_and_a_merge() {
    let project = sample_project().to_string_lossy().to_string();
    let out = stratum(&["--project", &project, "--json", "history"]);
    assert!(out.status.success(), "{}", text(&out));
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let revs = doc["history"].as_array().cloned().unwrap_or_default();
    let ids: Vec<&str> = revs.iter().filter_map(|r| r["revision"].as_str()).collect();
    assert_eq!(ids.first(), Some(&"007"));
    assert_eq!(ids.last(), Some(&"001"));
    assert!(revs.iter().any(|r| r["is_merge_point"] == true));
    assert!(revs.iter().any(|r| r["is_branch_point"] == true));
    assert!(revs.iter().any(|r| r["branch_labels"]
        .as_array()
        .is_some_and(|l| l.iter().any(|x| x == "reporting"))));
    let sql = stratum(&[
        "--project",
        &project,
        "upgrade",
        "heads",
        "--sql",
        "--dialect",
        "postgresql",
    ]);
    let sql = String::from_utf8_lossy(&sql.stdout);
    assert!(sql.contains("CREATE INDEX CONCURRENTLY"), "{sql}");
    assert!(
        sql.contains("COMMIT;\n\nCREATE INDEX CONCURRENTLY"),
        "the concurrent index runs outside the transaction"
    );
}
