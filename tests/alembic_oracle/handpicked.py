#!/usr/bin/env python3
"""Writes handpicked.json: the graph shapes of Alembic's own tests/test_version_traversal.py,
each with every target form from every version-row state that makes sense, in each load order
the tests depend on. Run: python handpicked.py > handpicked.json
"""
import itertools
import json

from generate import ancestors, tips


def R(rev, down=(), labels=(), deps=()):
    return {"revision": rev, "down_revision": list(down), "branch_labels": list(labels), "depends_on": list(deps)}


SHAPES = {
    "linear5": [R("e6239818bb3a"), R("548bbb905360", ["e6239818bb3a"]), R("b7ea43dc85e4", ["548bbb905360"]),
                R("1bbe33445780", ["b7ea43dc85e4"]), R("3975fb1a0125", ["1bbe33445780"])],
    "branched": [R("a"), R("b", ["a"]), R("c1", ["b"], ["c1branch"]), R("d1", ["c1"]),
                 R("c2", ["b"], ["c2branch"]), R("d2", ["c2"])],
    "branch_from_mergepoint": [R("a1"), R("b1", ["a1"]), R("c1", ["b1"]), R("a2"), R("b2", ["a2"]), R("c2", ["b2"]),
                               R("d1", ["c1", "c2"]), R("d2", ["c2"])],
    "branch_from_3way_mergepoint": [R("a1"), R("b1", ["a1"]), R("c1", ["b1"]), R("a2"), R("b2", ["a2"]), R("c2", ["b2"]),
                                    R("a3"), R("b3", ["a3"]), R("c3", ["b3"]), R("d1", ["c1", "c2", "c3"]),
                                    R("d2", ["c2"]), R("d3", ["c3"])],
    "twin_merge": [R("a"), R("b1", ["a"]), R("b2", ["a"]), R("b3", ["a"]), R("c1", ["b1", "b2", "b3"]),
                   R("c2", ["b1", "b2", "b3"]), R("d1", ["c1"]), R("d2", ["c2"])],
    "not_quite_twin_merge": [R("a"), R("b1", ["a"]), R("b2", ["a"]), R("b3", ["a"]), R("c1", ["b1", "b2"]),
                             R("c2", ["b2", "b3"]), R("d1", ["c1"]), R("d2", ["c2"])],
    "depends_on_branch_one": [R("a1", labels=["lib1"]), R("b1", ["a1"]), R("c1", ["b1"]), R("a2"), R("b2", ["a2"]),
                              R("c2", ["b2"], deps=["c1"]), R("d1", ["c1"]), R("e1", ["d1"]), R("f1", ["e1"])],
    "depends_on_branch_two": [R("a1"), R("a2"), R("a3"), R("amerge", ["a1", "a2", "a3"]), R("b1"), R("b2"),
                              R("bmerge", ["b1", "b2"]), R("c1"), R("c2"), R("c3"), R("cmerge", ["c1", "c2", "c3"]),
                              R("d1", deps=["a3", "b2", "c1"])],
    "depends_on_label": [R("a1", labels=["lib1"]), R("b1", ["a1"]), R("a2", labels=["lib2"]), R("b2", ["a2"], deps=["lib1"]),
                         R("c2", ["b2"])],
    "effective_head": [R("x1"), R("y1"), R("y2", ["y1"], deps=["x1"])],
    "merge_with_dep": [R("z1"), R("k1"), R("k2", ["k1"], deps=["z1"]), R("k3", ["k2"]), R("k4", ["k3"])],
    "depends_crisscross": [R("a1"), R("a2", ["a1"]), R("a3", ["a2"]), R("b1", deps=["a1"]), R("b2", ["b1"], deps=["a2"]),
                           R("b3", ["b2"])],
    "diamond": [R("a"), R("b1", ["a"]), R("b2", ["a"]), R("c", ["b1", "b2"]), R("d", ["c"])],
    "merged": [R("a"), R("b", ["a"]), R("c1", ["b"], ["c1branch"]), R("c2", ["b"]), R("d1", ["c1"]), R("d2", ["c2"]),
               R("e", ["d1", "d2"]), R("f", ["e"])],
    "merge_then_branch": [R("r1"), R("s1"), R("t1", ["r1", "s1"]), R("t2", ["r1", "s1"]), R("u1", ["t1"]), R("v1", ["u1"])],
}


def states(revs):
    ids = [r["revision"] for r in revs]
    seen = {()}
    for i in ids:
        seen.add(tuple(tips(revs, ancestors(revs, [i]))))
    # A few pairs of branch tips: every third pair, so that each shape stays a few hundred cases.
    for n, combo in enumerate(itertools.combinations(ids, 2)):
        if n % 3 == 0:
            seen.add(tuple(tips(revs, ancestors(revs, list(combo)))))
    return sorted(seen)


def targets(revs):
    ids = [r["revision"] for r in revs]
    labels = [l for r in revs for l in r["branch_labels"]]
    out = ["head", "heads", "base", "+1", "+2", "-1", "-2", "base+1", "base+2", "base-1"]
    for i in ids:
        out += [i, f"{i}+1", f"{i}-1"]
    for l in labels:
        out += [f"{l}@head", f"{l}@base", f"{l}@+1", f"{l}@-1", f"{l}@heads", f"{l}@base+2", f"{l}@head-1"]
        out += [f"{l}@{i}" for i in ids[:2]]
    return out


def main():
    graphs = []
    for name, revs in SHAPES.items():
        for order_name, order in (("", revs), ("_reordered", list(reversed(revs)))):
            cases = []
            for start in states(revs):
                for t in targets(revs):
                    for cmd in ("upgrade", "downgrade"):
                        cases.append({"start": list(start), "command": cmd, "args": [t]})
                for t in [r["revision"] for r in revs] + ["base", "heads"]:
                    cases.append({"start": list(start), "command": "stamp", "args": [t]})
                cases.append({"start": list(start), "command": "current", "args": []})
            # A fixed two-in-five sample keeps the run near half a minute on two cores.
            cases = [c for n, c in enumerate(cases) if n % 5 in (0, 3)]
            cases += [{"start": [], "command": c, "args": []} for c in ("heads", "history")]
            graphs.append({"name": name + order_name, "revisions": order, "cases": cases})
    print(json.dumps({"graphs": graphs}, indent=None))


if __name__ == "__main__":
    main()
