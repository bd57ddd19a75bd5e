//! A native revision file: its header and sections, then every body split for every dialect.
//! A file or an error naming the file and a line in it, never a panic or a hang.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use stratum_project::{Dialect, ProjectError, RevisionFile};

const PATH: &str = "versions/001_fuzz.sql";

fn names_a_line(e: &ProjectError, text: &str) {
    let lines = text.matches('\n').count() + 1;
    match e {
        ProjectError::Parse { path, line, .. } => {
            assert_eq!(path, Path::new(PATH));
            assert!((1..=lines).contains(line), "{e}, of {lines} lines");
        }
        other => panic!("not a parse error naming a line: {other}"),
    }
}

fuzz_target!(|text: &str| {
    match RevisionFile::parse(Path::new(PATH), text) {
        Ok(file) => {
            for up in [true, false] {
                for dialect in Dialect::ALL {
                    if let Err(e) = file.statements(up, dialect) {
                        names_a_line(&e, text);
                    }
                }
            }
        }
        Err(e) => names_a_line(&e, text),
    }
});
