#!/usr/bin/env python3
"""Backup and restore of a ~500 MB PostgreSQL database: Stratum against pg_dump -Fc / pg_restore
run directly (the physical limit: Stratum drives those same tools), interleaved, median of N.
Writes the "Backup and restore" section of BENCHMARKS.md. Usage: bench/backup.py [--runs N] [--mb M]
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
DB = "stratum_bench_backup"
START, END = "<!-- backup:start -->", "<!-- backup:end -->"


def sh(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def psql(db, sql):
    return sh(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql]).stdout.strip()


def timed(args):
    t = time.perf_counter()
    sh(args)
    return time.perf_counter() - t


def drop(name):
    psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def populate(mb):
    drop(DB)
    psql("postgres", f'CREATE DATABASE "{DB}"')
    rows = mb * 1024 * 1024 // 200
    psql(DB, "CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id int NOT NULL, number text NOT NULL, "
             "customer text NOT NULL, amount numeric(12,2) NOT NULL, notes text, created timestamptz NOT NULL)")
    psql(DB, f"INSERT INTO invoices SELECT g, g % 500, 'INV-' || lpad(g::text, 10, '0'), md5(g::text) || md5((g * 7)::text), "
             f"(g % 100000) / 100.0, repeat(md5((g * 3)::text), 2), now() - (g || ' seconds')::interval "
             f"FROM generate_series(1, {rows}) g")
    psql(DB, "CREATE INDEX ix_invoices_tenant ON invoices (tenant_id, created)")
    psql(DB, "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY); INSERT INTO alembic_version VALUES ('007')")
    psql(DB, "VACUUM ANALYZE")
    return int(psql(DB, f"SELECT pg_database_size('{DB}')"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--mb", type=int, default=500)
    args = ap.parse_args()
    sh(["cargo", "build", "--release", "--locked", "-p", "stratum-cli"], cwd=ROOT)
    size = populate(args.mb)
    url = f"postgresql://postgres@127.0.0.1:5432/{DB}"
    times = {k: [] for k in ["pg_dump", "stratum_backup", "pg_restore", "stratum_restore"]}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for i in range(args.runs):
            direct, ours = tmp / f"direct{i}.dump", tmp / f"ours{i}.dump"
            for name in (f"{DB}_r_direct", f"{DB}_r_ours"):
                drop(name)

            def dump_direct():
                times["pg_dump"].append(timed(["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "--format=custom", "--file", str(direct), "--dbname", DB]))

            def dump_ours():
                times["stratum_backup"].append(timed([str(STRATUM), "--url", url, "backup", "--out", str(ours)]))

            def restore_direct():
                # Restoring into a new database by hand is createdb, then pg_restore.
                t = time.perf_counter()
                sh(["createdb", "-h", "127.0.0.1", "-U", "postgres", f"{DB}_r_direct"])
                sh(["pg_restore", "-h", "127.0.0.1", "-U", "postgres", "--no-owner", "--exit-on-error", "--single-transaction",
                    "--dbname", f"{DB}_r_direct", str(direct)])
                times["pg_restore"].append(time.perf_counter() - t)

            def restore_ours():
                times["stratum_restore"].append(timed([str(STRATUM), "--url", url, "restore", str(ours), "--into", f"{DB}_r_ours"]))

            # Alternate who goes first, and start each from a checkpoint, so that neither pays
            # for the other's writes being flushed.
            pairs = [(dump_direct, dump_ours), (restore_direct, restore_ours)]
            for first, second in pairs:
                for f in ((first, second) if i % 2 == 0 else (second, first)):
                    psql("postgres", "CHECKPOINT")
                    f()
            for name in (f"{DB}_r_direct", f"{DB}_r_ours"):
                drop(name)
            dump_size = direct.stat().st_size
            direct.unlink()
            ours.unlink()
    drop(DB)
    med = {k: statistics.median(v) for k, v in times.items()}
    lines = [
        START,
        "## Backup and restore (PostgreSQL)",
        "",
        f"A {size / 1048576:.0f} MiB database (one {args.mb} MB table with an index; the dump is {dump_size / 1048576:.0f} MiB),",
        f"median of {args.runs} interleaved runs (alternating which goes first, each from a checkpoint); produced by `bench/backup.py`. The limit is the engine's own tool run",
        "directly: Stratum drives the same tools, and adds a manifest with a SHA-256 of the file (backup) and a",
        "checksum and `pg_restore --list` verification, run alongside the restore, before it puts anything in place.",
        "",
        "| operation | pg_dump / createdb + pg_restore directly (limit) | Stratum | ratio |",
        "|---|---|---|---|",
        f"| backup (`pg_dump -Fc`) | {med['pg_dump']:.2f} s | {med['stratum_backup']:.2f} s | {med['stratum_backup'] / med['pg_dump']:.3f}x |",
        f"| restore into a new database | {med['pg_restore']:.2f} s | {med['stratum_restore']:.2f} s | {med['stratum_restore'] / med['pg_restore']:.3f}x |",
        "",
        END,
    ]
    section = "\n".join(lines)
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
