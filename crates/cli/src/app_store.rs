//! The desktop app's store as the command line finds it, so that a script sees the profiles
//! the window shows.

use std::path::PathBuf;

use stratum_store::Store;

use crate::args::Cli;
use crate::error::CliError;

/// The desktop app's identifier (tauri.conf.json), which names its folder in the system's data
/// folder.
const APP_IDENTIFIER: &str = "app.stratum.desktop";

/// The desktop app's data folder: --data-dir, else where the app keeps it.
fn data_dir(cli: &Cli) -> Result<PathBuf, CliError> {
    match &cli.data_dir {
        Some(d) => Ok(d.clone()),
        None => dirs::data_dir()
            .map(|d| d.join(APP_IDENTIFIER))
            .ok_or_else(|| {
                CliError::Input(
                    "no data folder for the desktop app's profiles: pass --data-dir".into(),
                )
            }),
    }
}

/// Where the log files go: `logs` in the app's data folder, shared with the desktop app.
pub fn log_dir(cli: &Cli) -> Option<PathBuf> {
    data_dir(cli).ok().map(|d| d.join("logs"))
}

/// The store in the app's data folder; `create` makes it where it is missing (adding a profile).
pub async fn open_store(cli: &Cli, create: bool) -> Result<(Store, PathBuf), CliError> {
    let dir = data_dir(cli)?;
    let file = dir.join("stratum.db");
    if !create && !file.is_file() {
        return Err(CliError::Input(format!(
            "{} has no profiles yet (the desktop app keeps them there; pass --data-dir for another folder)",
            dir.display()
        )));
    }
    let store = Store::open(&file).await?;
    Ok((store, dir))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_cli_looks_for_the_apps_profiles_where_the_app_keeps_them() {
        let conf = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tauri.conf.json"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let conf: serde_json::Value = serde_json::from_str(&conf).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(conf["identifier"], super::APP_IDENTIFIER);
    }
}
