use std::path::PathBuf;

use stratum_graph::GraphError;
use thiserror::Error;

fn show(p: &std::path::Path) -> String {
    p.display().to_string()
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What can be wrong with a project folder. Every variant names the file, and the line where
/// there is one.
#[derive(Debug, Error)]
pub enum ProjectError {
    #[error("{}: {message}", show(.path))]
    Io { path: PathBuf, message: String },
    #[error("{}: not a migration project: there is no {} (a Stratum project; `stratum init` creates one) and no alembic.ini or pyproject.toml with [tool.alembic] (an Alembic project) here", show(.dir), crate::CONFIG_FILE)]
    NotAProject { dir: PathBuf },
    /// A Python revision computes one of the names Alembic reads; the user can supply it.
    #[error("{}:{line}: {why}, which Stratum cannot know without running Python: write the value literally, or give it in the profile (Alembic values: `{}: {name} = VALUE`)", show(.path), file_name(.path))]
    Computed {
        path: PathBuf,
        line: usize,
        name: String,
        why: String,
    },
    #[error("{}: {message}", show(.path))]
    Config { path: PathBuf, message: String },
    #[error("{}:{line}: {message}", show(.path))]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{}:{line}: {source}", show(.path))]
    Graph {
        path: PathBuf,
        line: usize,
        source: GraphError,
    },
    #[error("{source} (in {files})")]
    GraphFiles { source: GraphError, files: String },
    #[error("{}: already exists; refusing to overwrite it", show(.path))]
    Exists { path: PathBuf },
}

impl ProjectError {
    pub fn io(path: impl Into<PathBuf>, err: std::io::Error) -> Self {
        ProjectError::Io {
            path: path.into(),
            message: err.to_string(),
        }
    }
}
