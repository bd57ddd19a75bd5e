use thiserror::Error;

/// What can stop an operation on a profile's database, in words a user can act on. Each
/// lower layer's error keeps its own message.
#[derive(Debug, Error)]
pub enum OperationError {
    #[error(transparent)]
    Db(#[from] stratum_db::DbError),
    #[error(transparent)]
    Project(#[from] stratum_project::ProjectError),
    #[error(transparent)]
    Graph(#[from] stratum_graph::GraphError),
    #[error(transparent)]
    Alembic(#[from] stratum_alembic::AlembicError),
    #[error(transparent)]
    Backup(#[from] stratum_backup::BackupError),
    #[error(transparent)]
    Store(#[from] stratum_store::StoreError),
    #[error(transparent)]
    Schema(#[from] stratum_schema::SchemaError),
    /// Something the user chose or wrote does not hold (a profile's settings, a selection).
    #[error("{0}")]
    Input(String),
    /// The release gate's checklist is not met and nobody overrode it.
    #[error("{0}")]
    Gate(String),
    /// Blocking safety findings are not acknowledged.
    #[error("blocking findings are not acknowledged: {0}. Fix the SQL, or acknowledge each with `-- stratum: allow RULE REASON` on the line above the statement")]
    Blocked(String),
}
