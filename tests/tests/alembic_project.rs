//! An Alembic project opened from its alembic.ini, its Python revisions read without running
//! Python: the sample project's Alembic twin has the same graph, messages and plans as the
//! native sample.

use stratum_project::Project;
use stratum_tests::oracle::python;
use stratum_tests::{repo, sample_project};

#[test]
fn the_alembic_twin_reads_as_the_same_graph_and_plans_as_the_native_sample() {
    let twin = Project::open(&repo().join("examples/kontali-erp-alembic/alembic.ini"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(twin.alembic().is_some(), "an Alembic project");
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
    let p = Project::open(root).unwrap_or_else(|e| panic!("{e}"));
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
    let err = Project::open(root)
        .map(|_| ())
        .expect_err("it is refused")
        .to_string();
    assert!(
        err.contains("broken.py:") && err.contains("not valid Python"),
        "{err}"
    );
}

#[test]
fn the_alembic_twin_is_upgraded_and_downgraded_on_postgresql_through_its_own_alembic() {
    let Some(python) = python() else { return };
    if !stratum_tests::server_available(stratum_db::Engine::Postgres) {
        return;
    }
    let db = stratum_tests::ScratchDb::new(stratum_db::Engine::Postgres);
    let twin = repo()
        .join("examples/kontali-erp-alembic")
        .display()
        .to_string();
    // SQLAlchemy's URL, with the driver the virtualenv has (as a team's alembic.ini names it).
    let url = db
        .url
        .replacen("postgresql://", "postgresql+psycopg2://", 1);
    let run = |args: &[&str]| {
        std::process::Command::new(stratum_tests::stratum_bin())
            .args(["--project", &twin, "--url", &url])
            .args(args)
            .env_remove("STRATUM_DATABASE_URL")
            .env("STRATUM_PYTHON", &python)
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let o = run(&["upgrade", "heads"]);
    assert!(o.status.success(), "{}", stratum_tests::text(&o));
    assert!(
        stratum_tests::text(&o).contains("Running upgrade"),
        "Alembic's own log is streamed: {}",
        stratum_tests::text(&o)
    );
    assert_eq!(db.version_rows(), vec!["007"]);
    assert!(db.tables().contains(&"report_snapshots".to_string()));
    let o = run(&["current"]);
    assert!(
        stratum_tests::text(&o).contains("007 (head)"),
        "{}",
        stratum_tests::text(&o)
    );
    let o = run(&["downgrade", "-1"]);
    assert!(o.status.success(), "{}", stratum_tests::text(&o));
    assert_eq!(db.version_rows(), vec!["006"]);
    let o = run(&["downgrade", "base"]);
    assert!(o.status.success(), "{}", stratum_tests::text(&o));
    assert_eq!(db.tables(), Vec::<String>::new());
    let o = run(&["upgrade", "heads", "--sql"]);
    assert!(
        o.status.success() && String::from_utf8_lossy(&o.stdout).contains("CREATE TABLE clients"),
        "{}",
        stratum_tests::text(&o)
    );
    assert_eq!(
        db.version_rows(),
        Vec::<String>::new(),
        "--sql runs nothing"
    );

    // A wrong password fails in Alembic's words, without the password.
    let bad = std::process::Command::new(stratum_tests::stratum_bin())
        .args([
            "--project",
            &twin,
            "--url",
            "postgresql+psycopg2://stratum_pw_test:not-the-password@127.0.0.1:5432/postgres",
            "upgrade",
            "heads",
        ])
        .env_remove("STRATUM_DATABASE_URL")
        .env("STRATUM_PYTHON", &python)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        !stratum_tests::text(&bad).contains("not-the-password"),
        "{}",
        stratum_tests::text(&bad)
    );
}

#[test]
fn an_alembic_folder_is_planned_without_python_as_the_native_sample_is() {
    let twin = repo()
        .join("examples/kontali-erp-alembic")
        .display()
        .to_string();
    let native = sample_project().display().to_string();
    for args in [
        ["upgrade", "heads", "--plan", "--from", "003"],
        ["downgrade", "base", "--plan", "--from", "007"],
        ["upgrade", "reporting@head", "--plan", "--from", "base"],
    ] {
        let plan = |project: &str| {
            let mut all = vec!["--project", project, "--json"];
            all.extend_from_slice(&args);
            let o = stratum_tests::stratum(&all);
            assert!(o.status.success(), "{}", stratum_tests::text(&o));
            let v: serde_json::Value =
                serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
            v["steps"].clone()
        };
        assert_eq!(plan(&twin), plan(&native), "{args:?}");
    }
}

#[test]
fn here_in_the_ini_is_its_folder_made_absolute_even_when_the_ini_is_named_relatively() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let team = dir.path().join("team");
    std::fs::create_dir_all(team.join("migrations/versions")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        team.join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/migrations\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        team.join("migrations/versions/a_first.py"),
        "revision = 'a'\ndown_revision = None\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = std::process::Command::new(stratum_tests::stratum_bin())
        .current_dir(dir.path())
        .args(["--project", "team/alembic.ini", "heads"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(o.status.success(), "{}", stratum_tests::text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("a (head)"),
        "{}",
        stratum_tests::text(&o)
    );
}

/// A revision file as `alembic revision` writes one, creating `table` on the way up.
fn alembic_revision(id: &str, down: &str, extra: &str, table: &str) -> String {
    format!(
        "\"\"\"add {table}\n\nRevision ID: {id}\n\"\"\"\nfrom alembic import op\n\n\
         revision = '{id}'\ndown_revision = {down}\n{extra}\n\n\
         def upgrade():\n    op.execute('CREATE TABLE {table} (id INTEGER PRIMARY KEY)')\n\n\n\
         def downgrade():\n    op.execute('DROP TABLE {table}')\n"
    )
}

/// The first word of each line Alembic printed (`ccc (head)` is `ccc`), sorted.
fn ids(out: &[u8]) -> Vec<String> {
    let mut ids: Vec<String> = String::from_utf8_lossy(out)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    ids.sort();
    ids
}

/// The revisions `alembic history` lists (`aaa -> bbb (head), add orders` is `bbb`), sorted.
fn history_ids(out: &[u8]) -> Vec<String> {
    let mut ids: Vec<String> = String::from_utf8_lossy(out)
        .lines()
        .filter_map(|l| l.split_once("-> "))
        .filter_map(|(_, rest)| rest.split_whitespace().next())
        .map(|id| id.trim_end_matches(',').to_string())
        .collect();
    ids.sort();
    ids
}

#[test]
fn a_project_alembic_init_t_pyproject_made_is_read_and_run_as_alembic_reads_and_runs_it() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    let alembic = |args: &[&str]| {
        let o = std::process::Command::new(&python)
            .args(["-m", "alembic"])
            .args(args)
            .current_dir(root)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            o.status.success(),
            "alembic {args:?}: {}",
            stratum_tests::text(&o)
        );
        o.stdout
    };
    alembic(&["init", "-t", "pyproject", "migrations"]);
    // Two version locations, one read recursively, as a team with a reports module has them.
    let toml_path = root.join("pyproject.toml");
    let toml = std::fs::read_to_string(&toml_path).unwrap_or_else(|e| panic!("{e}"));
    assert!(toml.contains("[tool.alembic]"), "{toml}");
    let toml = toml.replacen(
        "[tool.alembic]\n",
        "[tool.alembic]\nversion_locations = [\"%(here)s/migrations/versions\", \"%(here)s/reports\"]\nrecursive_version_locations = true\n",
        1,
    );
    std::fs::write(&toml_path, toml).unwrap_or_else(|e| panic!("{e}"));
    let reports = root.join("reports/2026");
    std::fs::create_dir_all(&reports).unwrap_or_else(|e| panic!("{e}"));
    let versions = root.join("migrations/versions");
    let write = |path: std::path::PathBuf, text: String| {
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"))
    };
    write(
        versions.join("aaa_users.py"),
        alembic_revision("aaa", "None", "", "users"),
    );
    write(
        versions.join("bbb_orders.py"),
        alembic_revision("bbb", "'aaa'", "", "orders"),
    );
    write(
        reports.join("rrr_reports.py"),
        alembic_revision("rrr", "'aaa'", "branch_labels = ('reports',)", "reports"),
    );

    let ours = |root: &std::path::Path| {
        let p = Project::open(root).unwrap_or_else(|e| panic!("{e}"));
        let mut heads: Vec<String> = p.map.heads().iter().map(|h| h.to_string()).collect();
        heads.sort();
        let mut all: Vec<String> = p.files.iter().map(|f| f.id().to_string()).collect();
        all.sort();
        (heads, all)
    };
    let (heads, all) = ours(root);
    assert_eq!(heads, ids(&alembic(&["heads"])));
    assert_eq!(heads, ["bbb", "rrr"]);
    assert_eq!(
        all,
        history_ids(&alembic(&["history"])),
        "the revision in the sub-folder of the second location is found, as by Alembic"
    );

    // Without the ini (env.py can set the URL), pyproject.toml alone is the configuration,
    // for Alembic and for Stratum; the run goes through the project's Alembic all the same.
    std::fs::remove_file(root.join("alembic.ini")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ours(root).0, ids(&alembic(&["heads"])));
    let db = root.join("erp.db");
    let url = format!("sqlite:///{}", db.display());
    let o = std::process::Command::new(stratum_tests::stratum_bin())
        .args(["--project", &root.display().to_string(), "--url", &url])
        .args(["upgrade", "heads"])
        .env_remove("STRATUM_DATABASE_URL")
        .env("STRATUM_PYTHON", &python)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(o.status.success(), "{}", stratum_tests::text(&o));
    let o = std::process::Command::new(stratum_tests::stratum_bin())
        .args(["--project", &root.display().to_string(), "--url", &url])
        .args(["current"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let current = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        current.contains("bbb") && current.contains("rrr"),
        "both heads applied: {}",
        stratum_tests::text(&o)
    );
}

#[test]
fn a_broken_pyproject_toml_that_configures_alembic_is_named_with_its_error() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.alembic]\nscript_location = \"%(here)s/migrations\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let err = Project::open(dir.path())
        .map(|_| ())
        .expect_err("it is refused")
        .to_string();
    assert!(
        err.contains("pyproject.toml") && err.contains("line 2"),
        "what and where, not 'not a project': {err}"
    );
    // A pyproject.toml of some other tool is not an Alembic project.
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.black]\nline-length = 99\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let err = Project::open(dir.path())
        .map(|_| ())
        .expect_err("it is refused")
        .to_string();
    assert!(err.contains("not a migration project"), "{err}");
}
