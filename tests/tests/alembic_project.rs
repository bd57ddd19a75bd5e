//! An Alembic project opened from its alembic.ini, its Python revisions read without running
//! Python: the sample project's Alembic twin has the same graph, messages and plans as the
//! native sample.

use std::collections::BTreeMap;

use stratum_project::{AlembicProject, Project};
use stratum_tests::{repo, sample_project};

#[test]
fn the_alembic_twin_reads_as_the_same_graph_and_plans_as_the_native_sample() {
    let twin = AlembicProject::open(
        &repo().join("examples/kontali-erp-alembic/alembic.ini"),
        &BTreeMap::new(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let native = Project::open(&sample_project()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(twin.files.len(), 7);
    assert_eq!(twin.map.heads(), native.map.heads());
    assert_eq!(twin.map.bases(), native.map.bases());
    let steps = |plan: stratum_graph::Plan| {
        plan.steps
            .into_iter()
            .map(|s| s.revision)
            .collect::<Vec<_>>()
    };
    for target in ["heads", "003", "reporting@head"] {
        assert_eq!(
            steps(
                twin.map
                    .plan_upgrade(&[], target)
                    .unwrap_or_else(|e| panic!("{e}"))
            ),
            steps(
                native
                    .map
                    .plan_upgrade(&[], target)
                    .unwrap_or_else(|e| panic!("{e}"))
            ),
            "upgrade to {target}"
        );
    }
    let down = |m: &stratum_graph::RevisionMap| {
        steps(
            m.plan_downgrade(&["007".to_string()], "base")
                .unwrap_or_else(|e| panic!("{e}")),
        )
    };
    assert_eq!(down(&twin.map), down(&native.map));
    for f in &twin.files {
        let n = native
            .file(&f.revision.id)
            .unwrap_or_else(|| panic!("{}", f.revision.id));
        assert_eq!(
            f.revision.down_revisions, n.revision.down_revisions,
            "{}",
            f.revision.id
        );
        assert_eq!(
            f.revision.branch_labels, n.revision.branch_labels,
            "{}",
            f.revision.id
        );
    }
}

#[test]
fn version_locations_recursive_folders_and_init_files_follow_alembic() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    let a = root.join("migrations/core");
    let b = root.join("migrations/reports/2025");
    std::fs::create_dir_all(&a).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(&b).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        root.join("alembic.ini"),
        "[alembic]\nscript_location = migrations\nversion_locations = %(here)s/migrations/core %(here)s/migrations/reports\nrecursive_version_locations = true\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(a.join("__init__.py"), "").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        a.join("first_one.py"),
        "\"\"\"create users\"\"\"\nrevision = 'aaa'\ndown_revision = None\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(b.join("named_differently.py"), "\"\"\"reports\"\"\"\nrevision: str = 'r.2'\ndown_revision = 'aaa'\nbranch_labels = ('reports',)\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let p = AlembicProject::open(&root.join("alembic.ini"), &BTreeMap::new())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        p.files.len(),
        2,
        "__init__.py is not a revision; the sub-folder is read"
    );
    assert_eq!(p.map.heads(), ["r.2"]);
    assert_eq!(p.files[1].message, "reports");

    // A broken file names itself and its line; nothing else is read past it.
    std::fs::write(b.join("broken.py"), "revision = 'b'\ndown_revision = (\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let err = AlembicProject::open(&root.join("alembic.ini"), &BTreeMap::new())
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("broken.py:") && err.contains("not valid Python"),
        "{err}"
    );
}
