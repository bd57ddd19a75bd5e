#!/usr/bin/env python3
"""Rehearsing every revision on the local PostgreSQL: `stratum rehearse --from-base`, which
upgrades each step of the plan on a scratch database, reads the schema, downgrades the step,
checks the schema is exactly what it was before, and upgrades it again, against what a user
does today (a "stairway" by hand: `alembic upgrade +1`, `alembic downgrade -1`,
`alembic upgrade +1` per revision, each a process, as hand-written stairway scripts run it)
and against the engine's own client running the same SQL (up, down, up per revision, in one
psql process). On the sample project (7 revisions, a branch and a merge point) and on a
generated chain of native revisions.

Writes the "rehearse" section of BENCHMARKS.md. Usage: bench/rehearse.py [--runs R] [--chain N]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sections import replace_section

ROOT = Path(__file__).resolve().parent.parent
STRATUM = ROOT / "target" / "release" / "stratum"
SAMPLE = ROOT / "examples" / "kontali-erp"
TWIN = ROOT / "examples" / "kontali-erp-alembic"
PG = "postgresql://postgres@127.0.0.1:5432/"
PG_ALEMBIC = "postgresql+psycopg2://postgres@127.0.0.1:5432/"
PREFIX = f"stratum_rehearse_bench_{os.getpid()}"


def sh(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def psql(sql, db="postgres"):
    return sh(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql]).stdout


def fresh(db):
    psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{db}"')


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


# --- the revisions, as native files say them ---------------------------------------------

def native_revision(path):
    """(revision, parents, up SQL, down SQL) of a native file, PostgreSQL's sections where
    there are (docs/project-format.md: a dialect's section replaces the plain one)."""
    header, sections, current = {}, {}, None
    for line in path.read_text().splitlines():
        m = re.match(r"^-- migrate:(up|down)(?:\s+(\w+))?\s*$", line)
        if m:
            current = (m.group(1), m.group(2))
            sections[current] = []
        elif current is None:
            h = re.match(r"^-- (\w+):\s*(.*)$", line)
            if h:
                header[h.group(1)] = h.group(2).strip()
        else:
            sections[current].append(line)

    def body(direction):
        lines = sections.get((direction, "postgresql"), sections.get((direction, None), []))
        return "\n".join(lines).strip()

    parents = [p.strip() for p in header.get("down_revision", "").split(",") if p.strip()]
    return header["revision"], parents, body("up"), body("down")


def chain_sql(k):
    up = (f"CREATE TABLE t_{k} (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, v VARCHAR(50));\n"
          f"CREATE INDEX ix_t_{k}_v ON t_{k} (v);")
    return up, f"DROP TABLE t_{k};"


def write_native_chain(dir_, n, rid):
    (dir_ / "versions").mkdir(parents=True)
    (dir_ / "stratum.toml").write_text('[project]\nversions = "versions"\n')
    for k in range(1, n + 1):
        up, down = chain_sql(k)
        parent = rid(k - 1) if k > 1 else ""
        (dir_ / "versions" / f"{rid(k)}_t_{k}.sql").write_text(
            f"-- revision: {rid(k)}\n-- down_revision: {parent}\n-- message: table t_{k}\n\n"
            f"-- migrate:up\n{up}\n\n-- migrate:down\n{down}\n")


def write_alembic_chain(dir_, n, rid):
    """The same chain for Alembic: alembic.ini, env.py (the URL from STRATUM_DATABASE_URL, as
    the sample's twin takes it), one Python file per revision with the same SQL."""
    scripts = dir_ / "alembic"
    (scripts / "versions").mkdir(parents=True)
    (dir_ / "alembic.ini").write_text(
        "[alembic]\nscript_location = alembic\nprepend_sys_path = .\nsqlalchemy.url = postgresql://\n")
    (scripts / "script.py.mako").write_text("")
    (scripts / "env.py").write_text(
        "import os\n"
        "from alembic import context\n"
        "from sqlalchemy import create_engine, pool\n\n"
        "engine = create_engine(os.environ['STRATUM_DATABASE_URL'], poolclass=pool.NullPool)\n"
        "with engine.connect() as connection:\n"
        "    context.configure(connection=connection, version_table='alembic_version')\n"
        "    with context.begin_transaction():\n"
        "        context.run_migrations()\n")
    for k in range(1, n + 1):
        up, down = chain_sql(k)
        parent = repr(rid(k - 1)) if k > 1 else "None"
        body = "\n".join(f"    op.execute({s.strip()!r})" for s in up.split(";") if s.strip())
        (scripts / "versions" / f"{rid(k)}_t_{k}.py").write_text(
            f'"""table t_{k}"""\nfrom alembic import op\n\nrevision = {rid(k)!r}\ndown_revision = {parent}\n'
            f"branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n{body}\n\n\n"
            f"def downgrade():\n    op.execute({down.rstrip(';')!r})\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--chain", type=int, default=100)
    args = ap.parse_args()
    python = os.environ.get("STRATUM_TEST_PYTHON") or sh([str(ROOT / "scripts" / "alembic-venv.sh")]).stdout.strip()
    alembic = str(Path(python).parent / "alembic")
    sh(["cargo", "build", "--release", "--locked", "-p", "stratum-cli"], cwd=ROOT)
    work = Path(tempfile.mkdtemp(prefix="stratum-rehearse-bench-"))
    # Stratum's --url: an empty database it makes its scratch database beside (and leaves empty);
    # Alembic and psql get a new empty one before each run.
    db_url, db_work = f"{PREFIX}_url", f"{PREFIX}_work"
    width = max(3, len(str(args.chain)))
    rid = lambda k: f"{k:0{width}d}"
    try:
        psql(f'CREATE DATABASE "{db_url}"')
        psql(f'CREATE DATABASE "{db_work}"')
        chain = work / "chain"
        write_native_chain(chain, args.chain, rid)
        alembic_chain = work / "chain-alembic"
        write_alembic_chain(alembic_chain, args.chain, rid)

        # The upgrades and downgrades themselves, as the report times them: the rest of Stratum's
        # time is the process, the scratch database and the schema reads and comparisons.
        run_ms = {}

        def stratum_rehearse(project, steps, workload=None):
            def go():
                p = subprocess.run([str(STRATUM), "--project", str(project), "--url", PG + db_url,
                                    "rehearse", "--from-base", "--json"], capture_output=True, text=True)
                if p.returncode != 0:
                    raise SystemExit(f"stratum rehearse {project}: exit {p.returncode}\n{p.stderr[-2000:]}")
                r = json.loads(p.stdout)
                bad = [s["revision"] for s in r["steps"] if s["result"] != "passed"]
                if bad or r["not_rehearsed"] or len(r["steps"]) != steps:
                    raise SystemExit(f"stratum rehearse {project}: {len(r['steps'])} steps, failed {bad}, "
                                     f"not rehearsed {r['not_rehearsed']}")
                if workload:
                    run_ms.setdefault(workload, []).append(
                        sum(s["upgrade_ms"] + s["downgrade_ms"] + s["upgrade_again_ms"] for s in r["steps"]))
                return r
            return go

        # The plan's order (a topological order of the sample's branches), from the rehearsal itself.
        order = [s["revision"] for s in stratum_rehearse(SAMPLE, 7)()["steps"]]
        revisions = {}
        for f in sorted((SAMPLE / "versions").glob("*.sql")):
            rev, parents, up, down = native_revision(f)
            revisions[rev] = (parents, up, down)
        assert sorted(order) == sorted(revisions), (order, sorted(revisions))

        env = dict(os.environ, STRATUM_DATABASE_URL=PG_ALEMBIC + db_work)

        def stairway_sample():
            # `+1`/`-1` are ambiguous once the sample has two heads (and `-1` from a merge point is
            # an "Ambiguous walk"): each revision by id, and its own downgrade as REV@PARENT.
            for rev in order:
                parents = revisions[rev][0]
                down = f"{rev}@{parents[0] if parents else 'base'}"
                for target in (["upgrade", rev], ["downgrade", down], ["upgrade", rev]):
                    sh([alembic, "-c", str(TWIN / "alembic.ini")] + target, cwd=TWIN, env=env)

        def stairway_chain():
            for _ in range(args.chain):
                for target in (["upgrade", "+1"], ["downgrade", "-1"], ["upgrade", "+1"]):
                    sh([alembic, "-c", str(alembic_chain / "alembic.ini")] + target, cwd=alembic_chain, env=env)

        def psql_file(path):
            return lambda: sh(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db_work, "-q",
                               "-v", "ON_ERROR_STOP=1", "-f", str(path)])

        sample_sql = work / "sample-stairway.sql"
        sample_sql.write_text("".join(
            f"{revisions[r][1]}\n{revisions[r][2]}\n{revisions[r][1]}\n" for r in order))
        chain_file = work / "chain-stairway.sql"
        chain_file.write_text("".join(
            f"{up}\n{down}\n{up}\n" for up, down in (chain_sql(k) for k in range(1, args.chain + 1))))

        def check_alembic_at(expected):
            got = sorted(psql("SELECT version_num FROM alembic_version", db_work).split())
            if got != expected:
                raise SystemExit(f"alembic left {got}, expected {expected}")

        def check_tables(n):
            got = int(psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", db_work))
            if got != n:
                raise SystemExit(f"{got} tables in public, expected {n}")

        cases = {
            "sample": {
                "psql": (psql_file(sample_sql), None),
                "stratum": (stratum_rehearse(SAMPLE, 7, "sample"), None),
                "alembic": (stairway_sample, lambda: (check_alembic_at(["007"]), check_tables(sample_tables + 1))),
            },
            "chain": {
                "psql": (psql_file(chain_file), lambda: check_tables(args.chain)),
                "stratum": (stratum_rehearse(chain, args.chain, "chain"), None),
                "alembic": (stairway_chain, lambda: (check_alembic_at([rid(args.chain)]),
                                                     check_tables(args.chain + 1))),
            },
        }
        # The sample's tables, as psql leaves them: the stairway by hand must leave the same (and its version table).
        fresh(db_work)
        psql_file(sample_sql)()
        sample_tables = int(psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", db_work))
        times = {w: {k: [] for k in c} for w, c in cases.items()}
        for run in range(args.runs):
            for workload, kinds in cases.items():
                for kind, (fn, check) in kinds.items():
                    if kind != "stratum":
                        fresh(db_work)
                    times[workload][kind].append(timed(fn))
                    if check:
                        check()
                    print(f"run {run + 1}: {workload} {kind}: {times[workload][kind][-1]:.2f} s", file=sys.stderr)
        medians = {w: {k: statistics.median(v) for k, v in c.items()} for w, c in times.items()}
        runs_ms = {w: statistics.median(v) / 1000 for w, v in run_ms.items()}
        write(medians, runs_ms, args.chain, args.runs)
    finally:
        # Ours, and any scratch database a failed rehearsal might have left (named after ours).
        for db in psql(f"SELECT datname FROM pg_database WHERE datname LIKE '{PREFIX}%'").split():
            try:
                psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(work, ignore_errors=True)


def write(m, runs_ms, n_chain, runs):
    rows = [
        ("the sample (examples/kontali-erp)", 7, m["sample"]),
        (f"a chain of {n_chain} native revisions", n_chain, m["chain"]),
    ]
    lines = [
        "## Rehearsing every revision (PostgreSQL)",
        "",
        f"Produced by `bench/rehearse.py`; whole-process wall time, median of {runs} runs, each on an",
        "empty database. Every revision is upgraded, downgraded and upgraded again. Stratum is one",
        "`stratum rehearse --from-base` process; the alternative is the stairway a user writes by hand",
        "with Alembic, `alembic upgrade +1`, `alembic downgrade -1`, `alembic upgrade +1` per revision,",
        "each a process, as hand-written stairway scripts run it (on the sample, whose branches make",
        "`+1`/`-1` ambiguous, `alembic upgrade REV`, `alembic downgrade REV@PARENT`, `alembic upgrade REV`",
        "in the plan's order, on its Alembic twin); the limit is psql running each revision's up, down",
        "and up SQL in one process (the revisions' SQL only: no version table, nothing checked).",
        "",
        "| project | revisions | psql (limit) | stratum rehearse | alembic stairway by hand | stratum / alembic | stratum / psql |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, n, t in rows:
        lines.append(f"| {name} | {n} | {t['psql']:.2f} s | {t['stratum']:.2f} s | {t['alembic']:.2f} s | "
                     f"{t['stratum'] / t['alembic']:.3f}x | {t['stratum'] / t['psql']:.2f}x |")
    lines += [
        "",
        "On top of psql, Stratum makes a scratch database and drops it afterwards, and per step reads",
        "the whole schema from the catalog three times (after the upgrade, after the downgrade, after",
        "the second upgrade; a step starts from the previous step's last reading), compares it twice (the downgrade against before, the",
        "second upgrade against the first) and writes and reads the version rows; on this 2-core",
        "machine the server and the client share the cores. The stairway by hand pays an Alembic",
        "process start (Python, SQLAlchemy, every revision file imported) three times per revision,",
        "and checks nothing beyond each command not failing.",
        "",
        "Of Stratum's time, the upgrades and downgrades themselves (the steps' own timings in its",
        f"report) are {runs_ms['sample']:.2f} s on the sample and {runs_ms['chain']:.2f} s on the chain; the rest is the",
        "process, the scratch database and the schema reads, which grow with the tables already",
        f"there ({n_chain} at the end of the chain).",
        "",
    ]
    print(replace_section("rehearse", lines))


if __name__ == "__main__":
    sys.exit(main())
