//! Real, published Alembic histories (Superset, Neutron, Galaxy, Indico, fetched from PyPI by
//! scripts/published-alembic.sh) read by Stratum without Python and by the real Alembic with it:
//! the same revisions in the same load order, with the same parents, labels, dependencies,
//! messages and dates; and the same heads, history and plans on every oracle case.
//!
//! Generated edge cases of the revision-file syntax (tests/alembic_oracle/python_files.py):
//! read exactly as Python reads them, and where a static reader cannot know (a value set in an
//! `if`, by `exec`, ...) an error that names the file and line, never a wrong value.

use std::path::{Path, PathBuf};

use serde_json::Value;
use stratum_project::{AlembicSettings, Project, ProjectError, SuppliedValue};
use stratum_tests::oracle::{compare_cases, python, run_py};
use stratum_tests::repo;

/// `target/published-alembic/projects.json`, made by scripts/published-alembic.sh (which
/// scripts/test runs); required in CI.
fn published() -> Option<PathBuf> {
    let p = repo().join("target/published-alembic/projects.json");
    if p.is_file() {
        return Some(p);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI needs the published Alembic histories: run scripts/published-alembic.sh"
    );
    eprintln!("SKIPPED: no published Alembic histories (run scripts/published-alembic.sh)");
    None
}

/// Opens an Alembic project as a user would: where Stratum says a file computes a value, the
/// user answers with the value (here: the one Python gave), and Stratum reads on.
fn open_answering(ini: &Path, python_says: &[Value]) -> (Project, Vec<String>) {
    let mut settings = AlembicSettings::default();
    let mut asked = Vec::new();
    loop {
        match Project::open_with(ini, &settings) {
            Ok(p) => return (p, asked),
            Err(ProjectError::Computed {
                path, line, name, ..
            }) => {
                let theirs = python_says
                    .iter()
                    .find(|r| Path::new(r["file"].as_str().unwrap_or("")) == path)
                    .unwrap_or_else(|| {
                        panic!(
                            "Stratum asks about {}, which Alembic did not load",
                            path.display()
                        )
                    });
                let value = strings(&theirs[name.as_str()]).join(", ");
                asked.push(format!("{}:{line} {name}", path.display()));
                assert!(asked.len() < 20, "Stratum keeps asking: {asked:?}");
                let file = path.file_name().map(PathBuf::from).unwrap_or_default();
                settings.values.extend(
                    SuppliedValue::parse_lines(&format!("{}: {name} = {value}", file.display()))
                        .unwrap_or_else(|e| panic!("{e}")),
                );
            }
            Err(e) => panic!("{}: Stratum cannot read it: {e}", ini.display()),
        }
    }
}

/// A value as Alembic's `to_tuple` sees it: None, a string, or a list of strings.
fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn same_revisions(project: &Project, theirs: &[Value]) -> Vec<String> {
    let mut differences = Vec::new();
    if project.files.len() != theirs.len() {
        differences.push(format!(
            "Stratum reads {} revisions, Alembic {}",
            project.files.len(),
            theirs.len()
        ));
    }
    for (i, (ours, t)) in project.files.iter().zip(theirs).enumerate() {
        let created = ours
            .created
            .map(|c| c.format("%Y-%m-%d %H:%M:%S").to_string());
        let theirs_created = t["create_date"]
            .as_str()
            .map(|d| d.get(..19).unwrap_or(d).replace('T', " "));
        let fields = [
            (
                "file",
                ours.path.display().to_string(),
                t["file"].as_str().unwrap_or("").to_string(),
            ),
            (
                "revision",
                ours.revision.id.clone(),
                t["revision"].as_str().unwrap_or("").to_string(),
            ),
            (
                "down_revision",
                ours.revision.down_revisions.join(","),
                strings(&t["down_revision"]).join(","),
            ),
            (
                "branch_labels",
                ours.revision.branch_labels.join(","),
                strings(&t["branch_labels"]).join(","),
            ),
            (
                "depends_on",
                ours.revision.depends_on.join(","),
                strings(&t["depends_on"]).join(","),
            ),
            (
                "message",
                ours.message.clone(),
                t["message"].as_str().unwrap_or("").to_string(),
            ),
        ];
        for (what, a, b) in fields {
            if a != b {
                differences.push(format!(
                    "load position {i} ({}), {what}: Stratum {a:?}, Alembic {b:?}",
                    ours.path.display()
                ));
            }
        }
        // A date Stratum can read must be the one written; one it cannot is left out, not guessed.
        if created.is_some() && created != theirs_created {
            differences.push(format!(
                "{}: Create Date: Stratum {created:?}, Alembic {theirs_created:?}",
                ours.path.display()
            ));
        }
    }
    differences
}

#[test]
fn published_histories_read_and_plan_exactly_as_alembic_reads_and_plans_them() {
    let Some(python) = python() else { return };
    let Some(projects) = published() else { return };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let spec_path = dir.path().join("spec.json");
    let read = run_py(
        &python,
        &[
            "published.py",
            &projects.to_string_lossy(),
            "--spec-out",
            &spec_path.to_string_lossy(),
        ],
    );
    let read: Value = serde_json::from_slice(&read).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        read["unresolved"].as_array().map(Vec::len),
        Some(0),
        "{}",
        read["unresolved"]
    );
    let results = run_py(&python, &["oracle.py", &spec_path.to_string_lossy()]);
    let results: Value = serde_json::from_slice(&results).unwrap_or_else(|e| panic!("{e}"));
    let mut summary = Vec::new();
    let mut failures = Vec::new();
    for (i, p) in read["projects"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let name = p["name"].as_str().unwrap_or("?");
        assert!(
            p["load_error"].is_null(),
            "{name}: Alembic cannot load it: {}",
            p["load_error"]
        );
        let theirs = p["revisions"].as_array().cloned().unwrap_or_default();
        let ini = PathBuf::from(p["ini"].as_str().unwrap_or(""));
        let (project, asked) = open_answering(&ini, &theirs);
        failures.extend(
            same_revisions(&project, &theirs)
                .into_iter()
                .map(|d| format!("{name}: {d}")),
        );
        let cases = p["graph"]["cases"].as_array().cloned().unwrap_or_default();
        let hash_ordered = project
            .files
            .iter()
            .any(|f| f.revision.depends_on.len() > 1);
        let (compared, mismatches) = compare_cases(
            name,
            &project.map,
            hash_ordered,
            &cases,
            &results["graphs"][i]["cases"],
        );
        failures.extend(mismatches);
        summary.push(format!(
            "{name}: {} revisions, {} heads, {} merge points, {compared} cases identical; Stratum asked for {} value(s) ({})",
            project.files.len(),
            project.map.heads().len(),
            project.files.iter().filter(|f| f.revision.down_revisions.len() > 1).count(),
            asked.len(),
            asked.join("; ")
        ));
        assert!(compared > 100, "{name}: only {compared} cases");
    }
    assert!(
        summary.len() >= 4,
        "every published project was read: {summary:?}"
    );
    assert!(
        failures.is_empty(),
        "{} differences from Alembic; the first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!("{}", summary.join("\n"));
}

#[test]
fn generated_revision_files_read_as_python_reads_them_or_say_where_they_cannot() {
    let Some(python) = python() else { return };
    for seed in ["1", "2", "3"] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let out = run_py(
            &python,
            &[
                "python_files.py",
                "--seed",
                seed,
                "--out",
                &dir.path().to_string_lossy(),
            ],
        );
        let truth: Value = serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{e}"));
        let ini = PathBuf::from(truth["ini"].as_str().unwrap_or(""));
        let project = Project::open(&ini).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let theirs = truth["revisions"].as_array().cloned().unwrap_or_default();
        let differences = same_revisions(&project, &theirs);
        assert!(
            differences.is_empty(),
            "seed {seed}:\n{}",
            differences.join("\n")
        );

        // One file a static reader may not be able to read: exactly Python's values, or an
        // error at the file and a line.
        for hard in truth["hard"].as_array().cloned().unwrap_or_default() {
            let file = PathBuf::from(hard["file"].as_str().unwrap_or(""));
            let case = hard["case"].as_str().unwrap_or("?");
            let py = &hard["python"];
            match stratum_project::PythonRevision::read(&file, &Default::default()) {
                Ok(r) => {
                    let got = [
                        ("revision", vec![r.revision.id.clone()]),
                        ("down_revision", r.revision.down_revisions.clone()),
                        ("branch_labels", r.revision.branch_labels.clone()),
                        ("depends_on", r.revision.depends_on.clone()),
                    ];
                    for (name, ours) in got {
                        assert_eq!(
                            ours,
                            strings(&py[name]),
                            "seed {seed}, {case} ({}): {name} is read wrong",
                            file.display()
                        );
                    }
                }
                Err(e) => {
                    let e = e.to_string();
                    let at = format!("{}:", file.display());
                    let line_given = e
                        .strip_prefix(&at)
                        .and_then(|rest| rest.split(':').next())
                        .is_some_and(|l| l.parse::<usize>().is_ok());
                    assert!(
                        line_given,
                        "seed {seed}, {case}: the error must name the file and line: {e}"
                    );
                }
            }
        }
    }
}
