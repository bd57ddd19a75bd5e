//! `stratum profile list|add|remove|discover`: the desktop app's profiles from a script (a
//! password in the URL goes to the keychain, never to the store).

use serde_json::json;
use stratum_operations::checked_profile;
use stratum_operations::fleet::Selection;
use stratum_store::{NewProfile, Secrets};

use crate::app_store::open_store;
use crate::args::{Cli, ProfileCommand};
use crate::error::CliError;
use crate::output::Out;

pub async fn profile_cmd(cli: &Cli, c: &ProfileCommand, out: &Out) -> Result<(), CliError> {
    use ProfileCommand as C;
    match c {
        C::List => {
            let (store, _) = open_store(cli, false).await?;
            let all = store.profiles().await?;
            let rows: Vec<_> = all
                .iter()
                .map(|p| {
                    json!({ "id": p.id, "name": p.name, "client": p.client, "environment": p.environment,
                            "database": stratum_db::DatabaseUrl::parse(&p.url).map(|u| u.to_string()).unwrap_or_default(),
                            "project_dir": p.project_dir, "tags": p.tag_list() })
                })
                .collect();
            out.result(&rows, || {
                all.iter()
                    .map(|p| {
                        format!(
                            "{:>4}  {:<24} {:<16} {:<11} {}\n",
                            p.id, p.name, p.client, p.environment, p.project_dir
                        )
                    })
                    .collect()
            });
        }
        C::Add(a) => {
            let dir = std::path::absolute(&a.dir).unwrap_or_else(|_| a.dir.clone());
            let (profile, password) = checked_profile(
                NewProfile {
                    name: a.name.clone(),
                    client: a.client.clone(),
                    environment: a.environment.clone(),
                    url: a.db.clone(),
                    project_dir: dir.display().to_string(),
                    tags: a.tags.clone(),
                    maintenance_window: a.window.clone(),
                    release_gate: a.release_gate,
                    ..Default::default()
                },
                None,
            )?;
            let (store, _) = open_store(cli, true).await?;
            let p = store.add_profile(&profile).await?;
            let kept = password.map(|pw| Secrets::default().set(p.id, &pw));
            let shown = stratum_db::DatabaseUrl::parse(&p.url)
                .map(|u| u.to_string())
                .unwrap_or_else(|_| p.url.clone());
            tracing::info!(profile = %p.name, db = %shown, password_kept_in = ?kept, "profile added");
            out.result(&json!({ "ok": true, "id": p.id, "password": kept }), || {
                format!(
                    "Added profile {} ({}){}",
                    p.name,
                    shown,
                    match kept {
                        Some(stratum_store::SecretStorage::Keychain) =>
                            "; its password is in the keychain",
                        Some(stratum_store::SecretStorage::Memory) =>
                            "; there is no keychain here, so its password was not kept",
                        None => "",
                    }
                )
            });
        }
        C::Discover(a) => discover_cmd(cli, a, out).await?,
        C::Export(a) => export_cmd(cli, a, out).await?,
        C::Import(a) => import_cmd(cli, a, out).await?,
        C::Remove { name } => {
            let (store, _) = open_store(cli, false).await?;
            let all = store.profiles().await?;
            let p = Selection {
                names: vec![name.clone()],
                ..Default::default()
            }
            .choose(all)?
            .remove(0);
            store.delete_profile(p.id).await?;
            Secrets::default().delete(p.id);
            out.result(&json!({ "ok": true, "id": p.id }), || {
                format!("Removed profile {}", p.name)
            });
        }
    }
    Ok(())
}

/// `stratum profile discover`: what the server holds, then (asked, or with `--yes`) the
/// profiles for it.
async fn discover_cmd(
    cli: &Cli,
    a: &crate::args::ProfileDiscoverArgs,
    out: &Out,
) -> Result<(), CliError> {
    use std::io::{BufRead, IsTerminal, Write};
    use stratum_operations::fleet::{add_found, discover, AddOptions, DiscoverOptions};

    let project = crate::project_args::open_project(cli)?;
    let (store, _) = open_store(cli, true).await?;
    let existing = store.profiles().await?;
    let secrets = Secrets::default();
    // A profile's name stands for its server, its password from the keychain.
    let server = match stratum_db::DatabaseUrl::parse(&a.server) {
        Ok(url) => url,
        Err(e) => match existing.iter().find(|p| p.name == a.server) {
            Some(p) => {
                let mut url = stratum_db::DatabaseUrl::parse(&p.url)?;
                url.password = secrets.get(p.id);
                url
            }
            None => {
                return Err(CliError::Input(format!(
                    "{}: neither a database URL ({e}) nor a profile's name",
                    a.server
                )))
            }
        },
    };
    let found = discover(
        &server,
        &project,
        &existing,
        &DiscoverOptions {
            databases: a.databases.clone(),
            schemas: a.schemas.clone(),
            name: a.name.clone(),
            client: a.client.clone(),
            concurrency: a.concurrency,
        },
    )
    .await?;
    let (versioned, unversioned): (Vec<_>, Vec<_>) = found.iter().partition(|f| f.versioned());
    let listing = || {
        let mut text = format!(
            "{} {} on {} match{}: {} with a version table, {} without\n",
            found.len(),
            if a.schemas.is_some() {
                "schema(s)"
            } else {
                "database(s)"
            },
            server,
            [a.databases.as_deref(), a.schemas.as_deref()]
                .iter()
                .flatten()
                .map(|p| format!(" '{p}'"))
                .collect::<String>(),
            versioned.len(),
            unversioned.len()
        );
        for f in &versioned {
            let rows = f.version_rows.clone().unwrap_or_default();
            let mut notes = Vec::new();
            if !f.unknown.is_empty() {
                notes.push(format!("not in the project: {}", f.unknown.join(", ")));
            }
            if let Some(p) = &f.existing_profile {
                notes.push(format!("already the profile {p}"));
            }
            if let Some(e) = &f.error {
                notes.push(format!("could not be read: {e}"));
            }
            text.push_str(&format!(
                "  {:<32} [{}]  -> {}{}{}\n",
                f.place(),
                if rows.is_empty() {
                    "base".to_string()
                } else {
                    rows.join(", ")
                },
                f.name,
                if f.client.is_empty() {
                    String::new()
                } else {
                    format!(" (client {})", f.client)
                },
                if notes.is_empty() {
                    String::new()
                } else {
                    format!("; {}", notes.join("; "))
                }
            ));
        }
        if !unversioned.is_empty() {
            text.push_str(&format!(
                "Without a version table{}:\n",
                if a.include_unversioned {
                    ""
                } else {
                    " (--include-unversioned adds them)"
                }
            ));
            for f in &unversioned {
                let note = f
                    .error
                    .as_ref()
                    .map(|e| format!("  could not be read: {e}"))
                    .unwrap_or_default();
                text.push_str(&format!("  {}{note}\n", f.place()));
            }
        }
        text
    };
    let addable = found
        .iter()
        .filter(|f| f.error.is_none() && f.existing_profile.is_none())
        .filter(|f| f.versioned() || a.include_unversioned)
        .count();
    let mut go = a.yes;
    if !go && !cli.json && addable > 0 && std::io::stdin().is_terminal() {
        print!(
            "{}Add {addable} profile(s) for {}? [y/N] ",
            listing(),
            project.dir.display()
        );
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        go = matches!(answer.trim(), "y" | "Y" | "yes");
        if !go {
            println!("Nothing added.");
            return Ok(());
        }
    }
    if !go {
        out.result(&serde_json::json!({ "found": found, "added": [] }), || {
            format!(
                "{}{}",
                listing(),
                if addable > 0 {
                    format!("Nothing added: --yes adds these {addable} profile(s)")
                } else {
                    "Nothing to add".to_string()
                }
            )
        });
        return Ok(());
    }
    let added = add_found(
        &store,
        &secrets,
        &found,
        server.password.as_deref(),
        &AddOptions {
            project_dir: std::path::absolute(&project.dir)
                .unwrap_or_else(|_| project.dir.clone())
                .display()
                .to_string(),
            environment: a.environment.clone(),
            tags: a.tags.join(","),
            include_unversioned: a.include_unversioned,
        },
    )
    .await?;
    tracing::info!(server = %server, added = added.added.len(), skipped = added.skipped.len(), "databases discovered");
    out.result(
        &serde_json::json!({ "found": found, "added": added.added, "skipped": added.skipped }),
        || {
            let mut text = if a.yes { listing() } else { String::new() };
            text.push_str(&format!(
                "Added {} profile(s){}",
                added.added.len(),
                if added.skipped.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; left out {}: {}",
                        added.skipped.len(),
                        added
                            .skipped
                            .iter()
                            .map(|(d, why)| format!("{d} ({why})"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ));
            text
        },
    );
    Ok(())
}

async fn export_cmd(
    cli: &Cli,
    a: &crate::args::ProfileExportArgs,
    out: &Out,
) -> Result<(), CliError> {
    let (store, _) = open_store(cli, false).await?;
    let all = store.profiles().await?;
    let f = &a.fleet;
    let chosen = if f.given() && !f.all {
        stratum_operations::fleet::Selection {
            names: f.profiles.clone(),
            clients: f.groups.clone(),
            environments: f.environments.clone(),
            tags: f.tags.clone(),
        }
        .choose(all)?
    } else {
        all
    };
    let n = stratum_operations::profile_file::export(&chosen, &a.file)?;
    out.result(
        &json!({ "ok": true, "exported": n, "file": a.file.display().to_string() }),
        || {
            format!(
                "Wrote {n} profile(s) to {} (no passwords: each is asked for, or found, on import)",
                a.file.display()
            )
        },
    );
    Ok(())
}

async fn import_cmd(
    cli: &Cli,
    a: &crate::args::ProfileImportArgs,
    out: &Out,
) -> Result<(), CliError> {
    use std::io::IsTerminal;
    use stratum_operations::profile_file::{
        import, read, servers_wanting_a_password, ImportOptions, PasswordSource,
    };

    let shared = read(&a.file)?;
    let (store, _) = open_store(cli, true).await?;
    let secrets = Secrets::default();
    let existing = store.profiles().await?;
    let mut opts = ImportOptions {
        project_dir: a
            .project_dir
            .as_ref()
            .map(|d| std::path::absolute(d).unwrap_or_else(|_| d.clone()))
            .map(|d| d.display().to_string()),
        ..Default::default()
    };
    // Asked once per server and user, never echoed; without a terminal, none is asked.
    if !cli.json && std::io::stdin().is_terminal() {
        for server in servers_wanting_a_password(&shared, &existing, &secrets) {
            let typed = rpassword::prompt_password(format!(
                "Password for {server} (empty: none, or set it later in the profile): "
            ))
            .unwrap_or_default();
            if !typed.is_empty() {
                opts.passwords.insert(server, typed);
            }
        }
    }
    let done = import(&store, &secrets, &a.file, &opts).await?;
    out.result(&done, || {
        let mut text = format!("Imported {} profile(s)", done.added.len());
        for p in &done.added {
            let how = match &p.password {
                PasswordSource::Given => "password typed, in the keychain".to_string(),
                PasswordSource::Profile { name } => {
                    format!("password from the profile {name} of the same server")
                }
                PasswordSource::ClientFile => "password from ~/.pgpass or ~/.my.cnf".into(),
                PasswordSource::None => "no password".into(),
                PasswordSource::NotNeeded => "a file, no password".into(),
            };
            text.push_str(&format!("\n  {} ({how})", p.name));
        }
        for (name, why) in &done.skipped {
            text.push_str(&format!("\n  {name}: not imported, {why}"));
        }
        text
    });
    Ok(())
}
