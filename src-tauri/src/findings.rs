//! Safety-check findings for the window: for the steps of a plan, and per pending revision.

use stratum_checks::{check_file, Finding};
use stratum_graph::{Direction, Plan};
use stratum_project::{Dialect, Project};

use crate::views::FindingView;
use crate::AppError;

pub(crate) fn finding_view(f: &Finding) -> FindingView {
    FindingView {
        revision: f.revision.clone(),
        file: f.file.clone(),
        line: u32::try_from(f.line).unwrap_or(u32::MAX),
        rule: f.rule.to_string(),
        severity: format!("{:?}", f.severity).to_lowercase(),
        message: f.message.clone(),
        why: f.why.clone(),
        acknowledged: f.acknowledged.clone(),
        blocks: f.blocks(),
    }
}

/// What the plan's steps would do that deserves a look: every rule for a revision being
/// upgraded (but what its downgrade loses), and what a downgrade loses for one going down.
pub(crate) fn plan_findings(
    project: &Project,
    plan: &Plan,
    dialect: Dialect,
) -> Result<Vec<Finding>, AppError> {
    let mut out = Vec::new();
    for step in &plan.steps {
        let Some(file) = project.file(&step.revision) else {
            continue;
        };
        let found = check_file(project, file, dialect)?;
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

/// Refuses a run while a blocking finding is not acknowledged in its file.
pub(crate) fn refuse_unacknowledged(findings: &[Finding]) -> Result<(), AppError> {
    let blocking: Vec<String> = findings
        .iter()
        .filter(|f| f.blocks())
        .map(|f| format!("{}:{} {} ({})", f.file, f.line, f.rule, f.message))
        .collect();
    if blocking.is_empty() {
        return Ok(());
    }
    Err(AppError::Input(format!(
        "blocking findings are not acknowledged: {}. Fix the SQL, or acknowledge each with `-- stratum: allow RULE REASON` on the line above the statement",
        blocking.join("; ")
    )))
}
