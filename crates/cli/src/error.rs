use stratum_alembic::AlembicError;
use stratum_backup::BackupError;
use stratum_db::DbError;
use stratum_graph::GraphError;
use stratum_operations::OperationError;
use stratum_project::ProjectError;
use stratum_store::StoreError;
use thiserror::Error;

/// The CLI's errors, split by exit code: bad input (2) or a failed operation (1).
#[derive(Debug, Error)]
pub enum CliError {
    #[error("{0}")]
    Input(String),
    #[error("{0}")]
    Failed(String),
    /// The command did its work and its answer is "no": findings block, schemas differ. The
    /// details are already printed.
    #[error("{0}")]
    Blocked(String),
    #[error("{message}")]
    RunFailed {
        message: String,
        failure: Box<stratum_db::RunFailure>,
    },
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Input(_) => 2,
            CliError::Failed(_) | CliError::RunFailed { .. } | CliError::Blocked(_) => 1,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            CliError::Input(_) => "input",
            CliError::Failed(_) => "failed",
            CliError::Blocked(_) => "blocked",
            CliError::RunFailed { .. } => "migration_failed",
        }
    }
}

/// An interrupted revision in words, with the command that finishes it.
pub fn interrupted_message(i: &stratum_db::Interruption) -> String {
    let verb = match i.direction {
        stratum_graph::Direction::Downgrade => "downgrade <target>",
        _ => "upgrade head",
    };
    if i.edited {
        return i.to_string();
    }
    let answer = if i.needs_answer() {
        " with --statement-ran or --statement-not-ran"
    } else {
        ""
    };
    format!("{i}\nTo finish it: stratum {verb} --resume{answer}")
}

impl From<ProjectError> for CliError {
    fn from(e: ProjectError) -> Self {
        CliError::Input(e.to_string())
    }
}

impl From<GraphError> for CliError {
    fn from(e: GraphError) -> Self {
        CliError::Input(e.to_string())
    }
}

impl From<DbError> for CliError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Url(_) | DbError::Plan(_) | DbError::Project(_) | DbError::MissingFile(_) => {
                CliError::Input(e.to_string())
            }
            DbError::Failed(f) => CliError::RunFailed {
                message: f.to_string(),
                failure: f,
            },
            DbError::Interrupted(i) => CliError::Failed(interrupted_message(&i)),
            other => CliError::Failed(other.to_string()),
        }
    }
}

impl From<AlembicError> for CliError {
    fn from(e: AlembicError) -> Self {
        match e {
            AlembicError::Db(d) => d.into(),
            AlembicError::Project(p) => p.into(),
            AlembicError::Graph(g) => g.into(),
            AlembicError::NotEmpty(_) | AlembicError::NotAlembic(_) => {
                CliError::Input(e.to_string())
            }
            other => CliError::Failed(other.to_string()),
        }
    }
}

impl From<BackupError> for CliError {
    fn from(e: BackupError) -> Self {
        match e {
            BackupError::Db(db) => db.into(),
            BackupError::Corrupt { .. }
            | BackupError::ChecksumMismatch { .. }
            | BackupError::NoManifest { .. }
            | BackupError::WrongEngine { .. } => CliError::Input(e.to_string()),
            other => CliError::Failed(other.to_string()),
        }
    }
}

impl From<OperationError> for CliError {
    fn from(e: OperationError) -> Self {
        use OperationError as E;
        match e {
            E::Db(d) => d.into(),
            E::Project(p) => p.into(),
            E::Graph(g) => g.into(),
            E::Input(_) => CliError::Input(e.to_string()),
            other => CliError::Failed(other.to_string()),
        }
    }
}

/// The app's store cannot be read or written: nothing the command's arguments can fix.
impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        CliError::Failed(e.to_string())
    }
}
