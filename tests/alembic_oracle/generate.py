#!/usr/bin/env python3
"""Random revision graphs and commands for comparing Stratum with the real Alembic.

    python generate.py --seed 1 --graphs 200 > spec.json

Graphs have branch points, merge points (2-3 parents), several bases, branch labels, depends_on
edges (to ids and labels), shuffled load order, and ids that share prefixes; cases start from
realistic version rows and use every target form of the grammar.
"""
import argparse
import json
import random


def make_graph(rng, index):
    n = rng.randint(2, 22)
    ids = []
    prefixes = ["abcd", "ab12", "ffee"]
    for i in range(n):
        style = rng.random()
        if style < 0.15:
            rid = f"r{i}"
        elif style < 0.35:
            rid = rng.choice(prefixes) + "".join(rng.choice("0123456789abcdef") for _ in range(8))
        else:
            rid = "".join(rng.choice("0123456789abcdef") for _ in range(12))
        if rid in ids:
            rid = rid + f"x{i}"
        ids.append(rid)
    revs = []
    for i, rid in enumerate(ids):
        if i == 0 or rng.random() < 0.05:
            parents = []
        else:
            k = 1 if rng.random() < 0.85 else rng.choice([2, 2, 3])
            parents = rng.sample(ids[:i], min(k, i))
        revs.append({"revision": rid, "down_revision": parents, "branch_labels": [], "depends_on": []})
    # labels on a few revisions
    labels = []
    for r in rng.sample(revs, min(len(revs), rng.randint(0, 3))):
        label = f"lbl{len(labels)}"
        r["branch_labels"] = [label]
        labels.append((label, r["revision"]))
    # depends_on edges to earlier revisions (ids or labels), never creating a cycle
    pos = {r["revision"]: i for i, r in enumerate(revs)}
    for i, r in enumerate(revs):
        if i > 1 and rng.random() < 0.15:
            target = rng.choice(ids[: i - 1])
            lab = [l for l, rid in labels if rid == target and pos[rid] < i]
            dep = lab[0] if lab and rng.random() < 0.5 else target
            if dep not in r["down_revision"]:
                r["depends_on"] = [dep]
    order = list(revs)
    if rng.random() < 0.5:
        rng.shuffle(order)
    return {"name": f"g{index}", "revisions": order}


def ancestors(revs, start):
    by = {r["revision"]: r for r in revs}
    labels = {l: r["revision"] for r in revs for l in r["branch_labels"]}
    seen, todo = set(), list(start)
    while todo:
        x = todo.pop()
        if x in seen:
            continue
        seen.add(x)
        r = by[x]
        todo.extend(r["down_revision"])
        todo.extend(labels.get(d, d) for d in r["depends_on"])
    return seen


def tips(revs, applied):
    by = {r["revision"]: r for r in revs}
    below = set()
    for x in applied:
        below |= ancestors(revs, [x]) - {x}
    return [x for x in (r["revision"] for r in revs) if x in applied and x not in below]


def targets(rng, revs, start=()):
    ids = [r["revision"] for r in revs]
    labels = [l for r in revs for l in r["branch_labels"]]
    # Mostly targets that make sense from the start rows, some junk and edge cases.
    below = sorted(ancestors(revs, list(start))) if start else []
    rid = rng.choice(below) if below and rng.random() < 0.5 else rng.choice(ids)
    common = ["head", "heads", "base", rid, rid, rid[:4], "+1", "+2", "-1", "-2", f"{rid}+1", f"{rid}-1"]
    junk = [rid[: rng.randint(1, 6)], f"{rid}+2", "nosuch", "HEAD", "head+1", "base+1", "base-1", "heads-1",
            "head-1", "+0", "-0", f"{rid}+0"]
    if labels:
        lb = rng.choice(labels)
        common += [f"{lb}@head", f"{lb}@base", f"{lb}@+1", f"{lb}@-1", f"{lb}@{rid}"]
        junk += [f"{lb}@heads", lb, f"{lb}@{rid}-1"]
    return rng.choice(common if rng.random() < 0.8 else junk)


def make_cases(rng, revs, count):
    ids = [r["revision"] for r in revs]
    cases = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.25:
            start = []
        elif roll < 0.9:
            seed = rng.sample(ids, rng.randint(1, min(3, len(ids))))
            start = tips(revs, ancestors(revs, seed))
            rng.shuffle(start)
        else:
            start = rng.sample(ids, rng.randint(1, min(2, len(ids))))
        cmd = rng.choices(["upgrade", "downgrade", "stamp", "heads", "history", "current"], [40, 35, 15, 3, 3, 4])[0]
        case = {"start": start, "command": cmd, "args": []}
        if cmd in ("upgrade", "downgrade"):
            case["args"] = [targets(rng, revs, start)]
        elif cmd == "stamp":
            case["args"] = [targets(rng, revs, start) for _ in range(rng.choice([1, 1, 1, 2]))]
            case["purge"] = rng.random() < 0.2
        cases.append(case)
    return cases


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--graphs", type=int, default=200)
    ap.add_argument("--cases", type=int, default=30)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    graphs = []
    for i in range(a.graphs):
        g = make_graph(rng, i)
        g["cases"] = make_cases(rng, g["revisions"], a.cases)
        graphs.append(g)
    json.dump({"graphs": graphs}, __import__("sys").stdout)


if __name__ == "__main__":
    main()
