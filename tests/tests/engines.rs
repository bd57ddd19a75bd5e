//! Runs on the real servers: transactions, failures, locking and non-transactional revisions.

use std::process::Command;

use stratum_db::{run, DbError, Engine, Operation, RunOptions};
use stratum_project::Project;
use stratum_tests::{
    project_with, revision_file, rt, server_available, stratum, stratum_bin, text, ScratchDb,
};

const ENGINES: [Engine; 3] = [Engine::Postgres, Engine::MySql, Engine::Sqlite];

/// r1 creates `a`; r2 creates `b`, inserts, then fails on a missing table.
fn failing_project() -> tempfile::TempDir {
    project_with(&[
        ("r1_a.sql", &revision_file("r1", "", "CREATE TABLE a (id INTEGER PRIMARY KEY);", "DROP TABLE a;")),
        (
            "r2_b.sql",
            &revision_file(
                "r2",
                "r1",
                "CREATE TABLE b (id INTEGER PRIMARY KEY);\nINSERT INTO a (id) VALUES (1);\nINSERT INTO no_such_table (id) VALUES (1);",
                "DROP TABLE b;",
            ),
        ),
    ])
}

fn upgrade(
    db: &ScratchDb,
    dir: &std::path::Path,
    target: &str,
    per_revision: bool,
) -> Result<stratum_db::RunReport, DbError> {
    let project = Project::open(dir).unwrap_or_else(|e| panic!("{e}"));
    rt().block_on(async {
        let mut conn = db.connect().await;
        let opts = RunOptions {
            transaction_per_revision: per_revision,
            ..RunOptions::default()
        };
        let r = run(
            &mut conn,
            &project,
            &Operation::Upgrade(target.into()),
            &opts,
        )
        .await;
        conn.close().await;
        r
    })
}

#[test]
fn a_failing_revision_leaves_transactional_engines_exactly_as_before() {
    for engine in [Engine::Postgres, Engine::Sqlite] {
        if !server_available(engine) {
            continue;
        }
        let db = ScratchDb::new(engine);
        let before = db.snapshot();
        let dir = failing_project();
        let err = upgrade(&db, dir.path(), "head", false).expect_err("r2 fails");
        let DbError::Failed(f) = err else {
            panic!("{engine:?}: expected a run failure, got {err}")
        };
        assert_eq!(f.revision, "r2");
        assert_eq!(
            f.line,
            Some(8),
            "{engine:?}: the failing statement is on line 8 of r2_b.sql"
        );
        assert!(f
            .statement
            .as_deref()
            .is_some_and(|s| s.contains("no_such_table")));
        assert!(
            f.message.contains("no_such_table"),
            "{engine:?}: {}",
            f.message
        );
        assert!(f.rolled_back, "{engine:?}: {f}");
        assert!(f.committed.is_empty());
        assert_eq!(db.snapshot(), before, "{engine:?}: the database changed");
    }
}

#[test]
fn a_failing_revision_on_mysql_stops_at_a_reported_point() {
    if !server_available(Engine::MySql) {
        return;
    }
    let db = ScratchDb::new(Engine::MySql);
    let dir = failing_project();
    let err = upgrade(&db, dir.path(), "head", false).expect_err("r2 fails");
    let DbError::Failed(f) = err else {
        panic!("expected a run failure, got {err}")
    };
    assert_eq!(f.revision, "r2");
    assert!(!f.rolled_back);
    assert_eq!(f.committed, vec!["r1".to_string()]);
    assert_eq!(f.rows_now, vec!["r1".to_string()]);
    assert_eq!(
        f.statements_done, 2,
        "CREATE TABLE b and the INSERT ran before the failure"
    );
    assert_eq!(db.version_rows(), vec!["r1"]);
    let message = f.to_string();
    assert!(
        message.contains("these revisions stay applied: r1")
            && message.contains("2 statement(s) of r2"),
        "{message}"
    );
}

#[test]
fn one_transaction_per_revision_keeps_the_revisions_before_the_failure() {
    for engine in [Engine::Postgres, Engine::Sqlite] {
        if !server_available(engine) {
            continue;
        }
        let db = ScratchDb::new(engine);
        let dir = failing_project();
        let DbError::Failed(f) = upgrade(&db, dir.path(), "head", true).expect_err("r2 fails")
        else {
            panic!("expected a run failure")
        };
        assert_eq!(f.committed, vec!["r1".to_string()], "{engine:?}");
        assert_eq!(db.version_rows(), vec!["r1"], "{engine:?}");
        assert_eq!(
            db.tables(),
            vec!["a"],
            "{engine:?}: r2's table b was rolled back"
        );
    }
}

#[test]
fn upgrade_downgrade_and_stamp_round_trip_on_every_engine() {
    let dir = project_with(&[
        (
            "1_a.sql",
            &revision_file("a1", "", "CREATE TABLE t1 (id INTEGER);", "DROP TABLE t1;"),
        ),
        (
            "2_b.sql",
            &revision_file(
                "b2",
                "a1",
                "CREATE TABLE t2 (id INTEGER);",
                "DROP TABLE t2;",
            ),
        ),
        (
            "3_c.sql",
            &revision_file(
                "c3",
                "a1",
                "CREATE TABLE t3 (id INTEGER);",
                "DROP TABLE t3;",
            ),
        ),
        ("4_m.sql", &revision_file("m4", "b2, c3", "", "")),
    ]);
    let p = dir.path().to_string_lossy().to_string();
    for engine in ENGINES {
        if !server_available(engine) {
            continue;
        }
        let db = ScratchDb::new(engine);
        let cli = |args: &[&str]| {
            let mut all = vec!["--project", p.as_str(), "--url", db.url.as_str()];
            all.extend_from_slice(args);
            let out = stratum(&all);
            assert!(out.status.success(), "{engine:?} {args:?}: {}", text(&out));
        };
        cli(&["upgrade", "b2"]);
        assert_eq!(db.version_rows(), vec!["b2"]);
        cli(&["upgrade", "heads"]);
        assert_eq!(db.version_rows(), vec!["m4"]);
        assert_eq!(db.tables(), vec!["t1", "t2", "t3"]);
        cli(&["downgrade", "c3"]);
        assert_eq!(
            db.version_rows(),
            vec!["b2", "c3"],
            "{engine:?}: unmerge re-creates one row per parent"
        );
        cli(&["downgrade", "a1"]);
        assert_eq!(db.version_rows(), vec!["a1"]);
        assert_eq!(db.tables(), vec!["t1"]);
        cli(&["downgrade", "base"]);
        assert!(
            db.version_rows().is_empty() && db.tables().is_empty(),
            "{engine:?}"
        );
        cli(&["stamp", "c3"]);
        assert_eq!(db.version_rows(), vec!["c3"]);
        assert!(db.tables().is_empty(), "stamp runs no migration");
        cli(&["stamp", "--purge", "b2"]);
        assert_eq!(db.version_rows(), vec!["b2"]);
    }
}

#[test]
fn a_revision_outside_a_transaction_can_create_an_index_concurrently() {
    if !server_available(Engine::Postgres) {
        return;
    }
    let concurrently = "-- revision: i2\n-- down_revision: t1\n-- transaction: false\n\n-- migrate:up\nCREATE INDEX CONCURRENTLY ix_t_v ON t (v);\n\n-- migrate:down\nDROP INDEX CONCURRENTLY ix_t_v;\n";
    let dir = project_with(&[
        (
            "1.sql",
            &revision_file("t1", "", "CREATE TABLE t (v INTEGER);", "DROP TABLE t;"),
        ),
        ("2.sql", concurrently),
        (
            "3.sql",
            &revision_file(
                "u3",
                "i2",
                "ALTER TABLE t ADD COLUMN w INTEGER;",
                "ALTER TABLE t DROP COLUMN w;",
            ),
        ),
    ]);
    let db = ScratchDb::new(Engine::Postgres);
    upgrade(&db, dir.path(), "head", false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(db.version_rows(), vec!["u3"]);
    assert_eq!(
        db.query("SELECT indexname::text FROM pg_indexes WHERE indexname = 'ix_t_v'"),
        vec!["ix_t_v"]
    );
    let out = stratum(&[
        "--project",
        &dir.path().to_string_lossy(),
        "--url",
        &db.url,
        "downgrade",
        "base",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(db.tables().is_empty());
}

/// `count` revisions in a chain, each logging its id into `applied` (after `each_sql`), so a
/// test can count how often each ran.
fn applied_log_project(count: usize, each_sql: &str) -> tempfile::TempDir {
    let mut files = vec![(
        "000.sql".to_string(),
        revision_file(
            "r000",
            "",
            "CREATE TABLE applied (revision VARCHAR(10) NOT NULL);\nINSERT INTO applied VALUES ('r000');",
            "DROP TABLE applied;",
        ),
    )];
    for i in 1..count {
        let up = format!("{each_sql}INSERT INTO applied VALUES ('r{i:03}');");
        files.push((
            format!("{i:03}.sql"),
            revision_file(&format!("r{i:03}"), &format!("r{:03}", i - 1), &up, ""),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    project_with(&refs)
}

/// Starts `runners` `stratum upgrade head` processes at once and requires each to succeed.
fn upgrade_concurrently(dir: &std::path::Path, db: &ScratchDb, runners: usize) {
    let spawn = || {
        Command::new(stratum_bin())
            .args([
                "--project",
                &dir.to_string_lossy(),
                "--url",
                &db.url,
                "upgrade",
                "head",
            ])
            .output()
    };
    let outs: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..runners).map(|_| s.spawn(spawn)).collect();
        handles.into_iter().map(|h| h.join()).collect()
    });
    for out in outs {
        let out = out
            .unwrap_or_else(|_| panic!("runner thread"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success(), "{:?}: {}", db.engine, text(&out));
    }
}

#[test]
fn two_concurrent_runners_apply_each_revision_exactly_once() {
    if !server_available(Engine::Postgres) {
        return;
    }
    let dir = applied_log_project(40, "SELECT pg_sleep(0.005);\n");
    let db = ScratchDb::new(Engine::Postgres);
    upgrade_concurrently(dir.path(), &db, 2);
    let counts =
        db.query("SELECT count(*)::text || ' ' || count(DISTINCT revision)::text FROM applied");
    assert_eq!(counts, vec!["40 40"], "every revision ran exactly once");
    assert_eq!(db.version_rows(), vec!["r039"]);
}

#[test]
fn cli_exit_codes_tell_bad_input_from_failure() {
    let dir = failing_project();
    let p = dir.path().to_string_lossy().to_string();
    let db = ScratchDb::new(Engine::Sqlite);
    let bad_target = stratum(&["--project", &p, "--url", &db.url, "upgrade", "nosuch"]);
    assert_eq!(bad_target.status.code(), Some(2), "{}", text(&bad_target));
    assert!(text(&bad_target).contains("no revision or branch label 'nosuch'"));
    let failed = stratum(&[
        "--project",
        &p,
        "--url",
        &db.url,
        "--json",
        "upgrade",
        "head",
    ]);
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed));
    let doc: serde_json::Value =
        serde_json::from_slice(&failed.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&failed)));
    assert_eq!(doc["error"]["kind"], "migration_failed");
    assert_eq!(doc["error"]["failure"]["revision"], "r2");
    assert_eq!(doc["error"]["failure"]["rolled_back"], true);
}

#[test]
fn the_version_table_name_and_schema_come_from_the_project() {
    if !server_available(Engine::Postgres) {
        return;
    }
    let dir = project_with(&[(
        "1.sql",
        &revision_file("v1", "", "CREATE TABLE t (id INTEGER);", "DROP TABLE t;"),
    )]);
    std::fs::write(
        dir.path().join("stratum.toml"),
        "[project]\nversions = \"versions\"\n\n[version_table]\nname = \"Erp Versions\"\nschema = \"meta\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let db = ScratchDb::new(Engine::Postgres);
    db.query("CREATE SCHEMA meta");
    let out = stratum(&[
        "--project",
        &dir.path().to_string_lossy(),
        "--url",
        &db.url,
        "upgrade",
        "head",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        db.query("SELECT version_num::text FROM meta.\"Erp Versions\""),
        vec!["v1"]
    );
    let sql = stratum(&[
        "--project",
        &dir.path().to_string_lossy(),
        "upgrade",
        "head",
        "--sql",
        "--dialect",
        "postgresql",
    ]);
    assert!(String::from_utf8_lossy(&sql.stdout)
        .contains("INSERT INTO meta.\"Erp Versions\" (version_num) VALUES ('v1')"));
}

#[test]
fn concurrent_runners_are_serialised_on_mysql_and_sqlite_too() {
    for engine in [Engine::MySql, Engine::Sqlite] {
        if !server_available(engine) {
            continue;
        }
        let dir = applied_log_project(15, "");
        let db = ScratchDb::new(engine);
        upgrade_concurrently(dir.path(), &db, 3);
        let n = db.query("SELECT CAST(COUNT(*) AS CHAR) FROM applied");
        assert_eq!(n, vec!["15"], "{engine:?}: every revision ran exactly once");
    }
}

/// Routine and trigger bodies written as each engine's own client takes them run unchanged.
#[test]
fn routines_and_triggers_run_as_the_engines_clients_would_run_them() {
    let body = "-- revision: p1\n-- down_revision:\n-- message: routines\n\n\
-- migrate:up postgresql\n\
CREATE TABLE t (v INTEGER);\n\
CREATE FUNCTION bump() RETURNS trigger AS $fn$\nBEGIN\n  NEW.v := NEW.v + 1; -- one; more\n  RETURN NEW;\nEND;\n$fn$ LANGUAGE plpgsql;\n\
CREATE TRIGGER t_bump BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION bump();\n\
INSERT INTO t VALUES (1);\n\n\
-- migrate:up mysql\n\
CREATE TABLE t (v INTEGER);\n\
DELIMITER //\nCREATE PROCEDURE fill(IN n INT)\nBEGIN\n  DECLARE i INT DEFAULT 0;\n  WHILE i < n DO\n    INSERT INTO t VALUES (i);\n    SET i = i + 1;\n  END WHILE;\nEND //\nDELIMITER ;\n\
CREATE TRIGGER t_bump BEFORE INSERT ON t FOR EACH ROW\nBEGIN\n  IF NEW.v = 1 THEN\n    SET NEW.v = 2;\n  END IF;\nEND;\n\
INSERT INTO t VALUES (1);\n\n\
-- migrate:up sqlite\n\
CREATE TABLE t (v INTEGER);\n\
CREATE TRIGGER t_bump AFTER INSERT ON t BEGIN\n  UPDATE t SET v = CASE WHEN new.v = 1 THEN 2 ELSE new.v END WHERE rowid = new.rowid;\nEND;\n\
INSERT INTO t VALUES (1);\n\n\
-- migrate:down\nDROP TABLE t;\n\n\
-- migrate:down postgresql\nDROP TABLE t;\nDROP FUNCTION bump();\n\n\
-- migrate:down mysql\nDROP TABLE t;\nDROP PROCEDURE fill;\n";
    let dir = project_with(&[("p1.sql", body)]);
    for engine in ENGINES {
        if !server_available(engine) {
            continue;
        }
        let db = ScratchDb::new(engine);
        upgrade(&db, dir.path(), "head", false).unwrap_or_else(|e| panic!("{engine:?}: {e}"));
        let values: Vec<String> = db
            .query("SELECT CAST(v AS CHAR(10)) FROM t")
            .iter()
            .map(|v| v.trim().to_string())
            .collect();
        assert_eq!(values, vec!["2"], "{engine:?}: the trigger ran");
        let out = stratum(&[
            "--project",
            &dir.path().to_string_lossy(),
            "--url",
            &db.url,
            "downgrade",
            "base",
        ]);
        assert!(out.status.success(), "{engine:?}: {}", text(&out));
        assert!(db.tables().is_empty(), "{engine:?}");
    }
}

#[test]
fn a_cancelled_run_stops_between_revisions_and_rolls_back() {
    use std::sync::{Arc, Mutex};
    let dir = project_with(&[
        (
            "1.sql",
            &revision_file(
                "c1",
                "",
                "CREATE TABLE one (id INTEGER);",
                "DROP TABLE one;",
            ),
        ),
        (
            "2.sql",
            &revision_file(
                "c2",
                "c1",
                "CREATE TABLE two (id INTEGER);",
                "DROP TABLE two;",
            ),
        ),
        (
            "3.sql",
            &revision_file(
                "c3",
                "c2",
                "CREATE TABLE three (id INTEGER);",
                "DROP TABLE three;",
            ),
        ),
    ]);
    let project = Project::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    for engine in [Engine::Postgres, Engine::Sqlite] {
        if !server_available(engine) {
            continue;
        }
        let db = ScratchDb::new(engine);
        let events = Arc::new(Mutex::new(Vec::new()));
        let opts = RunOptions::default();
        let cancel = opts.cancel.clone();
        let seen = events.clone();
        let opts = RunOptions {
            progress: Some(Arc::new(move |p: &stratum_db::Progress| {
                if let stratum_db::Progress::StepFinished { revision, .. } = p {
                    if revision == "c2" {
                        cancel.cancel();
                    }
                }
                if let Ok(mut e) = seen.lock() {
                    e.push(
                        serde_json::to_value(p).unwrap_or_default()["event"]
                            .as_str()
                            .unwrap_or("")
                            .to_string(),
                    );
                }
            })),
            ..opts
        };
        let result = rt().block_on(async {
            let mut conn = db.connect().await;
            let r = run(
                &mut conn,
                &project,
                &Operation::Upgrade("head".into()),
                &opts,
            )
            .await;
            conn.close().await;
            r
        });
        let Err(DbError::Failed(f)) = result else {
            panic!("{engine:?}: the run should stop")
        };
        assert_eq!(f.revision, "c3");
        assert!(f.message.contains("cancelled"), "{}", f.message);
        assert!(f.rolled_back, "{engine:?}");
        assert!(
            db.tables().is_empty() && db.version_rows().is_empty(),
            "{engine:?}: nothing stays"
        );
        let events = events.lock().map(|e| e.clone()).unwrap_or_default();
        assert_eq!(
            events,
            [
                "planned",
                "step_started",
                "statement",
                "step_finished",
                "step_started",
                "statement",
                "step_finished"
            ],
            "{engine:?}: progress per revision and statement"
        );
    }
}
