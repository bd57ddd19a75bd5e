#!/usr/bin/env python3
"""Runs the real Alembic on described revision graphs and records what it does.

    python oracle.py SPEC.json > RESULT.json

SPEC: {"graphs": [{"name", "revisions": [{"revision", "down_revision": [..], "branch_labels": [..],
"depends_on": [..]}] (in load order), "cases": [{"start": [rows, in table order], "command":
"upgrade"|"downgrade"|"stamp"|"heads"|"history"|"current", "args": [..], "purge": bool}]}]}

RESULT: {"graphs": [{"name", "load_error", "cases": [{"error": null | {"type", "message"},
"steps": [{"revision", "kind": "up"|"down"|"stamp", "rows_after": [sorted]}], "rows": [sorted],
"result": [...] (heads/history/current), "warnings": [...]}]}]}

Each case starts from a freshly made version table in an in-memory SQLite database, through the same ScriptDirectory and
EnvironmentContext calls as `alembic upgrade/downgrade/stamp`, so revision files are read once
per graph.
"""
import json
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from alembic import util
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

ENV_PY = '''
from alembic import context
config = context.config
conn = config.attributes["connection"]
log = config.attributes["log"]

def on_apply(ctx, step, heads, run_args):
    if step.is_stamp:
        kind, rev = "stamp", ",".join(step.up_revision_ids if step.is_upgrade else step.down_revision_ids)
    else:
        kind, rev = ("up" if step.is_upgrade else "down"), step.up_revision_id
    log.append({"revision": rev, "kind": kind, "rows_after": sorted(heads)})

context.configure(connection=conn, on_version_apply=on_apply)
with context.begin_transaction():
    context.run_migrations()
'''


def tup(values):
    if not values:
        return "None"
    if len(values) == 1:
        return repr(values[0])
    return repr(tuple(values))


def write_graph(root, revisions):
    versions = root / "versions"
    versions.mkdir(parents=True)
    (root / "env.py").write_text(ENV_PY)
    (root / "script.py.mako").write_text("")
    for i, r in enumerate(revisions):
        (versions / f"f{i:05d}.py").write_text(
            f"revision = {r['revision']!r}\n"
            f"down_revision = {tup(r.get('down_revision', []))}\n"
            f"branch_labels = {tup(r.get('branch_labels', []))}\n"
            f"depends_on = {tup(r.get('depends_on', []))}\n"
            "def upgrade():\n    pass\n"
            "def downgrade():\n    pass\n"
        )


def run_case(cfg, script, case, engine):
    result = {"error": None, "steps": [], "rows": [], "warnings": []}
    with engine.connect() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                          "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"))
        for r in case.get("start", []):
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": r})
        conn.commit()
        log = []
        cfg.attributes["connection"] = conn
        cfg.attributes["log"] = log
        cmd, args = case["command"], case.get("args", [])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if cmd in ("upgrade", "downgrade", "stamp"):
                    if cmd == "upgrade":
                        fn = lambda rev, ctx: script._upgrade_revs(args[0], rev)
                    elif cmd == "downgrade":
                        fn = lambda rev, ctx: script._downgrade_revs(args[0], rev)
                    else:
                        fn = lambda rev, ctx: script._stamp_revs(util.to_tuple(list(args)), rev)
                    with EnvironmentContext(cfg, script, fn=fn, as_sql=False, purge=case.get("purge", False),
                                            destination_rev=args[0] if args else None):
                        script.run_env()
                elif cmd == "heads":
                    result["result"] = list(script.get_heads())
                elif cmd == "history":
                    result["result"] = [s.revision for s in script.walk_revisions()]
                elif cmd == "current":
                    rows = tuple(case.get("start", []))
                    result["result"] = sorted(r.revision for r in script.revision_map._get_all_current(rows) if r)
                else:
                    raise ValueError(f"unknown command {cmd}")
            except Exception as e:  # every failure is a result here
                result["error"] = {"type": type(e).__name__, "message": str(e)}
            result["warnings"] = [str(w.message) for w in caught]
        result["steps"] = log
        result["rows"] = sorted(r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version")))
        conn.commit()
    return result


def run_graph(graph):
    root = Path(tempfile.mkdtemp(prefix="oracle-"))
    out = {"name": graph.get("name"), "load_error": None, "cases": []}
    try:
        write_graph(root, graph["revisions"])
        cfg = Config()
        cfg.set_main_option("script_location", str(root))
        script = ScriptDirectory.from_config(cfg)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                script.revision_map._revision_map
            except Exception as e:
                out["load_error"] = {"type": type(e).__name__, "message": str(e)}
                return out
            # One in-memory database per graph (a single connection), reset for every case.
            engine = create_engine("sqlite://")
            for case in graph.get("cases", []):
                out["cases"].append(run_case(cfg, script, case, engine))
            engine.dispose()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return out


def main():
    spec = json.loads(Path(sys.argv[1]).read_text())
    json.dump({"graphs": [run_graph(g) for g in spec["graphs"]]}, sys.stdout)


if __name__ == "__main__":
    main()
