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
    /// A connection failed: what happened, and the connection setting to look at.
    #[error("{}", .0.message)]
    Connection(crate::views::ConnectionProblem),
    /// The app's own store failed.
    #[error("{0}")]
    Store(String),
    /// An Alembic project's own Alembic (its Python, its env.py) could not do it.
    #[error("{0}")]
    Alembic(String),
    /// A revision file computes a value Stratum needs; the window asks for it.
    #[error("{}", .0.message)]
    ComputedValue(crate::views::ComputedValue),
    /// An Alembic project's code would run and its folder is not trusted: nothing was started.
    #[error("{}", .0.message)]
    Untrusted(crate::views::UntrustedFolder),
}

impl From<stratum_db::DbError> for AppError {
    fn from(e: stratum_db::DbError) -> Self {
        use stratum_db::DbError as E;
        match e {
            E::Project(p) => p.into(),
            E::Url(_) | E::Plan(_) | E::MissingFile(_) => AppError::Input(e.to_string()),
            E::Tool(m) => AppError::Alembic(m),
            E::Connect { .. }
            | E::ConnectTimeout { .. }
            | E::Ssh { .. }
            | E::SshUnknownHost { .. }
            | E::SshHostKeyChanged { .. } => {
                AppError::Connection(crate::views::ConnectionProblem {
                    field: e.connect_field(),
                    ssh_fingerprint: match &e {
                        E::SshUnknownHost { fingerprint, .. } => Some(fingerprint.clone()),
                        _ => None,
                    },
                    message: e.to_string(),
                })
            }
            other => AppError::Database(other.to_string()),
        }
    }
}

impl From<stratum_project::ProjectError> for AppError {
    fn from(e: stratum_project::ProjectError) -> Self {
        match &e {
            stratum_project::ProjectError::Computed {
                path, line, name, ..
            } => AppError::ComputedValue(crate::views::ComputedValue {
                message: e.to_string(),
                file: path.display().to_string(),
                line: u32::try_from(*line).unwrap_or(u32::MAX),
                name: name.clone(),
            }),
            _ => AppError::Input(e.to_string()),
        }
    }
}

impl From<stratum_operations::OperationError> for AppError {
    fn from(e: stratum_operations::OperationError) -> Self {
        use stratum_operations::OperationError as E;
        match e {
            E::Db(d) => d.into(),
            E::Project(p) => p.into(),
            E::Graph(g) => g.into(),
            E::Alembic(a) => a.into(),
            E::Backup(b) => b.into(),
            E::Store(s) => s.into(),
            E::Schema(s) => AppError::Database(s.to_string()),
            E::Input(_) | E::Blocked(_) | E::Gate(_) => AppError::Input(e.to_string()),
        }
    }
}

impl From<stratum_alembic::AlembicError> for AppError {
    fn from(e: stratum_alembic::AlembicError) -> Self {
        use stratum_alembic::AlembicError as E;
        match e {
            E::Db(d) => d.into(),
            E::Project(p) => p.into(),
            E::Graph(g) => g.into(),
            E::NotEmpty(_) | E::NotAlembic(_) => AppError::Input(e.to_string()),
            other => AppError::Alembic(other.to_string()),
        }
    }
}

impl From<stratum_graph::GraphError> for AppError {
    fn from(e: stratum_graph::GraphError) -> Self {
        AppError::Input(e.to_string())
    }
}

impl From<stratum_store::StoreError> for AppError {
    fn from(e: stratum_store::StoreError) -> Self {
        match e {
            stratum_store::StoreError::Folder(m) => AppError::Input(m),
            other => AppError::Store(other.to_string()),
        }
    }
}
