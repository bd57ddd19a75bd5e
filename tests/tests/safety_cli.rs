//! The safety commands from the command line: backup, verify, restore, --dry-run, --backup.

use stratum_db::Engine;
use stratum_tests::{sample_project, server_available, stratum, text, ScratchDb};

fn run(db: &ScratchDb, args: &[&str]) -> std::process::Output {
    let project = sample_project().display().to_string();
    let mut all = vec!["--project", project.as_str(), "--url", db.url.as_str()];
    all.extend_from_slice(args);
    stratum(&all)
}

#[test]
fn backup_verify_and_restore_from_the_command_line() {
    for engine in [Engine::Postgres, Engine::MySql, Engine::Sqlite] {
        if !server_available(engine) {
            continue;
        }
        let db = ScratchDb::new(engine);
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        assert!(run(&db, &["upgrade", "003"]).status.success());
        let before = db.snapshot();
        let file = dir.path().join("before.bak");
        let file_arg = file.display().to_string();
        let o = run(&db, &["backup", "--out", &file_arg, "--json"]);
        assert!(o.status.success(), "{engine:?}: {}", text(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        assert_eq!(v["manifest"]["rows"], serde_json::json!(["003"]));

        let o = run(&db, &["verify", &file_arg]);
        assert!(
            o.status.success() && text(&o).contains("is good"),
            "{}",
            text(&o)
        );

        // --backup before a change takes one into --backup-dir.
        let auto = dir.path().join("auto");
        let auto_arg = auto.display().to_string();
        let o = run(
            &db,
            &["upgrade", "heads", "--backup", "--backup-dir", &auto_arg],
        );
        assert!(o.status.success(), "{}", text(&o));
        assert_eq!(
            std::fs::read_dir(&auto).map(|d| d.count()).unwrap_or(0),
            2,
            "backup + manifest"
        );
        assert_ne!(db.snapshot(), before);

        // Restoring the live database needs --yes, and then takes a safety backup first.
        let o = run(&db, &["restore", &file_arg]);
        assert_eq!(o.status.code(), Some(2));
        assert!(text(&o).contains("--yes"), "{}", text(&o));
        let o = run(&db, &["restore", &file_arg, "--yes"]);
        assert!(o.status.success(), "{engine:?}: {}", text(&o));
        assert!(text(&o).contains("before-restore"), "{}", text(&o));
        assert_eq!(db.snapshot(), before, "{engine:?}");

        // A damaged backup is refused, and the database is left as it is.
        let mut bytes = std::fs::read(&file).unwrap_or_default();
        let last = bytes.len() - 10;
        bytes[last] ^= 0x55;
        std::fs::write(&file, bytes).unwrap_or_else(|e| panic!("{e}"));
        let o = run(&db, &["restore", &file_arg, "--yes"]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(
            text(&o).contains("does not match its checksum"),
            "{}",
            text(&o)
        );
        assert_eq!(db.snapshot(), before);
    }
}

#[test]
fn a_dry_run_says_what_it_did_and_changes_nothing() {
    for engine in [Engine::Postgres, Engine::MySql, Engine::Sqlite] {
        if !server_available(engine) {
            continue;
        }
        let db = ScratchDb::new(engine);
        let before = db.snapshot();
        let o = run(&db, &["upgrade", "heads", "--dry-run"]);
        assert!(o.status.success(), "{engine:?}: {}", text(&o));
        let said = text(&o);
        assert!(
            said.contains("Dry run succeeded") && said.contains("Nothing was changed"),
            "{said}"
        );
        assert!(
            said.contains("scratch copy"),
            "{engine:?}: 007 runs outside a transaction: {said}"
        );
        let o = run(&db, &["upgrade", "006", "--dry-run", "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        let method = v["dry_run"]["method"].as_str().unwrap_or("");
        if engine == Engine::MySql {
            assert!(
                method.contains("scratch copy") && method.contains("commits"),
                "{method}"
            );
        } else {
            assert!(method.contains("rolled it back"), "{method}");
        }
        assert_eq!(db.snapshot(), before, "{engine:?}");
    }
}
