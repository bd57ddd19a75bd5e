#![allow(clippy::unwrap_used)]

use std::path::Path;

use stratum_project::{ChecksSection, Dialect, RevisionFile, Statement};

use crate::{check_revision, unknown_rules, Finding, RevisionSql, Severity, RULES};

const ALL: [Dialect; 3] = [Dialect::Postgres, Dialect::MySql, Dialect::Sqlite];

/// A revision file whose upgrade body starts on line 6.
fn file(up: &str, down: &str) -> String {
    format!(
        "-- revision: a1b2c3\n-- down_revision:\n-- message: test\n\n-- migrate:up\n{up}\n\n-- migrate:down\n{down}\n"
    )
}

/// Reads `text` the way the project does, then checks it.
fn check_text(text: &str, dialect: Dialect, config: &ChecksSection) -> Vec<Finding> {
    let path = Path::new("versions/a1b2c3_test.sql");
    let rf = RevisionFile::parse(path, text).unwrap();
    let up = rf.statements(true, dialect).unwrap();
    let down = rf.statements(false, dialect).unwrap();
    let has_down = rf.body(false, dialect).is_some();
    check_revision(
        &RevisionSql {
            revision: rf.id(),
            file: path,
            text,
            dialect,
            up: &up,
            down: has_down.then_some(&down[..]),
        },
        config,
    )
}

fn check_up(up: &str, dialect: Dialect) -> Vec<Finding> {
    check_text(&file(up, "SELECT 1;"), dialect, &ChecksSection::default())
}

fn rules(up: &str, dialect: Dialect) -> Vec<&'static str> {
    check_up(up, dialect).iter().map(|f| f.rule).collect()
}

/// Asserts that every statement of `up` is read by the parser (so that no finding means the
/// rules looked and found nothing) and that nothing is found.
fn assert_clean(up: &str, dialect: Dialect) {
    for stmt in stratum_project::split(up, dialect).unwrap() {
        assert!(
            crate::parse::parse(&stmt.sql, dialect).is_some(),
            "{dialect:?} cannot parse: {}",
            stmt.sql
        );
    }
    let found = check_up(up, dialect);
    assert!(found.is_empty(), "{dialect:?}: {up}: {found:#?}");
}

fn down_rules(down: &str, dialect: Dialect) -> Vec<&'static str> {
    check_text(&file("SELECT 1;", down), dialect, &ChecksSection::default())
        .iter()
        .map(|f| f.rule)
        .collect()
}

fn config(disable: &[&str], warn: &[&str], block: &[&str]) -> ChecksSection {
    let v = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect();
    ChecksSection {
        disable: v(disable),
        warn: v(warn),
        block: v(block),
        ..ChecksSection::default()
    }
}

// ---- drop-table --------------------------------------------------------------------------

#[test]
fn dropping_a_table_blocks_on_every_engine() {
    for d in ALL {
        let found = check_up("DROP TABLE invoices;", d);
        assert_eq!(found.len(), 1, "{d:?}: {found:#?}");
        let f = &found[0];
        assert_eq!(
            (f.rule, f.severity, f.line),
            ("drop-table", Severity::Blocking, 6)
        );
        assert_eq!(
            f.message,
            "DROP TABLE invoices deletes the table and all its rows"
        );
        assert!(f.why.contains("backup"));
        assert!(f.blocks());
        assert_eq!(f.revision, "a1b2c3");
        assert_eq!(f.file, "versions/a1b2c3_test.sql");
    }
    assert_eq!(
        rules("DROP TABLE IF EXISTS a, b;", Dialect::Postgres),
        ["drop-table"]
    );
}

#[test]
fn dropping_other_objects_is_not_dropping_a_table() {
    for d in ALL {
        assert_clean("DROP VIEW active_users;", d);
        assert_clean("DROP INDEX idx_users_email;", d);
        assert_clean("SELECT 'DROP TABLE users';", d);
    }
}

// ---- drop-column -------------------------------------------------------------------------

#[test]
fn dropping_a_column_blocks_and_names_it() {
    for d in ALL {
        let found = check_up("ALTER TABLE users DROP COLUMN nickname;", d);
        assert_eq!(found.len(), 1, "{d:?}: {found:#?}");
        assert_eq!(found[0].rule, "drop-column");
        assert_eq!(found[0].severity, Severity::Blocking);
        assert!(found[0].message.contains("users"));
        assert!(found[0].message.contains("nickname"));
    }
    // PostgreSQL and MySQL also take it without the COLUMN keyword.
    assert_eq!(
        rules("ALTER TABLE users DROP nickname;", Dialect::Postgres),
        ["drop-column"]
    );
}

#[test]
fn other_alterations_are_not_dropping_a_column() {
    for d in ALL {
        assert_clean("ALTER TABLE users ADD COLUMN nickname TEXT;", d);
        assert_clean("ALTER TABLE users RENAME COLUMN nick TO nickname;", d);
    }
    assert_clean(
        "ALTER TABLE users DROP CONSTRAINT users_email_key;",
        Dialect::Postgres,
    );
}

// ---- truncate ----------------------------------------------------------------------------

#[test]
fn truncating_blocks() {
    for d in [Dialect::Postgres, Dialect::MySql] {
        let found = check_up("TRUNCATE TABLE audit_log;", d);
        assert_eq!(found.len(), 1, "{d:?}: {found:#?}");
        assert_eq!(found[0].rule, "truncate");
        assert_eq!(found[0].severity, Severity::Blocking);
        assert!(found[0].message.contains("audit_log"));
    }
    assert_eq!(
        rules("TRUNCATE audit_log;", Dialect::Postgres),
        ["truncate"]
    );
}

#[test]
fn deleting_everything_is_delete_without_where_not_truncate() {
    for d in ALL {
        assert_eq!(
            rules("DELETE FROM audit_log;", d),
            ["delete-without-where"],
            "{d:?}"
        );
        assert_clean("DELETE FROM audit_log WHERE tenant_id = 1;", d);
    }
}

// ---- update-without-where / delete-without-where -------------------------------------------

#[test]
fn update_and_delete_without_where_block() {
    for d in ALL {
        let found = check_up("UPDATE users SET active = TRUE;", d);
        assert_eq!(found.len(), 1, "{d:?}: {found:#?}");
        assert_eq!(found[0].rule, "update-without-where");
        assert_eq!(found[0].severity, Severity::Blocking);
        assert!(found[0]
            .message
            .starts_with("UPDATE users has no WHERE clause"));
        let found = check_up("DELETE FROM sessions;", d);
        assert_eq!(found[0].rule, "delete-without-where");
        assert!(found[0].message.contains("sessions"));
    }
}

#[test]
fn update_and_delete_with_a_tenant_where_pass() {
    for d in ALL {
        assert_clean("UPDATE users SET active = TRUE WHERE tenant_id = 7;", d);
        assert_clean("DELETE FROM sessions WHERE client_id = 7 AND expired;", d);
    }
}

#[test]
fn data_changes_are_checked_in_the_downgrade_too() {
    for d in ALL {
        assert_eq!(
            down_rules("DELETE FROM roles;", d),
            ["delete-without-where"]
        );
        assert_eq!(
            down_rules("UPDATE roles SET name = 'x' WHERE id = 1;", d),
            ["missing-tenant-filter"]
        );
    }
}

// ---- missing-tenant-filter ---------------------------------------------------------------

const SEED_BAD: &str = "UPDATE users SET role = 'admin' WHERE email = 'admin@example.com';";
const SEED_GOOD: &str =
    "UPDATE users SET role = 'admin' WHERE email = 'admin@example.com' AND tenant_id = :tenant_id;";

#[test]
fn the_seed_update_without_a_tenant_is_flagged() {
    for d in ALL {
        let found = check_up(SEED_BAD, d);
        assert_eq!(found.len(), 1, "{d:?}: {found:#?}");
        let f = &found[0];
        assert_eq!(f.rule, "missing-tenant-filter");
        assert_eq!(f.severity, Severity::Blocking);
        assert_eq!(
            f.message,
            "UPDATE users filters on none of the tenant columns (tenant_id, client_id)"
        );
        assert!(f.blocks());
    }
}

#[test]
fn the_seed_update_with_a_tenant_placeholder_passes() {
    for d in ALL {
        assert_clean(SEED_GOOD, d);
    }
}

#[test]
fn tenant_conditions_count_however_they_are_written() {
    let cases = [
        "DELETE FROM users WHERE tenant_id IN (SELECT id FROM tenants WHERE closed)",
        "UPDATE users u SET role = 'x' WHERE u.tenant_id = 3",
        "UPDATE users SET role = 'x' WHERE TENANT_ID = 3",
        "DELETE FROM users WHERE id = 3 OR (client_id = 2 AND id = 4)",
        "UPDATE users SET role = 'x' WHERE id IN (SELECT user_id FROM members WHERE tenant_id = 1)",
    ];
    for d in ALL {
        for sql in cases {
            assert_clean(sql, d);
        }
    }
    // A string that merely spells a tenant column is no condition on one.
    for d in ALL {
        assert_eq!(
            rules("DELETE FROM users WHERE note = 'tenant_id';", d),
            ["missing-tenant-filter"],
            "{d:?}"
        );
    }
}

#[test]
fn other_bind_parameter_styles_parse() {
    assert_clean(
        "UPDATE users SET role = 'x' WHERE tenant_id = $1;",
        Dialect::Postgres,
    );
    for d in [Dialect::MySql, Dialect::Sqlite] {
        assert_clean("UPDATE users SET role = 'x' WHERE tenant_id = ?;", d);
    }
}

#[test]
fn a_mysql_join_condition_on_the_tenant_counts() {
    assert_clean("UPDATE users u JOIN tenants t ON t.id = u.tenant_id SET u.role = 'x' WHERE t.plan = 'free';", Dialect::MySql);
}

#[test]
fn tenant_columns_come_from_the_config() {
    let text = file("UPDATE users SET role = 'x' WHERE org_id = 1;", "SELECT 1;");
    let default = check_text(&text, Dialect::Postgres, &ChecksSection::default());
    assert_eq!(default[0].rule, "missing-tenant-filter");
    let org = ChecksSection {
        tenant_columns: vec!["ORG_ID".into()],
        ..ChecksSection::default()
    };
    assert!(check_text(&text, Dialect::Postgres, &org).is_empty());
}

// ---- table-without-tenant ----------------------------------------------------------------

#[test]
fn a_new_table_without_a_tenant_column_warns() {
    for d in ALL {
        let found = check_up("CREATE TABLE audit_log (id INT PRIMARY KEY, body TEXT);", d);
        assert_eq!(found.len(), 1, "{d:?}: {found:#?}");
        assert_eq!(found[0].rule, "table-without-tenant");
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(!found[0].blocks());
        assert!(found[0].message.contains("audit_log"));
    }
}

#[test]
fn the_tenant_table_itself_is_not_flagged() {
    const CLIENTS: &str = "CREATE TABLE clients (id INT PRIMARY KEY, name VARCHAR(100));";
    for d in ALL {
        // Known because a tenant column references it...
        let by_reference = check_up(
            &format!("{CLIENTS}\nCREATE TABLE users (id INT PRIMARY KEY, client_id INT NOT NULL, CONSTRAINT fk_users_client FOREIGN KEY (client_id) REFERENCES clients (id));"),
            d,
        );
        assert_eq!(by_reference, Vec::new(), "{d:?}");
        let inline = check_up(
            &format!("{CLIENTS}\nCREATE TABLE users (id INT PRIMARY KEY, client_id INT REFERENCES clients (id));"),
            d,
        );
        assert_eq!(inline, Vec::new(), "{d:?}");
        // ...or because the project says so.
        let config = ChecksSection {
            tenant_table: Some("Clients".into()),
            ..ChecksSection::default()
        };
        assert_eq!(
            check_text(&file(CLIENTS, "DROP TABLE clients;"), d, &config)
                .iter()
                .filter(|f| f.rule == "table-without-tenant")
                .count(),
            0,
            "{d:?}"
        );
        // Another table without a tenant column still is.
        assert_eq!(check_up(CLIENTS, d).len(), 1, "{d:?}");
    }
}

#[test]
fn a_new_table_with_a_tenant_column_or_the_version_table_passes() {
    for d in ALL {
        assert_clean("CREATE TABLE notes (id INT, Tenant_Id INT NOT NULL);", d);
        assert_clean("CREATE TABLE alembic_version (version_num VARCHAR(32));", d);
    }
}

// ---- index-not-concurrent ----------------------------------------------------------------

#[test]
fn a_plain_index_on_postgres_warns() {
    let found = check_up(
        "CREATE INDEX idx_users_email ON users (email);",
        Dialect::Postgres,
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].rule, "index-not-concurrent");
    assert_eq!(found[0].severity, Severity::Warning);
    assert!(found[0].message.contains("idx_users_email"));
    assert!(found[0].message.contains("users"));
    assert_eq!(
        rules("CREATE UNIQUE INDEX u ON users (email);", Dialect::Postgres),
        ["index-not-concurrent"]
    );
}

#[test]
fn concurrent_indexes_other_engines_and_new_tables_pass() {
    assert_clean(
        "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);",
        Dialect::Postgres,
    );
    for d in [Dialect::MySql, Dialect::Sqlite] {
        assert_clean("CREATE INDEX idx_users_email ON users (email);", d);
    }
    let new_table = "CREATE TABLE notes (id INT, tenant_id INT);\nCREATE INDEX idx_notes ON public.notes (tenant_id);";
    assert_clean(new_table, Dialect::Postgres);
    // Only a table created *before* the index is known to be empty.
    let later =
        "CREATE INDEX idx_notes ON notes (tenant_id);\nCREATE TABLE notes (id INT, tenant_id INT);";
    assert_eq!(rules(later, Dialect::Postgres), ["index-not-concurrent"]);
}

// ---- cascade-delete ----------------------------------------------------------------------

#[test]
fn on_delete_cascade_warns_wherever_it_is_declared() {
    let column = "CREATE TABLE orders (id INT, tenant_id INT, customer_id INT REFERENCES customers (id) ON DELETE CASCADE);";
    let table = "CREATE TABLE orders (id INT, tenant_id INT, customer_id INT, FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE);";
    let alter = "ALTER TABLE orders ADD CONSTRAINT fk_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE;";
    for d in ALL {
        for sql in [column, table] {
            let found = check_up(sql, d);
            assert_eq!(found.len(), 1, "{d:?} {sql}: {found:#?}");
            assert_eq!(found[0].rule, "cascade-delete");
            assert_eq!(found[0].severity, Severity::Warning);
            assert!(found[0].message.contains("orders.customer_id -> customers"));
        }
    }
    for d in [Dialect::Postgres, Dialect::MySql] {
        assert_eq!(rules(alter, d), ["cascade-delete"], "{d:?}");
    }
}

#[test]
fn other_referential_actions_pass() {
    for d in ALL {
        for sql in [
            "CREATE TABLE orders (id INT, tenant_id INT, customer_id INT REFERENCES customers (id));",
            "CREATE TABLE orders (id INT, tenant_id INT, customer_id INT REFERENCES customers (id) ON DELETE SET NULL ON UPDATE CASCADE);",
        ] {
            assert_clean(sql, d);
        }
    }
}

// ---- missing-downgrade -------------------------------------------------------------------

#[test]
fn an_empty_downgrade_warns_at_its_marker() {
    for d in ALL {
        let text = file("CREATE TABLE t (tenant_id INT);", "");
        let found = check_text(&text, d, &ChecksSection::default());
        assert_eq!(found.len(), 1, "{d:?}: {found:#?}");
        assert_eq!(found[0].rule, "missing-downgrade");
        assert_eq!(found[0].severity, Severity::Warning);
        assert_eq!(found[0].line, 8);
        // Comments alone are no downgrade either.
        let text = file("CREATE TABLE t (tenant_id INT);", "-- nothing to undo");
        assert_eq!(
            check_text(&text, d, &ChecksSection::default())[0].rule,
            "missing-downgrade"
        );
    }
}

#[test]
fn the_dialects_own_downgrade_marker_is_the_one_pointed_at() {
    let text = "-- revision: a1\n-- down_revision:\n\n-- migrate:up\nCREATE TABLE t (tenant_id INT);\n\n-- migrate:down\nDROP TABLE t;\n\n-- migrate:down mysql\n";
    let found = check_text(text, Dialect::MySql, &ChecksSection::default());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0].rule, found[0].line), ("missing-downgrade", 10));
}

fn statements(sql: &[(&str, usize)]) -> Vec<Statement> {
    sql.iter()
        .map(|(s, line)| Statement {
            sql: s.to_string(),
            line: *line,
        })
        .collect()
}

#[test]
fn no_downgrade_section_warns_at_line_one() {
    let up = statements(&[("CREATE TABLE t (tenant_id INT)", 4)]);
    let text =
        "-- revision: a1\n-- down_revision:\n-- migrate:up\nCREATE TABLE t (tenant_id INT);\n";
    let rev = RevisionSql {
        revision: "a1",
        file: Path::new("a1.sql"),
        text,
        dialect: Dialect::Postgres,
        up: &up,
        down: None,
    };
    let found = check_revision(&rev, &ChecksSection::default());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0].rule, found[0].line), ("missing-downgrade", 1));
    assert!(found[0].message.contains("no downgrade section"));
}

#[test]
fn a_real_downgrade_or_an_empty_upgrade_needs_nothing() {
    for d in ALL {
        assert_clean("CREATE TABLE t (tenant_id INT);", d);
        let text = file("", "");
        assert!(check_text(&text, d, &ChecksSection::default()).is_empty());
    }
}

#[test]
fn missing_downgrade_is_acknowledged_in_the_header_or_the_downgrade_section() {
    let up = statements(&[("INSERT INTO t VALUES (1)", 5)]);
    let header = "-- revision: a1\n-- down_revision:\n-- stratum: allow missing-downgrade seed data stays\n-- migrate:up\nINSERT INTO t VALUES (1);\n";
    let rev = RevisionSql {
        revision: "a1",
        file: Path::new("a1.sql"),
        text: header,
        dialect: Dialect::Sqlite,
        up: &up,
        down: None,
    };
    let found = check_revision(&rev, &ChecksSection::default());
    assert_eq!(found[0].acknowledged.as_deref(), Some("seed data stays"));
    assert!(!found[0].blocks());

    let text = file(
        "INSERT INTO t VALUES (1);",
        "-- stratum: allow missing-downgrade the rows are harmless",
    );
    let found = check_text(&text, Dialect::Postgres, &ChecksSection::default());
    assert_eq!(found[0].rule, "missing-downgrade");
    assert_eq!(
        found[0].acknowledged.as_deref(),
        Some("the rows are harmless")
    );
    // An acknowledgement in the upgrade is about its statement, not the revision.
    let text = file(
        "-- stratum: allow missing-downgrade because\nINSERT INTO t VALUES (1);",
        "",
    );
    let found = check_text(&text, Dialect::Postgres, &ChecksSection::default());
    assert_eq!(found[0].acknowledged, None);
}

// ---- lossy-downgrade ---------------------------------------------------------------------

#[test]
fn a_downgrade_dropping_the_tables_its_upgrade_created_is_one_finding() {
    for d in ALL {
        let found = check_text(
            &file(
                "CREATE TABLE a (id INT, tenant_id INT);\nCREATE TABLE b (id INT, tenant_id INT);",
                "DROP TABLE b;\nDROP TABLE a;\nDROP TABLE older;",
            ),
            d,
            &ChecksSection::default(),
        );
        let rules: Vec<(&str, &str)> = found.iter().map(|f| (f.rule, f.message.as_str())).collect();
        assert_eq!(
            rules,
            [
                ("lossy-downgrade", "the downgrade drops the 2 tables this revision creates (b, a), with the rows written to them since"),
                ("lossy-downgrade", "the downgrade drops table older and the data in it"),
            ],
            "{d:?}"
        );
    }
}

#[test]
fn a_downgrade_dropping_data_warns() {
    for d in ALL {
        let found = check_text(
            &file(
                "CREATE TABLE notes (id INT, tenant_id INT);",
                "DROP TABLE notes;",
            ),
            d,
            &ChecksSection::default(),
        );
        assert_eq!(found.len(), 1, "{d:?}: {found:#?}");
        assert_eq!(
            (found[0].rule, found[0].severity, found[0].line),
            ("lossy-downgrade", Severity::Warning, 9)
        );
        assert!(found[0].message.contains("notes"));
        assert_eq!(
            down_rules("ALTER TABLE users DROP COLUMN nickname;", d),
            ["lossy-downgrade"]
        );
    }
}

#[test]
fn a_downgrade_that_keeps_data_passes_and_drop_rules_stay_in_the_upgrade() {
    for d in ALL {
        assert!(crate::parse::parse("ALTER TABLE users ADD COLUMN nickname TEXT", d).is_some());
        assert!(down_rules("ALTER TABLE users ADD COLUMN nickname TEXT;", d).is_empty());
        assert!(down_rules("CREATE TABLE t (id INT);", d).is_empty());
        assert!(down_rules("DROP INDEX idx;", d).is_empty());
    }
}

// ---- acknowledgements --------------------------------------------------------------------

#[test]
fn an_acknowledgement_with_a_reason_stops_blocking() {
    let up = "-- stratum: allow drop-table replaced by invoices_v2 in 041, nothing reads it\nDROP TABLE invoices;";
    for d in ALL {
        let found = check_up(up, d);
        assert_eq!(found.len(), 1, "{d:?}: {found:#?}");
        assert_eq!(found[0].line, 7);
        assert_eq!(
            found[0].acknowledged.as_deref(),
            Some("replaced by invoices_v2 in 041, nothing reads it")
        );
        assert_eq!(found[0].severity, Severity::Blocking);
        assert!(!found[0].blocks());
        assert!(!found[0].message.contains("needs a reason"));
    }
}

#[test]
fn an_acknowledgement_without_a_reason_still_blocks() {
    for up in [
        "-- stratum: allow drop-table\nDROP TABLE invoices;",
        "DROP TABLE invoices; -- stratum: allow drop-table",
    ] {
        let found = check_up(up, Dialect::Postgres);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].acknowledged, None);
        assert!(found[0].blocks());
        assert!(
            found[0]
                .message
                .ends_with(" (the acknowledgement needs a reason)"),
            "{}",
            found[0].message
        );
    }
}

#[test]
fn acknowledgements_list_several_rules_and_may_share_the_line() {
    let up = "-- stratum: allow drop-table, truncate both are scratch tables\nTRUNCATE scratch;\nDROP TABLE scratch; -- stratum: allow drop-table: scratch only";
    let found = check_up(up, Dialect::Postgres);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(
        (found[0].rule, found[0].acknowledged.as_deref()),
        ("truncate", Some("both are scratch tables"))
    );
    assert_eq!(
        (found[1].rule, found[1].acknowledged.as_deref()),
        ("drop-table", Some("scratch only"))
    );
}

#[test]
fn an_acknowledgement_covers_only_the_rules_it_names_and_its_own_statement() {
    let up = "-- stratum: allow truncate not this one\nDROP TABLE a;\nDROP TABLE b;";
    let found = check_up(up, Dialect::Postgres);
    assert!(found.iter().all(|f| f.acknowledged.is_none() && f.blocks()));
    // A blank line ends the comments that belong to a statement.
    let up = "-- stratum: allow drop-table old news\n\nDROP TABLE a;";
    let found = check_up(up, Dialect::Postgres);
    assert_eq!(found[0].acknowledged, None);
    // Contiguous comments above it all belong to it.
    let up = "-- stratum: allow drop-table replaced by b\n-- (see ticket 42)\nDROP TABLE a;";
    let found = check_up(up, Dialect::MySql);
    assert_eq!(found[0].acknowledged.as_deref(), Some("replaced by b"));
}

#[test]
fn a_comment_after_a_statement_on_its_line_is_that_statements() {
    let up = "DROP TABLE a; -- stratum: allow drop-table a is unused\nDROP TABLE b;";
    for d in ALL {
        let found = check_up(up, d);
        let got: Vec<(usize, Option<&str>)> = found
            .iter()
            .map(|f| (f.line, f.acknowledged.as_deref()))
            .collect();
        assert_eq!(got, [(6, Some("a is unused")), (7, None)], "{d:?}");
    }
}

#[test]
fn acknowledgements_in_the_statement_text_count_when_its_line_points_at_them() {
    // Some callers give the line where the statement's text (its comments) starts.
    let up = statements(&[(
        "-- stratum: allow delete-without-where the table is a cache\nDELETE FROM cache",
        3,
    )]);
    let down = statements(&[("SELECT 1", 6)]);
    let text = "-- revision: a1\n-- migrate:up\n-- stratum: allow delete-without-where the table is a cache\nDELETE FROM cache;\n-- migrate:down\nSELECT 1;\n";
    let rev = RevisionSql {
        revision: "a1",
        file: Path::new("a1.sql"),
        text,
        dialect: Dialect::Postgres,
        up: &up,
        down: Some(&down),
    };
    let found = check_revision(&rev, &ChecksSection::default());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].line, 3);
    assert_eq!(
        found[0].acknowledged.as_deref(),
        Some("the table is a cache")
    );
    // And when the file text is not where the comment is, the statement's own text still is.
    let rev = RevisionSql { text: "", ..rev };
    let found = check_revision(&rev, &ChecksSection::default());
    assert_eq!(
        found[0].acknowledged.as_deref(),
        Some("the table is a cache")
    );
}

// ---- configuration -----------------------------------------------------------------------

#[test]
fn config_disables_demotes_and_promotes_rules() {
    let text = file(
        "DROP TABLE a;\nCREATE TABLE b (id INT);\nUPDATE c SET x = 1;",
        "SELECT 1;",
    );
    let d = Dialect::Postgres;
    let default = check_text(&text, d, &ChecksSection::default());
    let got = |f: &[Finding]| f.iter().map(|f| (f.rule, f.severity)).collect::<Vec<_>>();
    assert_eq!(
        got(&default),
        [
            ("drop-table", Severity::Blocking),
            ("table-without-tenant", Severity::Warning),
            ("update-without-where", Severity::Blocking),
        ]
    );
    let custom = config(
        &["update-without-where"],
        &["drop-table"],
        &["table-without-tenant"],
    );
    let found = check_text(&text, d, &custom);
    assert_eq!(
        got(&found),
        [
            ("drop-table", Severity::Warning),
            ("table-without-tenant", Severity::Blocking),
        ]
    );
    assert!(!found[0].blocks());
    assert!(found[1].blocks());
    // Listed under both, a rule blocks.
    let both = config(&[], &["drop-table"], &["drop-table"]);
    assert_eq!(check_text(&text, d, &both)[0].severity, Severity::Blocking);
}

#[test]
fn unknown_rule_ids_in_the_config_are_reported_once() {
    let c = config(&["drop-tables", "truncate"], &["nope"], &["drop-tables"]);
    assert_eq!(unknown_rules(&c), ["drop-tables", "nope"]);
    assert!(unknown_rules(&ChecksSection::default()).is_empty());
}

#[test]
fn the_rule_table_lists_every_rule_once() {
    let ids: Vec<&str> = RULES.iter().map(|(id, _, _)| *id).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(ids.len(), unique.len());
    assert_eq!(ids.len(), 12);
    for (id, _, description) in RULES {
        assert!(id.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
        assert!(!description.is_empty());
    }
}

// ---- what the parser cannot read ----------------------------------------------------------

#[test]
fn a_plpgsql_function_is_no_finding_and_no_panic() {
    let up = "CREATE OR REPLACE FUNCTION purge() RETURNS trigger AS $$\nBEGIN\n  DELETE FROM audit_log;\n  DROP TABLE scratch;\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\nDROP TABLE old_things;";
    let found = check_up(up, Dialect::Postgres);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0].rule, found[0].line), ("drop-table", 13));
}

#[test]
fn a_mysql_trigger_is_no_finding_and_no_panic() {
    let up = "CREATE TRIGGER users_bu BEFORE UPDATE ON users FOR EACH ROW\nBEGIN\n  DELETE FROM cache;\n  UPDATE stats SET n = n + 1;\nEND;\nDELIMITER //\nCREATE PROCEDURE wipe()\nBEGIN\n  TRUNCATE TABLE t;\nEND//\nDELIMITER ;\nTRUNCATE TABLE real_one;";
    let found = check_up(up, Dialect::MySql);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0].rule, found[0].line), ("truncate", 17));
}

#[test]
fn garbage_is_no_finding_and_no_panic() {
    for d in ALL {
        for sql in [
            "THIS IS NOT SQL AT ALL;",
            "DROP TABLE;",
            "UPDATE SET WHERE;",
            "SELECT ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))));",
        ] {
            assert!(rules(sql, d).is_empty(), "{d:?}: {sql}");
        }
    }
}

// ---- lines and order ----------------------------------------------------------------------

#[test]
fn findings_carry_their_statement_lines_in_order() {
    let up = "CREATE TABLE notes (\n  id INT,\n  tenant_id INT\n);\n\nDELETE FROM notes;\n-- a comment\nUPDATE notes SET id = 2 WHERE id = 1;\nDROP TABLE old;";
    let found = check_up(up, Dialect::Postgres);
    let got: Vec<(usize, &str)> = found.iter().map(|f| (f.line, f.rule)).collect();
    assert_eq!(
        got,
        [
            (11, "delete-without-where"),
            (13, "missing-tenant-filter"),
            (14, "drop-table"),
        ]
    );
    // Several findings on one statement are ordered by rule.
    let found = check_up(
        "CREATE TABLE a (id INT, b_id INT REFERENCES b (id) ON DELETE CASCADE);",
        Dialect::Sqlite,
    );
    let got: Vec<&str> = found.iter().map(|f| f.rule).collect();
    assert_eq!(got, ["cascade-delete", "table-without-tenant"]);
}

#[test]
fn findings_serialize_with_lowercase_severities() {
    let found = check_up("DROP TABLE a;", Dialect::Postgres);
    let json = serde_json::to_value(&found[0]).unwrap();
    assert_eq!(json["severity"], "blocking");
    assert_eq!(json["rule"], "drop-table");
    assert_eq!(json["line"], 6);
    assert!(json["acknowledged"].is_null());
}

// ---- placeholders -------------------------------------------------------------------------

#[test]
fn named_parameters_are_replaced_only_outside_quotes_and_casts() {
    use crate::parse::replace_named_parameters as r;
    assert_eq!(
        r(
            "WHERE a = :a AND b::text = ':b' AND c = $$:c$$",
            Dialect::Postgres
        )
        .as_deref(),
        Some("WHERE a = 0 AND b::text = ':b' AND c = $$:c$$")
    );
    assert_eq!(r("SELECT x::int -- :y", Dialect::Postgres), None);
    assert_eq!(r("SET @a := 1", Dialect::MySql), None);
    assert_eq!(
        r("WHERE `:a` = :b", Dialect::MySql).as_deref(),
        Some("WHERE `:a` = 0")
    );
}
