//! Shared helpers for Stratum's cross-crate tests: scratch databases on the real servers of
//! the machine, the `stratum` binary, and schema snapshots to prove "unchanged".

pub mod oracle;
pub mod own_mariadb;
pub mod window;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use stratum_db::{Connection, DatabaseUrl, Engine};

pub const PG_ADMIN: &str = "postgresql://postgres@127.0.0.1:5432/postgres";
pub const MY_ADMIN: &str = "mysql://root@127.0.0.1:3306/";

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

pub fn sample_project() -> PathBuf {
    repo().join("examples/kontali-erp")
}

/// A binary of the workspace, built next to this test (wherever CARGO_TARGET_DIR puts it).
pub fn built_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// The `stratum` binary built next to this test.
pub fn stratum_bin() -> PathBuf {
    built_binary("stratum")
}

/// Runs `stratum ARGS...`, returning its output.
pub fn stratum(args: &[&str]) -> Output {
    let bin = stratum_bin();
    assert!(
        bin.exists(),
        "{} is missing: run the tests with `cargo test --workspace`",
        bin.display()
    );
    Command::new(bin)
        .args(args)
        .env_remove("STRATUM_DATABASE_URL")
        .env_remove("STRATUM_PROJECT")
        .output()
        .unwrap_or_else(|e| panic!("cannot run stratum: {e}"))
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"))
}

fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        nanos % 100_000
    )
}

/// Whether a server is up; in CI a missing server fails the test instead of skipping it.
pub fn server_available(engine: Engine) -> bool {
    let admin = match engine {
        Engine::Postgres => PG_ADMIN,
        Engine::MySql => MY_ADMIN,
        Engine::Sqlite => return true,
    };
    let up = rt().block_on(async {
        let url = DatabaseUrl::parse(admin).ok()?;
        Connection::connect(&url, Duration::from_secs(5))
            .await
            .ok()
            .map(drop)
    });
    if up.is_some() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{engine:?} is not reachable at {admin}; CI must start it (see .ci/run)");
    }
    eprintln!("SKIPPED: {engine:?} is not reachable at {admin}; start it to run this test");
    false
}

/// A database that exists for one test and is dropped afterwards.
pub struct ScratchDb {
    pub engine: Engine,
    pub name: String,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// On a server of the test's own, which takes its databases with it.
    own_server: bool,
}

impl ScratchDb {
    pub fn new(engine: Engine) -> ScratchDb {
        let name = unique("stratum_t");
        match engine {
            Engine::Postgres => {
                admin(PG_ADMIN, &format!("CREATE DATABASE \"{name}\""));
                ScratchDb {
                    engine,
                    url: format!("postgresql://postgres@127.0.0.1:5432/{name}"),
                    name,
                    _dir: None,
                    own_server: false,
                }
            }
            Engine::MySql => {
                admin(MY_ADMIN, &format!("CREATE DATABASE `{name}`"));
                ScratchDb {
                    engine,
                    url: format!("mysql://root@127.0.0.1:3306/{name}"),
                    name,
                    _dir: None,
                    own_server: false,
                }
            }
            Engine::Sqlite => {
                let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
                let path = dir.path().join(format!("{name}.db"));
                ScratchDb {
                    engine,
                    url: format!("sqlite:///{}", path.display()),
                    name,
                    _dir: Some(dir),
                    own_server: false,
                }
            }
        }
    }

    /// A database on a server of the test's own ([`own_mariadb::OwnMariaDb`]).
    pub fn on_own_server(url: String, name: String) -> ScratchDb {
        ScratchDb {
            engine: Engine::MySql,
            name,
            url,
            _dir: None,
            own_server: true,
        }
    }

    /// Brings the database to `target` of the sample project, through Stratum's own runner.
    pub fn upgrade_sample(&self, target: &str) {
        let project =
            stratum_project::Project::open(&sample_project()).unwrap_or_else(|e| panic!("{e}"));
        rt().block_on(async {
            let mut conn = self.connect().await;
            stratum_db::run(
                &mut conn,
                &project,
                &stratum_db::Operation::Upgrade(target.into()),
                &stratum_db::RunOptions::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            conn.close().await;
        });
    }

    pub fn parsed(&self) -> DatabaseUrl {
        DatabaseUrl::parse(&self.url).unwrap_or_else(|e| panic!("{e}"))
    }

    pub async fn connect(&self) -> Connection {
        Connection::connect(&self.parsed(), Duration::from_secs(10))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Runs SQL and returns the first column of each row as text.
    pub fn query(&self, sql: &str) -> Vec<String> {
        rt().block_on(async {
            let mut c = self.connect().await;
            let rows = c
                .query_strings(sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            c.close().await;
            rows
        })
    }

    /// A textual snapshot of every table, column and index, and of the version rows: two equal
    /// snapshots mean an unchanged schema.
    pub fn snapshot(&self) -> Vec<String> {
        let sql = match self.engine {
            Engine::Postgres => "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable \
                 FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'stratum_journal' \
                 UNION ALL SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'stratum_journal' \
                 UNION ALL SELECT 'fk ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conname NOT LIKE 'stratum_journal%'"
                .to_string(),
            Engine::MySql => format!(
                "SELECT CONCAT(table_name, '.', column_name, ' ', column_type, ' ', is_nullable) FROM information_schema.columns WHERE table_schema = '{0}' AND table_name <> 'stratum_journal' \
                 UNION ALL SELECT CONCAT('index ', table_name, '.', index_name, ' ', column_name) FROM information_schema.statistics WHERE table_schema = '{0}' AND table_name <> 'stratum_journal'",
                self.name
            ),
            Engine::Sqlite => "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE '%stratum_journal%'".to_string(),
        };
        let mut rows = self.query(&sql);
        rows.extend(
            self.version_rows()
                .into_iter()
                .map(|r| format!("version {r}")),
        );
        rows.sort();
        rows
    }

    /// Runs a statement on the database, as a person changing it by hand would.
    pub fn execute(&self, sql: &str) {
        admin(&self.url, sql);
    }

    pub fn version_rows(&self) -> Vec<String> {
        rt().block_on(async {
            let mut c = self.connect().await;
            let rows = c
                .version_rows(&stratum_db::VersionTable::default())
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            c.close().await;
            let mut rows = rows;
            rows.sort();
            rows
        })
    }

    /// Every user table's rows, read in a fixed order and reduced to one checksum per table.
    pub fn row_checksums(&self) -> Vec<String> {
        self.tables()
            .into_iter()
            .map(|t| {
                let sql = match self.engine {
                    Engine::Postgres => format!(
                        "SELECT md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) FROM \"{t}\" r"
                    ),
                    Engine::MySql => {
                        let cols = self.query(&format!(
                            "SELECT CONCAT('COALESCE(HEX(`', column_name, '`), ''~'')') FROM information_schema.columns WHERE table_schema = '{}' AND table_name = '{t}' ORDER BY ordinal_position",
                            self.name
                        ));
                        format!(
                            "SELECT MD5(COALESCE(GROUP_CONCAT(CONCAT_WS('|', {}) ORDER BY 1 SEPARATOR '\\n'), '')) FROM `{t}`",
                            cols.join(", ")
                        )
                    }
                    Engine::Sqlite => {
                        let cols = self.query(&format!(
                            "SELECT 'quote(\"' || name || '\")' FROM pragma_table_info('{t}') ORDER BY cid"
                        ));
                        format!(
                            "SELECT coalesce(group_concat(x, char(10)), '') FROM (SELECT {} AS x FROM \"{t}\" ORDER BY 1)",
                            cols.join(" || '|' || ")
                        )
                    }
                };
                format!("{t} {}", self.query(&sql).join(""))
            })
            .collect()
    }

    /// User tables (not the version table, nor Stratum's journal).
    pub fn tables(&self) -> Vec<String> {
        let sql = match self.engine {
            Engine::Postgres => "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT IN ('alembic_version', 'stratum_journal') ORDER BY 1".to_string(),
            Engine::MySql => format!("SELECT CAST(table_name AS CHAR) FROM information_schema.tables WHERE table_schema = '{}' AND table_name NOT IN ('alembic_version', 'stratum_journal') ORDER BY 1", self.name),
            Engine::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('alembic_version', 'sqlite_sequence', 'stratum_journal') ORDER BY 1".to_string(),
        };
        self.query(&sql)
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        if self.own_server {
            return;
        }
        match self.engine {
            Engine::Postgres => admin(
                PG_ADMIN,
                &format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name),
            ),
            Engine::MySql => admin(
                MY_ADMIN,
                &format!("DROP DATABASE IF EXISTS `{}`", self.name),
            ),
            Engine::Sqlite => {}
        }
    }
}

/// Runs one statement on the database `url` names (a server's, to create or drop databases).
pub fn admin(url: &str, sql: &str) {
    rt().block_on(async {
        let url = DatabaseUrl::parse(url).unwrap_or_else(|e| panic!("{e}"));
        let mut c = Connection::connect(&url, Duration::from_secs(10))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        c.execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        c.close().await;
    });
}

/// Writes a native project with the given revision files into a temporary folder.
pub fn project_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    std::fs::write(
        dir.path().join("stratum.toml"),
        "[project]\nversions = \"versions\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let versions = dir.path().join("versions");
    std::fs::create_dir_all(&versions).unwrap_or_else(|e| panic!("{e}"));
    for (name, body) in files {
        std::fs::write(versions.join(name), body).unwrap_or_else(|e| panic!("{e}"));
    }
    dir
}

/// A revision file with a header and the given bodies.
pub fn revision_file(id: &str, down: &str, up: &str, downgrade: &str) -> String {
    format!("-- revision: {id}\n-- down_revision: {down}\n-- message: {id}\n\n-- migrate:up\n{up}\n\n-- migrate:down\n{downgrade}\n")
}

/// Copies a folder (a sample project, say) so a test may change it; `__pycache__` is left out.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for entry in std::fs::read_dir(from)
        .unwrap_or_else(|e| panic!("{}: {e}", from.display()))
        .flatten()
    {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            if entry.file_name() != "__pycache__" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// Runs `stratum ARGS` and kills it half a second after a line of its progress contains
/// `marker` (a crash in the middle of what that line says is under way); returns the lines
/// heard. Fails when the marker does not come within a minute.
pub fn kill_stratum_at(args: &[&str], marker: &str) -> Vec<String> {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(stratum_bin())
        .args(args)
        .env_remove("STRATUM_DATABASE_URL")
        .env_remove("STRATUM_PROJECT")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run stratum: {e}"));
    let stderr = child
        .stderr
        .take()
        .unwrap_or_else(|| panic!("stderr is piped"));
    let (lines, heard) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut said: Vec<String> = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !said.iter().any(|l| l.contains(marker)) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match heard.recv_timeout(left) {
            Ok(line) => said.push(line),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("stratum never said {marker:?}: {}", said.join("\n"));
            }
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    child.kill().unwrap_or_else(|e| panic!("{e}"));
    let _ = child.wait();
    said.extend(heard.try_iter());
    said
}
