use std::collections::HashMap;
use std::path::{Path, PathBuf};

use stratum_graph::{GraphError, RevisionMap};

use crate::alembic_project::{open_alembic, AlembicSettings};
use crate::pyproject::configures_alembic;
use crate::{AlembicIni, Config, ProjectError, RevisionFile, CONFIG_FILE, PYPROJECT};

/// The file that makes a folder an Alembic project.
pub const ALEMBIC_INI: &str = "alembic.ini";

/// Where a project's revisions come from and how they run.
#[derive(Debug, Clone)]
pub enum Format {
    /// `stratum.toml` and `versions/*.sql`, run by Stratum itself.
    Native,
    /// `alembic.ini` and Python revision files: read and planned by Stratum, run through the
    /// project's own Alembic.
    Alembic(Box<AlembicIni>),
}

/// An opened project: its configuration, its revision files in load order, and their graph.
#[derive(Debug, Clone)]
pub struct Project {
    pub dir: PathBuf,
    pub config: Config,
    pub files: Vec<RevisionFile>,
    pub map: RevisionMap,
    pub format: Format,
    by_id: HashMap<String, usize>,
}

impl Project {
    /// A folder with `stratum.toml`, or an Alembic project (a folder with `alembic.ini`, or
    /// the ini itself).
    pub fn open(dir: &Path) -> Result<Project, ProjectError> {
        Project::open_with(dir, &AlembicSettings::default())
    }

    /// As [`Project::open`]; `alembic` is what a profile adds to an Alembic project.
    pub fn open_with(dir: &Path, alembic: &AlembicSettings) -> Result<Project, ProjectError> {
        if dir.is_file()
            && (dir.extension().is_some_and(|e| e == "ini")
                || dir.file_name().is_some_and(|n| n == PYPROJECT))
        {
            return open_alembic(dir, alembic);
        }
        let config_path = dir.join(CONFIG_FILE);
        if !config_path.is_file() {
            if dir.join(ALEMBIC_INI).is_file() {
                return open_alembic(&dir.join(ALEMBIC_INI), alembic);
            }
            // `alembic init -t pyproject` may leave no ini at all when env.py sets the URL.
            if configures_alembic(&dir.join(PYPROJECT)) {
                return open_alembic(&dir.join(PYPROJECT), alembic);
            }
            return Err(ProjectError::NotAProject { dir: dir.into() });
        }
        let config = Config::load(&config_path)?;
        let versions = dir.join(&config.project.versions);
        let files = read_versions(&versions)?;
        Project::from_files(dir, config, files, Format::Native)
    }

    pub fn from_files(
        dir: &Path,
        config: Config,
        files: Vec<RevisionFile>,
        format: Format,
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
            format,
            by_id,
        })
    }

    /// Where a new revision file goes: the versions folder, or an Alembic project's first
    /// version location.
    pub fn versions_dir(&self) -> PathBuf {
        match &self.format {
            Format::Native => self.dir.join(&self.config.project.versions),
            Format::Alembic(ini) => crate::alembic_project::locations(ini)
                .into_iter()
                .next()
                .unwrap_or_else(|| self.dir.clone()),
        }
    }

    /// The Alembic configuration, for a project that runs through Alembic.
    pub fn alembic(&self) -> Option<&AlembicIni> {
        match &self.format {
            Format::Alembic(ini) => Some(ini),
            Format::Native => None,
        }
    }

    pub fn file_mut(&mut self, id: &str) -> Option<&mut RevisionFile> {
        self.by_id.get(id).map(|&i| &mut self.files[i])
    }

    pub fn file(&self, id: &str) -> Option<&RevisionFile> {
        self.by_id.get(id).map(|&i| &self.files[i])
    }
}

/// `.sql` files of the versions folder, in sorted file-name order (the load order).
fn read_versions(versions: &Path) -> Result<Vec<RevisionFile>, ProjectError> {
    let entries = std::fs::read_dir(versions).map_err(|e| ProjectError::io(versions, e))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| ProjectError::io(versions, e))?;
        let name = entry.file_name();
        let wanted = {
            let name = name.to_string_lossy();
            name.ends_with(".sql") && !name.starts_with('.')
        };
        if wanted && entry.file_type().map(|t| t.is_file()).unwrap_or(false) {
            names.push(name);
        }
    }
    names.sort_unstable();
    let paths: Vec<PathBuf> = names.iter().map(|n| versions.join(n)).collect();
    read_all(&paths)
}

/// Reads the files on every core: each file is a few system calls and a short parse, and on
/// a long project (a thousand revisions) reading them one after another was most of a
/// command's start. The first error in file order is the one reported, as when read in turn.
fn read_all(paths: &[PathBuf]) -> Result<Vec<RevisionFile>, ProjectError> {
    const AT_LEAST: usize = 64;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(paths.len() / AT_LEAST)
        .max(1);
    if threads == 1 {
        return paths.iter().map(|p| RevisionFile::read(p)).collect();
    }
    let chunk = paths.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = paths
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|p| RevisionFile::read(p))
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        let mut files = Vec::with_capacity(paths.len());
        for part in parts {
            // A reader cannot panic on a file's contents; if one did, that is a bug to surface.
            let part = part.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            files.extend(part?);
        }
        Ok(files)
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn revision(dir: &Path, k: usize, text: Option<&str>) {
        let parent = if k == 0 {
            String::new()
        } else {
            format!("r{:04}", k - 1)
        };
        let body = text.map(str::to_string).unwrap_or_else(|| {
            format!("-- revision: r{k:04}\n-- down_revision: {parent}\n\n-- migrate:up\nSELECT 1;\n\n-- migrate:down\nSELECT 1;\n")
        });
        std::fs::write(dir.join(format!("r{k:04}_x.sql")), body).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn a_long_project_is_read_in_file_name_order() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for k in (0..300).rev() {
            revision(dir.path(), k, None);
        }
        let files = read_versions(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let ids: Vec<&str> = files.iter().map(|f| f.id()).collect();
        let expected: Vec<String> = (0..300).map(|k| format!("r{k:04}")).collect();
        assert_eq!(ids, expected);
    }

    #[test]
    fn of_several_broken_files_the_first_in_file_order_is_reported() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for k in 0..300 {
            let broken = matches!(k, 40 | 250).then_some("-- down_revision: nothing here\n");
            revision(dir.path(), k, broken);
        }
        let err = read_versions(dir.path())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("r0040_x.sql"), "{err}");
    }
}
