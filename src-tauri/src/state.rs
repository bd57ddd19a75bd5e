//! The app's state: its local store, and on first run a demo profile on a SQLite file bound to
//! the bundled sample project, so a newcomer sees a real timeline with pending revisions.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use include_dir::{include_dir, Dir};
use stratum_alembic::{RenderCache, RenderFailure};
use stratum_db::{CancelToken, DatabaseUrl};
use stratum_operations::Target;
use stratum_project::Project;
use stratum_store::{NewProfile, Profile, Secrets, Store};

use crate::first_timeline::FirstTimeline;
use crate::picker::Picker;
use crate::AppError;

static SAMPLE_PROJECT: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../examples/kontali-erp");

pub struct AppState {
    pub store: Store,
    pub secrets: Secrets,
    pub data_dir: PathBuf,
    /// Cancel tokens of running operations, by the id the window chose.
    pub running: Mutex<HashMap<String, CancelToken>>,
    /// Alembic projects' SQL from offline mode, kept while their files do not change.
    pub renders: RenderCache,
    /// The system's file dialogs; absent where there is no window system (the mock runtime).
    pub picker: Option<Arc<dyn Picker>>,
    /// The first profile's timeline, read while the window starts.
    pub first_timeline: FirstTimeline,
}

impl AppState {
    /// Opens the store in `data_dir` and creates the demo profile when there is no profile yet.
    pub async fn open(data_dir: &Path) -> Result<AppState, AppError> {
        let store = Store::open(&data_dir.join("stratum.db")).await?;
        if store.profiles().await?.is_empty() {
            let project = data_dir.join("sample-project");
            if !project.exists() {
                std::fs::create_dir_all(&project)
                    .and_then(|()| SAMPLE_PROJECT.extract(&project))
                    .map_err(|e| {
                        AppError::Store(format!(
                            "cannot write the sample project to {}: {e}",
                            project.display()
                        ))
                    })?;
            }
            store
                .add_profile(&NewProfile {
                    name: "Demo (SQLite)".into(),
                    client: "Kontali sample".into(),
                    environment: "development".into(),
                    url: format!("sqlite:///{}", data_dir.join("demo.db").display()),
                    project_dir: project.display().to_string(),
                    ..Default::default()
                })
                .await?;
        }
        Ok(AppState {
            store,
            secrets: Secrets::default(),
            data_dir: data_dir.to_path_buf(),
            running: Mutex::new(HashMap::new()),
            renders: RenderCache::kept_in(data_dir.join(stratum_alembic::RENDERED)),
            picker: None,
            first_timeline: FirstTimeline::default(),
        })
    }

    /// What the fleet's batch and drift work needs of the app.
    pub fn fleet(&self) -> stratum_operations::fleet::Fleet<'_> {
        stratum_operations::fleet::Fleet {
            store: &self.store,
            secrets: &self.secrets,
            data_dir: &self.data_dir,
            renders: &self.renders,
        }
    }

    /// A profile with its project and its URL, the password filled in from the keychain.
    pub async fn load(&self, profile_id: u32) -> Result<Target, AppError> {
        load_target(&self.store, &self.secrets, profile_id).await
    }

    /// An Alembic project's SQL for the profile's engine (kept while its files do not change),
    /// once its folder is trusted: offline mode runs its env.py.
    pub async fn with_sql(
        &self,
        profile: &Profile,
        project: &mut Project,
        url: &DatabaseUrl,
    ) -> Result<Vec<RenderFailure>, AppError> {
        self.may_run(project).await?;
        Ok(stratum_operations::with_sql(&self.renders, &self.store, profile, project, url).await?)
    }

    /// Lets the window cancel what runs under `key` until the returned guard is dropped.
    pub fn cancellable(&self, key: &str, token: &CancelToken) -> Cancellable<'_> {
        if let Ok(mut running) = self.running.lock() {
            running.insert(key.to_string(), token.clone());
        }
        Cancellable {
            state: self,
            key: key.to_string(),
        }
    }
}

/// A profile with its project and URL, read from `store` with passwords from `secrets`; what
/// `AppState::load` does, for work that runs before the state is handed to the app.
pub async fn load_target(
    store: &Store,
    secrets: &Secrets,
    profile_id: u32,
) -> Result<Target, AppError> {
    let profile = store.profile(i64::from(profile_id)).await?;
    Ok(Target::open(profile, secrets)?)
}

/// Forgets a running operation's cancel token when the operation ends, however it ends.
pub struct Cancellable<'a> {
    state: &'a AppState,
    key: String,
}

impl Drop for Cancellable<'_> {
    fn drop(&mut self) {
        if let Ok(mut running) = self.state.running.lock() {
            running.remove(&self.key);
        }
    }
}
