//! An Alembic project opened from its `alembic.ini`: the Python revision files of its version
//! locations, read without running Python, in Alembic's load order, as a revision graph.

use std::path::{Path, PathBuf};

use crate::project::{Format, Project};
use crate::python_revision::{env_version_table, Supplied};
use crate::{AlembicIni, Config, ProjectError, PythonRevision, RevisionFile};

/// What a profile adds to an Alembic project: what its `env.py` may decide at run time and
/// what its revision files compute, which Stratum cannot read from the files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlembicSettings {
    /// The version table's name, where env.py sets one Stratum cannot read.
    pub version_table: Option<String>,
    pub version_table_schema: Option<String>,
    /// Values revision files compute (`branch_labels = (cli.EXPAND_BRANCH,)`).
    pub values: Vec<SuppliedValue>,
}

/// `FILE: NAME = VALUE[, VALUE...]`: the value of `NAME` in the revision file whose path
/// ends with `FILE` (a file name, or the last folders and the name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppliedValue {
    pub file: PathBuf,
    pub name: String,
    /// Empty for None.
    pub values: Vec<String>,
}

impl SuppliedValue {
    /// One value per line; blank lines and `#` comments are skipped. Errors name the line.
    pub fn parse_lines(text: &str) -> Result<Vec<SuppliedValue>, String> {
        let mut out = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || {
                format!(
                    "line {}: expected `FILE: NAME = VALUE` (e.g. `1b4c6e320f79_subnetpool.py: branch_labels = expand`), found `{line}`",
                    i + 1
                )
            };
            let (file, rest) = line.rsplit_once(".py:").ok_or_else(bad)?;
            let (name, value) = rest.split_once('=').ok_or_else(bad)?;
            let name = name.trim();
            if !["revision", "down_revision", "branch_labels", "depends_on"].contains(&name) {
                return Err(format!(
                    "line {}: `{name}` is not one of revision, down_revision, branch_labels, depends_on",
                    i + 1
                ));
            }
            let value = value.trim();
            let values = if value.is_empty() || value == "None" {
                Vec::new()
            } else {
                value
                    .split(',')
                    .map(|v| v.trim().trim_matches(['\'', '"']).to_string())
                    .filter(|v| !v.is_empty())
                    .collect()
            };
            out.push(SuppliedValue {
                file: PathBuf::from(format!("{}.py", file.trim())),
                name: name.to_string(),
                values,
            });
        }
        Ok(out)
    }

    pub fn to_line(&self) -> String {
        format!(
            "{}: {} = {}",
            self.file.display(),
            self.name,
            if self.values.is_empty() {
                "None".to_string()
            } else {
                self.values.join(", ")
            }
        )
    }
}

impl AlembicSettings {
    fn supplied_for(&self, path: &Path) -> Supplied {
        self.values
            .iter()
            .filter(|v| path.ends_with(&v.file))
            .map(|v| (v.name.clone(), v.values.clone()))
            .collect()
    }
}

/// The folders Alembic reads revisions from: `version_locations`, else `script_location/versions`.
pub(crate) fn locations(ini: &AlembicIni) -> Vec<PathBuf> {
    if ini.version_locations.is_empty() {
        ini.script_location
            .iter()
            .map(|s| s.join("versions"))
            .collect()
    } else {
        ini.version_locations.clone()
    }
}

/// Alembic loads `*.py` files but not `__init__.py` nor editor lock files (`.#...`), in sorted
/// file-name order, each folder in turn, sub-folders (sorted) after the files of their folder.
fn revision_files(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) -> Result<(), ProjectError> {
    let mut files = Vec::new();
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| ProjectError::io(dir, e))? {
        let entry = entry.map_err(|e| ProjectError::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if path.is_dir() {
            if name != "__pycache__" {
                folders.push((name, path));
            }
        } else if name.ends_with(".py") && !name.starts_with("__init__") && !name.starts_with(".#")
        {
            files.push((name, path));
        }
    }
    files.sort();
    folders.sort();
    out.extend(files.into_iter().map(|(_, p)| p));
    if recursive {
        for (_, p) in folders {
            revision_files(&p, recursive, out)?;
        }
    }
    Ok(())
}

/// Parsing Python is most of the cost of opening a large project: the files are parsed on
/// every core, each worker taking the next file (their sizes vary a lot), and kept in load order.
fn read_all(
    paths: &[PathBuf],
    settings: &AlembicSettings,
) -> Result<Vec<RevisionFile>, ProjectError> {
    let read =
        |p: &PathBuf| PythonRevision::read(p, &settings.supplied_for(p)).map(RevisionFile::python);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    if workers < 2 || paths.len() < 32 {
        return paths.iter().map(read).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, Result<RevisionFile, ProjectError>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(p) = paths.get(i) else { break };
                        mine.push((i, read(p)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    if done.len() != paths.len() {
        return Err(ProjectError::Config {
            path: paths.first().cloned().unwrap_or_default(),
            message: "reading the revision files failed unexpectedly".into(),
        });
    }
    done.sort_by_key(|(i, _)| *i);
    // The first error in load order, as a sequential read would report it.
    done.into_iter().map(|(_, r)| r).collect()
}

pub(crate) fn open_alembic(
    ini_path: &Path,
    settings: &AlembicSettings,
) -> Result<Project, ProjectError> {
    let ini = AlembicIni::read(ini_path)?;
    let folders = locations(&ini);
    if folders.is_empty() {
        return Err(ProjectError::Config {
            path: ini_path.to_path_buf(),
            message: "script_location is not set, and no version_locations are given".into(),
        });
    }
    let mut paths = Vec::new();
    // Alembic skips a version location that does not exist; so does Stratum, unless none does.
    let present: Vec<&PathBuf> = folders.iter().filter(|d| d.is_dir()).collect();
    if present.is_empty() {
        return Err(ProjectError::Config {
            path: ini_path.to_path_buf(),
            message: format!(
                "the revision folder {} does not exist",
                folders
                    .iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    for dir in present {
        revision_files(dir, ini.recursive, &mut paths)?;
    }
    let files = read_all(&paths, settings)?;
    let mut config = Config::default();
    let (table, schema) = ini
        .script_location
        .as_ref()
        .map(|s| env_version_table(&s.join("env.py")))
        .unwrap_or_default();
    if let Some(t) = settings.version_table.clone().or(table) {
        config.version_table.name = t;
    }
    config.version_table.schema = settings.version_table_schema.clone().or(schema);
    let dir = ini_path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    Project::from_files(&dir, config, files, Format::Alembic(Box::new(ini)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supplied_values_are_read_one_per_line() {
        let v = SuppliedValue::parse_lines(
            "# neutron's branch labels\nliberty/expand/1b4c6e320f79_x.py: branch_labels = expand\n\na.py: down_revision = 'x', \"y\"\nb.py: depends_on = None\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].file, PathBuf::from("liberty/expand/1b4c6e320f79_x.py"));
        assert_eq!(
            (v[0].name.as_str(), v[0].values.clone()),
            ("branch_labels", vec!["expand".to_string()])
        );
        assert_eq!(v[1].values, ["x", "y"]);
        assert!(v[2].values.is_empty());
        assert_eq!(v[1].to_line(), "a.py: down_revision = x, y");
        let e = SuppliedValue::parse_lines("a.py: message = x").expect_err("it is refused");
        assert!(e.contains("line 1") && e.contains("message"), "{e}");
        let e = SuppliedValue::parse_lines("\nno colon here").expect_err("it is refused");
        assert!(
            e.contains("line 2") && e.contains("FILE: NAME = VALUE"),
            "{e}"
        );
    }
}
