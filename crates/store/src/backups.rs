//! The backup catalogue: what each backup file holds and where it is, so backups can be listed,
//! restored, and trimmed to a profile's retention without reading the files.

use std::collections::HashMap;

use serde::Serialize;

use crate::{Store, StoreError};

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

impl Store {
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

    /// Each profile's newest backup.
    pub async fn last_backups(&self) -> Result<HashMap<i64, BackupEntry>, StoreError> {
        let rows = sqlx::query_as::<_, BackupEntry>(
            "SELECT * FROM backups WHERE id IN (SELECT MAX(id) FROM backups WHERE profile_id IS NOT NULL GROUP BY profile_id)",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|b| Some((b.profile_id?, b)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewProfile;

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
