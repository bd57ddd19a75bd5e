//! Checking a project's revision files: reads each file's SQL for one engine and applies the
//! rules with the project's `[checks]` settings.

use stratum_project::{Dialect, Project, ProjectError, RevisionFile};

use crate::{check_revision, Finding, RevisionSql};

/// The findings of the named revisions, in the order given (unknown ids are skipped).
pub fn check_revisions(
    project: &Project,
    ids: &[String],
    dialect: Dialect,
) -> Result<Vec<Finding>, ProjectError> {
    let mut out = Vec::new();
    for id in ids {
        if let Some(file) = project.file(id) {
            out.extend(check_file(project, file, dialect)?);
        }
    }
    Ok(out)
}

pub fn check_file(
    project: &Project,
    file: &RevisionFile,
    dialect: Dialect,
) -> Result<Vec<Finding>, ProjectError> {
    let text = std::fs::read_to_string(&file.path).map_err(|e| ProjectError::io(&file.path, e))?;
    let up = file.statements(true, dialect)?;
    let down = match file.body(false, dialect) {
        None => None,
        Some(_) => Some(file.statements(false, dialect)?),
    };
    Ok(check_revision(
        &RevisionSql {
            revision: file.id(),
            file: &file.path,
            text: &text,
            dialect,
            up: &up,
            down: down.as_deref(),
        },
        &project.config.checks,
    ))
}
