#!/usr/bin/env python3
"""Reading and planning real Alembic projects: Stratum (which reads the Python revision files
without running Python) against Alembic itself (`alembic heads` / `alembic history`, which
imports every revision file), and the floor of reading the same files from disk.

The projects are the published histories scripts/published-alembic.sh fetches from PyPI
(Superset, Neutron, Galaxy, Indico). Their revision files import their own packages, which are
not installed here: Alembic runs with the oracle's stub importer for those (which makes it
faster than on a real install, where the imports are real), and with its bytecode cache warm.
Writes the "alembic" section of BENCHMARKS.md. Usage: bench/alembic_projects.py [--runs N]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from sections import replace_section

ROOT = Path(__file__).resolve().parent.parent
STRATUM = ROOT / "target" / "release" / "stratum"

# Runs `alembic <command>` on one published project the way published.py loads it.
ALEMBIC = r'''
import sys
sys.path.insert(0, sys.argv[1])
import published
name, ini, root, command = sys.argv[2:6]
finder, degraded, prelude = published.prepare(name, root)
prelude()
from alembic.config import main
main(["-c", ini, command])
'''


def sh(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def timed(args):
    t = time.perf_counter()
    sh(args)
    return time.perf_counter() - t


def median(runs, cases):
    times = {name: [] for name in cases}
    for name, cmd in cases.items():  # one warm-up each: caches as a user's second run has them
        sh(cmd)
    for _ in range(runs):
        for name, cmd in cases.items():
            times[name].append(timed(cmd))
    return {name: statistics.median(v) for name, v in times.items()}


def computed_values(project_dir):
    """What a user supplies once for Neutron: its two computed branch labels."""
    values = []
    for path in Path(project_dir).rglob("*.py"):
        text = path.read_text(errors="replace")
        for const, label in (("cli.EXPAND_BRANCH", "expand"), ("cli.CONTRACT_BRANCH", "contract")):
            if f"branch_labels = ({const},)" in text:
                values += ["--value", f"{path.name}: branch_labels = {label}"]
    return values


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    python = os.environ.get("STRATUM_TEST_PYTHON") or sh([str(ROOT / "scripts" / "alembic-venv.sh")]).stdout.strip()
    projects = json.loads(Path(sh([str(ROOT / "scripts" / "published-alembic.sh")]).stdout.strip()).read_text())
    sh(["cargo", "build", "--release", "--locked", "-p", "stratum-cli"], cwd=ROOT)
    oracle = str(ROOT / "tests" / "alembic_oracle")
    rows = []
    for p in projects:
        name, ini, root = p["name"], p["ini"], p["package_root"]
        folder = str(Path(ini).parent)
        # The revision files Stratum reads, as a list for the floor (cat of the same bytes).
        listing = sh([str(STRATUM), "--json", "--project", ini, *computed_values(folder), "history"]).stdout
        files = [r["file"] for r in json.loads(listing)["history"]]
        stratum = [str(STRATUM), "--project", ini, *computed_values(folder)]
        alembic = [python, "-c", ALEMBIC, oracle, name, ini, root]
        cases = {
            "cat the revision files (floor)": ["sh", "-c", 'cat "$@" > /dev/null', "cat", *files],
            "stratum heads": stratum + ["heads"],
            "stratum history": stratum + ["history"],
            "stratum upgrade heads --plan --from base": stratum + ["upgrade", "heads", "--plan", "--from", ""],
            "alembic heads": alembic + ["heads"],
            "alembic history": alembic + ["history"],
        }
        m = median(args.runs, cases)
        rows.append((name, len(files), m))
        print(name, {k: f"{v * 1000:.0f} ms" for k, v in m.items()}, file=sys.stderr)
    write(rows, args.runs)


def write(rows, runs):
    lines = [
        "## Reading and planning published Alembic projects",
        "",
        "The published histories scripts/published-alembic.sh fetches from PyPI, read as they ship;",
        f"whole-process wall time, median of {runs} interleaved runs after a warm-up; produced by",
        "`bench/alembic_projects.py`. Stratum reads the Python revision files without running",
        "Python; Alembic imports every one of them (here with its bytecode cache warm, and with",
        "the projects' own packages stubbed, which flatters Alembic: on a real install those",
        "imports are real). The ratio is against `alembic heads` on the same project; the floor is",
        "reading the same files' bytes with `cat`.",
        "",
        "| project | revisions | cat (floor) | stratum heads | stratum history | stratum plan heads from base | alembic heads | alembic history | alembic heads / stratum heads |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, n, m in rows:
        ms = lambda k: f"{m[k] * 1000:.0f} ms"
        lines.append(
            f"| {name} | {n} | {ms('cat the revision files (floor)')} | {ms('stratum heads')} | {ms('stratum history')} "
            f"| {ms('stratum upgrade heads --plan --from base')} | {ms('alembic heads')} | {ms('alembic history')} "
            f"| {m['alembic heads'] / m['stratum heads']:.1f}x |"
        )
    lines.append("")
    print(replace_section("alembic", lines))


if __name__ == "__main__":
    sys.exit(main())
