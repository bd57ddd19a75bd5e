//! The database a command works on (`--url`, or STRATUM_DATABASE_URL) and the engine whose SQL
//! it writes (`--dialect`), read the same way by every command.

use std::time::Duration;

use stratum_db::{Connection, DatabaseUrl};
use stratum_project::Dialect;

use crate::args::Cli;
use crate::error::CliError;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The database, for commands that cannot work without one.
pub fn database_url(cli: &Cli) -> Result<DatabaseUrl, CliError> {
    let raw = cli.url.as_deref().ok_or_else(|| {
        CliError::Input("no database given: pass --url URL or set STRATUM_DATABASE_URL".into())
    })?;
    Ok(DatabaseUrl::parse(raw)?)
}

/// The database when one is given: offline commands take its dialect, or hand it to Alembic,
/// but do not need it. A malformed one is still an error.
pub fn given_database_url(cli: &Cli) -> Result<Option<DatabaseUrl>, CliError> {
    cli.url.as_ref().map(|_| database_url(cli)).transpose()
}

pub async fn connect(url: &DatabaseUrl) -> Result<Connection, CliError> {
    Ok(stratum_operations::connect(url, CONNECT_TIMEOUT).await?)
}

pub fn parse_dialect(name: &str) -> Result<Dialect, CliError> {
    Dialect::from_name(name).ok_or_else(|| {
        CliError::Input(format!(
            "unknown dialect '{name}' (postgresql, mysql or sqlite)"
        ))
    })
}

/// `--dialect` when given; a misspelt one is refused before anything else is looked at.
pub fn given_dialect(given: Option<&str>) -> Result<Option<Dialect>, CliError> {
    given.map(parse_dialect).transpose()
}

/// The engine whose SQL `--sql` writes: `--dialect`, else the database's. The URL is read only
/// when no dialect is given, as offline SQL needs no database.
pub fn sql_dialect(cli: &Cli, given: Option<Dialect>) -> Result<Dialect, CliError> {
    match (given, &cli.url) {
        (Some(d), _) => Ok(d),
        (None, Some(_)) => Ok(database_url(cli)?.dialect()),
        (None, None) => Err(CliError::Input(
            "say which SQL to write: pass --dialect postgresql|mysql|sqlite or --url".into(),
        )),
    }
}
