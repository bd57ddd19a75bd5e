#!/usr/bin/env bash
# Real published projects that ship Alembic histories, for checking Stratum's reader and planner
# against the real Alembic on histories nobody wrote for a test.
#
#   scripts/published-alembic.sh        # prints the path of target/published-alembic/projects.json
#
# Each pinned wheel is downloaded with the Alembic venv's pip (no dependencies, wheels only) and
# only what its migrations need is extracted into target/published-alembic/<name>/, keeping the
# package paths: the migrations folder (alembic.ini, env.py, script.py.mako, versions/...) and the
# package's own .py files, so that `from neutron.db.migration import cli` in a revision file runs
# the real module. Where the project's alembic.ini cannot be used by plain Alembic (its tooling sets
# script_location or version_locations programmatically) an equivalent <name>/alembic.ini is
# written. A project whose <name>/.done exists is skipped, so reruns are cheap and a failed run
# leaves nothing half-extracted. Progress goes to stderr.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
py="$("$root/scripts/alembic-venv.sh")"
pip="$(dirname "$py")/pip"
out="$root/target/published-alembic"
mkdir -p "$out"

# name|requirement|top package|migrations folder in the wheel|ini: "shipped" or what to write
projects=(
  "apache-superset|apache-superset==6.1.0|superset|superset/migrations|flask-migrate"
  "neutron|neutron==29.0.0|neutron|neutron/db/migration|neutron"
  "galaxy-data|galaxy-data==26.1.2|galaxy|galaxy/model/migrations|shipped"
  "indico|indico==3.2.9|indico|indico/migrations|flask-migrate"
)

for entry in "${projects[@]}"; do
  IFS='|' read -r name req pkg migrations ini_kind <<<"$entry"
  dest="$out/$name"
  if [[ -e "$dest/.done" ]]; then
    echo "published-alembic: $name: cached" >&2
    continue
  fi
  wheels="$out/.wheels/$name"
  mkdir -p "$wheels"
  echo "published-alembic: $name: downloading $req" >&2
  "$pip" download --quiet --disable-pip-version-check --no-deps --only-binary=:all: -d "$wheels" "$req" >&2
  tmp="$out/.$name.tmp"
  rm -rf "$tmp" "$dest"
  echo "published-alembic: $name: extracting $migrations and $pkg/**/*.py" >&2
  "$py" - "$wheels" "$req" "$tmp" "$pkg" "$migrations" "$ini_kind" <<'PY'
import sys
import zipfile
from pathlib import Path

wheels, req, tmp, pkg, migrations, ini_kind = sys.argv[1:]
dist, version = req.split("==")
prefix = dist.replace("-", "_").lower() + "-" + version + "-"
found = [w for w in Path(wheels).glob("*.whl") if w.name.lower().startswith(prefix)]
if len(found) != 1:
    sys.exit(f"expected one wheel {prefix}*.whl in {wheels}, found {found}")
tmp = Path(tmp)
count = 0
with zipfile.ZipFile(found[0]) as z:
    for info in z.infolist():
        name = info.filename
        if info.is_dir() or ".." in Path(name).parts or name.startswith("/"):
            continue
        if name.startswith(migrations + "/") or (name.startswith(pkg + "/") and name.endswith(".py")):
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(info))
            count += 1
if not (tmp / migrations).is_dir():
    sys.exit(f"{migrations} is not in {found[0].name}")

if ini_kind == "flask-migrate":
    # Flask-Migrate (superset, indico) reads <directory>/alembic.ini and then sets
    # script_location = <directory> itself; the shipped ini has no script_location.
    (tmp / "alembic.ini").write_text(
        "# Written by scripts/published-alembic.sh: the project's own tooling (Flask-Migrate)\n"
        f"# loads {migrations}/alembic.ini and sets script_location to {migrations} itself.\n"
        "[alembic]\n"
        f"script_location = %(here)s/{migrations}\n"
        "path_separator = os\n"
    )
elif ini_kind == "neutron":
    # neutron.db.migration.cli._set_version_locations lists versions/ and every
    # versions/<release>/<expand|contract> folder programmatically; walking versions/
    # recursively reads the same files (in sorted folder order rather than release order).
    (tmp / "alembic.ini").write_text(
        "# Written by scripts/published-alembic.sh: neutron's CLI sets version_locations to\n"
        "# versions/ plus versions/<release>/<branch> programmatically; the same files are read\n"
        "# here by walking versions/ recursively.\n"
        "[alembic]\n"
        f"script_location = %(here)s/{migrations}/alembic_migrations\n"
        "recursive_version_locations = true\n"
        "path_separator = os\n"
    )
elif ini_kind != "shipped":
    sys.exit(f"unknown ini kind {ini_kind}")
print(f"published-alembic: {count} files", file=sys.stderr)
PY
  touch "$tmp/.done"
  mv "$tmp" "$dest"
  rm -rf "$wheels"
done
rmdir "$out/.wheels" 2>/dev/null || true

"$py" - "$out" <<'PY'
import json
import sys
from pathlib import Path

out = Path(sys.argv[1])
inis = {
    "apache-superset": "alembic.ini",
    "neutron": "alembic.ini",
    "galaxy-data": "galaxy/model/migrations/alembic.ini",
    "indico": "alembic.ini",
}
projects = []
for name, ini in inis.items():
    root = (out / name).resolve()
    if not (root / ini).is_file():
        sys.exit(f"{root / ini} is missing")
    projects.append({"name": name, "ini": str(root / ini), "package_root": str(root)})
(out / "projects.json").write_text(json.dumps(projects, indent=2) + "\n")
PY
echo "$out/projects.json"
