//! The app's own local store, one SQLite file in the app's data folder: connection profiles, the
//! backup catalogue, the audit log, drift checks, batch runs, rehearsals, check-ups and the folders
//! trusted to run their code, a module each. Its schema is the
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
mod trust;

pub use audit::AuditEntry;
pub use backups::BackupEntry;
pub use batches::{BatchItem, BatchRecord, BatchTally};
pub use checkups::CheckupRecord;
pub use drift::DriftCheck;
pub use error::StoreError;
pub use profiles::{NewProfile, Profile};
pub use rehearsals::{RehearsalRecord, RehearsedSql};
pub use secrets::{SecretStorage, Secrets};
pub use trust::{canonical_folder, TrustedFolder};

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// The version of Stratum this store code belongs to: the app's, the CLI's and the packages'.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The schema version and writer of a store newer than this code knows (`known`), if it is.
async fn newer_schema(pool: &SqlitePool, known: i64) -> Option<(i64, String)> {
    let found: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await
        .ok()
        .flatten()?;
    if found <= known {
        return None;
    }
    let written_by: String =
        sqlx::query_scalar("SELECT value FROM store_meta WHERE key = 'written_by'")
            .fetch_optional(pool)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| "a newer version".into());
    Some((found, written_by))
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
        let migrator = sqlx::migrate!("../../migrations");
        let known = migrator.iter().map(|m| m.version).max().unwrap_or(0);
        if let Some((found, written_by)) = newer_schema(&pool, known).await {
            pool.close().await;
            return Err(StoreError::Newer {
                path: path.display().to_string(),
                written_by,
                found,
                this: VERSION.into(),
                known,
            });
        }
        migrator
            .run(&pool)
            .await
            .map_err(|e| StoreError::Migrate(e.to_string()))?;
        sqlx::query(
            "INSERT INTO store_meta (key, value) VALUES ('written_by', ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(VERSION)
        .execute(&pool)
        .await?;
        Ok(Store { pool })
    }

    /// The store's schema: the newest of its migrations applied.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    pub fn now() -> String {
        chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store as Stratum 0.1.0 left it: its five migrations, a profile and an audit entry.
    async fn store_of_0_1_0(path: &Path) {
        let old = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ours = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
        for n in 1..=5 {
            let file = std::fs::read_dir(&ours)
                .unwrap_or_else(|e| panic!("{e}"))
                .flatten()
                .find(|f| {
                    f.file_name()
                        .to_string_lossy()
                        .starts_with(&format!("000{n}_"))
                })
                .unwrap_or_else(|| panic!("migration {n}"));
            std::fs::copy(file.path(), old.path().join(file.file_name()))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let options = SqliteConnectOptions::from_str("sqlite://")
            .unwrap_or_else(|e| panic!("{e}"))
            .filename(path)
            .create_if_missing(true);
        let pool = SqlitePool::connect_with(options)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        sqlx::migrate::Migrator::new(old.path())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .run(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        sqlx::query("INSERT INTO profiles (name, client, environment, url, project_dir, created_at) VALUES ('Acme prod', 'Acme', 'production', 'sqlite:///acme.db', '/p', '2026-11-01 10:00:00')")
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        sqlx::query("INSERT INTO audit_log (at, who, profile_id, profile_name, operation, target, rows_before, rows_after, duration_ms, result, message, backup) VALUES ('2026-11-01 10:05:00', 'ops', 1, 'Acme prod', 'upgrade', 'heads', '', '007', 40, 'succeeded', '', '')")
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        pool.close().await;
    }

    #[tokio::test]
    async fn a_store_of_the_previous_release_is_migrated_and_keeps_its_profiles_and_history() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("stratum.db");
        store_of_0_1_0(&path).await;
        let store = Store::open(&path).await.unwrap_or_else(|e| panic!("{e}"));
        let p = store.profile(1).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.name, "Acme prod");
        assert!(
            p.release_gate,
            "an existing production profile gets its gate"
        );
        assert_eq!(p.maintenance_window, "");
        let log = store.audit(Some(1)).await.unwrap_or_default();
        assert_eq!(log[0].rows_after, "007");
        assert_eq!(log[0].gate, "");
        assert_eq!(store.schema_version().await.ok(), Some(10));
    }

    #[tokio::test]
    async fn a_store_of_a_newer_stratum_is_refused_and_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("stratum.db");
        let store = Store::open(&path).await.unwrap_or_else(|e| panic!("{e}"));
        // What a later release would have added.
        sqlx::query("INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (42, 'from the future', CURRENT_TIMESTAMP, TRUE, X'00', 0)")
            .execute(&store.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        sqlx::query("UPDATE store_meta SET value = '9.1.0' WHERE key = 'written_by'")
            .execute(&store.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        store.pool.close().await;
        let e = Store::open(&path)
            .await
            .map(|_| ())
            .expect_err("a newer store is refused");
        let said = e.to_string();
        assert!(
            said.contains("written by a newer Stratum (9.1.0, store schema 42")
                && said.contains(&format!("this is Stratum {VERSION}, which knows schema 10"))
                && said.contains("install Stratum 9.1.0 or newer")
                && said.contains("not changed"),
            "{said}"
        );
        // Still the future's: nothing was rolled back or rewritten.
        let pool = SqlitePool::connect_with(
            SqliteConnectOptions::from_str("sqlite://")
                .unwrap_or_else(|e| panic!("{e}"))
                .filename(&path),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let writer: String =
            sqlx::query_scalar("SELECT value FROM store_meta WHERE key = 'written_by'")
                .fetch_one(&pool)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(writer, "9.1.0");
    }

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
