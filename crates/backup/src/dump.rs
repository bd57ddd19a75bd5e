//! Taking a backup: the engine's own dump tool (or SQLite's `VACUUM INTO`), written to a
//! partial file and renamed only when complete, then described by a manifest.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use stratum_db::{literal, Connection, DatabaseUrl, Engine, VersionTable};

use crate::manifest::{checksum, Manifest};
use crate::tools::{major, Tools};
use crate::BackupError;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The file extension a backup of this engine gets.
pub fn extension(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgres => "dump",
        Engine::MySql => "sql",
        Engine::Sqlite => "sqlite",
    }
}

pub fn engine_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgres => "postgres",
        Engine::MySql => "mysql",
        Engine::Sqlite => "sqlite",
    }
}

/// `DIR/DATABASE[LABEL]-YYYYmmdd-HHMMSS-mmm.EXT`: named after the database, sortable by time,
/// and unique even for a safety backup taken in the same second as another.
pub fn backup_path(dir: &Path, url: &DatabaseUrl, label: &str) -> PathBuf {
    let name = match &url.path {
        Some(p) => p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "sqlite".into()),
        None => url.database.clone(),
    };
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S-%3f");
    dir.join(format!("{safe}{label}-{stamp}.{}", extension(url.engine)))
}

/// Backs `url` up into `out`. Nothing is left at `out` unless the backup is complete.
pub async fn backup(
    url: &DatabaseUrl,
    version_table: &VersionTable,
    tools: &Tools,
    out: &Path,
) -> Result<Manifest, BackupError> {
    let started = Instant::now();
    tracing::info!(db = %url, file = %out.display(), "backup started");
    let taken = backup_unlogged(url, version_table, tools, out).await;
    match &taken {
        Ok(m) => tracing::info!(
            db = %url,
            file = %out.display(),
            bytes = m.size,
            ms = m.duration_ms,
            tool = %m.tool,
            tool_version = %m.tool_version,
            "backup taken"
        ),
        Err(e) => tracing::warn!(
            db = %url,
            file = %out.display(),
            ms = stratum_db::elapsed_ms(started),
            error = %e,
            "backup failed"
        ),
    }
    taken
}

async fn backup_unlogged(
    url: &DatabaseUrl,
    version_table: &VersionTable,
    tools: &Tools,
    out: &Path,
) -> Result<Manifest, BackupError> {
    // The engine's tool goes through the bastion's tunnel like every connection.
    let url = &stratum_db::tunnel::reachable(url).await?;
    if out.exists() {
        return Err(BackupError::Io {
            path: out.to_path_buf(),
            message: "already exists; refusing to overwrite a backup".into(),
        });
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| BackupError::io(dir, e))?;
    }
    let started = Instant::now();
    let mut conn = Connection::connect(url, CONNECT_TIMEOUT).await?;
    let rows = conn.version_rows(version_table).await;
    let partial = partial_path(out);
    let taken = take(url, &mut conn, tools, &partial).await;
    conn.close().await;
    let (tool, tool_version) = match taken {
        Ok(t) => t,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            if e.is_disk_full() {
                let dir = out.parent().unwrap_or(out).to_path_buf();
                return Err(BackupError::DiskFull {
                    path: dir,
                    detail: e.to_string(),
                });
            }
            return Err(e);
        }
    };
    let rows = rows?;
    std::fs::rename(&partial, out).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        BackupError::io(out, e)
    })?;
    let (sha256, size) = checksum(out).await?;
    let manifest = Manifest {
        engine: engine_name(url.engine).into(),
        database: url.to_string(),
        taken_at: chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string(),
        rows,
        size,
        sha256,
        duration_ms: stratum_db::elapsed_ms(started),
        tool,
        tool_version,
    };
    if let Err(e) = manifest.write(out) {
        let _ = std::fs::remove_file(out);
        return Err(e);
    }
    Ok(manifest)
}

pub(crate) fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

async fn take(
    url: &DatabaseUrl,
    conn: &mut Connection,
    tools: &Tools,
    partial: &Path,
) -> Result<(String, String), BackupError> {
    match url.engine {
        Engine::Postgres => {
            let tool = tools.find(&["pg_dump"], Engine::Postgres)?;
            let version = tool.version().await?;
            let server = conn
                .query_strings("SHOW server_version")
                .await
                .map_err(|e| stratum_db::DbError::query("reading the server version", e))?;
            let server_major = server.first().and_then(|v| major(v));
            if let (Some(t), Some(s)) = (major(&version), server_major) {
                if t < s {
                    return Err(BackupError::ToolTooOld {
                        tool: tool.path.display().to_string(),
                        tool_major: t,
                        server_major: s,
                        fix: format!("Install pg_dump {s} or newer (Debian/Ubuntu: apt install postgresql-client-{s}), or set `tools_dir` under [backup] in stratum.toml (or STRATUM_TOOLS_DIR) to its folder, e.g. /usr/lib/postgresql/{s}/bin."),
                    });
                }
            }
            let mut cmd = tool.command(url);
            cmd.arg("--format=custom")
                .arg("--file")
                .arg(partial)
                .arg("--dbname")
                .arg(&url.database);
            // A tenant's backup is its schema: the other tenants are not its to restore.
            if let Some(schema) = &url.schema {
                cmd.arg(format!("--schema={}", pg_pattern(schema)));
            }
            tool.run(cmd, url, None).await?;
            Ok((tool.name, version))
        }
        Engine::MySql => {
            let tool = tools.find(&["mysqldump", "mariadb-dump"], Engine::MySql)?;
            let version = tool.version().await?;
            let mut cmd = tool.command(url);
            cmd.args([
                "--single-transaction",
                "--routines",
                "--triggers",
                "--events",
                "--hex-blob",
                "--no-tablespaces",
                "--default-character-set=utf8mb4",
            ])
            .arg(format!("--result-file={}", partial.display()))
            .arg(&url.database);
            tool.run(cmd, url, None).await?;
            Ok((tool.name, version))
        }
        Engine::Sqlite => {
            // VACUUM INTO writes a consistent, compacted copy while others keep reading.
            let target = literal(Engine::Sqlite.dialect(), &partial.display().to_string());
            conn.execute(&format!("VACUUM INTO {target}"))
                .await
                .map_err(|e| stratum_db::DbError::query("copying the SQLite database", e))?;
            let version = conn
                .query_strings("SELECT sqlite_version()")
                .await
                .map_err(|e| stratum_db::DbError::query("reading the SQLite version", e))?;
            Ok((
                "sqlite VACUUM INTO".into(),
                format!("SQLite {}", version.first().cloned().unwrap_or_default()),
            ))
        }
    }
}

/// A schema name as pg_dump's `--schema` pattern: quoted, so that `*`, `?` and `.` are taken
/// as written and case is kept.
fn pg_pattern(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
