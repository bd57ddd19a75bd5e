use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::ProjectError;

pub const CONFIG_FILE: &str = "stratum.toml";

/// `stratum.toml`. Unknown keys are errors: a misspelt option must not be silently ignored.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub project: ProjectSection,
    #[serde(default)]
    pub version_table: VersionTableSection,
    #[serde(default)]
    pub run: RunSection,
    #[serde(default)]
    pub checks: ChecksSection,
    #[serde(default)]
    pub backup: BackupSection,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSection {
    /// The folder of revision files, relative to the project folder.
    #[serde(default = "default_versions")]
    pub versions: String,
}

impl Default for ProjectSection {
    fn default() -> Self {
        ProjectSection {
            versions: default_versions(),
        }
    }
}

fn default_versions() -> String {
    "versions".into()
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VersionTableSection {
    #[serde(default = "default_table")]
    pub name: String,
    /// Schema (PostgreSQL) or database (MySQL) of the version table; none means the default.
    #[serde(default)]
    pub schema: Option<String>,
}

impl Default for VersionTableSection {
    fn default() -> Self {
        VersionTableSection {
            name: default_table(),
            schema: None,
        }
    }
}

fn default_table() -> String {
    "alembic_version".into()
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RunSection {
    /// Commit after every revision instead of once for the whole run (engines with
    /// transactional DDL only; MySQL always commits per revision).
    #[serde(default)]
    pub transaction_per_revision: bool,
}

/// `[checks]`: the safety checks run before every upgrade (`stratum check`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ChecksSection {
    /// The columns that scope a row to one tenant; a table needs one of them, and an UPDATE or
    /// DELETE must filter on one.
    #[serde(default = "default_tenant_columns")]
    pub tenant_columns: Vec<String>,
    /// The table of the tenants themselves (`clients`), which has no tenant column. A table
    /// that a tenant column references in the same revision is taken as one without saying.
    #[serde(default)]
    pub tenant_table: Option<String>,
    /// Rule ids not checked at all.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Rule ids reported as warnings: shown, but not blocking a run.
    #[serde(default)]
    pub warn: Vec<String>,
    /// Rule ids that block a run until acknowledged (on top of those blocking by default).
    #[serde(default)]
    pub block: Vec<String>,
}

impl Default for ChecksSection {
    fn default() -> Self {
        ChecksSection {
            tenant_columns: default_tenant_columns(),
            tenant_table: None,
            disable: Vec::new(),
            warn: Vec::new(),
            block: Vec::new(),
        }
    }
}

fn default_tenant_columns() -> Vec<String> {
    vec!["tenant_id".into(), "client_id".into()]
}

/// `[backup]`: where the dump tools are, when they are not on PATH.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BackupSection {
    /// The folder holding pg_dump/pg_restore, or mysqldump/mysql (or mariadb-dump/mariadb).
    #[serde(default)]
    pub tools_dir: Option<String>,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ProjectError> {
        let text = std::fs::read_to_string(path).map_err(|e| ProjectError::io(path, e))?;
        let config: Config = toml::from_str(&text).map_err(|e| ProjectError::Config {
            path: path.into(),
            message: e.to_string(),
        })?;
        if config.version_table.name.is_empty() || config.version_table.name.len() > 63 {
            return Err(ProjectError::Config {
                path: path.into(),
                message: "version_table.name must be 1 to 63 characters".into(),
            });
        }
        Ok(config)
    }
}
