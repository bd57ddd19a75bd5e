use std::path::PathBuf;

use thiserror::Error;

fn show(p: &std::path::Path) -> String {
    p.display().to_string()
}

/// What can go wrong with a backup or a restore. Each message says what to do about it; none
/// carries a password.
#[derive(Debug, Error)]
pub enum BackupError {
    #[error("{tool} was not found (looked in {searched}). {fix}")]
    MissingTool {
        tool: String,
        searched: String,
        fix: String,
    },
    #[error("{tool} {tool_major} is older than the server (PostgreSQL {server_major}) and cannot dump it. {fix}")]
    ToolTooOld {
        tool: String,
        tool_major: u32,
        server_major: u32,
        fix: String,
    },
    #[error("{tool} failed ({status}): {stderr}")]
    ToolFailed {
        tool: String,
        status: String,
        stderr: String,
    },
    #[error("{}: {message}", show(.path))]
    Io { path: PathBuf, message: String },
    #[error("{}: the disk is full, so the backup could not be written and none was kept; free some space there or choose another backup folder ({detail})", show(.path))]
    DiskFull { path: PathBuf, detail: String },
    #[error("{}: the backup is damaged: {detail}", show(.path))]
    Corrupt { path: PathBuf, detail: String },
    #[error("{}: the backup does not match its checksum (expected {expected}, found {actual}): it was changed or damaged after it was taken", show(.path))]
    ChecksumMismatch {
        path: PathBuf,
        expected: String,
        actual: String,
    },
    #[error("{}: there is no manifest ({}) beside the backup; it was not taken by Stratum or the manifest was removed", show(.path), show(.manifest))]
    NoManifest { path: PathBuf, manifest: PathBuf },
    #[error("this backup is of a {found} database; it cannot be restored into {target}")]
    WrongEngine { found: String, target: String },
    #[error(transparent)]
    Db(#[from] stratum_db::DbError),
}

/// Whether a tool's or an engine's words mean the disk filled up (ENOSPC as each one says it).
pub(crate) fn says_disk_full(text: &str) -> bool {
    let text = text.to_lowercase();
    [
        "no space left on device",
        "errno 28",
        "errcode: 28",
        "database or disk is full",
        "the disk is full",
    ]
    .iter()
    .any(|s| text.contains(s))
}

impl BackupError {
    /// The error means the disk filled up while writing.
    pub fn is_disk_full(&self) -> bool {
        match self {
            BackupError::DiskFull { .. } => true,
            BackupError::ToolFailed { stderr, .. } => says_disk_full(stderr),
            BackupError::Io { message, .. } => says_disk_full(message),
            BackupError::Db(e) => says_disk_full(&e.to_string()),
            _ => false,
        }
    }

    pub fn io(path: impl Into<PathBuf>, err: std::io::Error) -> Self {
        BackupError::Io {
            path: path.into(),
            message: match err.raw_os_error() {
                Some(28) => "the disk is full".to_string(),
                _ => err.to_string(),
            },
        }
    }
}
