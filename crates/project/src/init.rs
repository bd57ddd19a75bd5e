use std::path::Path;

use crate::{ProjectError, CONFIG_FILE};

const TEMPLATE: &str = r#"# Stratum project. Revision files live in the versions folder, one .sql file per revision.
[project]
versions = "versions"

# The table that records which revisions a database is at, exactly as Alembic makes it.
[version_table]
name = "alembic_version"
# schema = "public"

[run]
# true: commit after each revision instead of once for the whole run.
transaction_per_revision = false
"#;

/// Creates `DIR/stratum.toml` and `DIR/versions/`, refusing to overwrite a project.
pub fn init_project(dir: &Path) -> Result<(), ProjectError> {
    let config = dir.join(CONFIG_FILE);
    if config.exists() {
        return Err(ProjectError::Exists { path: config });
    }
    let versions = dir.join("versions");
    std::fs::create_dir_all(&versions).map_err(|e| ProjectError::io(&versions, e))?;
    std::fs::write(&config, TEMPLATE).map_err(|e| ProjectError::io(&config, e))?;
    Ok(())
}
