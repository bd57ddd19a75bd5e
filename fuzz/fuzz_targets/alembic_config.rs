//! `alembic.ini` with the `pyproject.toml` beside it. The input is the ini, then a NUL byte
//! and the `pyproject.toml` when there is one; an input that starts with the NUL has no ini.
//! Options or an error naming one of the two files, never a panic or a hang.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use stratum_project::{AlembicIni, ProjectError};

const INI: &str = "/fuzz/project/alembic.ini";
const PYPROJECT: &str = "/fuzz/project/pyproject.toml";

fuzz_target!(|input: &str| {
    let (ini, pyproject) = match input.split_once('\0') {
        Some(("", toml)) => (None, Some(toml)),
        Some((ini, toml)) => (Some(ini), Some(toml)),
        None => (Some(input), None),
    };
    match AlembicIni::from_texts(Path::new(INI), ini, pyproject) {
        Ok(config) => {
            assert_eq!(config.path, Path::new(INI));
            let _ = config.source();
        }
        Err(ProjectError::Config { path, .. }) => {
            assert!(
                path == Path::new(INI) || path == Path::new(PYPROJECT),
                "{path:?}"
            );
        }
        Err(other) => panic!("not an error naming a configuration file: {other}"),
    }
});
