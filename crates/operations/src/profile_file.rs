//! Profiles shared by a team: written to a file without any secret, and read back on another
//! machine, where each server's password comes from the person importing, from a profile of
//! the same server already in the keychain, or from the engine's own files (`~/.pgpass`,
//! `~/.my.cnf`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use stratum_db::DatabaseUrl;
use stratum_project::Project;
use stratum_store::{NewProfile, Profile, SecretStorage, Secrets, Store};

use crate::OperationError;

/// The file's format version: a newer Stratum's file is refused, not half read.
const FORMAT: u32 = 1;

/// What the file holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProfileFile {
    pub stratum_profiles: u32,
    pub profiles: Vec<SharedProfile>,
}

/// A profile as shared: everything but its id, its backups and its password.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SharedProfile {
    pub name: String,
    #[serde(default)]
    pub client: String,
    pub environment: String,
    /// Never with a password.
    pub url: String,
    /// Relative to the file's folder when the project is inside it (a team's repository), so
    /// the file works wherever the repository is checked out.
    pub project_dir: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub auto_backup: bool,
    pub backup_keep: i64,
    #[serde(default)]
    pub python: String,
    #[serde(default)]
    pub version_table: String,
    #[serde(default)]
    pub version_table_schema: String,
    #[serde(default)]
    pub alembic_values: String,
    #[serde(default)]
    pub release_gate: bool,
    #[serde(default)]
    pub maintenance_window: String,
}

/// Writes `profiles` to `file`; returns how many.
pub fn export(profiles: &[Profile], file: &Path) -> Result<usize, OperationError> {
    let base = folder_of(file);
    let shared: Vec<SharedProfile> = profiles
        .iter()
        .map(|p| SharedProfile {
            name: p.name.clone(),
            client: p.client.clone(),
            environment: p.environment.clone(),
            // Stored without a password already; parsed again so an old row never leaks one.
            url: DatabaseUrl::parse(&p.url)
                .map(|u| u.without_password())
                .unwrap_or_else(|_| p.url.clone()),
            project_dir: relative_to(Path::new(&p.project_dir), &base),
            tags: p.tag_list(),
            auto_backup: p.auto_backup,
            backup_keep: p.backup_keep,
            python: p.python.clone(),
            version_table: p.version_table.clone(),
            version_table_schema: p.version_table_schema.clone(),
            alembic_values: p.alembic_values.clone(),
            release_gate: p.release_gate,
            maintenance_window: p.maintenance_window.clone(),
        })
        .collect();
    let text = serde_json::to_string_pretty(&ProfileFile {
        stratum_profiles: FORMAT,
        profiles: shared,
    })
    .map_err(|e| OperationError::Input(format!("writing the profiles: {e}")))?;
    write_whole(file, text.as_bytes())
        .map_err(|e| OperationError::Input(format!("{}: {e}", file.display())))?;
    Ok(profiles.len())
}

/// Reads a file written by [`export`].
pub fn read(file: &Path) -> Result<ProfileFile, OperationError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| OperationError::Input(format!("{}: {e}", file.display())))?;
    let parsed: ProfileFile = serde_json::from_str(&text).map_err(|e| {
        OperationError::Input(format!(
            "{} is not a Stratum profiles file: {e}",
            file.display()
        ))
    })?;
    if parsed.stratum_profiles > FORMAT {
        return Err(OperationError::Input(format!(
            "{} was written by a newer Stratum (format {}); update Stratum to import it",
            file.display(),
            parsed.stratum_profiles
        )));
    }
    Ok(parsed)
}

/// The server and user a password belongs to: `engine://user@host:port`.
pub fn server_of(url: &str) -> String {
    match DatabaseUrl::parse(url) {
        Ok(u) if u.engine != stratum_db::Engine::Sqlite => format!(
            "{}://{}@{}:{}",
            u.dialect(),
            u.user.as_deref().unwrap_or(""),
            u.host,
            u.port.unwrap_or(u.default_port())
        ),
        _ => String::new(),
    }
}

/// Where an imported profile's password came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum PasswordSource {
    /// Typed by the person importing.
    Given,
    /// Copied from this profile of the same server and user, already in the keychain.
    Profile { name: String },
    /// Not stored: the engine's own file has it (`~/.pgpass`, `~/.my.cnf`).
    ClientFile,
    /// None found: the server may need none (trust, a socket), or the profile's form can take it.
    None,
    /// An SQLite file has no password.
    NotNeeded,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportedProfile {
    pub name: String,
    pub server: String,
    pub password: PasswordSource,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Imported {
    pub added: Vec<ImportedProfile>,
    /// Not added, and why.
    pub skipped: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Every profile bound to this project folder instead of the file's.
    pub project_dir: Option<String>,
    /// Passwords typed for servers, by [`server_of`].
    pub passwords: BTreeMap<String, String>,
}

/// The servers of the file's profiles for which no password is found here: the ones to ask
/// the person for.
pub fn servers_wanting_a_password(
    shared: &ProfileFile,
    existing: &[Profile],
    secrets: &Secrets,
) -> Vec<String> {
    let mut wanted: Vec<String> = Vec::new();
    for p in &shared.profiles {
        let server = server_of(&p.url);
        if server.is_empty() || wanted.contains(&server) {
            continue;
        }
        let found = known_password(&server, existing, secrets).is_some()
            || DatabaseUrl::parse(&p.url)
                .ok()
                .and_then(|u| stratum_db::client_files::password_for(&u))
                .is_some();
        if !found {
            wanted.push(server);
        }
    }
    wanted
}

fn known_password(
    server: &str,
    existing: &[Profile],
    secrets: &Secrets,
) -> Option<(String, String)> {
    existing
        .iter()
        .filter(|p| server_of(&p.url) == server)
        .find_map(|p| secrets.get(p.id).map(|pw| (p.name.clone(), pw)))
}

/// Adds the file's profiles; a name already taken is skipped (the existing profile is kept).
pub async fn import(
    store: &Store,
    secrets: &Secrets,
    file: &Path,
    opts: &ImportOptions,
) -> Result<Imported, OperationError> {
    let shared = read(file)?;
    let base = folder_of(file);
    let existing = store.profiles().await?;
    let mut imported = Imported {
        added: Vec::new(),
        skipped: Vec::new(),
    };
    // Each project folder is opened once, however many profiles share it.
    let mut opened: BTreeMap<String, Result<(), String>> = BTreeMap::new();
    for p in shared.profiles {
        if existing.iter().any(|e| e.name == p.name) {
            imported
                .skipped
                .push((p.name, "a profile of that name exists here".into()));
            continue;
        }
        let project_dir = match &opts.project_dir {
            Some(d) => d.clone(),
            None => base.join(&p.project_dir).display().to_string(),
        };
        let settings =
            crate::settings(&p.alembic_values, &p.version_table, &p.version_table_schema)?;
        let opens = opened
            .entry(project_dir.clone())
            .or_insert_with(|| {
                Project::open_with(Path::new(&project_dir), &settings)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
            .clone();
        if let Err(e) = opens {
            imported.skipped.push((p.name, format!("its project: {e}")));
            continue;
        }
        let (profile, _) = crate::new_profile::checked_fields(
            NewProfile {
                name: p.name.clone(),
                client: p.client,
                environment: p.environment,
                url: p.url.clone(),
                project_dir,
                auto_backup: Some(p.auto_backup),
                backup_keep: Some(p.backup_keep),
                python: p.python,
                version_table: p.version_table,
                version_table_schema: p.version_table_schema,
                alembic_values: p.alembic_values,
                tags: p.tags.join(","),
                release_gate: Some(p.release_gate),
                maintenance_window: p.maintenance_window,
            },
            None,
        )?;
        let saved = store.add_profile(&profile).await?;
        let server = server_of(&saved.url);
        let password = if server.is_empty() {
            PasswordSource::NotNeeded
        } else if let Some(pw) = opts.passwords.get(&server).filter(|pw| !pw.is_empty()) {
            keep(secrets, &saved, pw);
            PasswordSource::Given
        } else if let Some((name, pw)) = known_password(&server, &existing, secrets) {
            keep(secrets, &saved, &pw);
            PasswordSource::Profile { name }
        } else if DatabaseUrl::parse(&saved.url)
            .ok()
            .and_then(|u| stratum_db::client_files::password_for(&u))
            .is_some()
        {
            PasswordSource::ClientFile
        } else {
            PasswordSource::None
        };
        imported.added.push(ImportedProfile {
            name: saved.name,
            server,
            password,
        });
    }
    Ok(imported)
}

fn keep(secrets: &Secrets, p: &Profile, password: &str) {
    if secrets.set(p.id, password) == SecretStorage::Memory {
        tracing::warn!(profile = %p.name, "no keychain here: the password is kept for this session only");
    }
}

/// Written beside and renamed into place: a full disk or a crash leaves the old file, not half
/// of a new one.
fn write_whole(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut tmp = tempfile::NamedTempFile::new_in(folder_of(file))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(file).map(|_| ()).map_err(|e| e.error)
}

fn folder_of(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new("."));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())
}

/// `dir` relative to `base` when it is inside it, else as it is.
fn relative_to(dir: &Path, base: &Path) -> String {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    match dir.strip_prefix(base) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".into(),
        Ok(rel) => rel.display().to_string(),
        Err(_) => dir.display().to_string(),
    }
}
