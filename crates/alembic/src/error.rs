use std::path::PathBuf;

use stratum_db::DbError;
use stratum_graph::GraphError;
use stratum_project::ProjectError;
use thiserror::Error;

/// Where in the project a Python error happened.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    /// The line of Python there.
    #[serde(default)]
    pub code: String,
}

/// What can go wrong driving a project's own Alembic, in words a user can act on.
#[derive(Debug, Error)]
pub enum AlembicError {
    #[error("no Python with Alembic was found (tried {looked}); set the project's Python in the profile (or STRATUM_PYTHON), or install Alembic in the project's virtualenv (.venv, venv or env)")]
    NoPython { looked: String },
    #[error("cannot start {}: {message}", .python.display())]
    Start { python: PathBuf, message: String },
    /// Alembic (or the project's env.py) raised an error.
    #[error("alembic {command} failed{}: {message}", .at.as_ref().map(|l| format!(" at {}:{}", l.file, l.line)).unwrap_or_default())]
    Failed {
        command: String,
        message: String,
        at: Option<Box<Location>>,
        /// Alembic's last lines of output.
        output: Vec<String>,
    },
    #[error("{}: not an Alembic project (there is no alembic.ini, nor [tool.alembic] in a pyproject.toml)", .0.display())]
    NotAlembic(PathBuf),
    #[error("alembic {command} was cancelled")]
    Cancelled { command: String },
    /// Revisions whose Python cannot be turned into SQL by Alembic's offline mode.
    #[error("Alembic's offline mode cannot render the SQL of {}", .0.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("; "))]
    Render(Vec<RenderFailure>),
    #[error("{}: already exists and is not empty; choose a new folder for the converted project", .0.display())]
    NotEmpty(PathBuf),
    #[error("{}: {message}", .path.display())]
    Io { path: PathBuf, message: String },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Project(#[from] ProjectError),
    #[error(transparent)]
    Graph(#[from] GraphError),
}

/// One revision that Alembic's offline mode could not render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderFailure {
    pub revision: String,
    pub upgrade: bool,
    pub message: String,
    pub at: Option<Location>,
}

impl std::fmt::Display for RenderFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.upgrade { "upgrade" } else { "downgrade" };
        write!(f, "{} ({what}", self.revision)?;
        if let Some(at) = &self.at {
            write!(f, " at {}:{}", at.file, at.line)?;
        }
        write!(f, "): {}", self.message)
    }
}

impl AlembicError {
    pub(crate) fn io(path: impl Into<PathBuf>, e: std::io::Error) -> AlembicError {
        AlembicError::Io {
            path: path.into(),
            message: e.to_string(),
        }
    }
}

impl From<AlembicError> for DbError {
    /// A run's failure stays the database layer's own (with its revision, file and rows); any
    /// other problem is reported in Alembic's words.
    fn from(e: AlembicError) -> DbError {
        match e {
            AlembicError::Db(d) => d,
            other => DbError::Tool(other.to_string()),
        }
    }
}
