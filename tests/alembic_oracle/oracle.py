#!/usr/bin/env python3
"""Runs the REAL Alembic on described revision graphs and records exactly what it does.

    python oracle.py SPEC.json > RESULT.json        (SPEC.json may be "-" for stdin)

Every graph becomes one Alembic project in a temporary directory (revision files named
``0000_<rev>.py``, ``0001_...`` so that Alembic loads them in the given order), and every case
runs in-process through the public ``alembic.command`` functions, with a fresh in-memory SQLite
database per case whose ``alembic_version`` table is created by Alembic itself and filled with
the case's ``start`` rows in the given order. See README.md for the spec and result schema.

The ScriptDirectory (and so the parsed revision map) is built once per graph and handed to
every command of that graph: ``ScriptDirectory.from_config`` is patched to return it.
``merge`` adds a file; it is read back, deleted, and the cached ScriptDirectory is dropped.

Alembic orders a few things by Python's string hash (see README); unless PYTHONHASHSEED is
already set, this script re-executes itself with PYTHONHASHSEED=0 so that runs are repeatable.
"""
import io
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

if "PYTHONHASHSEED" not in os.environ:  # deterministic set/dict-of-str order, see README
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

sys.dont_write_bytecode = True  # no __pycache__ in the temporary projects

import alembic  # noqa: E402
import sqlalchemy  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from alembic.runtime.migration import MigrationContext  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402
from alembic.util import CommandError  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

# --------------------------------------------------------------------------------------------
# The project skeleton

ENV_PY = '''
from alembic import context

A = context.config.attributes


def on_version_apply(ctx, step, heads, run_args):
    if step.is_stamp:
        to = step.up_revision_ids if step.is_upgrade else step.down_revision_ids
        frm = step.down_revision_ids if step.is_upgrade else step.up_revision_ids
        A["oracle_steps"].append({
            "revision": ",".join(to),
            "direction": "stamp",
            "rows_after": sorted(heads),
            "stamp_is_upgrade": bool(step.is_upgrade),
            "from": list(frm),
            "to": list(to),
        })
    else:
        A["oracle_steps"].append({
            "revision": step.up_revision_id,
            "direction": "up" if step.is_upgrade else "down",
            "rows_after": sorted(heads),
        })


opts = dict(
    on_version_apply=on_version_apply,
    transaction_per_migration=A.get("oracle_transaction_per_migration", False),
)
if context.is_offline_mode():
    context.configure(
        dialect_name=A.get("oracle_dialect", "postgresql"),
        output_buffer=A["oracle_sql"],
        literal_binds=True,
        **opts
    )
else:
    context.configure(connection=A["connection"], **opts)

with context.begin_transaction():
    context.run_migrations()
'''

REVISION_PY = '''"""revision {rev_doc}"""
from alembic import context as _context

revision = {revision}
down_revision = {down_revision}
branch_labels = {branch_labels}
depends_on = {depends_on}


def _ran(direction):
    _context.config.attributes["oracle_ran"].append([revision, direction])


def upgrade():
    _ran("up")
{fail_up}

def downgrade():
    _ran("down")
{fail_down}
'''


def as_alembic_value(values):
    """What Alembic's to_tuple/tuple_rev_as_scalar would give: None, a plain string, a tuple."""
    if values is None:
        return "None"
    if isinstance(values, str):
        return repr(values)
    values = list(values)
    if not values:
        return "None"
    if len(values) == 1:
        return repr(values[0])
    return repr(tuple(values))


def safe_name(rev):
    out = "".join(c if (c.isascii() and (c.isalnum() or c == "_")) else "_" for c in str(rev))
    return out[:60] or "_"


def write_project(root, revisions):
    versions = root / "versions"
    versions.mkdir(parents=True)
    (root / "env.py").write_text(ENV_PY)
    template = Path(alembic.__file__).parent / "templates" / "generic" / "script.py.mako"
    shutil.copy(template, root / "script.py.mako")
    for i, r in enumerate(revisions):
        fail = set(r.get("fail", []))
        (versions / f"{i:04d}_{safe_name(r['revision'])}.py").write_text(
            REVISION_PY.format(
                rev_doc=safe_name(r["revision"]),
                revision=repr(r["revision"]),
                down_revision=as_alembic_value(r.get("down_revision")),
                branch_labels=as_alembic_value(r.get("branch_labels")),
                depends_on=as_alembic_value(r.get("depends_on")),
                fail_up=f"    raise RuntimeError('boom {r['revision']} up')\n" if "up" in fail else "",
                fail_down=f"    raise RuntimeError('boom {r['revision']} down')\n" if "down" in fail else "",
            )
        )


# --------------------------------------------------------------------------------------------
# One ScriptDirectory per graph, shared by all commands of that graph

_original_from_config = ScriptDirectory.from_config.__func__


def _cached_from_config(cls, config, *args, **kw):
    script = config.attributes.get("oracle_script")
    if script is None:
        script = _original_from_config(cls, config, *args, **kw)
        config.attributes["oracle_script"] = script
    return script


ScriptDirectory.from_config = classmethod(_cached_from_config)


def json_value(v):
    """A module-level revision attribute as JSON: None, a string, or a list (tuple/list)."""
    if v is None or isinstance(v, str):
        return v
    return list(v)


def error_of(e):
    return {"type": type(e).__name__, "message": str(e), "command_error": isinstance(e, CommandError)}


SQL_COMMANDS = {"upgrade_sql": command.upgrade, "downgrade_sql": command.downgrade}


def run_command(cfg, case, out):
    cmd = case["command"]
    args = list(case.get("args", []))
    A = cfg.attributes
    if cmd == "upgrade":
        command.upgrade(cfg, args[0])
    elif cmd == "downgrade":
        command.downgrade(cfg, args[0])
    elif cmd == "stamp":
        command.stamp(cfg, args, purge=bool(case.get("purge", False)))
    elif cmd in ("upgrade_sql", "downgrade_sql", "stamp_sql"):
        A["oracle_dialect"] = case.get("dialect", "postgresql")
        try:
            if cmd == "stamp_sql":
                command.stamp(cfg, args, sql=True, purge=bool(case.get("purge", False)))
            else:
                SQL_COMMANDS[cmd](cfg, args[0], sql=True)
        finally:
            out["sql"] = A["oracle_sql"].getvalue()
    elif cmd == "heads":
        script = ScriptDirectory.from_config(cfg)
        command.heads(cfg, resolve_dependencies=bool(case.get("resolve_dependencies", False)))
        if case.get("resolve_dependencies"):
            revs = script.get_revisions("heads")
        else:
            revs = script.get_revisions(script.get_heads())
        out["result"] = [{"revision": r.revision, "real_head": bool(r._is_real_head)} for r in revs]
    elif cmd == "history":
        script = ScriptDirectory.from_config(cfg)
        seen = []
        original = script.walk_revisions

        def recording(*a, **kw):
            for sc in original(*a, **kw):
                seen.append(sc.revision)
                yield sc

        script.walk_revisions = recording
        try:
            command.history(cfg, args[0] if args else None)
        finally:
            del script.walk_revisions
            out["result"] = seen
    elif cmd == "current":
        script = ScriptDirectory.from_config(cfg)
        seen = []
        original = script.get_all_current

        def recording(ids):
            revs = original(ids)
            seen.extend(r.revision for r in revs)
            return revs

        script.get_all_current = recording
        try:
            command.current(cfg, check_heads=bool(case.get("check_heads", False)))
        finally:
            del script.get_all_current
            out["result"] = sorted(seen)
    elif cmd == "merge":
        new = command.merge(
            cfg,
            args,
            message=case.get("message"),
            branch_label=case.get("branch_label"),
            rev_id=case.get("rev_id"),
            splice=bool(case.get("splice", False)),
        )
        # The cached ScriptDirectory now knows the new revision: drop it, read the generated
        # file back through a fresh ScriptDirectory, then delete the file.
        A.pop("oracle_script", None)
        path = Path(new.path)
        try:
            fresh = _original_from_config(ScriptDirectory, cfg)
            sc = fresh.get_revision(new.revision)
            out["result"] = {
                "revision": sc.revision,
                "down_revision": json_value(sc.module.down_revision),
                "branch_labels": json_value(sc.module.branch_labels),
                "depends_on": json_value(sc.module.depends_on),
                "file": path.name,
            }
        finally:
            path.unlink()
    else:
        raise ValueError(f"oracle: unknown command {cmd!r}")


def run_case(cfg, case, engine):
    out = {"steps": [], "rows": None, "error": None, "warnings": []}
    cmd = case.get("command")
    offline = cmd in ("upgrade_sql", "downgrade_sql", "stamp_sql")
    A = cfg.attributes
    A["oracle_steps"] = []
    A["oracle_ran"] = []
    A["oracle_sql"] = io.StringIO()
    A["oracle_transaction_per_migration"] = bool(case.get("transaction_per_migration", False))
    cfg.stdout = io.StringIO()
    with engine.connect() as conn:  # NullPool + sqlite:// : a brand-new empty database
        MigrationContext.configure(connection=conn)._ensure_version_table()
        for row in case.get("start", []):
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": row})
        conn.commit()
        A["connection"] = conn
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                run_command(cfg, case, out)
            except Exception as e:  # every failure is a result
                out["error"] = error_of(e)
                if os.environ.get("ORACLE_TRACEBACK"):
                    traceback.print_exc(file=sys.stderr)
        out["warnings"] = [str(w.message) for w in caught]
        # What a real `alembic` run leaves behind: the connection is closed (rolled back)
        # after the command, so only what Alembic committed counts.
        if conn.in_transaction():
            conn.rollback()
        if not offline:
            out["rows"] = sorted(r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version")))
        conn.rollback()
        A.pop("connection", None)
    out["steps"] = A["oracle_steps"]
    out["ran"] = A["oracle_ran"]
    output = cfg.stdout.getvalue()
    if cmd in ("heads", "history", "current"):
        lines = output.splitlines()
        out["output"] = sorted(lines) if cmd == "current" else lines
    return out


def run_graph(graph, engine):
    root = Path(tempfile.mkdtemp(prefix="alembic-oracle-"))
    out = {"name": graph.get("name"), "load_error": None, "load_warnings": [], "cases": []}
    try:
        write_project(root, graph["revisions"])
        cfg = Config(stdout=io.StringIO())
        cfg.set_main_option("script_location", str(root))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                ScriptDirectory.from_config(cfg).revision_map._revision_map
            except Exception as e:
                out["load_error"] = error_of(e)
        out["load_warnings"] = [str(w.message) for w in caught]
        for case in graph.get("cases", []):
            out["cases"].append(run_case(cfg, case, engine))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: oracle.py SPEC.json > RESULT.json")
    src = sys.stdin.read() if sys.argv[1] == "-" else Path(sys.argv[1]).read_text()
    spec = json.loads(src)
    engine = create_engine("sqlite://", poolclass=NullPool)
    started = time.time()
    graphs = [run_graph(g, engine) for g in spec["graphs"]]
    result = {
        "oracle": {
            "alembic": alembic.__version__,
            "sqlalchemy": sqlalchemy.__version__,
            "python": sys.version.split()[0],
            "pythonhashseed": os.environ.get("PYTHONHASHSEED"),
        },
        "graphs": graphs,
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    n = sum(len(g["cases"]) for g in graphs)
    print(f"oracle: {len(graphs)} graphs, {n} cases in {time.time() - started:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
