//! The one error type every store call returns.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the local store at {path}: {message}")]
    Open { path: String, message: String },
    #[error("the local store could not be updated to this version of Stratum: {0}")]
    Migrate(String),
    #[error("the local store at {path} was written by a newer Stratum ({written_by}, store schema {found}; this is Stratum {this}, which knows schema {known}): install Stratum {written_by} or newer, or start this one with another data folder. The store was not changed")]
    Newer {
        path: String,
        written_by: String,
        found: i64,
        this: String,
        known: i64,
    },
    #[error("the local store failed: {0}")]
    Query(String),
    #[error("there is no profile {0}")]
    NoProfile(i64),
    #[error("there is no backup {0} in the catalogue")]
    NoBackup(i64),
    #[error("there is no batch {0}")]
    NoBatch(i64),
    /// A folder to trust that does not exist or is not a folder.
    #[error("{0}")]
    Folder(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Query(e.to_string())
    }
}
