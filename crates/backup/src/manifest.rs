//! The manifest written beside every backup: what it holds and how to check it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use crate::BackupError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// "postgres", "mysql" or "sqlite".
    pub engine: String,
    /// The database, as shown to a user (no password).
    pub database: String,
    pub taken_at: String,
    /// The version table's rows when the backup was taken.
    pub rows: Vec<String>,
    pub size: u64,
    pub sha256: String,
    pub duration_ms: u64,
    pub tool: String,
    pub tool_version: String,
}

impl Manifest {
    pub fn path_for(backup: &Path) -> PathBuf {
        let mut name = backup.file_name().unwrap_or_default().to_os_string();
        name.push(".json");
        backup.with_file_name(name)
    }

    pub fn read(backup: &Path) -> Result<Manifest, BackupError> {
        let path = Manifest::path_for(backup);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(BackupError::NoManifest {
                    path: backup.to_path_buf(),
                    manifest: path,
                })
            }
            Err(e) => return Err(BackupError::io(&path, e)),
        };
        serde_json::from_str(&text).map_err(|e| BackupError::Corrupt {
            path: path.clone(),
            detail: format!("the manifest cannot be read: {e}"),
        })
    }

    pub fn write(&self, backup: &Path) -> Result<(), BackupError> {
        let path = Manifest::path_for(backup);
        let text = serde_json::to_string_pretty(self).map_err(|e| BackupError::Io {
            path: path.clone(),
            message: e.to_string(),
        })?;
        std::fs::write(&path, text).map_err(|e| BackupError::io(&path, e))
    }
}

/// SHA-256 and size of a file, read in large blocks (backups can be gigabytes).
pub async fn checksum(path: &Path) -> Result<(String, u64), BackupError> {
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| BackupError::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .await
            .map_err(|e| BackupError::io(path, e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((hex, size))
}
