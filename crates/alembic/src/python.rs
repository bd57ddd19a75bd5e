//! Which Python runs a project's Alembic.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::AlembicError;

/// The Python that runs the project's Alembic: `given` first (the profile's setting, or
/// STRATUM_PYTHON), then a virtualenv in the project (`.venv`, `venv`, `env`), then `python3`
/// and `python` on PATH; the first that imports alembic.
pub fn find_python(project_dir: &Path, given: Option<&Path>) -> Result<PathBuf, AlembicError> {
    // Absolute: the driver runs in the project's folder, not in the current one.
    let given = given.map(|g| std::path::absolute(g).unwrap_or_else(|_| g.to_path_buf()));
    let given = given.as_deref();
    let mut candidates: Vec<PathBuf> = given.map(Path::to_path_buf).into_iter().collect();
    if given.is_none() {
        if let Some(env) = std::env::var_os("STRATUM_PYTHON") {
            candidates.push(PathBuf::from(env));
        }
    }
    for venv in [".venv", "venv", "env"] {
        candidates.push(project_dir.join(venv).join("bin").join("python"));
        candidates.push(project_dir.join(venv).join("Scripts").join("python.exe"));
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            candidates.push(dir.join("python3"));
            candidates.push(dir.join("python"));
        }
    }
    let imports_alembic = |p: &Path| {
        p.is_file()
            && std::process::Command::new(p)
                .args(["-c", "import alembic"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
    };
    if let Some(g) = given {
        // A Python the user named and that cannot run Alembic is a mistake to point out, not
        // a reason to quietly run another one.
        return if imports_alembic(g) {
            Ok(g.to_path_buf())
        } else {
            Err(AlembicError::NoPython {
                looked: format!(
                    "{} (set in the profile; it does not import alembic)",
                    g.display()
                ),
            })
        };
    }
    candidates
        .iter()
        .find(|p| imports_alembic(p))
        .cloned()
        .ok_or_else(|| AlembicError::NoPython {
            looked: {
                let present: Vec<String> = candidates
                    .iter()
                    .filter(|p| p.is_file())
                    .map(|p| p.display().to_string())
                    .collect();
                if present.is_empty() {
                    "no Python was found at all".into()
                } else {
                    present.join(", ")
                }
            },
        })
}
