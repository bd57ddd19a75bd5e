//! Restoring a verified backup into the same database or a new one. The backup is first
//! restored somewhere new; the live database is only replaced once that has worked, so a
//! failing restore leaves it as it was.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use stratum_db::{quote, Connection, DatabaseUrl, DbError, Engine};

use crate::dump::engine_name;
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// The database restored into, as shown to a user.
    pub database: String,
    pub rows: Vec<String>,
    pub duration_ms: u64,
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn restore(
    url: &DatabaseUrl,
    backup: &Path,
    tools: &Tools,
    target: &RestoreTarget,
) -> Result<Restored, BackupError> {
    let started = Instant::now();
    let verified = verify(backup, tools).await?;
    if verified.manifest.engine != engine_name(url.engine) {
        return Err(BackupError::WrongEngine {
            found: verified.manifest.engine,
            target: url.to_string(),
        });
    }
    let database = match url.engine {
        Engine::Postgres => postgres(url, backup, tools, target).await?,
        Engine::MySql => mysql(url, backup, tools, target).await?,
        Engine::Sqlite => sqlite(url, backup, target)?,
    };
    Ok(Restored {
        database,
        rows: verified.manifest.rows,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
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

async fn postgres(
    url: &DatabaseUrl,
    backup: &Path,
    tools: &Tools,
    target: &RestoreTarget,
) -> Result<String, BackupError> {
    let tool = tools.find(&["pg_restore"], Engine::Postgres)?;
    let q = |s: &str| quote(Engine::Postgres.dialect(), s);
    let mut maintenance = url.clone();
    maintenance.database = "postgres".into();
    let mut conn = Connection::connect(&maintenance, CONNECT_TIMEOUT).await?;
    let into = match target {
        RestoreTarget::Same => scratch_name(&url.database),
        RestoreTarget::New(name) => name.clone(),
    };
    exec(
        &mut conn,
        &format!("CREATE DATABASE {}", q(&into)),
        "creating the database to restore into",
    )
    .await?;
    let mut into_url = url.clone();
    into_url.database = into.clone();
    let mut cmd = tool.command(&into_url);
    cmd.args(["--no-owner", "--exit-on-error", "--single-transaction"])
        .arg("--dbname")
        .arg(&into)
        .arg(backup);
    if let Err(e) = tool.run(cmd, &into_url, None).await {
        let _ = exec(
            &mut conn,
            &format!("DROP DATABASE IF EXISTS {}", q(&into)),
            "",
        )
        .await;
        conn.close().await;
        return Err(e);
    }
    if *target == RestoreTarget::Same {
        let swapped = async {
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
        .await;
        if let Err(e) = swapped {
            let _ = exec(
                &mut conn,
                &format!("DROP DATABASE IF EXISTS {}", q(&into)),
                "",
            )
            .await;
            conn.close().await;
            return Err(e);
        }
    }
    conn.close().await;
    Ok(match target {
        RestoreTarget::Same => url.to_string(),
        RestoreTarget::New(_) => into_url.to_string(),
    })
}

async fn mysql(
    url: &DatabaseUrl,
    backup: &Path,
    tools: &Tools,
    target: &RestoreTarget,
) -> Result<String, BackupError> {
    let tool = tools.find(&["mysql", "mariadb"], Engine::MySql)?;
    let q = |s: &str| quote(Engine::MySql.dialect(), s);
    let mut conn = Connection::connect(url, CONNECT_TIMEOUT).await?;
    let charset = conn
        .query_strings(&format!(
            "SELECT CONCAT('CHARACTER SET ', DEFAULT_CHARACTER_SET_NAME, ' COLLATE ', DEFAULT_COLLATION_NAME) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = {}",
            stratum_db::literal(Engine::MySql.dialect(), &url.database)
        ))
        .await
        .ok()
        .and_then(|v| v.into_iter().next())
        .unwrap_or_default();
    // Load into a new database first: a dump that does not load must not cost the live one.
    let into = match target {
        RestoreTarget::Same => scratch_name(&url.database),
        RestoreTarget::New(name) => name.clone(),
    };
    let load = |db: String| {
        let mut cmd = tool.command(url);
        cmd.arg(db);
        cmd
    };
    exec(
        &mut conn,
        &format!("CREATE DATABASE {} {charset}", q(&into)),
        "creating the database to restore into",
    )
    .await?;
    if let Err(e) = tool.run(load(into.clone()), url, Some(backup)).await {
        let _ = exec(
            &mut conn,
            &format!("DROP DATABASE IF EXISTS {}", q(&into)),
            "",
        )
        .await;
        conn.close().await;
        return Err(e);
    }
    if *target == RestoreTarget::Same {
        // MySQL cannot rename a database: once the dump is known to load, load it again in place.
        let _ = exec(
            &mut conn,
            &format!("DROP DATABASE IF EXISTS {}", q(&into)),
            "",
        )
        .await;
        exec(
            &mut conn,
            &format!("DROP DATABASE {}", q(&url.database)),
            "dropping the database being replaced",
        )
        .await?;
        exec(
            &mut conn,
            &format!("CREATE DATABASE {} {charset}", q(&url.database)),
            "creating the database again",
        )
        .await?;
        tool.run(load(url.database.clone()), url, Some(backup))
            .await?;
    }
    conn.close().await;
    let mut shown = url.clone();
    shown.database = into;
    Ok(match target {
        RestoreTarget::Same => url.to_string(),
        RestoreTarget::New(_) => shown.to_string(),
    })
}

fn sqlite(url: &DatabaseUrl, backup: &Path, target: &RestoreTarget) -> Result<String, BackupError> {
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
    let mut staged = dest.file_name().unwrap_or_default().to_os_string();
    staged.push(".restoring");
    let staged = dest.with_file_name(staged);
    std::fs::copy(backup, &staged).map_err(|e| {
        let _ = std::fs::remove_file(&staged);
        BackupError::io(&staged, e)
    })?;
    // A rename is atomic: readers see the old file or the restored one, never half of each.
    std::fs::rename(&staged, &dest).map_err(|e| BackupError::io(&dest, e))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = dest.file_name().unwrap_or_default().to_os_string();
        side.push(suffix);
        let _ = std::fs::remove_file(dest.with_file_name(side));
    }
    Ok(format!("sqlite file {}", dest.display()))
}
