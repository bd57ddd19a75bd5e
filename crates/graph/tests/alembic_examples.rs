//! Examples from the verified Alembic reference (`shared/reference/alembic-semantics.md`),
//! each written as `shape [rows] command target` gives steps and rows.

use stratum_graph::{GraphError, Revision, RevisionMap};

fn rev(id: &str, down: &[&str]) -> Revision {
    Revision::new(id, down)
}

fn labelled(id: &str, down: &[&str], label: &str) -> Revision {
    Revision {
        branch_labels: vec![label.into()],
        ..rev(id, down)
    }
}

fn map(revs: Vec<Revision>) -> RevisionMap {
    RevisionMap::new(revs).unwrap_or_else(|e| panic!("{e}"))
}

fn rows(r: &[&str]) -> Vec<String> {
    r.iter().map(|s| s.to_string()).collect()
}

fn steps(m: &RevisionMap, up: bool, start: &[&str], target: &str) -> Vec<String> {
    let plan = if up {
        m.plan_upgrade(&rows(start), target)
    } else {
        m.plan_downgrade(&rows(start), target)
    };
    plan.unwrap_or_else(|e| panic!("{target}: {e}"))
        .steps
        .into_iter()
        .map(|s| s.revision)
        .collect()
}

fn final_rows(m: &RevisionMap, up: bool, start: &[&str], target: &str) -> Vec<String> {
    let plan = if up {
        m.plan_upgrade(&rows(start), target)
    } else {
        m.plan_downgrade(&rows(start), target)
    };
    let mut r = plan.unwrap_or_else(|e| panic!("{target}: {e}")).rows_after;
    r.sort();
    r
}

fn linear5() -> RevisionMap {
    map(vec![
        rev("aaaa1", &[]),
        rev("bbbb2", &["aaaa1"]),
        rev("cccc3", &["bbbb2"]),
        rev("dddd4", &["cccc3"]),
        rev("eeee5", &["dddd4"]),
    ])
}

/// a - b - c1 (c1branch) - d1, and b - c2 - d2.
fn branched() -> RevisionMap {
    map(vec![
        rev("a", &[]),
        rev("b", &["a"]),
        labelled("c1", &["b"], "c1branch"),
        rev("c2", &["b"]),
        rev("d1", &["c1"]),
        rev("d2", &["c2"]),
    ])
}

#[test]
fn the_head_that_loads_first_is_upgraded_last() {
    assert_eq!(
        steps(&branched(), true, &["a"], "heads"),
        ["b", "c2", "d2", "c1", "d1"]
    );
    let reordered = map(vec![
        rev("a", &[]),
        rev("b", &["a"]),
        rev("c2", &["b"]),
        labelled("c1", &["b"], "c1branch"),
        rev("d2", &["c2"]),
        rev("d1", &["c1"]),
    ]);
    assert_eq!(
        steps(&reordered, true, &["a"], "heads"),
        ["b", "c1", "d1", "c2", "d2"]
    );
}

#[test]
fn a_diamond_runs_the_second_parent_first() {
    let m = map(vec![
        rev("a", &[]),
        rev("b1", &["a"]),
        rev("b2", &["a"]),
        rev("c", &["b1", "b2"]),
        rev("d", &["c"]),
    ]);
    assert_eq!(steps(&m, true, &[], "d"), ["a", "b2", "b1", "c", "d"]);
    assert_eq!(final_rows(&m, true, &[], "d"), ["d"]);
}

#[test]
fn upgrading_to_an_ancestor_is_a_silent_no_op() {
    assert!(steps(&linear5(), true, &["cccc3"], "aaaa1").is_empty());
    assert!(steps(&linear5(), true, &["cccc3"], "base").is_empty());
}

#[test]
fn relative_and_partial_targets() {
    let m = linear5();
    assert_eq!(steps(&m, true, &["bbbb2"], "+2"), ["cccc3", "dddd4"]);
    assert_eq!(steps(&m, true, &[], "bbbb2+1"), ["aaaa1", "bbbb2", "cccc3"]);
    assert_eq!(steps(&m, false, &["eeee5"], "-2"), ["eeee5", "dddd4"]);
    assert_eq!(
        steps(&m, true, &["cccc3"], "e"),
        ["dddd4", "eeee5"],
        "a partial id of any length resolves"
    );
    assert_eq!(
        final_rows(&m, false, &["eeee5"], "base"),
        Vec::<String>::new()
    );
    assert!(matches!(
        m.plan_upgrade(&rows(&["aaaa1"]), "-1"),
        Err(GraphError::RelativeTooFar { .. })
    ));
    assert!(matches!(
        m.plan_upgrade(&rows(&[]), "head+1"),
        Err(GraphError::WalkedTooFar { .. })
    ));
    assert!(matches!(
        m.plan_downgrade(&rows(&["eeee5"]), "zzzz"),
        Err(GraphError::NotFound { .. })
    ));
}

#[test]
fn downgrading_a_merge_point_leaves_one_row_per_parent() {
    let m = map(vec![
        rev("a", &[]),
        rev("b", &["a"]),
        rev("c1", &["b"]),
        rev("c2", &["b"]),
        rev("d1", &["c1"]),
        rev("d2", &["c2"]),
        rev("e", &["d1", "d2"]),
        rev("f", &["e"]),
    ]);
    assert_eq!(
        steps(&m, true, &["b"], "f"),
        ["c2", "d2", "c1", "d1", "e", "f"]
    );
    assert_eq!(final_rows(&m, false, &["f"], "d1"), ["d1", "d2"]);
}

#[test]
fn label_at_base_in_a_single_root_tree_drops_every_branch() {
    assert_eq!(
        steps(&branched(), false, &["d1", "d2"], "c1branch@base"),
        ["d1", "c1", "d2", "c2", "b", "a"]
    );
}

#[test]
fn a_bare_label_names_the_revision_that_declares_it() {
    let m = map(vec![labelled("a", &[], "abranch"), rev("b", &["a"])]);
    assert_eq!(steps(&m, true, &[], "abranch"), ["a"]);
}

#[test]
fn a_revision_only_depended_on_is_implied_by_its_dependent() {
    // effective_head: x1 <- y1 <- y2, and y2 depends on x1... expressed as two roots.
    let m = map(vec![
        rev("x1", &[]),
        rev("y1", &[]),
        Revision {
            depends_on: vec!["x1".into()],
            ..rev("y2", &["y1"])
        },
    ]);
    assert_eq!(steps(&m, true, &[], "y2"), ["x1", "y1", "y2"]);
    assert_eq!(final_rows(&m, true, &[], "y2"), ["y2"]);
    assert_eq!(m.heads(), ["x1", "y2"], "x1 counts as an (effective) head");
    assert_eq!(m.real_heads(), ["y2"]);
}

#[test]
fn stamp_moves_rows_without_running_anything() {
    let m = branched();
    let plan = m
        .plan_stamp(&rows(&["c2", "d1"]), &["b".into()], false)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plan.rows_after, ["b"]);
    let plan = m
        .plan_stamp(&rows(&["d1"]), &["c2".into()], false)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plan.rows_after, ["d1", "c2"]);
    let plan = m
        .plan_stamp(&rows(&["c2", "d1"]), &["c1branch@base".into()], false)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plan.rows_after, ["c2"]);
    assert!(
        m.plan_stamp(&rows(&[]), &["-1".into()], false).is_err(),
        "stamp has no relative syntax"
    );
}

#[test]
fn loading_errors_name_the_revision() {
    let e = RevisionMap::new(vec![rev("a", &[]), rev("b", &["zzz"])]).expect_err("missing parent");
    assert_eq!(
        e.to_string(),
        "revision 'b' has down_revision 'zzz', which does not exist"
    );
    let e = RevisionMap::new(vec![rev("a", &[]), rev("b", &["c"]), rev("c", &["b"])])
        .expect_err("cycle");
    assert_eq!(e.to_string(), "the revisions 'b', 'c' form a cycle");
    let e = RevisionMap::new(vec![rev("a-b", &[])]).expect_err("forbidden");
    assert!(e.to_string().contains("'-'"), "{e}");
}

#[test]
fn ten_thousand_revisions_plan_without_trouble() {
    let mut revs = vec![rev("r0", &[])];
    for i in 1..10_000 {
        revs.push(rev(&format!("r{i}"), &[&format!("r{}", i - 1)]));
    }
    let m = map(revs);
    assert_eq!(m.heads(), ["r9999"]);
    assert_eq!(
        m.plan_upgrade(&[], "head")
            .map(|p| p.steps.len())
            .unwrap_or(0),
        10_000
    );
    assert_eq!(
        m.plan_downgrade(&rows(&["r9999"]), "base")
            .map(|p| p.steps.len())
            .unwrap_or(0),
        10_000
    );
}
