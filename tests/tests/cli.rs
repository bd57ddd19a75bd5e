//! The command line as a script or a person uses it: init, revision, merge, read-only views,
//! --plan/--from without a database, and JSON output.

use serde_json::Value;
use stratum_tests::{repo, stratum, text};

fn ok(args: &[&str]) -> String {
    let out = stratum(args);
    assert!(out.status.success(), "{args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(&all)).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

#[test]
fn a_project_grows_through_revision_and_merge() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = dir.path().join("proj");
    let p = p.to_string_lossy().to_string();
    ok(&["init", &p]);
    let refused = stratum(&["init", &p]);
    assert_eq!(
        refused.status.code(),
        Some(2),
        "init never overwrites a project"
    );

    let first = json(&[
        "--project",
        &p,
        "revision",
        "-m",
        "create users",
        "--rev-id",
        "aaa1",
    ]);
    assert_eq!(first["revision"], "aaa1");
    assert!(first["file"]
        .as_str()
        .is_some_and(|f| f.ends_with("versions/aaa1_create_users.sql")));
    assert!(first["content"]
        .as_str()
        .is_some_and(|c| c.contains("-- down_revision: \n")));
    ok(&[
        "--project",
        &p,
        "revision",
        "-m",
        "main line",
        "--rev-id",
        "bbb2",
    ]);
    let fresh = json(&[
        "--project",
        &p,
        "revision",
        "-m",
        "side branch",
        "--head",
        "aaa1",
        "--splice",
        "--branch-label",
        "side",
    ]);
    let side = fresh["revision"].as_str().unwrap_or("").to_string();
    assert_eq!(side.len(), 12, "a fresh id is 12 hex digits: {side}");
    assert!(side.chars().all(|c| c.is_ascii_hexdigit()));

    let not_head = stratum(&["--project", &p, "revision", "-m", "x", "--head", "aaa1"]);
    assert_eq!(not_head.status.code(), Some(2));
    assert!(
        text(&not_head).contains("not a head; pass --splice"),
        "{}",
        text(&not_head)
    );
    let two_heads = stratum(&["--project", &p, "revision", "-m", "x"]);
    assert_eq!(two_heads.status.code(), Some(2));
    assert!(
        text(&two_heads).contains("several heads"),
        "{}",
        text(&two_heads)
    );

    let heads = json(&["--project", &p, "heads"]);
    assert_eq!(heads["heads"].as_array().map(Vec::len), Some(2));
    let merged = json(&[
        "--project",
        &p,
        "merge",
        "-m",
        "merge branches",
        "--rev-id",
        "mmm9",
    ]);
    // Heads in load order, i.e. by file name: the random id decides which comes first.
    let mut parents: Vec<String> = merged["down_revisions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    parents.sort();
    let mut expected = vec!["bbb2".to_string(), side.clone()];
    expected.sort();
    assert_eq!(parents, expected);
    let heads = json(&["--project", &p, "heads"]);
    assert_eq!(heads["heads"][0]["revision"], "mmm9");
    assert_eq!(heads["heads"][0]["is_merge_point"], true);

    let history = json(&["--project", &p, "history"]);
    let order: Vec<&str> = history["history"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["revision"].as_str())
        .collect();
    assert_eq!(order.first(), Some(&"mmm9"));
    assert_eq!(order.last(), Some(&"aaa1"));
    let branches = json(&["--project", &p, "branches"]);
    assert_eq!(branches["branches"][0]["revision"], "aaa1");
    let shown = json(&["--project", &p, "show", "side"]);
    assert_eq!(
        shown["revision"]["revision"], side,
        "a bare label names the revision that declares it"
    );
    let shown = json(&["--project", &p, "show", "side@head"]);
    assert_eq!(
        shown["revision"]["revision"], "mmm9",
        "the branch's head is now the merge point"
    );
}

#[test]
fn plans_need_no_database_with_from() {
    let project = stratum_tests::sample_project()
        .to_string_lossy()
        .to_string();
    let plan = json(&[
        "--project",
        &project,
        "upgrade",
        "heads",
        "--plan",
        "--from",
        "003",
    ]);
    let steps: Vec<&str> = plan["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["revision"].as_str())
        .collect();
    assert_eq!(
        steps,
        ["005", "004", "006", "007"],
        "the branch that loads first is upgraded last"
    );
    assert_eq!(plan["steps"][0]["rows_after"], serde_json::json!(["005"]));
    assert_eq!(
        plan["steps"][1]["rows_after"],
        serde_json::json!(["005", "004"])
    );
    assert_eq!(plan["rows_after"], serde_json::json!(["007"]));
    let human = ok(&[
        "--project",
        &project,
        "downgrade",
        "reporting@-1",
        "--plan",
        "--from",
        "004,005",
    ]);
    assert!(human.contains("downgrade 004 -> 003"), "{human}");
    let bad = stratum(&[
        "--project",
        &project,
        "upgrade",
        "+1abc",
        "--plan",
        "--from",
        "003",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad).contains("unexpected 'abc' after the step count"),
        "{}",
        text(&bad)
    );
    let range = stratum(&["--project", &project, "upgrade", "001:003"]);
    assert_eq!(range.status.code(), Some(2), "a range needs --sql");
}

#[test]
fn json_errors_are_one_document_with_a_kind() {
    let project = stratum_tests::sample_project()
        .to_string_lossy()
        .to_string();
    let out = stratum(&[
        "--json",
        "--project",
        &project,
        "upgrade",
        "nosuch",
        "--plan",
        "--from",
        "",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let doc: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["error"]["kind"], "input");
    assert!(doc["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("nosuch")));
}

#[test]
fn the_app_the_command_line_the_packages_and_the_changelog_share_one_version() {
    let version = env!("CARGO_PKG_VERSION");
    let o = stratum(&["--version"]);
    assert_eq!(text(&o).trim(), format!("stratum {version}"));
    let changelog = std::fs::read_to_string(repo().join("CHANGELOG.md"))
        .unwrap_or_else(|e| panic!("CHANGELOG.md: {e}"));
    let newest = changelog
        .lines()
        .find_map(|l| l.strip_prefix("## "))
        .unwrap_or_default();
    assert_eq!(newest, version, "the changelog's newest entry");
    // Without a version of its own, the bundler and the window take the app crate's.
    let conf: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tauri.conf.json")).unwrap_or_default(),
    )
    .unwrap_or_else(|e| panic!("tauri.conf.json: {e}"));
    assert!(conf.get("version").is_none(), "{conf}");
    assert_eq!(stratum_store::VERSION, version);
}
