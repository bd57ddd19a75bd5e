//! What an Alembic project (a folder with alembic.ini) needs its own Alembic for: `--sql`
//! (Alembic's offline mode, verbatim), new revisions and merges (its own template), and
//! converting it to a Stratum project. Reading and planning stay Stratum's own; runs go through
//! [`runner`].

use serde_json::{json, Value};
use stratum_alembic::{Alembic, AlembicError, AlembicRunner, NewAlembicRevision, Written};
use stratum_db::{Runner, SqlRunner};
use stratum_project::{Dialect, Project};

use crate::args::{Cli, ConvertArgs, MergeArgs, RevisionArgs};
use crate::error::CliError;
use crate::graph_cmds::open;
use crate::migrate::url;
use crate::output::Out;

impl From<AlembicError> for CliError {
    fn from(e: AlembicError) -> Self {
        match e {
            AlembicError::Db(d) => d.into(),
            AlembicError::Project(p) => p.into(),
            AlembicError::Graph(g) => g.into(),
            AlembicError::NotEmpty(_) | AlembicError::NotAlembic(_) => {
                CliError::Input(e.to_string())
            }
            other => CliError::Failed(other.to_string()),
        }
    }
}

pub fn alembic(cli: &Cli, project: &Project) -> Result<Alembic, CliError> {
    Ok(Alembic::for_project(project, cli.python.as_deref())?)
}

/// What runs the project's revisions: Stratum itself, or the project's own Alembic.
pub fn runner(cli: &Cli, project: &Project) -> Result<Box<dyn Runner>, CliError> {
    Ok(match project.alembic() {
        Some(_) => Box::new(AlembicRunner(alembic(cli, project)?)),
        None => Box::new(SqlRunner),
    })
}

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
    let given = match &cli.url {
        Some(_) => Some(url(cli)?),
        None => None,
    };
    let d = match (dialect, &given) {
        (Some(d), _) => d,
        (None, Some(u)) => u.dialect(),
        (None, None) => {
            return Err(CliError::Input(
                "say which SQL to write: pass --dialect postgresql|mysql|sqlite or --url".into(),
            ))
        }
    };
    let offline = a.offline_url(given.as_ref().filter(|u| u.dialect() == d), d);
    let printed = a
        .command(verb, &args, true, Some(&offline), |line, stdout| {
            // Alembic's log goes to stderr as it would; stdout is the SQL, printed at the end.
            if !stdout && !out.json {
                eprintln!("{line}");
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
    let given = match (&cli.url, a.autogenerate) {
        (Some(_), _) => Some(url(cli)?),
        (None, true) => {
            return Err(CliError::Input(
                "--autogenerate compares the models with a database: pass --url".into(),
            ))
        }
        (None, false) => None,
    };
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
                    eprintln!("{line}")
                }
            },
        )
        .await?;
    print_written(&written, "revision", out)
}

pub async fn merge(cli: &Cli, project: &Project, a: &MergeArgs, out: &Out) -> Result<(), CliError> {
    // Stratum says what is wrong before Alembic would write a one-parent "merge".
    let parents = crate::graph_cmds::merge_parents(project, a)?;
    let quiet = out.json;
    let written = alembic(cli, project)?
        .merge(
            &parents,
            &a.message,
            a.branch_label.first().map(String::as_str),
            a.rev_id.as_deref(),
            |line| {
                if !quiet {
                    eprintln!("{line}")
                }
            },
        )
        .await?;
    print_written(&written, "merge revision", out)
}

pub async fn convert(cli: &Cli, a: &ConvertArgs, out: &Out) -> Result<(), CliError> {
    let project = open(cli)?;
    let given = match &cli.url {
        Some(_) => Some(url(cli)?),
        None => None,
    };
    let mut dialects = a
        .dialect
        .iter()
        .map(|d| {
            Dialect::from_name(d).ok_or_else(|| {
                CliError::Input(format!(
                    "unknown dialect '{d}' (postgresql, mysql or sqlite)"
                ))
            })
        })
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
