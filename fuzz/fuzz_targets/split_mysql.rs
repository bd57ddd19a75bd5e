//! The statement splitter on MySql bodies: statements or an error naming a line, never a
//! panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stratum_project::{split, Dialect};

fuzz_target!(|body: &str| {
    let lines = body.matches('\n').count() + 1;
    match split(body, Dialect::MySql) {
        Ok(statements) => {
            for s in statements {
                assert!(
                    (1..=lines).contains(&s.line),
                    "statement line {} of {lines}",
                    s.line
                );
            }
        }
        Err(e) => assert!((1..=lines).contains(&e.line()), "{e}, of {lines} lines"),
    }
});
