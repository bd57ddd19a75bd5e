//! What an Alembic project (a folder with alembic.ini) needs its own Alembic for: `--sql`
//! (Alembic's offline mode, verbatim), new revisions and merges (its own template), and
//! converting it to a Stratum project. Reading and planning stay Stratum's own; runs go through
//! [`crate::project_args::runner`]. The generic commands call in here for an Alembic project;
//! nothing here calls back into them.

use serde_json::{json, Value};
use stratum_alembic::{NewAlembicRevision, Written};
use stratum_project::{Dialect, Project};

use crate::args::{Cli, ConvertArgs, MergeArgs, RevisionArgs};
use crate::database_args::{given_database_url, parse_dialect, sql_dialect};
use crate::error::CliError;
use crate::output::Out;
use crate::project_args::{alembic, open_project};

/// `alembic upgrade|downgrade|stamp ... --sql`, printed exactly as Alembic prints it. Offline
/// mode needs only the dialect: the URL goes without its password.
pub async fn sql(
    cli: &Cli,
    project: &Project,
    verb: &str,
    args: Vec<Value>,
    dialect: Option<Dialect>,
    out: &Out,
) -> Result<(), CliError> {
    let a = alembic(cli, project)?;
    let given = given_database_url(cli)?;
    let d = sql_dialect(cli, dialect)?;
    let offline = a.offline_url(given.as_ref().filter(|u| u.dialect() == d), d);
    let printed = a
        .command(verb, &args, true, Some(&offline), |line, stdout| {
            // Alembic's log goes to stderr as it would; stdout is the SQL, printed at the end.
            if !stdout && !out.json {
                crate::output::say(line);
            }
        })
        .await?;
    out.raw(&json!({ "sql": printed }), &printed);
    Ok(())
}

fn print_written(w: &Written, what: &str, out: &Out) -> Result<(), CliError> {
    let content = std::fs::read_to_string(&w.path).unwrap_or_default();
    out.result(
        &json!({ "ok": true, "revision": w.revision, "file": w.path, "content": content }),
        || format!("Generated {what} {} ({})", w.path.display(), w.revision),
    );
    Ok(())
}

pub async fn revision(
    cli: &Cli,
    project: &Project,
    a: &RevisionArgs,
    out: &Out,
) -> Result<(), CliError> {
    if a.branch_label.len() > 1 {
        return Err(CliError::Input(
            "Alembic takes one --branch-label per new revision".into(),
        ));
    }
    let given = given_database_url(cli)?;
    if a.autogenerate && given.is_none() {
        return Err(CliError::Input(
            "--autogenerate compares the models with a database: pass --url".into(),
        ));
    }
    let quiet = out.json;
    let written = alembic(cli, project)?
        .revision(
            &NewAlembicRevision {
                message: a.message.clone(),
                autogenerate: a.autogenerate,
                head: Some(a.head.clone()),
                splice: a.splice,
                branch_label: a.branch_label.first().cloned(),
                depends_on: a.depends_on.clone(),
                rev_id: a.rev_id.clone(),
            },
            given.as_ref(),
            |line| {
                if !quiet {
                    crate::output::say(line)
                }
            },
        )
        .await?;
    print_written(&written, "revision", out)
}

/// `parents` are already checked against Stratum's own graph: Alembic would write a one-parent
/// "merge".
pub async fn merge(
    cli: &Cli,
    project: &Project,
    parents: &[String],
    a: &MergeArgs,
    out: &Out,
) -> Result<(), CliError> {
    let quiet = out.json;
    let written = alembic(cli, project)?
        .merge(
            parents,
            &a.message,
            a.branch_label.first().map(String::as_str),
            a.rev_id.as_deref(),
            |line| {
                if !quiet {
                    crate::output::say(line)
                }
            },
        )
        .await?;
    print_written(&written, "merge revision", out)
}

pub async fn convert(cli: &Cli, a: &ConvertArgs, out: &Out) -> Result<(), CliError> {
    let project = open_project(cli)?;
    let given = given_database_url(cli)?;
    let mut dialects = a
        .dialect
        .iter()
        .map(|d| parse_dialect(d))
        .collect::<Result<Vec<_>, _>>()?;
    if dialects.is_empty() {
        dialects.push(given.as_ref().map_or(Dialect::Postgres, |u| u.dialect()));
    }
    let a_ = alembic(cli, &project)?;
    let done = stratum_alembic::convert(&a_, &project, &a.out, &dialects, given.as_ref()).await?;
    out.result(
        &json!({
            "ok": true,
            "project": done.dir,
            "files": done.files,
            "outside_transaction": done.outside_transaction,
            "dialects": dialects.iter().map(|d| d.name()).collect::<Vec<_>>(),
        }),
        || {
            let mut s = format!(
                "Converted {} revision(s) into {} (SQL for {}).",
                done.files.len(),
                done.dir.display(),
                dialects.iter().map(|d| d.name()).collect::<Vec<_>>().join(", ")
            );
            if !done.outside_transaction.is_empty() {
                s.push_str(&format!(
                    "\nRun outside a transaction (-- transaction: false), as their autocommit blocks did: {}",
                    done.outside_transaction.join(", ")
                ));
            }
            s
        },
    );
    Ok(())
}
