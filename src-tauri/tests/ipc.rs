//! Every command through Tauri's IPC on the mock runtime, with a real store and the demo
//! profile: what the window sends and gets back, errors included.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;

use stratum_app::picker::{Pick, Picker};
use stratum_app::AppState;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;
use tokio::sync::oneshot;

struct Window {
    window: WebviewWindow<MockRuntime>,
    _app: tauri::App<MockRuntime>,
    data: tempfile::TempDir,
}

fn window() -> Window {
    window_with(None)
}

/// Stands in for the user in the system dialog: always answers `choice`.
struct Chooses(Option<PathBuf>);

impl Picker for Chooses {
    fn pick(&self, _: Pick, _: Option<PathBuf>) -> oneshot::Receiver<Option<PathBuf>> {
        let (tx, rx) = oneshot::channel();
        let _ = tx.send(self.0.clone());
        rx
    }
}

fn window_with(picker: Option<Arc<dyn Picker>>) -> Window {
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // Builder::build() does not run setup: the state is made here as setup would.
    let mut state = tauri::async_runtime::block_on(AppState::open(data.path()))
        .unwrap_or_else(|e| panic!("{e}"));
    state.picker = picker;
    let builder = stratum_app::specta_builder::<MockRuntime>();
    let app = mock_builder()
        .invoke_handler(builder.invoke_handler())
        .manage(state)
        .build(mock_context(noop_assets()))
        .unwrap_or_else(|e| panic!("{e}"));
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    Window {
        window,
        _app: app,
        data,
    }
}

fn invoke(w: &Window, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost"
            .parse()
            .unwrap_or_else(|e| panic!("{e}")),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(&w.window, request).map(|b| b.deserialize::<Value>().unwrap_or(Value::Null))
}

fn ok(w: &Window, cmd: &str, args: Value) -> Value {
    invoke(w, cmd, args).unwrap_or_else(|e| panic!("{cmd}: {e}"))
}

#[test]
fn the_first_run_demo_profile_is_listed_with_its_pending_timeline() {
    let w = window();
    let profiles = ok(&w, "list_profiles", json!({}));
    assert_eq!(profiles.as_array().map(Vec::len), Some(1));
    assert_eq!(profiles[0]["name"], "Demo (SQLite)");
    let id = profiles[0]["id"].clone();
    let t = ok(&w, "timeline", json!({ "profileId": id }));
    assert_eq!(t["database"]["state"], "reachable");
    assert_eq!(t["database"]["pending"].as_array().map(Vec::len), Some(7));
    assert_eq!(t["rows"][0]["revision"], "007");
    assert_eq!(t["rows"][0]["applied"], false);
    assert_eq!(t["lanes"], 2);
    let detail = ok(
        &w,
        "revision_detail",
        json!({ "profileId": id, "revision": "002" }),
    );
    assert!(detail["upgrade_sql"]
        .as_str()
        .is_some_and(|s| s.contains("ADD COLUMN phone")));
    let statuses = ok(&w, "profile_statuses", json!({}));
    assert_eq!(statuses[0]["state"], "pending");
}

#[test]
fn a_plan_shows_the_steps_and_the_exact_sql_and_runs_nothing() {
    let w = window();
    let plan = ok(
        &w,
        "plan_operation",
        json!({ "profileId": 1, "request": { "kind": "upgrade", "target": "heads" } }),
    );
    let steps: Vec<&str> = plan["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["revision"].as_str())
        .collect();
    assert_eq!(steps, ["001", "002", "003", "005", "004", "006", "007"]);
    assert!(plan["sql"]
        .as_str()
        .is_some_and(|s| s.contains("INSERT INTO alembic_version (version_num) VALUES ('001')")));
    let t = ok(&w, "timeline", json!({ "profileId": 1 }));
    assert_eq!(t["database"]["rows"], json!([]), "planning changed nothing");
    let bad = invoke(
        &w,
        "plan_operation",
        json!({ "profileId": 1, "request": { "kind": "upgrade", "target": "nosuch" } }),
    );
    let err = bad.expect_err("an unknown target");
    assert_eq!(err["kind"], "input");
    assert!(err["message"]
        .as_str()
        .is_some_and(|m| m.contains("nosuch")));
}

#[test]
fn profiles_are_validated_saved_duplicated_and_deleted() {
    let w = window();
    let project = w
        .data
        .path()
        .join("sample-project")
        .to_string_lossy()
        .to_string();
    let bad_url = invoke(
        &w,
        "save_profile",
        json!({ "input": { "id": null, "name": "x", "client": "", "environment": "development", "url": "oracle://h/db", "password": null, "project_dir": project } }),
    );
    assert_eq!(bad_url.expect_err("unsupported engine")["kind"], "input");
    let no_project = invoke(
        &w,
        "save_profile",
        json!({ "input": { "id": null, "name": "x", "client": "", "environment": "development", "url": "sqlite:///x.db", "password": null, "project_dir": "/nonexistent" } }),
    );
    assert!(no_project.expect_err("no project")["message"]
        .as_str()
        .is_some_and(|m| m.contains("not a migration project")));
    let saved = ok(
        &w,
        "save_profile",
        json!({ "input": { "id": null, "name": "Acme prod", "client": "Acme", "environment": "production", "url": "postgresql://erp:secret@db.example/erp", "password": null, "project_dir": project } }),
    );
    assert_eq!(saved["profile"]["environment"], "production");
    assert!(!saved["profile"]["database"]
        .as_str()
        .unwrap_or("")
        .contains("secret"));
    assert!(matches!(
        saved["password_storage"].as_str(),
        Some("keychain" | "memory")
    ));
    let store = std::fs::read(w.data.path().join("stratum.db")).unwrap_or_default();
    assert!(
        !String::from_utf8_lossy(&store).contains("secret"),
        "no password in the store's file"
    );
    let id = saved["profile"]["id"].clone();
    let copy = ok(&w, "duplicate_profile", json!({ "profileId": id }));
    assert_eq!(copy["name"], "Acme prod (copy)");
    ok(&w, "delete_profile", json!({ "profileId": copy["id"] }));
    assert_eq!(
        ok(&w, "list_profiles", json!({})).as_array().map(Vec::len),
        Some(2)
    );
    let gone = invoke(&w, "delete_profile", json!({ "profileId": 999 }));
    assert_eq!(gone.expect_err("no such profile")["kind"], "store");
}

#[test]
fn an_unreachable_server_is_a_connection_error_in_words_pointing_at_the_port() {
    let w = window();
    let project = w
        .data
        .path()
        .join("sample-project")
        .to_string_lossy()
        .to_string();
    let err = invoke(
        &w,
        "test_connection",
        json!({ "input": { "id": null, "name": "x", "client": "", "environment": "development", "url": "postgresql://u@127.0.0.1:1/db", "password": "pw", "project_dir": project } }),
    )
    .expect_err("nothing listens on port 1");
    // A connection that failed says why, and which field of the form to look at.
    assert_eq!(err["kind"], "connection");
    assert!(err["message"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("nothing is listening")));
    assert_eq!(err["message"]["field"], "port");
    assert_eq!(err["message"]["ssh_fingerprint"], serde_json::Value::Null);
    assert_eq!(
        ok(&w, "cancel_operation", json!({ "operationId": "none" })),
        false
    );
    assert_eq!(ok(&w, "audit_log", json!({ "profileId": null })), json!([]));
}

#[test]
fn new_revisions_and_merges_are_written_into_the_project() {
    let w = window();
    let one_head = invoke(&w, "merge_heads", json!({ "profileId": 1, "message": "m" }));
    assert!(one_head.expect_err("one head")["message"]
        .as_str()
        .is_some_and(|m| m.contains("only one head")));
    let written = ok(
        &w,
        "new_revision",
        json!({ "profileId": 1, "message": "add invoice notes", "autogenerate": false }),
    );
    assert!(written["file"]
        .as_str()
        .is_some_and(|f| f.ends_with("_add_invoice_notes.sql")));
    assert!(written["content"]
        .as_str()
        .is_some_and(|c| c.contains("-- down_revision: 007")));
    let t = ok(&w, "timeline", json!({ "profileId": 1 }));
    assert_eq!(t["rows"][0]["revision"], written["revision"]);
}

#[test]
fn an_operation_runs_reports_its_outcome_and_is_audited() {
    let w = window();
    let outcome = ok(
        &w,
        "run_operation",
        json!({ "profileId": 1, "request": { "kind": "upgrade", "target": "heads" },
                "operationId": "op-1", "backupId": null, "onProgress": "__CHANNEL__:7" }),
    );
    assert_eq!(outcome["succeeded"], true, "{outcome}");
    assert_eq!(outcome["rows_before"], json!([]));
    assert_eq!(outcome["rows_after"], json!(["007"]));
    assert_eq!(outcome["steps"], 7);
    let t = ok(&w, "timeline", json!({ "profileId": 1 }));
    assert_eq!(t["database"]["pending"], json!([]));
    let down = ok(
        &w,
        "run_operation",
        json!({ "profileId": 1, "request": { "kind": "downgrade", "target": "-1" },
                "operationId": "op-2", "backupId": null, "onProgress": "__CHANNEL__:8" }),
    );
    assert_eq!(down["rows_after"], json!(["006"]), "{down}");
    let log = ok(&w, "audit_log", json!({ "profileId": 1 }));
    let ops: Vec<(&str, &str)> = log
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["operation"].as_str().unwrap_or(""),
                e["rows_after"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(ops, [("downgrade", "006"), ("upgrade", "007")]);
    assert_eq!(log[0]["result"], "succeeded");
}

#[test]
fn the_folder_comes_from_the_system_dialog_and_a_cancel_is_no_answer() {
    let chosen = PathBuf::from("/srv/projects/erp");
    let w = window_with(Some(Arc::new(Chooses(Some(chosen.clone())))));
    let answer = ok(&w, "choose_project_folder", json!({ "start": null }));
    assert_eq!(answer, json!(chosen.display().to_string()));
    let w = window_with(Some(Arc::new(Chooses(None))));
    assert_eq!(
        ok(&w, "choose_alembic_ini", json!({ "start": null })),
        Value::Null
    );
    let w = window();
    let err = invoke(&w, "choose_project_folder", json!({ "start": null }))
        .expect_err("no window system, no dialog");
    assert!(err["message"]
        .as_str()
        .is_some_and(|m| m.contains("type the path")));
}

#[test]
fn a_profile_is_drafted_from_an_alembic_ini() {
    let w = window();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let team = dir.path().join("acme-erp");
    std::fs::create_dir_all(&team).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        team.join("stratum.toml"),
        "[project]\nversions = \"versions\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let ini = team.join("alembic.ini");
    std::fs::write(
        &ini,
        "[alembic]\nscript_location = %(here)s/alembic\nsqlalchemy.url = postgresql+psycopg2://erp:s3cr%%t@db.acme.example:6432/erp\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let draft = ok(
        &w,
        "read_alembic_ini",
        json!({ "path": ini.display().to_string() }),
    );
    assert_eq!(draft["name"], "acme-erp");
    assert_eq!(draft["password"], "s3cr%t");
    let url = draft["url"].as_str().unwrap_or("");
    // The driver stays: an Alembic project's own Python connects with it.
    assert!(
        url.starts_with("postgresql+psycopg2://erp@db.acme.example:6432/erp"),
        "{url}"
    );
    assert!(
        !url.contains("s3cr"),
        "the password is not in the URL: {url}"
    );
    assert_eq!(draft["project_dir"], json!(team.display().to_string()));

    std::fs::write(
        &ini,
        "[alembic]\nscript_location = alembic\nsqlalchemy.url = sqlite:///kontali.db\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::remove_file(team.join("stratum.toml")).unwrap_or_else(|e| panic!("{e}"));
    let draft = ok(
        &w,
        "read_alembic_ini",
        json!({ "path": ini.display().to_string() }),
    );
    assert_eq!(
        draft["url"],
        json!(format!("sqlite:///{}", team.join("kontali.db").display()))
    );
    assert_eq!(draft["project_dir"], Value::Null);
    assert!(
        draft["notes"].to_string().contains("cannot be read yet")
            && draft["notes"].to_string().contains("does not exist"),
        "{draft}"
    );
    // With its revisions there, the ini's folder is the project: an Alembic one.
    std::fs::create_dir_all(team.join("alembic/versions")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        team.join("alembic/versions/001_first.py"),
        "\"\"\"first\"\"\"\nrevision = '001'\ndown_revision = None\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let draft = ok(
        &w,
        "read_alembic_ini",
        json!({ "path": ini.display().to_string() }),
    );
    assert_eq!(draft["project_dir"], json!(team.display().to_string()));
    assert!(
        draft["notes"]
            .to_string()
            .contains("An Alembic project with 1 revisions"),
        "{draft}"
    );

    // Configured the Alembic 1.16 way: where the revisions live in pyproject.toml, the URL in
    // env.py. Choosing the pyproject.toml fills the form just the same.
    std::fs::remove_file(&ini).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        team.join("pyproject.toml"),
        "[project]\nname = \"acme\"\n\n[tool.alembic]\nscript_location = \"%(here)s/alembic\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let draft = ok(
        &w,
        "read_alembic_ini",
        json!({ "path": team.join("pyproject.toml").display().to_string() }),
    );
    assert_eq!(draft["project_dir"], json!(team.display().to_string()));
    assert_eq!(draft["url"], Value::Null);
    let notes = draft["notes"].to_string();
    assert!(
        notes.contains("pyproject.toml sets no sqlalchemy.url")
            && notes.contains("An Alembic project with 1 revisions"),
        "{draft}"
    );

    let err = invoke(
        &w,
        "read_alembic_ini",
        json!({ "path": team.join("missing.ini").display().to_string() }),
    )
    .expect_err("no such file");
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("missing.ini")),
        "{err}"
    );
}

#[test]
fn backups_are_taken_verified_restored_and_deleted_from_the_window() {
    let w = window();
    let taken = ok(&w, "take_backup", json!({ "profileId": 1, "reason": "" }));
    assert_eq!(taken["reason"], "manual");
    assert_eq!(taken["present"], true);
    assert_eq!(taken["rows"], "", "taken at base: no version rows");
    let outcome = ok(
        &w,
        "run_operation",
        json!({ "profileId": 1, "request": { "kind": "upgrade", "target": "heads" },
                "operationId": "op-b", "backupId": taken["id"], "onProgress": "__CHANNEL__:9" }),
    );
    assert_eq!(outcome["rows_after"], json!(["007"]));
    let log = ok(&w, "audit_log", json!({ "profileId": 1 }));
    assert_eq!(log[0]["operation"], "upgrade");
    assert_eq!(
        log[0]["backup"], taken["path"],
        "the audit names the backup"
    );

    let verified = ok(&w, "verify_backup", json!({ "backupId": taken["id"] }));
    assert!(
        verified.to_string().contains("integrity check: ok"),
        "{verified}"
    );
    let restored = ok(
        &w,
        "restore_backup",
        json!({ "backupId": taken["id"], "into": null }),
    );
    assert_eq!(restored["rows"], json!([]));
    assert_eq!(
        restored["safety_backup"]["rows"], "007",
        "the state before the restore is kept"
    );
    let t = ok(&w, "timeline", json!({ "profileId": 1 }));
    assert_eq!(
        t["database"]["rows"],
        json!([]),
        "back where the backup was taken"
    );
    let copy = w.data.path().join("copy.db").display().to_string();
    let into_new = ok(
        &w,
        "restore_backup",
        json!({ "backupId": taken["id"], "into": copy }),
    );
    assert!(into_new["database"]
        .as_str()
        .is_some_and(|d| d.contains("copy.db")));

    let safety = restored["safety_backup"]["id"].clone();
    std::fs::remove_file(restored["safety_backup"]["path"].as_str().unwrap_or(""))
        .unwrap_or_else(|e| panic!("{e}"));
    let gone =
        invoke(&w, "reveal_backup", json!({ "backupId": safety })).expect_err("file removed");
    assert!(
        gone["message"]
            .as_str()
            .is_some_and(|m| m.contains("no longer on disk")),
        "{gone}"
    );
    let listed = ok(&w, "list_backups", json!({ "profileId": 1 }));
    assert_eq!(
        listed[0]["present"], false,
        "the catalogue shows the file is missing"
    );
    ok(&w, "delete_backup", json!({ "backupId": taken["id"] }));
    assert!(!std::path::Path::new(taken["path"].as_str().unwrap_or("")).exists());
    let err = invoke(&w, "verify_backup", json!({ "backupId": taken["id"] })).expect_err("deleted");
    assert_eq!(err["kind"], "store");
}

#[test]
fn a_dry_run_changes_nothing_and_production_runs_need_their_backup() {
    let w = window();
    let dry = ok(
        &w,
        "dry_run_operation",
        json!({ "profileId": 1, "request": { "kind": "upgrade", "target": "006" } }),
    );
    assert_eq!(dry["succeeded"], true, "{dry}");
    assert!(
        dry["method"]
            .as_str()
            .is_some_and(|m| m.contains("rolled it back")),
        "{dry}"
    );
    assert_eq!(dry["rows_after"], json!(["006"]));
    let t = ok(&w, "timeline", json!({ "profileId": 1 }));
    assert_eq!(
        t["database"]["rows"],
        json!([]),
        "the dry run left no trace"
    );

    let project = w.data.path().join("sample-project").display().to_string();
    let db = w.data.path().join("prod.db").display().to_string();
    let prod = ok(
        &w,
        "save_profile",
        json!({ "input": { "id": null, "name": "Acme prod", "client": "Acme", "environment": "production", "url": format!("sqlite:///{db}"), "password": null, "project_dir": project, "auto_backup": null, "backup_keep": null } }),
    );
    assert_eq!(prod["profile"]["auto_backup"], true);
    let err = invoke(
        &w,
        "run_operation",
        json!({ "profileId": prod["profile"]["id"], "request": { "kind": "upgrade", "target": "heads" },
                "operationId": "op-p", "backupId": null, "onProgress": "__CHANNEL__:10" }),
    )
    .expect_err("no backup taken");
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("backs up before every upgrade")),
        "{err}"
    );
}

#[test]
fn findings_show_in_the_preview_and_the_timeline_and_a_blocking_one_holds_the_run() {
    let w = window();
    let project = w.data.path().join("tenant-project");
    std::fs::create_dir_all(project.join("versions")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        project.join("stratum.toml"),
        "[project]\nversions = \"versions\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        project.join("versions/r1.sql"),
        "-- revision: r1\n-- down_revision:\n-- message: users\n\n-- migrate:up\nCREATE TABLE users (id INTEGER PRIMARY KEY, tenant_id INTEGER, email TEXT, role TEXT);\nUPDATE users SET role = 'admin' WHERE email = 'admin@example.com';\n\n-- migrate:down\nDROP TABLE users;\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let db = w.data.path().join("tenant.db").display().to_string();
    let saved = ok(
        &w,
        "save_profile",
        json!({ "input": { "id": null, "name": "Tenant", "client": "", "environment": "development", "url": format!("sqlite:///{db}"), "password": null, "project_dir": project.display().to_string(), "auto_backup": null, "backup_keep": null } }),
    );
    let id = saved["profile"]["id"].clone();
    let plan = ok(
        &w,
        "plan_operation",
        json!({ "profileId": id, "request": { "kind": "upgrade", "target": "heads" } }),
    );
    let blocking: Vec<&Value> = plan["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["blocks"] == true)
        .collect();
    assert_eq!(blocking.len(), 1, "{}", plan["findings"]);
    assert_eq!(blocking[0]["rule"], "missing-tenant-filter");
    assert_eq!(blocking[0]["line"], 7);
    let pending = ok(&w, "pending_findings", json!({ "profileId": id }));
    assert!(
        pending.to_string().contains("missing-tenant-filter"),
        "{pending}"
    );
    let err = invoke(
        &w,
        "run_operation",
        json!({ "profileId": id, "request": { "kind": "upgrade", "target": "heads" },
                "operationId": "op-f", "backupId": null, "onProgress": "__CHANNEL__:11" }),
    )
    .expect_err("blocked");
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("not acknowledged") && m.contains("r1.sql:7")),
        "{err}"
    );
    let t = ok(&w, "timeline", json!({ "profileId": id }));
    assert_eq!(t["database"]["rows"], json!([]), "nothing ran");
}

#[test]
fn the_schema_tab_reads_the_database_its_provenance_drift_and_a_diff() {
    let w = window();
    ok(
        &w,
        "run_operation",
        json!({ "profileId": 1, "request": { "kind": "upgrade", "target": "heads" },
                "operationId": "op-s", "backupId": null, "onProgress": "__CHANNEL__:12" }),
    );
    let s = ok(&w, "database_schema", json!({ "profileId": 1 }));
    let tables = s["schema"]["tables"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(tables, 19, "18 tables and the version table");
    assert_eq!(s["provenance"]["columns"]["users.phone"]["created"], "002");
    // Every table of the sample has its tenant column, but `clients`, the tenants' own table.
    assert_eq!(s["audit"], json!([]), "{}", s["audit"]);
    let drift = ok(&w, "schema_drift", json!({ "profileId": 1 }));
    assert_eq!(drift["rows"], json!(["007"]));
    assert_eq!(drift["differences"], json!([]));
    let project = w.data.path().join("sample-project").display().to_string();
    let empty = w.data.path().join("empty.db").display().to_string();
    let other = ok(
        &w,
        "save_profile",
        json!({ "input": { "id": null, "name": "Empty", "client": "", "environment": "development", "url": format!("sqlite:///{empty}"), "password": null, "project_dir": project, "auto_backup": null, "backup_keep": null } }),
    );
    let diff = ok(
        &w,
        "schema_diff",
        json!({ "profileId": 1, "otherProfileId": other["profile"]["id"] }),
    );
    assert!(
        diff.to_string()
            .contains("is in Demo (SQLite) but not in Empty"),
        "{diff}"
    );
}

#[test]
fn an_alembic_project_is_shown_planned_checked_run_and_converted_from_the_window() {
    let Some(python) = stratum_tests::oracle::python() else {
        return;
    };
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let converted = out.path().join("kontali-sql");
    let w = window_with(Some(Arc::new(Chooses(Some(converted.clone())))));
    let twin = w.data.path().join("twin");
    stratum_tests::copy_dir(
        &stratum_tests::repo().join("examples/kontali-erp-alembic"),
        &twin,
    );
    let saved = ok(
        &w,
        "save_profile",
        json!({ "input": {
            "id": null, "name": "Kontali (Alembic)", "client": "Kontali", "environment": "staging",
            "url": format!("sqlite:///{}", w.data.path().join("twin.db").display()),
            "password": null, "project_dir": twin.display().to_string(),
            "python": python.display().to_string(),
        }}),
    );
    let id = saved["profile"]["id"].clone();
    let t = ok(&w, "timeline", json!({ "profileId": id }));
    assert_eq!(t["format"], "alembic");
    assert_eq!(t["database"]["pending"].as_array().map(Vec::len), Some(7));
    assert_eq!(t["heads"], json!(["007"]));

    // Its code runs once its folder is trusted, as the window's prompt does it.
    let refused = invoke(
        &w,
        "revision_detail",
        json!({ "profileId": id, "revision": "002" }),
    )
    .expect_err("the folder is not trusted yet");
    assert_eq!(refused["kind"], "untrusted", "{refused}");
    ok(
        &w,
        "trust_folder",
        json!({ "path": refused["message"]["folder"] }),
    );
    let detail = ok(
        &w,
        "revision_detail",
        json!({ "profileId": id, "revision": "002" }),
    );
    assert!(
        detail["python"]
            .as_str()
            .is_some_and(|p| p.contains("def upgrade()")),
        "{detail}"
    );
    assert!(
        detail["upgrade_sql"]
            .as_str()
            .is_some_and(|s| s.contains("ALTER TABLE users ADD COLUMN phone")),
        "{detail}"
    );

    let request = json!({ "kind": "upgrade", "target": "heads" });
    let plan = ok(
        &w,
        "plan_operation",
        json!({ "profileId": id, "request": request }),
    );
    assert_eq!(plan["steps"].as_array().map(Vec::len), Some(7));
    let sql = plan["sql"].as_str().unwrap_or("");
    assert!(
        sql.contains("-- Running upgrade  -> 001") && sql.contains("CREATE TABLE clients"),
        "{sql}"
    );
    let findings = ok(&w, "pending_findings", json!({ "profileId": id }));
    assert!(
        findings.as_array().is_some_and(|f| !f.is_empty()),
        "the checks read the rendered SQL: {findings}"
    );

    let outcome = ok(
        &w,
        "run_operation",
        json!({ "profileId": id, "request": request, "operationId": "alembic-1",
                "backupId": null, "onProgress": "__CHANNEL__:9" }),
    );
    assert_eq!(outcome["succeeded"], true, "{outcome}");
    assert_eq!(outcome["rows_after"], json!(["007"]));
    let down = ok(
        &w,
        "run_operation",
        json!({ "profileId": id, "request": { "kind": "downgrade", "target": "-1" },
                "operationId": "alembic-2", "backupId": null, "onProgress": "__CHANNEL__:10" }),
    );
    assert_eq!(down["rows_after"], json!(["006"]), "{down}");
    let log = ok(&w, "audit_log", json!({ "profileId": id }));
    assert_eq!(log.as_array().map(Vec::len), Some(2));

    let written = ok(
        &w,
        "new_revision",
        json!({ "profileId": id, "message": "add notes", "autogenerate": false }),
    );
    assert!(
        written["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("_add_notes.py")),
        "{written}"
    );
    assert!(
        written["content"]
            .as_str()
            .is_some_and(|c| c.contains("down_revision")),
        "{written}"
    );

    let done = ok(&w, "convert_project", json!({ "profileId": id }));
    assert_eq!(done["revisions"], 8);
    assert!(converted.join("stratum.toml").is_file());
}

/// An Alembic project from a client, two heads, whose "Python" (in its own virtualenv, as the
/// profile names it) is a stand-in noting each start in `started`.
#[cfg(unix)]
fn client_project(w: &Window, started: &std::path::Path) -> (PathBuf, Value) {
    use std::os::unix::fs::PermissionsExt;
    let dir = w.data.path().join("client-erp");
    std::fs::create_dir_all(dir.join("alembic/versions")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(dir.join(".venv/bin")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("alembic.ini"),
        "[alembic]\nscript_location = alembic\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("alembic/env.py"),
        "raise SystemExit('env.py ran')\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    for (file, rev, down) in [
        ("a1_first.py", "a1", "None"),
        ("b2_left.py", "b2", "'a1'"),
        ("c2_right.py", "c2", "'a1'"),
    ] {
        std::fs::write(
            dir.join("alembic/versions").join(file),
            format!("revision = '{rev}'\ndown_revision = {down}\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let python = dir.join(".venv/bin/python");
    std::fs::write(
        &python,
        format!("#!/bin/sh\necho started >> '{}'\n", started.display()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    let saved = ok(
        w,
        "save_profile",
        json!({ "input": {
            "id": null, "name": "Client ERP", "client": "Client", "environment": "development",
            "url": format!("sqlite:///{}", w.data.path().join("client.db").display()),
            "password": null, "project_dir": dir.display().to_string(),
            "python": python.display().to_string(),
        }}),
    );
    (dir, saved["profile"]["id"].clone())
}

#[cfg(unix)]
#[test]
fn an_alembic_project_s_code_runs_only_once_its_folder_is_trusted_and_again_asks_when_revoked() {
    let w = window();
    let started = w.data.path().join("started");
    let (dir, id) = client_project(&w, &started);
    let canonical = std::fs::canonicalize(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .display()
        .to_string();

    // Reading it runs nothing: the project, its timeline, the sidebar's status, the schema.
    let t = ok(&w, "timeline", json!({ "profileId": id }));
    assert_eq!(t["format"], "alembic");
    assert_eq!(t["heads"].as_array().map(Vec::len), Some(2));
    ok(&w, "profile_statuses", json!({}));
    let schema = ok(&w, "database_schema", json!({ "profileId": id }));
    assert!(schema["schema"].is_object(), "{schema}");

    // Every command that would start its Python is refused first, naming the folder.
    let request = json!({ "kind": "upgrade", "target": "heads" });
    let batch = json!({ "profile_ids": [id], "kind": "upgrade", "target": "heads", "concurrency": 1,
                        "stop_on_failure": true, "backup_all": false, "production_confirmation": null });
    let would_run: Vec<(&str, Value)> = vec![
        (
            "revision_detail",
            json!({ "profileId": id, "revision": "b2" }),
        ),
        ("pending_findings", json!({ "profileId": id })),
        (
            "plan_operation",
            json!({ "profileId": id, "request": request }),
        ),
        (
            "save_operation_sql",
            json!({ "profileId": id, "request": request }),
        ),
        (
            "release_gate_of",
            json!({ "profileId": id, "request": request, "backupFirst": false, "reviewer": "" }),
        ),
        (
            "run_operation",
            json!({ "profileId": id, "request": request, "operationId": "t-1",
                                   "backupId": null, "onProgress": "__CHANNEL__:41" }),
        ),
        (
            "dry_run_operation",
            json!({ "profileId": id, "request": request }),
        ),
        (
            "rehearse_profile",
            json!({ "profileId": id, "target": "heads", "fromBase": false, "withData": false,
                                      "operationId": "t-2", "onStep": "__CHANNEL__:42" }),
        ),
        ("checkup_profile", json!({ "profileId": id })),
        ("schema_drift", json!({ "profileId": id })),
        (
            "new_revision",
            json!({ "profileId": id, "message": "x", "autogenerate": false }),
        ),
        ("merge_heads", json!({ "profileId": id, "message": "" })),
        ("convert_project", json!({ "profileId": id })),
        (
            "fleet_drift",
            json!({ "profileIds": [id], "onRow": "__CHANNEL__:43" }),
        ),
        (
            "fleet_checkup",
            json!({ "profileIds": [id], "onRow": "__CHANNEL__:44" }),
        ),
        (
            "run_batch_operation",
            json!({ "request": batch, "batchKey": "t-3", "onEvent": "__CHANNEL__:45" }),
        ),
    ];
    for (cmd, args) in &would_run {
        let e = invoke(&w, cmd, args.clone()).expect_err(cmd);
        assert_eq!(e["kind"], "untrusted", "{cmd}: {e}");
        assert_eq!(e["message"]["folder"], canonical.as_str(), "{cmd}");
        assert!(
            e["message"]["env_py"]
                .as_str()
                .is_some_and(|p| p.ends_with("env.py")),
            "{cmd}: {e}"
        );
        assert!(!started.exists(), "{cmd} started the project's Python");
    }
    assert_eq!(
        ok(&w, "list_batches", json!({})),
        json!([]),
        "a refused batch left no report"
    );
    assert_eq!(ok(&w, "audit_log", json!({ "profileId": id })), json!([]));
    // A native project never asks.
    ok(
        &w,
        "plan_operation",
        json!({ "profileId": 1, "request": request }),
    );

    // Trusted under another of its names: the same folder, listed once, canonical.
    let trusted = ok(
        &w,
        "trust_folder",
        json!({ "path": dir.join("alembic/..").display().to_string() }),
    );
    assert_eq!(trusted["path"], canonical.as_str());
    let listed = ok(&w, "list_trusted_folders", json!({}));
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["path"], canonical.as_str());
    // Now its Python starts (this stand-in is no Python with Alembic: the detail says so).
    let detail = ok(
        &w,
        "revision_detail",
        json!({ "profileId": id, "revision": "b2" }),
    );
    assert!(started.exists(), "the trusted project's Python was started");
    assert!(
        detail["note"]
            .as_str()
            .is_some_and(|n| n.contains("Python")),
        "{detail}"
    );

    // Revoked, it asks again.
    assert_eq!(
        ok(&w, "revoke_trusted_folder", json!({ "path": canonical })),
        true
    );
    assert_eq!(ok(&w, "list_trusted_folders", json!({})), json!([]));
    let e = invoke(
        &w,
        "plan_operation",
        json!({ "profileId": id, "request": request }),
    )
    .expect_err("asks again");
    assert_eq!(e["kind"], "untrusted", "{e}");
    let missing = invoke(
        &w,
        "trust_folder",
        json!({ "path": w.data.path().join("no-such-folder").display().to_string() }),
    )
    .expect_err("a folder that does not exist");
    assert_eq!(missing["kind"], "input", "{missing}");
}

#[test]
fn a_value_a_revision_computes_is_asked_for_and_kept_in_the_profile() {
    let w = window();
    let dir = w.data.path().join("computed");
    std::fs::create_dir_all(dir.join("alembic/versions")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("alembic.ini"),
        "[alembic]\nscript_location = alembic\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("alembic/versions/a1_first.py"),
        "revision = 'a1'\ndown_revision = None\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("alembic/versions/b2_expand.py"),
        "from app.migration import cli\n\nrevision = 'b2'\ndown_revision = 'a1'\nbranch_labels = (cli.EXPAND_BRANCH,)\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let saved = invoke(
        &w,
        "save_profile",
        json!({ "input": {
            "id": null, "name": "computed", "client": "", "environment": "development",
            "url": format!("sqlite:///{}", w.data.path().join("c.db").display()),
            "password": null, "project_dir": dir.display().to_string(),
        }}),
    );
    // The form says what to supply, and where.
    let e = saved.expect_err("the project cannot be read without the value");
    assert_eq!(e["kind"], "computed_value", "{e}");
    assert_eq!(e["message"]["name"], "branch_labels");
    assert_eq!(e["message"]["line"], 5);
    assert!(
        e["message"]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("b2_expand.py")),
        "{e}"
    );
    let saved = ok(
        &w,
        "save_profile",
        json!({ "input": {
            "id": null, "name": "computed", "client": "", "environment": "development",
            "url": format!("sqlite:///{}", w.data.path().join("c.db").display()),
            "password": null, "project_dir": dir.display().to_string(),
            "alembic_values": "b2_expand.py: branch_labels = placeholder",
        }}),
    );
    let id = saved["profile"]["id"].clone();
    let updated = ok(
        &w,
        "supply_value",
        json!({ "profileId": id, "file": dir.join("alembic/versions/b2_expand.py").display().to_string(),
                "name": "branch_labels", "value": "expand" }),
    );
    assert_eq!(
        updated["alembic_values"], "alembic/versions/b2_expand.py: branch_labels = expand",
        "the answer replaces the earlier one"
    );
    let t = ok(&w, "timeline", json!({ "profileId": id }));
    assert_eq!(t["rows"][0]["labels"], json!(["expand"]));
}

#[test]
fn the_fleet_view_reads_every_profile_runs_a_batch_and_saves_its_report() {
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let report = out.path().join("report.csv");
    let w = window_with(Some(Arc::new(Chooses(Some(report.clone())))));
    let sample = w.data.path().join("sample-project").display().to_string();
    for (name, url, env) in [
        (
            "second",
            format!("sqlite:///{}", w.data.path().join("second.db").display()),
            "staging",
        ),
        (
            "gone",
            "postgresql://postgres@127.0.0.1:1/nowhere".to_string(),
            "production",
        ),
    ] {
        ok(
            &w,
            "save_profile",
            json!({ "input": {
                "id": null, "name": name, "client": "Acme", "environment": env, "url": url,
                "password": null, "project_dir": sample, "tags": "eu, nightly",
            }}),
        );
    }
    let rows = ok(&w, "fleet_status", json!({ "onRow": "__CHANNEL__:21" }));
    let rows = rows.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 3);
    let by = |name: &str| {
        rows.iter()
            .find(|r| r["name"] == name)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(by("Demo (SQLite)")["state"], "pending");
    assert_eq!(
        by("Demo (SQLite)")["pending"].as_array().map(Vec::len),
        Some(7)
    );
    assert_eq!(by("gone")["state"], "unreachable");
    assert!(by("gone")["reason"]
        .as_str()
        .is_some_and(|r| r.contains("127.0.0.1:1")));
    assert_eq!(by("second")["tags"], json!(["eu", "nightly"]));

    let ids: Vec<Value> = rows.iter().map(|r| r["profile_id"].clone()).collect();
    // The production database needs its count typed.
    let refused = invoke(
        &w,
        "run_batch_operation",
        json!({ "request": { "profile_ids": ids, "kind": "upgrade", "target": "heads", "concurrency": 2,
                              "stop_on_failure": false, "backup_all": false, "production_confirmation": null },
                "batchKey": "b-1", "onEvent": "__CHANNEL__:22" }),
    )
    .expect_err("production is not confirmed");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("production")),
        "{refused}"
    );
    let done = ok(
        &w,
        "run_batch_operation",
        json!({ "request": { "profile_ids": ids, "kind": "upgrade", "target": "heads", "concurrency": 2,
                              "stop_on_failure": false, "backup_all": true, "production_confirmation": "1" },
                "batchKey": "b-2", "onEvent": "__CHANNEL__:23" }),
    );
    let items = done["items"].as_array().cloned().unwrap_or_default();
    let result = |name: &str| {
        items
            .iter()
            .find(|i| i["profile_name"] == name)
            .map(|i| i["result"].clone())
            .unwrap_or_default()
    };
    assert_eq!(result("Demo (SQLite)"), "succeeded", "{done}");
    assert_eq!(result("second"), "succeeded");
    assert_eq!(result("gone"), "failed");
    assert!(items
        .iter()
        .filter(|i| i["result"] == "succeeded")
        .all(|i| i["backup"].as_str().is_some_and(|b| !b.is_empty())));
    let id = done["batch"]["id"].clone();
    assert_eq!(
        ok(&w, "batch_report", json!({ "batchId": id }))["summary"],
        done["summary"]
    );
    let listed = ok(&w, "list_batches", json!({}))[0].clone();
    assert_eq!(listed["id"], id);
    assert_eq!(
        (&listed["databases"], &listed["failed"]),
        (&json!(items.len()), &json!(1)),
        "the list says how the batch ended: {listed}"
    );
    let saved = ok(
        &w,
        "save_batch_report",
        json!({ "batchId": id, "format": "csv" }),
    );
    assert_eq!(saved, json!(report.display().to_string()));
    assert!(std::fs::read_to_string(&report)
        .unwrap_or_default()
        .contains("gone"));
    let rows = ok(&w, "fleet_status", json!({ "onRow": "__CHANNEL__:24" }));
    let demo = rows
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["name"] == "Demo (SQLite)")
        .cloned()
        .unwrap_or_default();
    assert_eq!(demo["state"], "up_to_date");
    assert!(
        demo["last_backup"]["at"].is_string() && demo["last_operation"]["result"] == "succeeded",
        "{demo}"
    );

    let drift = ok(
        &w,
        "fleet_drift",
        json!({ "profileIds": [demo["profile_id"].clone()], "onRow": "__CHANNEL__:25" }),
    );
    assert_eq!(drift[0]["differences"], 0, "{drift}");
}

#[test]
fn a_rehearsal_streams_each_step_and_is_kept_with_its_files_checksums() {
    let w = window();
    let r = ok(
        &w,
        "rehearse_profile",
        json!({ "profileId": 1, "target": "heads", "fromBase": false, "withData": true,
                "operationId": "rh-1", "onStep": "__CHANNEL__:31" }),
    );
    assert_eq!(r["steps"].as_array().map(Vec::len), Some(7), "{r}");
    assert!(r["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|s| s["result"] == "passed"));
    let t = ok(&w, "timeline", json!({ "profileId": 1 }));
    assert_eq!(
        t["database"]["rows"],
        json!([]),
        "the demo database is untouched"
    );

    let store = tauri::async_runtime::block_on(stratum_store::Store::open(
        &w.data.path().join("stratum.db"),
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let kept =
        tauri::async_runtime::block_on(store.rehearsals(1)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kept.len(), 1);
    assert_eq!(
        (kept[0].result.as_str(), kept[0].with_data),
        ("passed", true)
    );
    let files: Vec<&str> = kept[0].files.lines().collect();
    assert_eq!(files.len(), 7);
    assert!(
        files[0].starts_with("001 ") && files[0].len() == "001 ".len() + 64,
        "{files:?}"
    );
}

#[test]
fn a_production_profile_is_not_rehearsed_with_its_rows() {
    let w = window();
    let project = stratum_tests::repo().join("examples/kontali-erp");
    let saved = ok(
        &w,
        "save_profile",
        json!({ "input": { "id": null, "name": "Prod", "client": "Acme", "environment": "production",
                           "url": format!("sqlite:///{}", w.data.path().join("prod.db").display()),
                           "password": null, "project_dir": project } }),
    );
    let err = invoke(
        &w,
        "rehearse_profile",
        json!({ "profileId": saved["profile"]["id"], "target": "heads", "fromBase": false, "withData": true,
                "operationId": "rh-2", "onStep": "__CHANNEL__:32" }),
    )
    .expect_err("with data on production");
    assert_eq!(err["kind"], "input");
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("development or staging")),
        "{err}"
    );
}

#[test]
fn a_production_profile_shows_its_release_gate_and_runs_only_met_or_overridden() {
    let w = window();
    let project = w.data.path().join("sample-project").display().to_string();
    let db = w.data.path().join("gated.db").display().to_string();
    let prod = ok(
        &w,
        "save_profile",
        json!({ "input": { "id": null, "name": "Acme prod", "client": "Acme", "environment": "production", "url": format!("sqlite:///{db}"), "password": null, "project_dir": project, "maintenance_window": "Sun 03:00-03:00 UTC" } }),
    );
    assert_eq!(prod["profile"]["release_gate"], true, "on for production");
    let id = prod["profile"]["id"].clone();
    let gate = ok(
        &w,
        "release_gate_of",
        json!({ "profileId": id, "request": { "kind": "upgrade", "target": "heads" }, "backupFirst": true, "reviewer": "Dana" }),
    );
    assert_eq!(gate["applies"], true);
    let met = |key: &str| {
        gate["items"]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["key"] == key))
            .map(|i| i["met"].clone())
    };
    assert_eq!(met("staging"), Some(json!(false)), "{gate}");
    assert_eq!(met("rehearsal"), Some(json!(false)));
    assert_eq!(met("backup"), Some(json!(true)));
    assert_eq!(met("review"), Some(json!(true)));

    let taken = ok(&w, "take_backup", json!({ "profileId": id, "reason": "" }));
    let run = |reason: Option<&str>| {
        invoke(
            &w,
            "run_operation",
            json!({ "profileId": id, "request": { "kind": "upgrade", "target": "heads" },
                    "operationId": "op-g", "backupId": taken["id"], "reviewer": "Dana",
                    "overrideReason": reason, "onProgress": "__CHANNEL__:11" }),
        )
    };
    let held = run(None).expect_err("the gate holds it");
    assert!(
        held["message"]
            .as_str()
            .is_some_and(|m| m.contains("release gate of Acme prod is not met")),
        "{held}"
    );
    let ran = run(Some("first install of a new client")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ran["succeeded"], true, "{ran}");
    let log = ok(&w, "audit_log", json!({ "profileId": id }));
    assert!(
        log[0]["gate"]
            .as_str()
            .is_some_and(|g| g.contains("first install of a new client")),
        "{log}"
    );

    let checkup = ok(&w, "checkup_profile", json!({ "profileId": id }));
    assert_eq!(checkup["verdict"], "passed", "{checkup}");
}

#[test]
fn about_names_the_version_and_the_data_folder() {
    let w = window();
    let about = ok(&w, "about", json!({}));
    assert_eq!(about["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(about["data_dir"], w.data.path().display().to_string());
    assert_eq!(
        about["log_dir"],
        w.data.path().join("logs").display().to_string(),
        "the log folder support asks for is in the data folder"
    );
    assert_eq!(about["store_schema"], 10);
}

/// A batch whose app was killed (as the store holds it then: its lines written at the start,
/// one replaced) is listed interrupted and offered; its rest runs as a new batch, the same
/// operation and target, after which the old one is offered no more.
#[test]
fn an_interrupted_batch_is_listed_and_its_rest_runs_as_a_new_batch() {
    use stratum_store::{BatchItem, BatchRecord, Store};
    let w = window();
    let sample = w.data.path().join("sample-project").display().to_string();
    let second = format!("sqlite:///{}", w.data.path().join("second.db").display());
    ok(
        &w,
        "save_profile",
        json!({ "input": {
            "id": null, "name": "second", "client": "Acme", "environment": "staging", "url": second,
            "password": null, "project_dir": sample, "tags": "",
        }}),
    );
    let profiles = ok(&w, "list_profiles", json!({}));
    let profiles = profiles.as_array().cloned().unwrap_or_default();
    assert_eq!(profiles.len(), 2, "{profiles:?}");
    // The killed app's batch: both lines written pending, the first replaced as it ended.
    let store = tauri::async_runtime::block_on(Store::open(&w.data.path().join("stratum.db")))
        .unwrap_or_else(|e| panic!("{e}"));
    let line = |position: i64, p: &Value, result: &str| BatchItem {
        id: 0,
        batch_id: 0,
        position,
        profile_id: p["id"].as_i64(),
        profile_name: p["name"].as_str().unwrap_or_default().into(),
        client: String::new(),
        environment: "staging".into(),
        rows_before: String::new(),
        rows_after: String::new(),
        rows_read: false,
        backup: String::new(),
        duration_ms: 0,
        result: result.into(),
        message: String::new(),
    };
    let old = tauri::async_runtime::block_on(store.start_batch(
        &BatchRecord {
            id: 0,
            at: Store::now(),
            who: "ops".into(),
            operation: "upgrade".into(),
            target: "heads".into(),
            options: String::new(),
            finished_at: None,
            duration_ms: 0,
        },
        &[
            line(0, &profiles[0], "pending"),
            line(1, &profiles[1], "pending"),
        ],
        None,
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    tauri::async_runtime::block_on(store.add_batch_item(&BatchItem {
        batch_id: old,
        ..line(0, &profiles[0], "up to date")
    }))
    .unwrap_or_else(|e| panic!("{e}"));

    let listed = ok(&w, "list_batches", json!({}))[0].clone();
    assert_eq!(
        (&listed["id"], &listed["interrupted"], &listed["pending"]),
        (&json!(old), &json!(true), &json!(1)),
        "{listed}"
    );
    let offered = ok(&w, "interrupted_batches", json!({}));
    assert_eq!(offered[0]["batch"]["id"], old, "{offered}");
    assert_eq!(offered[0]["items"][1]["result"], "pending");
    assert!(
        offered[0]["summary"]
            .as_str()
            .is_some_and(|s| s.contains("1 not run (the batch was interrupted)")),
        "{offered}"
    );

    let rest = |target: &str| {
        invoke(
            &w,
            "run_batch_operation",
            json!({ "request": { "profile_ids": [profiles[1]["id"]], "kind": "upgrade", "target": target,
                                  "concurrency": 1, "stop_on_failure": true, "backup_all": false,
                                  "production_confirmation": null, "rest_of": old },
                    "batchKey": "rest", "onEvent": "__CHANNEL__:31" }),
        )
    };
    let refused = rest("001").expect_err("another target is not the rest");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("upgrade to heads")),
        "{refused}"
    );
    let done = rest("heads").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(done["items"][0]["result"], "succeeded", "{done}");
    assert!(
        ok(&w, "interrupted_batches", json!({}))
            .as_array()
            .is_some_and(Vec::is_empty),
        "offered no more"
    );
    let report = ok(&w, "batch_report", json!({ "batchId": old }));
    assert_eq!(
        report["items"][1]["message"],
        format!("not run here: run by batch #{}", done["batch"]["id"])
    );
    let refused = rest("heads").expect_err("nothing is left");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("nothing left to run")),
        "{refused}"
    );
}
