use serde::Serialize;

/// The one error type the window sees: a kind to branch on and a message to show.
#[derive(Debug, thiserror::Error, Serialize, specta::Type)]
#[serde(tag = "kind", content = "message", rename_all = "snake_case")]
pub enum AppError {
    /// Something the user gave or chose is not valid (a target, a malformed project).
    #[error("{0}")]
    Input(String),
    /// The database could not be reached or read.
    #[error("{0}")]
    Database(String),
    /// The app's own store failed.
    #[error("{0}")]
    Store(String),
}

impl From<stratum_db::DbError> for AppError {
    fn from(e: stratum_db::DbError) -> Self {
        use stratum_db::DbError as E;
        match e {
            E::Url(_) | E::Plan(_) | E::Project(_) | E::MissingFile(_) => {
                AppError::Input(e.to_string())
            }
            other => AppError::Database(other.to_string()),
        }
    }
}

impl From<stratum_project::ProjectError> for AppError {
    fn from(e: stratum_project::ProjectError) -> Self {
        AppError::Input(e.to_string())
    }
}

impl From<stratum_graph::GraphError> for AppError {
    fn from(e: stratum_graph::GraphError) -> Self {
        AppError::Input(e.to_string())
    }
}

impl From<stratum_store::StoreError> for AppError {
    fn from(e: stratum_store::StoreError) -> Self {
        AppError::Store(e.to_string())
    }
}
