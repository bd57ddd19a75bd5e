//! Every malformed project in `fixtures/malformed/` gets its own clear error, naming the file
//! and line, with exit code 2, and nothing runs.

use stratum_db::Engine;
use stratum_tests::{repo, stratum, text, ScratchDb};

fn cases() -> Vec<std::path::PathBuf> {
    let dir = repo().join("tests/fixtures/malformed");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

#[test]
fn each_malformed_project_is_refused_with_its_own_message() {
    let cases = cases();
    assert!(cases.len() >= 15, "the corpus shrank to {}", cases.len());
    for case in cases {
        let expected = std::fs::read_to_string(case.join("expected.txt")).unwrap_or_default();
        let project = case.to_string_lossy().to_string();
        let out = stratum(&[
            "--project",
            &project,
            "upgrade",
            "head",
            "--sql",
            "--dialect",
            "postgresql",
        ]);
        let said = text(&out);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}: expected exit code 2 (bad input), got {:?}: {said}",
            case.display(),
            out.status.code()
        );
        for line in expected.lines().filter(|l| !l.trim().is_empty()) {
            assert!(
                said.contains(line),
                "{}: the error should mention {line:?}, but said: {said}",
                case.display()
            );
        }
        assert!(!said.contains("panicked"), "{}: {said}", case.display());
    }
}

#[test]
fn a_malformed_later_revision_stops_the_run_before_anything_runs() {
    let db = ScratchDb::new(Engine::Sqlite);
    let project = repo().join("tests/fixtures/malformed/unterminated_string");
    let out = stratum(&[
        "--project",
        &project.to_string_lossy(),
        "--url",
        &db.url,
        "upgrade",
        "head",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        db.tables().is_empty(),
        "revision 001 must not have run: {:?}",
        db.tables()
    );
    assert!(db.version_rows().is_empty());
}
