//! Safety-check findings for an operation: for the steps of a plan, and per pending revision;
//! an Alembic revision whose SQL could not be rendered is a finding of its own.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use stratum_alembic::RenderFailure;
use stratum_checks::{check_file, Finding};
use stratum_graph::{Direction, Plan};
use stratum_project::{Dialect, Project};

use crate::OperationError;

/// A revision file's findings for one dialect, kept for the databases of a batch that share a
/// project: the SQL is the same, so is what the checks find in it.
#[derive(Default)]
pub struct FindingsCache(Mutex<HashMap<(PathBuf, &'static str), Vec<Finding>>>);

impl FindingsCache {
    fn check(
        &self,
        project: &Project,
        file: &stratum_project::RevisionFile,
        dialect: Dialect,
    ) -> Result<Vec<Finding>, OperationError> {
        let key = (file.path.clone(), dialect.name());
        if let Some(found) = self.0.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(found);
        }
        let found = check_file(project, file, dialect)?;
        if let Ok(mut m) = self.0.lock() {
            m.insert(key, found.clone());
        }
        Ok(found)
    }
}

/// What the plan's steps would do that deserves a look: every rule for a revision being
/// upgraded (but what its downgrade loses), and what a downgrade loses for one going down.
pub fn plan_findings(
    project: &Project,
    plan: &Plan,
    dialect: Dialect,
    unrendered: &[RenderFailure],
) -> Result<Vec<Finding>, OperationError> {
    plan_findings_kept(
        project,
        plan,
        dialect,
        unrendered,
        &FindingsCache::default(),
    )
}

/// [`plan_findings`], with the findings of files already checked taken from `kept`.
pub fn plan_findings_kept(
    project: &Project,
    plan: &Plan,
    dialect: Dialect,
    unrendered: &[RenderFailure],
    kept: &FindingsCache,
) -> Result<Vec<Finding>, OperationError> {
    let mut out = Vec::new();
    for step in &plan.steps {
        let Some(file) = project.file(&step.revision) else {
            continue;
        };
        if step.direction != Direction::Stamp {
            if let Some(f) = unavailable_of(project, unrendered, &step.revision) {
                out.push(f);
                continue;
            }
        }
        let found = kept.check(project, file, dialect)?;
        match step.direction {
            Direction::Upgrade => {
                out.extend(found.into_iter().filter(|f| f.rule != "lossy-downgrade"))
            }
            Direction::Downgrade => {
                out.extend(found.into_iter().filter(|f| f.rule == "lossy-downgrade"))
            }
            Direction::Stamp => {}
        }
    }
    Ok(out)
}

/// The finding for an Alembic revision whose SQL Alembic's offline mode could not render.
fn unavailable_of(
    project: &Project,
    unrendered: &[RenderFailure],
    revision: &str,
) -> Option<Finding> {
    let failure = unrendered.iter().find(|f| f.revision == revision)?;
    let file = project.file(revision)?;
    stratum_checks::unavailable(
        revision,
        &file.path,
        file.line_of(if failure.upgrade {
            "upgrade"
        } else {
            "downgrade"
        }),
        &failure.message,
        &project.config.checks,
    )
}

/// Every finding of the named revisions (those not rendered: that their SQL was not seen).
pub fn revision_findings(
    project: &Project,
    ids: &[String],
    dialect: Dialect,
    unrendered: &[RenderFailure],
) -> Result<Vec<Finding>, OperationError> {
    let mut out = Vec::new();
    for id in ids {
        match (unavailable_of(project, unrendered, id), project.file(id)) {
            (Some(f), _) => out.push(f),
            (None, Some(file)) => out.extend(check_file(project, file, dialect)?),
            (None, None) => {}
        }
    }
    Ok(out)
}

/// Refuses a run while a blocking finding is not acknowledged in its file.
pub fn refuse_unacknowledged(findings: &[Finding]) -> Result<(), OperationError> {
    let blocking: Vec<String> = findings
        .iter()
        .filter(|f| f.blocks())
        .map(|f| format!("{}:{} {} ({})", f.file, f.line, f.rule, f.message))
        .collect();
    if blocking.is_empty() {
        return Ok(());
    }
    Err(OperationError::Blocked(blocking.join("; ")))
}
