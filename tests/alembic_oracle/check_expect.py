#!/usr/bin/env python3
"""Checks the oracle's result against the `expect` blocks of a spec (cases/handpicked.json has
them: the examples of the reference document).

    python check_expect.py SPEC.json RESULT.json      (exit status 1 on any mismatch)

Case `expect` keys (all optional):
  steps            revisions of the steps, in order (a stamp step's "revision")
  rows             final rows (sorted)
  result           heads/history/current: equal; merge: the given keys equal
  error_type       the exception class name
  error_contains   a substring of the message
  warning_contains a substring of one warning
  sql_contains     a substring of the emitted SQL
Without error_type/error_contains the case must succeed.
Graph `expect` keys: load_error (null = loads), load_error_type, load_error_contains,
load_warning_contains.
"""
import json
import sys


def check_case(exp, got):
    problems = []
    err = got.get("error")
    if "error_type" in exp or "error_contains" in exp:
        if err is None:
            problems.append("expected an error, got success")
        else:
            if "error_type" in exp and err["type"] != exp["error_type"]:
                problems.append(f"error type {err['type']} != {exp['error_type']}")
            if "error_contains" in exp and exp["error_contains"] not in err["message"]:
                problems.append(f"error message {err['message']!r} lacks {exp['error_contains']!r}")
    elif err is not None:
        problems.append(f"unexpected error {err}")
    if "steps" in exp:
        revs = [s["revision"] for s in got.get("steps", [])]
        if revs != exp["steps"]:
            problems.append(f"steps {revs} != {exp['steps']}")
    if "rows" in exp and got.get("rows") != sorted(exp["rows"]):
        problems.append(f"rows {got.get('rows')} != {sorted(exp['rows'])}")
    if "result" in exp:
        res = got.get("result")
        if isinstance(exp["result"], dict):
            for k, v in exp["result"].items():
                if not isinstance(res, dict) or res.get(k) != v:
                    problems.append(f"result[{k}] {None if not isinstance(res, dict) else res.get(k)!r} != {v!r}")
        elif res != exp["result"]:
            problems.append(f"result {res} != {exp['result']}")
    if "warning_contains" in exp and not any(exp["warning_contains"] in w for w in got.get("warnings", [])):
        problems.append(f"no warning contains {exp['warning_contains']!r}: {got.get('warnings')}")
    if "sql_contains" in exp and exp["sql_contains"] not in (got.get("sql") or ""):
        problems.append(f"sql lacks {exp['sql_contains']!r}")
    return problems


def check_graph(exp, got):
    problems = []
    le = got.get("load_error")
    if "load_error" in exp and exp["load_error"] is None and le is not None:
        problems.append(f"unexpected load error {le}")
    if "load_error_type" in exp and (le is None or le["type"] != exp["load_error_type"]):
        problems.append(f"load error {le} is not a {exp['load_error_type']}")
    if "load_error_contains" in exp and (le is None or exp["load_error_contains"] not in le["message"]):
        problems.append(f"load error {le} lacks {exp['load_error_contains']!r}")
    if "load_warning_contains" in exp and not any(exp["load_warning_contains"] in w for w in got.get("load_warnings", [])):
        problems.append(f"no load warning contains {exp['load_warning_contains']!r}: {got.get('load_warnings')}")
    return problems


def main():
    spec = json.load(open(sys.argv[1]))
    result = json.load(open(sys.argv[2]))
    checked = failed = 0
    for g, rg in zip(spec["graphs"], result["graphs"]):
        if "expect" in g:
            checked += 1
            for p in check_graph(g["expect"], rg):
                failed += 1
                print(f"{g['name']}: {p}")
        for i, (c, rc) in enumerate(zip(g.get("cases", []), rg["cases"])):
            if "expect" not in c:
                continue
            checked += 1
            problems = check_case(c["expect"], rc)
            if problems:
                failed += 1
                what = f"{g['name']} case {i}: {c['start']} {c['command']} {' '.join(c.get('args', []))}"
                print(f"{what}\n    " + "\n    ".join(problems))
    print(f"{checked} expectations checked, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
