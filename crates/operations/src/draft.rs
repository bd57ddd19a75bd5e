//! A new profile drafted from a team's `alembic.ini`: the database it names (its password kept
//! apart, a relative SQLite path taken from the ini's folder, as Alembic runs there) and the
//! project folder, with what the user should know or still do in words.

use std::path::Path;

use serde::Serialize;
use stratum_db::{DatabaseUrl, Engine};
use stratum_project::{AlembicIni, Project, ProjectError, CONFIG_FILE};

use crate::OperationError;

/// What an `alembic.ini` gives a new profile. `password` comes from the file's URL and only
/// goes back into the form (and from there to the keychain).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProfileDraft {
    pub name: String,
    pub url: Option<String>,
    pub password: Option<String>,
    pub project_dir: Option<String>,
    /// What the user should know or still do, in words.
    pub notes: Vec<String>,
}

/// Drafts a profile from the `alembic.ini` (or `pyproject.toml`) at `path`.
pub fn draft_from_alembic_ini(path: &Path) -> Result<ProfileDraft, OperationError> {
    let ini = AlembicIni::read(path)?;
    let here = ini.path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut notes = Vec::new();
    let (url, password) = match &ini.url {
        None => {
            notes.push(format!(
                "{} sets no sqlalchemy.url (it may be set in env.py): type the database URL.",
                ini.source()
            ));
            (None, None)
        }
        Some(raw) => {
            let mut url = DatabaseUrl::parse(raw)?;
            // Alembic opens a relative SQLite path from where it is run, which is the ini's folder.
            if url.engine == Engine::Sqlite {
                if let Some(p) = url.path.as_ref().filter(|p| p.is_relative()) {
                    let absolute = here.join(p);
                    notes.push(format!(
                        "The SQLite file is relative in the ini; it was taken as {}.",
                        absolute.display()
                    ));
                    url.path = Some(absolute);
                }
            }
            (Some(url.without_password()), url.password.clone())
        }
    };
    let candidates = [Some(here.clone()), ini.script_location.clone()];
    let native = candidates
        .into_iter()
        .flatten()
        .find(|d| d.join(CONFIG_FILE).is_file());
    // Without a Stratum project beside it, the ini's folder is the project: an Alembic one,
    // read as it is and run through its own Alembic.
    let project_dir = match native {
        Some(d) => Some(d),
        None => match Project::open(&here) {
            Ok(p) => {
                notes.push(format!(
                    "An Alembic project with {} revisions: Stratum reads and plans it, and runs it through the project's own Alembic.",
                    p.files.len()
                ));
                Some(here.clone())
            }
            Err(ProjectError::Computed { .. }) => {
                notes.push("An Alembic project; a revision file computes a value Stratum will ask you for.".into());
                Some(here.clone())
            }
            Err(e) => {
                notes.push(format!(
                    "The Alembic project beside the ini cannot be read yet ({e}): fix it, or choose the migration project folder."
                ));
                None
            }
        },
    };
    let name = here
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Alembic project".into());
    Ok(ProfileDraft {
        name,
        url,
        password,
        project_dir: project_dir.map(|d| d.display().to_string()),
        notes,
    })
}
