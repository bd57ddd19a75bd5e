//! A server's databases found rather than typed: those whose names match a pattern, each with
//! its version rows (read from the project's version table) and whether the project knows
//! them, ready to be added as profiles in one go with names and clients from a naming rule.

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use stratum_db::{Connection, DatabaseUrl, Engine, VersionTable};
use stratum_project::Project;
use stratum_store::{NewProfile, Profile, SecretStorage, Secrets, Store};

use crate::OperationError;

/// What to look for and how to name what is found.
#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    /// A name pattern (`*` any run of characters, `?` one); every database without one.
    pub databases: Option<String>,
    /// PostgreSQL: a pattern for schemas; each matching schema of each matching database is a
    /// tenant of its own (schema-per-tenant).
    pub schemas: Option<String>,
    /// The profile's name: `{database}`, `{schema}`, and `{1}`, `{2}`... for what each `*` or
    /// `?` of the patterns matched (the database's first); `{database}` (with schemas
    /// `{database}.{schema}`) when empty.
    pub name: String,
    /// The client (group), with the same placeholders: `--databases 'erp_*_prod' --client {1}`.
    pub client: String,
    pub concurrency: usize,
}

/// One database that matched.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Found {
    pub database: String,
    /// PostgreSQL, schema-per-tenant: the tenant's schema in `database`.
    pub schema: Option<String>,
    /// Its URL, without a password.
    pub url: String,
    /// `None`: it holds no version table (a tenant not migrated yet).
    pub version_rows: Option<Vec<String>>,
    /// Revisions in its version rows that the project does not have (another project's, or a
    /// newer release's).
    pub unknown: Vec<String>,
    /// The profile it would become.
    pub name: String,
    pub client: String,
    /// A profile for this database exists already.
    pub existing_profile: Option<String>,
    /// It could not be read (no right to connect, say).
    pub error: Option<String>,
}

impl Found {
    pub fn versioned(&self) -> bool {
        self.version_rows.is_some()
    }

    /// The database, or `database.schema` for a tenant's schema.
    pub fn place(&self) -> String {
        match &self.schema {
            Some(s) => format!("{}.{s}", self.database),
            None => self.database.clone(),
        }
    }
}

/// Databases the engines keep for themselves: never a tenant's.
const MYSQL_SYSTEM: [&str; 4] = ["mysql", "information_schema", "performance_schema", "sys"];

/// One place a tenant may live: a database, or (PostgreSQL) a schema of one.
struct Candidate {
    database: String,
    schema: Option<String>,
    /// What the patterns' wildcards matched: the database's, then the schema's.
    captured: Vec<String>,
    rows: Result<Option<Vec<String>>, String>,
}

/// Lists the databases on `server` matching `opts.databases` (and, with `opts.schemas`, their
/// schemas matching it), with what each holds.
pub async fn discover(
    server: &DatabaseUrl,
    project: &Project,
    existing: &[Profile],
    opts: &DiscoverOptions,
) -> Result<Vec<Found>, OperationError> {
    let pattern = opts.databases.as_deref().map(Pattern::new).transpose()?;
    let schemas = opts.schemas.as_deref().map(Pattern::new).transpose()?;
    if schemas.is_some() && server.engine != Engine::Postgres {
        return Err(OperationError::Input(
            "--schemas lists PostgreSQL schemas; on MySQL each database is a schema of its own, so match them with --databases".into(),
        ));
    }
    let vt = VersionTable::from_config(&project.config);
    let mut admin = Connection::connect(&admin_url(server)?, TIMEOUT).await?;
    let names = database_names(&mut admin, server.engine).await?;
    let matched: Vec<(String, Vec<String>)> = names
        .into_iter()
        .filter_map(|n| match &pattern {
            Some(p) => p.captures(&n).map(|c| (n, c)),
            None => Some((n, Vec::new())),
        })
        .collect();
    // MySQL answers for every database on one connection; PostgreSQL needs one per database.
    let candidates: Vec<Candidate> = match server.engine {
        Engine::MySql => {
            let mut all = Vec::with_capacity(matched.len());
            for (name, captured) in matched {
                let rows = read_mysql(&mut admin, &name, &vt).await;
                all.push(Candidate {
                    database: name,
                    schema: None,
                    captured,
                    rows,
                });
            }
            admin.close().await;
            all
        }
        _ => {
            admin.close().await;
            let read =
                super::each_bounded(&matched, opts.concurrency.max(1), |(name, captured)| {
                    let (vt, schemas) = (&vt, schemas.as_ref());
                    async move {
                        let mut url = server.clone();
                        url.database = name.clone();
                        url.schema = None;
                        read_postgres(&url, vt, schemas, captured).await
                    }
                })
                .await;
            read.into_iter().flatten().collect()
        }
    };
    let default_name = if schemas.is_some() {
        "{database}.{schema}"
    } else {
        "{database}"
    };
    Ok(candidates
        .into_iter()
        .map(|c| {
            let mut url = server.clone();
            url.database = c.database.clone();
            url.schema = c.schema.clone();
            let url = url.without_password();
            let fill = |template: &str, fallback: &str| {
                let t = if template.trim().is_empty() {
                    fallback
                } else {
                    template
                };
                fill_template(t, &c.database, c.schema.as_deref(), &c.captured)
            };
            let (version_rows, error) = match c.rows {
                Ok(r) => (r, None),
                Err(e) => (None, Some(e)),
            };
            let unknown = version_rows
                .iter()
                .flatten()
                .filter(|r| project.map.index_of(r.as_str()).is_none())
                .cloned()
                .collect();
            let existing_profile = existing
                .iter()
                .find(|p| same_database(&p.url, &url))
                .map(|p| p.name.clone());
            Found {
                name: fill(&opts.name, default_name),
                client: fill(&opts.client, ""),
                database: c.database,
                schema: c.schema,
                url,
                version_rows,
                unknown,
                existing_profile,
                error,
            }
        })
        .collect())
}

const TIMEOUT: Duration = Duration::from_secs(10);

/// A PostgreSQL database's version rows; with `schemas`, those of each of its schemas that
/// matches (one candidate per schema, none when none matches).
async fn read_postgres(
    url: &DatabaseUrl,
    vt: &VersionTable,
    schemas: Option<&Pattern>,
    captured: &[String],
) -> Vec<Candidate> {
    let one = |schema: Option<String>, more: Vec<String>, rows| Candidate {
        database: url.database.clone(),
        schema,
        captured: captured.iter().cloned().chain(more).collect(),
        rows,
    };
    let mut c = match Connection::connect(url, TIMEOUT).await {
        Ok(c) => c,
        Err(e) => return vec![one(None, Vec::new(), Err(e.to_string()))],
    };
    let Some(pattern) = schemas else {
        let rows = read_rows(&mut c, vt).await;
        c.close().await;
        return vec![one(None, Vec::new(), rows)];
    };
    let names = c
        .query_strings(
            "SELECT nspname::text FROM pg_namespace WHERE nspname <> 'information_schema' AND nspname !~ '^pg_' ORDER BY 1",
        )
        .await;
    let names = match names {
        Ok(n) => n,
        Err(e) => {
            c.close().await;
            return vec![one(
                None,
                Vec::new(),
                Err(stratum_db::DbError::query("listing the schemas", e).to_string()),
            )];
        }
    };
    let mut found = Vec::new();
    for name in names {
        let Some(more) = pattern.captures(&name) else {
            continue;
        };
        let in_schema = VersionTable {
            name: vt.name.clone(),
            schema: Some(vt.schema.clone().unwrap_or_else(|| name.clone())),
        };
        let rows = read_rows(&mut c, &in_schema).await;
        found.push(one(Some(name), more, rows));
    }
    c.close().await;
    found
}

/// The server's own database to list from: the URL's, else PostgreSQL's `postgres`.
fn admin_url(server: &DatabaseUrl) -> Result<DatabaseUrl, OperationError> {
    let mut url = server.clone();
    // A profile of one tenant's schema stands for its server.
    url.schema = None;
    match server.engine {
        Engine::Sqlite => Err(OperationError::Input(
            "SQLite has no server to list databases from: add each file as a profile".into(),
        )),
        Engine::Postgres if url.database.is_empty() => {
            url.database = "postgres".into();
            Ok(url)
        }
        _ => Ok(url),
    }
}

async fn database_names(
    c: &mut Connection,
    engine: Engine,
) -> Result<Vec<String>, stratum_db::DbError> {
    let sql = match engine {
        Engine::Postgres => {
            "SELECT datname::text FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 1"
        }
        _ => "SELECT CAST(schema_name AS CHAR) FROM information_schema.schemata ORDER BY 1",
    };
    Ok(c.query_strings(sql)
        .await
        .map_err(|e| stratum_db::DbError::query("listing the server's databases", e))?
        .into_iter()
        .filter(|n| engine != Engine::MySql || !MYSQL_SYSTEM.contains(&n.as_str()))
        .collect())
}

async fn read_rows(c: &mut Connection, vt: &VersionTable) -> Result<Option<Vec<String>>, String> {
    if !c
        .version_table_exists(vt)
        .await
        .map_err(|e| e.to_string())?
    {
        return Ok(None);
    }
    c.version_rows(vt)
        .await
        .map(Some)
        .map_err(|e| e.to_string())
}

/// A MySQL database's version rows, read on the server's connection by qualified name.
async fn read_mysql(
    c: &mut Connection,
    database: &str,
    vt: &VersionTable,
) -> Result<Option<Vec<String>>, String> {
    let in_db = VersionTable {
        name: vt.name.clone(),
        schema: Some(vt.schema.clone().unwrap_or_else(|| database.to_string())),
    };
    read_rows(c, &in_db).await
}

/// Whether a profile's URL points at the same database as `url` (passwords aside).
fn same_database(profile_url: &str, url: &str) -> bool {
    match (DatabaseUrl::parse(profile_url), DatabaseUrl::parse(url)) {
        (Ok(a), Ok(b)) => {
            a.engine == b.engine
                && a.host.eq_ignore_ascii_case(&b.host)
                && a.port.unwrap_or(a.default_port()) == b.port.unwrap_or(b.default_port())
                && a.database == b.database
                && a.schema == b.schema
        }
        _ => false,
    }
}

fn fill_template(
    template: &str,
    database: &str,
    schema: Option<&str>,
    captured: &[String],
) -> String {
    let mut out = template
        .replace("{database}", database)
        .replace("{schema}", schema.unwrap_or(""));
    // Highest first, so `{1}` does not eat the start of `{12}`.
    for (i, c) in captured.iter().enumerate().rev() {
        out = out.replace(&format!("{{{}}}", i + 1), c);
    }
    out.trim().to_string()
}

/// A name pattern with `*` and `?`, whose wildcards' matches feed the naming rule.
#[derive(Debug)]
pub struct Pattern(Vec<Piece>);

#[derive(Debug, PartialEq)]
enum Piece {
    Literal(char),
    Any,
    One,
}

impl Pattern {
    pub fn new(raw: &str) -> Result<Pattern, OperationError> {
        if raw.trim().is_empty() {
            return Err(OperationError::Input(
                "the database pattern is empty: leave it out to list every database".into(),
            ));
        }
        Ok(Pattern(
            raw.chars()
                .map(|c| match c {
                    '*' => Piece::Any,
                    '?' => Piece::One,
                    c => Piece::Literal(c),
                })
                .collect(),
        ))
    }

    /// What each wildcard matched when `name` matches (the leftmost, shortest way for each
    /// `*`), or `None`.
    pub fn captures(&self, name: &str) -> Option<Vec<String>> {
        let chars: Vec<char> = name.chars().collect();
        let mut spans = Vec::new();
        self.step(0, &chars, 0, &mut spans).then(|| {
            spans
                .into_iter()
                .map(|(from, to)| chars[from..to].iter().collect())
                .collect()
        })
    }

    fn step(&self, p: usize, s: &[char], i: usize, spans: &mut Vec<(usize, usize)>) -> bool {
        let Some(piece) = self.0.get(p) else {
            return i == s.len();
        };
        match piece {
            Piece::Literal(c) => s.get(i) == Some(c) && self.step(p + 1, s, i + 1, spans),
            Piece::One => {
                if i >= s.len() {
                    return false;
                }
                spans.push((i, i + 1));
                if self.step(p + 1, s, i + 1, spans) {
                    return true;
                }
                spans.pop();
                false
            }
            Piece::Any => {
                for end in i..=s.len() {
                    spans.push((i, end));
                    if self.step(p + 1, s, end, spans) {
                        return true;
                    }
                    spans.pop();
                }
                false
            }
        }
    }
}

/// What adding the found databases did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Added {
    pub added: Vec<String>,
    /// Not added, and why.
    pub skipped: Vec<(String, String)>,
}

/// The settings every added profile shares.
#[derive(Debug, Clone, Default)]
pub struct AddOptions {
    pub project_dir: String,
    pub environment: String,
    pub tags: String,
    pub include_unversioned: bool,
}

/// Adds the found databases as profiles bound to one project; the server's password, when it
/// has one, goes to the keychain for each of them.
pub async fn add_found(
    store: &Store,
    secrets: &Secrets,
    found: &[Found],
    password: Option<&str>,
    opts: &AddOptions,
) -> Result<Added, OperationError> {
    Project::open(Path::new(opts.project_dir.trim()))?;
    let mut added = Added {
        added: Vec::new(),
        skipped: Vec::new(),
    };
    for f in found {
        let why_not = if let Some(e) = &f.error {
            Some(format!("could not be read: {e}"))
        } else if let Some(p) = &f.existing_profile {
            Some(format!("already the profile {p}"))
        } else if !f.versioned() && !opts.include_unversioned {
            Some("holds no version table; --include-unversioned adds it".to_string())
        } else {
            None
        };
        if let Some(why) = why_not {
            added.skipped.push((f.place(), why));
            continue;
        }
        let (profile, _) = crate::new_profile::checked_fields(
            NewProfile {
                name: f.name.clone(),
                client: f.client.clone(),
                environment: opts.environment.clone(),
                url: f.url.clone(),
                project_dir: opts.project_dir.clone(),
                tags: opts.tags.clone(),
                ..Default::default()
            },
            None,
        )?;
        let p = store.add_profile(&profile).await?;
        if let Some(pw) = password.filter(|pw| !pw.is_empty()) {
            if secrets.set(p.id, pw) == SecretStorage::Memory {
                tracing::warn!(profile = %p.name, "no keychain here: the password was not kept");
            }
        }
        added.added.push(p.name);
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_matches_whole_names_and_gives_its_wildcards_to_the_naming_rule() {
        let p = Pattern::new("erp_*_prod").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.captures("erp_acme_prod"), Some(vec!["acme".to_string()]));
        assert_eq!(p.captures("erp_acme_prod_old"), None);
        assert_eq!(p.captures("erp__prod"), Some(vec![String::new()]));
        let two = Pattern::new("t?_*").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            two.captures("t1_north_eu"),
            Some(vec!["1".to_string(), "north_eu".to_string()])
        );
        assert_eq!(
            fill_template(
                "{2} ({1}) {database}",
                "t1_north",
                None,
                &["1".into(), "north".into()]
            ),
            "north (1) t1_north"
        );
    }

    #[test]
    fn an_empty_pattern_is_refused_and_sqlite_has_no_server_to_list() {
        assert!(Pattern::new(" ").is_err());
        let url = DatabaseUrl::parse("sqlite:///tmp/x.db").unwrap_or_else(|e| panic!("{e}"));
        let said = admin_url(&url)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(said.contains("SQLite has no server"), "{said}");
    }
}
