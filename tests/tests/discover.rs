//! A consultant's server full of tenant databases, found rather than typed: `stratum profile
//! discover` lists those matching a pattern with their version rows, sets the unversioned ones
//! apart, names profiles and clients by a rule, and adds them in one go, bound to one project.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use stratum_db::{Connection, DatabaseUrl, Engine};
use stratum_tests::{rt, sample_project, server_available, stratum_bin, text, MY_ADMIN, PG_ADMIN};

/// Databases made for one test, dropped after it, passing or failing.
struct Tenants {
    admin: &'static str,
    engine: Engine,
    names: Vec<String>,
}

impl Tenants {
    fn sql(&self, statements: &[String]) {
        rt().block_on(async {
            let url = DatabaseUrl::parse(self.admin).unwrap_or_else(|e| panic!("{e}"));
            let mut c = Connection::connect(&url, Duration::from_secs(10))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            for s in statements {
                c.execute(s).await.unwrap_or_else(|e| panic!("{s}: {e}"));
            }
            c.close().await;
        });
    }

    fn on_database(&self, name: &str, statements: &[&str]) {
        rt().block_on(async {
            let mut url = DatabaseUrl::parse(self.admin).unwrap_or_else(|e| panic!("{e}"));
            url.database = name.to_string();
            let mut c = Connection::connect(&url, Duration::from_secs(10))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            for s in statements {
                c.execute(s).await.unwrap_or_else(|e| panic!("{s}: {e}"));
            }
            c.close().await;
        });
    }

    /// Creates `name`, with a version table at `rows` unless `rows` is `None`.
    fn add(&mut self, name: String, rows: Option<&[&str]>) {
        let q = |n: &str| match self.engine {
            Engine::Postgres => format!("\"{n}\""),
            _ => format!("`{n}`"),
        };
        self.sql(&[format!("CREATE DATABASE {}", q(&name))]);
        self.names.push(name.clone());
        let Some(rows) = rows else { return };
        let mut statements = vec![
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
                .to_string(),
        ];
        statements.extend(
            rows.iter()
                .map(|r| format!("INSERT INTO alembic_version VALUES ('{r}')")),
        );
        match self.engine {
            // One connection for all of MySQL's: qualified names.
            Engine::MySql => self.sql(
                &statements
                    .iter()
                    .map(|s| {
                        s.replacen(
                            "TABLE alembic_version",
                            &format!("TABLE `{name}`.alembic_version"),
                            1,
                        )
                        .replacen(
                            "INTO alembic_version",
                            &format!("INTO `{name}`.alembic_version"),
                            1,
                        )
                    })
                    .collect::<Vec<_>>(),
            ),
            _ => {
                let refs: Vec<&str> = statements.iter().map(String::as_str).collect();
                self.on_database(&name, &refs)
            }
        }
    }
}

impl Drop for Tenants {
    fn drop(&mut self) {
        let drops: Vec<String> = self
            .names
            .iter()
            .map(|n| match self.engine {
                Engine::Postgres => format!("DROP DATABASE IF EXISTS \"{n}\" WITH (FORCE)"),
                _ => format!("DROP DATABASE IF EXISTS `{n}`"),
            })
            .collect();
        self.sql(&drops);
    }
}

fn stratum(data: &Path, args: &[&str]) -> (bool, String, Value) {
    let out = Command::new(stratum_bin())
        .arg("--data-dir")
        .arg(data)
        .arg("--project")
        .arg(sample_project())
        .args(args)
        .env_remove("STRATUM_DATABASE_URL")
        .env_remove("STRATUM_PROJECT")
        .output()
        .unwrap_or_else(|e| panic!("stratum: {e}"));
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.success(), text(&out), json)
}

fn profiles(data: &Path) -> Vec<Value> {
    let (ok, said, json) = stratum(data, &["profile", "list", "--json"]);
    assert!(ok, "{said}");
    json.as_array().cloned().unwrap_or_default()
}

/// 300 tenant databases on MariaDB, in three regions, some not migrated yet, one at a revision
/// the project does not have, among databases of other applications.
#[test]
fn three_hundred_mariadb_tenants_are_found_named_by_a_rule_and_added_in_one_go() {
    if !server_available(Engine::MySql) {
        return;
    }
    let prefix = format!("sd{}", std::process::id());
    let mut tenants = Tenants {
        admin: MY_ADMIN,
        engine: Engine::MySql,
        names: Vec::new(),
    };
    let regions = ["north", "south", "west"];
    for i in 0..300 {
        let name = format!("{prefix}_{}_t{i:03}", regions[i % 3]);
        let rows: Option<&[&str]> = match i {
            0..=9 => None,
            10 => Some(&["ffffffffffff"]),
            i if i % 2 == 0 => Some(&["003"]),
            _ => Some(&[]),
        };
        tenants.add(name, rows);
    }
    tenants.add(format!("{prefix}_crm"), Some(&["abc"]));
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let pattern = format!("{prefix}_*_t*");

    // Listing alone adds nothing, and says what --yes would add.
    let (ok, said, _) = stratum(
        data.path(),
        &["profile", "discover", MY_ADMIN, "--databases", &pattern],
    );
    assert!(ok, "{said}");
    assert!(
        said.contains("300 database(s)") && said.contains("290 with a version table, 10 without"),
        "{said}"
    );
    assert!(said.contains("not in the project: ffffffffffff"), "{said}");
    assert!(said.contains("--yes adds these 290 profile(s)"), "{said}");
    assert!(!said.contains("_crm"), "{said}");
    assert!(profiles(data.path()).is_empty());

    let (ok, said, json) = stratum(
        data.path(),
        &[
            "profile",
            "discover",
            MY_ADMIN,
            "--databases",
            &pattern,
            "--client",
            "{1}",
            "--name",
            "{1}-{2}",
            "--environment",
            "production",
            "--tag",
            "tenants",
            "--yes",
            "--json",
        ],
    );
    assert!(ok, "{said}");
    assert_eq!(json["added"].as_array().map(Vec::len), Some(290), "{said}");
    let found = json["found"].as_array().cloned().unwrap_or_default();
    assert_eq!(found.len(), 300);
    let at_head = found
        .iter()
        .filter(|f| f["version_rows"] == serde_json::json!(["003"]))
        .count();
    assert_eq!(at_head, 144, "the even tenants from 12 on");
    let listed = profiles(data.path());
    assert_eq!(listed.len(), 290);
    let t042 = listed
        .iter()
        .find(|p| p["name"] == "north-042")
        .unwrap_or_else(|| panic!("north-042 was added: {listed:?}"));
    assert_eq!(t042["client"], "north");
    assert_eq!(t042["environment"], "production");
    assert_eq!(t042["tags"], serde_json::json!(["tenants"]));
    assert!(
        t042["database"]
            .as_str()
            .is_some_and(|d| d.ends_with(&format!("/{prefix}_north_t042"))),
        "{t042}"
    );

    // Again, with the tenants not migrated yet: only those are new.
    let (ok, said, json) = stratum(
        data.path(),
        &[
            "profile",
            "discover",
            MY_ADMIN,
            "--databases",
            &pattern,
            "--client",
            "{1}",
            "--include-unversioned",
            "--yes",
            "--json",
        ],
    );
    assert!(ok, "{said}");
    assert_eq!(json["added"].as_array().map(Vec::len), Some(10), "{said}");
    assert_eq!(profiles(data.path()).len(), 300);

    // The fleet reads them all.
    let (_, said, json) = stratum(data.path(), &["status", "--group", "north", "--json"]);
    let rows = json["profiles"]
        .as_array()
        .or_else(|| json.as_array())
        .map(Vec::len)
        .unwrap_or(0);
    assert_eq!(rows, 100, "{said}");
}

/// On PostgreSQL each database is read on its own connection, several at a time; a server is
/// also reached through an existing profile's name.
#[test]
fn postgresql_tenants_are_found_from_a_server_url_or_a_profile() {
    if !server_available(Engine::Postgres) {
        return;
    }
    let prefix = format!("sd{}", std::process::id());
    let mut tenants = Tenants {
        admin: PG_ADMIN,
        engine: Engine::Postgres,
        names: Vec::new(),
    };
    for i in 0..25 {
        let rows: Option<&[&str]> = if i < 3 { None } else { Some(&["003"]) };
        tenants.add(format!("{prefix}_acme_{i:02}"), rows);
    }
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let server = "postgresql://postgres@127.0.0.1:5432/";
    let pattern = format!("{prefix}_*_??");
    let (ok, said, json) = stratum(
        data.path(),
        &[
            "profile",
            "discover",
            server,
            "--databases",
            &pattern,
            "--client",
            "{1}",
            "--yes",
            "--json",
        ],
    );
    assert!(ok, "{said}");
    assert_eq!(json["added"].as_array().map(Vec::len), Some(22), "{said}");
    let skipped = json["skipped"].as_array().cloned().unwrap_or_default();
    assert_eq!(skipped.len(), 3, "{said}");
    assert!(said.contains("holds no version table"), "{said}");

    // From the name of a profile on that server: what has a profile is said, not added twice.
    let name = format!("{prefix}_acme_10");
    let (ok, said, json) = stratum(
        data.path(),
        &[
            "profile",
            "discover",
            &name,
            "--databases",
            &pattern,
            "--yes",
            "--json",
        ],
    );
    assert!(ok, "{said}");
    assert_eq!(json["added"].as_array().map(Vec::len), Some(0), "{said}");
    assert!(said.contains("already the profile"), "{said}");
    assert_eq!(profiles(data.path()).len(), 22);

    // A server that is not there: a clear message, nothing added.
    let (ok, said, _) = stratum(
        data.path(),
        &[
            "profile",
            "discover",
            "postgresql://postgres@127.0.0.1:1/",
            "--yes",
        ],
    );
    assert!(!ok && said.contains("127.0.0.1:1"), "{said}");
    assert_eq!(profiles(data.path()).len(), 22);
}
