//! `stratum check`: the safety checks over the project's revisions.

use stratum_checks::{check_revisions, unavailable, unknown_rules, Finding};
use stratum_project::Dialect;

use crate::args::{CheckArgs, Cli};
use crate::database_args::{given_database_url, given_dialect};
use crate::error::CliError;
use crate::output::Out;
use crate::project_args::{alembic, open_project};

pub async fn check(cli: &Cli, a: &CheckArgs, out: &Out) -> Result<(), CliError> {
    let mut project = open_project(cli)?;
    let unknown = unknown_rules(&project.config.checks);
    if !unknown.is_empty() {
        return Err(CliError::Input(format!(
            "{}: [checks] names unknown rules: {} (see `stratum check --rules`)",
            project.dir.join(stratum_project::CONFIG_FILE).display(),
            unknown.join(", ")
        )));
    }
    let dialect = match given_dialect(a.dialect.as_deref())? {
        Some(d) => d,
        None => given_database_url(cli)?.map_or(Dialect::Postgres, |u| u.dialect()),
    };
    let ids: Vec<String> = if a.revisions.is_empty() {
        project.files.iter().map(|f| f.id().to_string()).collect()
    } else {
        a.revisions
            .iter()
            .map(|r| {
                project
                    .map
                    .resolve(r)?
                    .ok_or_else(|| CliError::Input(format!("'{r}' names no revision")))
            })
            .collect::<Result<_, CliError>>()?
    };
    // An Alembic project's SQL comes from Alembic's offline mode; what it cannot render is
    // reported as not checked rather than passed over.
    let mut unreadable = Vec::new();
    if project.alembic().is_some() {
        let given = given_database_url(cli)?.filter(|u| u.dialect() == dialect);
        let rendered = alembic(cli, &project)?
            .render(&project, given.as_ref(), dialect)
            .await?;
        rendered.apply(&mut project);
        unreadable = rendered.failures_among(&ids);
    }
    let readable: Vec<String> = ids
        .iter()
        .filter(|id| !unreadable.iter().any(|f| &f.revision == *id))
        .cloned()
        .collect();
    let mut findings = check_revisions(&project, &readable, dialect)?;
    for f in &unreadable {
        if let Some(file) = project.file(&f.revision) {
            findings.extend(unavailable(
                &f.revision,
                &file.path,
                file.line_of(if f.upgrade { "upgrade" } else { "downgrade" }),
                &f.message,
                &project.config.checks,
            ));
        }
    }
    let blocking = findings.iter().filter(|f| f.blocks()).count();
    if out.json {
        out.result(&findings, String::new);
    } else {
        out.result(&(), || text(&findings, ids.len(), dialect, blocking));
    }
    if blocking > 0 {
        return Err(CliError::Blocked(format!(
            "{blocking} blocking finding(s) are not acknowledged: fix the SQL, or acknowledge each with `-- stratum: allow RULE REASON` on the line above the statement (in an Alembic revision: `# stratum: allow RULE REASON` on the line above `def upgrade()`)"
        )));
    }
    Ok(())
}

fn text(findings: &[Finding], revisions: usize, dialect: Dialect, blocking: usize) -> String {
    let mut s = String::new();
    for f in findings {
        let status = match (&f.acknowledged, f.blocks()) {
            (Some(reason), _) => format!("acknowledged: {reason}"),
            (None, true) => "BLOCKING".into(),
            (None, false) => "warning".into(),
        };
        s.push_str(&format!(
            "{}:{}: {} [{}] {}\n    {}\n",
            f.file, f.line, f.rule, status, f.message, f.why
        ));
    }
    s.push_str(&format!(
        "{} finding(s) in {revisions} revision(s) checked as {}; {blocking} blocking and not acknowledged.\n",
        findings.len(),
        dialect.name()
    ));
    s
}
