//! The SQL of Alembic revisions, from Alembic's offline mode: what previews, safety checks and
//! conversion read. Rendering imports every revision in the project's Python, so its result is
//! kept per project, dialect and state of the files.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde_json::{json, Value};
use stratum_db::DatabaseUrl;
use stratum_project::{Dialect, Project};

use crate::error::Location;
use crate::process::Line;
use crate::{Alembic, AlembicError, RenderFailure};

/// Every revision's upgrade and downgrade SQL for one dialect, or why it could not be had.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub dialect: Dialect,
    pub sql: HashMap<String, (String, String)>,
    pub failures: Vec<RenderFailure>,
}

impl Rendered {
    /// Puts the SQL into the project's revision files. A revision that failed gets a comment
    /// saying why in place of its SQL, so a preview shows it where its SQL would be (checks
    /// and conversion look at [`Rendered::failures`] instead).
    pub fn apply(&self, project: &mut Project) {
        for (id, (up, down)) in &self.sql {
            if let Some(f) = project.file_mut(id) {
                f.set_rendered(self.dialect, up.clone(), down.clone());
            }
        }
        for failure in &self.failures {
            if let Some(f) = project.file_mut(&failure.revision) {
                let note = format!(
                    "-- Alembic's offline mode cannot render this revision's SQL: {}\n",
                    failure.message.replace('\n', " ")
                );
                f.set_rendered(self.dialect, note.clone(), note);
            }
        }
    }

    /// The failures among `revisions`.
    pub fn failures_among(&self, revisions: &[String]) -> Vec<RenderFailure> {
        self.failures
            .iter()
            .filter(|f| revisions.contains(&f.revision))
            .cloned()
            .collect()
    }
}

impl Alembic {
    /// Renders every revision of `project` for `url`'s dialect (or `dialect`, without a
    /// database) in offline mode. No database is contacted, and no password is passed.
    pub async fn render(
        &self,
        project: &Project,
        url: Option<&DatabaseUrl>,
        dialect: Dialect,
    ) -> Result<Rendered, AlembicError> {
        let offline = self.offline_url(url, dialect);
        let ids: Vec<&str> = project.files.iter().map(|f| f.id()).collect();
        let request = json!({ "op": "render", "ini": self.ini, "revisions": ids });
        let mut result: Option<Value> = None;
        self.driver(Some(&offline), None)
            .run("upgrade --sql", &request, |l| {
                if let Line::Event(v) = l {
                    if v["event"] == "rendered" {
                        result = Some(v["revisions"].clone());
                    }
                }
            })
            .await?;
        let result = result.unwrap_or(Value::Null);
        let mut sql = HashMap::new();
        let mut failures = Vec::new();
        for id in ids {
            let entry = &result[id];
            let side = |key: &str| -> Result<String, RenderFailure> {
                match entry[key].as_str() {
                    Some(s) => Ok(s.to_string()),
                    None => Err(RenderFailure {
                        revision: id.to_string(),
                        upgrade: key == "up",
                        message: entry[format!("{key}_error")]
                            .as_str()
                            .unwrap_or("Alembic returned nothing for it")
                            .to_string(),
                        at: serde_json::from_value::<Location>(
                            entry[format!("{key}_where")].clone(),
                        )
                        .ok(),
                    }),
                }
            };
            match (side("up"), side("down")) {
                (Ok(up), Ok(down)) => {
                    sql.insert(id.to_string(), (up, down));
                }
                (up, down) => failures.extend(up.err().into_iter().chain(down.err())),
            }
        }
        Ok(Rendered {
            dialect,
            sql,
            failures,
        })
    }
}

/// Rendered SQL kept between calls, keyed by ini, dialect and URL, and valid while no revision
/// file (nor env.py) changed.
/// (ini, offline URL) → (fingerprint of the files, what they rendered to).
type Entries = HashMap<(PathBuf, String), (u64, Arc<Rendered>)>;

#[derive(Default)]
pub struct RenderCache {
    entries: Mutex<Entries>,
}

impl RenderCache {
    /// The project's SQL for `url`'s dialect, rendered now or kept from before, applied to
    /// `project`.
    pub async fn fill(
        &self,
        alembic: &Alembic,
        project: &mut Project,
        url: &DatabaseUrl,
    ) -> Result<Arc<Rendered>, AlembicError> {
        let key = (
            alembic.ini.clone(),
            alembic.offline_url(Some(url), url.dialect()),
        );
        let stamp = fingerprint(project, &alembic.python);
        let kept = self.entries.lock().ok().and_then(|e| {
            e.get(&key)
                .filter(|(s, _)| *s == stamp)
                .map(|(_, r)| r.clone())
        });
        let rendered = match kept {
            Some(r) => r,
            None => {
                let r = Arc::new(alembic.render(project, Some(url), url.dialect()).await?);
                if let Ok(mut e) = self.entries.lock() {
                    e.insert(key, (stamp, r.clone()));
                }
                r
            }
        };
        rendered.apply(project);
        Ok(rendered)
    }
}

/// Changes when a revision file, env.py or the Python changes.
fn fingerprint(project: &Project, python: &std::path::Path) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut paths: Vec<PathBuf> = project.files.iter().map(|f| f.path.clone()).collect();
    if let Some(script) = project.alembic().and_then(|i| i.script_location.clone()) {
        paths.push(script.join("env.py"));
    }
    paths.push(python.to_path_buf());
    for p in paths {
        p.hash(&mut h);
        if let Ok(m) = std::fs::metadata(&p) {
            m.len().hash(&mut h);
            m.modified()
                .ok()
                .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                .hash(&mut h);
        }
    }
    h.finish()
}
