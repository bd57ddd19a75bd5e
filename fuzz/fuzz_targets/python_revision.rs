//! An Alembic revision file read without running Python, and the version table an `env.py`
//! names: a revision or an error naming the file and a line in it, never a panic or a hang.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use stratum_project::{env_version_table_in, ProjectError, PythonRevision};

const PATH: &str = "versions/x.py";

fuzz_target!(|text: &str| {
    // Python reads CR and CRLF as line ends; a line after the last one is the end of the file.
    let lines = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .matches('\n')
        .count()
        + 1;
    match PythonRevision::parse(Path::new(PATH), text, &Default::default()) {
        Ok(r) => assert!(!r.revision.id.is_empty()),
        Err(ProjectError::Parse { path, line, .. } | ProjectError::Computed { path, line, .. }) => {
            assert_eq!(path, Path::new(PATH));
            assert!((1..=lines).contains(&line), "line {line} of {lines}");
        }
        Err(other) => panic!("not an error naming a line: {other}"),
    }
    let _ = env_version_table_in(text);
});
