//! Finding the engines' own dump tools, and running them without a shell and without putting
//! the password on a command line (it travels in the child's environment only).

use std::path::{Path, PathBuf};
use std::process::Stdio;

use stratum_db::{DatabaseUrl, Engine, TlsMode};
use tokio::process::Command;

use crate::places::{install_dirs, Os, ThisMachine};
use crate::BackupError;

/// Where to look for the tools: a configured folder first (`[backup] tools_dir`, or
/// `STRATUM_TOOLS_DIR`), then PATH.
#[derive(Debug, Clone, Default)]
pub struct Tools {
    pub dir: Option<PathBuf>,
    /// Whether PATH is searched after `dir`.
    pub use_path: bool,
}

#[derive(Debug, Clone)]
pub struct Tool {
    pub name: String,
    pub path: PathBuf,
}

impl Tools {
    pub fn new(configured: Option<PathBuf>) -> Tools {
        Tools {
            dir: configured.or_else(|| std::env::var_os("STRATUM_TOOLS_DIR").map(PathBuf::from)),
            use_path: true,
        }
    }

    /// The configured folder, PATH, then where this platform's installers put the engine's
    /// tools (a desktop app started from a menu sees a short PATH).
    fn search_path(&self, engine: Engine) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = self.dir.iter().cloned().collect();
        if let Some(path) = std::env::var_os("PATH").filter(|_| self.use_path) {
            dirs.extend(std::env::split_paths(&path));
            dirs.extend(install_dirs(engine, Os::current(), &ThisMachine));
        }
        dirs
    }

    /// The first of `names` found; the error names every place searched and the fix.
    pub fn find(&self, names: &[&str], engine: Engine) -> Result<Tool, BackupError> {
        let dirs = self.search_path(engine);
        for name in names {
            for dir in &dirs {
                let candidate = dir.join(Os::current().executable(name));
                if candidate.is_file() {
                    return Ok(Tool {
                        name: (*name).to_string(),
                        path: candidate,
                    });
                }
            }
        }
        let searched = if dirs.is_empty() {
            "nowhere: PATH is empty".into()
        } else {
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        Err(BackupError::MissingTool {
            tool: names.join(" or "),
            searched,
            fix: install_hint(engine),
        })
    }
}

pub(crate) fn install_hint(engine: Engine) -> String {
    let package = match engine {
        Engine::Postgres => "the PostgreSQL client tools (Debian/Ubuntu: apt install postgresql-client; macOS: brew install libpq; Windows: the PostgreSQL installer's command line tools)",
        _ => "the MySQL or MariaDB client (Debian/Ubuntu: apt install mariadb-client; macOS: brew install mysql-client)",
    };
    format!(
        "Install {package}, or point Stratum at them with `tools_dir` under [backup] in stratum.toml or the STRATUM_TOOLS_DIR environment variable."
    )
}

impl Tool {
    /// The tool's `--version` line, e.g. `pg_dump (PostgreSQL) 15.20`.
    pub async fn version(&self) -> Result<String, BackupError> {
        let out = Command::new(&self.path)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .await
            .map_err(|e| BackupError::io(&self.path, e))?;
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_string())
    }

    /// A command for this tool with the connection in its environment and arguments.
    pub(crate) fn command(&self, url: &DatabaseUrl) -> Command {
        let mut cmd = Command::new(&self.path);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        match url.engine {
            Engine::Postgres => {
                cmd.env_remove("PGPASSWORD");
                if let Some(p) = &url.password {
                    cmd.env("PGPASSWORD", p);
                }
                let mode = match url.tls {
                    TlsMode::Disable => "disable",
                    TlsMode::Prefer => "prefer",
                    TlsMode::Require => "require",
                    TlsMode::VerifyCa => "verify-ca",
                    TlsMode::VerifyFull => "verify-full",
                };
                cmd.env("PGSSLMODE", mode).arg("--no-password");
                let host = url.socket.clone().unwrap_or_else(|| url.host.clone());
                cmd.arg("--host").arg(host);
                cmd.arg("--port").arg(url.port.unwrap_or(5432).to_string());
                if let Some(u) = &url.user {
                    cmd.arg("--username").arg(u);
                }
            }
            Engine::MySql => {
                cmd.env_remove("MYSQL_PWD");
                if let Some(p) = &url.password {
                    cmd.env("MYSQL_PWD", p);
                }
                match &url.socket {
                    Some(sock) => cmd.arg(format!("--socket={sock}")),
                    None => cmd
                        .arg("--protocol=TCP")
                        .arg(format!("--host={}", url.host))
                        .arg(format!("--port={}", url.port.unwrap_or(3306))),
                };
                if let Some(u) = &url.user {
                    cmd.arg(format!("--user={u}"));
                }
            }
            Engine::Sqlite => {}
        }
        cmd
    }

    /// Runs a prepared command; a failure carries the tool's own words (never the password).
    pub(crate) async fn run(
        &self,
        mut cmd: Command,
        url: &DatabaseUrl,
        stdin_file: Option<&Path>,
    ) -> Result<Vec<u8>, BackupError> {
        if let Some(file) = stdin_file {
            let f = std::fs::File::open(file).map_err(|e| BackupError::io(file, e))?;
            cmd.stdin(Stdio::from(f));
        }
        let out = cmd
            .output()
            .await
            .map_err(|e| BackupError::io(&self.path, e))?;
        if out.status.success() {
            return Ok(out.stdout);
        }
        let mut stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        if let Some(p) = url.password.as_deref().filter(|p| !p.is_empty()) {
            stderr = stderr.replace(p, "***");
        }
        let lines: Vec<&str> = stderr.lines().collect();
        let tail = lines[lines.len().saturating_sub(6)..].join("\n");
        Err(BackupError::ToolFailed {
            tool: self.name.clone(),
            status: out.status.to_string(),
            stderr: if crate::error::says_disk_full(&tail) {
                format!("the disk is full: {tail}")
            } else {
                tail
            },
        })
    }
}

/// The major version in a `--version` line or a server version string.
pub(crate) fn major(version: &str) -> Option<u32> {
    version
        .split(|c: char| !c.is_ascii_digit() && c != '.')
        .find(|w| w.contains('.') || w.len() >= 2)
        .and_then(|w| w.split('.').next())
        .and_then(|m| m.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn major_versions_are_read_from_tool_and_server_strings() {
        assert_eq!(
            major("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"),
            Some(15)
        );
        assert_eq!(major("pg_dump (PostgreSQL) 9.6.24"), Some(9));
        assert_eq!(major("PostgreSQL 17.2 on x86_64-pc-linux-gnu"), Some(17));
    }

    #[test]
    fn a_missing_tool_names_where_it_looked_and_how_to_get_it() {
        let tools = Tools {
            dir: Some(PathBuf::from("/opt/nowhere")),
            use_path: false,
        };
        let err = tools
            .find(&["surely-not-a-real-pg_dump"], Engine::Postgres)
            .map(|_| ())
            .expect_err("it is refused")
            .to_string();
        assert!(
            err.contains("surely-not-a-real-pg_dump was not found"),
            "{err}"
        );
        assert!(
            err.contains("/opt/nowhere") && err.contains("apt install postgresql-client"),
            "{err}"
        );
    }
}
