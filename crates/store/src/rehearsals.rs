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
    /// "live" or "base".
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
