//! Trust before an Alembic project's code runs, as code editors trust a workspace: its env.py,
//! its revision files and a virtualenv in its folder run with the user's rights, so a folder
//! received from a client runs nothing until the user trusts it, once per folder. Reading the
//! project, its timeline and its plans is Stratum's own and needs no trust; a native project's
//! SQL is run by Stratum itself and never asks. The command line does not ask: running
//! `stratum` in a folder is consent, as running `alembic` there is.

use std::path::Path;

use stratum_alembic::Alembic;
use stratum_db::Runner;
use stratum_project::Project;
use stratum_store::{Profile, TrustedFolder};
use tauri::State;

use crate::views::UntrustedFolder;
use crate::{AppError, AppState};

impl AppState {
    /// The one check before anything of an Alembic project's may start (its Python, found in
    /// its folder or not, imports its env.py): refuses with [`AppError::Untrusted`] while its
    /// folder is not trusted. Native projects pass.
    pub async fn may_run(&self, project: &Project) -> Result<(), AppError> {
        let Some(ini) = project.alembic() else {
            return Ok(());
        };
        if self.store.is_trusted(&project.dir).await? {
            return Ok(());
        }
        let folder = stratum_store::canonical_folder(&project.dir)
            .unwrap_or_else(|_| std::path::absolute(&project.dir).unwrap_or(project.dir.clone()))
            .display()
            .to_string();
        Err(AppError::Untrusted(UntrustedFolder {
            message: format!(
                "Stratum has not run this Alembic project's code: its folder {folder} is not trusted yet. Trust it to let its env.py and revision files run."
            ),
            folder,
            env_py: ini.script_location.as_ref().map(|s| {
                let env = s.join("env.py");
                std::fs::canonicalize(&env)
                    .unwrap_or(env)
                    .display()
                    .to_string()
            }),
        }))
    }

    /// [`AppState::may_run`] for every project of `profiles`; the first untrusted folder is
    /// named, the next one is asked for when the window asks again.
    pub async fn may_run_all(&self, profiles: &[Profile]) -> Result<(), AppError> {
        for p in profiles {
            // A project that cannot be read fails on its own line of the batch, as before.
            if let Ok(project) = stratum_operations::open_project(p) {
                self.may_run(&project).await?;
            }
        }
        Ok(())
    }

    /// What runs the profile's revisions, once the project may run.
    pub async fn runner(
        &self,
        profile: &Profile,
        project: &Project,
    ) -> Result<Box<dyn Runner>, AppError> {
        self.may_run(project).await?;
        Ok(stratum_operations::runner(profile, project)?)
    }

    /// The project's own Alembic, once the project may run.
    pub async fn alembic(&self, profile: &Profile, project: &Project) -> Result<Alembic, AppError> {
        self.may_run(project).await?;
        Ok(stratum_operations::alembic_of(profile, project)?)
    }
}

/// Trusts a folder's code to run (the folder the refusal named).
#[tauri::command]
#[specta::specta]
pub async fn trust_folder(
    state: State<'_, AppState>,
    path: String,
) -> Result<TrustedFolder, AppError> {
    Ok(state.store.trust_folder(Path::new(&path)).await?)
}

/// The folders trusted so far.
#[tauri::command]
#[specta::specta]
pub async fn list_trusted_folders(
    state: State<'_, AppState>,
) -> Result<Vec<TrustedFolder>, AppError> {
    Ok(state.store.trusted_folders().await?)
}

/// Forgets a folder's trust: its code is asked for again before it runs. False when it was not
/// trusted.
#[tauri::command]
#[specta::specta]
pub async fn revoke_trusted_folder(
    state: State<'_, AppState>,
    path: String,
) -> Result<bool, AppError> {
    Ok(state.store.revoke_folder(Path::new(&path)).await?)
}
