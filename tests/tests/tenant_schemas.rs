//! Schema-per-tenant on PostgreSQL: one database, a schema per client. A profile names its
//! tenant's schema (`?schema=`); its version table lives there and its revisions run with that
//! schema first on the search path, so the same project upgrades every tenant in its own
//! schema, found with `stratum profile discover --schemas` and upgraded in one batch. Backups,
//! restores, status and the schema explorer each keep to the tenant's schema.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;
use stratum_db::{Connection, DatabaseUrl, Engine};
use stratum_tests::{admin, rt, sample_project, server_available, stratum_bin, text, PG_ADMIN};

const TENANTS: usize = 20;

/// A database of the test's own, dropped after it, passing or failing.
struct Database(String);

impl Database {
    fn new(label: &str) -> Database {
        let name = format!("st{}_{label}", std::process::id());
        admin(PG_ADMIN, &format!("DROP DATABASE IF EXISTS \"{name}\""));
        admin(PG_ADMIN, &format!("CREATE DATABASE \"{name}\""));
        Database(name)
    }

    fn url(&self) -> String {
        format!("postgresql://postgres@127.0.0.1:5432/{}", self.0)
    }

    fn tenant(&self, schema: &str) -> String {
        format!("{}?schema={schema}", self.url())
    }

    fn run(&self, sql: &str) {
        admin(&self.url(), sql);
    }

    fn query(&self, sql: &str) -> Vec<String> {
        rt().block_on(async {
            let url = DatabaseUrl::parse(&self.url()).unwrap_or_else(|e| panic!("{e}"));
            let mut c = Connection::connect(&url, Duration::from_secs(10))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let rows = c
                .query_strings(sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            c.close().await;
            rows
        })
    }

    fn version_rows(&self, schema: &str) -> Vec<String> {
        self.query(&format!(
            "SELECT version_num::text FROM \"{schema}\".alembic_version ORDER BY 1"
        ))
    }

    fn tables(&self, schema: &str) -> Vec<String> {
        self.query(&format!(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = '{schema}' ORDER BY 1"
        ))
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        admin(
            PG_ADMIN,
            &format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.0),
        );
    }
}

fn stratum(data: &Path, args: &[&str]) -> Output {
    Command::new(stratum_bin())
        .arg("--data-dir")
        .arg(data)
        .arg("--project")
        .arg(sample_project())
        .args(args)
        .env_remove("STRATUM_DATABASE_URL")
        .env_remove("STRATUM_PROJECT")
        .output()
        .unwrap_or_else(|e| panic!("stratum: {e}"))
}

fn ok(out: Output) -> String {
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    said
}

fn json(out: Output) -> Value {
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {said}"))
}

fn tenant(i: usize) -> String {
    format!("tenant_{i:02}")
}

#[test]
fn twenty_tenant_schemas_are_found_upgraded_in_one_batch_and_each_kept_to_its_own_schema() {
    if !server_available(Engine::Postgres) {
        return;
    }
    let db = Database::new("tenants");
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // The shared schema holds a version table of another application: no tenant's run may
    // read or change it.
    db.run("CREATE TABLE public.alembic_version (version_num VARCHAR(32) PRIMARY KEY)");
    db.run("INSERT INTO public.alembic_version VALUES ('other_app_1')");
    db.run("CREATE SCHEMA reporting");
    for i in 1..=TENANTS {
        db.run(&format!("CREATE SCHEMA {}", tenant(i)));
    }
    // Eighteen tenants already at 003, each upgraded on its own URL; two not migrated yet.
    for i in 1..=TENANTS - 2 {
        let url = db.tenant(&tenant(i));
        ok(stratum(data.path(), &["--url", &url, "upgrade", "003"]));
    }
    assert_eq!(db.version_rows(&tenant(1)), ["003"]);
    assert_eq!(db.version_rows("public"), ["other_app_1"]);
    assert!(
        db.tables("public") == ["alembic_version"],
        "nothing of a tenant's landed in public: {:?}",
        db.tables("public")
    );

    // Found from the server, a profile per schema matching the pattern, named by a rule.
    let listing = ok(stratum(
        data.path(),
        &["profile", "discover", &db.url(), "--schemas", "tenant_*"],
    ));
    assert!(
        listing.contains("20 schema(s)") && listing.contains("18 with a version table, 2 without"),
        "{listing}"
    );
    assert!(
        listing.contains(&format!("{}.tenant_07", db.0)),
        "{listing}"
    );
    assert!(!listing.contains("reporting"), "{listing}");
    let found = json(stratum(
        data.path(),
        &[
            "profile",
            "discover",
            &db.url(),
            "--schemas",
            "tenant_*",
            "--name",
            "acme-{1}",
            "--client",
            "Acme",
            "--tag",
            "tenants",
            "--include-unversioned",
            "--yes",
            "--json",
        ],
    ));
    assert_eq!(
        found["added"].as_array().map(Vec::len),
        Some(TENANTS),
        "{found}"
    );
    assert!(found["found"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|f| f["url"]
            .as_str()
            .is_some_and(|u| u.contains("schema=tenant_"))));

    // One batch upgrades every tenant in its own schema.
    let said = ok(stratum(
        data.path(),
        &["upgrade", "heads", "--tag", "tenants", "--concurrency", "4"],
    ));
    assert!(said.contains("20 database(s)"), "{said}");
    for i in 1..=TENANTS {
        let schema = tenant(i);
        assert_eq!(db.version_rows(&schema), ["007"], "{schema}");
        let tables = db.tables(&schema);
        assert!(
            tables.contains(&"clients".to_string())
                && tables.contains(&"vendor_invoices".to_string()),
            "{schema}: {tables:?}"
        );
    }
    assert_eq!(db.version_rows("public"), ["other_app_1"]);
    assert_eq!(db.tables("public"), ["alembic_version"]);
    assert!(db.tables("reporting").is_empty());

    // Status per tenant.
    let status = json(stratum(
        data.path(),
        &["--json", "status", "--tag", "tenants"],
    ));
    let text_status = status.to_string();
    assert!(
        !text_status.contains("other_app_1") && text_status.matches("007").count() >= TENANTS,
        "{text_status}"
    );

    // The schema explorer shows the tenant's tables only.
    let seen = json(stratum(
        data.path(),
        &["--url", &db.tenant("tenant_05"), "--json", "schema"],
    ))
    .to_string();
    assert!(
        seen.contains("tenant_05") && !seen.contains("tenant_06"),
        "{seen}"
    );
    assert!(!seen.contains("\"public\""), "{seen}");

    // Drift compares the tenant's schema with its revisions built in a scratch schema of the
    // same name: none at first, one column added by hand found.
    let t5 = db.tenant("tenant_05");
    let same = stratum(data.path(), &["--url", &t5, "drift"]);
    assert!(same.status.success(), "{}", text(&same));
    db.run("ALTER TABLE tenant_05.clients ADD COLUMN note TEXT");
    let drifted = stratum(data.path(), &["--url", &t5, "drift"]);
    let said = text(&drifted);
    assert_eq!(drifted.status.code(), Some(1), "{said}");
    assert!(said.contains("note"), "{said}");

    // A tenant's backup is its schema; restoring it puts that schema back and leaves the
    // neighbours as they are.
    let backup = data.path().join("tenant_03.dump");
    let t3 = db.tenant("tenant_03");
    ok(stratum(
        data.path(),
        &["--url", &t3, "backup", "--out", &backup.to_string_lossy()],
    ));
    let listed = Command::new("pg_restore")
        .arg("--list")
        .arg(&backup)
        .output()
        .unwrap_or_else(|e| panic!("pg_restore: {e}"));
    let toc = String::from_utf8_lossy(&listed.stdout);
    assert!(toc.contains("tenant_03 clients"), "{toc}");
    assert!(
        !toc.contains("tenant_04") && !toc.contains("public alembic_version"),
        "{toc}"
    );
    db.run("INSERT INTO tenant_04.clients (name) VALUES ('kept')");
    db.run("DROP TABLE tenant_03.report_snapshots");
    ok(stratum(
        data.path(),
        &["--url", &t3, "restore", &backup.to_string_lossy(), "--yes"],
    ));
    assert!(db
        .tables("tenant_03")
        .contains(&"report_snapshots".to_string()));
    assert_eq!(db.version_rows("tenant_03"), ["007"]);
    assert_eq!(
        db.query("SELECT name::text FROM tenant_04.clients"),
        ["kept"],
        "the neighbour's rows survive the restore"
    );
    assert_eq!(db.version_rows("public"), ["other_app_1"]);
}

#[test]
fn a_tenant_schema_that_does_not_exist_is_refused_before_anything_runs() {
    if !server_available(Engine::Postgres) {
        return;
    }
    let db = Database::new("typo");
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = stratum(
        data.path(),
        &["--url", &db.tenant("tenant_typo"), "upgrade", "heads"],
    );
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("the schema 'tenant_typo' does not exist in the database"),
        "{said}"
    );
    assert!(db.tables("public").is_empty(), "nothing ran in public");
}

/// An Alembic project's own Alembic in a tenant's schema: its connection is given the same
/// search path (libpq's startup options), so its version table and tables land in the schema.
#[test]
fn an_alembic_project_runs_in_the_tenants_schema_too() {
    let Some(python) = stratum_tests::oracle::python() else {
        return;
    };
    if !server_available(Engine::Postgres) {
        return;
    }
    let db = Database::new("alembic");
    db.run("CREATE SCHEMA tenant_x");
    let out = Command::new(stratum_bin())
        .arg("--project")
        .arg(stratum_tests::repo().join("examples/kontali-erp-alembic"))
        .args(["--url", &db.tenant("tenant_x"), "upgrade", "heads"])
        .env("STRATUM_PYTHON", &python)
        .env_remove("STRATUM_DATABASE_URL")
        .output()
        .unwrap_or_else(|e| panic!("stratum: {e}"));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(db.version_rows("tenant_x"), ["007"]);
    assert!(db.tables("tenant_x").contains(&"clients".to_string()));
    assert!(db.tables("public").is_empty(), "{:?}", db.tables("public"));
}
