//! `stratum check` on the seed's tenant-safety examples: the UPDATE that affects all tenants is
//! flagged and blocks; the one filtered on `tenant_id = :tenant_id` is not; an acknowledgement
//! with a reason lets it through.

use stratum_tests::{project_with, revision_file, stratum, text};

const TABLE: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, email VARCHAR(200), role VARCHAR(20));";
const BAD: &str = "UPDATE users SET role = 'admin' WHERE email = 'admin@example.com';";
const GOOD: &str = "UPDATE users SET role = 'admin'\nWHERE email = 'admin@example.com'\nAND tenant_id = :tenant_id;";

#[test]
fn the_seeds_tenant_examples_are_told_apart_and_a_blocking_finding_fails_the_check() {
    let dir = project_with(&[
        (
            "r1_users.sql",
            &revision_file("r1", "", TABLE, "DROP TABLE users;"),
        ),
        ("r2_bad.sql", &revision_file("r2", "r1", BAD, "SELECT 1;")),
        ("r3_good.sql", &revision_file("r3", "r2", GOOD, "SELECT 1;")),
    ]);
    let project = dir.path().display().to_string();
    let o = stratum(&["--project", &project, "check", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let findings: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
    let tenant: Vec<&serde_json::Value> = findings
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "missing-tenant-filter")
        .collect();
    assert_eq!(tenant.len(), 1, "{findings}");
    assert_eq!(tenant[0]["revision"], "r2");
    assert_eq!(tenant[0]["line"], 6);
    assert_eq!(tenant[0]["severity"], "blocking");
    assert!(
        tenant[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("users")),
        "{}",
        tenant[0]
    );

    // Acknowledged in the file, with a reason: reported, but no longer blocking.
    let acked = format!("-- stratum: allow missing-tenant-filter the admin account is shared by every tenant\n{BAD}");
    std::fs::write(
        dir.path().join("versions/r2_bad.sql"),
        revision_file("r2", "r1", &acked, "SELECT 1;"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = stratum(&["--project", &project, "check"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("acknowledged: the admin account is shared by every tenant"),
        "{}",
        text(&o)
    );

    // Without a reason it still blocks, and says why.
    let no_reason = format!("-- stratum: allow missing-tenant-filter\n{BAD}");
    std::fs::write(
        dir.path().join("versions/r2_bad.sql"),
        revision_file("r2", "r1", &no_reason, "SELECT 1;"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = stratum(&["--project", &project, "check", "r2"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("needs a reason"), "{}", text(&o));
}

#[test]
fn a_misspelt_rule_in_stratum_toml_is_an_error() {
    let dir = project_with(&[(
        "r1.sql",
        &revision_file("r1", "", TABLE, "DROP TABLE users;"),
    )]);
    std::fs::write(
        dir.path().join("stratum.toml"),
        "[project]\nversions = \"versions\"\n\n[checks]\nwarn = [\"drop-tabel\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = stratum(&["--project", &dir.path().display().to_string(), "check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("drop-tabel"), "{}", text(&o));
}
