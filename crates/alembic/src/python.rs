//! Which Python runs a project's Alembic, and which database drivers it has.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::AlembicError;

/// A Python that imports Alembic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Python {
    pub path: PathBuf,
    pub alembic_version: String,
    /// SQLAlchemy driver modules it can import (`psycopg`, `psycopg2`, `pymysql`, ...).
    pub drivers: Vec<String>,
    /// Where it imports from (`sys.path`): a package installed or removed there changes the
    /// folder, which is how rendered SQL kept on disk knows it may be stale.
    pub import_path: Vec<PathBuf>,
}

/// One start of the candidate: its Alembic version and drivers, or nothing. Only what it
/// prints counts (a program that merely exits 0 is no Python with Alembic). Nothing is
/// imported: importing Alembic imports SQLAlchemy, most of a second that a run would pay
/// twice, since the run's own Python imports it again. The version is read from the package's
/// source (where Alembic keeps it) or, failing that, from its installed metadata.
const PROBE: &str = r#"import importlib.util as u, re
def has(m):
    try:
        return u.find_spec(m) is not None
    except Exception:
        return False
spec = u.find_spec('alembic')
if spec is not None and spec.origin:
    try:
        with open(spec.origin, encoding='utf-8') as f:
            v = re.search(r'^__version__\s*=\s*\W([\w.+-]+)', f.read(), re.M).group(1)
    except Exception:
        from importlib.metadata import version
        v = version('alembic')
    mods = ['psycopg', 'psycopg2', 'pg8000', 'MySQLdb', 'pymysql', 'mysql.connector', 'mariadb']
    print('stratum-probe', v, *[m for m in mods if has(m)])
    import sys
    print('stratum-path', *[p for p in sys.path if p], sep='\x1f')
"#;

/// How long a Python found with Alembic is taken as found. Starting it to ask takes a few
/// hundredths of a second, which a batch over many databases and each click on a revision
/// would otherwise pay again. A package installed meanwhile is seen once this has passed.
const PROBE_KEPT: Duration = Duration::from_secs(30);

/// Pythons found with Alembic lately, by path.
static PROBED: Mutex<Vec<(Python, Instant)>> = Mutex::new(Vec::new());

fn probe(p: &Path) -> Option<Python> {
    if !p.is_file() {
        return None;
    }
    let kept = PROBED.lock().ok().and_then(|mut probed| {
        probed.retain(|(_, at)| at.elapsed() < PROBE_KEPT);
        probed
            .iter()
            .find(|(found, _)| found.path == p)
            .map(|(found, _)| found.clone())
    });
    if kept.is_some() {
        return kept;
    }
    let found = ask(p)?;
    if let Ok(mut probed) = PROBED.lock() {
        probed.push((found.clone(), Instant::now()));
    }
    Some(found)
}

fn ask(p: &Path) -> Option<Python> {
    let out = std::process::Command::new(p)
        .args(["-c", PROBE])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut words = text
        .lines()
        .find_map(|l| l.strip_prefix("stratum-probe "))?
        .split_whitespace();
    let import_path = text
        .lines()
        .find_map(|l| l.strip_prefix("stratum-path"))
        .map(|l| {
            l.split('\u{1f}')
                .filter(|d| !d.is_empty())
                .map(PathBuf::from)
                .collect()
        })
        .unwrap_or_default();
    Some(Python {
        path: p.to_path_buf(),
        alembic_version: words.next()?.to_string(),
        drivers: words.map(str::to_string).collect(),
        import_path,
    })
}

/// The Python that runs the project's Alembic: `given` first (the profile's setting, or
/// STRATUM_PYTHON), then a virtualenv in the project (`.venv`, `venv`, `env`), then `python3`
/// and `python` on PATH; the first that imports alembic.
pub fn find_python(project_dir: &Path, given: Option<&Path>) -> Result<Python, AlembicError> {
    // Absolute: the driver runs in the project's folder, not in the current one.
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    if let Some(g) = given {
        // A Python the user named and that cannot run Alembic is a mistake to point out, not
        // a reason to quietly run another one.
        return probe(&absolute(g)).ok_or_else(|| AlembicError::NoPython {
            looked: format!("{} (as set; it does not import alembic)", g.display()),
        });
    }
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(env) = std::env::var_os("STRATUM_PYTHON") {
        candidates.push(absolute(Path::new(&env)));
    }
    for venv in [".venv", "venv", "env"] {
        candidates.push(absolute(&project_dir.join(venv).join("bin").join("python")));
        candidates.push(absolute(
            &project_dir.join(venv).join("Scripts").join("python.exe"),
        ));
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            candidates.push(dir.join("python3"));
            candidates.push(dir.join("python"));
        }
    }
    candidates
        .iter()
        .find_map(|p| probe(p))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_python_found_is_not_started_again_for_the_next_operation() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let bin = dir.path().join(".venv/bin");
        std::fs::create_dir_all(&bin).unwrap_or_else(|e| panic!("{e}"));
        let log = dir.path().join("started");
        let python = bin.join("python");
        // A stand-in Python that answers the probe and notes each start.
        std::fs::write(
            &python,
            format!(
                "#!/bin/sh\necho started >> '{}'\necho 'stratum-probe 1.16.5 psycopg2'\n",
                log.display()
            ),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("{e}"));
        for _ in 0..3 {
            let found = find_python(dir.path(), Some(&python)).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(found.alembic_version, "1.16.5");
            assert_eq!(found.drivers, ["psycopg2"]);
        }
        let starts = std::fs::read_to_string(&log).unwrap_or_default();
        assert_eq!(
            starts.lines().count(),
            1,
            "started once for three operations"
        );
    }
}
