//! Folders whose Alembic project code the desktop app may run (the convention of code editors'
//! workspace trust): one row per canonical folder, until revoked.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::{Store, StoreError};

/// A folder the user trusted, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TrustedFolder {
    pub path: String,
    pub trusted_at: String,
}

/// The one name of a folder, whichever way it was reached (relative, `..`, a symlink), so that
/// trusting it under one name does not leave it untrusted under another.
pub fn canonical_folder(path: &Path) -> Result<PathBuf, StoreError> {
    let canonical = std::fs::canonicalize(path).map_err(|e| {
        StoreError::Folder(format!("cannot find the folder {}: {e}", path.display()))
    })?;
    if !canonical.is_dir() {
        return Err(StoreError::Folder(format!(
            "{} is not a folder",
            canonical.display()
        )));
    }
    Ok(canonical)
}

impl Store {
    /// Trusts the folder (it must exist); trusting it again keeps the first date.
    pub async fn trust_folder(&self, path: &Path) -> Result<TrustedFolder, StoreError> {
        let path = canonical_folder(path)?.display().to_string();
        sqlx::query(
            "INSERT INTO trusted_folders (path, trusted_at) VALUES (?, ?) ON CONFLICT (path) DO NOTHING",
        )
        .bind(&path)
        .bind(Store::now())
        .execute(&self.pool)
        .await?;
        Ok(
            sqlx::query_as::<_, TrustedFolder>("SELECT * FROM trusted_folders WHERE path = ?")
                .bind(&path)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Whether the folder is trusted; one that no longer exists is not.
    pub async fn is_trusted(&self, path: &Path) -> Result<bool, StoreError> {
        let Ok(path) = canonical_folder(path) else {
            return Ok(false);
        };
        let found: Option<String> =
            sqlx::query_scalar("SELECT path FROM trusted_folders WHERE path = ?")
                .bind(path.display().to_string())
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// Every trusted folder, by path.
    pub async fn trusted_folders(&self) -> Result<Vec<TrustedFolder>, StoreError> {
        Ok(
            sqlx::query_as::<_, TrustedFolder>("SELECT * FROM trusted_folders ORDER BY path")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Forgets the folder's trust; false when it was not trusted. A folder deleted or moved
    /// since is revoked by the path the list shows.
    pub async fn revoke_folder(&self, path: &Path) -> Result<bool, StoreError> {
        let path = canonical_folder(path).unwrap_or_else(|_| path.to_path_buf());
        let done = sqlx::query("DELETE FROM trusted_folders WHERE path = ?")
            .bind(path.display().to_string())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn open(dir: &Path) -> Store {
        Store::open(&dir.join("stratum.db"))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[tokio::test]
    async fn a_folder_is_trusted_listed_and_revoked() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = open(dir.path()).await;
        let client = dir.path().join("client-erp");
        std::fs::create_dir_all(&client).unwrap_or_else(|e| panic!("{e}"));
        assert!(!store.is_trusted(&client).await.unwrap_or(true));
        let trusted = store
            .trust_folder(&client)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let canonical = canonical_folder(&client).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(trusted.path, canonical.display().to_string());
        assert!(store.is_trusted(&client).await.unwrap_or(false));
        // Trusting it again is one row, with the first date.
        let again = store
            .trust_folder(&client)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, trusted);
        assert_eq!(store.trusted_folders().await.unwrap_or_default(), [trusted]);
        assert!(store.revoke_folder(&client).await.unwrap_or(false));
        assert!(!store.is_trusted(&client).await.unwrap_or(true));
        assert!(store.trusted_folders().await.unwrap_or_default().is_empty());
        assert!(
            !store.revoke_folder(&client).await.unwrap_or(true),
            "nothing left to revoke"
        );
    }

    #[tokio::test]
    async fn a_folder_is_one_folder_under_every_name_and_its_subfolders_are_not_trusted_with_it() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = open(dir.path()).await;
        let client = dir.path().join("client-erp");
        let inner = client.join("alembic");
        std::fs::create_dir_all(&inner).unwrap_or_else(|e| panic!("{e}"));
        store
            .trust_folder(&inner.join(".."))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(store.is_trusted(&client).await.unwrap_or(false));
        assert!(
            !store.is_trusted(&inner).await.unwrap_or(true),
            "trust is per folder"
        );
        assert_eq!(store.trusted_folders().await.unwrap_or_default().len(), 1);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_folder_reached_through_a_symlink_is_the_folder_it_points_to() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = open(dir.path()).await;
        let client = dir.path().join("client-erp");
        std::fs::create_dir_all(&client).unwrap_or_else(|e| panic!("{e}"));
        let link = dir.path().join("link-to-client");
        std::os::unix::fs::symlink(&client, &link).unwrap_or_else(|e| panic!("{e}"));
        store
            .trust_folder(&client)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(store.is_trusted(&link).await.unwrap_or(false));
        store
            .trust_folder(&link)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(store.trusted_folders().await.unwrap_or_default().len(), 1);
        // Revoked by another of its names.
        assert!(store.revoke_folder(&link).await.unwrap_or(false));
        assert!(!store.is_trusted(&client).await.unwrap_or(true));
    }

    #[tokio::test]
    async fn a_missing_folder_is_not_trusted_and_a_deleted_one_can_still_be_revoked() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = open(dir.path()).await;
        let gone = dir.path().join("never-made");
        let e = store
            .trust_folder(&gone)
            .await
            .expect_err("a folder that does not exist is refused");
        assert!(e.to_string().contains("never-made"), "{e}");
        assert!(!store.is_trusted(&gone).await.unwrap_or(true));
        let file = dir.path().join("a-file");
        std::fs::write(&file, "").unwrap_or_else(|e| panic!("{e}"));
        assert!(
            store.trust_folder(&file).await.is_err(),
            "a file is no folder"
        );

        let client = dir.path().join("client-erp");
        std::fs::create_dir_all(&client).unwrap_or_else(|e| panic!("{e}"));
        let kept = store
            .trust_folder(&client)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::remove_dir(&client).unwrap_or_else(|e| panic!("{e}"));
        assert!(!store.is_trusted(&client).await.unwrap_or(true));
        assert!(store
            .revoke_folder(Path::new(&kept.path))
            .await
            .unwrap_or(false));
        assert!(store.trusted_folders().await.unwrap_or_default().is_empty());
    }

    #[tokio::test]
    async fn trust_survives_a_reopen() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let client = dir.path().join("client-erp");
        std::fs::create_dir_all(&client).unwrap_or_else(|e| panic!("{e}"));
        let store = open(dir.path()).await;
        store
            .trust_folder(&client)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        store.pool.close().await;
        let again = open(dir.path()).await;
        assert!(again.is_trusted(&client).await.unwrap_or(false));
    }
}
