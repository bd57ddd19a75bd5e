//! `stratum rehearse`: every step upgraded, downgraded and upgraded again on a scratch database,
//! on the real servers; what a downgrade fails to put back is named, and the scratch database
//! is gone afterwards, also after a failure.

use serde_json::Value;
use stratum_db::Engine;
use stratum_tests::{
    project_with, revision_file, sample_project, server_available, stratum, text, ScratchDb,
};

const ENGINES: [Engine; 3] = [Engine::Postgres, Engine::MySql, Engine::Sqlite];

fn rehearse(project: &std::path::Path, db: &ScratchDb, extra: &[&str]) -> (Option<i32>, Value) {
    let project = project.display().to_string();
    let mut args = vec![
        "--json",
        "--project",
        &project,
        "--url",
        &db.url,
        "rehearse",
    ];
    args.extend_from_slice(extra);
    let o = stratum(&args);
    let json = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{:?}: not JSON ({e}): {}", db.engine, text(&o)));
    (o.status.code(), json)
}

/// Scratch databases a rehearsal of `db` made on the server and did not drop.
fn scratch_left(db: &ScratchDb) -> Vec<String> {
    let prefix = format!("{}_rehearsal", db.name);
    match db.engine {
        Engine::Postgres => db.query(&format!(
            "SELECT datname::text FROM pg_database WHERE starts_with(datname, '{prefix}')"
        )),
        Engine::MySql => db.query(&format!(
            "SELECT CAST(schema_name AS CHAR) FROM information_schema.schemata WHERE LEFT(schema_name, {}) = '{prefix}'",
            prefix.len()
        )),
        Engine::Sqlite => Vec::new(),
    }
}

fn step<'a>(r: &'a Value, revision: &str) -> &'a Value {
    r["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["revision"] == revision))
        .unwrap_or_else(|| panic!("no step {revision} in {r}"))
}

fn problems(r: &Value, revision: &str) -> Vec<(String, String)> {
    step(r, revision)["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["kind"].as_str().unwrap_or_default().to_string(),
                p["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_sample_with_its_branches_and_merge_point_passes_from_the_live_schema_and_from_base() {
    for engine in ENGINES {
        if !server_available(engine) {
            continue;
        }
        let db = ScratchDb::new(engine);
        db.upgrade_sample("002");
        let before = db.snapshot();

        let (code, r) = rehearse(&sample_project(), &db, &[]);
        assert_eq!(code, Some(0), "{engine:?}: {r}");
        assert_eq!(r["rows_before"], serde_json::json!(["002"]));
        let revisions: Vec<&str> = r["steps"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| s["revision"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(revisions, ["003", "005", "004", "006", "007"], "{engine:?}");
        assert!(r["steps"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|s| s["result"] == "passed"));

        let (code, r) = rehearse(&sample_project(), &db, &["--from-base"]);
        assert_eq!(code, Some(0), "{engine:?}: {r}");
        assert_eq!(r["steps"].as_array().map(Vec::len), Some(7), "{engine:?}");

        assert_eq!(
            db.snapshot(),
            before,
            "{engine:?}: the live database is untouched"
        );
        assert_eq!(scratch_left(&db), Vec::<String>::new(), "{engine:?}");
    }
}

#[test]
fn an_index_the_downgrade_forgets_is_named_as_left_behind_on_every_engine() {
    let project = project_with(&[
        (
            "001_items.sql",
            &revision_file(
                "001",
                "",
                "CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR(100));",
                "DROP TABLE items;",
            ),
        ),
        (
            "002_index.sql",
            &revision_file(
                "002",
                "001",
                "CREATE INDEX ix_items_name ON items (name);",
                "-- forgot the index",
            ),
        ),
    ]);
    for engine in ENGINES {
        if !server_available(engine) {
            continue;
        }
        let db = ScratchDb::new(engine);
        let (code, r) = rehearse(project.path(), &db, &["--from-base"]);
        assert_eq!(code, Some(1), "{engine:?}: {r}");
        assert_eq!(step(&r, "001")["result"], "passed", "{engine:?}: {r}");
        assert_eq!(step(&r, "002")["result"], "failed");
        let found = problems(&r, "002");
        assert!(
            found.iter().any(|(kind, message)| kind == "left-behind"
                && message.contains("ix_items_name")
                && message.ends_with("is left behind by the downgrade of 002")),
            "{engine:?}: {found:?}"
        );
        assert_eq!(scratch_left(&db), Vec::<String>::new(), "{engine:?}");
    }
}

#[test]
fn a_postgres_enum_type_left_behind_is_named() {
    if !server_available(Engine::Postgres) {
        return;
    }
    let project = project_with(&[(
        "001_status.sql",
        &revision_file(
            "001",
            "",
            "CREATE TYPE status_enum AS ENUM ('active', 'closed');\nCREATE TABLE accounts (id INTEGER PRIMARY KEY, status status_enum);",
            "DROP TABLE accounts;",
        ),
    )]);
    let db = ScratchDb::new(Engine::Postgres);
    let (code, r) = rehearse(project.path(), &db, &["--from-base"]);
    assert_eq!(code, Some(1), "{r}");
    let found = problems(&r, "001");
    assert_eq!(
        found[0],
        (
            "left-behind".to_string(),
            "enum type public.status_enum (active, closed) is left behind by the downgrade of 001"
                .to_string()
        )
    );
    // What that costs in practice: the upgrade cannot run again.
    assert_eq!(found[1].0, "upgrade-again-failed", "{found:?}");
    assert!(found[1].1.contains("already exists"), "{found:?}");
    assert_eq!(scratch_left(&db), Vec::<String>::new());
}

#[test]
fn a_failing_downgrade_stops_the_rehearsal_and_its_scratch_database_is_still_dropped() {
    let project = project_with(&[
        (
            "001_a.sql",
            &revision_file(
                "001",
                "",
                "CREATE TABLE a (id INTEGER PRIMARY KEY);",
                "DROP TABLE a;",
            ),
        ),
        (
            "002_b.sql",
            &revision_file(
                "002",
                "001",
                "CREATE TABLE b (id INTEGER PRIMARY KEY);",
                "DROP TABLE no_such_table;",
            ),
        ),
        (
            "003_c.sql",
            &revision_file(
                "003",
                "002",
                "CREATE TABLE c (id INTEGER PRIMARY KEY);",
                "DROP TABLE c;",
            ),
        ),
    ]);
    for engine in ENGINES {
        if !server_available(engine) {
            continue;
        }
        let db = ScratchDb::new(engine);
        let (code, r) = rehearse(project.path(), &db, &["--from-base"]);
        assert_eq!(code, Some(1), "{engine:?}: {r}");
        let found = problems(&r, "002");
        assert!(
            found
                .iter()
                .any(|(kind, message)| kind == "downgrade-failed"
                    && message.contains("the downgrade of 002 failed")
                    && message.contains("no_such_table")),
            "{engine:?}: {found:?}"
        );
        assert_eq!(r["not_rehearsed"], serde_json::json!(["003"]), "{engine:?}");
        assert_eq!(scratch_left(&db), Vec::<String>::new(), "{engine:?}");
    }
}

#[test]
fn an_unknown_target_is_bad_input_and_makes_no_scratch_database() {
    if !server_available(Engine::Postgres) {
        return;
    }
    let db = ScratchDb::new(Engine::Postgres);
    let project = sample_project().display().to_string();
    let o = stratum(&[
        "--project",
        &project,
        "--url",
        &db.url,
        "rehearse",
        "nosuch",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("nosuch"), "{}", text(&o));
    assert_eq!(scratch_left(&db), Vec::<String>::new());
}

#[test]
fn an_alembic_project_rehearses_through_its_own_alembic() {
    let Some(py) = stratum_tests::oracle::python() else {
        return;
    };
    let db = ScratchDb::new(Engine::Sqlite);
    let twin = stratum_tests::repo().join("examples/kontali-erp-alembic");
    let (project, py) = (twin.display().to_string(), py.display().to_string());
    let o = stratum(&[
        "--json",
        "--python",
        &py,
        "--project",
        &project,
        "--url",
        &db.url,
        "rehearse",
        "--from-base",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r: Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
    assert_eq!(r["steps"].as_array().map(Vec::len), Some(7), "{r}");
    assert_eq!(
        step(&r, "006")["result"],
        "passed",
        "the merge point too: {r}"
    );
}

#[test]
fn with_data_a_downgrade_that_loses_rows_there_before_is_named_on_every_engine() {
    let project = project_with(&[
        (
            "001_notes.sql",
            &revision_file(
                "001",
                "",
                "CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR(100));",
                "DROP TABLE notes;",
            ),
        ),
        (
            "002_archive.sql",
            &revision_file(
                "002",
                "001",
                "CREATE TABLE notes_archive AS SELECT * FROM notes WHERE id > 1;\nDELETE FROM notes WHERE id > 1;",
                "DROP TABLE notes_archive;",
            ),
        ),
    ]);
    for engine in ENGINES {
        if !server_available(engine) {
            continue;
        }
        let db = ScratchDb::new(engine);
        let dir = project.path().display().to_string();
        let up = stratum(&["--project", &dir, "--url", &db.url, "upgrade", "001"]);
        assert_eq!(up.status.code(), Some(0), "{}", text(&up));
        db.query("INSERT INTO notes (id, body) VALUES (1, 'first'), (2, 'second'), (3, 'third')");

        // Without --with-data the schema comes back, so the rehearsal passes.
        let (code, r) = rehearse(project.path(), &db, &[]);
        assert_eq!(code, Some(0), "{engine:?}: {r}");

        let (code, r) = rehearse(project.path(), &db, &["--with-data"]);
        assert_eq!(code, Some(1), "{engine:?}: {r}");
        let found = problems(&r, "002");
        assert!(
            found.iter().any(|(kind, message)| kind == "data-changed"
                && message.contains("notes")
                && message
                    .ends_with("has 1 row(s) after the downgrade of 002, 3 before its upgrade")),
            "{engine:?}: {found:?}"
        );
        assert_eq!(
            db.query("SELECT body FROM notes ORDER BY id"),
            ["first", "second", "third"],
            "{engine:?}: the live rows are untouched"
        );
        assert_eq!(scratch_left(&db), Vec::<String>::new(), "{engine:?}");

        // A production database's rows are proved from its backup, restored into the scratch
        // database, instead of copied live.
        let backups = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = backups.path().join(format!(
            "notes.{}",
            match engine {
                Engine::Postgres => "dump",
                Engine::MySql => "sql",
                Engine::Sqlite => "db",
            }
        ));
        let file_arg = file.display().to_string();
        let b = stratum(&[
            "--project",
            &dir,
            "--url",
            &db.url,
            "backup",
            "--out",
            &file_arg,
        ]);
        assert_eq!(b.status.code(), Some(0), "{engine:?}: {}", text(&b));
        let (code, r) = rehearse(project.path(), &db, &["--from-backup", &file_arg]);
        assert_eq!(code, Some(1), "{engine:?}: {r}");
        assert_eq!(r["start"], "backup");
        assert!(
            problems(&r, "002")
                .iter()
                .any(|(kind, _)| kind == "data-changed"),
            "{engine:?}: {r}"
        );
        assert_eq!(scratch_left(&db), Vec::<String>::new(), "{engine:?}");
    }
}
