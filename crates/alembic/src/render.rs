//! The SQL of Alembic revisions, from Alembic's offline mode: what previews, safety checks and
//! conversion read. Rendering imports every revision in the project's Python, so its result is
//! kept per project, dialect and state of the files.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
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
        let raw = self.render_raw(project, url, dialect).await?;
        Ok(Rendered::read(project, dialect, &raw))
    }

    /// The driver's answer: each revision's SQL or error, as JSON.
    async fn render_raw(
        &self,
        project: &Project,
        url: Option<&DatabaseUrl>,
        dialect: Dialect,
    ) -> Result<Value, AlembicError> {
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
        Ok(result.unwrap_or(Value::Null))
    }
}

impl Rendered {
    /// The driver's answer for `project`'s revisions.
    fn read(project: &Project, dialect: Dialect, result: &Value) -> Rendered {
        let ids: Vec<&str> = project.files.iter().map(|f| f.id()).collect();
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
        Rendered {
            dialect,
            sql,
            failures,
        }
    }
}

/// Rendered SQL kept between calls, keyed by ini, dialect and URL, and valid while no revision
/// file (nor env.py) changed.
/// (ini, offline URL) → (fingerprint of the files, what they rendered to).
type Entries = HashMap<(PathBuf, String), (u64, Arc<Rendered>)>;

#[derive(Default)]
pub struct RenderCache {
    entries: Mutex<Entries>,
    /// Where renders are kept between processes (a command line run, the app started again).
    dir: Option<PathBuf>,
}

/// The folder of a data folder (the app's, the command line's) where renders are kept.
pub const RENDERED: &str = "rendered";

/// How many renders the folder keeps (the newest): a project's versions and dialects.
const KEPT_ON_DISK: usize = 64;

impl RenderCache {
    /// Renders kept in memory and in `dir`, by a checksum of everything the SQL depends on:
    /// each revision file's bytes, env.py, the ini and pyproject.toml, the Python and the
    /// folders it imports from, the dialect and Stratum's driver. Rendering imports every
    /// revision in the project's Python, which for a large project costs as much as the run
    /// itself; a batch over many databases, or a run after a preview, renders once.
    pub fn kept_in(dir: PathBuf) -> RenderCache {
        RenderCache {
            entries: Mutex::default(),
            dir: Some(dir),
        }
    }

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
                let r = Arc::new(self.kept_or_rendered(alembic, project, url).await?);
                if let Ok(mut e) = self.entries.lock() {
                    e.insert(key, (stamp, r.clone()));
                }
                r
            }
        };
        rendered.apply(project);
        Ok(rendered)
    }

    /// The render kept on disk for this checksum, or a new one, then kept.
    async fn kept_or_rendered(
        &self,
        alembic: &Alembic,
        project: &Project,
        url: &DatabaseUrl,
    ) -> Result<Rendered, AlembicError> {
        let dialect = url.dialect();
        let Some(dir) = &self.dir else {
            return alembic.render(project, Some(url), dialect).await;
        };
        let file = dir.join(format!("{}.json", checksum(alembic, project, url)));
        let kept = std::fs::read(&file)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
        if let Some(raw) = kept {
            return Ok(Rendered::read(project, dialect, &raw));
        }
        let raw = alembic.render_raw(project, Some(url), dialect).await?;
        // Best effort: a folder that cannot be written only means rendering again next time.
        let _ = keep(dir, &file, &raw);
        Ok(Rendered::read(project, dialect, &raw))
    }
}

/// Writes `raw` to `file` whole (a reader never sees half of it) and keeps the folder to the
/// newest [`KEPT_ON_DISK`] renders.
fn keep(dir: &Path, file: &Path, raw: &Value) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let partial = file.with_extension("partial");
    std::fs::write(&partial, serde_json::to_vec(raw).unwrap_or_default())?;
    std::fs::rename(&partial, file)?;
    let mut kept: Vec<(SystemTime, PathBuf)> = std::fs::read_dir(dir)?
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if kept.len() > KEPT_ON_DISK {
        kept.sort();
        for (_, old) in &kept[..kept.len() - KEPT_ON_DISK] {
            let _ = std::fs::remove_file(old);
        }
    }
    Ok(())
}

/// SHA-256 of everything a render depends on (see [`RenderCache::kept_in`]).
fn checksum(alembic: &Alembic, project: &Project, url: &DatabaseUrl) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(crate::process::DRIVER.as_bytes());
    field(alembic.offline_url(Some(url), url.dialect()).as_bytes());
    field(alembic.python.as_os_str().as_encoded_bytes());
    field(alembic.ini.as_os_str().as_encoded_bytes());
    // Read whole: the revisions, the ini, and every Python file of the migrations folder
    // (env.py, helpers the revisions import).
    let beside = alembic.ini.parent().unwrap_or(Path::new("."));
    let mut read: Vec<PathBuf> = project.files.iter().map(|f| f.path.clone()).collect();
    read.push(alembic.ini.clone());
    read.push(beside.join("pyproject.toml"));
    if let Some(script) = project.alembic().and_then(|i| i.script_location.clone()) {
        python_files(&script, &mut read, SCANNED);
    }
    read.sort();
    read.dedup();
    for path in &read {
        field(path.as_os_str().as_encoded_bytes());
        field(&std::fs::read(path).unwrap_or_default());
    }
    // Looked at: the application's own modules beside the ini, which a revision may import
    // (Alembic puts that folder on the path with `prepend_sys_path`).
    let mut seen = Vec::new();
    python_files(beside, &mut seen, SCANNED);
    seen.sort();
    for path in &seen {
        field(path.as_os_str().as_encoded_bytes());
        field(&stamp_of(path).to_le_bytes());
    }
    for dir in &alembic.import_path {
        field(dir.as_os_str().as_encoded_bytes());
        field(&stamp_of(dir).to_le_bytes());
    }
    format!("{:x}", h.finalize())
}

/// How many files a checksum looks at in one folder tree, at most.
const SCANNED: usize = 20_000;

/// A file's or folder's modification time and size.
fn stamp_of(path: &Path) -> u128 {
    std::fs::metadata(path)
        .ok()
        .map(|m| {
            let t = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            t ^ (u128::from(m.len()) << 96)
        })
        .unwrap_or(0)
}

/// The `.py` and `.mako` files under `dir`, leaving out hidden folders, virtualenvs,
/// `node_modules` and bytecode caches.
fn python_files(dir: &Path, out: &mut Vec<PathBuf>, limit: usize) {
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        if d.join("pyvenv.cfg").exists() {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            if out.len() >= limit {
                return;
            }
            let name = e.file_name();
            let name = name.to_string_lossy();
            let path = e.path();
            match e.file_type() {
                Ok(t)
                    if t.is_dir()
                        && !name.starts_with('.')
                        && name != "node_modules"
                        && name != "__pycache__" =>
                {
                    todo.push(path);
                }
                Ok(t) if t.is_dir() => {}
                Ok(_) if name.ends_with(".py") || name.ends_with(".mako") => out.push(path),
                _ => {}
            }
        }
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
