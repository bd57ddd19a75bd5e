//! The log support asks for: `--verbose` shows each step and its time on stderr, and the same
//! lines are in the rotating file in the data folder's `logs`, whether or not `--verbose` was
//! given; a data folder that cannot be written costs the log, never the command.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const REVISIONS: [&str; 7] = ["001", "002", "003", "004", "005", "006", "007"];

fn sample_project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/kontali-erp")
}

/// `stratum` on the sample project and a fresh SQLite database in `dir`, with its data folder
/// at `data`.
fn stratum(dir: &Path, data: &Path, args: &[&str]) -> Output {
    stratum_on(&sample_project(), dir, data, args)
}

/// `stratum` on `project` and a fresh SQLite database in `dir`, with its data folder at `data`.
fn stratum_on(project: &Path, dir: &Path, data: &Path, args: &[&str]) -> Output {
    let url = format!("sqlite:///{}", dir.join("erp.db").display());
    Command::new(env!("CARGO_BIN_EXE_stratum"))
        .arg("--data-dir")
        .arg(data)
        .arg("--project")
        .arg(project)
        .arg("--url")
        .arg(url)
        .args(args)
        .env_remove("STRATUM_DATABASE_URL")
        .env_remove("STRATUM_PROJECT")
        .output()
        .unwrap_or_else(|e| panic!("cannot run stratum: {e}"))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every log file in the data folder, read as one text.
fn log_files(data: &Path) -> (Vec<String>, String) {
    let mut names = Vec::new();
    let mut text = String::new();
    for entry in std::fs::read_dir(data.join("logs"))
        .unwrap_or_else(|e| panic!("no log folder in {}: {e}", data.display()))
        .flatten()
    {
        names.push(entry.file_name().to_string_lossy().into_owned());
        text.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
    }
    (names, text)
}

fn step_finished(text: &str, revision: &str) -> bool {
    text.lines().any(|l| {
        l.contains("step finished")
            && l.contains(&format!("revision={revision} "))
            && l.contains("ms=")
    })
}

#[test]
fn verbose_prints_each_step_and_its_time_and_the_log_file_keeps_them() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().join("data");
    let run = stratum(dir.path(), &data, &["--verbose", "upgrade", "head"]);
    let said = stderr(&run);
    assert!(run.status.success(), "{said}");
    assert!(said.contains("planned steps=7"), "{said}");
    for r in REVISIONS {
        assert!(
            step_finished(&said, r),
            "no time for {r} on stderr:\n{said}"
        );
    }
    assert!(said.contains("operation succeeded"), "{said}");

    let (names, logged) = log_files(&data);
    let day = names
        .iter()
        .find_map(|n| n.strip_prefix("stratum.log."))
        .unwrap_or_else(|| panic!("no stratum.log.DAY in {names:?}"));
    assert!(
        chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok(),
        "{names:?}"
    );
    for r in REVISIONS {
        assert!(
            step_finished(&logged, r),
            "no time for {r} in the file:\n{logged}"
        );
    }
    assert!(logged.contains("op=\"upgrade\" to=head"), "{logged}");
}

#[test]
fn without_verbose_stderr_stays_as_it_was_and_the_file_still_has_the_steps() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().join("data");
    let run = stratum(dir.path(), &data, &["upgrade", "003"]);
    let said = stderr(&run);
    assert!(run.status.success(), "{said}");
    assert!(!said.contains("step finished"), "{said}");
    assert!(said.contains("[1/3] upgrade 001"), "{said}");
    let (_, logged) = log_files(&data);
    for r in ["001", "002", "003"] {
        assert!(step_finished(&logged, r), "{logged}");
    }
}

#[test]
fn a_data_folder_that_cannot_be_written_costs_the_log_not_the_command() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // A folder under a plain file cannot be made, even by root.
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "").unwrap_or_else(|e| panic!("{e}"));
    let data = blocker.join("data");
    let run = stratum(dir.path(), &data, &["--verbose", "upgrade", "head"]);
    let said = stderr(&run);
    assert!(run.status.success(), "{said}");
    assert!(said.contains("no log file in"), "{said}");
    assert!(step_finished(&said, "007"), "{said}");
}

/// A one-revision project whose only statement runs for over a second (sqlx's threshold for
/// recording a "slow statement" with its text) and carries a secret in a literal.
fn slow_project(dir: &Path, secret: &str) -> PathBuf {
    let project = dir.join("slow-project");
    let versions = project.join("versions");
    std::fs::create_dir_all(&versions).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        project.join("stratum.toml"),
        "[project]\nversions = \"versions\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let revision = format!(
        "-- revision: 5a0\n-- down_revision:\n-- message: slow\n\n-- migrate:up\n\
         CREATE TABLE counted AS SELECT count(*) AS n, '{secret}' AS pw FROM \
         (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 6000000) \
         SELECT x FROM c);\n\n-- migrate:down\nDROP TABLE counted;\n"
    );
    std::fs::write(versions.join("5a0_slow.sql"), revision).unwrap_or_else(|e| panic!("{e}"));
    project
}

#[test]
fn a_slow_statement_is_timed_in_the_log_but_its_text_is_not_copied_there() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().join("data");
    let secret = "s3cret-in-a-literal";
    let project = slow_project(dir.path(), secret);
    let run = stratum_on(
        &project,
        dir.path(),
        &data,
        &["--verbose", "upgrade", "head"],
    );
    let said = stderr(&run);
    assert!(run.status.success(), "{said}");
    let (_, logged) = log_files(&data);
    let ms: u64 = logged
        .lines()
        .find(|l| l.contains("step finished") && l.contains("revision=5a0 "))
        .and_then(|l| l.split("ms=").nth(1))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no time for the step in the log:\n{logged}"));
    assert!(
        ms >= 1000,
        "the statement took {ms} ms, under the second that makes sqlx record it: this test needs a slower one"
    );
    assert!(
        !logged.contains(secret),
        "the statement's text is in the log:\n{logged}"
    );
    assert!(
        !said.contains(secret),
        "the statement's text is on stderr:\n{said}"
    );
}
