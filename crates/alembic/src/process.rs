//! One run of the driver (`driver.py`) in the project's Python: the request goes in as an
//! argument, the URL in the environment, and what comes back is Alembic's output line by line
//! and the driver's events.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use stratum_db::CancelToken;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::error::Location;
use crate::AlembicError;

pub(crate) const DRIVER: &str = include_str!("driver.py");
/// Starts an event line on stderr (ASCII record and unit separators: never in Alembic's output).
const EVENT: &str = "\u{1e}stratum\u{1f}";

/// What the driver sends back, as it happens.
pub(crate) enum Line<'a> {
    /// A line of Alembic's output (stdout or stderr), the password masked.
    Output {
        text: &'a str,
        stdout: bool,
    },
    Event(&'a Value),
}

pub(crate) struct Finished {
    pub stdout: String,
}

pub(crate) struct Driver<'a> {
    pub python: &'a Path,
    pub ini: &'a Path,
    /// The SQLAlchemy URL (with its password, if any); only ever in the child's environment.
    pub url: Option<&'a str>,
    pub cancel: Option<&'a CancelToken>,
}

impl Driver<'_> {
    /// Runs `request`; `command` names it in errors. Each line of output and each event goes to
    /// `on` as it arrives.
    pub async fn run(
        &self,
        command: &str,
        request: &Value,
        mut on: impl FnMut(Line<'_>),
    ) -> Result<Finished, AlembicError> {
        let dir = self
            .ini
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut cmd = Command::new(self.python);
        cmd.arg("-c")
            .arg(DRIVER)
            .arg(request.to_string())
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("PYTHONUNBUFFERED", "1")
            .env("PYTHONIOENCODING", "utf-8")
            .kill_on_drop(true);
        match self.url {
            Some(u) => cmd.env("STRATUM_ALEMBIC_URL", u),
            None => cmd.env_remove("STRATUM_ALEMBIC_URL"),
        };
        let start_error = |e: std::io::Error| AlembicError::Start {
            python: self.python.to_path_buf(),
            message: e.to_string(),
        };
        let mut child = cmd.spawn().map_err(start_error)?;
        let (Some(out), Some(err)) = (child.stdout.take(), child.stderr.take()) else {
            return Err(AlembicError::Start {
                python: self.python.to_path_buf(),
                message: "its output could not be read".into(),
            });
        };
        let secrets = secrets_of(self.url);
        let mask = |l: String| secrets.iter().fold(l, |l, s| l.replace(s.as_str(), "***"));
        let mut out = BufReader::new(out).lines();
        let mut err = BufReader::new(err).lines();
        let mut stdout = String::new();
        let mut tail: Vec<String> = Vec::new();
        let mut error: Option<Value> = None;
        let mut finished = false;
        let (mut out_done, mut err_done) = (false, false);
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        let mut cancelled = false;
        while !(out_done && err_done) {
            tokio::select! {
                l = out.next_line(), if !out_done => match l {
                    Ok(Some(l)) => {
                        let l = mask(l);
                        on(Line::Output { text: &l, stdout: true });
                        stdout.push_str(&l);
                        stdout.push('\n');
                    }
                    _ => out_done = true,
                },
                l = err.next_line(), if !err_done => match l {
                    Ok(Some(l)) => {
                        let l = mask(l);
                        if let Some(json) = l.strip_prefix(EVENT) {
                            if let Ok(v) = serde_json::from_str::<Value>(json) {
                                if v["event"] == "error" {
                                    error = Some(v.clone());
                                }
                                if v["event"] == "finished" {
                                    finished = true;
                                }
                                on(Line::Event(&v));
                            }
                        } else {
                            on(Line::Output { text: &l, stdout: false });
                            tail.push(l);
                            if tail.len() > 12 {
                                tail.remove(0);
                            }
                        }
                    }
                    _ => err_done = true,
                },
                _ = tick.tick() => {
                    if self.cancel.is_some_and(CancelToken::is_cancelled) {
                        // The server rolls back whatever transaction the killed process had open.
                        let _ = child.kill().await;
                        cancelled = true;
                        break;
                    }
                }
            }
        }
        let status = child.wait().await.map_err(start_error)?;
        if cancelled {
            return Err(AlembicError::Cancelled {
                command: command.to_string(),
            });
        }
        if !status.success() {
            let (message, at) = match &error {
                Some(e) => (
                    format!(
                        "{}: {}",
                        e["type"].as_str().unwrap_or("Error"),
                        e["message"].as_str().unwrap_or("")
                    ),
                    serde_json::from_value::<Location>(e["at"].clone())
                        .ok()
                        .map(Box::new),
                ),
                None => (
                    tail.last().cloned().unwrap_or_else(|| {
                        format!("exited with code {}", status.code().unwrap_or(-1))
                    }),
                    None,
                ),
            };
            return Err(AlembicError::Failed {
                command: command.to_string(),
                message,
                at,
                output: tail,
            });
        }
        if !finished {
            return Err(AlembicError::Failed {
                command: command.to_string(),
                message: format!(
                    "{} exited without running Stratum's Alembic driver; is it a Python with Alembic?",
                    self.python.display()
                ),
                at: None,
                output: tail,
            });
        }
        Ok(Finished { stdout })
    }
}

/// The password in a URL, as written and decoded, so neither form reaches a log line.
fn secrets_of(url: Option<&str>) -> Vec<String> {
    let Some(pw) = url
        .and_then(|u| u.split_once("://"))
        .and_then(|(_, rest)| rest.rsplit_once('@'))
        .and_then(|(auth, _)| auth.split_once(':'))
        .map(|(_, pw)| pw.to_string())
        .filter(|p| !p.is_empty())
    else {
        return Vec::new();
    };
    let decoded = percent_encoding::percent_decode_str(&pw)
        .decode_utf8_lossy()
        .into_owned();
    let mut v = vec![pw];
    if !v.contains(&decoded) {
        v.push(decoded);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_of_the_password_are_masked() {
        assert_eq!(
            secrets_of(Some("postgresql+psycopg2://me:p%40ss@h/db")),
            ["p%40ss", "p@ss"]
        );
        assert!(secrets_of(Some("sqlite:////tmp/x.db")).is_empty());
        assert!(secrets_of(None).is_empty());
    }
}
