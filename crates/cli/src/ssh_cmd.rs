//! `stratum ssh-trust`: a bastion's host key trusted once a person has compared it.

use crate::args::Cli;
use crate::database_args;
use crate::error::CliError;
use crate::output::Out;

pub async fn trust(cli: &Cli, fingerprint: &str, out: &Out) -> Result<(), CliError> {
    let url = database_args::database_url(cli)?;
    let ssh = url.ssh.as_ref().ok_or_else(|| {
        CliError::Input("the --url names no SSH bastion (?ssh=user@host:port)".into())
    })?;
    stratum_db::tunnel::trust_host_key(ssh, fingerprint).await?;
    let file = stratum_db::tunnel::known_hosts_file();
    out.result(
        &serde_json::json!({ "ok": true, "bastion": ssh.to_string(), "known_hosts": file.display().to_string() }),
        || format!("Trusted the host key {fingerprint} of {ssh} (in {})", file.display()),
    );
    Ok(())
}
