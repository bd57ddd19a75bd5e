//! Checking a backup before trusting it: its checksum against the manifest, then the engine's
//! own reading of it (pg_restore's listing, mysqldump's completion line, SQLite's integrity check).

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::Duration;

use stratum_db::{Connection, DatabaseUrl, Engine};

use crate::manifest::{checksum, Manifest};
use crate::tools::Tools;
use crate::BackupError;

/// What was checked, in words, for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub manifest: Manifest,
    pub checks: Vec<String>,
}

pub async fn verify(path: &Path, tools: &Tools) -> Result<Verified, BackupError> {
    let manifest = Manifest::read(path)?;
    let (sha256, size) = checksum(path).await?;
    if sha256 != manifest.sha256 || size != manifest.size {
        return Err(BackupError::ChecksumMismatch {
            path: path.to_path_buf(),
            expected: manifest.sha256.clone(),
            actual: sha256,
        });
    }
    let mut checks = vec![format!("SHA-256 matches ({size} bytes)")];
    match manifest.engine.as_str() {
        "postgres" => {
            let tool = tools.find(&["pg_restore"], Engine::Postgres)?;
            let mut cmd = tokio::process::Command::new(&tool.path);
            cmd.arg("--list")
                .arg(path)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let out = cmd
                .output()
                .await
                .map_err(|e| BackupError::io(&tool.path, e))?;
            if !out.status.success() {
                return Err(BackupError::Corrupt {
                    path: path.to_path_buf(),
                    detail: format!(
                        "pg_restore cannot read its table of contents: {}",
                        String::from_utf8_lossy(&out.stderr).trim()
                    ),
                });
            }
            let entries = String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
                .count();
            checks.push(format!("pg_restore lists {entries} entries"));
        }
        "mysql" => {
            let tail = read_tail(path, 4096)?;
            if !tail.contains("-- Dump completed") {
                return Err(BackupError::Corrupt {
                    path: path.to_path_buf(),
                    detail: "the dump does not end with mysqldump's \"Dump completed\" line: it was cut short".into(),
                });
            }
            checks.push("the dump is complete".into());
        }
        "sqlite" => {
            let url = DatabaseUrl::parse(&format!("sqlite:///{}", path.display()))?;
            let mut conn = Connection::connect(&url, Duration::from_secs(10)).await?;
            let result = conn.query_strings("PRAGMA integrity_check").await;
            conn.close().await;
            let result = result.map_err(|e| BackupError::Corrupt {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })?;
            if result.first().map(String::as_str) != Some("ok") {
                return Err(BackupError::Corrupt {
                    path: path.to_path_buf(),
                    detail: format!("SQLite's integrity check says: {}", result.join("; ")),
                });
            }
            checks.push("SQLite integrity check: ok".into());
        }
        other => {
            return Err(BackupError::Corrupt {
                path: path.to_path_buf(),
                detail: format!("the manifest names an unknown engine {other:?}"),
            })
        }
    }
    Ok(Verified { manifest, checks })
}

fn read_tail(path: &Path, n: u64) -> Result<String, BackupError> {
    let mut f = std::fs::File::open(path).map_err(|e| BackupError::io(path, e))?;
    let len = f.metadata().map_err(|e| BackupError::io(path, e))?.len();
    f.seek(SeekFrom::Start(len.saturating_sub(n)))
        .map_err(|e| BackupError::io(path, e))?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)
        .map_err(|e| BackupError::io(path, e))?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}
