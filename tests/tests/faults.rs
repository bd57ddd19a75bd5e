//! Faults on the real servers, as they happen to a person applying updates: the client killed
//! at random moments, the session ended by the server, the connection cut on the way, the
//! holder of the migration lock killed. Every case ends with version rows that match the
//! schema (what a half-done revision did is in Stratum's journal), a message that names the
//! revision, and a rerun, resuming where the journal says, that reaches the target with no
//! revision applied twice.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use stratum_db::{Engine, Journal, JournalRow, VersionTable};
use stratum_graph::Direction;
use stratum_tests::{project_with, rt, server_available, stratum_bin, text, ScratchDb};

const REVISIONS: usize = 6;

/// A tally line: printed, and kept in tests/artifacts/fault-tallies.txt for the test script to
/// show (cargo test keeps a passing test's output to itself).
fn tally(line: &str) {
    println!("{line}");
    let dir = stratum_tests::repo().join("tests/artifacts");
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("fault-tallies.txt"))
    {
        let _ = writeln!(f, "{line}");
    }
}

/// One test at a time in this file: the faults reach into shared servers.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// Each revision in a transaction (where the engine has transactional DDL).
    Transactional,
    /// `-- transaction: false`: statements commit as they run.
    Outside,
}

/// Revision k creates `t_k`, puts a row in it and creates `u_k`; its downgrade drops both.
fn project(mode: Mode) -> tempfile::TempDir {
    project_inserting(mode, "INSERT INTO t_{k} (id) VALUES (1);")
}

/// [`project`] with its row put in by `insert` (`{k}` is the revision's number).
fn project_inserting(mode: Mode, insert: &str) -> tempfile::TempDir {
    let files: Vec<(String, String)> = (1..=REVISIONS)
        .map(|k| {
            let down = if k == 1 {
                String::new()
            } else {
                format!("r{:02}", k - 1)
            };
            let tx = if mode == Mode::Outside {
                "-- transaction: false\n"
            } else {
                ""
            };
            (
                format!("r{k:02}_t{k}.sql"),
                format!(
                    "-- revision: r{k:02}\n-- down_revision: {down}\n-- message: t{k}\n{tx}\n-- migrate:up\nCREATE TABLE t_{k} (id INTEGER PRIMARY KEY);\n{}\nCREATE TABLE u_{k} (id INTEGER PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE u_{k};\nDROP TABLE t_{k};\n",
                    insert.replace("{k}", &k.to_string())
                ),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_str()))
        .collect();
    project_with(&refs)
}

fn command(dir: &Path, url: &str, args: &[&str]) -> Command {
    command_with(None, dir, url, args)
}

/// A Stratum command, with the Python an Alembic project's driver runs on when it has one.
fn command_with(python: Option<&Path>, dir: &Path, url: &str, args: &[&str]) -> Command {
    let mut c = Command::new(stratum_bin());
    c.args(args)
        .args(["--project", &dir.display().to_string(), "--url", url])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(python) = python {
        c.env("STRATUM_PYTHON", python);
    }
    c
}

fn run(dir: &Path, url: &str, args: &[&str]) -> Output {
    run_with(None, dir, url, args)
}

fn run_with(python: Option<&Path>, dir: &Path, url: &str, args: &[&str]) -> Output {
    command_with(python, dir, url, args)
        .output()
        .unwrap_or_else(|e| panic!("stratum: {e}"))
}

fn journal(db: &ScratchDb) -> Option<JournalRow> {
    rt().block_on(async {
        let mut c = db.connect().await;
        let row = Journal::new(&VersionTable::default(), c.dialect())
            .read(&mut c)
            .await
            .unwrap_or_else(|e| panic!("reading the journal: {e}"));
        c.close().await;
        row
    })
}

fn head_number(rows: &[String]) -> usize {
    assert!(rows.len() <= 1, "one head at most, found {rows:?}");
    rows.first()
        .map(|r| r.trim_start_matches('r').parse().unwrap_or(0))
        .unwrap_or(0)
}

/// The other sessions on the test's database: a killed client's session may go on running
/// its last statement on the server for a moment (holding the migration lock meanwhile).
fn other_sessions(db: &ScratchDb) -> String {
    match db.engine {
        Engine::Postgres => format!(
            "SELECT pid::text FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()",
            db.name
        ),
        _ => format!(
            "SELECT CAST(id AS CHAR) FROM information_schema.processlist WHERE db = '{}' AND id <> CONNECTION_ID()",
            db.name
        ),
    }
}

/// Waits for the server to finish what the killed client had sent.
fn server_done(db: &ScratchDb) {
    if db.engine == Engine::Sqlite {
        return;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while !db.query(&other_sessions(db)).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the killed client's session never ended"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What one check found.
#[derive(Default, Debug)]
struct Seen {
    half_done: bool,
}

/// The schema is exactly what the version rows and the journal say: revisions up to the head
/// complete, the journaled one as far as its record goes (its statement in flight either
/// way), none beyond; and no row inserted twice.
fn check_consistent(db: &ScratchDb, mode: Mode, label: &str) -> Seen {
    server_done(db);
    let rows = db.version_rows();
    let h = head_number(&rows);
    let j = journal(db);
    if mode == Mode::Transactional && db.engine != Engine::MySql {
        assert!(
            j.is_none(),
            "{label}: a transactional revision left a journal: {j:?}"
        );
    }
    let tables = db.tables();
    // For each table: Some(present) when known, None when its statement was in flight.
    let mut expect: Vec<(String, Option<bool>)> = Vec::new();
    for k in 1..=REVISIONS {
        let (t, u) = match &j {
            Some(row) if row.revision == format!("r{k:02}") => match row.direction {
                Direction::Downgrade => {
                    assert_eq!(
                        k, h,
                        "{label}: downgrading r{k:02} while the head is r{h:02}"
                    );
                    let u = if row.done >= 1 { Some(false) } else { None };
                    let t = match row.done {
                        0 => Some(true),
                        1 => None,
                        _ => Some(false),
                    };
                    (t, u)
                }
                _ => {
                    assert_eq!(k, h + 1, "{label}: upgrading r{k:02} from r{h:02}");
                    let t = if row.done >= 1 { Some(true) } else { None };
                    let u = match row.done {
                        0 | 1 => Some(false),
                        2 => None,
                        _ => Some(true),
                    };
                    (t, u)
                }
            },
            _ => (Some(k <= h), Some(k <= h)),
        };
        expect.push((format!("t_{k}"), t));
        expect.push((format!("u_{k}"), u));
    }
    for (table, want) in &expect {
        let present = tables.contains(table);
        if let Some(want) = want {
            assert_eq!(
                present, *want,
                "{label}: {table} present={present}, expected {want}; rows {rows:?}, journal {j:?}, tables {tables:?}"
            );
        }
        if present && table.starts_with("t_") {
            let count = db.query(&format!("SELECT CAST(COUNT(*) AS CHAR) FROM {table}"));
            let count = if db.engine == Engine::Postgres {
                db.query(&format!("SELECT COUNT(*)::text FROM {table}"))
            } else {
                count
            };
            assert!(
                count == ["1"] || count == ["0"],
                "{label}: {table} has {count:?} rows"
            );
        }
    }
    Seen {
        half_done: j.is_some(),
    }
}

/// Brings the database to `target`, resuming the revision an interruption left half-done.
fn finish(
    python: Option<&Path>,
    dir: &Path,
    db: &ScratchDb,
    verb: &str,
    target: &str,
    label: &str,
) -> bool {
    let plain = run_with(python, dir, &db.url, &[verb, target]);
    if plain.status.success() {
        return false;
    }
    let said = text(&plain);
    assert!(
        said.contains("was interrupted") && said.contains("--resume"),
        "{label}: a plain rerun failed for another reason: {said}"
    );
    assert!(!said.contains("panicked"), "{label}: {said}");
    let resumed = run_with(python, dir, &db.url, &[verb, target, "--resume"]);
    assert!(
        resumed.status.success(),
        "{label}: resume failed: {}",
        text(&resumed)
    );
    true
}

fn finish_at(dir: &Path, db: &ScratchDb, up: bool, mode: Mode, label: &str) -> bool {
    finish_at_with(None, dir, db, up, mode, label)
}

fn finish_at_with(
    python: Option<&Path>,
    dir: &Path,
    db: &ScratchDb,
    up: bool,
    mode: Mode,
    label: &str,
) -> bool {
    let resumed = if up {
        finish(python, dir, db, "upgrade", "head", label)
    } else {
        finish(python, dir, db, "downgrade", "base", label)
    };
    let rows = db.version_rows();
    let want: Vec<String> = if up {
        vec![format!("r{REVISIONS:02}")]
    } else {
        Vec::new()
    };
    assert_eq!(rows, want, "{label}: after the rerun");
    assert!(journal(db).is_none(), "{label}: the journal is clear");
    check_consistent(db, mode, label);
    resumed
}

/// A small deterministic generator: the same trials every run, printed seeds to replay.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

fn kills() -> usize {
    std::env::var("STRATUM_FAULT_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
}

fn wait_killed(child: Child) -> Output {
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("waiting for stratum: {e}"))
}

/// Kills the client at random moments of upgrades and downgrades.
fn client_killed(engine: Engine, mode: Mode) {
    if !server_available(engine) {
        return;
    }
    let _one = serial();
    let dir = project(mode);
    let trials = KillTrials {
        python: None,
        label: format!("{engine:?}/{mode:?}"),
        kills: kills(),
        seed: 0x5eed ^ engine as u64,
    };
    trials.run(engine, mode, dir.path());
}

/// Kills of a Stratum run at random moments of upgrades and downgrades, each followed by a
/// check that the version rows match the schema and a rerun (with `--resume` when asked) that
/// reaches the target.
struct KillTrials {
    /// Set for an Alembic project: its driver runs there, and must stop with Stratum.
    python: Option<PathBuf>,
    label: String,
    kills: usize,
    seed: u64,
}

impl KillTrials {
    fn run(&self, engine: Engine, mode: Mode, dir: &Path) {
        let python = self.python.as_deref();
        let run = |args: &[&str], url: &str| run_with(python, dir, url, args);
        let label = &self.label;
        let db = ScratchDb::new(engine);
        // How long a whole run takes here, to spread the kills over it.
        let started = Instant::now();
        let first = run(&["upgrade", "head"], &db.url);
        assert!(first.status.success(), "{}", text(&first));
        let full = started.elapsed().as_millis() as u64;
        let down = run(&["downgrade", "base"], &db.url);
        assert!(down.status.success(), "{}", text(&down));
        // Python's start takes the first part of an Alembic run, before any statement: no
        // kill lands there.
        let start_up = if python.is_some() {
            let started = Instant::now();
            let noop = run(&["upgrade", "base"], &db.url);
            assert!(noop.status.success(), "{}", text(&noop));
            (started.elapsed().as_millis() as u64).min(full / 2)
        } else {
            0
        };
        let mut rng = Lcg(self.seed);
        let (mut half_done, mut resumed, mut finished_first) = (0, 0, 0);
        for trial in 0..self.kills {
            let up = trial % 2 == 0;
            let (verb, target) = if up {
                ("upgrade", "head")
            } else {
                ("downgrade", "base")
            };
            let delay = start_up + rng.below((full - start_up) * 9 / 10);
            let mut child = command_with(python, dir, &db.url, &[verb, target])
                .spawn()
                .unwrap_or_else(|e| panic!("stratum: {e}"));
            std::thread::sleep(Duration::from_millis(delay));
            let was_running = child.try_wait().ok().flatten().is_none();
            let drivers = children(child.id());
            let _ = child.kill();
            let out = wait_killed(child);
            // An Alembic driver notices Stratum is gone and stops.
            for pid in drivers {
                wait_gone(pid);
            }
            if !was_running {
                finished_first += 1;
                assert!(
                    out.status.success(),
                    "{label} trial {trial}: {}",
                    text(&out)
                );
            }
            let t = format!("{label} trial {trial} ({verb} killed after {delay} ms)");
            if check_consistent(&db, mode, &t).half_done {
                half_done += 1;
            }
            if finish_at_with(python, dir, &db, up, mode, &t) {
                resumed += 1;
            }
        }
        tally(&format!(
            "faults: client killed, {label}: {} kills ({finished_first} after the run had finished), {half_done} left a revision half-done and journaled, {resumed} finished with --resume; version rows matched the schema every time",
            self.kills
        ));
    }
}

#[test]
fn postgres_client_killed_in_transactions() {
    client_killed(Engine::Postgres, Mode::Transactional);
}

#[test]
fn postgres_client_killed_outside_transactions() {
    client_killed(Engine::Postgres, Mode::Outside);
}

#[test]
fn mariadb_client_killed() {
    client_killed(Engine::MySql, Mode::Transactional);
}

#[test]
fn sqlite_client_killed_in_transactions() {
    client_killed(Engine::Sqlite, Mode::Transactional);
}

#[test]
fn sqlite_client_killed_outside_transactions() {
    client_killed(Engine::Sqlite, Mode::Outside);
}

/// Ends the migrating session from the server side (`pg_terminate_backend`, `KILL
/// CONNECTION`) at random moments.
fn session_ended(engine: Engine, mode: Mode, trials: usize) {
    if !server_available(engine) {
        return;
    }
    let _one = serial();
    let db = ScratchDb::new(engine);
    // Each revision's row takes a moment, so the session is ended while the run is under way
    // rather than before it connects or after it is done.
    let dir = project_inserting(
        mode,
        match engine {
            Engine::Postgres => "INSERT INTO t_{k} (id) SELECT 1 FROM pg_sleep(0.06);",
            _ => "INSERT INTO t_{k} (id) SELECT 1 FROM (SELECT SLEEP(0.06)) AS pause;",
        },
    );
    let label = format!("{engine:?}/{mode:?} session ended");
    let find = match engine {
        Engine::Postgres => format!(
            "SELECT pid::text FROM pg_stat_activity WHERE datname = '{}' AND application_name LIKE 'stratum%' AND pid <> pg_backend_pid()",
            db.name
        ),
        _ => format!(
            "SELECT CAST(id AS CHAR) FROM information_schema.processlist WHERE db = '{}' AND id <> CONNECTION_ID()",
            db.name
        ),
    };
    let mut rng = Lcg(0xdead ^ engine as u64);
    let (mut ended, mut messages) = (0, 0);
    // Upgrades, whose rows take a moment (a downgrade's two drops are over at once); the
    // killed clients above cover downgrades.
    for trial in 0..trials {
        let child = command(dir.path(), &db.url, &["upgrade", "head"])
            .spawn()
            .unwrap_or_else(|e| panic!("stratum: {e}"));
        std::thread::sleep(Duration::from_millis(150 + rng.below(300)));
        for id in db.query(&find) {
            let kill = match engine {
                Engine::Postgres => format!("SELECT pg_terminate_backend({id})::text"),
                _ => format!("KILL CONNECTION {id}"),
            };
            // The session may have ended on its own since it was found (the run finished, or
            // closed a connection it no longer needed): then there was nothing to end.
            let killed = if engine == Engine::Postgres {
                db.query(&kill) == ["true"]
            } else {
                rt().block_on(async {
                    let mut c = db.connect().await;
                    let done = c.execute(&kill).await.is_ok();
                    c.close().await;
                    done
                })
            };
            if killed {
                ended += 1;
            }
        }
        let out = wait_killed(child);
        let t = format!("{label} trial {trial}");
        if !out.status.success() {
            let said = text(&out);
            assert!(!said.contains("panicked"), "{t}: {said}");
            assert!(
                said.contains("revision r") || said.contains("connect"),
                "{t}: the message names neither the revision nor the connection: {said}"
            );
            messages += 1;
        }
        check_consistent(&db, mode, &t);
        finish_at(dir.path(), &db, true, mode, &t);
        let down = run(dir.path(), &db.url, &["downgrade", "base"]);
        assert!(down.status.success(), "{t}: {}", text(&down));
    }
    assert!(
        ended * 2 >= trials,
        "{label}: only {ended} of {trials} runs had a session to end"
    );
    tally(&format!("faults: {label}: {trials} runs, {ended} sessions ended by the server, {messages} clear failures, every rerun reached its target"));
}

#[test]
fn postgres_sessions_ended_by_the_server() {
    session_ended(Engine::Postgres, Mode::Transactional, 10);
    session_ended(Engine::Postgres, Mode::Outside, 10);
}

#[test]
fn mariadb_connections_killed_by_the_server() {
    session_ended(Engine::MySql, Mode::Transactional, 10);
}

/// A TCP proxy that can cut every connection through it at once, as a network would.
struct Proxy {
    port: u16,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let keep = open.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                let pipe = |mut from: TcpStream, mut to: TcpStream| {
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 16384];
                        while let Ok(n) = from.read(&mut buf) {
                            if n == 0 || to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = to.shutdown(Shutdown::Both);
                    });
                };
                if let (Ok(c2), Ok(s2), Ok(c3), Ok(s3)) = (
                    client.try_clone(),
                    server.try_clone(),
                    client.try_clone(),
                    server.try_clone(),
                ) {
                    if let Ok(mut open) = keep.lock() {
                        open.push(c3);
                        open.push(s3);
                    }
                    pipe(client, s2);
                    pipe(server, c2);
                }
            }
        });
        Proxy { port, open }
    }

    fn cut(&self) -> usize {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.len() / 2;
        for s in open.drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
        n
    }
}

fn connection_cut(engine: Engine, mode: Mode, trials: usize) {
    if !server_available(engine) {
        return;
    }
    let _one = serial();
    let db = ScratchDb::new(engine);
    let dir = project(mode);
    let (upstream, scheme) = match engine {
        Engine::Postgres => (5432, "postgresql://postgres@127.0.0.1"),
        _ => (3306, "mysql://root@127.0.0.1"),
    };
    let proxy = Proxy::start(upstream);
    let via = format!("{scheme}:{}/{}", proxy.port, db.name);
    let label = format!("{engine:?}/{mode:?} connection cut");
    let mut rng = Lcg(0xc0ffee ^ engine as u64);
    let (mut cut, mut messages) = (0, 0);
    for trial in 0..trials {
        let up = trial % 2 == 0;
        let (verb, target) = if up {
            ("upgrade", "head")
        } else {
            ("downgrade", "base")
        };
        let child = command(dir.path(), &via, &[verb, target])
            .spawn()
            .unwrap_or_else(|e| panic!("stratum: {e}"));
        std::thread::sleep(Duration::from_millis(30 + rng.below(200)));
        cut += proxy.cut();
        let out = wait_killed(child);
        let t = format!("{label} trial {trial}");
        if !out.status.success() {
            let said = text(&out);
            assert!(!said.contains("panicked"), "{t}: {said}");
            messages += 1;
        }
        check_consistent(&db, mode, &t);
        finish_at(dir.path(), &db, up, mode, &t);
    }
    tally(&format!("faults: {label}: {trials} runs, {cut} connections cut, {messages} clear failures, every rerun reached its target"));
}

#[test]
fn postgres_connection_cut_on_the_way() {
    connection_cut(Engine::Postgres, Mode::Outside, 10);
}

#[test]
fn mariadb_connection_cut_on_the_way() {
    connection_cut(Engine::MySql, Mode::Transactional, 10);
}

/// A revision that holds the lock for a long time.
fn slow_project(engine: Engine) -> tempfile::TempDir {
    let slow = match engine {
        Engine::Postgres => "SELECT pg_sleep(6);",
        Engine::MySql => "SELECT SLEEP(6);",
        Engine::Sqlite => "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000000) SELECT COUNT(*) FROM c;",
    };
    project_with(&[(
        "r01_slow.sql",
        &format!("-- revision: r01\n-- down_revision: \n-- message: slow\n\n-- migrate:up\nCREATE TABLE s_1 (id INTEGER PRIMARY KEY);\n{slow}\n\n-- migrate:down\nDROP TABLE s_1;\n"),
    )])
}

/// The run holding the migration lock is killed: the waiting run says who held it, then
/// proceeds.
fn lock_holder_killed(engine: Engine) {
    if !server_available(engine) {
        return;
    }
    let _one = serial();
    let db = ScratchDb::new(engine);
    let dir = slow_project(engine);
    let mut holder = command(dir.path(), &db.url, &["upgrade", "head"])
        .spawn()
        .unwrap_or_else(|e| panic!("stratum: {e}"));
    std::thread::sleep(Duration::from_millis(1500));
    let mut waiter = command(
        dir.path(),
        &db.url,
        &["upgrade", "head", "--resume", "--lock-wait", "120"],
    )
    .spawn()
    .unwrap_or_else(|e| panic!("stratum: {e}"));
    let stderr = waiter.stderr.take().unwrap_or_else(|| panic!("no stderr"));
    let mut lines = BufReader::new(stderr).lines();
    let mut said = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        said.push_str(&line);
        said.push('\n');
        if line.contains("Waiting for the migration lock") {
            break;
        }
    }
    assert!(
        said.contains("Waiting for the migration lock, held by"),
        "{engine:?}: the waiting run says who holds the lock: {said}"
    );
    let named = match engine {
        Engine::MySql => said.contains("root@") && said.contains("for stratum "),
        _ => said.contains("stratum ") && said.contains(" locked "),
    };
    assert!(
        named,
        "{engine:?}: the holder is named with since when: {said}"
    );
    let _ = holder.kill();
    let _ = holder.wait();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = waiter.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        status.success(),
        "{engine:?}: the waiting run proceeds once the holder is gone: {said}{}",
        rest.join("\n")
    );
    assert_eq!(db.version_rows(), ["r01"], "{engine:?}");
    tally(&format!("faults: lock holder killed, {engine:?}: the waiting run named it ({}) and then reached head", said.lines().find(|l| l.contains("held by")).unwrap_or("").trim()));
}

#[test]
fn a_killed_lock_holder_frees_the_lock_for_the_next_run() {
    for engine in [Engine::Postgres, Engine::MySql, Engine::Sqlite] {
        lock_holder_killed(engine);
    }
}

#[test]
fn an_interrupted_revision_is_told_in_words_and_resumed() {
    if !server_available(Engine::MySql) {
        return;
    }
    let _one = serial();
    let db = ScratchDb::new(Engine::MySql);
    let dir = project(Mode::Transactional);
    let ok = run(dir.path(), &db.url, &["upgrade", "r02"]);
    assert!(ok.status.success(), "{}", text(&ok));
    // As a run cut off after r03's first statement leaves it.
    db.execute("CREATE TABLE t_3 (id INTEGER PRIMARY KEY)");
    db.execute(&format!(
        "INSERT INTO stratum_journal (version_table, revision, direction, statements, done, digests, started_by, started_at, in_flight) VALUES ('alembic_version', 'r03', 'upgrade', 3, 1, '{}', 'stratum 0.2.0 ana@desk', '2026-12-03 02:00:00 UTC', '')",
        project_digests(dir.path(), "r03")
    ));
    let status = run(dir.path(), &db.url, &["current"]);
    let said = text(&status);
    assert!(
        said.contains("revision r03 was interrupted while upgrading"),
        "{said}"
    );
    assert!(said.contains("statement 1 of 3 ran"), "{said}");
    assert!(said.contains("statements 2–3 did not run"), "{said}");
    assert!(said.contains("stratum upgrade head --resume"), "{said}");
    let plain = run(dir.path(), &db.url, &["upgrade", "head"]);
    assert!(!plain.status.success());
    assert!(
        text(&plain).contains("revision r03 was interrupted"),
        "{}",
        text(&plain)
    );
    assert_eq!(
        db.version_rows(),
        ["r02"],
        "nothing ran over the half-done revision"
    );
    let wrong_way = run(dir.path(), &db.url, &["downgrade", "base", "--resume"]);
    assert!(
        text(&wrong_way)
            .contains("revision r03 was interrupted in an upgrade: resume it with an upgrade"),
        "{}",
        text(&wrong_way)
    );
    let resumed = run(dir.path(), &db.url, &["upgrade", "head", "--resume"]);
    assert!(resumed.status.success(), "{}", text(&resumed));
    assert_eq!(db.version_rows(), [format!("r{REVISIONS:02}")]);
    assert!(journal(&db).is_none());
    check_consistent(&db, Mode::Transactional, "resumed");
}

fn project_digests(dir: &Path, revision: &str) -> String {
    let project = stratum_project::Project::open(dir).unwrap_or_else(|e| panic!("{e}"));
    let file = project
        .file(revision)
        .unwrap_or_else(|| panic!("no {revision}"));
    let statements = file
        .statements(true, stratum_project::Dialect::MySql)
        .unwrap_or_else(|e| panic!("{e}"));
    statements
        .iter()
        .map(|s| stratum_db::journal_digest(&s.sql))
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn a_statement_the_catalog_cannot_settle_is_asked_about() {
    if !server_available(Engine::MySql) {
        return;
    }
    let _one = serial();
    let db = ScratchDb::new(Engine::MySql);
    let dir = project_with(&[(
        "r01_grant.sql",
        "-- revision: r01\n-- down_revision: \n-- message: grant\n\n-- migrate:up\nCREATE TABLE g_1 (id INTEGER PRIMARY KEY);\nANALYZE TABLE g_1;\nCREATE TABLE g_2 (id INTEGER PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE g_2;\nDROP TABLE g_1;\n",
    )]);
    db.execute("CREATE TABLE g_1 (id INTEGER PRIMARY KEY)");
    db.execute(
        "CREATE TABLE IF NOT EXISTS stratum_journal (version_table VARCHAR(255) NOT NULL PRIMARY KEY, revision VARCHAR(255) NOT NULL, direction VARCHAR(16) NOT NULL, statements INTEGER NOT NULL, done INTEGER NOT NULL, digests TEXT NOT NULL, started_by VARCHAR(255) NOT NULL, started_at VARCHAR(64) NOT NULL, in_flight TEXT NOT NULL)");
    db.execute(&format!(
        "INSERT INTO stratum_journal VALUES ('alembic_version', 'r01', 'upgrade', 3, 1, '{}', 'x', 'y', '')",
        project_digests(dir.path(), "r01")
    ));
    let asked = run(dir.path(), &db.url, &["upgrade", "head", "--resume"]);
    let said = text(&asked);
    assert!(!asked.status.success(), "{said}");
    assert!(
        said.contains("statement 2 (line 7), ANALYZE TABLE g_1, may or may not have run"),
        "{said}"
    );
    assert!(
        said.contains("--statement-ran or --statement-not-ran"),
        "{said}"
    );
    let answered = run(
        dir.path(),
        &db.url,
        &["upgrade", "head", "--resume", "--statement-not-ran"],
    );
    assert!(answered.status.success(), "{}", text(&answered));
    assert_eq!(db.version_rows(), ["r01"]);
    assert_eq!(db.tables(), ["g_1", "g_2"]);
}

/// PostgreSQL restarted in the middle of a run (a failover, an upgrade of the server): the run
/// fails with a message, nothing is half-recorded, and once the server is back a rerun finishes.
#[test]
fn postgres_restarted_mid_run() {
    if !server_available(Engine::Postgres) {
        return;
    }
    let Some(cluster) = std::fs::read_dir("/etc/postgresql")
        .ok()
        .and_then(|mut d| d.next())
        .and_then(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
    else {
        assert!(
            std::env::var("CI").is_err(),
            "CI: pg_ctlcluster's clusters are missing"
        );
        eprintln!("SKIPPED: no Debian PostgreSQL cluster to restart");
        return;
    };
    let _one = serial();
    let db = ScratchDb::new(Engine::Postgres);
    let dir = project_inserting(
        Mode::Outside,
        "INSERT INTO t_{k} (id) SELECT 1 FROM pg_sleep(0.3);",
    );
    let mut messages = Vec::new();
    for trial in 0..3u64 {
        let up = trial % 2 == 0;
        let (verb, target) = if up {
            ("upgrade", "head")
        } else {
            ("downgrade", "base")
        };
        let child = command(dir.path(), &db.url, &[verb, target])
            .spawn()
            .unwrap_or_else(|e| panic!("stratum: {e}"));
        std::thread::sleep(Duration::from_millis(500 + 250 * trial));
        let restart = Command::new("pg_ctlcluster")
            .args([
                "--skip-systemctl-redirect",
                &cluster,
                "main",
                "restart",
                "-m",
                "fast",
            ])
            .output()
            .unwrap_or_else(|e| panic!("pg_ctlcluster: {e}"));
        assert!(restart.status.success(), "restart: {}", text(&restart));
        let out = wait_killed(child);
        let said = text(&out);
        assert!(!said.contains("panicked"), "{said}");
        if !out.status.success() {
            messages.push(said.lines().last().unwrap_or("").to_string());
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while !server_available(Engine::Postgres) {
            assert!(Instant::now() < deadline, "PostgreSQL did not come back");
            std::thread::sleep(Duration::from_millis(200));
        }
        let t = format!("restart trial {trial}");
        check_consistent(&db, Mode::Outside, &t);
        finish_at(dir.path(), &db, up, Mode::Outside, &t);
    }
    assert!(!messages.is_empty(), "a restart mid-run fails the run");
    tally(&format!("faults: PostgreSQL restarted mid-run 3 times; the runs said: {messages:?}; every rerun reached its target"));
}

/// A small filesystem of its own, mounted for the test and unmounted after.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn mount(megabytes: u32) -> Option<SmallDisk> {
        let dir = std::env::temp_dir().join(format!("stratum-full-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let ok = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={megabytes}m,mode=0777"),
                "tmpfs",
            ])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk(dir))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

fn full_disk_project(engine: Engine) -> tempfile::TempDir {
    let (table, fill) = match engine {
        Engine::Postgres => (
            "CREATE TABLE big (id INTEGER PRIMARY KEY, pad TEXT) TABLESPACE stratum_full;",
            "INSERT INTO big SELECT g, md5(g::text) || repeat('x', 900) FROM generate_series(1, 200000) g;",
        ),
        _ => (
            "CREATE TABLE big (id INTEGER PRIMARY KEY, pad TEXT);",
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 200000) INSERT INTO big SELECT n, hex(randomblob(500)) FROM g;",
        ),
    };
    project_with(&[
        (
            "r01_big.sql",
            &format!("-- revision: r01\n-- down_revision: \n-- message: big\n\n-- migrate:up\n{table}\n\n-- migrate:down\nDROP TABLE big;\n"),
        ),
        (
            "r02_fill.sql",
            &format!("-- revision: r02\n-- down_revision: r01\n-- message: fill\n\n-- migrate:up\n{fill}\n\n-- migrate:down\nDELETE FROM big;\n"),
        ),
    ])
}

/// Statements run when the test ends, passing or failing (a tablespace outlives its database).
struct DropAfter<'a>(&'a ScratchDb, &'a [&'a str]);

impl Drop for DropAfter<'_> {
    fn drop(&mut self) {
        let (db, statements) = (self.0, self.1);
        rt().block_on(async {
            let Ok(mut c) =
                stratum_db::Connection::connect(&db.parsed(), Duration::from_secs(10)).await
            else {
                return;
            };
            for sql in statements {
                let _ = c.execute(sql).await;
            }
            c.close().await;
        });
    }
}

/// The database's disk fills in the middle of a revision: the run says so, naming the
/// revision, and the database stays where it was.
#[test]
fn a_full_disk_on_the_database_side_stops_the_run_cleanly() {
    let _one = serial();
    let Some(disk) = SmallDisk::mount(8) else {
        assert!(
            std::env::var("CI").is_err(),
            "CI: a small tmpfs could not be mounted"
        );
        eprintln!("SKIPPED: mounting a small tmpfs needs root");
        return;
    };
    // SQLite: the database file itself on the small disk.
    let sqlite_url = format!("sqlite:///{}/full.db", disk.0.display());
    let dir = full_disk_project(Engine::Sqlite);
    let out = run(dir.path(), &sqlite_url, &["upgrade", "head"]);
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("revision r02 failed") && said.contains("full"),
        "{said}"
    );
    let rows = run(dir.path(), &sqlite_url, &["current"]);
    assert!(
        text(&rows).contains("the database is at base"),
        "the run's one transaction was rolled back: {}",
        text(&rows)
    );
    tally(&format!(
        "faults: full disk, SQLite: {}",
        said.lines().last().unwrap_or("")
    ));
    if !server_available(Engine::Postgres) {
        return;
    }
    // PostgreSQL: a tablespace on the small disk.
    let _ = Command::new("chown")
        .args(["postgres:postgres"])
        .arg(&disk.0)
        .status();
    let db = ScratchDb::new(Engine::Postgres);
    db.execute(&format!(
        "CREATE TABLESPACE stratum_full LOCATION '{}'",
        disk.0.display()
    ));
    let dir = full_disk_project(Engine::Postgres);
    let out = run(dir.path(), &db.url, &["upgrade", "head"]);
    let said = text(&out);
    let _cleanup = DropAfter(
        &db,
        &["DROP TABLE IF EXISTS big", "DROP TABLESPACE stratum_full"],
    );
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("revision r02 failed") && said.contains("No space left on device"),
        "{said}"
    );
    assert!(said.contains("rolled back"), "{said}");
    assert!(
        db.version_rows().is_empty(),
        "the one transaction was rolled back"
    );
    tally(&format!(
        "faults: full disk, PostgreSQL: {}",
        said.lines().last().unwrap_or("")
    ));
}

/// `CREATE INDEX CONCURRENTLY` cut off on PostgreSQL leaves an INVALID index behind: the next
/// run finds it through the journal and the catalog, and resuming drops it and builds it again.
#[test]
fn an_index_left_invalid_by_an_interrupted_concurrently_is_rebuilt_on_resume() {
    if !server_available(Engine::Postgres) {
        return;
    }
    let _one = serial();
    let db = ScratchDb::new(Engine::Postgres);
    let dir = project_with(&[
        (
            "r01_big.sql",
            "-- revision: r01\n-- down_revision: \n-- message: big\n\n-- migrate:up\nCREATE TABLE big (id INTEGER PRIMARY KEY, a TEXT);\nINSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 1500000) g;\n\n-- migrate:down\nDROP TABLE big;\n",
        ),
        (
            "r02_index.sql",
            "-- revision: r02\n-- down_revision: r01\n-- message: index\n-- transaction: false\n\n-- migrate:up\nCREATE INDEX CONCURRENTLY ix_big_a ON big (a);\n\n-- migrate:down\nDROP INDEX CONCURRENTLY ix_big_a;\n",
        ),
    ]);
    let first = run(dir.path(), &db.url, &["upgrade", "r01"]);
    assert!(first.status.success(), "{}", text(&first));
    let child = command(dir.path(), &db.url, &["upgrade", "head"])
        .spawn()
        .unwrap_or_else(|e| panic!("stratum: {e}"));
    let building = format!(
        "SELECT pid::text FROM pg_stat_activity WHERE datname = '{}' AND state = 'active' AND query ILIKE 'CREATE INDEX CONCURRENTLY%'",
        db.name
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let pid = loop {
        if let Some(pid) = db.query(&building).into_iter().next() {
            break pid;
        }
        assert!(Instant::now() < deadline, "the index build never started");
        std::thread::sleep(Duration::from_millis(10));
    };
    db.query(&format!("SELECT pg_terminate_backend({pid})::text"));
    let out = wait_killed(child);
    assert!(
        !out.status.success(),
        "the build was cut off: {}",
        text(&out)
    );
    server_done(&db);
    let valid = "SELECT i.indisvalid::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'ix_big_a'";
    assert_eq!(
        db.query(valid),
        ["false"],
        "an INVALID index is left behind"
    );
    let status = run(dir.path(), &db.url, &["current"]);
    let said = text(&status);
    assert!(
        said.contains("left the index ix_big_a INVALID: resuming drops it and builds it again"),
        "{said}"
    );
    let plain = run(dir.path(), &db.url, &["upgrade", "head"]);
    assert!(
        text(&plain).contains("revision r02 was interrupted"),
        "{}",
        text(&plain)
    );
    let resumed = run(dir.path(), &db.url, &["upgrade", "head", "--resume"]);
    assert!(resumed.status.success(), "{}", text(&resumed));
    assert_eq!(db.query(valid), ["true"], "rebuilt, and valid");
    assert_eq!(db.version_rows(), ["r02"]);
    assert!(journal(&db).is_none());
    tally("faults: CREATE INDEX CONCURRENTLY cut off on PostgreSQL: the INVALID index was found, named, dropped and rebuilt on resume");
}

/// [`project`]'s six revisions as an Alembic project, run by its own Alembic: each revision
/// creates `t_k`, puts a row in it and creates `u_k`, with a read that takes a moment between
/// them (reads are not journaled, so the journal counts the same three statements), to spread
/// the kills over the statements rather than over Python's start.
fn alembic_project(engine: Engine) -> tempfile::TempDir {
    let pause = match engine {
        Engine::MySql => "SELECT SLEEP(0.03)",
        Engine::Postgres => "SELECT pg_sleep(0.03)",
        Engine::Sqlite => {
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT count(*) FROM c"
        }
    };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let write = |name: &str, body: &str| {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(path, body).unwrap_or_else(|e| panic!("{e}"));
    };
    write(
        "alembic.ini",
        "[alembic]\nscript_location = %(here)s/migrations\n",
    );
    write(
        "migrations/env.py",
        "from alembic import context\nfrom sqlalchemy import engine_from_config, pool\n\nconfig = context.config\nengine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix=\"sqlalchemy.\", poolclass=pool.NullPool)\nwith engine.connect() as connection:\n    context.configure(connection=connection)\n    with context.begin_transaction():\n        context.run_migrations()\n",
    );
    for k in 1..=REVISIONS {
        let down = if k == 1 {
            "None".to_string()
        } else {
            format!("\"r{:02}\"", k - 1)
        };
        write(
            &format!("migrations/versions/r{k:02}_t{k}.py"),
            &format!(
                "\"\"\"t{k}\n\"\"\"\nimport sqlalchemy as sa\nfrom alembic import op\n\nrevision = \"r{k:02}\"\ndown_revision = {down}\n\n\ndef upgrade():\n    op.create_table(\"t_{k}\", sa.Column(\"id\", sa.Integer, primary_key=True))\n    op.execute(\"{pause}\")\n    op.execute(\"INSERT INTO t_{k} (id) VALUES (1)\")\n    op.execute(\"{pause}\")\n    op.create_table(\"u_{k}\", sa.Column(\"id\", sa.Integer, primary_key=True))\n\n\ndef downgrade():\n    op.drop_table(\"u_{k}\")\n    op.execute(\"{pause}\")\n    op.drop_table(\"t_{k}\")\n"
            ),
        );
    }
    dir
}

/// Each trial starts Python twice or three times: fewer than Stratum's own runner gets, most
/// where a revision's DDL commits as it runs.
fn alembic_kills(engine: Engine) -> usize {
    std::env::var("STRATUM_FAULT_ALEMBIC_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if engine == Engine::MySql { 20 } else { 10 })
}

/// The processes `pid` started (the Alembic driver, for a Stratum run).
fn children(pid: u32) -> Vec<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

fn wait_gone(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // Gone, or a zombie nobody has reaped yet: either way it runs nothing more.
        let state = stat.rsplit_once(") ").map(|(_, rest)| rest.chars().next());
        if stat.is_empty() || state == Some(Some('Z')) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the Alembic driver {pid} went on after Stratum was killed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Kills Stratum at random moments while an Alembic project's own Alembic runs: the driver
/// stops with it, the journal (written by the driver on the revision's own connection) says
/// how far the revision got, and `--resume` has Alembic run it again with the statements that
/// ran skipped.
fn client_killed_under_alembic(engine: Engine, mode: Mode) {
    let Some(python) = stratum_tests::oracle::python() else {
        return;
    };
    if !server_available(engine) {
        return;
    }
    let _one = serial();
    let dir = alembic_project(engine);
    let trials = KillTrials {
        python: Some(python),
        label: format!("Alembic on {engine:?}"),
        kills: alembic_kills(engine),
        seed: 0xa1e ^ engine as u64,
    };
    trials.run(engine, mode, dir.path());
}

#[test]
fn mariadb_client_killed_under_alembic() {
    client_killed_under_alembic(Engine::MySql, Mode::Outside);
}

#[test]
fn postgres_client_killed_under_alembic() {
    client_killed_under_alembic(Engine::Postgres, Mode::Transactional);
}

#[test]
fn sqlite_client_killed_under_alembic() {
    client_killed_under_alembic(Engine::Sqlite, Mode::Outside);
}

/// MariaDB crashed (SIGKILL, as in a power cut) or shut down mid-run, on a server of the
/// test's own: the run says it lost the server, and once the server is back the journal (which
/// InnoDB recovered with everything else) says how far the revision got and a rerun finishes.
#[test]
fn mariadb_restarted_mid_run() {
    let _one = serial();
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(mut server) = stratum_tests::own_mariadb::OwnMariaDb::start(data.path()) else {
        return;
    };
    let db = server.scratch();
    let dir = project_inserting(
        Mode::Outside,
        "INSERT INTO t_{k} (id) SELECT 1 FROM (SELECT SLEEP(0.3)) AS pause;",
    );
    let mut messages = Vec::new();
    let mut half_done = 0;
    // Upgrades, whose revisions take a moment each (the downgrades are over at once).
    for trial in 0..4u64 {
        let child = command(dir.path(), &db.url, &["upgrade", "head"])
            .spawn()
            .unwrap_or_else(|e| panic!("stratum: {e}"));
        std::thread::sleep(Duration::from_millis(400 + 300 * trial));
        if trial % 2 == 0 {
            server.crash();
        } else {
            server.shut_down();
        }
        let out = wait_killed(child);
        let said = text(&out);
        assert!(!said.contains("panicked"), "{said}");
        assert!(!out.status.success(), "the run outlived its server: {said}");
        messages.push(said.lines().last().unwrap_or("").to_string());
        server.start_again();
        let t = format!("MariaDB restart trial {trial}");
        if check_consistent(&db, Mode::Outside, &t).half_done {
            half_done += 1;
        }
        finish_at(dir.path(), &db, true, Mode::Outside, &t);
        let down = run(dir.path(), &db.url, &["downgrade", "base"]);
        assert!(down.status.success(), "{t}: {}", text(&down));
    }
    tally(&format!("faults: MariaDB crashed twice and shut down twice mid-run ({half_done} left a revision journaled); the runs said: {messages:?}; every rerun reached its target"));
}

/// MariaDB's data folder on a small disk that a revision fills: the run stops with the
/// server's words, naming the revision, and the revisions before it stay applied and recorded.
#[test]
fn a_full_disk_under_mariadb_stops_the_run_cleanly() {
    let _one = serial();
    let Some(disk) = SmallDisk::mount(48) else {
        assert!(
            std::env::var("CI").is_err(),
            "CI: a small tmpfs could not be mounted"
        );
        eprintln!("SKIPPED: mounting a small tmpfs needs root");
        return;
    };
    let Some(server) = stratum_tests::own_mariadb::OwnMariaDb::start(&disk.0.join("data")) else {
        return;
    };
    let db = server.scratch();
    let dir = project_with(&[
        (
            "r01_big.sql",
            "-- revision: r01\n-- down_revision: \n-- message: big\n\n-- migrate:up\nCREATE TABLE big (id INTEGER PRIMARY KEY, pad TEXT);\n\n-- migrate:down\nDROP TABLE big;\n",
        ),
        (
            "r02_fill.sql",
            "-- revision: r02\n-- down_revision: r01\n-- message: fill\n\n-- migrate:up\nINSERT INTO big SELECT seq, REPEAT('x', 2000) FROM seq_1_to_100000;\n\n-- migrate:down\nDELETE FROM big;\n",
        ),
    ]);
    let out = run(dir.path(), &db.url, &["upgrade", "head"]);
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("revision r02 failed") && said.contains("is full"),
        "{said}\n{}",
        server.log()
    );
    assert_eq!(db.version_rows(), ["r01"], "r01 stays applied and recorded");
    assert_eq!(db.query("SELECT CAST(COUNT(*) AS CHAR) FROM big"), ["0"]);
    let again = run(dir.path(), &db.url, &["current"]);
    assert!(
        again.status.success() && !text(&again).contains("interrupted"),
        "the failed row change left nothing to resume: {}",
        text(&again)
    );
    drop(server);
    tally(&format!(
        "faults: full disk, MariaDB: {}",
        said.lines().last().unwrap_or("")
    ));
}
