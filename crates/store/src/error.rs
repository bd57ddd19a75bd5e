//! The one error type every store call returns.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the local store at {path}: {message}")]
    Open { path: String, message: String },
    #[error("the local store could not be updated to this version of Stratum: {0}")]
    Migrate(String),
    #[error("the local store failed: {0}")]
    Query(String),
    #[error("there is no profile {0}")]
    NoProfile(i64),
    #[error("there is no backup {0} in the catalogue")]
    NoBackup(i64),
    #[error("there is no batch {0}")]
    NoBatch(i64),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Query(e.to_string())
    }
}
