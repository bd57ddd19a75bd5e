//! Stratum and the real Alembic continue each other's work on the same database: the sample
//! project and its Python twin, on PostgreSQL and SQLite.

use std::path::PathBuf;
use std::process::Command;

use stratum_db::Engine;
use stratum_tests::{repo, sample_project, server_available, stratum, text, ScratchDb};

/// The real Alembic from the virtualenv `scripts/alembic-venv.sh` makes; required in CI.
fn alembic() -> Option<PathBuf> {
    let python = std::env::var("STRATUM_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join("target/alembic-venv/bin/python"));
    let bin = python
        .parent()
        .map(|p| p.join("alembic"))
        .filter(|p| p.exists());
    if bin.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI needs Alembic: run scripts/alembic-venv.sh"
        );
        eprintln!("SKIPPED: no Alembic virtualenv (run scripts/alembic-venv.sh)");
    }
    bin
}

fn sqlalchemy_url(db: &ScratchDb) -> String {
    match db.engine {
        Engine::Postgres => db
            .url
            .replacen("postgresql://", "postgresql+psycopg2://", 1),
        Engine::MySql => db.url.replacen("mysql://", "mysql+pymysql://", 1),
        Engine::Sqlite => db.url.clone(),
    }
}

fn run_alembic(bin: &PathBuf, db: &ScratchDb, args: &[&str]) {
    let twin = repo().join("examples/kontali-erp-alembic");
    let out = Command::new(bin)
        .current_dir(&twin)
        .arg("-c")
        .arg(twin.join("alembic.ini"))
        .args(args)
        .env("STRATUM_DATABASE_URL", sqlalchemy_url(db))
        .output()
        .unwrap_or_else(|e| panic!("alembic: {e}"));
    assert!(out.status.success(), "alembic {args:?}: {}", text(&out));
}

fn run_stratum(db: &ScratchDb, args: &[&str]) {
    let project = sample_project().to_string_lossy().to_string();
    let mut all = vec!["--project", project.as_str(), "--url", db.url.as_str()];
    all.extend_from_slice(args);
    let out = stratum(&all);
    assert!(out.status.success(), "stratum {args:?}: {}", text(&out));
}

#[test]
fn each_tool_continues_what_the_other_started() {
    let Some(alembic) = alembic() else { return };
    for engine in [Engine::Postgres, Engine::Sqlite, Engine::MySql] {
        if !server_available(engine) {
            continue;
        }
        // The reference: Alembic alone, all the way.
        let reference = ScratchDb::new(engine);
        run_alembic(&alembic, &reference, &["upgrade", "heads"]);
        let expected = reference.snapshot();
        assert_eq!(reference.version_rows(), vec!["007"]);

        // Alembic halfway, Stratum to head.
        let db = ScratchDb::new(engine);
        run_alembic(&alembic, &db, &["upgrade", "003"]);
        assert_eq!(db.version_rows(), vec!["003"]);
        run_stratum(&db, &["upgrade", "heads"]);
        assert_eq!(
            db.snapshot(),
            expected,
            "{engine:?}: Alembic to 003, then Stratum"
        );

        // Stratum halfway (one branch only), Alembic to head, and Alembic back down.
        let db = ScratchDb::new(engine);
        run_stratum(&db, &["upgrade", "004"]);
        run_alembic(&alembic, &db, &["upgrade", "heads"]);
        assert_eq!(
            db.snapshot(),
            expected,
            "{engine:?}: Stratum to 004, then Alembic"
        );
        run_stratum(&db, &["downgrade", "005"]);
        assert_eq!(
            db.version_rows(),
            vec!["004", "005"],
            "{engine:?}: unmerged by Stratum"
        );
        run_alembic(&alembic, &db, &["downgrade", "base"]);
        assert!(db.tables().is_empty(), "{engine:?}: {:?}", db.tables());
    }
}

#[test]
fn offline_sql_is_byte_for_byte_what_alembic_prints() {
    let Some(alembic) = alembic() else { return };
    let twin = repo().join("examples/kontali-erp-alembic");
    let project = sample_project().to_string_lossy().to_string();
    for (dialect, url) in [
        ("postgresql", "postgresql://u@h/db"),
        ("mysql", "mysql://u@h/db"),
        ("sqlite", "sqlite:///offline.db"),
    ] {
        // Leaving a merge point downwards is left out: which parent Alembic re-inserts first
        // follows Python's per-process string hash there (the rows after are the same).
        for (verb, range) in [
            ("upgrade", "heads"),
            ("upgrade", "002:004"),
            ("downgrade", "007:006"),
            ("downgrade", "005:base"),
        ] {
            let theirs = Command::new(&alembic)
                .current_dir(&twin)
                .args([
                    "-c",
                    &twin.join("alembic.ini").to_string_lossy(),
                    verb,
                    range,
                    "--sql",
                ])
                .env("STRATUM_DATABASE_URL", url)
                .output()
                .unwrap_or_else(|e| panic!("alembic: {e}"));
            assert!(
                theirs.status.success(),
                "alembic {verb} {range}: {}",
                text(&theirs)
            );
            let ours = stratum(&[
                "--project",
                &project,
                verb,
                range,
                "--sql",
                "--dialect",
                dialect,
            ]);
            assert!(
                ours.status.success(),
                "stratum {verb} {range}: {}",
                text(&ours)
            );
            assert_eq!(
                String::from_utf8_lossy(&ours.stdout),
                String::from_utf8_lossy(&theirs.stdout),
                "{dialect}: {verb} {range} --sql differs from Alembic's"
            );
        }
    }
}

#[test]
fn an_alembic_folder_reads_as_alembic_prints_it_without_running_python() {
    let Some(alembic) = alembic() else { return };
    let twin = repo().join("examples/kontali-erp-alembic");
    for command in ["history", "heads"] {
        let theirs = Command::new(&alembic)
            .current_dir(&twin)
            .args(["-c", &twin.join("alembic.ini").to_string_lossy(), command])
            .env("STRATUM_DATABASE_URL", "sqlite:///unused.db")
            .output()
            .unwrap_or_else(|e| panic!("alembic: {e}"));
        assert!(
            theirs.status.success(),
            "{}",
            String::from_utf8_lossy(&theirs.stderr)
        );
        let ours = stratum(&["--project", &twin.to_string_lossy(), command]);
        assert!(ours.status.success(), "{}", text(&ours));
        let lines = |b: &[u8]| {
            String::from_utf8_lossy(b)
                .lines()
                .map(str::trim_end)
                .map(String::from)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            lines(&ours.stdout),
            lines(&theirs.stdout),
            "alembic {command}"
        );
    }
}
