//! Introspection against each engine's own catalog: the sample project's schema, and a
//! hand-written schema using every object kind, on real PostgreSQL, MariaDB and SQLite.

use stratum_db::{Engine, Operation, RunOptions};
use stratum_project::Project;
use stratum_schema::{introspect, Schema};
use stratum_tests::{rt, sample_project, server_available, ScratchDb};

const ENGINES: [Engine; 3] = [Engine::Postgres, Engine::MySql, Engine::Sqlite];

fn read(db: &ScratchDb) -> Schema {
    rt().block_on(async {
        let mut conn = db.connect().await;
        let s = introspect(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        conn.close().await;
        s
    })
}

fn exec(db: &ScratchDb, sql: &str) {
    rt().block_on(async {
        let mut conn = db.connect().await;
        conn.execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        conn.close().await;
    });
}

fn count(db: &ScratchDb, sql: &str) -> usize {
    db.query(sql)
        .first()
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX)
}

/// (tables, columns, foreign keys, indexes) as the engine's own catalog counts them, less
/// Stratum's journal, which the schema reader leaves out as bookkeeping.
fn catalog_counts(db: &ScratchDb) -> (usize, usize, usize, usize) {
    match db.engine {
        Engine::Postgres => (
            count(db, "SELECT count(*)::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'stratum_journal'"),
            count(db, "SELECT count(*)::text FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name) WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name <> 'stratum_journal'"),
            count(db, "SELECT count(*)::text FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace"),
            count(db, "SELECT count(*)::text FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'stratum_journal'"),
        ),
        Engine::MySql => (
            count(db, "SELECT CAST(COUNT(*) AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name <> 'stratum_journal'"),
            count(db, "SELECT CAST(COUNT(*) AS CHAR) FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name WHERE c.table_schema = DATABASE() AND t.table_type = 'BASE TABLE' AND c.table_name <> 'stratum_journal'"),
            count(db, "SELECT CAST(COUNT(*) AS CHAR) FROM information_schema.referential_constraints WHERE constraint_schema = DATABASE()"),
            count(db, "SELECT CAST(COUNT(DISTINCT table_name, index_name) AS CHAR) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name <> 'stratum_journal'"),
        ),
        Engine::Sqlite => (
            count(db, "SELECT CAST(count(*) AS TEXT) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'stratum_journal'"),
            count(db, "SELECT CAST(count(*) AS TEXT) FROM sqlite_master m JOIN pragma_table_info(m.name) WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'stratum_journal'"),
            count(db, "SELECT CAST(count(DISTINCT m.name || '/' || f.id) AS TEXT) FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'stratum_journal'"),
            count(db, "SELECT CAST(count(*) AS TEXT) FROM sqlite_master m JOIN pragma_index_list(m.name) WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'stratum_journal'"),
        ),
    }
}

fn our_counts(s: &Schema) -> (usize, usize, usize, usize) {
    (
        s.tables.len(),
        s.tables.iter().map(|t| t.columns.len()).sum(),
        s.tables.iter().map(|t| t.foreign_keys.len()).sum(),
        s.tables.iter().map(|t| t.indexes.len()).sum(),
    )
}

#[test]
fn the_sample_project_reads_back_as_the_catalog_has_it() {
    let project = Project::open(&sample_project()).unwrap_or_else(|e| panic!("{e}"));
    for engine in ENGINES {
        if !server_available(engine) {
            continue;
        }
        let db = ScratchDb::new(engine);
        rt().block_on(async {
            let mut conn = db.connect().await;
            stratum_db::run(
                &mut conn,
                &project,
                &Operation::Upgrade("heads".into()),
                &RunOptions::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            conn.close().await;
        });
        let s = read(&db);
        assert_eq!(
            our_counts(&s),
            catalog_counts(&db),
            "{engine:?}: tables, columns, foreign keys, indexes"
        );
        let users = s
            .table("", "users")
            .unwrap_or_else(|| panic!("{engine:?}: no users table"));
        assert!(
            users.columns.iter().any(|c| c.name == "phone"),
            "{engine:?}"
        );
        assert!(
            users
                .primary_key
                .as_ref()
                .is_some_and(|k| k.columns == ["id"]),
            "{engine:?}: {:?}",
            users.primary_key
        );
        assert!(
            users
                .foreign_keys
                .iter()
                .any(|f| f.ref_table == "clients" && f.columns == ["client_id"]),
            "{engine:?}: {:?}",
            users.foreign_keys
        );
        let version = s
            .table("", "alembic_version")
            .unwrap_or_else(|| panic!("no version table"));
        assert_eq!(version.columns.len(), 1);
    }
}

#[test]
fn every_object_kind_is_read_on_postgresql() {
    if !server_available(Engine::Postgres) {
        return;
    }
    let db = ScratchDb::new(Engine::Postgres);
    exec(&db, "CREATE TYPE invoice_state AS ENUM ('draft', 'sent', 'paid');
        CREATE SEQUENCE invoice_numbers;
        CREATE TABLE clients (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, org_no text UNIQUE);
        CREATE TABLE invoices (
            client_id bigint NOT NULL, number int NOT NULL DEFAULT nextval('invoice_numbers'),
            state invoice_state NOT NULL DEFAULT 'draft', total numeric(12,2), notes text,
            PRIMARY KEY (client_id, number),
            CONSTRAINT invoices_client_fk FOREIGN KEY (client_id) REFERENCES clients (id) ON DELETE CASCADE ON UPDATE RESTRICT);
        CREATE INDEX ix_invoices_open ON invoices (client_id) WHERE state <> 'paid';
        CREATE INDEX ix_invoices_lower_notes ON invoices (lower(notes));
        CREATE INDEX ix_invoices_notes_hash ON invoices USING hash (notes);
        CREATE VIEW open_invoices AS SELECT * FROM invoices WHERE state <> 'paid';
        CREATE MATERIALIZED VIEW totals AS SELECT client_id, sum(total) AS total FROM invoices GROUP BY client_id;");
    let s = read(&db);
    assert_eq!(our_counts(&s), catalog_counts(&db));
    let clients = s
        .table("public", "clients")
        .unwrap_or_else(|| panic!("clients"));
    assert_eq!(clients.columns[0].identity.as_deref(), Some("always"));
    assert_eq!(
        clients
            .unique_keys
            .iter()
            .map(|k| k.columns.clone())
            .collect::<Vec<_>>(),
        [vec!["org_no".to_string()]]
    );
    let inv = s
        .table("public", "invoices")
        .unwrap_or_else(|| panic!("invoices"));
    assert_eq!(
        inv.primary_key.as_ref().map(|k| k.columns.clone()),
        Some(vec!["client_id".into(), "number".into()])
    );
    let fk = &inv.foreign_keys[0];
    assert_eq!(
        (
            fk.name.as_str(),
            fk.on_delete.as_str(),
            fk.on_update.as_str()
        ),
        ("invoices_client_fk", "CASCADE", "RESTRICT")
    );
    assert_eq!(fk.ref_columns, ["id"]);
    let by = |n: &str| {
        inv.indexes
            .iter()
            .find(|i| i.name == n)
            .unwrap_or_else(|| panic!("index {n}"))
    };
    assert_eq!(
        by("ix_invoices_open").predicate.as_deref(),
        Some("(state <> 'paid'::invoice_state)")
    );
    assert_eq!(by("ix_invoices_lower_notes").columns, ["lower(notes)"]);
    assert_eq!(by("ix_invoices_notes_hash").method, "hash");
    assert!(inv.columns.iter().any(|c| c.name == "state"
        && c.data_type == "invoice_state"
        && c.default.as_deref() == Some("'draft'::invoice_state")));
    assert_eq!(
        s.enums
            .iter()
            .map(|e| (e.name.as_str(), e.values.len()))
            .collect::<Vec<_>>(),
        [("invoice_state", 3)]
    );
    assert!(s.sequences.iter().any(|q| q.name == "invoice_numbers"));
    assert!(
        s.sequences.iter().any(|q| q.name == "clients_id_seq"),
        "identity sequence: {:?}",
        s.sequences
    );
    assert_eq!(
        s.views
            .iter()
            .map(|v| (v.name.as_str(), v.materialized))
            .collect::<Vec<_>>(),
        [("open_invoices", false), ("totals", true)]
    );
}

#[test]
fn every_object_kind_is_read_on_mariadb_and_sqlite() {
    for engine in [Engine::MySql, Engine::Sqlite] {
        if !server_available(engine) {
            continue;
        }
        let db = ScratchDb::new(engine);
        let auto = if engine == Engine::MySql {
            "AUTO_INCREMENT"
        } else {
            "AUTOINCREMENT"
        };
        exec(&db, &format!("CREATE TABLE clients (id INTEGER PRIMARY KEY {auto}, name VARCHAR(100) NOT NULL, org_no VARCHAR(20), UNIQUE (org_no))"));
        exec(&db, "CREATE TABLE invoices (client_id INTEGER NOT NULL, number INTEGER NOT NULL, state VARCHAR(10) NOT NULL DEFAULT 'draft', notes VARCHAR(200),
            PRIMARY KEY (client_id, number),
            CONSTRAINT invoices_client_fk FOREIGN KEY (client_id) REFERENCES clients (id) ON DELETE CASCADE ON UPDATE RESTRICT)");
        exec(
            &db,
            "CREATE INDEX ix_invoices_state ON invoices (state, client_id)",
        );
        exec(
            &db,
            "CREATE VIEW open_invoices AS SELECT * FROM invoices WHERE state <> 'paid'",
        );
        let s = read(&db);
        assert_eq!(our_counts(&s), catalog_counts(&db), "{engine:?}");
        let clients = s.table("", "clients").unwrap_or_else(|| panic!("clients"));
        assert_eq!(
            clients.columns[0].identity.as_deref(),
            Some("auto_increment"),
            "{engine:?}"
        );
        assert_eq!(
            clients.unique_keys.len(),
            1,
            "{engine:?}: {:?}",
            clients.unique_keys
        );
        let inv = s
            .table("", "invoices")
            .unwrap_or_else(|| panic!("invoices"));
        assert_eq!(
            inv.primary_key.as_ref().map(|k| k.columns.clone()),
            Some(vec!["client_id".into(), "number".into()]),
            "{engine:?}"
        );
        let fk = &inv.foreign_keys[0];
        assert_eq!(
            (fk.on_delete.as_str(), fk.on_update.as_str()),
            ("CASCADE", "RESTRICT"),
            "{engine:?}"
        );
        assert!(
            inv.indexes
                .iter()
                .any(|i| i.name == "ix_invoices_state" && i.columns == ["state", "client_id"]),
            "{engine:?}: {:?}",
            inv.indexes
        );
        assert_eq!(
            s.views.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
            ["open_invoices"],
            "{engine:?}"
        );
    }
}

#[test]
fn the_command_line_shows_the_schema_and_one_table() {
    let db = ScratchDb::new(Engine::Sqlite);
    let project = sample_project().display().to_string();
    let up = stratum_tests::stratum(&["--project", &project, "--url", &db.url, "upgrade", "heads"]);
    assert!(up.status.success(), "{}", stratum_tests::text(&up));
    let o = stratum_tests::stratum(&["--url", &db.url, "schema", "--json"]);
    assert!(o.status.success(), "{}", stratum_tests::text(&o));
    let s: Schema = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        s.tables.len(),
        db.tables().len() + 1,
        "user tables and the version table"
    );
    let o = stratum_tests::stratum(&["--url", &db.url, "schema", "users"]);
    let said = stratum_tests::text(&o);
    assert!(
        said.contains("main.users")
            && said.contains("phone")
            && said.contains("-> main.clients (id)"),
        "{said}"
    );
    let o = stratum_tests::stratum(&["--url", &db.url, "schema", "nosuch"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stratum_tests::text(&o).contains("no table 'nosuch'"));
}

fn upgraded(engine: Engine, target: &str) -> ScratchDb {
    let db = ScratchDb::new(engine);
    db.upgrade_sample(target);
    db
}

#[test]
fn drift_is_none_on_a_clean_database_and_names_a_column_added_by_hand() {
    let project = Project::open(&sample_project()).unwrap_or_else(|e| panic!("{e}"));
    for engine in ENGINES {
        if !server_available(engine) {
            continue;
        }
        let db = upgraded(engine, "heads");
        let clean = rt()
            .block_on(stratum_schema::drift(
                &db.parsed(),
                &project,
                &stratum_db::SqlRunner,
            ))
            .unwrap_or_else(|e| panic!("{engine:?}: {e}"));
        assert_eq!(clean.rows, vec!["007"]);
        assert_eq!(
            clean.differences,
            vec![],
            "{engine:?}: no drift on a clean database"
        );
        exec(&db, "ALTER TABLE users ADD COLUMN nickname VARCHAR(40)");
        exec(&db, "CREATE INDEX ix_users_email_by_hand ON users (email)");
        let drifted = rt()
            .block_on(stratum_schema::drift(
                &db.parsed(),
                &project,
                &stratum_db::SqlRunner,
            ))
            .unwrap_or_else(|e| panic!("{e}"));
        let said: Vec<&str> = drifted
            .differences
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(said.len(), 2, "{engine:?}: {said:?}");
        assert!(
            said.iter().any(|m| m.starts_with("column ")
                && m.contains("users.nickname")
                && m.contains("is in the database but not in what its revisions produce")),
            "{engine:?}: {said:?}"
        );
        assert!(
            said.iter()
                .any(|m| m.contains("index ix_users_email_by_hand")),
            "{engine:?}: {said:?}"
        );
    }
}

#[test]
fn two_databases_are_compared_object_by_object() {
    for engine in ENGINES {
        if !server_available(engine) {
            continue;
        }
        let (head, older) = (upgraded(engine, "heads"), upgraded(engine, "003"));
        let d = stratum_schema::diff(&read(&head), &read(&older), "Acme", "Globex");
        let said: Vec<&str> = d.iter().map(|x| x.message.as_str()).collect();
        assert!(
            said.iter().any(|m| m.starts_with("table ")
                && m.contains("report_snapshots is in Acme but not in Globex")),
            "{engine:?}: {said:?}"
        );
        assert!(
            said.iter().any(|m| m.contains("vendor_invoices.due_date")
                && m.contains("is in Acme but not in Globex")),
            "{engine:?}: {said:?}"
        );
        assert_eq!(
            stratum_schema::diff(&read(&head), &read(&head), "a", "b"),
            vec![]
        );
    }
}

#[test]
fn drift_diff_and_audit_from_the_command_line() {
    let db = upgraded(Engine::Sqlite, "heads");
    let older = upgraded(Engine::Sqlite, "003");
    let project = sample_project().display().to_string();
    let run = |args: &[&str]| {
        let mut all = vec!["--project", project.as_str(), "--url", db.url.as_str()];
        all.extend_from_slice(args);
        stratum_tests::stratum(&all)
    };
    let o = run(&["drift"]);
    assert!(o.status.success(), "{}", stratum_tests::text(&o));
    assert!(stratum_tests::text(&o).contains("No drift"));
    exec(&db, "ALTER TABLE users ADD COLUMN nickname VARCHAR(40)");
    let o = run(&["drift", "--json"]);
    assert_eq!(o.status.code(), Some(1), "drift is exit code 1");
    let found: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(found[0]["kind"], "column");
    let o = run(&["diff", &older.url]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stratum_tests::text(&o).contains("report_snapshots"),
        "{}",
        stratum_tests::text(&o)
    );
    let o = run(&["audit"]);
    assert!(o.status.success(), "{}", stratum_tests::text(&o));
    assert!(stratum_tests::text(&o).contains("finding(s)"));
}

#[test]
fn provenance_names_the_revision_that_created_and_last_changed_each_object() {
    let project = Project::open(&sample_project()).unwrap_or_else(|e| panic!("{e}"));
    for dialect in [
        stratum_project::Dialect::Postgres,
        stratum_project::Dialect::MySql,
        stratum_project::Dialect::Sqlite,
    ] {
        let p = stratum_schema::Provenance::of(&project, dialect);
        let origin = |map: &std::collections::BTreeMap<String, stratum_schema::Origin>, k: &str| {
            map.get(k)
                .map(|o| (o.created.clone(), o.last_changed.clone()))
                .unwrap_or_else(|| panic!("{dialect:?}: no {k}"))
        };
        assert_eq!(
            origin(&p.tables, "users"),
            ("001".into(), "003".into()),
            "{dialect:?}"
        );
        assert_eq!(
            origin(&p.columns, "users.phone"),
            ("002".into(), "002".into())
        );
        assert_eq!(
            origin(&p.columns, "users.status"),
            ("003".into(), "003".into())
        );
        assert_eq!(
            origin(&p.columns, "vendor_invoices.due_date"),
            ("005".into(), "005".into())
        );
        assert_eq!(origin(&p.tables, "report_snapshots").0, "004");
        assert_eq!(
            origin(&p.columns, "clients.name"),
            ("001".into(), "001".into())
        );
    }
}
