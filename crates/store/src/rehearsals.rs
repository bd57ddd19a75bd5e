//! Rehearsals kept per profile: which revisions (and which version of their files) were proved
//! on a scratch database, and how it went.

use serde::Serialize;

use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RehearsalRecord {
    pub id: i64,
    pub profile_id: Option<i64>,
    pub at: String,
    pub who: String,
    pub target: String,
    /// "live", "base" or "backup".
    pub start: String,
    pub with_data: bool,
    /// One `REVISION SHA256` per line, in the order rehearsed.
    pub files: String,
    /// "passed" or "failed".
    pub result: String,
    pub summary: String,
    pub duration_ms: i64,
}

impl Store {
    /// Keeps a rehearsal; `id` is ignored and the stored record returned.
    pub async fn record_rehearsal(
        &self,
        r: &RehearsalRecord,
    ) -> Result<RehearsalRecord, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO rehearsals (profile_id, at, who, target, start, with_data, files, result, summary, duration_ms) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(r.profile_id)
        .bind(&r.at)
        .bind(&r.who)
        .bind(&r.target)
        .bind(&r.start)
        .bind(r.with_data)
        .bind(&r.files)
        .bind(&r.result)
        .bind(&r.summary)
        .bind(r.duration_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok(RehearsalRecord { id, ..r.clone() })
    }

    /// A profile's rehearsals, newest first.
    pub async fn rehearsals(&self, profile_id: i64) -> Result<Vec<RehearsalRecord>, StoreError> {
        Ok(sqlx::query_as::<_, RehearsalRecord>(
            "SELECT * FROM rehearsals WHERE profile_id = ? ORDER BY id DESC",
        )
        .bind(profile_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// The SQL a revision sent while rehearsed, with when and on which profile.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RehearsedSql {
    pub revision: String,
    pub sha256: String,
    pub dialect: String,
    pub upgrade_sql: String,
    pub downgrade_sql: String,
    /// When the rehearsal ran, and on which profile (filled when read).
    pub at: String,
    pub profile_id: Option<i64>,
}

impl Store {
    /// Keeps what each revision of a rehearsal sent to the database.
    pub async fn record_rehearsed_sql(
        &self,
        rehearsal_id: i64,
        sent: &[RehearsedSql],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for r in sent {
            sqlx::query(
                "INSERT INTO rehearsed_sql (rehearsal_id, revision, sha256, dialect, upgrade_sql, downgrade_sql) VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(rehearsal_id)
            .bind(&r.revision)
            .bind(&r.sha256)
            .bind(&r.dialect)
            .bind(&r.upgrade_sql)
            .bind(&r.downgrade_sql)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The newest SQL recorded for this version of a revision's file on this engine,
    /// preferring the profile's own rehearsals.
    pub async fn rehearsed_sql(
        &self,
        revision: &str,
        sha256: &str,
        dialect: &str,
        profile_id: i64,
    ) -> Result<Option<RehearsedSql>, StoreError> {
        Ok(sqlx::query_as::<_, RehearsedSql>(
            "SELECT s.revision, s.sha256, s.dialect, s.upgrade_sql, s.downgrade_sql, r.at, r.profile_id \
             FROM rehearsed_sql s JOIN rehearsals r ON r.id = s.rehearsal_id \
             WHERE s.revision = ? AND s.sha256 = ? AND s.dialect = ? \
             ORDER BY (r.profile_id = ?) DESC, r.id DESC LIMIT 1",
        )
        .bind(revision)
        .bind(sha256)
        .bind(dialect)
        .bind(profile_id)
        .fetch_optional(&self.pool)
        .await?)
    }
}
