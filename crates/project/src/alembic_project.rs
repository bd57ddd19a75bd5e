//! An Alembic project opened from its `alembic.ini`: the Python revision files of its version
//! locations, read without running Python, in Alembic's load order, as a revision graph.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use stratum_graph::RevisionMap;

use crate::{AlembicIni, ProjectError, PythonRevision};

pub struct AlembicProject {
    pub ini: AlembicIni,
    pub files: Vec<PythonRevision>,
    pub map: RevisionMap,
}

/// Alembic loads `*.py` files but not `__init__.py` nor editor lock files (`.#...`), in sorted
/// order, each folder in turn.
fn revision_files(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) -> Result<(), ProjectError> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| ProjectError::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if p.is_dir() {
            if recursive && name != "__pycache__" {
                revision_files(&p, recursive, out)?;
            }
        } else if name.ends_with(".py") && !name.starts_with("__init__") && !name.starts_with(".#")
        {
            out.push(p);
        }
    }
    Ok(())
}

impl AlembicProject {
    /// `overrides`: values a revision computes, keyed by revision file path, then name.
    pub fn open(
        ini_path: &Path,
        overrides: &BTreeMap<PathBuf, BTreeMap<String, Vec<String>>>,
    ) -> Result<AlembicProject, ProjectError> {
        let ini = AlembicIni::read(ini_path)?;
        let locations = if ini.version_locations.is_empty() {
            let script = ini
                .script_location
                .clone()
                .ok_or_else(|| ProjectError::Config {
                    path: ini_path.to_path_buf(),
                    message: "script_location is not set, and no version_locations are given"
                        .into(),
                })?;
            vec![script.join("versions")]
        } else {
            ini.version_locations.clone()
        };
        let mut paths = Vec::new();
        for dir in &locations {
            revision_files(dir, ini.recursive, &mut paths)?;
        }
        let none = BTreeMap::new();
        let files = paths
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).map_err(|e| ProjectError::io(p, e))?;
                PythonRevision::parse_with(p, &text, overrides.get(p).unwrap_or(&none))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let map =
            RevisionMap::new(files.iter().map(|f| f.revision.clone()).collect()).map_err(|e| {
                ProjectError::GraphFiles {
                    source: e,
                    files: locations
                        .iter()
                        .map(|l| l.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })?;
        Ok(AlembicProject { ini, files, map })
    }
}
