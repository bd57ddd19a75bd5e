#!/usr/bin/env python3
"""Schema introspection of 2,000 tables of 20 columns (with indexes and foreign keys) on
PostgreSQL: `stratum schema --json` against `pg_dump --schema-only` on the same database,
interleaved, median of N. Writes the "Schema introspection" section of BENCHMARKS.md.
Usage: bench/schema.py [--runs N] [--tables N]
"""
import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STRATUM = ROOT / "target" / "release" / "stratum"
DB = "stratum_bench_schema"
START, END = "<!-- schema:start -->", "<!-- schema:end -->"


def sh(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def psql(db, sql):
    return sh(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql]).stdout.strip()


def build(n):
    psql("postgres", f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    psql("postgres", f'CREATE DATABASE "{DB}"')
    lines = []
    for k in range(n):
        cols = ",\n  ".join(f"c{j} {'integer' if j % 3 == 0 else 'varchar(100)' if j % 3 == 1 else 'timestamptz'}" for j in range(17))
        fk = f",\n  parent_id bigint REFERENCES t{k - 1} (id) ON DELETE RESTRICT" if k else ",\n  parent_id bigint"
        lines.append(f"CREATE TABLE t{k} (\n  id bigint PRIMARY KEY,\n  tenant_id integer NOT NULL{fk},\n  {cols}\n);")
        lines.append(f"CREATE INDEX ix_t{k}_tenant ON t{k} (tenant_id, c0);")
        lines.append(f"CREATE INDEX ix_t{k}_parent ON t{k} (parent_id);")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        # One transaction per statement: thousands of tables in one would exhaust the lock table.
        f.write("\n".join(lines) + "\n")
        path = f.name
    sh(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", DB, "-q", "-v", "ON_ERROR_STOP=1", "-f", path])
    Path(path).unlink()
    psql(DB, "ANALYZE")


def timed(args):
    t = time.perf_counter()
    sh(args)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tables", type=int, default=2000)
    args = ap.parse_args()
    sh(["cargo", "build", "--release", "--locked", "-p", "stratum-cli"], cwd=ROOT)
    build(args.tables)
    url = f"postgresql://postgres@127.0.0.1:5432/{DB}"
    ours, theirs = [], []
    for i in range(args.runs):
        pair = [
            lambda: ours.append(timed([str(STRATUM), "--url", url, "schema", "--json"])),
            lambda: theirs.append(timed(["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "--schema-only", "--dbname", DB])),
        ]
        for f in (pair if i % 2 == 0 else pair[::-1]):
            f()
    psql("postgres", f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    a, b = statistics.median(ours), statistics.median(theirs)
    section = "\n".join([
        START,
        "## Schema introspection (PostgreSQL)",
        "",
        f"{args.tables} tables of 20 columns, each with a primary key, two indexes and a foreign key; median of {args.runs}",
        "interleaved runs (alternating which goes first); produced by `bench/schema.py`. Both are whole processes reading",
        "the catalog of the same database; Stratum reads every table, column, key, index, foreign key, view, sequence",
        "and enum type in seven catalog queries.",
        "",
        "| command | median | ratio |",
        "|---|---|---|",
        f"| pg_dump --schema-only | {b * 1000:.0f} ms | 1.00x |",
        f"| stratum schema --json | {a * 1000:.0f} ms | {a / b:.2f}x |",
        "",
        END,
    ])
    print(section)
    report = ROOT / "BENCHMARKS.md"
    text = report.read_text()
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    report.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
