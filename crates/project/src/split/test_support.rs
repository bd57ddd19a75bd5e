//! Helpers shared by the splitter's tests, which mostly compare what `split` returns.

use super::{split, SplitError, Statement};
use crate::dialect::Dialect;

pub(super) const ALL: [Dialect; 3] = [Dialect::Postgres, Dialect::MySql, Dialect::Sqlite];

pub(super) fn statements(body: &str, d: Dialect) -> Vec<Statement> {
    split(body, d).unwrap_or_else(|e| panic!("{d:?}: {e}\n{body}"))
}

pub(super) fn sqls(body: &str, d: Dialect) -> Vec<String> {
    statements(body, d).into_iter().map(|s| s.sql).collect()
}

pub(super) fn lines(body: &str, d: Dialect) -> Vec<usize> {
    statements(body, d).into_iter().map(|s| s.line).collect()
}

pub(super) fn count(body: &str, d: Dialect) -> usize {
    statements(body, d).len()
}

pub(super) fn error(body: &str, d: Dialect) -> SplitError {
    match split(body, d) {
        Ok(stmts) => panic!("{d:?}: expected an error, got {stmts:?}"),
        Err(e) => e,
    }
}
