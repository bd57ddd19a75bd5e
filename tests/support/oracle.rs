//! The real Alembic as an oracle: run its scripts (tests/alembic_oracle) on graphs and cases,
//! and compare what Stratum plans with what Alembic did.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use stratum_graph::{Direction, Plan, Revision, RevisionMap};

use crate::repo;

pub fn python() -> Option<PathBuf> {
    let p = std::env::var("STRATUM_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join("target/alembic-venv/bin/python"));
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI needs Alembic: run scripts/alembic-venv.sh"
    );
    eprintln!("SKIPPED: no Alembic virtualenv (run scripts/alembic-venv.sh)");
    None
}

pub fn run_py(python: &PathBuf, args: &[&str]) -> Vec<u8> {
    let out = Command::new(python)
        .args(args)
        .current_dir(repo().join("tests/alembic_oracle"))
        .output()
        .unwrap_or_else(|e| panic!("python: {e}"));
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// What Stratum does for one case, in the oracle's terms.
fn ours(map: &RevisionMap, case: &Value) -> Result<Value, String> {
    let start = strings(&case["start"]);
    let args = strings(&case["args"]);
    let plan = |p: Result<Plan, stratum_graph::GraphError>| -> Result<Value, String> {
        let p = p.map_err(|e| e.to_string())?;
        let steps: Vec<Value> = p
            .steps
            .iter()
            .map(|s| {
                let kind = match s.direction {
                    Direction::Upgrade => "up",
                    Direction::Downgrade => "down",
                    Direction::Stamp => "stamp",
                };
                serde_json::json!({ "revision": s.revision, "kind": kind, "rows_after": sorted(s.rows_after.clone()) })
            })
            .collect();
        Ok(serde_json::json!({ "steps": steps, "rows": sorted(p.rows_after) }))
    };
    let first = args.first().cloned().unwrap_or_default();
    match case["command"].as_str().unwrap_or("") {
        "upgrade" => plan(map.plan_upgrade(&start, &first)),
        "downgrade" => plan(map.plan_downgrade(&start, &first)),
        "stamp" => plan(map.plan_stamp(&start, &args, case["purge"].as_bool().unwrap_or(false))),
        "heads" => Ok(serde_json::json!({ "result": map.heads() })),
        "history" => Ok(serde_json::json!({ "result": map.history() })),
        "current" => map
            .current(&start)
            .map(|c| serde_json::json!({ "result": sorted(c) }))
            .map_err(|e| e.to_string()),
        other => Err(format!("unknown command {other}")),
    }
}

/// Where Stratum refuses on purpose what Alembic accepts (documented in the README).
fn deliberate_refusal(case: &Value, theirs: &Value) -> bool {
    let warned = strings(&theirs["warnings"])
        .iter()
        .any(|w| w.contains("from multiple heads is ambiguous"));
    // Alembic's stamp walks down from the heads for `-N` and `label@-N`; stamp has no relative
    // syntax, so Stratum refuses them.
    let negative = |a: &str| {
        a.strip_prefix('-')
            .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
    };
    let stamp_relative = case["command"] == "stamp"
        && strings(&case["args"])
            .iter()
            .any(|a| negative(a.rsplit('@').next().unwrap_or(a)));
    warned || stamp_relative
}

/// Stratum's `map` against Alembic's results for the same `cases` of graph `name`: the number
/// compared and every difference. `hash_ordered`: a revision has several depends_on, whose
/// order Alembic takes from Python's string hash, so only the set of steps is defined.
pub fn compare_cases(
    name: &str,
    map: &RevisionMap,
    hash_ordered: bool,
    cases: &[Value],
    theirs_cases: &Value,
) -> (usize, Vec<String>) {
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for (c, case) in cases.iter().enumerate() {
        let theirs = &theirs_cases[c];
        compared += 1;
        let what = format!(
            "{name} case {c}: {} {} from {}",
            case["command"], case["args"], case["start"]
        );
        match (ours(map, case), theirs["error"].is_null()) {
            (Err(_), false) => {}
            (Err(e), true) if deliberate_refusal(case, theirs) => {
                let _ = e;
            }
            (Err(e), true) => mismatches.push(format!(
                "{what}: Stratum fails ({e}) but Alembic gives {theirs}"
            )),
            (Ok(o), false) => mismatches.push(format!(
                "{what}: Alembic fails ({}) but Stratum gives {o}",
                theirs["error"]
            )),
            (Ok(o), true) => {
                let same = match case["command"].as_str() {
                    Some("history") if hash_ordered => {
                        sorted(strings(&o["result"])) == sorted(strings(&theirs["result"]))
                    }
                    Some("heads" | "history" | "current") => o["result"] == theirs["result"],
                    Some("stamp") => {
                        o["rows"] == theirs["rows"]
                            && o["steps"].as_array().map(Vec::len)
                                == theirs["steps"].as_array().map(Vec::len)
                            && o["steps"]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .map(|s| &s["rows_after"])
                                .eq(theirs["steps"]
                                    .as_array()
                                    .into_iter()
                                    .flatten()
                                    .map(|s| &s["rows_after"]))
                    }
                    // Alembic orders a revision's several dependencies by Python's string
                    // hash (`tuple(set(...))`), which changes from run to run; there only the
                    // set of steps and the final rows are defined.
                    _ if hash_ordered => {
                        let revs = |v: &Value| {
                            sorted(
                                v.as_array()
                                    .into_iter()
                                    .flatten()
                                    .filter_map(|s| s["revision"].as_str().map(str::to_string))
                                    .collect(),
                            )
                        };
                        revs(&o["steps"]) == revs(&theirs["steps"]) && o["rows"] == theirs["rows"]
                    }
                    _ => o["steps"] == theirs["steps"] && o["rows"] == theirs["rows"],
                };
                if !same {
                    mismatches.push(format!("{what}:\n    stratum {o}\n    alembic {theirs}"));
                }
            }
        }
    }
    (compared, mismatches)
}

fn compare(spec: &Value, result: &Value) -> (usize, Vec<String>) {
    let mut mismatches = Vec::new();
    let mut compared = 0;
    let graphs = spec["graphs"].as_array().cloned().unwrap_or_default();
    for (g, graph) in graphs.iter().enumerate() {
        let theirs_graph = &result["graphs"][g];
        let revisions: Vec<Revision> = graph["revisions"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|r| Revision {
                id: r["revision"].as_str().unwrap_or("").to_string(),
                down_revisions: strings(&r["down_revision"]),
                branch_labels: strings(&r["branch_labels"]),
                depends_on: strings(&r["depends_on"]),
            })
            .collect();
        let name = graph["name"].as_str().unwrap_or("?");
        let hash_ordered = revisions.iter().any(|r| r.depends_on.len() > 1);
        let map = match (
            RevisionMap::new(revisions),
            theirs_graph["load_error"].is_null(),
        ) {
            (Ok(m), true) => m,
            (Err(_), false) => continue,
            (Ok(_), false) => {
                mismatches.push(format!(
                    "{name}: Alembic refuses the graph ({}) and Stratum loads it",
                    theirs_graph["load_error"]
                ));
                continue;
            }
            (Err(e), true) => {
                mismatches.push(format!(
                    "{name}: Stratum refuses the graph ({e}) and Alembic loads it"
                ));
                continue;
            }
        };
        let cases = graph["cases"].as_array().cloned().unwrap_or_default();
        let (n, m) = compare_cases(name, &map, hash_ordered, &cases, &theirs_graph["cases"]);
        compared += n;
        mismatches.extend(m);
    }
    (compared, mismatches)
}

pub fn check(spec_json: Vec<u8>, python: &PathBuf, label: &str) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let spec_path = dir.path().join("spec.json");
    std::fs::write(&spec_path, &spec_json).unwrap_or_else(|e| panic!("{e}"));
    let result = run_py(python, &["oracle.py", &spec_path.to_string_lossy()]);
    let spec: Value = serde_json::from_slice(&spec_json).unwrap_or_else(|e| panic!("{e}"));
    let result: Value = serde_json::from_slice(&result).unwrap_or_else(|e| panic!("{e}"));
    let (compared, mismatches) = compare(&spec, &result);
    assert!(compared > 0, "{label}: nothing was compared");
    assert!(
        mismatches.is_empty(),
        "{label}: {} of {compared} cases differ from Alembic; the first ones:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!("{label}: {compared} cases identical to Alembic");
}
