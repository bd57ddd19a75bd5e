//! Running an Alembic project (a folder with alembic.ini) through its own Alembic: upgrade,
//! downgrade and stamp, online or as SQL (`--sql`, Alembic's offline mode). Planning and reading
//! the graph stay Stratum's own; only running Python revisions needs Python.

use std::path::PathBuf;

use serde_json::json;
use stratum_alembic::{find_python, run, AlembicError, Run};
use stratum_project::AlembicProject;

use crate::args::Cli;
use crate::error::CliError;
use crate::output::Out;

impl From<AlembicError> for CliError {
    fn from(e: AlembicError) -> Self {
        CliError::Failed(e.to_string())
    }
}

/// `alembic <command> <args>` on the project, with `--url` handed over in the environment.
pub async fn alembic(
    cli: &Cli,
    project: &AlembicProject,
    command: &str,
    args: Vec<String>,
    sql: bool,
    out: &Out,
) -> Result<(), CliError> {
    let dir = project
        .ini
        .path
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    let given = std::env::var_os("STRATUM_PYTHON").map(PathBuf::from);
    let python = find_python(&dir, given.as_deref())?;
    let quiet = out.json;
    let printed = run(
        &Run {
            python: &python,
            ini: &project.ini.path,
            command,
            args: &args,
            sql,
            url: cli.url.as_deref(),
        },
        |line| {
            // Online, Alembic's log lines are the progress; offline, stdout is the SQL itself.
            if !quiet && !sql {
                eprintln!("{line}");
            }
        },
    )
    .await?;
    if sql {
        out.raw(&json!({ "sql": printed }), &printed);
    } else {
        out.result(
            &json!({ "ok": true, "alembic": command, "args": args, "python": python }),
            || {
                format!(
                    "Done: alembic {command} {} (through {})",
                    args.join(" "),
                    python.display()
                )
            },
        );
    }
    Ok(())
}
