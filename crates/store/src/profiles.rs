//! Connection profiles: one saved database per profile, with where its migrations live and how
//! it is backed up. Its password is kept by `Secrets`, not here.

use serde::Serialize;

use crate::{Store, StoreError};

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

impl Store {
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
}
