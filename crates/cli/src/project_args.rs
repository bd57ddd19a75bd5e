//! The project a command works on, as the command line names it, and what runs its revisions.
//! Every command that reads a project opens it here, so `--project`, `--version-table`,
//! `--value` and `--python` mean the same thing to all of them.

use stratum_alembic::{Alembic, AlembicRunner};
use stratum_backup::Tools;
use stratum_db::{Runner, SqlRunner};
use stratum_project::{AlembicSettings, Config, Project, SuppliedValue};

use crate::args::Cli;
use crate::error::CliError;

/// What the command line adds to an Alembic project (what env.py and computed values hide).
fn settings(cli: &Cli) -> Result<AlembicSettings, CliError> {
    Ok(AlembicSettings {
        version_table: cli.version_table.clone(),
        version_table_schema: cli.version_table_schema.clone(),
        values: SuppliedValue::parse_lines(&cli.values.join("\n"))
            .map_err(|e| CliError::Input(format!("--value: {e}")))?,
    })
}

/// The project folder's `stratum.toml`, else its `alembic.ini` (whose Python revisions are
/// read without running Python).
pub fn open_project(cli: &Cli) -> Result<Project, CliError> {
    Ok(Project::open_with(&cli.project, &settings(cli)?)?)
}

/// The project's own Alembic, for what only it can do (offline SQL, its revision template).
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

/// The dump tools `[backup] tools_dir` names; the setting is relative to the project folder,
/// not to where the command runs.
pub fn backup_tools(cli: &Cli, config: &Config) -> Tools {
    Tools::new(
        config
            .backup
            .tools_dir
            .as_ref()
            .map(|d| cli.project.join(d)),
    )
}
