//! The `[tool.alembic]` table of a `pyproject.toml`, where Alembic 1.16 and later keep the
//! options that say where revisions live (`alembic init -t pyproject`). Alembic reads it from
//! the folder it runs in; an option the ini sets wins over the same option here.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::alembic_ini::interpolate;
use crate::ProjectError;

pub const PYPROJECT: &str = "pyproject.toml";

/// Whether the `pyproject.toml` at `path` configures Alembic, for telling what a folder is. One
/// that does not parse but names `tool.alembic` counts, so its own error is what the user sees.
pub(crate) fn configures_alembic(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    match text.parse::<toml::Table>() {
        Ok(t) => t.get("tool").and_then(|t| t.get("alembic")).is_some(),
        Err(_) => text.contains("tool.alembic"),
    }
}

/// `[tool.alembic]` of one `pyproject.toml`.
#[derive(Debug, Clone)]
pub(crate) struct ToolAlembic {
    pub path: PathBuf,
    table: toml::Table,
    /// `%(here)s`: the file's folder, as Alembic substitutes it in every string.
    vars: HashMap<String, String>,
}

impl ToolAlembic {
    /// The table in `path`; `None` when there is no such file or it has no `[tool.alembic]`.
    pub fn read(path: &Path, here: &Path) -> Result<Option<ToolAlembic>, ProjectError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ProjectError::io(path, e)),
        };
        ToolAlembic::parse(path, &text, here)
    }

    pub(crate) fn parse(
        path: &Path,
        text: &str,
        here: &Path,
    ) -> Result<Option<ToolAlembic>, ProjectError> {
        let doc: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| ProjectError::Config {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        let Some(section) = doc.get("tool").and_then(|t| t.get("alembic")) else {
            return Ok(None);
        };
        let Some(table) = section.as_table() else {
            return Err(ProjectError::Config {
                path: path.to_path_buf(),
                message: "[tool.alembic] must be a table".into(),
            });
        };
        Ok(Some(ToolAlembic {
            path: path.to_path_buf(),
            table: table.clone(),
            vars: HashMap::from([("here".to_string(), here.display().to_string())]),
        }))
    }

    fn error(&self, key: &str, message: impl std::fmt::Display) -> ProjectError {
        ProjectError::Config {
            path: self.path.clone(),
            message: format!("[tool.alembic] {key}: {message}"),
        }
    }

    fn text(&self, key: &str, raw: &str) -> Result<String, ProjectError> {
        interpolate(raw, &self.vars, 0).map_err(|m| self.error(key, m))
    }

    /// A string option, `%(here)s` and `%%` substituted.
    pub fn string(&self, key: &str) -> Result<Option<String>, ProjectError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => self.text(key, s).map(Some),
            Some(other) => Err(self.error(
                key,
                format!("a string is expected, not {}", other.type_str()),
            )),
        }
    }

    /// A list of strings (Alembic's `version_locations` in TOML is a list, not a separated
    /// string).
    pub fn strings(&self, key: &str) -> Result<Option<Vec<String>>, ProjectError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    toml::Value::String(s) => self.text(key, s),
                    other => Err(self.error(
                        key,
                        format!(
                            "a list of strings is expected; it holds {}",
                            other.type_str()
                        ),
                    )),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(self.error(
                key,
                format!("a list of strings is expected, not {}", other.type_str()),
            )),
        }
    }

    /// A boolean option; Alembic refuses any other type here, and so does Stratum.
    pub fn boolean(&self, key: &str) -> Result<Option<bool>, ProjectError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::Boolean(b)) => Ok(Some(*b)),
            Some(other) => Err(self.error(
                key,
                format!("true or false is expected, not {}", other.type_str()),
            )),
        }
    }
}
