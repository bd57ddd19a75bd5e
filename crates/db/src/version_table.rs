//! The `alembic_version` table, exactly as Alembic makes and changes it.

use stratum_project::{Config, Dialect};

use crate::ident::{literal, quote, quote_if_needed};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionTable {
    pub name: String,
    pub schema: Option<String>,
}

impl Default for VersionTable {
    fn default() -> Self {
        VersionTable {
            name: "alembic_version".into(),
            schema: None,
        }
    }
}

impl VersionTable {
    pub fn from_config(config: &Config) -> Self {
        VersionTable {
            name: config.version_table.name.clone(),
            schema: config.version_table.schema.clone(),
        }
    }

    /// `schema.table`, quoted always (online) or only where needed (offline, as SQLAlchemy).
    pub fn qualified(&self, d: Dialect, always: bool) -> String {
        let q = |s: &str| {
            if always {
                quote(d, s)
            } else {
                quote_if_needed(d, s)
            }
        };
        match &self.schema {
            Some(s) => format!("{}.{}", q(s), q(&self.name)),
            None => q(&self.name),
        }
    }

    fn pk_name(&self) -> String {
        format!("{}_pkc", self.name)
    }

    /// Alembic's DDL, byte for byte as SQLAlchemy renders it in `--sql` mode.
    pub fn create_offline(&self, d: Dialect) -> String {
        format!(
            "CREATE TABLE {} (\n    version_num VARCHAR(32) NOT NULL, \n    CONSTRAINT {} PRIMARY KEY (version_num)\n)",
            self.qualified(d, false),
            quote_if_needed(d, &self.pk_name())
        )
    }

    /// The same DDL as Alembic's online `CREATE TABLE`, so the table is the same whichever tool
    /// made it (SQLite even keeps the text).
    pub fn create_if_missing(&self, d: Dialect) -> String {
        format!(
            "CREATE TABLE IF NOT EXISTS {} (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT {} PRIMARY KEY (version_num)\n)",
            self.qualified(d, false),
            quote_if_needed(d, &self.pk_name())
        )
    }

    pub fn select_rows(&self, d: Dialect) -> String {
        format!("SELECT version_num FROM {}", self.qualified(d, true))
    }

    pub fn insert(&self, d: Dialect, rev: &str, offline: bool) -> String {
        let t = self.qualified(d, !offline);
        let returning = match (d, offline) {
            (Dialect::Postgres, true) => format!(" RETURNING {t}.version_num"),
            (Dialect::Sqlite, true) => " RETURNING version_num".to_string(),
            _ => String::new(),
        };
        format!(
            "INSERT INTO {t} (version_num) VALUES ({}){returning}",
            literal(d, rev)
        )
    }

    pub fn update(&self, d: Dialect, from: &str, to: &str, offline: bool) -> String {
        let t = self.qualified(d, !offline);
        format!(
            "UPDATE {t} SET version_num={} WHERE {t}.version_num = {}",
            literal(d, to),
            literal(d, from)
        )
    }

    pub fn delete(&self, d: Dialect, rev: &str, offline: bool) -> String {
        let t = self.qualified(d, !offline);
        format!(
            "DELETE FROM {t} WHERE {t}.version_num = {}",
            literal(d, rev)
        )
    }

    /// A name for the runner lock, stable for this database and table.
    pub fn lock_name(&self) -> String {
        format!(
            "stratum:{}.{}",
            self.schema.as_deref().unwrap_or(""),
            self.name
        )
    }

    /// A 64-bit key for `pg_advisory_lock`, derived from the lock name (FNV-1a).
    pub fn lock_key(&self) -> i64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.lock_name().bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        i64::from_ne_bytes(h.to_ne_bytes())
    }
}
