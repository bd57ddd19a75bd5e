//! Restoring a backup into the same database or a new one. The backup is first restored
//! somewhere new ("staged") while it is verified alongside; the live database is replaced only
//! once both have worked, so a damaged backup or a failing restore leaves it as it was.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use stratum_db::{quote, Connection, DatabaseUrl, DbError, Engine};

use crate::dump::engine_name;
use crate::manifest::Manifest;
use crate::tools::Tools;
use crate::verify::verify;
use crate::BackupError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreTarget {
    /// Replace the profile's own database with the backup.
    Same,
    /// A new database of this name (PostgreSQL, MySQL) or a new file at this path (SQLite).
    New(String),
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Restored {
    /// The database restored into, as shown to a user.
    pub database: String,
    pub rows: Vec<String>,
    pub duration_ms: u64,
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the backup was restored before it is put in place.
enum Staged {
    /// A PostgreSQL or MySQL database of this name.
    Database(String),
    /// An SQLite file, to be renamed onto `dest`.
    File { staged: PathBuf, dest: PathBuf },
}

pub async fn restore(
    url: &DatabaseUrl,
    backup: &Path,
    tools: &Tools,
    target: &RestoreTarget,
) -> Result<Restored, BackupError> {
    let started = Instant::now();
    let bytes = std::fs::metadata(backup).map(|m| m.len()).unwrap_or(0);
    let into = match target {
        RestoreTarget::Same => "the same database".to_string(),
        RestoreTarget::New(name) => name.clone(),
    };
    tracing::info!(db = %url, file = %backup.display(), bytes, %into, "restore started");
    let restored = restore_unlogged(url, backup, tools, target).await;
    match &restored {
        Ok(r) => tracing::info!(
            db = %url,
            into = %r.database,
            bytes,
            ms = r.duration_ms,
            rows = %r.rows.join(","),
            "restore finished"
        ),
        Err(e) => tracing::warn!(
            db = %url,
            file = %backup.display(),
            ms = stratum_db::elapsed_ms(started),
            error = %e,
            "restore failed"
        ),
    }
    restored
}

async fn restore_unlogged(
    url: &DatabaseUrl,
    backup: &Path,
    tools: &Tools,
    target: &RestoreTarget,
) -> Result<Restored, BackupError> {
    let started = Instant::now();
    let shown = url.to_string();
    let url = &stratum_db::tunnel::reachable(url).await?;
    let manifest = Manifest::read(backup)?;
    if manifest.engine != engine_name(url.engine) {
        return Err(BackupError::WrongEngine {
            found: manifest.engine,
            target: shown,
        });
    }
    // Verifying reads the whole file; restoring reads it too. Done side by side, the check
    // costs no extra time, and nothing live is touched until it has passed.
    let (verified, staged) = tokio::join!(verify(backup, tools), stage(url, backup, tools, target));
    let staged = match (verified, staged) {
        (Ok(_), Ok(staged)) => staged,
        (Err(e), Ok(staged)) => {
            discard(url, staged).await;
            return Err(e);
        }
        (Err(e), Err(_)) | (Ok(_), Err(e)) => return Err(e),
    };
    let database = put_in_place(url, staged, target, backup, tools).await?;
    Ok(Restored {
        // The database as the person knows it, not the tunnel's end on this machine.
        database: if *target == RestoreTarget::Same {
            shown
        } else {
            database
        },
        rows: manifest.rows,
        duration_ms: stratum_db::elapsed_ms(started),
    })
}

fn scratch_name(db: &str) -> String {
    let stamp = chrono::Local::now().format("%Y%m%d%H%M%S");
    let suffix = format!("_restore_{stamp}");
    let keep = 63usize.saturating_sub(suffix.len());
    let base: String = db.chars().take(keep).collect();
    format!("{base}{suffix}")
}

async fn exec(conn: &mut Connection, sql: &str, what: &str) -> Result<(), BackupError> {
    conn.execute(sql)
        .await
        .map(|_| ())
        .map_err(|e| BackupError::Db(DbError::query(what, e)))
}

/// A connection that may create and drop databases: PostgreSQL's maintenance database, or the
/// MySQL server through the profile's own database.
async fn admin(url: &DatabaseUrl) -> Result<Connection, BackupError> {
    let mut admin = url.clone();
    admin.schema = None;
    if url.engine == Engine::Postgres {
        admin.database = "postgres".into();
    }
    Ok(Connection::connect(&admin, CONNECT_TIMEOUT).await?)
}

async fn mysql_charset(conn: &mut Connection, db: &str) -> String {
    conn.query_strings(&format!(
        "SELECT CONCAT('CHARACTER SET ', DEFAULT_CHARACTER_SET_NAME, ' COLLATE ', DEFAULT_COLLATION_NAME) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = {}",
        stratum_db::literal(Engine::MySql.dialect(), db)
    ))
    .await
    .ok()
    .and_then(|v| v.into_iter().next())
    .unwrap_or_default()
}

/// Restores the backup into a new database (or file) beside the live one.
async fn stage(
    url: &DatabaseUrl,
    backup: &Path,
    tools: &Tools,
    target: &RestoreTarget,
) -> Result<Staged, BackupError> {
    if url.engine == Engine::Sqlite {
        return stage_sqlite(url, backup, target);
    }
    let into = match target {
        RestoreTarget::Same => scratch_name(&url.database),
        RestoreTarget::New(name) => name.clone(),
    };
    let q = |s: &str| quote(url.dialect(), s);
    let mut conn = admin(url).await?;
    let charset = if url.engine == Engine::MySql {
        mysql_charset(&mut conn, &url.database).await
    } else {
        String::new()
    };
    let created = exec(
        &mut conn,
        &format!("CREATE DATABASE {} {charset}", q(&into)),
        "creating the database to restore into",
    )
    .await;
    conn.close().await;
    created?;
    let mut into_url = url.clone();
    into_url.database = into.clone();
    into_url.schema = None;
    let loaded = match url.engine {
        Engine::Postgres => {
            let tool = tools.find(&["pg_restore"], Engine::Postgres)?;
            let mut cmd = tool.command(&into_url);
            cmd.args(["--no-owner", "--exit-on-error", "--single-transaction"])
                .arg("--dbname")
                .arg(&into)
                .arg(backup);
            tool.run(cmd, &into_url, None).await.map(|_| ())
        }
        _ => {
            let tool = tools.find(&["mysql", "mariadb"], Engine::MySql)?;
            let mut cmd = tool.command(url);
            cmd.arg(&into);
            tool.run(cmd, url, Some(backup)).await.map(|_| ())
        }
    };
    if let Err(e) = loaded {
        discard(url, Staged::Database(into)).await;
        return Err(e);
    }
    Ok(Staged::Database(into))
}

fn stage_sqlite(
    url: &DatabaseUrl,
    backup: &Path,
    target: &RestoreTarget,
) -> Result<Staged, BackupError> {
    let live = url.path.clone().ok_or_else(|| BackupError::Io {
        path: PathBuf::from(":memory:"),
        message: "an in-memory database cannot be restored into".into(),
    })?;
    let dest = match target {
        RestoreTarget::Same => live,
        RestoreTarget::New(p) => {
            let p = PathBuf::from(p);
            if p.exists() {
                return Err(BackupError::Io {
                    path: p,
                    message: "already exists; choose a new file to restore into".into(),
                });
            }
            p
        }
    };
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".restoring");
    let staged = dest.with_file_name(name);
    std::fs::copy(backup, &staged).map_err(|e| {
        let _ = std::fs::remove_file(&staged);
        BackupError::io(&staged, e)
    })?;
    Ok(Staged::File { staged, dest })
}

async fn discard(url: &DatabaseUrl, staged: Staged) {
    match staged {
        Staged::File { staged, .. } => {
            let _ = std::fs::remove_file(staged);
        }
        Staged::Database(name) => {
            if let Ok(mut conn) = admin(url).await {
                let force = if url.engine == Engine::Postgres {
                    " WITH (FORCE)"
                } else {
                    ""
                };
                let sql = format!(
                    "DROP DATABASE IF EXISTS {}{force}",
                    quote(url.dialect(), &name)
                );
                let _ = conn.execute(&sql).await;
                conn.close().await;
            }
        }
    }
}

/// Swaps a staged restore in for the live database (target `Same`), or leaves it as the new one.
async fn put_in_place(
    url: &DatabaseUrl,
    staged: Staged,
    target: &RestoreTarget,
    backup: &Path,
    tools: &Tools,
) -> Result<String, BackupError> {
    match staged {
        Staged::File { staged, dest } => {
            // A rename is atomic: readers see the old file or the restored one, never a mix.
            std::fs::rename(&staged, &dest).map_err(|e| {
                let _ = std::fs::remove_file(&staged);
                BackupError::io(&dest, e)
            })?;
            for suffix in ["-wal", "-shm"] {
                let mut side = dest.file_name().unwrap_or_default().to_os_string();
                side.push(suffix);
                let _ = std::fs::remove_file(dest.with_file_name(side));
            }
            Ok(format!("sqlite file {}", dest.display()))
        }
        Staged::Database(into) if *target != RestoreTarget::Same => {
            let mut shown = url.clone();
            shown.database = into;
            Ok(shown.to_string())
        }
        Staged::Database(into) if url.schema.is_some() => {
            // The staged database proved the backup loads; the tenant's schema is replaced
            // inside the live database, which its other tenants share.
            let replaced = replace_schema(url, backup, tools).await;
            discard(url, Staged::Database(into)).await;
            replaced.map(|()| url.to_string())
        }
        Staged::Database(into) => {
            let q = |s: &str| quote(url.dialect(), s);
            let mut conn = admin(url).await?;
            let swapped = if url.engine == Engine::Postgres {
                async {
                    exec(
                        &mut conn,
                        &format!("DROP DATABASE {} WITH (FORCE)", q(&url.database)),
                        "dropping the database being replaced",
                    )
                    .await?;
                    exec(
                        &mut conn,
                        &format!("ALTER DATABASE {} RENAME TO {}", q(&into), q(&url.database)),
                        "renaming the restored database into place",
                    )
                    .await
                }
                .await
            } else {
                mysql_reload(&mut conn, url, &into, backup, tools).await
            };
            conn.close().await;
            if let Err(e) = swapped {
                discard(url, Staged::Database(into)).await;
                return Err(e);
            }
            Ok(url.to_string())
        }
    }
}

/// Replaces one tenant's schema with the backup's, in one transaction: the schema dropped and
/// loaded again, or (when anything fails) left as it was.
async fn replace_schema(
    url: &DatabaseUrl,
    backup: &Path,
    tools: &Tools,
) -> Result<(), BackupError> {
    let schema = url.schema.as_deref().unwrap_or_default();
    let restore = tools.find(&["pg_restore"], Engine::Postgres)?;
    let mut cmd = restore.command(url);
    // To standard output: the SQL it would run, which psql runs inside the transaction.
    cmd.args(["--no-owner", "--file=-"]).arg(backup);
    let script = restore.run(cmd, url, None).await?;
    let mut file = tempfile::NamedTempFile::new().map_err(|e| BackupError::io(backup, e))?;
    let drop = format!(
        "DROP SCHEMA IF EXISTS {} CASCADE;\n",
        quote(Engine::Postgres.dialect(), schema)
    );
    file.write_all(drop.as_bytes())
        .and_then(|()| file.write_all(&script))
        .and_then(|()| file.flush())
        .map_err(|e| BackupError::io(file.path(), e))?;
    let psql = tools.find(&["psql"], Engine::Postgres)?;
    let mut cmd = psql.command(url);
    cmd.args(["--single-transaction", "--quiet", "--no-psqlrc"])
        .args(["-v", "ON_ERROR_STOP=1", "--dbname"])
        .arg(&url.database);
    psql.run(cmd, url, Some(file.path())).await.map(|_| ())
}

/// Replaces MySQL database `url.database`: MySQL cannot rename a database, and moving tables
/// across leaves routines and triggers behind, so once the staged load has proven the dump
/// loads (and the file is verified), the live database is emptied and the dump loaded into it.
async fn mysql_reload(
    conn: &mut Connection,
    url: &DatabaseUrl,
    into: &str,
    backup: &Path,
    tools: &Tools,
) -> Result<(), BackupError> {
    let q = |s: &str| quote(Engine::MySql.dialect(), s);
    let charset = mysql_charset(conn, &url.database).await;
    exec(
        conn,
        &format!("DROP DATABASE IF EXISTS {}", q(into)),
        "dropping the staged restore",
    )
    .await?;
    exec(
        conn,
        &format!("DROP DATABASE {}", q(&url.database)),
        "dropping the database being replaced",
    )
    .await?;
    exec(
        conn,
        &format!("CREATE DATABASE {} {charset}", q(&url.database)),
        "creating the database again",
    )
    .await?;
    let tool = tools.find(&["mysql", "mariadb"], Engine::MySql)?;
    let mut cmd = tool.command(url);
    cmd.arg(&url.database);
    tool.run(cmd, url, Some(backup)).await.map(|_| ())
}
