//! The app's own local store, one SQLite file in the app's data folder: connection profiles, the
//! backup catalogue, the audit log, drift checks, batch runs, rehearsals and check-ups, a module each. Its schema is the
//! sqlx migrations in the repository's `migrations/` folder. Version rows are kept as text,
//! comma separated and empty for base, as the audit log shows them. Passwords are never written
//! here.

mod audit;
mod backups;
mod batches;
mod checkups;
mod drift;
mod error;
mod profiles;
mod rehearsals;
mod secrets;

pub use audit::AuditEntry;
pub use backups::BackupEntry;
pub use batches::{BatchItem, BatchRecord, BatchTally};
pub use checkups::CheckupRecord;
pub use drift::DriftCheck;
pub use error::StoreError;
pub use profiles::{NewProfile, Profile};
pub use rehearsals::{RehearsalRecord, RehearsedSql};
pub use secrets::{SecretStorage, Secrets};

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

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
            files: String::new(),
            gate: String::new(),
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
