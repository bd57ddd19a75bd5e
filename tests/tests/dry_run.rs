//! Dry runs: tried for real and leaving no trace; inside a rolled-back transaction where the
//! engine allows it, on a scratch copy elsewhere, and always saying which was done.

use stratum_backup::{dry_run, Method, Tools};
use stratum_db::{DbError, Engine, Operation, RunOptions};
use stratum_project::Project;
use stratum_tests::{project_with, revision_file, rt, sample_project, server_available, ScratchDb};

const ENGINES: [Engine; 3] = [Engine::Postgres, Engine::MySql, Engine::Sqlite];

fn rehearse(db: &ScratchDb, project: &std::path::Path, target: &str) -> stratum_backup::DryRun {
    let project = Project::open(project).unwrap_or_else(|e| panic!("{e}"));
    rt().block_on(dry_run(
        &db.parsed(),
        &project,
        &Operation::Upgrade(target.into()),
        &Tools::new(None),
        RunOptions::default(),
        &stratum_db::SqlRunner,
    ))
    .unwrap_or_else(|e| panic!("{:?}: {e}", db.engine))
}

fn scratch_databases(db: &ScratchDb) -> Vec<String> {
    match db.engine {
        Engine::Postgres => db.query(&format!(
            "SELECT datname::text FROM pg_database WHERE starts_with(datname, '{}_dryrun')",
            db.name
        )),
        Engine::MySql => db.query(&format!(
            "SELECT CAST(schema_name AS CHAR) FROM information_schema.schemata WHERE LEFT(schema_name, {}) = '{}_dryrun'",
            db.name.len() + 7,
            db.name
        )),
        Engine::Sqlite => Vec::new(),
    }
}

#[test]
fn a_good_plan_succeeds_and_leaves_the_database_untouched() {
    for engine in ENGINES {
        if !server_available(engine) {
            continue;
        }
        let db = ScratchDb::new(engine);
        let before = db.snapshot();
        // Up to 006: every revision runs in a transaction.
        let r = rehearse(&db, &sample_project(), "006");
        let expected = if engine == Engine::MySql {
            "scratch"
        } else {
            "rolled"
        };
        assert!(
            r.method.describe().contains(expected),
            "{engine:?}: {:?}",
            r.method
        );
        let report = r.outcome.unwrap_or_else(|e| panic!("{engine:?}: {e}"));
        assert_eq!(report.rows_after, vec!["006"]);
        assert_eq!(db.snapshot(), before, "{engine:?}: no trace");
        assert_eq!(scratch_databases(&db), Vec::<String>::new());
    }
}

#[test]
fn a_revision_outside_a_transaction_is_rehearsed_on_a_scratch_copy() {
    for engine in [Engine::Postgres, Engine::Sqlite] {
        if !server_available(engine) {
            continue;
        }
        let db = ScratchDb::new(engine);
        let before = db.snapshot();
        let r = rehearse(&db, &sample_project(), "heads");
        let Method::ScratchCopy { reason, .. } = &r.method else {
            panic!("{engine:?}: {:?}", r.method)
        };
        assert!(
            reason.contains("007") && reason.contains("outside a transaction"),
            "{reason}"
        );
        assert_eq!(
            r.outcome
                .map(|r| r.rows_after)
                .unwrap_or_else(|e| panic!("{e}")),
            vec!["007"]
        );
        assert_eq!(db.snapshot(), before, "{engine:?}: no trace");
        assert_eq!(scratch_databases(&db), Vec::<String>::new());
    }
}

#[test]
fn a_failing_plan_reports_the_first_failure_and_leaves_no_trace() {
    let dir = project_with(&[
        ("r1_a.sql", &revision_file("r1", "", "CREATE TABLE a (id INTEGER PRIMARY KEY);", "DROP TABLE a;")),
        (
            "r2_b.sql",
            &revision_file(
                "r2",
                "r1",
                "CREATE TABLE b (id INTEGER PRIMARY KEY);\nINSERT INTO no_such_table (id) VALUES (1);",
                "DROP TABLE b;",
            ),
        ),
    ]);
    for engine in ENGINES {
        if !server_available(engine) {
            continue;
        }
        let db = ScratchDb::new(engine);
        let before = db.snapshot();
        let r = rehearse(&db, dir.path(), "heads");
        let Err(DbError::Failed(f)) = r.outcome else {
            panic!(
                "{engine:?}: expected a failure, got {:?}",
                r.outcome.map(|r| r.rows_after)
            )
        };
        assert_eq!(f.revision, "r2");
        assert!(
            f.statement
                .as_deref()
                .is_some_and(|s| s.contains("no_such_table")),
            "{f:?}"
        );
        assert!(
            f.message.contains("no_such_table"),
            "{engine:?}: {}",
            f.message
        );
        assert_eq!(db.snapshot(), before, "{engine:?}: no trace");
        assert_eq!(db.tables(), Vec::<String>::new());
        assert_eq!(scratch_databases(&db), Vec::<String>::new());
    }
}
