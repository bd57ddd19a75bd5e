//! An Alembic project run through its own Alembic by Stratum's engine, as the app and the CLI
//! run it: progress per revision, Alembic's output streamed, Stratum's lock held, failures
//! described like Stratum's own (revision, file, line, statement, what is left), previews equal
//! to Alembic's `--sql`, dry runs on a scratch copy, conversion to SQL revisions, and new
//! revisions written by the project's own template.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use stratum_alembic::{Alembic, AlembicError, AlembicRunner};
use stratum_db::{
    render_offline, Connection, DbError, Engine, Operation, Progress, RunOptions, Runner,
};
use stratum_project::{Dialect, Project};
use stratum_tests::oracle::python;
use stratum_tests::{
    copy_dir, repo, rt, sample_project, server_available, stratum, text, ScratchDb,
};

/// A copy of the sample's Alembic twin, so a test may add files to it.
fn twin_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    copy_dir(&repo().join("examples/kontali-erp-alembic"), dir.path());
    dir
}

fn open(dir: &Path) -> Project {
    Project::open(dir).unwrap_or_else(|e| panic!("{e}"))
}

fn alembic_for(project: &Project, python: &Path) -> Alembic {
    Alembic::for_project(project, Some(python)).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `op` through the project's Alembic, collecting the progress it reports.
fn run_through(
    db: &ScratchDb,
    project: &Project,
    alembic: &Alembic,
    op: Operation,
) -> (Result<stratum_db::RunReport, DbError>, Vec<Progress>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let opts = RunOptions {
        progress: Some(Arc::new(move |p: &Progress| {
            if let Ok(mut s) = sink.lock() {
                s.push(p.clone())
            }
        })),
        ..RunOptions::default()
    };
    let runner = AlembicRunner(alembic.clone());
    let result = rt().block_on(async {
        let mut conn = db.connect().await;
        let r = runner.run(&mut conn, project, &op, &opts).await;
        conn.close().await;
        r
    });
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    (result, seen)
}

/// Runs `op` through the project's Alembic with `opts`.
fn run_with(
    db: &ScratchDb,
    project: &Project,
    alembic: &Alembic,
    op: Operation,
    opts: RunOptions,
) -> Result<stratum_db::RunReport, DbError> {
    let runner = AlembicRunner(alembic.clone());
    rt().block_on(async {
        let mut conn = db.connect().await;
        let r = runner.run(&mut conn, project, &op, &opts).await;
        conn.close().await;
        r
    })
}

fn pg() -> Option<ScratchDb> {
    server_available(Engine::Postgres).then(|| ScratchDb::new(Engine::Postgres))
}

#[test]
fn the_twin_goes_up_and_down_on_postgresql_with_progress_per_revision() {
    let Some(python) = python() else { return };
    let Some(db) = pg() else { return };
    let project = open(&repo().join("examples/kontali-erp-alembic"));
    let alembic = alembic_for(&project, &python);
    let (report, seen) = run_through(&db, &project, &alembic, Operation::Upgrade("heads".into()));
    let report = report.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.rows_after, ["007"]);
    assert_eq!(db.version_rows(), ["007"]);
    let started: Vec<String> = seen
        .iter()
        .filter_map(|p| match p {
            Progress::StepStarted {
                revision,
                index,
                total,
                ..
            } => {
                assert_eq!(*total, 7);
                Some(format!("{index}:{revision}"))
            }
            _ => None,
        })
        .collect();
    let planned: Vec<String> = report
        .plan
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{i}:{}", s.revision))
        .collect();
    assert_eq!(
        started, planned,
        "each revision reported as Stratum planned it"
    );
    assert!(
        seen.iter().any(|p| matches!(p, Progress::Output { line } if line.contains("Running upgrade 004, 005 -> 006"))),
        "Alembic's own log is streamed: {seen:?}"
    );
    let finished = seen
        .iter()
        .filter(|p| matches!(p, Progress::StepFinished { .. }))
        .count();
    assert_eq!(finished, 7);

    let (down, _) = run_through(&db, &project, &alembic, Operation::Downgrade("-1".into()));
    assert_eq!(down.unwrap_or_else(|e| panic!("{e}")).rows_after, ["006"]);
    let (down, _) = run_through(&db, &project, &alembic, Operation::Downgrade("base".into()));
    down.unwrap_or_else(|e| panic!("{e}"));
    assert!(db.version_rows().is_empty());
    assert!(
        !db.tables().contains(&"users".to_string()),
        "{:?}",
        db.tables()
    );

    // Stratum refuses what Alembic would guess at, before Python starts.
    let (up, _) = run_through(&db, &project, &alembic, Operation::Upgrade("nosuch".into()));
    let e = up.map(|_| ()).expect_err("it is refused").to_string();
    assert!(e.contains("nosuch"), "{e}");
}

#[test]
fn a_failing_alembic_revision_is_reported_like_stratums_own_and_what_an_autocommit_block_left_is_said(
) {
    let Some(python) = python() else { return };
    let Some(db) = pg() else { return };
    let dir = twin_copy();
    std::fs::write(
        dir.path().join("alembic/versions/008_broken.py"),
        "\"\"\"add a column to a table that does not exist\n\nRevision ID: 008\nRevises: 007\n\"\"\"\nfrom alembic import op\n\nrevision = '008'\ndown_revision = '007'\n\n\ndef upgrade():\n    op.execute('ALTER TABLE no_such_table ADD COLUMN x INTEGER')\n\n\ndef downgrade():\n    pass\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let project = open(dir.path());
    let alembic = alembic_for(&project, &python);
    // Up to 006 first: 007 commits on its own (CREATE INDEX CONCURRENTLY outside a transaction).
    run_through(&db, &project, &alembic, Operation::Upgrade("006".into()))
        .0
        .unwrap_or_else(|e| panic!("{e}"));
    let before = db.snapshot();
    let (result, _) = run_through(&db, &project, &alembic, Operation::Upgrade("heads".into()));
    let Err(DbError::Failed(f)) = result else {
        panic!("expected a run failure, got {result:?}");
    };
    assert_eq!(f.revision, "008");
    assert!(
        f.file
            .as_deref()
            .is_some_and(|p| p.ends_with("008_broken.py")),
        "{f:?}"
    );
    assert_eq!(
        f.line,
        Some(13),
        "the line of the failing op.execute: {f:?}"
    );
    assert_eq!(
        f.statement.as_deref(),
        Some("ALTER TABLE no_such_table ADD COLUMN x INTEGER")
    );
    assert!(
        f.message.contains("no_such_table") && f.message.contains("does not exist"),
        "{f:?}"
    );
    // 007's autocommit block (CREATE INDEX CONCURRENTLY) committed before 008 failed; its
    // version row was in the transaction that rolled back, as Alembic does it. Stratum says so.
    assert_eq!(f.committed, ["007"], "{f:?}");
    assert_eq!(f.rows_now, ["006"]);
    assert!(!f.rolled_back);
    assert!(f.to_string().contains("autocommit block of 007"), "{f}");
    assert_ne!(db.snapshot(), before, "007's index stays");
    assert!(
        f.to_string().contains("journal records how far 007 got"),
        "{f}"
    );
    // Stratum's journal kept 007's progress: the next run says what of 007 ran instead of
    // failing on the index that already exists...
    let (result, _) = run_through(&db, &project, &alembic, Operation::Upgrade("007".into()));
    let Err(DbError::Interrupted(i)) = result else {
        panic!("expected 007 to be found interrupted, got {result:?}");
    };
    let said = i.to_string();
    assert!(
        i.revision == "007"
            && said.contains("CONCURRENTLY")
            && said.contains("ran, as the catalog shows"),
        "{said}"
    );
    // ...and a resume finishes it without building the index again.
    let resumed = run_with(
        &db,
        &project,
        &alembic,
        Operation::Upgrade("007".into()),
        RunOptions {
            resume: Some(stratum_db::Resume::default()),
            ..RunOptions::default()
        },
    );
    resumed.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(db.version_rows(), ["007"]);
    // From 007, the failure leaves the database exactly as it was.
    let before = db.snapshot();
    let (result, _) = run_through(&db, &project, &alembic, Operation::Upgrade("heads".into()));
    let Err(DbError::Failed(f)) = result else {
        panic!("expected a run failure, got {result:?}");
    };
    assert!(f.rolled_back && f.committed.is_empty(), "{f:?}");
    assert_eq!(db.snapshot(), before);
}

#[test]
fn without_a_python_with_alembic_the_project_still_reads_and_says_what_to_do() {
    let project = open(&repo().join("examples/kontali-erp-alembic"));
    assert_eq!(project.map.heads(), ["007"], "reading needs no Python");
    let e = Alembic::for_project(&project, Some(Path::new("/nonexistent/python3")))
        .map(|_| ())
        .expect_err("it is refused");
    assert!(matches!(e, AlembicError::NoPython { .. }), "{e}");
    assert!(
        e.to_string().contains("/nonexistent/python3") && e.to_string().contains("virtualenv"),
        "{e}"
    );
}

#[test]
fn stratums_preview_of_an_alembic_project_is_alembics_own_sql() {
    let Some(python) = python() else { return };
    let project = open(&repo().join("examples/kontali-erp-alembic"));
    let alembic = alembic_for(&project, &python);
    for dialect in [Dialect::Postgres, Dialect::Sqlite, Dialect::MySql] {
        let mut p = project.clone();
        let rendered = rt()
            .block_on(alembic.render(&p, None, dialect))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(rendered.failures.is_empty(), "{:?}", rendered.failures);
        rendered.apply(&mut p);
        let plan = p
            .map
            .plan_upgrade(&[], "heads")
            .unwrap_or_else(|e| panic!("{e}"));
        let ours = render_offline(&p, &plan, dialect, false).unwrap_or_else(|e| panic!("{e}"));
        let theirs = rt()
            .block_on(alembic.command(
                "upgrade",
                &[serde_json::json!("heads")],
                true,
                Some(&alembic.offline_url(None, dialect)),
                |_, _| {},
            ))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ours, theirs,
            "{dialect}: the preview is what `alembic upgrade heads --sql` prints"
        );
    }
}

#[test]
fn rendering_sql_never_touches_the_database_even_where_env_py_connects() {
    let Some(python) = python() else { return };
    let dir = twin_copy();
    let env = dir.path().join("alembic/env.py");
    let text = std::fs::read_to_string(&env).unwrap_or_else(|e| panic!("{e}"));
    // A team's env.py that always connects, whatever mode Alembic is in, and a data
    // migration that executes through the connection.
    std::fs::write(
        &env,
        text.replace("if context.is_offline_mode():\n    run_migrations_offline()\nelse:\n    run_migrations_online()", "run_migrations_online()"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("alembic/versions/008_data.py"),
        "\"\"\"a data migration\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = '008'\ndown_revision = '007'\n\n\ndef upgrade():\n    op.get_bind().execute(sa.text('CREATE TABLE made_while_rendering (x INTEGER)'))\n\n\ndef downgrade():\n    pass\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let db = ScratchDb::new(Engine::Sqlite);
    let project = open(dir.path());
    let alembic = alembic_for(&project, &python);
    let rendered = rt()
        .block_on(alembic.render(&project, Some(&db.parsed()), Dialect::Sqlite))
        .unwrap_or_else(|e| panic!("{e}"));
    let (up, _) = &rendered.sql["008"];
    assert!(
        up.contains("CREATE TABLE made_while_rendering"),
        "rendered as SQL: {up}"
    );
    assert!(db.tables().is_empty(), "nothing ran: {:?}", db.tables());
}

#[test]
fn a_dry_run_of_an_alembic_project_rehearses_on_a_scratch_copy_and_leaves_no_trace() {
    let Some(python) = python() else { return };
    let Some(db) = pg() else { return };
    let project = open(&repo().join("examples/kontali-erp-alembic"));
    let runner = AlembicRunner(alembic_for(&project, &python));
    rt().block_on(async {
        let mut conn = db.connect().await;
        runner
            .run(
                &mut conn,
                &project,
                &Operation::Upgrade("003".into()),
                &RunOptions::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        conn.close().await;
    });
    let before = db.snapshot();
    let dry = rt()
        .block_on(stratum_backup::dry_run(
            &db.parsed(),
            &project,
            &Operation::Upgrade("heads".into()),
            &stratum_backup::Tools::new(None),
            RunOptions::default(),
            &runner,
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        dry.method.describe().contains("scratch copy"),
        "{}",
        dry.method.describe()
    );
    let report = dry.outcome.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.rows_after, ["007"]);
    assert_eq!(db.snapshot(), before, "the database itself is untouched");
    assert_eq!(db.version_rows(), ["003"]);
}

#[test]
fn an_alembic_project_converts_to_sql_revisions_that_build_the_same_schema() {
    let Some(python) = python() else { return };
    let Some(by_alembic) = pg() else { return };
    let by_stratum = ScratchDb::new(Engine::Postgres);
    let project = open(&repo().join("examples/kontali-erp-alembic"));
    let alembic = alembic_for(&project, &python);
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let target = out.path().join("kontali-sql");
    let done = rt()
        .block_on(stratum_alembic::convert(
            &alembic,
            &project,
            &target,
            &[Dialect::Postgres],
            None,
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(done.files.len(), 7);
    assert_eq!(
        done.outside_transaction,
        ["007"],
        "its autocommit block runs outside a transaction"
    );
    let native = open(&target);
    assert_eq!(native.map.history(), project.map.history());
    assert_eq!(native.map.heads(), project.map.heads());
    run_through(
        &by_alembic,
        &project,
        &alembic,
        Operation::Upgrade("heads".into()),
    )
    .0
    .unwrap_or_else(|e| panic!("{e}"));
    let o = stratum(&[
        "--project",
        &target.to_string_lossy(),
        "--url",
        &by_stratum.url,
        "upgrade",
        "heads",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let schema = |db: &ScratchDb| {
        // Stratum's journal (beside alembic_version, for its `-- transaction: false` revision)
        // is bookkeeping, not the schema.
        db.query("SELECT table_name || '.' || column_name || ':' || data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'stratum_journal' ORDER BY 1")
    };
    assert_eq!(
        schema(&by_stratum),
        schema(&by_alembic),
        "the same tables and columns"
    );
    assert_eq!(by_stratum.version_rows(), by_alembic.version_rows());

    // A second conversion into the same folder is refused, and what is there stays.
    let again = rt()
        .block_on(stratum_alembic::convert(
            &alembic,
            &project,
            &target,
            &[Dialect::Postgres],
            None,
        ))
        .map(|_| ())
        .expect_err("it is refused");
    assert!(matches!(again, AlembicError::NotEmpty(_)), "{again}");
    assert_eq!(open(&target).files.len(), 7);
}

#[test]
fn a_revision_alembic_cannot_render_stops_the_conversion_and_leaves_nothing() {
    let Some(python) = python() else { return };
    let dir = twin_copy();
    std::fs::write(
        dir.path().join("alembic/versions/008_data.py"),
        "\"\"\"reads rows, which offline mode cannot\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = '008'\ndown_revision = '007'\n\n\ndef upgrade():\n    rows = op.get_bind().execute(sa.text('SELECT id FROM users')).fetchall()\n    for (i,) in rows:\n        op.execute(f'UPDATE users SET phone = NULL WHERE id = {i}')\n\n\ndef downgrade():\n    pass\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let project = open(dir.path());
    let alembic = alembic_for(&project, &python);
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let target = out.path().join("converted");
    let e = rt()
        .block_on(stratum_alembic::convert(
            &alembic,
            &project,
            &target,
            &[Dialect::Postgres],
            None,
        ))
        .map(|_| ())
        .expect_err("it is refused")
        .to_string();
    assert!(e.contains("008") && e.contains("008_data.py:10"), "{e}");
    assert!(!target.exists(), "nothing is written");
    assert_eq!(
        std::fs::read_dir(out.path())
            .map(|d| d.count())
            .unwrap_or(0),
        0,
        "no half-written folder either"
    );
    // The checks say that revision's SQL was not seen, instead of passing over it.
    let o = stratum(&[
        "--project",
        &dir.path().to_string_lossy(),
        "--python",
        &python.to_string_lossy(),
        "check",
        "008",
        "--dialect",
        "postgresql",
    ]);
    assert!(text(&o).contains("sql-unavailable"), "{}", text(&o));
}

#[test]
fn new_revisions_and_merges_are_written_by_the_projects_own_alembic() {
    let Some(python) = python() else { return };
    let dir = twin_copy();
    let py = python.to_string_lossy().to_string();
    let project = dir.path().to_string_lossy().to_string();
    let run = |args: &[&str]| {
        let mut all = vec![
            "--project",
            project.as_str(),
            "--python",
            py.as_str(),
            "--json",
        ];
        all.extend_from_slice(args);
        let o = stratum(&all);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap_or_else(|e| panic!("{e}"))
    };
    let a = run(&["revision", "-m", "add notes", "--rev-id", "a1"]);
    let file = PathBuf::from(a["file"].as_str().unwrap_or(""));
    assert!(file.ends_with("alembic/versions/a1_add_notes.py"), "{a}");
    let content = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        content.contains("add notes") && content.contains("def upgrade()"),
        "the template's file: {content}"
    );
    run(&[
        "revision",
        "-m",
        "side branch",
        "--rev-id",
        "b1",
        "--head",
        "006",
        "--splice",
    ]);
    let p = open(dir.path());
    assert_eq!(p.map.heads().len(), 2, "{:?}", p.map.heads());
    let m = run(&["merge", "-m", "join", "--rev-id", "m1"]);
    assert_eq!(m["revision"], "m1");
    let p = open(dir.path());
    assert_eq!(p.map.heads(), ["m1"]);
    assert_eq!(p.map.down_revisions("m1").len(), 2);
    // Nothing to merge: said before Alembic writes a one-parent "merge".
    let o = stratum(&[
        "--project",
        &project,
        "--python",
        &py,
        "merge",
        "-m",
        "again",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("nothing to merge"), "{}", text(&o));

    // Autogenerate compares the models with a database that is up to date, as Alembic requires.
    let env = dir.path().join("alembic/env.py");
    let env_text = std::fs::read_to_string(&env).unwrap_or_default();
    std::fs::write(
        &env,
        env_text.replace(
            "target_metadata = None",
            "import sqlalchemy as sa\ntarget_metadata = sa.MetaData()\nsa.Table('users', target_metadata, sa.Column('id', sa.Integer, primary_key=True))\nsa.Table('notes', target_metadata, sa.Column('id', sa.Integer, primary_key=True), sa.Column('body', sa.Text))",
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let db = ScratchDb::new(Engine::Sqlite);
    let o = stratum(&[
        "--project",
        &project,
        "--python",
        &py,
        "--url",
        &db.url,
        "revision",
        "-m",
        "too early",
        "--autogenerate",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("Target database is not up to date"),
        "{}",
        text(&o)
    );
    run(&["--url", &db.url, "upgrade", "heads"]);
    let g = run(&[
        "--url",
        &db.url,
        "revision",
        "-m",
        "compare",
        "--autogenerate",
        "--rev-id",
        "g1",
    ]);
    assert_eq!(g["revision"], "g1");
    let content = g["content"].as_str().unwrap_or("");
    assert!(
        content.contains("op.create_table('notes'"),
        "the models' difference: {content}"
    );
}

#[test]
fn the_cli_runs_an_alembic_project_with_a_backup_and_refuses_a_python_that_lacks_alembic() {
    let Some(python) = python() else { return };
    let db = ScratchDb::new(Engine::Sqlite);
    let twin = repo()
        .join("examples/kontali-erp-alembic")
        .to_string_lossy()
        .to_string();
    let backups = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let o = stratum(&[
        "--project",
        &twin,
        "--url",
        &db.url,
        "--python",
        &python.to_string_lossy(),
        "upgrade",
        "heads",
        "--backup",
        "--backup-dir",
        &backups.path().to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("[7/7] upgrade 007"),
        "Stratum's progress: {}",
        text(&o)
    );
    assert_eq!(db.version_rows(), ["007"]);
    assert!(
        std::fs::read_dir(backups.path())
            .map(|d| d.count())
            .unwrap_or(0)
            >= 2,
        "a backup and its manifest"
    );
    let o = stratum(&[
        "--project",
        &twin,
        "--url",
        &db.url,
        "--python",
        "/usr/bin/true",
        "downgrade",
        "base",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("does not import alembic"), "{}", text(&o));
    assert_eq!(db.version_rows(), ["007"], "nothing ran");
    // Native sample and twin agree on what is pending, through either front.
    let o = stratum(&[
        "--project",
        &sample_project().to_string_lossy(),
        "--url",
        &db.url,
        "current",
    ]);
    assert!(text(&o).contains("007 (head)"), "{}", text(&o));
}

#[test]
fn stratums_lock_keeps_a_second_runner_out_while_alembic_runs() {
    let Some(python) = python() else { return };
    let Some(db) = pg() else { return };
    let project = open(&repo().join("examples/kontali-erp-alembic"));
    let alembic = alembic_for(&project, &python);
    let vt = stratum_db::VersionTable::from_config(&project.config);
    rt().block_on(async {
        // Someone else holds the runner lock.
        let mut holder: Connection = db.connect().await;
        holder
            .lock(&vt, std::time::Duration::from_secs(1))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mut conn = db.connect().await;
        let opts = RunOptions {
            lock_wait: std::time::Duration::from_secs(1),
            ..RunOptions::default()
        };
        let r = AlembicRunner(alembic)
            .run(
                &mut conn,
                &project,
                &Operation::Upgrade("heads".into()),
                &opts,
            )
            .await;
        assert!(matches!(r, Err(DbError::LockTimeout { .. })), "{r:?}");
        holder.unlock(&vt).await;
        conn.close().await;
        holder.close().await;
    });
    assert!(db.version_rows().is_empty(), "Alembic never started");
}

#[test]
fn the_twin_goes_up_and_down_on_mariadb_and_sqlite_through_its_own_alembic() {
    let Some(python) = python() else { return };
    let project = open(&repo().join("examples/kontali-erp-alembic"));
    let alembic = alembic_for(&project, &python);
    let mut engines = vec![ScratchDb::new(Engine::Sqlite)];
    if server_available(Engine::MySql) {
        engines.push(ScratchDb::new(Engine::MySql));
    }
    for db in &engines {
        let (up, seen) = run_through(db, &project, &alembic, Operation::Upgrade("heads".into()));
        let up = up.unwrap_or_else(|e| panic!("{:?}: {e}", db.engine));
        assert_eq!(up.rows_after, ["007"], "{:?}", db.engine);
        assert_eq!(db.version_rows(), ["007"], "{:?}", db.engine);
        assert_eq!(
            seen.iter()
                .filter(|p| matches!(p, Progress::StepFinished { .. }))
                .count(),
            7,
            "{:?}",
            db.engine
        );
        let (down, _) = run_through(db, &project, &alembic, Operation::Downgrade("base".into()));
        down.unwrap_or_else(|e| panic!("{:?}: {e}", db.engine));
        assert!(db.version_rows().is_empty(), "{:?}", db.engine);
        assert!(
            !db.tables().contains(&"users".to_string()),
            "{:?}: {:?}",
            db.engine,
            db.tables()
        );
    }
}

/// A minimal Alembic project with one revision whose upgrade body is `body`.
fn one_revision_project(body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(dir.path().join("migrations/versions"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/migrations\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("migrations/env.py"),
        "from alembic import context\nfrom sqlalchemy import engine_from_config, pool\n\nconfig = context.config\nengine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix=\"sqlalchemy.\", poolclass=pool.NullPool)\nwith engine.connect() as connection:\n    context.configure(connection=connection)\n    with context.begin_transaction():\n        context.run_migrations()\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    write_revision(dir.path(), body);
    dir
}

fn write_revision(dir: &Path, body: &str) {
    std::fs::write(
        dir.join("migrations/versions/a1_accounts.py"),
        format!("\"\"\"accounts\n\"\"\"\nimport sqlalchemy as sa\nfrom alembic import op\n\nrevision = \"a1\"\ndown_revision = None\n\n\ndef upgrade():\n{body}\n\n\ndef downgrade():\n    op.drop_table(\"accounts\")\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Alembic's best-known failure on MySQL (sqlalchemy/alembic#755): a revision that fails part
/// way leaves its first statements committed and the next run failing on "already exists".
/// Under Stratum the driver journals each statement, so the next run says what ran; a resume
/// once the cause is fixed skips what ran; a resume after what ran was edited is refused and
/// changes nothing.
#[test]
fn a_half_done_alembic_revision_on_mariadb_is_told_then_resumed_after_the_fix_but_not_after_an_edit(
) {
    let Some(python) = python() else { return };
    if !server_available(Engine::MySql) {
        return;
    }
    let db = ScratchDb::new(Engine::MySql);
    let create =
        "    op.create_table(\"accounts\", sa.Column(\"id\", sa.Integer, primary_key=True))\n";
    let broken = format!("{create}    op.execute(\"ALTER TABLE no_such_table ADD COLUMN x INTEGER\")\n    op.create_index(\"ix_accounts_id\", \"accounts\", [\"id\"])");
    let dir = one_revision_project(&broken);
    let reopen = || {
        let p = open(dir.path());
        let a = alembic_for(&p, &python);
        (p, a)
    };
    let (project, alembic) = reopen();
    let (result, _) = run_through(&db, &project, &alembic, Operation::Upgrade("heads".into()));
    let Err(DbError::Failed(f)) = result else {
        panic!("expected a run failure, got {result:?}");
    };
    assert!(f.resumable && !f.rolled_back, "{f:?}");
    assert!(
        db.tables().contains(&"accounts".to_string()),
        "MariaDB committed the first statement"
    );
    assert!(db.version_rows().is_empty());

    let (result, _) = run_through(&db, &project, &alembic, Operation::Upgrade("heads".into()));
    let Err(DbError::Interrupted(i)) = result else {
        panic!("expected the revision to be found interrupted, got {result:?}");
    };
    let said = i.to_string();
    // MariaDB commits what is pending before any DDL, the journal's record with it, so the
    // failed statement is the one in flight; the catalog shows it did nothing.
    assert!(
        said.contains(": its first statement ran; statement 2, ALTER TABLE no_such_table ADD COLUMN x INTEGER, did not run, as the catalog shows; whatever its upgrade() sends after that has not run"),
        "{said}"
    );
    let resume = || RunOptions {
        resume: Some(stratum_db::Resume::default()),
        ..RunOptions::default()
    };

    // The statement that ran, edited since: the resume stops before sending anything.
    write_revision(
        dir.path(),
        &broken.replace(
            "primary_key=True)",
            "primary_key=True), sa.Column(\"name\", sa.String(50))",
        ),
    );
    let before = db.snapshot();
    let (project, alembic) = reopen();
    let refused = run_with(
        &db,
        &project,
        &alembic,
        Operation::Upgrade("heads".into()),
        resume(),
    );
    let said = refused
        .as_ref()
        .map(|_| String::new())
        .unwrap_or_else(|e| e.to_string());
    assert!(
        said.contains("statement 1") && said.contains("something other than what ran"),
        "{said}"
    );
    assert_eq!(db.snapshot(), before, "a refused resume changes nothing");
    let (still, _) = run_through(&db, &project, &alembic, Operation::Upgrade("heads".into()));
    assert!(matches!(still, Err(DbError::Interrupted(_))), "{still:?}");

    // Put back and fixed: the resume skips the CREATE TABLE that ran and runs the rest.
    write_revision(dir.path(), &broken.replace("no_such_table", "accounts"));
    let (project, alembic) = reopen();
    run_with(
        &db,
        &project,
        &alembic,
        Operation::Upgrade("heads".into()),
        resume(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(db.version_rows(), ["a1"]);
    let columns = db.query(
        "SELECT CAST(column_name AS CHAR) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'accounts' ORDER BY ordinal_position",
    );
    assert_eq!(columns, ["id", "x"]);
}

/// Rendering imports every revision in the project's Python, which for a large project costs
/// as much as running it; a batch and the app keep what was rendered on disk, and render again
/// only when something the SQL depends on changed.
#[test]
fn rendered_sql_is_kept_between_processes_until_a_file_it_depends_on_changes() {
    use stratum_alembic::RenderCache;
    let Some(python) = python() else { return };
    let dir = twin_copy();
    let renders = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let marker = dir.path().join("rendered-times");
    // A revision whose upgrade notes each time its Python runs, that is each render.
    let revision = |table: &str| {
        format!(
            "\"\"\"counted\"\"\"\nfrom alembic import op\nimport helper\n\nrevision = '008'\ndown_revision = '007'\n\n\ndef upgrade():\n    with open({marker:?}, 'a') as f:\n        f.write('x')\n    op.execute(helper.SQL.format({table:?}))\n\n\ndef downgrade():\n    pass\n",
            marker = marker.display().to_string(),
        )
    };
    let versions = dir.path().join("alembic/versions");
    std::fs::write(versions.join("008_counted.py"), revision("first"))
        .unwrap_or_else(|e| panic!("{e}"));
    // A helper module in the migrations folder, which the revision imports.
    let env = dir.path().join("alembic/env.py");
    let env_text = std::fs::read_to_string(&env).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        &env,
        format!("import os, sys\nsys.path.insert(0, os.path.dirname(__file__))\n{env_text}"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let helper = dir.path().join("alembic/helper.py");
    std::fs::write(&helper, "SQL = 'CREATE TABLE {} (x INTEGER)'\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let db = ScratchDb::new(Engine::Sqlite);
    let url = db.parsed();
    // Each fill is a new cache, as a new process (a command line run) starts with.
    let fill = || {
        let mut project = open(dir.path());
        let alembic = alembic_for(&project, &python);
        let cache = RenderCache::kept_in(renders.path().to_path_buf());
        let rendered = rt()
            .block_on(cache.fill(&alembic, &mut project, &url))
            .unwrap_or_else(|e| panic!("{e}"));
        let renders_so_far = std::fs::read_to_string(&marker).unwrap_or_default().len();
        (rendered.sql["008"].0.clone(), renders_so_far)
    };
    let (sql, renders_so_far) = fill();
    assert!(sql.contains("CREATE TABLE first"), "{sql}");
    assert_eq!(renders_so_far, 1);
    let (again, renders_so_far) = fill();
    assert_eq!(again, sql, "the same SQL, from disk");
    assert_eq!(renders_so_far, 1, "no second render for unchanged files");

    std::fs::write(versions.join("008_counted.py"), revision("second"))
        .unwrap_or_else(|e| panic!("{e}"));
    let (sql, renders_so_far) = fill();
    assert!(
        sql.contains("CREATE TABLE second"),
        "an edited revision renders again: {sql}"
    );
    assert_eq!(renders_so_far, 2);

    std::fs::write(&helper, "SQL = 'CREATE TABLE {} (y TEXT)'\n").unwrap_or_else(|e| panic!("{e}"));
    let (sql, renders_so_far) = fill();
    assert!(
        sql.contains("(y TEXT)"),
        "an edited helper renders again: {sql}"
    );
    assert_eq!(renders_so_far, 3);
    assert!(
        db.tables().is_empty(),
        "rendering never touches the database"
    );
}
