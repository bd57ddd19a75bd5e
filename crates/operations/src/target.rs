//! A profile resolved into what an operation needs: its project (native or Alembic, with the
//! profile's Alembic settings), its URL with the password from the keychain, and what runs
//! its revisions.

use std::path::{Path, PathBuf};

use stratum_alembic::{Alembic, AlembicRunner, RenderCache, RenderFailure};
use stratum_db::{DatabaseUrl, Runner, SqlRunner};
use stratum_project::{AlembicSettings, Project, SuppliedValue};
use stratum_store::{Profile, Secrets, Store};

use crate::OperationError;

/// What a profile adds to an Alembic project, from its stored text fields.
pub fn settings(
    values: &str,
    version_table: &str,
    version_table_schema: &str,
) -> Result<AlembicSettings, OperationError> {
    let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(AlembicSettings {
        version_table: given(version_table),
        version_table_schema: given(version_table_schema),
        values: SuppliedValue::parse_lines(values)
            .map_err(|e| OperationError::Input(format!("Alembic values: {e}")))?,
    })
}

/// The profile's project, native or Alembic.
pub fn open_project(p: &Profile) -> Result<Project, OperationError> {
    Ok(Project::open_with(
        Path::new(&p.project_dir),
        &settings(&p.alembic_values, &p.version_table, &p.version_table_schema)?,
    )?)
}

/// The profile's project's own Alembic (an Alembic project only).
pub fn alembic_of(p: &Profile, project: &Project) -> Result<Alembic, OperationError> {
    let python = Some(p.python.trim())
        .filter(|s| !s.is_empty())
        .map(PathBuf::from);
    Ok(Alembic::for_project(project, python.as_deref())?)
}

/// What runs the profile's revisions: Stratum itself, or the project's own Alembic.
pub fn runner(p: &Profile, project: &Project) -> Result<Box<dyn Runner>, OperationError> {
    Ok(match project.alembic() {
        Some(_) => Box::new(AlembicRunner(alembic_of(p, project)?)),
        None => Box::new(SqlRunner),
    })
}

/// [`Target::with_sql`] for a project and URL held apart from their target.
pub async fn with_sql(
    cache: &RenderCache,
    store: &Store,
    profile: &Profile,
    project: &mut Project,
    url: &DatabaseUrl,
) -> Result<Vec<RenderFailure>, OperationError> {
    if project.alembic().is_none() {
        return Ok(Vec::new());
    }
    let alembic = alembic_of(profile, project)?;
    let rendered = cache.fill(&alembic, project, url).await?;
    let failures = rendered.failures.clone();
    let mut unknown = Vec::new();
    for f in failures {
        if !from_rehearsal(store, profile, project, url, &f).await? {
            unknown.push(f);
        }
    }
    Ok(unknown)
}

/// Puts the SQL a revision sent while rehearsed (this version of its file, on this engine)
/// where Alembic's offline mode could not render it, saying where it comes from.
async fn from_rehearsal(
    store: &Store,
    profile: &Profile,
    project: &mut Project,
    url: &DatabaseUrl,
    failure: &RenderFailure,
) -> Result<bool, OperationError> {
    let sha = crate::files::file_sha256(project, &failure.revision);
    if sha.is_empty() {
        return Ok(false);
    }
    let dialect = url.dialect();
    let Some(sent) = store
        .rehearsed_sql(&failure.revision, &sha, dialect.name(), profile.id)
        .await?
    else {
        return Ok(false);
    };
    let note = format!(
        "-- Recorded while rehearsing on {}: Alembic's offline mode cannot render this revision ({}).\n-- Statements that depend on the rows may differ on the real database.\n",
        sent.at,
        failure.message.replace('\n', " ")
    );
    if let Some(file) = project.file_mut(&failure.revision) {
        file.set_rendered(
            dialect,
            format!("{note}{}", sent.upgrade_sql),
            format!("{note}{}", sent.downgrade_sql),
        );
    }
    Ok(true)
}

/// A profile with its project and its URL, the password filled in from the keychain.
pub struct Target {
    pub profile: Profile,
    pub project: Project,
    pub url: DatabaseUrl,
}

impl Target {
    pub fn open(profile: Profile, secrets: &Secrets) -> Result<Target, OperationError> {
        let project = open_project(&profile)?;
        let mut url = DatabaseUrl::parse(&profile.url)?;
        if url.password.is_none() && url.takes_password() {
            url.password = secrets.get(profile.id);
        }
        Ok(Target {
            profile,
            project,
            url,
        })
    }

    pub fn runner(&self) -> Result<Box<dyn Runner>, OperationError> {
        runner(&self.profile, &self.project)
    }

    /// An Alembic project's SQL for the profile's engine, from Alembic's offline mode (kept in
    /// `cache` while the files do not change), put into the project; a revision it cannot
    /// render gets what it sent while last rehearsed, where that is kept for this version of
    /// its file. The revisions left without SQL are returned. Nothing to do for a native
    /// project.
    pub async fn with_sql(
        &mut self,
        cache: &RenderCache,
        store: &Store,
    ) -> Result<Vec<RenderFailure>, OperationError> {
        with_sql(cache, store, &self.profile, &mut self.project, &self.url).await
    }

    /// The tools' folder from the project's `[backup]` section, if set.
    pub fn tools(&self) -> stratum_backup::Tools {
        stratum_backup::Tools::new(
            self.project
                .config
                .backup
                .tools_dir
                .as_ref()
                .map(|d| Path::new(&self.profile.project_dir).join(d)),
        )
    }
}
