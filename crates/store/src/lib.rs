//! The app's own local store, one SQLite file in the app's data folder: connection profiles and
//! the audit log. Its schema is the sqlx migrations in the repository's `migrations/` folder.
//! Passwords are never written here.

mod fleet;
mod secrets;

pub use fleet::{BatchItem, BatchRecord, BatchTally, DriftCheck};

pub use secrets::{SecretStorage, Secrets};

use std::path::Path;
use std::str::FromStr;

use serde::Serialize;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the local store at {path}: {message}")]
    Open { path: String, message: String },
    #[error("the local store could not be updated to this version of Stratum: {0}")]
    Migrate(String),
    #[error("the local store failed: {0}")]
    Query(String),
    #[error("there is no profile {0}")]
    NoProfile(i64),
    #[error("there is no backup {0} in the catalogue")]
    NoBackup(i64),
    #[error("there is no batch {0}")]
    NoBatch(i64),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Query(e.to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Profile {
    pub id: i64,
    pub name: String,
    pub client: String,
    pub environment: String,
    pub url: String,
    pub project_dir: String,
    pub backup_dir: Option<String>,
    pub created_at: String,
    /// Back up before every upgrade and downgrade.
    pub auto_backup: bool,
    /// How many of this profile's backups to keep; older ones are deleted.
    pub backup_keep: i64,
    /// Alembic projects: the Python that runs the project's Alembic ("": find it).
    pub python: String,
    /// Alembic projects: the version table's name and schema where env.py sets them ("": not set).
    pub version_table: String,
    pub version_table_schema: String,
    /// Alembic projects: values revision files compute, one `FILE: NAME = VALUE` per line.
    pub alembic_values: String,
    /// Comma separated, for choosing profiles by more than client and environment.
    pub tags: String,
}

#[derive(Debug, Clone, Default)]
pub struct NewProfile {
    pub name: String,
    pub client: String,
    pub environment: String,
    pub url: String,
    pub project_dir: String,
    /// None: on for production, off elsewhere.
    pub auto_backup: Option<bool>,
    /// None: keep 10.
    pub backup_keep: Option<i64>,
    pub python: String,
    pub version_table: String,
    pub version_table_schema: String,
    pub alembic_values: String,
    pub tags: String,
}

/// Version rows as the store keeps them (comma separated, empty for none), as a list.
pub fn rows_of(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect()
}

/// Tags as stored: trimmed, comma separated, without empties or repeats.
fn tags(raw: &str) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for t in raw.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if !seen.contains(&t) {
            seen.push(t);
        }
    }
    seen.join(",")
}

impl Profile {
    pub fn tag_list(&self) -> Vec<String> {
        self.tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The profile as a new one to save: for a copy, or for an update of some fields.
    pub fn to_new(&self) -> NewProfile {
        NewProfile {
            name: self.name.clone(),
            client: self.client.clone(),
            environment: self.environment.clone(),
            url: self.url.clone(),
            project_dir: self.project_dir.clone(),
            auto_backup: Some(self.auto_backup),
            backup_keep: Some(self.backup_keep),
            python: self.python.clone(),
            version_table: self.version_table.clone(),
            version_table_schema: self.version_table_schema.clone(),
            alembic_values: self.alembic_values.clone(),
            tags: self.tags.clone(),
        }
    }
}

impl NewProfile {
    fn auto_backup(&self) -> bool {
        self.auto_backup.unwrap_or(self.environment == "production")
    }

    fn backup_keep(&self) -> i64 {
        self.backup_keep.unwrap_or(10).max(1)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BackupEntry {
    pub id: i64,
    pub profile_id: Option<i64>,
    pub at: String,
    pub path: String,
    pub engine: String,
    pub rows: String,
    pub size: i64,
    pub sha256: String,
    pub duration_ms: i64,
    pub tool_version: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub who: String,
    pub profile_id: Option<i64>,
    pub profile_name: String,
    pub operation: String,
    pub target: String,
    pub rows_before: String,
    pub rows_after: String,
    pub duration_ms: i64,
    pub result: String,
    pub message: String,
    /// The path of the backup taken before the operation, or empty.
    pub backup: String,
}

#[derive(Clone)]
pub struct Store {
    pub(crate) pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the store and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        let open_err = |message: String| StoreError::Open {
            path: path.display().to_string(),
            message,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| open_err(e.to_string()))?;
        }
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(|e| open_err(e.to_string()))?
            .filename(path)
            .create_if_missing(true)
            .foreign_keys(true)
            // The app's own store: a write per operation (many at once in a batch) must not
            // each wait for a full sync; WAL keeps it consistent, and readers never block.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await
            .map_err(|e| open_err(e.to_string()))?;
        sqlx::migrate!("../../migrations")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(Store { pool })
    }

    pub async fn profiles(&self) -> Result<Vec<Profile>, StoreError> {
        Ok(
            sqlx::query_as::<_, Profile>("SELECT * FROM profiles ORDER BY client, name, id")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn profile(&self, id: i64) -> Result<Profile, StoreError> {
        sqlx::query_as::<_, Profile>("SELECT * FROM profiles WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NoProfile(id))
    }

    pub async fn add_profile(&self, p: &NewProfile) -> Result<Profile, StoreError> {
        let environment = if p.environment.is_empty() {
            "development"
        } else {
            p.environment.as_str()
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO profiles (name, client, environment, url, project_dir, auto_backup, backup_keep, python, version_table, version_table_schema, alembic_values, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&p.name)
        .bind(&p.client)
        .bind(environment)
        .bind(&p.url)
        .bind(&p.project_dir)
        .bind(p.auto_backup())
        .bind(p.backup_keep())
        .bind(p.python.trim())
        .bind(p.version_table.trim())
        .bind(p.version_table_schema.trim())
        .bind(&p.alembic_values)
        .bind(tags(&p.tags))
        .fetch_one(&self.pool)
        .await?;
        self.profile(id).await
    }

    pub async fn update_profile(&self, id: i64, p: &NewProfile) -> Result<Profile, StoreError> {
        let environment = if p.environment.is_empty() {
            "development"
        } else {
            p.environment.as_str()
        };
        let changed = sqlx::query("UPDATE profiles SET name = ?, client = ?, environment = ?, url = ?, project_dir = ?, auto_backup = ?, backup_keep = ?, python = ?, version_table = ?, version_table_schema = ?, alembic_values = ?, tags = ? WHERE id = ?")
            .bind(&p.name)
            .bind(&p.client)
            .bind(environment)
            .bind(&p.url)
            .bind(&p.project_dir)
            .bind(p.auto_backup())
            .bind(p.backup_keep())
            .bind(p.python.trim())
            .bind(p.version_table.trim())
            .bind(p.version_table_schema.trim())
            .bind(&p.alembic_values)
            .bind(tags(&p.tags))
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::NoProfile(id));
        }
        self.profile(id).await
    }

    pub async fn delete_profile(&self, id: i64) -> Result<(), StoreError> {
        let gone = sqlx::query("DELETE FROM profiles WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if gone == 0 {
            return Err(StoreError::NoProfile(id));
        }
        Ok(())
    }

    /// Records one operation in the audit log.
    pub async fn record(&self, e: &AuditEntry) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (at, who, profile_id, profile_name, operation, target, rows_before, rows_after, duration_ms, result, message, backup) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&e.at)
        .bind(&e.who)
        .bind(e.profile_id)
        .bind(&e.profile_name)
        .bind(&e.operation)
        .bind(&e.target)
        .bind(&e.rows_before)
        .bind(&e.rows_after)
        .bind(e.duration_ms)
        .bind(&e.result)
        .bind(&e.message)
        .bind(&e.backup)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The audit log, newest first, optionally for one profile.
    pub async fn audit(&self, profile_id: Option<i64>) -> Result<Vec<AuditEntry>, StoreError> {
        let q = match profile_id {
            Some(id) => sqlx::query_as::<_, AuditEntry>(
                "SELECT * FROM audit_log WHERE profile_id = ? ORDER BY id DESC",
            )
            .bind(id),
            None => sqlx::query_as::<_, AuditEntry>("SELECT * FROM audit_log ORDER BY id DESC"),
        };
        Ok(q.fetch_all(&self.pool).await?)
    }

    /// Catalogues a backup and returns the entries that fall out of the profile's retention
    /// (oldest first); the caller deletes their files.
    pub async fn add_backup(
        &self,
        b: &BackupEntry,
    ) -> Result<(BackupEntry, Vec<BackupEntry>), StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO backups (profile_id, at, path, engine, rows, size, sha256, duration_ms, tool_version, reason) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(b.profile_id)
        .bind(&b.at)
        .bind(&b.path)
        .bind(&b.engine)
        .bind(&b.rows)
        .bind(b.size)
        .bind(&b.sha256)
        .bind(b.duration_ms)
        .bind(&b.tool_version)
        .bind(&b.reason)
        .fetch_one(&self.pool)
        .await?;
        let saved = self.backup(id).await?;
        let mut expired = Vec::new();
        if let Some(pid) = b.profile_id {
            let keep: i64 = sqlx::query_scalar("SELECT backup_keep FROM profiles WHERE id = ?")
                .bind(pid)
                .fetch_optional(&self.pool)
                .await?
                .unwrap_or(10);
            let mut all = self.backups(Some(pid)).await?;
            if all.len() as i64 > keep {
                expired = all.split_off(usize::try_from(keep).unwrap_or(usize::MAX));
                expired.reverse();
                for e in &expired {
                    sqlx::query("DELETE FROM backups WHERE id = ?")
                        .bind(e.id)
                        .execute(&self.pool)
                        .await?;
                }
            }
        }
        Ok((saved, expired))
    }

    pub async fn backup(&self, id: i64) -> Result<BackupEntry, StoreError> {
        sqlx::query_as::<_, BackupEntry>("SELECT * FROM backups WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NoBackup(id))
    }

    /// Newest first.
    pub async fn backups(&self, profile_id: Option<i64>) -> Result<Vec<BackupEntry>, StoreError> {
        let q = match profile_id {
            Some(id) => sqlx::query_as::<_, BackupEntry>(
                "SELECT * FROM backups WHERE profile_id = ? ORDER BY id DESC",
            )
            .bind(id),
            None => sqlx::query_as::<_, BackupEntry>("SELECT * FROM backups ORDER BY id DESC"),
        };
        Ok(q.fetch_all(&self.pool).await?)
    }

    pub async fn delete_backup(&self, id: i64) -> Result<BackupEntry, StoreError> {
        let entry = self.backup(id).await?;
        sqlx::query("DELETE FROM backups WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(entry)
    }

    pub fn now() -> String {
        chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn profiles_and_the_audit_log_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("nested/stratum.db");
        let store = Store::open(&path).await.unwrap_or_else(|e| panic!("{e}"));
        let p = store
            .add_profile(&NewProfile {
                name: "Demo".into(),
                url: "sqlite:///demo.db".into(),
                project_dir: "/p".into(),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.environment, "development");
        let entry = AuditEntry {
            id: 0,
            at: Store::now(),
            who: "tester".into(),
            profile_id: Some(p.id),
            profile_name: p.name.clone(),
            operation: "upgrade".into(),
            target: "heads".into(),
            rows_before: "".into(),
            rows_after: "007".into(),
            duration_ms: 12,
            result: "succeeded".into(),
            message: String::new(),
            backup: String::new(),
        };
        store.record(&entry).await.unwrap_or_else(|e| panic!("{e}"));
        drop(store);
        let again = Store::open(&path).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.profiles().await.map(|v| v.len()).unwrap_or(0), 1);
        let log = again.audit(Some(p.id)).await.unwrap_or_default();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].rows_after, "007");
        assert!(matches!(
            again.profile(99).await,
            Err(StoreError::NoProfile(99))
        ));
    }

    #[tokio::test]
    async fn backups_beyond_the_profiles_retention_fall_out_oldest_first() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = Store::open(&dir.path().join("s.db"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let p = store
            .add_profile(&NewProfile {
                name: "Acme prod".into(),
                environment: "production".into(),
                url: "sqlite:///a.db".into(),
                project_dir: "/p".into(),
                backup_keep: Some(2),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            p.auto_backup,
            "production backs up before changes by default"
        );
        let entry = |n: i64| BackupEntry {
            id: 0,
            profile_id: Some(p.id),
            at: format!("2026-01-0{n} 10:00:00"),
            path: format!("/b/{n}.sqlite"),
            engine: "sqlite".into(),
            rows: "007".into(),
            size: 10,
            sha256: "ab".into(),
            duration_ms: 1,
            tool_version: "SQLite 3".into(),
            reason: "manual".into(),
        };
        for n in 1..=2 {
            let (_, expired) = store
                .add_backup(&entry(n))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(expired.is_empty());
        }
        let (_, expired) = store
            .add_backup(&entry(3))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            expired.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(),
            ["/b/1.sqlite"]
        );
        let left: Vec<String> = store
            .backups(Some(p.id))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|b| b.path)
            .collect();
        assert_eq!(left, ["/b/3.sqlite", "/b/2.sqlite"]);
    }
}
