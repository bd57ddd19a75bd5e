//! `stratum`: the command line over the Stratum engine. Thin: parse, call the engine, print.

mod alembic_cmds;
mod app_store;
mod args;
mod backup_cmds;
mod check_cmd;
mod checkup_cmd;
mod database_args;
mod error;
mod fleet_cmds;
mod graph_cmds;
mod logging;
mod migrate;
mod output;
mod profile_cmds;
mod project_args;
mod rehearse_cmd;
mod schema_cmd;
mod ssh_cmd;

use clap::{CommandFactory, Parser};

use crate::args::{Cli, Command};
use crate::error::CliError;
use crate::output::Out;

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let log = logging::init(app_store::log_dir(&cli).as_deref(), cli.verbose);
    tracing::debug!(
        version = env!("CARGO_PKG_VERSION"),
        command = command_name(),
        "stratum started"
    );
    let out = Out { json: cli.json };
    let result = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(dispatch(&cli, &out)),
        Err(e) => Err(CliError::Failed(format!(
            "cannot start the async runtime: {e}"
        ))),
    };
    if let Err(e) = result {
        out.error(&e);
        // `exit` runs no destructors: the log's last lines are written first.
        drop(log);
        std::process::exit(e.exit_code());
    }
}

/// The command's name as typed, for the log: only a name clap knows, never the arguments
/// (a URL given with --url may hold a password).
fn command_name() -> String {
    let known: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    std::env::args_os()
        .skip(1)
        .filter_map(|a| a.into_string().ok())
        .find(|a| known.contains(a))
        .unwrap_or_default()
}

async fn dispatch(cli: &Cli, out: &Out) -> Result<(), CliError> {
    match &cli.command {
        Command::Init { dir } => graph_cmds::init(dir, out),
        Command::Revision(a) => graph_cmds::revision(cli, a, out).await,
        Command::Merge(a) => graph_cmds::merge(cli, a, out).await,
        Command::Heads {
            resolve_dependencies,
        } => graph_cmds::heads(cli, *resolve_dependencies, out),
        Command::Bases => graph_cmds::bases(cli, out),
        Command::Branches => graph_cmds::branches(cli, out),
        Command::History => graph_cmds::history(cli, out),
        Command::Show { revision } => graph_cmds::show(cli, revision, out),
        Command::Current => migrate::current(cli, out).await,
        Command::Upgrade(a) if a.fleet.given() || a.rest_of_batch.is_some() => {
            fleet_cmds::batch_cmd(cli, a, true, out).await
        }
        Command::Downgrade(a) if a.fleet.given() || a.rest_of_batch.is_some() => {
            fleet_cmds::batch_cmd(cli, a, false, out).await
        }
        Command::Upgrade(a) => migrate::migrate(cli, a, true, out).await,
        Command::Downgrade(a) => migrate::migrate(cli, a, false, out).await,
        Command::Stamp(a) => migrate::stamp(cli, a, out).await,
        Command::Backup { out: path } => backup_cmds::backup_cmd(cli, path, out).await,
        Command::Verify { path } => backup_cmds::verify_cmd(cli, path, out).await,
        Command::SshTrust { fingerprint } => ssh_cmd::trust(cli, fingerprint, out).await,
        Command::Restore(a) => backup_cmds::restore_cmd(cli, a, out).await,
        Command::Check(a) => check_cmd::check(cli, a, out).await,
        Command::Schema { table } => schema_cmd::schema(cli, table, out).await,
        Command::Drift => schema_cmd::drift(cli, out).await,
        Command::Diff { other } => schema_cmd::diff(cli, other, out).await,
        Command::Audit => schema_cmd::audit(cli, out).await,
        Command::Rehearse {
            target,
            from_base,
            with_data,
            from_backup,
            ..
        } => {
            let start = rehearse_cmd::Starting {
                from_base: *from_base,
                with_data: *with_data,
                from_backup: from_backup.clone(),
            };
            rehearse_cmd::rehearse(cli, target, &start, out).await
        }
        Command::Checkup(f) => checkup_cmd::checkup_cmd(cli, f, out).await,
        Command::Convert(a) => alembic_cmds::convert(cli, a, out).await,
        Command::Status(a) => fleet_cmds::status_cmd(cli, a, out).await,
        Command::Profile(c) => profile_cmds::profile_cmd(cli, c, out).await,
        Command::Batches { id } => fleet_cmds::batches_cmd(cli, *id, out).await,
    }
}
