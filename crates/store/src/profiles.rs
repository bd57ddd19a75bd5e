//! Connection profiles: one saved database per profile, with where its migrations live and how
//! it is backed up. Its password is kept by `Secrets`, not here.

use serde::Serialize;
use sqlx::error::BoxDynError;
use sqlx::sqlite::SqliteArguments;
use sqlx::Arguments;

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
    /// Upgrades and downgrades need the release checklist's evidence (or a typed override).
    pub release_gate: bool,
    /// When changes may run, e.g. `Sat-Sun 22:00-06:00 Europe/Berlin` ("": none scheduled).
    pub maintenance_window: String,
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
    /// None: on for production, off elsewhere.
    pub release_gate: Option<bool>,
    pub maintenance_window: String,
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
            release_gate: Some(self.release_gate),
            maintenance_window: self.maintenance_window.clone(),
        }
    }
}

impl NewProfile {
    fn auto_backup(&self) -> bool {
        self.auto_backup.unwrap_or(self.environment == "production")
    }

    fn release_gate(&self) -> bool {
        self.release_gate
            .unwrap_or(self.environment == "production")
    }

    fn backup_keep(&self) -> i64 {
        self.backup_keep.unwrap_or(10).max(1)
    }

    /// What an insert and an update both write, in the order their SQL names the columns, with
    /// the defaults filled in and the Alembic settings trimmed.
    fn values(&self) -> Result<SqliteArguments, StoreError> {
        self.encoded().map_err(encoding)
    }

    fn encoded(&self) -> Result<SqliteArguments, BoxDynError> {
        let environment = if self.environment.is_empty() {
            "development"
        } else {
            self.environment.as_str()
        };
        let mut v = SqliteArguments::default();
        v.add(self.name.clone())?;
        v.add(self.client.clone())?;
        v.add(environment.to_string())?;
        v.add(self.url.clone())?;
        v.add(self.project_dir.clone())?;
        v.add(self.auto_backup())?;
        v.add(self.backup_keep())?;
        v.add(self.python.trim().to_string())?;
        v.add(self.version_table.trim().to_string())?;
        v.add(self.version_table_schema.trim().to_string())?;
        v.add(self.alembic_values.clone())?;
        v.add(tags(&self.tags))?;
        v.add(self.release_gate())?;
        v.add(self.maintenance_window.trim().to_string())?;
        Ok(v)
    }
}

/// A value SQLite could not take (strings, integers and booleans always fit).
fn encoding(e: BoxDynError) -> StoreError {
    StoreError::Query(e.to_string())
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
        let id: i64 = sqlx::query_scalar_with(
            "INSERT INTO profiles (name, client, environment, url, project_dir, auto_backup, backup_keep, python, version_table, version_table_schema, alembic_values, tags, release_gate, maintenance_window) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            p.values()?,
        )
        .fetch_one(&self.pool)
        .await?;
        self.profile(id).await
    }

    pub async fn update_profile(&self, id: i64, p: &NewProfile) -> Result<Profile, StoreError> {
        let mut values = p.values()?;
        values.add(id).map_err(encoding)?;
        let changed = sqlx::query_with("UPDATE profiles SET name = ?, client = ?, environment = ?, url = ?, project_dir = ?, auto_backup = ?, backup_keep = ?, python = ?, version_table = ?, version_table_schema = ?, alembic_values = ?, tags = ?, release_gate = ?, maintenance_window = ? WHERE id = ?", values)
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
