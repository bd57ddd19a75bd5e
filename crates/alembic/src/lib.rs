//! Running an Alembic project through its own Alembic. Stratum reads and plans Alembic projects
//! itself; running their Python revisions needs Python, so it drives the project's Alembic:
//! the project's Python is found (given, then the project's virtualenv, then PATH), the
//! profile's URL is handed over in the environment (never in a file or on a command line), and
//! Alembic's output is streamed line by line.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum AlembicError {
    #[error("no Python with Alembic was found (looked at {looked}); set the project's Python in the profile, or install Alembic in the project's virtualenv")]
    NoPython { looked: String },
    #[error("cannot start {python}: {message}")]
    Start { python: String, message: String },
    #[error("alembic {command} failed (exit {code}): {last}")]
    Failed {
        command: String,
        code: i32,
        /// Alembic's last lines of output, where the error is.
        last: String,
    },
}

/// The Python that runs the project's Alembic: `given` first, then a virtualenv in the project
/// (`.venv`, `venv`, `env`), then `python3` on PATH; the first that imports alembic.
pub fn find_python(project_dir: &Path, given: Option<&Path>) -> Result<PathBuf, AlembicError> {
    let mut candidates: Vec<PathBuf> = given.map(Path::to_path_buf).into_iter().collect();
    for venv in [".venv", "venv", "env"] {
        candidates.push(project_dir.join(venv).join("bin").join("python"));
        candidates.push(project_dir.join(venv).join("Scripts").join("python.exe"));
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            candidates.push(dir.join("python3"));
        }
    }
    let works = |p: &Path| {
        p.is_file()
            && std::process::Command::new(p)
                .args(["-c", "import alembic"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
    };
    candidates
        .iter()
        .find(|p| works(p))
        .cloned()
        .ok_or_else(|| AlembicError::NoPython {
            looked: candidates
                .iter()
                .filter(|p| p.is_file())
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Runs `alembic.command.<name>(cfg, *args)` with the ini's `sqlalchemy.url` replaced, in memory,
/// by the URL in STRATUM_ALEMBIC_URL: env.py scripts that read `sqlalchemy.url` get the
/// profile's database, and the user's files stay as they are.
const DRIVER: &str = r#"
import os, sys
from alembic.config import Config
from alembic import command
ini, name, sql, args = sys.argv[1], sys.argv[2], sys.argv[3] == "sql", sys.argv[4:]
cfg = Config(ini)
url = os.environ.get("STRATUM_ALEMBIC_URL")
if url:
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
kwargs = {"sql": True} if sql else {}
getattr(command, name)(cfg, *args, **kwargs)
"#;

pub struct Run<'a> {
    pub python: &'a Path,
    pub ini: &'a Path,
    /// An `alembic.command` function: upgrade, downgrade, stamp, current, history, heads, ...
    pub command: &'a str,
    pub args: &'a [String],
    /// Alembic's offline mode (`--sql`).
    pub sql: bool,
    /// SQLAlchemy URL with its password; passed in the environment only.
    pub url: Option<&'a str>,
}

/// Runs it from the ini's folder, handing each line of output (stdout and stderr) to `line`;
/// returns the whole of stdout.
pub async fn run(r: &Run<'_>, mut line: impl FnMut(&str)) -> Result<String, AlembicError> {
    let dir = r
        .ini
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut cmd = Command::new(r.python);
    cmd.arg("-c")
        .arg(DRIVER)
        .arg(r.ini)
        .arg(r.command)
        .arg(if r.sql { "sql" } else { "online" })
        .args(r.args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("PYTHONUNBUFFERED", "1")
        .kill_on_drop(true);
    match r.url {
        Some(u) => cmd.env("STRATUM_ALEMBIC_URL", u),
        None => cmd.env_remove("STRATUM_ALEMBIC_URL"),
    };
    let mut child = cmd.spawn().map_err(|e| AlembicError::Start {
        python: r.python.display().to_string(),
        message: e.to_string(),
    })?;
    let (Some(out), Some(err)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(AlembicError::Start {
            python: r.python.display().to_string(),
            message: "no output pipes".into(),
        });
    };
    let mut out = BufReader::new(out).lines();
    let mut err = BufReader::new(err).lines();
    let (mut stdout, mut tail) = (String::new(), Vec::new());
    let (mut out_done, mut err_done) = (false, false);
    let password = r
        .url
        .and_then(|u| u.split_once("://"))
        .and_then(|(_, rest)| rest.split_once('@'))
        .and_then(|(auth, _)| auth.split_once(':'))
        .map(|(_, pw)| pw.to_string())
        .filter(|p| !p.is_empty());
    let clean = |l: String| match &password {
        Some(p) => l.replace(p.as_str(), "***"),
        None => l,
    };
    while !(out_done && err_done) {
        tokio::select! {
            l = out.next_line(), if !out_done => match l {
                Ok(Some(l)) => { let l = clean(l); line(&l); stdout.push_str(&l); stdout.push('\n'); }
                _ => out_done = true,
            },
            l = err.next_line(), if !err_done => match l {
                Ok(Some(l)) => { let l = clean(l); line(&l); tail.push(l); if tail.len() > 8 { tail.remove(0); } }
                _ => err_done = true,
            },
        }
    }
    let status = child.wait().await.map_err(|e| AlembicError::Start {
        python: r.python.display().to_string(),
        message: e.to_string(),
    })?;
    if !status.success() {
        return Err(AlembicError::Failed {
            command: r.command.to_string(),
            code: status.code().unwrap_or(-1),
            last: tail.join("\n"),
        });
    }
    Ok(stdout)
}
