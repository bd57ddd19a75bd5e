use std::collections::HashMap;
use std::path::{Path, PathBuf};

use stratum_graph::{GraphError, RevisionMap};

use crate::{Config, ProjectError, RevisionFile, CONFIG_FILE};

/// An opened project: its configuration, its revision files in load order, and their graph.
#[derive(Debug, Clone)]
pub struct Project {
    pub dir: PathBuf,
    pub config: Config,
    pub files: Vec<RevisionFile>,
    pub map: RevisionMap,
    by_id: HashMap<String, usize>,
}

impl Project {
    pub fn open(dir: &Path) -> Result<Project, ProjectError> {
        let config_path = dir.join(CONFIG_FILE);
        if !config_path.is_file() {
            return Err(ProjectError::NotAProject { dir: dir.into() });
        }
        let config = Config::load(&config_path)?;
        let versions = dir.join(&config.project.versions);
        let files = read_versions(&versions)?;
        Project::from_files(dir, config, files)
    }

    pub fn from_files(
        dir: &Path,
        config: Config,
        files: Vec<RevisionFile>,
    ) -> Result<Project, ProjectError> {
        let mut by_id = HashMap::with_capacity(files.len());
        for (i, f) in files.iter().enumerate() {
            if let Some(first) = by_id.insert(f.id().to_string(), i) {
                let first: &RevisionFile = &files[first];
                return Err(ProjectError::Parse {
                    path: f.path.clone(),
                    line: f.line_of("revision"),
                    message: format!(
                        "revision '{}' is also defined in {}",
                        f.id(),
                        first.path.display()
                    ),
                });
            }
        }
        let map = RevisionMap::new(files.iter().map(|f| f.revision.clone()).collect())
            .map_err(|e| locate(&files, &by_id, e))?;
        Ok(Project {
            dir: dir.into(),
            config,
            files,
            map,
            by_id,
        })
    }

    pub fn versions_dir(&self) -> PathBuf {
        self.dir.join(&self.config.project.versions)
    }

    pub fn file(&self, id: &str) -> Option<&RevisionFile> {
        self.by_id.get(id).map(|&i| &self.files[i])
    }
}

/// `.sql` files of the versions folder, in sorted file-name order (the load order).
fn read_versions(versions: &Path) -> Result<Vec<RevisionFile>, ProjectError> {
    let entries = std::fs::read_dir(versions).map_err(|e| ProjectError::io(versions, e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| ProjectError::io(versions, e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_file = entry.file_type().map(|t| t.is_file()).unwrap_or(false);
        if is_file && name.ends_with(".sql") && !name.starts_with('.') {
            paths.push(entry.path());
        }
    }
    paths.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    paths.iter().map(|p| RevisionFile::read(p)).collect()
}

/// Points a graph error at the file (and header line) it is about.
fn locate(files: &[RevisionFile], by_id: &HashMap<String, usize>, e: GraphError) -> ProjectError {
    let at = |id: &str, key: &str, e: GraphError| match by_id.get(id) {
        Some(&i) => ProjectError::Graph {
            path: files[i].path.clone(),
            line: files[i].line_of(key),
            source: e,
        },
        None => ProjectError::GraphFiles {
            source: e,
            files: String::new(),
        },
    };
    match &e {
        GraphError::SelfLoop { revision } | GraphError::MissingParent { revision, .. } => {
            let r = revision.clone();
            at(&r, "down_revision", e)
        }
        GraphError::DependencySelfLoop { revision }
        | GraphError::UnknownDependency { revision, .. } => {
            let r = revision.clone();
            at(&r, "depends_on", e)
        }
        GraphError::LabelCollision { revision, .. } => {
            let r = revision.clone();
            at(&r, "branch_labels", e)
        }
        GraphError::IllegalCharacters { revision, .. } | GraphError::InvalidId { revision, .. } => {
            let r = revision.clone();
            at(&r, "revision", e)
        }
        GraphError::Cycle { revisions } | GraphError::DependencyCycle { revisions } => {
            let files_list = revisions
                .iter()
                .filter_map(|r| by_id.get(r))
                .map(|&i| files[i].path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ");
            ProjectError::GraphFiles {
                source: e,
                files: files_list,
            }
        }
        _ => ProjectError::GraphFiles {
            source: e,
            files: String::new(),
        },
    }
}
