//! The app's own local store, one SQLite file in the app's data folder: connection profiles and
//! the audit log. Its schema is the sqlx migrations in the repository's `migrations/` folder.
//! Passwords are never written here.

mod secrets;

pub use secrets::{SecretStorage, Secrets};

use std::path::Path;
use std::str::FromStr;

use serde::Serialize;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

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
}

#[derive(Debug, Clone, Default)]
pub struct NewProfile {
    pub name: String,
    pub client: String,
    pub environment: String,
    pub url: String,
    pub project_dir: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
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
}

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
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
            .foreign_keys(true);
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
            "INSERT INTO profiles (name, client, environment, url, project_dir) VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&p.name)
        .bind(&p.client)
        .bind(environment)
        .bind(&p.url)
        .bind(&p.project_dir)
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
        let changed = sqlx::query("UPDATE profiles SET name = ?, client = ?, environment = ?, url = ?, project_dir = ? WHERE id = ?")
            .bind(&p.name)
            .bind(&p.client)
            .bind(environment)
            .bind(&p.url)
            .bind(&p.project_dir)
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
            "INSERT INTO audit_log (at, who, profile_id, profile_name, operation, target, rows_before, rows_after, duration_ms, result, message) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
}
