use std::path::PathBuf;

use stratum_graph::GraphError;
use thiserror::Error;

fn show(p: &std::path::Path) -> String {
    p.display().to_string()
}

/// What can be wrong with a project folder. Every variant names the file, and the line where
/// there is one.
#[derive(Debug, Error)]
pub enum ProjectError {
    #[error("{}: {message}", show(.path))]
    Io { path: PathBuf, message: String },
    #[error("{}: not a Stratum project: there is no {} here (run `stratum init` to create one)", show(.dir), crate::CONFIG_FILE)]
    NotAProject { dir: PathBuf },
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
