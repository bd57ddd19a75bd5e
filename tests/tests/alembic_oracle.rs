//! Stratum's planner against the real Alembic 1.20 on thousands of generated cases and on the
//! shapes of Alembic's own test suite: for every input Alembic accepts, the same steps in the
//! same order with the same version rows after each; where Alembic fails, Stratum fails too.

use stratum_tests::oracle::{check, python, run_py};
use stratum_tests::repo;

#[test]
fn generated_graphs_plan_exactly_like_alembic() {
    let Some(python) = python() else { return };
    for seed in ["1", "2"] {
        let spec = run_py(&python, &["generate.py", "--seed", seed, "--graphs", "150"]);
        check(spec, &python, &format!("seed {seed}"));
    }
}

#[test]
fn the_shapes_of_alembics_own_tests_plan_exactly_like_alembic() {
    let Some(python) = python() else { return };
    let spec = std::fs::read(repo().join("tests/alembic_oracle/handpicked.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    check(spec, &python, "handpicked");
}
