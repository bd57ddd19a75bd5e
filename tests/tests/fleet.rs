//! A consultant's fleet on real servers: 50 PostgreSQL databases at different revisions of the
//! sample project, some on MariaDB and SQLite, one unreachable, one whose project has a failing
//! revision. The status of each is right; a batch upgrade brings the others to head, each with
//! its backup, and reports the failing one rolled back; with stop-on-first-failure the rest are
//! left untouched; the report reads as CSV and HTML and the batch is in the audit log.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use stratum_alembic::RenderCache;
use stratum_db::{CancelToken, Engine, Operation};
use stratum_operations::fleet::{
    run_batch, status, BatchEvent, BatchOptions, Fleet, Phase, Selection, State, StatusOptions,
};
use stratum_project::Project;
use stratum_store::{NewProfile, Profile, Secrets, Store};
use stratum_tests::{repo, rt, sample_project, server_available, ScratchDb};

/// Where each database starts: a cycle over the sample's history (none = base).
const STARTS: [Option<&str>; 5] = [None, Some("001"), Some("003"), Some("006"), Some("heads")];

struct Fleetful {
    store: Store,
    secrets: Secrets,
    data: tempfile::TempDir,
    /// Kept alive: each is dropped (and its database with it) at the end.
    dbs: Vec<ScratchDb>,
    /// profile id -> where it started.
    started_at: HashMap<i64, Option<&'static str>>,
    unreachable: i64,
    failing: i64,
}

fn build(postgres: usize, mariadb: usize, sqlite: usize) -> Fleetful {
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = rt()
        .block_on(Store::open(&data.path().join("stratum.db")))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut dbs = Vec::new();
    let mut started_at = HashMap::new();
    let engines = std::iter::repeat_n(Engine::Postgres, postgres)
        .chain(std::iter::repeat_n(Engine::MySql, mariadb))
        .chain(std::iter::repeat_n(Engine::Sqlite, sqlite));
    let add = |name: String, client: &str, url: &str, project: &std::path::Path, tags: &str| {
        rt().block_on(store.add_profile(&NewProfile {
            name,
            client: client.into(),
            environment: "staging".into(),
            url: url.into(),
            project_dir: project.display().to_string(),
            tags: tags.into(),
            ..Default::default()
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    };
    for (i, engine) in engines.enumerate() {
        let db = ScratchDb::new(engine);
        let start = STARTS[i % STARTS.len()];
        if let Some(t) = start {
            db.upgrade_sample(t);
        }
        let p = add(
            format!("client-{i:02}"),
            &format!("Client {}", (b'A' + (i % 5) as u8) as char),
            &db.url,
            &sample_project(),
            if i % 2 == 0 { "eu" } else { "us" },
        );
        started_at.insert(p.id, start);
        dbs.push(db);
    }
    let unreachable = add(
        "client-gone".into(),
        "Client Z",
        "postgresql://postgres@127.0.0.1:1/nowhere",
        &sample_project(),
        "",
    )
    .id;
    let failing_db = ScratchDb::new(Engine::Sqlite);
    let failing = add(
        "client-failing".into(),
        "Client Z",
        &failing_db.url,
        &repo().join("tests/fixtures/failing-project"),
        "",
    )
    .id;
    dbs.push(failing_db);
    Fleetful {
        store,
        secrets: Secrets::default(),
        data,
        dbs,
        started_at,
        unreachable,
        failing,
    }
}

impl Fleetful {
    fn profiles(&self) -> Vec<Profile> {
        rt().block_on(self.store.profiles())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn db_of(&self, p: &Profile) -> Option<&ScratchDb> {
        self.dbs.iter().find(|d| d.url == p.url)
    }

    fn batch(
        &self,
        profiles: Vec<Profile>,
        opts: &BatchOptions,
    ) -> (stratum_operations::fleet::BatchReport, Vec<BatchEvent>) {
        self.batch_cancelled_when(profiles, opts, |_| false)
    }

    /// A batch whose Cancel is pressed at the first event `press` picks.
    fn batch_cancelled_when(
        &self,
        profiles: Vec<Profile>,
        opts: &BatchOptions,
        press: impl Fn(&BatchEvent) -> bool + Send + Sync + 'static,
    ) -> (stratum_operations::fleet::BatchReport, Vec<BatchEvent>) {
        let cancel = CancelToken::default();
        let button = cancel.clone();
        let renders = RenderCache::default();
        let fleet = Fleet {
            store: &self.store,
            secrets: &self.secrets,
            data_dir: self.data.path(),
            renders: &renders,
        };
        let heard = Arc::new(Mutex::new(Vec::new()));
        let sink = heard.clone();
        let report = rt()
            .block_on(run_batch(
                &fleet,
                profiles,
                &Operation::Upgrade("heads".into()),
                opts,
                &cancel,
                Arc::new(move |e: &BatchEvent| {
                    if press(e) {
                        button.cancel();
                    }
                    if let Ok(mut h) = sink.lock() {
                        h.push(e.clone())
                    }
                }),
            ))
            .unwrap_or_else(|e| panic!("{e}"));
        let heard = heard.lock().map(|h| h.clone()).unwrap_or_default();
        (report, heard)
    }
}

fn servers() -> bool {
    server_available(Engine::Postgres) && server_available(Engine::MySql)
}

#[test]
fn the_status_of_every_database_is_read_at_once_and_is_right_for_each() {
    if !servers() {
        return;
    }
    let f = build(50, 3, 3);
    // A server that accepts connections and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = silent.local_addr().map(|a| a.port()).unwrap_or(0);
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in silent.incoming().flatten() {
            held.push(c);
        }
    });
    let hung = rt()
        .block_on(f.store.add_profile(&NewProfile {
            name: "client-silent".into(),
            client: "Client Z".into(),
            environment: "staging".into(),
            url: format!("postgresql://postgres@127.0.0.1:{port}/x"),
            project_dir: sample_project().display().to_string(),
            ..Default::default()
        }))
        .unwrap_or_else(|e| panic!("{e}"))
        .id;
    let profiles = f.profiles();
    let seen = Arc::new(Mutex::new(0usize));
    let counter = seen.clone();
    let all = rt()
        .block_on(status(
            &f.store,
            &f.secrets,
            profiles.clone(),
            &StatusOptions {
                concurrency: 8,
                timeout: std::time::Duration::from_secs(3),
            },
            move |_| {
                if let Ok(mut n) = counter.lock() {
                    *n += 1
                }
            },
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.len(), 59);
    assert_eq!(
        seen.lock().map(|n| *n).unwrap_or(0),
        59,
        "each status is told as it is known"
    );
    let project = Project::open(&sample_project()).unwrap_or_else(|e| panic!("{e}"));
    for s in &all {
        if s.profile_id == hung {
            assert_eq!(s.state, State::Unreachable, "{s:?}");
            assert!(
                s.reason
                    .as_deref()
                    .is_some_and(|r| r.contains("3 s") || r.contains("3 seconds")),
                "{s:?}"
            );
            continue;
        }
        if s.profile_id == f.unreachable {
            assert_eq!(s.state, State::Unreachable, "{s:?}");
            assert!(
                s.reason
                    .as_deref()
                    .is_some_and(|r| r.contains("127.0.0.1:1")),
                "{s:?}"
            );
            continue;
        }
        if s.profile_id == f.failing {
            assert_eq!((s.state, s.pending.len()), (State::Pending, 2), "{s:?}");
            continue;
        }
        let start = f.started_at[&s.profile_id];
        let rows: Vec<String> = match start {
            None => Vec::new(),
            Some("heads") => vec!["007".into()],
            Some(r) => vec![r.to_string()],
        };
        assert_eq!(s.rows, rows, "{}", s.name);
        let pending = project.map.pending(&rows).unwrap_or_default();
        assert_eq!(s.pending, pending, "{}", s.name);
        let want = if pending.is_empty() {
            State::UpToDate
        } else {
            State::Pending
        };
        assert_eq!(s.state, want, "{}", s.name);
        assert!(s.server.is_some(), "{}", s.name);
    }
    // Choosing by client and tag.
    let chosen = Selection {
        clients: vec!["Client A".into()],
        tags: vec!["eu".into()],
        ..Default::default()
    }
    .choose(profiles.clone())
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !chosen.is_empty()
            && chosen
                .iter()
                .all(|p| p.client == "Client A" && p.tags == "eu")
    );
    let e = Selection {
        names: vec!["nobody".into()],
        ..Default::default()
    }
    .choose(profiles)
    .map(|_| ())
    .expect_err("it is refused");
    assert!(e.to_string().contains("'nobody'"), "{e}");
}

#[test]
fn a_batch_upgrade_brings_every_database_to_head_with_its_backup_and_reports_the_failures() {
    if !servers() {
        return;
    }
    let f = build(50, 3, 3);
    let (report, heard) = f.batch(
        f.profiles(),
        &BatchOptions {
            concurrency: 8,
            stop_on_failure: false,
            backup_all: true,
            production_confirmed: false,
            ..BatchOptions::default()
        },
    );
    assert_eq!(report.items.len(), 58);
    for item in &report.items {
        let id = item.profile_id.unwrap_or_default();
        if id == f.unreachable {
            assert_eq!(item.result, "failed", "{item:?}");
            assert!(
                item.message.contains("cannot connect") || item.message.contains("127.0.0.1:1"),
                "{item:?}"
            );
            assert!(
                !item.rows_read,
                "never read: its rows are unknown, not base"
            );
            continue;
        }
        if id == f.failing {
            assert_eq!(item.result, "failed", "{item:?}");
            assert!(
                item.message.contains("002") && item.message.contains("rolled back"),
                "{item:?}"
            );
            assert!(!item.backup.is_empty(), "backed up before it ran");
            assert!(
                item.rows_read && item.rows_after.is_empty(),
                "read, and still at base: {item:?}"
            );
            continue;
        }
        let start = f.started_at[&id];
        if start == Some("heads") {
            assert_eq!(item.result, "up to date", "{item:?}");
            assert!(item.backup.is_empty(), "nothing to run, nothing to back up");
        } else {
            assert_eq!(item.result, "succeeded", "{item:?}");
            assert!(std::path::Path::new(&item.backup).is_file(), "{item:?}");
            assert_eq!(item.rows_after, "007");
        }
    }
    for p in f.profiles() {
        if let Some(db) = f.db_of(&p) {
            let want: Vec<String> = if p.id == f.failing {
                vec![]
            } else {
                vec!["007".into()]
            };
            assert_eq!(db.version_rows(), want, "{}", p.name);
        }
    }
    assert_eq!(report.count("failed"), 2);
    assert!(
        heard.iter().any(|e| e.phase == Phase::BackingUp)
            && heard
                .iter()
                .any(|e| e.phase == Phase::Running && e.detail.starts_with("step ")),
        "progress per database, step by step"
    );
    let csv = stratum_operations::fleet::to_csv(&report);
    assert_eq!(csv.lines().count(), 59, "a header and a line per database");
    assert!(csv.contains(",failed,") && csv.contains("client-failing"));
    let html = stratum_operations::fleet::to_html(&report);
    assert!(html.contains("58 database(s)") && html.contains("client-gone"));
    let audit = rt()
        .block_on(f.store.audit(None))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        audit
            .iter()
            .any(|e| e.operation == "batch upgrade" && e.message.contains("2 failed")),
        "the batch is in the audit log"
    );
    assert!(
        audit.iter().filter(|e| e.operation == "upgrade").count() >= 45,
        "and each database's run"
    );
    let gone: Vec<_> = audit
        .iter()
        .filter(|e| e.profile_id == Some(f.unreachable))
        .collect();
    assert!(
        gone.iter().any(|e| e.operation == "upgrade"
            && e.result == "failed"
            && e.message.contains("cannot connect")),
        "the database it could not reach has the attempt in its history, as a single run does: {gone:?}"
    );
    assert!(
        audit
            .iter()
            .all(|e| e.who != "unknown" && !e.who.is_empty()),
        "every entry says who"
    );
}

#[test]
fn cancel_finishes_no_database_half_way_and_starts_no_other() {
    if !servers() {
        return;
    }
    let f = build(5, 0, 0);
    // Every database behind, one at a time; Cancel is pressed as the second one starts its
    // run, so it is stopped at a revision boundary (or rolled back) and the rest never start.
    let profiles: Vec<Profile> = f
        .profiles()
        .into_iter()
        .filter(|p| f.started_at.get(&p.id).is_some_and(|s| *s != Some("heads")))
        .collect();
    assert_eq!(profiles.len(), 4);
    let second = profiles[1].id;
    let (report, _) = f.batch_cancelled_when(
        profiles.clone(),
        &BatchOptions {
            concurrency: 1,
            ..BatchOptions::default()
        },
        move |e| e.profile_id == second && e.phase == Phase::Running,
    );
    let results: Vec<&str> = report.items.iter().map(|i| i.result.as_str()).collect();
    assert_eq!(results[0], "succeeded", "{:?}", report.items);
    assert_eq!(results[1], "cancelled", "{:?}", report.items);
    assert!(
        results[2..].iter().all(|r| *r == "cancelled"),
        "{:?}",
        report.items
    );
    assert!(report.items[2..]
        .iter()
        .all(|i| i.message.contains("before it started")));
    let sample = Project::open(&sample_project()).unwrap_or_else(|e| panic!("{e}"));
    for (p, item) in profiles.iter().zip(&report.items) {
        let db = f
            .db_of(p)
            .unwrap_or_else(|| panic!("{} has a database", p.name));
        let rows = db.version_rows();
        if p.id == profiles[0].id {
            assert_eq!(rows, ["007"]);
            continue;
        }
        let start: Vec<String> = f.started_at[&p.id]
            .map(|s| vec![s.to_string()])
            .unwrap_or_default();
        if p.id == second {
            // Stopped between revisions: at a real revision of the sample, never past head,
            // and its line in the report says where.
            assert!(rows.iter().all(|r| sample.file(r).is_some()), "{rows:?}");
            assert_eq!(item.rows_after, rows.join(","), "{item:?}");
        } else {
            assert_eq!(rows, start, "{}: never started, untouched", p.name);
        }
    }
    assert!(
        report.summary().contains("cancelled"),
        "{}",
        report.summary()
    );
}

#[test]
fn with_stop_on_first_failure_the_rest_are_left_untouched() {
    let f = build(4, 0, 2);
    // The failing database first, one at a time: nothing after it starts.
    let mut profiles = f.profiles();
    profiles.sort_by_key(|p| p.id != f.failing);
    let before: Vec<Vec<String>> = profiles
        .iter()
        .filter_map(|p| f.db_of(p))
        .map(|d| d.version_rows())
        .collect();
    let (report, _) = f.batch(
        profiles.clone(),
        &BatchOptions {
            concurrency: 1,
            stop_on_failure: true,
            ..BatchOptions::default()
        },
    );
    assert_eq!(report.items[0].result, "failed");
    assert!(
        report.items[1..].iter().all(|i| i.result == "skipped"),
        "{:?}",
        report.items
    );
    let after: Vec<Vec<String>> = profiles
        .iter()
        .filter_map(|p| f.db_of(p))
        .map(|d| d.version_rows())
        .collect();
    assert_eq!(after, before, "untouched");

    // A production database in the batch needs its confirmation first.
    let mut prod = f.profiles().remove(0);
    prod.environment = "production".into();
    let renders = RenderCache::default();
    let fleet = Fleet {
        store: &f.store,
        secrets: &f.secrets,
        data_dir: f.data.path(),
        renders: &renders,
    };
    let e = rt()
        .block_on(run_batch(
            &fleet,
            vec![prod],
            &Operation::Upgrade("heads".into()),
            &BatchOptions::default(),
            &CancelToken::default(),
            Arc::new(|_: &BatchEvent| {}),
        ))
        .map(|_| ())
        .expect_err("it is refused");
    assert!(
        e.to_string().contains("production") && e.to_string().contains("confirm"),
        "{e}"
    );
}

#[test]
fn the_cli_reads_the_apps_profiles_for_status_and_batch_upgrades_with_a_report() {
    if !servers() {
        return;
    }
    let f = build(5, 1, 1);
    let dir = f.data.path().to_string_lossy().to_string();
    let o = stratum_tests::stratum(&["--data-dir", &dir, "--json", "status", "--all"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "one is unreachable: {}",
        stratum_tests::text(&o)
    );
    let all: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.as_array().map(Vec::len), Some(9));
    assert!(all
        .as_array()
        .into_iter()
        .flatten()
        .any(|s| s["state"] == "unreachable"));
    let o = stratum_tests::stratum(&["--data-dir", &dir, "status", "--group", "Client B"]);
    assert!(o.status.success(), "{}", stratum_tests::text(&o));
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        text.contains("client-01") && !text.contains("client-00"),
        "{text}"
    );

    let csv = f.data.path().join("report.csv");
    let html = f.data.path().join("report.html");
    let o = stratum_tests::stratum(&[
        "--data-dir",
        &dir,
        "upgrade",
        "heads",
        "--all",
        "--keep-going",
        "--concurrency",
        "3",
        "--report",
        &csv.to_string_lossy(),
        "--report",
        &html.to_string_lossy(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "two did not finish: {}",
        stratum_tests::text(&o)
    );
    let said = stratum_tests::text(&o);
    assert!(
        said.contains("client-failing: FAILED") && said.contains("succeeded"),
        "{said}"
    );
    let csv = std::fs::read_to_string(&csv).unwrap_or_default();
    assert_eq!(csv.lines().count(), 10, "{csv}");
    assert!(std::fs::read_to_string(&html)
        .unwrap_or_default()
        .contains("<table>"));
    for p in f.profiles() {
        if let Some(db) = f.db_of(&p) {
            if p.id != f.failing {
                assert_eq!(db.version_rows(), ["007"], "{}", p.name);
            }
        }
    }
    // Nothing chosen is a clear error.
    let o = stratum_tests::stratum(&["--data-dir", &dir, "status"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stratum_tests::text(&o).contains("--all"),
        "{}",
        stratum_tests::text(&o)
    );
}

#[test]
fn profiles_are_added_listed_and_removed_from_the_command_line() {
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = data.path().to_string_lossy().to_string();
    let db = ScratchDb::new(Engine::Sqlite);
    let sample = sample_project().to_string_lossy().to_string();
    let o = stratum_tests::stratum(&[
        "--data-dir",
        &dir,
        "profile",
        "add",
        "acme-test",
        "--db",
        &db.url,
        "--dir",
        &sample,
        "--client",
        "Acme",
        "--environment",
        "staging",
        "--tags",
        "eu, nightly",
    ]);
    assert!(o.status.success(), "{}", stratum_tests::text(&o));
    let o = stratum_tests::stratum(&["--data-dir", &dir, "--json", "profile", "list"]);
    let list: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(list[0]["name"], "acme-test");
    assert_eq!(list[0]["tags"], serde_json::json!(["eu", "nightly"]));
    let o = stratum_tests::stratum(&["--data-dir", &dir, "status", "--tag", "nightly"]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("7 pending")
            || String::from_utf8_lossy(&o.stdout).contains("      7"),
        "{}",
        stratum_tests::text(&o)
    );
    let o = stratum_tests::stratum(&[
        "--data-dir",
        &dir,
        "profile",
        "add",
        "bad",
        "--db",
        &db.url,
        "--dir",
        "/nonexistent",
        "--environment",
        "staging",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stratum_tests::text(&o));
    let o = stratum_tests::stratum(&["--data-dir", &dir, "profile", "remove", "acme-test"]);
    assert!(o.status.success(), "{}", stratum_tests::text(&o));
    let o = stratum_tests::stratum(&["--data-dir", &dir, "status", "--all"]);
    assert_eq!(o.status.code(), Some(2), "{}", stratum_tests::text(&o));
}

/// The consultant's laptop dies mid-batch: the CLI running `upgrade head` over four databases
/// is killed while the second (PostgreSQL, a slow revision) runs. The batch is then shown
/// interrupted, with which database finished and which never ran; `--rest-of-batch` runs those
/// (the one killed mid-run again: its transaction was rolled back), every database reaches
/// head, and the old batch is offered no more.
#[test]
fn a_batch_whose_cli_is_killed_is_shown_interrupted_and_its_rest_can_be_run() {
    if !servers() {
        return;
    }
    let table = |name: &str| format!("CREATE TABLE {name} (id INTEGER PRIMARY KEY)");
    let fast = stratum_tests::project_with(&[
        (
            "001_a.sql",
            &stratum_tests::revision_file("001", "", &format!("{};", table("a")), "DROP TABLE a;"),
        ),
        (
            "002_b.sql",
            &stratum_tests::revision_file(
                "002",
                "001",
                &format!("{};", table("b")),
                "DROP TABLE b;",
            ),
        ),
    ]);
    // Long enough to be killed in, short enough to run again with the rest.
    let slow = stratum_tests::project_with(&[
        (
            "001_a.sql",
            &stratum_tests::revision_file("001", "", &format!("{};", table("a")), "DROP TABLE a;"),
        ),
        (
            "002_b.sql",
            &stratum_tests::revision_file(
                "002",
                "001",
                &format!("SELECT pg_sleep(4);\n{};", table("b")),
                "DROP TABLE b;",
            ),
        ),
    ]);
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = rt()
        .block_on(Store::open(&data.path().join("stratum.db")))
        .unwrap_or_else(|e| panic!("{e}"));
    // The store lists a client's profiles by name: this is the batch's order.
    let dbs = [
        ("a-sqlite", ScratchDb::new(Engine::Sqlite), fast.path()),
        (
            "b-postgres-slow",
            ScratchDb::new(Engine::Postgres),
            slow.path(),
        ),
        ("c-mariadb", ScratchDb::new(Engine::MySql), fast.path()),
        ("d-sqlite", ScratchDb::new(Engine::Sqlite), fast.path()),
    ];
    for (name, db, project) in &dbs {
        rt().block_on(store.add_profile(&NewProfile {
            name: (*name).into(),
            client: "Acme".into(),
            environment: "staging".into(),
            url: db.url.clone(),
            project_dir: project.display().to_string(),
            ..Default::default()
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let dir = data.path().to_string_lossy().to_string();

    // The slow revision has started: the process dies in the middle of it.
    let said = stratum_tests::kill_stratum_at(
        &[
            "--data-dir",
            &dir,
            "upgrade",
            "head",
            "--group",
            "Acme",
            "--concurrency",
            "1",
        ],
        "b-postgres-slow: running: step 2 of 2",
    );
    assert!(
        said.iter().any(|l| l.contains("[1/4] a-sqlite: succeeded")),
        "{}",
        said.join("\n")
    );

    // The store and the CLI say what happened.
    let interrupted = rt()
        .block_on(store.interrupted_batches())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(interrupted.len(), 1, "{interrupted:?}");
    let (old, lines) = &interrupted[0];
    assert_eq!(old.finished_at, None);
    assert_eq!(
        lines
            .iter()
            .map(|l| (l.profile_name.as_str(), l.result.as_str()))
            .collect::<Vec<_>>(),
        [
            ("a-sqlite", "succeeded"),
            ("b-postgres-slow", "pending"),
            ("c-mariadb", "pending"),
            ("d-sqlite", "pending"),
        ]
    );
    let o = stratum_tests::stratum(&["--data-dir", &dir, "--json", "batches"]);
    assert!(o.status.success(), "{}", stratum_tests::text(&o));
    let listed: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listed[0]["batch"]["id"], old.id);
    assert_eq!(listed[0]["interrupted"], true);
    assert_eq!(listed[0]["pending"], 3);
    let o = stratum_tests::stratum(&["--data-dir", &dir, "batches", &old.id.to_string()]);
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        text.contains("INTERRUPTED")
            && text.contains("1 of 4 finished, 3 not run")
            && text.contains(&format!("--rest-of-batch {}", old.id))
            && text
                .lines()
                .any(|l| l.contains("a-sqlite") && l.contains("succeeded"))
            && text
                .lines()
                .any(|l| l.contains("c-mariadb") && l.contains("not run")),
        "{text}"
    );
    // Killed mid-run: the slow database's transaction was rolled back.
    assert_eq!(dbs[0].1.version_rows(), ["002"]);
    assert!(dbs[2].1.version_rows().is_empty());

    // The rest: the same operation and target, only what was left.
    let o = stratum_tests::stratum(&[
        "--data-dir",
        &dir,
        "--json",
        "upgrade",
        "head",
        "--rest-of-batch",
        &old.id.to_string(),
    ]);
    assert!(o.status.success(), "{}", stratum_tests::text(&o));
    let ran: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    let rest = ran["report"]["batch"]["id"].as_i64().unwrap_or_default();
    assert_eq!(
        ran["report"]["items"].as_array().map(Vec::len),
        Some(3),
        "{ran}"
    );
    for (name, db, _) in &dbs {
        assert_eq!(db.version_rows(), ["002"], "{name}");
    }
    let (_, lines) = rt()
        .block_on(store.batch(old.id))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.result == "skipped"
                && l.message == format!("not run here: run by batch #{rest}")),
        "{lines:?}"
    );
    assert!(rt()
        .block_on(store.interrupted_batches())
        .unwrap_or_else(|e| panic!("{e}"))
        .is_empty());
    let o = stratum_tests::stratum(&["--data-dir", &dir, "--json", "batches"]);
    let listed: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        listed
            .as_array()
            .into_iter()
            .flatten()
            .all(|b| b["interrupted"] == false),
        "{listed}"
    );
    // Not offered again.
    let o = stratum_tests::stratum(&[
        "--data-dir",
        &dir,
        "upgrade",
        "head",
        "--rest-of-batch",
        &old.id.to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stratum_tests::text(&o));
    assert!(
        stratum_tests::text(&o).contains("nothing is left to run"),
        "{}",
        stratum_tests::text(&o)
    );
}
