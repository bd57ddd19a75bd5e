//! One connection to PostgreSQL, MySQL/MariaDB or SQLite, with the few operations the runner
//! needs. An enum rather than a trait object: three engines, each arm a few lines.

use std::convert::Infallible;
use std::fs::File;
use std::time::{Duration, Instant};

use serde::Serialize;
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection, MySqlSslMode};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgSslMode};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{AssertSqlSafe, ConnectOptions as _, Connection as _, Row};
use stratum_project::Dialect;

use crate::error::db_message;
use crate::ConnectField;
use crate::{DatabaseUrl, DbError, Engine, TlsMode, VersionTable};

enum Inner {
    Pg(PgConnection),
    My(MySqlConnection),
    Lite(SqliteConnection),
}

/// What "test connection" reports.
#[derive(Debug, Clone, Serialize)]
pub struct ServerInfo {
    pub engine: Engine,
    pub version: String,
    pub latency_ms: f64,
}

pub struct Connection {
    inner: Inner,
    pub url: DatabaseUrl,
    /// SQLite has no advisory lock; a lock file beside the database serves instead.
    lock_file: Option<File>,
    locked: bool,
}

macro_rules! on_conn {
    ($self:expr, $c:ident => $body:expr) => {
        match &mut $self.inner {
            Inner::Pg($c) => $body,
            Inner::My($c) => $body,
            Inner::Lite($c) => $body,
        }
    };
}

impl Connection {
    /// Connects, giving up after `timeout`, with an error that says what is wrong.
    pub async fn connect(url: &DatabaseUrl, timeout: Duration) -> Result<Connection, DbError> {
        let target = url.to_string();
        // Through the bastion when the URL names one; messages still name the database.
        let reached = crate::tunnel::reachable(url).await?;
        let inner = match tokio::time::timeout(timeout, Self::open(&reached)).await {
            Ok(Ok(inner)) => inner,
            Ok(Err(e)) => {
                let (reason, field) = connect_reason(url, &e);
                return Err(DbError::Connect {
                    reason,
                    target,
                    field,
                });
            }
            Err(_) => {
                return Err(DbError::ConnectTimeout {
                    target,
                    after: timeout,
                })
            }
        };
        let conn = Connection {
            inner,
            url: url.clone(),
            lock_file: None,
            locked: false,
        };
        match &url.schema {
            Some(schema) => conn.in_schema(schema).await,
            None => Ok(conn),
        }
    }

    /// A tenant's schema that does not exist would leave `public` first on the search path,
    /// and a run would change the shared schema: refused before anything reads or runs.
    async fn in_schema(mut self, schema: &str) -> Result<Connection, DbError> {
        let current = self
            .query_strings("SELECT current_schema()")
            .await
            .map_err(|e| DbError::query("reading the schema in use", e))?;
        if current.first().map(String::as_str) == Some(schema) {
            return Ok(self);
        }
        let (target, database) = (self.url.to_string(), self.url.database.clone());
        self.close().await;
        Err(DbError::Connect {
            target,
            reason: format!("the schema '{schema}' does not exist in the database '{database}'"),
            field: Some(ConnectField::Schema),
        })
    }

    /// The version table this connection's runs use: the project's, in the tenant's schema
    /// when the URL names one and the project names none.
    pub fn version_table(&self, vt: &VersionTable) -> VersionTable {
        match (&vt.schema, &self.url.schema) {
            (None, Some(s)) => VersionTable {
                name: vt.name.clone(),
                schema: Some(s.clone()),
            },
            _ => vt.clone(),
        }
    }

    /// sqlx's statement logging is off on every connection: it copies a statement slower than a
    /// second, text and all, into the log at warning level, and a revision's SQL may hold a
    /// password.
    async fn open(url: &DatabaseUrl) -> Result<Inner, sqlx::Error> {
        Ok(match url.engine {
            Engine::Postgres => {
                let mut o = PgConnectOptions::new_without_pgpass()
                    .port(url.port.unwrap_or(5432))
                    .application_name(&crate::identity())
                    .ssl_mode(match url.tls {
                        TlsMode::Disable => PgSslMode::Disable,
                        TlsMode::Prefer => PgSslMode::Prefer,
                        TlsMode::Require => PgSslMode::Require,
                        TlsMode::VerifyCa => PgSslMode::VerifyCa,
                        TlsMode::VerifyFull => PgSslMode::VerifyFull,
                    });
                o = match &url.socket {
                    Some(dir) => o.socket(dir),
                    None => o.host(&url.host),
                };
                if let Some(u) = &url.user {
                    o = o.username(u);
                }
                if let Some(p) = url
                    .password
                    .clone()
                    .or_else(|| crate::client_files::password_for(url))
                {
                    o = o.password(&p);
                }
                if !url.database.is_empty() {
                    o = o.database(&url.database);
                }
                if let Some(path) = url.search_path() {
                    o = o.options([("search_path", path)]);
                }
                Inner::Pg(PgConnection::connect_with(&o.disable_statement_logging()).await?)
            }
            Engine::MySql => {
                // No session changes of sqlx's own (PIPES_AS_CONCAT, time zone): revision SQL
                // must mean what it means in the mysql client and under Alembic.
                let mut o = MySqlConnectOptions::new()
                    .host(&url.host)
                    .port(url.port.unwrap_or(3306))
                    .pipes_as_concat(false)
                    .no_engine_substitution(false)
                    .timezone(None)
                    .ssl_mode(match url.tls {
                        TlsMode::Disable => MySqlSslMode::Disabled,
                        TlsMode::Prefer => MySqlSslMode::Preferred,
                        TlsMode::Require => MySqlSslMode::Required,
                        TlsMode::VerifyCa => MySqlSslMode::VerifyCa,
                        TlsMode::VerifyFull => MySqlSslMode::VerifyIdentity,
                    });
                if let Some(u) = &url.user {
                    o = o.username(u);
                }
                if let Some(p) = url
                    .password
                    .clone()
                    .or_else(|| crate::client_files::password_for(url))
                {
                    o = o.password(&p);
                }
                if !url.database.is_empty() {
                    o = o.database(&url.database);
                }
                Inner::My(MySqlConnection::connect_with(&o.disable_statement_logging()).await?)
            }
            Engine::Sqlite => {
                // Foreign keys stay as SQLite (and Alembic) leave them: off.
                let o = match &url.path {
                    Some(p) => SqliteConnectOptions::new()
                        .filename(p)
                        .create_if_missing(true),
                    None => SqliteConnectOptions::new().in_memory(true),
                }
                .foreign_keys(false)
                .busy_timeout(Duration::from_secs(10))
                // SQLite's worker thread queues each statement's result for this side, which
                // takes them a millisecond apart (`execute_batch_until`); sqlx's default queue
                // of 50 filled between turns and stopped the worker until it was drained, one
                // wake-up per statement.
                .row_buffer_size(crate::runner::TOGETHER_STATEMENTS + 1);
                Inner::Lite(SqliteConnection::connect_with(&o.disable_statement_logging()).await?)
            }
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.url.dialect()
    }

    /// The URL this connection was made with (its password included: never show it whole).
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    pub fn engine(&self) -> Engine {
        self.url.engine
    }

    /// Runs SQL as written (simple query protocol), returning the rows it affected.
    pub async fn execute(&mut self, sql: &str) -> Result<u64, sqlx::Error> {
        let q = sqlx::raw_sql(AssertSqlSafe(sql.to_string()));
        on_conn!(self, c => q.execute(&mut *c).await.map(|r| r.rows_affected()))
    }

    /// Runs a query and returns the first column of each row as text.
    pub async fn query_strings(&mut self, sql: &str) -> Result<Vec<String>, sqlx::Error> {
        self.strings(sql.to_string()).await
    }

    /// Sends several statements in one round trip and returns each one's affected-row count.
    /// On failure, says how many statements completed before it.
    pub async fn execute_batch(
        &mut self,
        statements: &[&str],
        on_done: impl FnMut(usize),
    ) -> Result<Vec<u64>, (usize, sqlx::Error)> {
        self.batch(statements, || None::<Infallible>, on_done)
            .await
            .map_err(|(done, end)| match end {
                Ok(e) => (done, e),
                Err(never) => match never {},
            })
    }

    /// [`Connection::execute_batch`] that gives up after the statement during which `stop`
    /// became true: the error is then `(statements done, None)`. Statements sent and not yet
    /// run still run where the server has them (PostgreSQL), inside the caller's transaction.
    pub async fn execute_batch_until(
        &mut self,
        statements: &[&str],
        stop: impl Fn() -> bool,
        on_done: impl FnMut(usize),
    ) -> Result<Vec<u64>, (usize, Option<sqlx::Error>)> {
        self.batch(statements, || stop().then_some(()), on_done)
            .await
            .map_err(|(done, end)| (done, end.ok()))
    }

    /// The batch itself: `stop` gives why it stops, after the statement during which it first
    /// does; the error is then `Err(why)` beside the statements done.
    async fn batch<Why>(
        &mut self,
        statements: &[&str],
        stop: impl Fn() -> Option<Why>,
        mut on_done: impl FnMut(usize),
    ) -> Result<Vec<u64>, (usize, Result<sqlx::Error, Why>)> {
        use futures_util::{FutureExt, StreamExt};
        let mut sql = String::with_capacity(statements.iter().map(|s| s.len() + 2).sum());
        for s in statements {
            sql.push_str(s);
            // A statement ending in a line comment would swallow the separator.
            let last_line = s.rsplit('\n').next().unwrap_or("");
            if last_line.contains("--") || last_line.contains('#') {
                sql.push('\n');
            }
            sql.push_str(";\n");
        }
        let q = sqlx::raw_sql(AssertSqlSafe(sql));
        let mut counts = Vec::with_capacity(statements.len());
        // SQLite runs on sqlx's worker thread, which hands over each statement's result as it
        // completes; waiting on each would wake this thread thousands of times in a long run,
        // costing the worker as much again as the statements of a small revision. Instead, what
        // has arrived is taken in turns a millisecond apart. Servers' results come off the
        // network and are awaited as they come.
        let polled = self.url.engine == Engine::Sqlite;
        on_conn!(self, c => {
            let mut results = q.execute_many(&mut *c);
            loop {
                let next = if polled {
                    match results.next().now_or_never() {
                        Some(next) => next,
                        None => {
                            tokio::time::sleep(Duration::from_millis(1)).await;
                            continue;
                        }
                    }
                } else {
                    results.next().await
                };
                let Some(r) = next else { break };
                match r {
                    Ok(done) => {
                        counts.push(done.rows_affected());
                        on_done(counts.len());
                        if counts.len() < statements.len() {
                            if let Some(why) = stop() {
                                return Err((counts.len(), Err(why)));
                            }
                        }
                    }
                    Err(e) => return Err((counts.len(), Ok(e))),
                }
            }
        });
        Ok(counts)
    }

    async fn strings(&mut self, sql: String) -> Result<Vec<String>, sqlx::Error> {
        let q = sqlx::raw_sql(AssertSqlSafe(sql));
        on_conn!(self, c => {
            let rows = q.fetch_all(&mut *c).await?;
            rows.iter().map(|r| r.try_get::<String, _>(0)).collect()
        })
    }

    pub async fn server_info(&mut self) -> Result<ServerInfo, DbError> {
        let started = Instant::now();
        let sql = match self.url.engine {
            Engine::Postgres => "SELECT version()",
            Engine::MySql => "SELECT CONCAT(VERSION(), ' ', @@version_comment)",
            Engine::Sqlite => "SELECT 'SQLite ' || sqlite_version()",
        };
        let version = self
            .strings(sql.to_string())
            .await
            .map_err(|e| DbError::query("reading the server version", e))?;
        Ok(ServerInfo {
            engine: self.url.engine,
            version: version.into_iter().next().unwrap_or_default(),
            latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        })
    }

    pub async fn version_table_exists(&mut self, vt: &VersionTable) -> Result<bool, DbError> {
        let vt = &self.version_table(vt);
        self.table_exists(vt.schema.as_deref(), &vt.name).await
    }

    /// Whether `schema.name` (the connection's schema when none is given) is a table.
    pub async fn table_exists(
        &mut self,
        schema: Option<&str>,
        name: &str,
    ) -> Result<bool, DbError> {
        let lit = |s: &str| crate::ident::literal(self.dialect(), s);
        let sql = match self.url.engine {
            Engine::Postgres => format!(
                "SELECT 'yes'::text FROM information_schema.tables WHERE table_schema = {} AND table_name = {}",
                schema.map(lit).unwrap_or_else(|| "current_schema()".into()),
                lit(name)
            ),
            Engine::MySql => format!(
                "SELECT CAST('yes' AS CHAR) FROM information_schema.tables WHERE table_schema = {} AND table_name = {}",
                schema.map(lit).unwrap_or_else(|| "DATABASE()".into()),
                lit(name)
            ),
            Engine::Sqlite => format!(
                "SELECT 'yes' FROM {}sqlite_master WHERE type = 'table' AND name = {}",
                schema.map(|s| format!("{}.", crate::ident::quote(Dialect::Sqlite, s))).unwrap_or_default(),
                lit(name)
            ),
        };
        let found = self
            .strings(sql)
            .await
            .map_err(|e| DbError::query(format!("looking for the table {name}"), e))?;
        Ok(!found.is_empty())
    }

    /// Runs a query whose columns are all text and returns its rows.
    pub async fn text_rows(&mut self, sql: &str) -> Result<Vec<Vec<String>>, sqlx::Error> {
        let q = sqlx::raw_sql(AssertSqlSafe(sql.to_string()));
        on_conn!(self, c => {
            let rows = q.fetch_all(&mut *c).await?;
            rows.iter()
                .map(|r| {
                    (0..r.len())
                        .map(|i| r.try_get::<Option<String>, _>(i).map(Option::unwrap_or_default))
                        .collect::<Result<Vec<String>, sqlx::Error>>()
                })
                .collect()
        })
    }

    /// The version rows, in the order the database returns them; none when there is no table.
    pub async fn version_rows(&mut self, vt: &VersionTable) -> Result<Vec<String>, DbError> {
        let vt = &self.version_table(vt);
        if !self.version_table_exists(vt).await? {
            return Ok(Vec::new());
        }
        self.strings(vt.select_rows(self.dialect()))
            .await
            .map_err(|e| DbError::query(format!("reading {}", vt.name), e))
    }

    /// Takes the runner lock so that two runs never apply the same revision twice, waiting up to
    /// `wait` for another run to finish.
    pub async fn lock(&mut self, vt: &VersionTable, wait: Duration) -> Result<(), DbError> {
        self.lock_reporting(vt, wait, &|_| {}).await
    }

    /// [`Connection::lock`], telling `waiting` who holds the lock whenever that changes.
    pub async fn lock_reporting(
        &mut self,
        vt: &VersionTable,
        wait: Duration,
        waiting: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<(), DbError> {
        // Each tenant's schema has its own lock: a batch runs tenants side by side.
        let vt = &self.version_table(vt);
        let key = vt.lock_key();
        let mut waited = Waited::new(self.url.to_string(), wait, waiting);
        loop {
            let got = match self.url.engine {
                Engine::Postgres => {
                    // The holder's session says since when it holds the lock, for whoever waits.
                    let name = crate::ident::literal(
                        Dialect::Postgres,
                        &held_name(&crate::identity()),
                    );
                    let sql = format!(
                        "SELECT CASE WHEN pg_try_advisory_lock({key}) THEN 'yes' || left(set_config('application_name', {name}, false), 0) ELSE 'no' END"
                    );
                    self.strings(sql)
                        .await
                        .map(|v| v.first().is_some_and(|s| s == "yes"))
                }
                Engine::MySql => {
                    let sql = format!(
                        "SELECT CAST(COALESCE(GET_LOCK({}, 0), 0) AS CHAR)",
                        mysql_lock_name(vt)
                    );
                    self.strings(sql)
                        .await
                        .map(|v| v.first().is_some_and(|s| s == "1"))
                }
                Engine::Sqlite => return self.lock_sqlite_file(wait, waiting).await,
            }
            .map_err(|e| DbError::query("taking the migration lock", e))?;
            if got {
                self.locked = true;
                return Ok(());
            }
            waited.held_by(self.lock_holder(vt).await)?;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Who holds the migration lock and since when, in words; best effort.
    async fn lock_holder(&mut self, vt: &VersionTable) -> String {
        let vt = &self.version_table(vt);
        let key = vt.lock_key() as u64;
        let sql = match self.url.engine {
            Engine::Postgres => format!(
                "SELECT a.application_name || ' (PostgreSQL session ' || a.pid || COALESCE(', from ' || host(a.client_addr), '') || ', user ' || a.usename || ')' FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.classid = {} AND l.objid = {} AND l.objsubid = 1",
                key >> 32,
                key & 0xffff_ffff
            ),
            Engine::MySql => format!(
                "SELECT CONCAT(p.USER, '@', p.HOST, ' (connection ', p.ID, ', connected to ', COALESCE(p.DB, 'no database'), ')') FROM information_schema.PROCESSLIST p WHERE p.ID = IS_USED_LOCK({})",
                mysql_lock_name(vt)
            ),
            Engine::Sqlite => return String::new(),
        };
        let mut who = self
            .strings(sql)
            .await
            .ok()
            .and_then(|v| v.into_iter().next())
            .unwrap_or_else(|| "a run that has just finished".into());
        // The revision the holder is in, when it is one whose progress is journaled.
        if let Ok(Some(row)) = crate::Journal::new(vt, self.dialect()).read(self).await {
            who.push_str(&format!(
                ", running {} of {} since {} for {}",
                crate::journal::direction_word(row.direction),
                row.revision,
                row.started_at,
                row.started_by
            ));
        }
        who
    }

    async fn lock_sqlite_file(
        &mut self,
        wait: Duration,
        waiting: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<(), DbError> {
        use std::io::{Read, Seek, Write};
        let Some(db) = self.url.path.clone() else {
            return Ok(()); // an in-memory database has a single user
        };
        let mut lock_path = db.into_os_string();
        lock_path.push(".stratum-lock");
        // Not truncated on open: the holder's own words are in it.
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&lock_path)
            .map_err(|e| DbError::Query {
                context: format!("creating the lock file {}", lock_path.to_string_lossy()),
                message: e.to_string(),
            })?;
        let mut waited = Waited::new(self.url.to_string(), wait, waiting);
        loop {
            match file.try_lock() {
                Ok(()) => {
                    // Best effort: the lock holds whether or not its holder could sign it.
                    let _ = file
                        .set_len(0)
                        .and_then(|_| file.rewind())
                        .and_then(|_| file.write_all(held_name(&crate::identity()).as_bytes()));
                    self.lock_file = Some(file);
                    self.locked = true;
                    return Ok(());
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    let mut now = String::new();
                    let _ = file.rewind().and_then(|_| file.read_to_string(&mut now));
                    waited.held_by(now)?;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(DbError::Query {
                        context: "locking the database file".into(),
                        message: e.to_string(),
                    })
                }
            }
        }
    }

    pub async fn unlock(&mut self, vt: &VersionTable) {
        if !self.locked {
            return;
        }
        let vt = &self.version_table(vt);
        self.locked = false;
        // Releasing is best effort: the server drops the lock with the session anyway.
        let _ = match self.url.engine {
            Engine::Postgres => {
                let name = crate::ident::literal(Dialect::Postgres, &crate::identity());
                self.execute(&format!(
                    "SELECT pg_advisory_unlock({}), set_config('application_name', {name}, false)",
                    vt.lock_key()
                ))
                .await
            }
            Engine::MySql => {
                self.execute(&format!("SELECT RELEASE_LOCK({})", mysql_lock_name(vt)))
                    .await
            }
            Engine::Sqlite => {
                if let Some(f) = &self.lock_file {
                    let _ = f.set_len(0);
                }
                self.lock_file = None;
                Ok(0)
            }
        };
    }

    pub async fn begin(&mut self) -> Result<(), sqlx::Error> {
        let sql = match self.url.engine {
            Engine::Sqlite => "BEGIN IMMEDIATE",
            _ => "BEGIN",
        };
        self.execute(sql).await.map(|_| ())
    }

    pub async fn commit(&mut self) -> Result<(), sqlx::Error> {
        self.execute("COMMIT").await.map(|_| ())
    }

    pub async fn rollback(&mut self) -> Result<(), sqlx::Error> {
        self.execute("ROLLBACK").await.map(|_| ())
    }

    pub async fn close(self) {
        let _ = match self.inner {
            Inner::Pg(c) => c.close().await,
            Inner::My(c) => c.close().await,
            Inner::Lite(c) => c.close().await,
        };
    }
}

/// A wait for the migration lock: tells who holds it whenever that changes, and gives up after
/// `wait` naming the last holder.
struct Waited<'a> {
    target: String,
    started: Instant,
    wait: Duration,
    holder: String,
    tell: &'a (dyn Fn(&str) + Send + Sync),
}

impl<'a> Waited<'a> {
    fn new(target: String, wait: Duration, tell: &'a (dyn Fn(&str) + Send + Sync)) -> Self {
        Waited {
            target,
            started: Instant::now(),
            wait,
            holder: String::new(),
            tell,
        }
    }

    fn held_by(&mut self, holder: String) -> Result<(), DbError> {
        if holder != self.holder {
            self.holder = holder;
            (self.tell)(&self.holder);
        }
        if self.started.elapsed() >= self.wait {
            return Err(DbError::LockTimeout {
                target: std::mem::take(&mut self.target),
                after: self.wait,
                holder: std::mem::take(&mut self.holder),
            });
        }
        Ok(())
    }
}

/// The identity with the time the lock was taken, within PostgreSQL's 63 characters.
fn held_name(identity: &str) -> String {
    let since = chrono::Utc::now()
        .format(" locked %H:%M:%S UTC")
        .to_string();
    let room = 63usize.saturating_sub(since.len());
    format!("{}{since}", identity.chars().take(room).collect::<String>())
}

/// MySQL's named locks are server-wide and at most 64 characters: name the lock after a hash of
/// the database and the version table.
fn mysql_lock_name(vt: &VersionTable) -> String {
    let table = crate::ident::literal(Dialect::MySql, &vt.lock_name());
    format!("CONCAT('stratum:', MD5(CONCAT(COALESCE(DATABASE(), ''), {table})))")
}

/// Turns a connection failure into words: wrong password, unknown database, nothing listening.
/// Why a connection failed, in words, and the setting to look at.
fn connect_reason(url: &DatabaseUrl, e: &sqlx::Error) -> (String, Option<ConnectField>) {
    use ConnectField as F;
    let user = url
        .user
        .clone()
        .unwrap_or_else(|| "the default user".into());
    if let sqlx::Error::Database(d) = e {
        let code = d.code().map(|c| c.to_string()).unwrap_or_default();
        let message = d.message();
        return match (url.engine, code.as_str()) {
            (Engine::Postgres, "28P01") | (Engine::MySql, "28000")
                if url.password.is_none() =>
            {
                (
                    format!("the server wants a password for {user}, and none was given ({message})"),
                    Some(F::Password),
                )
            }
            (Engine::Postgres, "28P01") | (Engine::MySql, "28000") => (
                format!("the server refused the login of {user}: wrong password or user name ({message})"),
                Some(F::Password),
            ),
            // PostgreSQL's "no pg_hba.conf entry" and "role does not exist".
            (Engine::Postgres, "28000") => (
                format!("the server refused the login of {user}: the user is unknown or may not connect from here ({message})"),
                Some(F::User),
            ),
            (Engine::Postgres, "3D000") => (
                format!(
                    "the database '{}' does not exist on this server",
                    url.database
                ),
                Some(F::Database),
            ),
            (Engine::MySql, _) if message.starts_with("Unknown database") => (
                format!(
                    "the database '{}' does not exist on this server",
                    url.database
                ),
                Some(F::Database),
            ),
            (Engine::MySql, "42000") if message.contains("Access denied") => (
                format!("{user} may not use the database '{}' ({message})", url.database),
                Some(F::User),
            ),
            _ => (db_message(e), None),
        };
    }
    if let sqlx::Error::Io(io) = e {
        let port = url.port.unwrap_or(url.default_port());
        return match io.kind() {
            std::io::ErrorKind::ConnectionRefused => (
                format!("nothing is listening on {}:{port}; is the server running, and is the port right?", url.host),
                Some(F::Port),
            ),
            std::io::ErrorKind::NotFound if url.engine == Engine::Sqlite => (
                format!("the folder of the database file does not exist ({io})"),
                Some(F::File),
            ),
            _ => (format!("{io} (host {}:{port})", url.host), Some(F::Host)),
        };
    }
    if matches!(e, sqlx::Error::Tls(_)) {
        return (
            format!("the secure connection (TLS) failed: {}", db_message(e)),
            Some(F::Tls),
        );
    }
    if url.engine == Engine::Sqlite {
        return (
            format!(
                "{} (does the folder exist and is it writable?)",
                db_message(e)
            ),
            Some(F::File),
        );
    }
    let msg = db_message(e);
    if msg.contains("failed to lookup address") || msg.contains("Name or service not known") {
        return (
            format!("the host name '{}' cannot be resolved", url.host),
            Some(F::Host),
        );
    }
    if msg.contains("server does not support TLS") || msg.contains("SSL") {
        return (msg, Some(F::Tls));
    }
    (msg, None)
}
