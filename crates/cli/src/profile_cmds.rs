//! `stratum profile list|add|remove`: the desktop app's profiles from a script (a password in
//! the URL goes to the keychain, never to the store).

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
