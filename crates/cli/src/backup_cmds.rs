//! `backup`, `verify`, `restore`: thin adapters over stratum-backup.

use std::path::{Path, PathBuf};

use serde_json::json;
use stratum_backup::{backup, restore, verify, Manifest, RestoreTarget, Tools};
use stratum_db::{DatabaseUrl, VersionTable};
use stratum_project::Project;

use crate::args::{Cli, RestoreArgs};
use crate::database_args::database_url;
use crate::error::CliError;
use crate::output::Out;
use crate::project_args::backup_tools;

/// The project's `[backup]` settings when there is a project here; backups work without one.
fn context(cli: &Cli) -> (Tools, VersionTable) {
    match Project::open(&cli.project) {
        Ok(p) => (
            backup_tools(cli, &p.config),
            VersionTable::from_config(&p.config),
        ),
        Err(_) => (Tools::new(None), VersionTable::default()),
    }
}

pub fn default_path(dir: &Path, url: &DatabaseUrl, label: &str) -> PathBuf {
    stratum_backup::backup_path(dir, url, label)
}

pub async fn take_backup(
    url: &DatabaseUrl,
    tools: &Tools,
    vt: &VersionTable,
    out: &Path,
) -> Result<Manifest, CliError> {
    eprintln!("Backing up {url} to {} ...", out.display());
    let m = backup(url, vt, tools, out).await?;
    eprintln!(
        "Backup done: {} bytes in {} ms (at [{}], {}).",
        m.size,
        m.duration_ms,
        m.rows.join(", "),
        m.tool_version
    );
    Ok(m)
}

pub async fn backup_cmd(cli: &Cli, out_path: &Option<PathBuf>, out: &Out) -> Result<(), CliError> {
    let url = database_url(cli)?;
    let (tools, vt) = context(cli);
    let path = out_path
        .clone()
        .unwrap_or_else(|| default_path(Path::new("backups"), &url, ""));
    let m = take_backup(&url, &tools, &vt, &path).await?;
    out.result(&json!({ "ok": true, "path": path, "manifest": m }), || {
        format!("{}\nsha256 {}", path.display(), m.sha256)
    });
    Ok(())
}

pub async fn verify_cmd(cli: &Cli, path: &Path, out: &Out) -> Result<(), CliError> {
    let (tools, _) = context(cli);
    let v = verify(path, &tools).await?;
    out.result(
        &json!({ "ok": true, "manifest": v.manifest, "checks": v.checks }),
        || {
            format!(
                "{} is good: {}.\nTaken {} from {} at [{}].",
                path.display(),
                v.checks.join("; "),
                v.manifest.taken_at,
                v.manifest.database,
                v.manifest.rows.join(", ")
            )
        },
    );
    Ok(())
}

pub async fn restore_cmd(cli: &Cli, a: &RestoreArgs, out: &Out) -> Result<(), CliError> {
    let url = database_url(cli)?;
    let (tools, vt) = context(cli);
    let target = match &a.into {
        Some(name) => RestoreTarget::New(name.clone()),
        None => RestoreTarget::Same,
    };
    let mut safety = None;
    if target == RestoreTarget::Same {
        if !a.yes {
            return Err(CliError::Input(format!(
                "restoring replaces everything in {url} with the backup; pass --yes to confirm (a safety backup is taken first), or --into NAME to restore into a new database"
            )));
        }
        // Refuse a bad backup before touching anything, the safety backup included.
        verify(&a.path, &tools).await?;
        if !a.no_safety_backup {
            let dir = a.path.parent().unwrap_or(Path::new("."));
            let path = default_path(dir, &url, "-before-restore");
            take_backup(&url, &tools, &vt, &path).await?;
            safety = Some(path);
        }
    }
    let r = restore(&url, &a.path, &tools, &target).await?;
    out.result(
        &json!({ "ok": true, "database": r.database, "rows": r.rows, "duration_ms": r.duration_ms, "safety_backup": safety }),
        || {
            let mut s = format!(
                "Restored {} into {} in {} ms; it is at [{}].",
                a.path.display(),
                r.database,
                r.duration_ms,
                r.rows.join(", ")
            );
            if let Some(p) = &safety {
                s.push_str(&format!("\nThe database as it was before is in {}.", p.display()));
            }
            s
        },
    );
    Ok(())
}
