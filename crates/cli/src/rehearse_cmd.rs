//! `stratum rehearse`: every step upgraded, downgraded and upgraded again on a scratch copy,
//! with what each downgrade fails to put back.

use std::path::PathBuf;
use std::sync::Arc;

use stratum_operations::{
    rehearse as run_rehearsal, Rehearsal, RehearsalOptions, RehearsedStep, Start, StepResult,
};

use crate::args::Cli;
use crate::database_args::database_url;
use crate::error::CliError;
use crate::output::Out;
use crate::project_args::{backup_tools, open_project, runner};

/// Where a rehearsal starts, as the command line says it.
pub struct Starting {
    pub from_base: bool,
    pub with_data: bool,
    pub from_backup: Option<PathBuf>,
}

pub async fn rehearse(
    cli: &Cli,
    target: &str,
    start: &Starting,
    out: &Out,
) -> Result<(), CliError> {
    let project = open_project(cli)?;
    let url = database_url(cli)?;
    let runner = runner(cli, &project)?;
    let tools = backup_tools(cli, &project.config);
    let opts = RehearsalOptions {
        start: Some(match (&start.from_backup, start.from_base) {
            (Some(_), _) => Start::Backup,
            (None, true) => Start::Base,
            (None, false) => Start::Live,
        }),
        with_data: start.with_data,
        backup: start.from_backup.clone(),
        // A step's line as it ends, on stderr: stdout keeps the report (or the one JSON document).
        each: Some(Arc::new(|s: &RehearsedStep| {
            crate::output::say(step_line(s))
        })),
        ..RehearsalOptions::default()
    };
    let r = run_rehearsal(&url, &project, target, runner.as_ref(), &tools, &opts).await?;
    out.result(&r, || summary(&r));
    if r.passed() {
        Ok(())
    } else {
        Err(CliError::Blocked(format!(
            "the rehearsal failed: {} of {} step(s)",
            r.steps
                .iter()
                .filter(|s| s.result == StepResult::Failed)
                .count()
                + r.not_rehearsed.len(),
            r.steps.len() + r.not_rehearsed.len()
        )))
    }
}

fn step_line(s: &RehearsedStep) -> String {
    let mut line = format!(
        "{} {}: upgrade {} ms, downgrade {} ms, upgrade again {} ms",
        s.revision,
        match s.result {
            StepResult::Passed => "passed",
            StepResult::Failed => "FAILED",
        },
        s.upgrade_ms,
        s.downgrade_ms,
        s.upgrade_again_ms
    );
    for p in &s.problems {
        line.push_str(&format!("\n  - {}", p.message));
    }
    line
}

fn summary(r: &Rehearsal) -> String {
    let from = if r.rows_before.is_empty() {
        "base".to_string()
    } else {
        r.rows_before.join(", ")
    };
    let mut s = format!(
        "Rehearsed {} step(s) from {from} to {} on {}, dropped afterwards, in {} ms.\n",
        r.steps.len(),
        r.target,
        r.scratch,
        r.millis
    );
    let failed: Vec<&RehearsedStep> = r
        .steps
        .iter()
        .filter(|s| s.result == StepResult::Failed)
        .collect();
    if failed.is_empty() && r.not_rehearsed.is_empty() {
        s.push_str("Every step upgrades, downgrades back to the schema it started from, and upgrades again.");
    }
    for f in failed {
        s.push_str(&format!("{}\n", step_line(f)));
    }
    if !r.not_rehearsed.is_empty() {
        s.push_str(&format!(
            "Not rehearsed after that: {}.",
            r.not_rehearsed.join(", ")
        ));
    }
    s
}
