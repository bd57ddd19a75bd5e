#!/usr/bin/env python3
"""Writes handpicked.json: the named shapes of the reference document
(/work/shared/reference/alembic-semantics.md), reconstructed from Alembic's own
tests/test_version_traversal.py and tests/test_revision.py, with

  1. the examples the reference gives, as cases with an `"expect"` block (checked by
     ../check_expect.py against the oracle's result), and
  2. a sweep per shape: every target form from every realistic version-row state, for
     upgrade and downgrade; stamp to every revision; current, heads, history, merge heads.

    python make_handpicked.py > handpicked.json

Revision ids are written exactly as in the tests (readable names where the tests use
util.rev_id(), which Alembic's own tests generate randomly; the load order here is the order
in which the tests create them, and "<shape>_reordered" is the reversed load order).
"""
import itertools
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from generate import ancestors, tips  # noqa: E402


def R(rev, down=(), labels=(), deps=(), fail=()):
    r = {"revision": rev, "down_revision": list(down), "branch_labels": list(labels), "depends_on": list(deps)}
    if fail:
        r["fail"] = list(fail)
    return r


LINEAR5 = ["e6239818bb3a", "548bbb905360", "b7ea43dc85e4", "1bbe33445780", "3975fb1a0125"]
la, lb, lc, ld, le = LINEAR5

SHAPES = {
    # RevisionPathTest
    "linear5": [R(la), R(lb, [la]), R(lc, [lb]), R(ld, [lc]), R(le, [ld])],
    # BranchedPathTest
    "branched": [R("a"), R("b", ["a"]), R("c1", ["b"], ["c1branch"]), R("d1", ["c1"]),
                 R("c2", ["b"], ["c2branch"]), R("d2", ["c2"])],
    # DiamondTest (test_revision.py)
    "diamond": [R("a"), R("b1", ["a"]), R("b2", ["a"]), R("c", ["b1", "b2"]), R("d", ["c"])],
    # MergedPathTest
    "merged": [R("a"), R("b", ["a"]), R("c1", ["b"]), R("d1", ["c1"]), R("c2", ["b"], ["c2branch"]),
               R("d2", ["c2"]), R("e", ["d1", "d2"]), R("f", ["e"])],
    # LabeledBranchTest (test_revision.py)
    "labeled": [R("a", labels=["abranch"]), R("b", ["a"]), R("somelongername", ["b"]), R("c", ["somelongername"]),
                R("d"), R("e", ["d"], ["ebranch"]), R("someothername", ["e"]), R("f", ["someothername"])],
    # MultipleBranchEffectiveHead-like: a head that exists only through depends_on
    "effective_head": [R("x1"), R("y1"), R("y2", ["y1"], deps=["x1"])],
    # MultipleBranchEffectiveHead (test_revision.py)
    "multiple_branch_effective_head": [R("y1", labels=["y"]), R("x1", labels=["x"]), R("y2", ["y1"], deps=["x1"]),
                                       R("x2", ["x1"])],
    # DependsOnBranchLabelTest
    "depends_on_branch_label": [R("a1", labels=["lib1"]), R("b1", ["a1"]), R("c1", ["b1"], ["c1lib"]), R("a2"),
                                R("b2", ["a2"]), R("c2", ["b2"], deps=["c1lib"]), R("d1", ["c1"]), R("e1", ["d1"]),
                                R("f1", ["e1"])],
    # DependsOnBranchTestOne
    "depends_branch_one": [R("a1", labels=["lib1"]), R("b1", ["a1"]), R("c1", ["b1"]), R("a2"), R("b2", ["a2"]),
                           R("c2", ["b2"], deps=["c1"]), R("d1", ["c1"]), R("e1", ["d1"]), R("f1", ["e1"])],
    # DependsOnBranchTestTwo
    "depends_branch_two": [R("a1"), R("a2"), R("a3"), R("amerge", ["a1", "a2", "a3"]), R("b1"), R("b2"),
                           R("bmerge", ["b1", "b2"]), R("c1"), R("c2"), R("c3"), R("cmerge", ["c1", "c2", "c3"]),
                           R("d1", deps=["a3", "b2", "c1"])],
    # DependsOnBranchTestThree (issue #377)
    "depends_crisscross": [R("a1"), R("a2", ["a1"]), R("b1"), R("b2", ["b1"], deps=["a2"]), R("b3", ["b2"]),
                           R("a3", ["a2"], deps=["b1"])],
    # DependsOnOwnDownrevTest (#843)
    "depends_own_downrev": [R("a1"), R("a2", ["a1"], deps=["a1"])],
    # DependsOnBranchTestFour (#789)
    "depends_branch_four": [R("a1"), R("a2", ["a1"]), R("a3", ["a2"]), R("b1"), R("b2", ["b1"], deps=["a3"]),
                            R("b3", ["b2"]), R("b4", ["b3"], deps=["a3"])],
    # DependsOnBranchTestFive (#1373)
    "depends_branch_five": [R("a1"), R("b1", deps=["a1"]), R("bmerge", ["a1", "b1"])],
    # a dependency-only head under a linear branch
    "merge_with_dep": [R("z1"), R("k1"), R("k2", ["k1"], deps=["z1"]), R("k3", ["k2"]), R("k4", ["k3"])],
    # BranchedPathTestCrossDependencies
    "branched_cross_dep": [R("a"), R("b", ["a"]), R("c1", ["b"], ["c1branch"]), R("d1", ["c1"]),
                           R("c2", ["b"], ["c2branch"]), R("d2", ["c2"], deps=["c1"])],
    # Reconstructed from the reference's one example (`[v1] stamp t2` leaves t2, t1 is
    # "forgotten"): two merges of the same parents, merged again.
    "merge_then_branch": [R("r1"), R("s1"), R("t1", ["r1", "s1"]), R("t2", ["r1", "s1"]), R("u1", ["t1", "t2"]),
                          R("v1", ["u1"])],
    # The same without the second merge (t2 is then unrelated to v1 for stamp).
    "twin_merges_one_continues": [R("r1"), R("s1"), R("t1", ["r1", "s1"]), R("t2", ["r1", "s1"]),
                                  R("u1", ["t1"]), R("v1", ["u1"])],
    # BranchFromMergepointTest
    "branch_from_mergepoint": [R("a1"), R("b1", ["a1"]), R("c1", ["b1"]), R("a2"), R("b2", ["a2"]), R("c2", ["b2"]),
                               R("d1", ["c1", "c2"]), R("d2", ["c2"])],
    # BranchFrom3WayMergepointTest
    "branch_from_3way_mergepoint": [R("a1"), R("b1", ["a1"]), R("c1", ["b1"]), R("a2"), R("b2", ["a2"]),
                                    R("c2", ["b2"]), R("a3"), R("b3", ["a3"]), R("c3", ["b3"]),
                                    R("d1", ["c1", "c2", "c3"]), R("d2", ["c2"]), R("d3", ["c3"])],
    # TwinMergeTest (#297)
    "twin_merge": [R("a"), R("b1", ["a"]), R("b2", ["a"]), R("b3", ["a"]), R("c1", ["b1", "b2", "b3"]),
                   R("c2", ["b1", "b2", "b3"]), R("d1", ["c1"]), R("d2", ["c2"])],
    # NotQuiteTwinMergeTest
    "not_quite_twin_merge": [R("a"), R("b1", ["a"]), R("b2", ["a"]), R("b3", ["a"]), R("c1", ["b1", "b2"]),
                             R("c2", ["b2", "b3"]), R("d1", ["c1"]), R("d2", ["c2"])],
    # ForestTest
    "forest": [R("a1"), R("b1", ["a1"]), R("a2"), R("b2", ["a2"])],
    # BranchTravellingTest (test_revision.py)
    "branch_travelling": [R("a1"), R("a2", ["a1"]), R("a3", ["a2"]), R("b1", ["a3"]), R("b2", ["a3"]),
                          R("cb1", ["b1"]), R("cb2", ["b2"]), R("db1", ["cb1"]), R("db2", ["cb2"]),
                          R("e1b1", ["db1"]), R("fe1b1", ["e1b1"]), R("e2b1", ["db1"]), R("e2b2", ["db2"]),
                          R("merge", ["e2b1", "e2b2"])],
    # GraphWithLoopTest.test_revision_dupe_head: overlapping substrings, dependency on own parent
    "overlapping_substrings": [R("user_foo"), R("user", ["user_foo"], deps=["user_foo"])],
    # revisions named like the keywords
    "reserved_word_ids": [R("base"), R("head", ["base"]), R("heads", ["head"])],
    # merges listing an ancestor of another parent
    "redundant_merge3": [R("a"), R("x", ["a"]), R("c", ["a"]), R("m", ["c", "x", "a"])],
    "redundant_merge2": [R("a"), R("x", ["a"]), R("c", ["a"]), R("m", ["c", "a"])],
    # migrations that raise
    "failing_up": [R("f1"), R("f2", ["f1"]), R("f3", ["f2"], fail=["up"])],
    "failing_branch": [R("h0"), R("h1", ["h0"]), R("h2", ["h0"], fail=["up"]), R("h3", ["h1"])],
    "failing_down": [R("g1"), R("g2", ["g1"], fail=["down"]), R("g3", ["g2"])],
}

# Graphs Alembic refuses to load (only a few commands each: every one fails the same way).
BROKEN = {
    "dupe_label": [R("a"), R("b", ["a"]), R("c", ["b"], ["xy1"]), R("d"), R("e", ["d"], ["xy1"]), R("f", ["e"])],
    "label_is_revision_id": [R("a"), R("b", ["a"], ["a"])],
    "simple_cycle": [R("a", ["c"]), R("b", ["a"]), R("c", ["b"])],
    "extra_simple_cycle": [R("a", ["c"]), R("b", ["a"]), R("c", ["b"]), R("d"), R("e", ["d"])],
    "lower_simple_cycle": [R("a", ["c"]), R("b", ["a"]), R("c", ["b"]), R("d", ["c"]), R("e", ["d"])],
    "dependency_cycle": [R("a"), R("b", ["a"], deps=["d"]), R("c", ["b"]), R("d", ["c"])],
    "solitary_loop": [R("a", ["a"])],
    "head_loop": [R("a"), R("b", ["a"]), R("c", ["b", "c"])],
    "dependency_self_loop": [R("a"), R("b", ["a"], deps=["b"])],
    "missing_parent": [R("a"), R("b", ["zzzz"])],
    "missing_dependency": [R("a"), R("b", ["a"], deps=["nosuch"])],
    "forbidden_character": [R("a"), R("a-b", ["a"])],
    "forbidden_characters": [R("a"), R("a@b+c", ["a"])],
    "duplicate_id": [R("a"), R("b", ["a"]), R("b", ["a"])],  # loads, with a warning
}


def case(start, command, *args, expect=None, **extra):
    c = {"start": list(start), "command": command, "args": list(args)}
    c.update(extra)
    if expect is not None:
        c["expect"] = expect
    return c


def steps(*revs):
    return {"steps": list(revs)}


# The reference's examples. `expect`: steps = revisions of the steps in order, rows = final
# rows (sorted), error_type / error_contains, warning_contains, result.
EXAMPLES = {
    "linear5": [
        case([lc], "upgrade", "3", expect={"steps": [ld, le], "rows": [le]}),
        case([lc], "upgrade", la, expect={"steps": [], "rows": [lc]}),
        case([lc], "upgrade", "head+1", expect={"error_type": "AssertionError", "rows": [lc]}),
        case([lc], "upgrade", "-1", expect={"error_contains": "Relative revision -1 didn't produce 1 migrations"}),
        case([lc], "upgrade", "+0", expect={"error_contains": "Relative revision 0 didn't produce 0 migrations"}),
        case([lc], "downgrade", "-0", expect={"error_contains": "Relative revision -0 didn't produce 0 migrations"}),
        case([lc], "downgrade", "+1", expect={"error_contains": "Relative revision +1 didn't produce 1 migrations"}),
        case([lb], "upgrade", "-2", expect={"error_contains": "Relative revision -2 didn't produce 2 migrations"}),
        case([lb], "upgrade", "+5", expect={"error_contains": "Relative revision +5 didn't produce 5 migrations"}),
        case([lb], "downgrade", "-5", expect={"error_contains": "Relative revision -5 didn't produce 5 migrations"}),
        case([], "downgrade", "-1", expect={"error_contains": "Relative revision -1 didn't produce 1 migrations"}),
        case([lc], "upgrade", f"{lc}+1zzz", expect={"steps": [ld], "rows": [ld]}),
        case([le], "downgrade", "-1abc", expect={"steps": [le], "rows": [ld]}),
        case([la], "upgrade", "+2", expect={"steps": [lb, lc], "rows": [lc]}),
        case([la], "upgrade", f"{lb}+2", expect={"steps": [lb, lc, ld], "rows": [ld]}),
        case([la], "upgrade", f"{ld}-2", expect={"steps": [lb], "rows": [lb]}),
        case([ld], "downgrade", f"{la}+2", expect={"steps": [ld], "rows": [lc]}),
        case([ld], "downgrade", f"{lc}-2", expect={"steps": [ld, lc, lb], "rows": [la]}),
        case([le], "downgrade", "-3", expect={"steps": [le, ld, lc], "rows": [lb]}),
        case([la], "downgrade", la, expect={"steps": [], "rows": [la]}),
        case([le], "downgrade", le, expect={"steps": [], "rows": [le]}),
        case([], "downgrade", "base", expect={"steps": [], "rows": []}),
        case([], "downgrade", lb[:3], expect={"error_contains": f"Destination {lb[:3]} is not a valid downgrade target"}),
        case([lb], "downgrade", lc[:4], expect={"error_contains": f"Destination {lc[:4]} is not a valid downgrade target"}),
        case([lc], "downgrade", "base+0", expect={"error_contains": "Walked too far"}),
        case([lc], "downgrade", "base+9", expect={"error_contains": "Walked too far"}),
        case([lc], "upgrade", "", expect={"error_type": "AssertionError"}),
        case([lc], "upgrade", "HEAD", expect={"error_contains": "Can't locate revision identified by 'HEAD'"}),
        case([lc], "upgrade", " head", expect={"error_contains": "Can't locate revision identified by ' head'"}),
        case([lc], "upgrade", "zz", expect={"error_contains": "Can't locate revision identified by 'zz'"}),
        case([lc], "upgrade", f"{la}:{le}", expect={"error_contains": "Range revision not allowed"}),
        case(["deadbeef0000"], "upgrade", "head",
             expect={"error_contains": "Can't locate revision identified by 'deadbeef0000'"}),
        # a partial id in a row resolves; the row itself stays (the first step INSERTs)
        case([lc[:6]], "upgrade", "head", expect={"steps": [ld, le], "rows": [le, lc[:6]]}),
        case([la, lc], "upgrade", "head", expect={"error_contains": "overlaps with other requested revisions"}),
        case([ld], "stamp", "base", expect={"rows": []}),
        case([lc], "stamp", "-1", expect={"error_contains": "Can't locate revision identified by '-1'"}),
        case([lc], "stamp", "+1", expect={"error_contains": "Can't locate revision identified by '+1'"}),
        case([], "upgrade_sql", f"{la}:{lc}",
             expect={"steps": [lb, lc], "sql_contains": f"UPDATE alembic_version SET version_num='{lc}'"}),
        case([], "upgrade_sql", lb, expect={"steps": [la, lb], "sql_contains": "CREATE TABLE alembic_version"}),
        case([], "downgrade_sql", lb, expect={"error_contains": "downgrade with --sql requires <fromrev>:<torev>"}),
        case([], "downgrade_sql", f"{lc}:base", expect={"steps": [lc, lb, la], "sql_contains": "DELETE FROM alembic_version"}),
        case([], "upgrade_sql", f"{la}:{lc}", transaction_per_migration=True, expect={"steps": [lb, lc]}),
        case([], "upgrade_sql", f"base:{lb}", dialect="sqlite", expect={"steps": [la, lb], "sql_contains": "RETURNING version_num"}),
        case([], "stamp_sql", f"{la}:{lc}", expect={"sql_contains": "-- Running stamp_revision"}),
        case([], "stamp_sql", f"{la}:{lc}", f"{lb}:{ld}",
             expect={"error_contains": "Stamp operation with --sql only supports a single starting revision"}),
        case([], "stamp_sql", lc, purge=True, expect={"error_contains": "Can't use --purge with --sql mode"}),
        case([lc], "history", "nope", expect={"error_contains": "History range requires"}),
        case([lc], "history", expect={"result": [le, ld, lc, lb, la]}),
        case([lc], "history", f"{lb}:{ld}", expect={"result": [ld, lc, lb]}),
        case([lc], "merge", "heads", rev_id="mmmm00000000", expect={"result": {"down_revision": le}}),
    ],
    "branched": [
        case(["a"], "upgrade", "heads", expect=steps("b", "c2", "d2", "c1", "d1")),
        case(["b"], "upgrade", "d1", expect={"steps": ["c1", "d1"], "rows": ["d1"]}),
        case([], "upgrade", "d1+1", expect={"error_type": "AssertionError"}),
        case(["d2"], "downgrade", "c1branch@-1", expect={"error_type": "AssertionError"}),
        case(["d1", "d2"], "downgrade", "c1branch@c2", expect={"steps": ["d2"], "rows": ["c2", "d1"]}),
        case(["d1", "d2"], "downgrade", "a@b", expect={"error_contains": "Not a valid downgrade target from current heads"}),
        case(["d1", "d2"], "downgrade", "c1branch@base", expect=steps("d1", "c1", "d2", "c2", "b", "a")),
        case(["d1", "d2"], "downgrade", "a", expect={"steps": ["d1", "c1", "d2", "c2", "b"], "rows": ["a"]}),
        case(["b"], "upgrade", "c2branch@head-1", expect={"steps": ["c2"], "rows": ["c2"]}),
        case(["d2", "d1"], "downgrade", "base+2", expect={"steps": ["d1", "c1", "d2", "c2"], "rows": ["b"]}),
        case(["d2", "d1"], "downgrade", "c2branch@base+2", expect={"steps": ["d2", "c2"], "rows": ["d1"]}),
        case(["d2", "d1"], "downgrade", "c2branch@base+3", expect={"steps": ["d2"], "rows": ["c2", "d1"]}),
        case(["d2", "d1"], "downgrade", "-1", expect={"steps": ["d2"], "rows": ["c2", "d1"],
                                                      "warning_contains": "downgrade -1 from multiple heads is ambiguous"}),
        case(["c2", "d1"], "downgrade", "-1", expect={"steps": ["c2"], "rows": ["d1"]}),
        case(["d1", "d2"], "downgrade", "-1", expect={"steps": ["d1"], "rows": ["c1", "d2"]}),
        case(["c1", "d2"], "downgrade", "-1", expect={"steps": ["c1"], "rows": ["d2"]}),
        case(["d1", "d2"], "downgrade", "c1branch@-1", expect={"steps": ["d1"], "rows": ["c1", "d2"]}),
        case(["d2", "c1"], "downgrade", "d2-1", expect={"steps": ["d2"], "rows": ["c1", "c2"]}),
        case(["c1", "d2"], "downgrade", "d2-1", expect={"steps": ["d2"], "rows": ["c1", "c2"]}),
        case(["c1", "d2"], "downgrade", "c1branch@b", expect={"steps": ["c1"], "rows": ["d2"]}),
        case(["c1", "d2"], "downgrade", "c2branch@b", expect={"steps": ["d2", "c2"], "rows": ["c1"]}),
        case(["d1", "d2"], "downgrade", "c2@b", expect={"steps": ["d2", "c2"], "rows": ["d1"]}),
        case(["d1", "d2"], "downgrade", "d1@b", expect={"steps": ["d1", "c1"], "rows": ["d2"]}),
        case(["d1", "d2"], "downgrade", "c1branch@head-1", expect={"steps": ["d1"], "rows": ["c1", "d2"]}),
        case(["c1"], "upgrade", "c2branch@+1", expect={"steps": ["c2"], "rows": ["c1", "c2"]}),
        case(["c1", "c2"], "upgrade", "c2branch@+1", expect={"steps": ["d2"], "rows": ["c1", "d2"]}),
        case(["c1", "c2"], "upgrade", "+1", expect={"error_contains": "Ambiguous upgrade from multiple current revisions"}),
        case([], "upgrade", "base+1", expect={"steps": ["a"], "rows": ["a"]}),
        case([], "upgrade", "+1", expect={"steps": ["a"], "rows": ["a"]}),
        case(["a"], "downgrade", "-1", expect={"steps": ["a"], "rows": []}),
        case(["d1", "c2"], "downgrade", "c2", expect={"steps": [], "rows": ["c2", "d1"]}),
        case(["d1", "c2"], "downgrade", "d1", expect={"steps": [], "rows": ["c2", "d1"]}),
        case(["d1", "d2"], "upgrade", "head", expect={"error_contains": "Multiple head revisions are present for given argument 'head'"}),
        case(["d1", "c2"], "stamp", "b", expect={"rows": ["b"]}),
        case(["d1", "c2"], "stamp", "c1branch@base", expect={"rows": ["c2"]}),
        case(["d1", "c2"], "stamp", "c2branch@head", expect={"rows": ["d1", "d2"]}),
        case(["c1", "d2"], "stamp", "d1", expect={"rows": ["d1", "d2"]}),
        case(["d1"], "stamp", "c2", expect={"rows": ["c2", "d1"]}),
        case(["d1"], "stamp", "head", expect={"error_contains": "Multiple heads are present; please specify a single target revision"}),
        case(["d1", "d2"], "stamp", "base", purge=True, expect={"rows": []}),
        case(["d1", "d2"], "stamp", "b", purge=True, expect={"rows": ["b"]}),
        case([], "heads", expect={"result": [{"revision": "d1", "real_head": True}, {"revision": "d2", "real_head": True}]}),
        case(["d1", "d2"], "merge", "heads", rev_id="mmmm00000000", expect={"result": {"down_revision": ["d1", "d2"]}}),
        case(["d1", "d2"], "merge", "d2", "d1", rev_id="mmmm00000000", branch_label="mlabel",
             expect={"result": {"down_revision": ["d2", "d1"], "branch_labels": ["mlabel"]}}),
        case([], "merge", "c1branch@head", "d2", rev_id="mmmm00000000", expect={"result": {"down_revision": ["d1", "d2"]}}),
        case([], "merge", "c1", "d2", rev_id="mmmm00000000", expect={"error_contains": "Revision c1 is not a head revision"}),
        case([], "merge", "c1", "d2", rev_id="mmmm00000000", splice=True, expect={"result": {"down_revision": ["c1", "d2"]}}),
        case([], "merge", "d1", "d1", rev_id="mmmm00000000", expect={"error_contains": "Duplicate head revisions specified"}),
        case([], "merge", "head", rev_id="mmmm00000000", expect={"error_contains": "please specify the head revision on which the new revision should be based"}),
        case([], "upgrade_sql", "heads", expect={"steps": ["a", "b", "c2", "d2", "c1", "d1"], "sql_contains": "BEGIN;"}),
    ],
    "branched_reordered": [
        case(["a"], "upgrade", "heads", expect=steps("b", "c1", "d1", "c2", "d2")),
    ],
    "diamond": [
        case([], "upgrade", "d", expect={"steps": ["a", "b2", "b1", "c", "d"], "rows": ["d"]}),
        case([], "history", expect={"result": ["d", "c", "b1", "b2", "a"]}),
    ],
    "merged": [
        case(["b"], "upgrade", "f", expect={"steps": ["c2", "d2", "c1", "d1", "e", "f"], "rows": ["f"]}),
        case(["f"], "downgrade", "b", expect={"steps": ["f", "e", "d1", "c1", "d2", "c2"], "rows": ["b"]}),
        case(["f"], "downgrade", "d1", expect={"rows": ["d1", "d2"]}),
        case(["c2", "d1"], "stamp", "e", expect={"rows": ["e"]}),
        case(["e"], "stamp", "c2", expect={"rows": ["c2"]}),
        case(["e"], "stamp", "a", expect={"rows": ["a"]}),
        case(["c2"], "stamp", "e", expect={"rows": ["e"]}),
        case(["d1", "c2"], "stamp", "c2branch@head", expect={"rows": ["f"]}),
        case(["b"], "stamp", "e", expect={"rows": ["e"]}),
    ],
    "labeled": [
        case([], "upgrade", "abranch", expect={"steps": ["a"], "rows": ["a"]}),
        case([], "upgrade", "ebranch@b", expect={"error_contains": "Can't locate revision identified by 'b'"}),
        case([], "upgrade", "nosuchbranch@head", expect={"error_contains": "Can't locate revision identified by 'nosuchbranch'"}),
        case([], "upgrade", "abranch@some", expect={"steps": ["a", "b", "somelongername"]}),
        case([], "upgrade", "ebranch@some", expect={"steps": ["d", "e", "someothername"]}),
        case([], "upgrade", "some", expect={"error_contains": "Can't locate revision identified by 'some'"}),
        case([], "upgrade", "ebranch@head", expect={"steps": ["d", "e", "someothername", "f"]}),
        case([], "upgrade", "abranch@heads", expect={"steps": ["a", "b", "somelongername", "c"]}),
    ],
    "effective_head": [
        case([], "upgrade", "y2", expect={"steps": ["x1", "y1", "y2"], "rows": ["y2"]}),
        case(["y2"], "current", expect={"result": ["x1", "y2"]}),
        case([], "heads", expect={"result": [{"revision": "x1", "real_head": False}, {"revision": "y2", "real_head": True}]}),
    ],
    "depends_on_branch_label": [
        case(["a2"], "upgrade", "c2", expect={"steps": ["a1", "b1", "c1", "b2", "c2"], "rows": ["c2"]}),
    ],
    "depends_branch_one": [
        case(["c2", "d1"], "downgrade", "c1", expect={"steps": ["d1"], "rows": ["c2"]}),
        case(["e1", "c2"], "stamp", "b1", expect={"rows": ["b1"]}),
    ],
    "depends_branch_two": [
        case(["amerge", "bmerge", "cmerge", "d1"], "downgrade", "b2",
             expect={"steps": ["bmerge"], "rows": ["amerge", "b1", "cmerge", "d1"]}),
        case(["amerge", "d1", "b1", "cmerge"], "downgrade", "d1@base",
             expect={"steps": ["d1"], "rows": ["amerge", "b1", "b2", "cmerge"]}),
        case(["amerge", "b1", "b2", "cmerge"], "downgrade", "base", expect={"rows": []}),
    ],
    "depends_crisscross": [
        case(["a3", "b2"], "downgrade", "b1", expect={"steps": ["b2"], "rows": ["a3"]}),
    ],
    "depends_own_downrev": [
        case([], "upgrade", "a2", expect={"steps": ["a1", "a2"], "rows": ["a2"]}),
        case(["a2"], "downgrade", "a1", expect={"steps": ["a2"], "rows": ["a1"]}),
    ],
    "depends_branch_four": [
        case(["b4"], "downgrade", "b3", expect={"steps": ["b4"], "rows": ["b3"]}),
    ],
    "depends_branch_five": [
        case(["a1"], "upgrade", "b1", expect={"steps": ["b1"], "rows": ["b1"]}),
        case(["b1"], "upgrade", "bmerge", expect={"steps": ["bmerge"], "rows": ["bmerge"]}),
        case(["bmerge"], "downgrade", "a1", expect={"steps": ["bmerge"], "rows": ["b1"]}),
        case(["bmerge"], "downgrade", "b1", expect={"steps": ["bmerge"], "rows": ["b1"]}),
    ],
    "merge_with_dep": [
        case(["k4"], "downgrade", "z1", expect={"error_contains": "Destination z1 is not a valid downgrade target"}),
        case(["k4"], "stamp", "z1", expect={"rows": ["z1"]}),
        case([], "upgrade", "heads", expect={"rows": ["k4"]}),
        case(["k4"], "current", expect={"result": ["k4", "z1"]}),
        case(["k4"], "current", check_heads=True, expect={"error_type": "DatabaseNotAtHead"}),
        case([], "heads", expect={"result": [{"revision": "z1", "real_head": False}, {"revision": "k4", "real_head": True}]}),
        case([], "merge", "heads", rev_id="mmmm00000000", expect={"result": {"down_revision": "k4"}}),
        case([], "merge", "z1", "k4", rev_id="mmmm00000000", expect={"result": {"down_revision": ["z1", "k4"]}}),
    ],
    "branched_cross_dep": [
        case(["d1", "d2"], "downgrade", "c2branch@b", expect={"steps": ["d2", "c2"], "rows": ["d1"]}),
        case(["d1", "d2"], "downgrade", "c1branch@b", expect={"steps": ["d1", "d2", "c1"], "rows": ["c2"]}),
    ],
    "merge_then_branch": [
        case(["v1"], "stamp", "t2", expect={"rows": ["t2"]}),
    ],
    "branch_from_mergepoint": [
        case(["d2", "b1"], "upgrade", "d1", expect={"steps": ["c1", "d1"], "rows": ["d1", "d2"]}),
        case(["d2", "d1"], "downgrade", "b1", expect={"steps": ["d1", "c1"], "rows": ["b1", "d2"]}),
    ],
    "branch_from_3way_mergepoint": [
        case(["d3", "d2", "b1"], "upgrade", "d1", expect={"steps": ["c1", "d1"], "rows": ["d1", "d2", "d3"]}),
        case(["d3", "d2", "d1"], "downgrade", "b1", expect={"steps": ["d1", "c1"], "rows": ["b1", "d2", "d3"]}),
        case(["d3", "b2", "b1"], "upgrade", "d1", expect={"steps": ["c2", "c1", "d1"], "rows": ["d1", "d3"]}),
        case(["d3", "d1"], "upgrade", "d2", expect={"steps": ["d2"], "rows": ["d1", "d2", "d3"]}),
    ],
    "twin_merge": [
        # (TwinMergeTest feeds the HeadMaintainer a hand-made order; only the rows carry over)
        case(["a"], "upgrade", "heads", expect={"rows": ["d1", "d2"]}),
    ],
    "not_quite_twin_merge": [
        case(["a"], "upgrade", "heads", expect={"steps": ["b2", "b3", "c2", "d2", "b1", "c1", "d1"], "rows": ["d1", "d2"]}),
    ],
    "forest": [
        case([], "upgrade", "heads", expect={"steps": ["a2", "b2", "a1", "b1"], "rows": ["b1", "b2"]}),
        case([], "stamp", "heads", expect={"rows": ["b1", "b2"]}),
        case(["b1", "b2"], "stamp", "heads", expect={"steps": [], "rows": ["b1", "b2"]}),
    ],
    "reserved_word_ids": [
        case([], "upgrade", "head", expect={"error_type": "AssertionError"}),
        case([], "upgrade", "heads", expect={"error_type": "AssertionError"}),
        case([], "upgrade", "base", expect={"steps": [], "rows": []}),
    ],
    "redundant_merge3": [
        case([], "upgrade", "m", expect={"error_type": "KeyError", "error_contains": "'a'", "steps": ["a", "x", "c"], "rows": ["c", "x"]}),
    ],
    "redundant_merge2": [
        case([], "upgrade", "m", expect={"steps": ["a", "c", "m"], "rows": ["m"]}),
    ],
    "failing_up": [
        case([], "upgrade", "head", expect={"error_type": "RuntimeError", "error_contains": "boom f3 up",
                                            "steps": ["f1", "f2"], "rows": ["f2"]}),
    ],
    "failing_branch": [
        case([], "upgrade", "heads", expect={"error_type": "RuntimeError", "steps": ["h0", "h1", "h3"], "rows": ["h3"]}),
    ],
    "failing_down": [
        case(["g3"], "downgrade", "base", expect={"error_type": "RuntimeError", "steps": ["g3"], "rows": ["g2"]}),
    ],
}

BROKEN_EXPECT = {
    "dupe_label": {"load_error_contains": "already used by revision"},
    "label_is_revision_id": {"load_error_contains": "Branch name 'a' in revision b already used by revision a"},
    "simple_cycle": {"load_error_contains": "Cycle is detected in revisions (a, b, c)"},
    "extra_simple_cycle": {"load_error_contains": "Cycle is detected in revisions (a, b, c)"},
    "lower_simple_cycle": {"load_error_contains": "Cycle is detected in revisions (a, b, c, d, e)"},
    "dependency_cycle": {"load_error_contains": "Dependency cycle is detected in revisions"},
    "solitary_loop": {"load_error_contains": "Self-loop is detected in revisions (a)"},
    "head_loop": {"load_error_contains": "Self-loop is detected in revisions (c)"},
    "dependency_self_loop": {"load_error_contains": "Dependency self-loop is detected in revisions (b)"},
    "missing_parent": {"load_error_type": "KeyError", "load_warning_contains": "Revision zzzz referenced from"},
    "missing_dependency": {"load_error_type": "KeyError"},
    "forbidden_character": {"load_error_contains": "Character(s) '-' not allowed in revision identifier 'a-b'"},
    "forbidden_characters": {"load_error_contains": "Character(s) '+, @' not allowed in revision identifier 'a@b+c'"},
    "duplicate_id": {"load_error": None, "load_warning_contains": "Revision b is present more than once"},
}


def states(revs):
    """Realistic row states: the tips of the closure of each revision, of some pairs, and none."""
    ids = list(dict.fromkeys(r["revision"] for r in revs))
    seen = {()}
    for i in ids:
        seen.add(tuple(tips(revs, ancestors(revs, [i]))))
    for n, combo in enumerate(itertools.combinations(ids, 2)):
        if n % 3 == 0:
            seen.add(tuple(tips(revs, ancestors(revs, list(combo)))))
    out = []
    for s in sorted(seen):
        out.append(list(s))
        if len(s) > 1:
            out.append(list(reversed(s)))  # row order matters for `downgrade -1`
    return out


def targets(revs):
    ids = list(dict.fromkeys(r["revision"] for r in revs))
    labels = [lbl for r in revs for lbl in r["branch_labels"]]
    out = ["head", "heads", "base", "+1", "+2", "-1", "-2", "base+1", "base+2", "base-1", "head-1", "heads+1"]
    for i in ids:
        out += [i, f"{i}+1", f"{i}-1"]
        if len(i) > 4:
            out.append(i[:4])
    for lbl in labels:
        out += [lbl, f"{lbl}@head", f"{lbl}@base", f"{lbl}@+1", f"{lbl}@-1", f"{lbl}@heads", f"{lbl}@base+2",
                f"{lbl}@head-1"]
        out += [f"{lbl}@{i}" for i in ids[:3]]
    return out


def sweep(revs):
    cases = []
    ids = list(dict.fromkeys(r["revision"] for r in revs))
    for start in states(revs):
        for t in targets(revs):
            for cmd in ("upgrade", "downgrade"):
                cases.append(case(start, cmd, t))
        for t in ids + ["base", "heads"]:
            cases.append(case(start, "stamp", t))
        cases.append(case(start, "current"))
    # Keep the file and the run small: a fixed two-in-five sample of that sweep.
    cases = [c for n, c in enumerate(cases) if n % 5 in (0, 3)]
    cases += [case([], "heads"), case([], "history"), case([], "merge", "heads", rev_id="mmmm00000000")]
    return cases


def main():
    graphs = []
    shapes = dict(SHAPES)
    shapes["branched_reordered"] = list(reversed(SHAPES["branched"]))
    for name, revs in shapes.items():
        graphs.append({"name": name, "revisions": revs, "cases": EXAMPLES.get(name, []) + sweep(revs)})
    for name, revs in BROKEN.items():
        cases = [case([], "heads"), case([], "upgrade", "heads"), case(["a"], "downgrade", "base"),
                 case([], "history"), case(["a"], "current")]
        graphs.append({"name": name, "revisions": revs, "invalid": name, "expect": BROKEN_EXPECT[name],
                       "cases": cases})
    json.dump({"graphs": graphs}, sys.stdout, indent=None)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
