#!/usr/bin/env python3
"""What the real Alembic reads from real published projects, and oracle cases over their graphs.

    python published.py PROJECTS_JSON [--cases N] [--seed S] [--spec-out SPEC.json] > published.json

PROJECTS_JSON is what `scripts/published-alembic.sh` prints: [{"name", "ini", "package_root"}].

OUTPUT: {"projects": [{"name", "ini", "load_error": null | "Type: message", "load_seconds",
"warnings": [..], "revisions": [{"file", "revision", "down_revision": [..], "branch_labels": [..],
"depends_on": [..], "message", "create_date": str | null}] (in Alembic's load order),
"graph": {"name", "revisions": [{"revision", "down_revision", "branch_labels", "depends_on"}],
"cases": [..]}}], "unresolved": [{"project", "file", "name", "value"}]}

`{"graphs": [p["graph"] for p in out["projects"]]}` is a spec for oracle.py (--spec-out writes it).
Diagnostics per project: "stubbed_modules" (top-level names answered with stubs),
"degraded_modules" ([{"module", "error"}]: project modules that raised while running and were
finished as stubs), "load_traceback" (only when load_error is set).

Every value comes from the real Alembic: `Config(ini)`, `ScriptDirectory.from_config`, then the
revision map is built while the Script objects its generator (`ScriptDirectory._load_revisions`)
yields are recorded, so `revisions` is exactly the order in which Alembic read the files (the
order of `RevisionMap._revision_map`, which is checked: its revision keys, in insertion order,
must be the recorded ids with duplicates dropped; a duplicate id keeps the position of its first
file and the value of its last). Per file:

- `revision`: `Script.revision`
- `down_revision`: `Script._versioned_down_revisions` (`to_tuple(down_revision)`)
- `branch_labels`: `Script._orig_branch_labels`, the labels the file declares (`branch_labels` is a
  set that `_add_branches` extends with labels inherited from ancestors and descendants)
- `depends_on`: `to_tuple(Script.dependencies)`, as declared (labels not resolved to ids)
- `message`: `Script.doc` (first "\\n\\n"-separated paragraph of the stripped module docstring)
- `create_date`: in `Script.longdoc`, the rest of the first line that starts, once stripped, with
  "Create Date:", stripped; null if there is none

Each project is loaded in its own child process with package_root first on sys.path, so the
project's own modules run for real (neutron's `cli.EXPAND_BRANCH` is the real 'expand'), and a
fallback import hook, last on sys.meta_path, that turns every module the project's files import
and nothing can find into a permissive stub (attributes, calls, decorators, base classes,
context managers, iteration); imports made by installed libraries still fail normally, so
`try: import winreg` keeps working. A project module that raises while running (it needs a
configured app, mixes a stub into a metaclass...) keeps what it defined so far and stubs the
rest, instead of failing the import. Two shims stand in for what the project's tooling would
have set up: PRELUDES (superset's encrypted_field_factory.init_app) and SQLAlchemy 2 ignoring the
1.4-style model annotations it would refuse (superset pins sqlalchemy<2). So that no stub turns
into a value unnoticed, a revision, down_revision, branch_labels or depends_on that is not None,
a str or a tuple/list of str in the module (for instance a stub), or a str made from a stub (it
contains "<stub "), is listed in "unresolved" and its file is left out of "revisions" and the
graph; such a project's graph gets no cases, since it is not the real graph.

Cases: generate.py's make_cases, seeded by "--seed:project name", plus heads, history,
`upgrade heads` from no rows, `downgrade base` from the heads' rows, and for 20 seeded revisions
`upgrade REV` from no rows and `downgrade REV` from the heads' rows.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
KEYS = ("revision", "down_revision", "branch_labels", "depends_on")

# What a project's own tooling sets up before Alembic reads its revision files, run after
# package_root is on sys.path and the stub importer is in place.
PRELUDES = {
    # Superset's env.py runs inside the Flask app, whose init calls
    # encrypted_field_factory.init_app(app); two revision files call
    # encrypted_field_factory.create() at module level, which raises before that.
    "apache-superset": """
from superset.extensions import encrypted_field_factory
from superset.utils.encrypt import SQLAlchemyUtilsAdapter

class _App:
    config = {"SQLALCHEMY_ENCRYPTED_FIELD_TYPE_ADAPTER": SQLAlchemyUtilsAdapter, "SECRET_KEY": "x"}

encrypted_field_factory.init_app(_App())
""",
}


# ------------------------------------------------------------------------------------------------
# Child: load one project with the real Alembic.


def install_stub_importer(package_root):
    import importlib.abc
    import importlib.machinery
    import types

    def dunder(name):
        return name.startswith("__") and name.endswith("__")

    class StubBase:
        """What `class X(stub)` derives from (no metaclass of its own, so it mixes with any)."""

        def __init__(self, *args, **kwargs):
            pass

        def __init_subclass__(cls, **kwargs):
            pass

        def __getattr__(self, name):
            if dunder(name):
                raise AttributeError(name)
            return Stub(f"{type(self).__qualname__}().{name}")

        def __call__(self, *args, **kwargs):
            return Stub(f"{type(self).__qualname__}()()")

    class Stub:
        """A permissive stand-in for anything from a module that is not installed."""

        def __init__(self, name="stub"):
            object.__setattr__(self, "_stub_name", name)

        def __repr__(self):
            return f"<stub {self._stub_name}>"

        __str__ = __repr__

        def __getattr__(self, name):
            if dunder(name):
                raise AttributeError(name)
            value = Stub(f"{self._stub_name}.{name}")
            object.__setattr__(self, name, value)
            return value

        def __call__(self, *args, **kwargs):
            # As a bare decorator, give the decorated function or class back unchanged.
            if len(args) == 1 and not kwargs and (callable(args[0]) or isinstance(args[0], type)):
                return args[0]
            return Stub(f"{self._stub_name}()")

        def __mro_entries__(self, bases):
            return (StubBase,)

        def __getitem__(self, item):
            return Stub(f"{self._stub_name}[]")

        def __setitem__(self, key, value):
            pass

        def __delitem__(self, key):
            pass

        def __iter__(self):
            return iter(())

        def __len__(self):
            return 0

        def __contains__(self, item):
            return False

        def __bool__(self):
            return True

        def __int__(self):
            return 0

        __index__ = __int__

        def __float__(self):
            return 0.0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        async def __aenter__(self):
            return self

        async def __aexit__(self, *exc):
            return False

        def __eq__(self, other):
            return self is other

        def __hash__(self):
            return id(self)

        def __lt__(self, other):
            return False

        __le__ = __gt__ = __ge__ = __lt__

        def __instancecheck__(self, obj):
            return False

        def __subclasscheck__(self, cls):
            return False

        def _op(self, *other):
            return Stub(f"({self._stub_name} op)")

        for _name in ("add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow", "and",
                      "or", "xor", "lshift", "rshift"):
            locals()[f"__{_name}__"] = _op
            locals()[f"__r{_name}__"] = _op
        __neg__ = __pos__ = __invert__ = _op
        del _name

    class StubModule(types.ModuleType):
        __stratum_stub__ = True

        def __getattr__(self, name):
            if dunder(name):
                raise AttributeError(name)
            value = Stub(f"{self.__name__}.{name}")
            setattr(self, name, value)
            return value

    class StubLoader(importlib.abc.Loader):
        def create_module(self, spec):
            module = StubModule(spec.name)
            module.__all__ = []
            return module

        def exec_module(self, module):
            pass

    def importer_file():
        """The file of the code that runs the import statement (or importlib.import_module)."""
        frame = sys._getframe(1)
        while frame is not None:
            name = frame.f_code.co_filename
            if not (name.startswith("<frozen") or name.startswith(IMPORTLIB_DIR) or name == __file__):
                return name
            frame = frame.f_back
        return ""

    class StubFinder(importlib.abc.MetaPathFinder):
        """Last on sys.meta_path: a module the project's code imports and nothing can find."""

        def __init__(self):
            self.stubbed = []

        def find_spec(self, fullname, path=None, target=None):
            # Only for imports made by the project's own files (revision files included): a
            # library probing an optional module (`try: import winreg`) still gets ImportError.
            importer = importer_file()
            if not any(importer.startswith(r) for r in roots):
                return None
            self.stubbed.append(fullname)
            return importlib.machinery.ModuleSpec(fullname, StubLoader(), is_package=True)

    class DegradingLoader(importlib.abc.Loader):
        """Runs a project module for real; if it raises, what it defined so far stays and the
        rest of its names become stubs (models that need a configured app, a metaclass mixed
        with a stub...), recorded in `degraded`."""

        def __init__(self, inner):
            self.inner = inner

        def create_module(self, spec):
            return self.inner.create_module(spec)

        def exec_module(self, module):
            try:
                self.inner.exec_module(module)
            except Exception as e:
                degraded.append({"module": module.__name__, "error": f"{type(e).__name__}: {e}"})
                module.__class__ = StubModule

        def __getattr__(self, name):
            return getattr(self.inner, name)

    class ProjectFinder(importlib.abc.MetaPathFinder):
        """First on sys.meta_path: the project's own packages, found under package_root."""

        def find_spec(self, fullname, path=None, target=None):
            top = fullname.partition(".")[0]
            if not ((Path(package_root) / top).is_dir() or (Path(package_root) / f"{top}.py").is_file()):
                return None
            spec = importlib.machinery.PathFinder.find_spec(
                fullname, path if "." in fullname else [package_root])
            if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
                return spec
            spec.loader = DegradingLoader(spec.loader)
            return spec

    import importlib as _importlib

    IMPORTLIB_DIR = str(Path(_importlib.__file__).parent)
    roots = [str(Path(package_root).resolve()) + os.sep, package_root.rstrip(os.sep) + os.sep]
    degraded = []
    finder = StubFinder()
    sys.meta_path.insert(0, ProjectFinder())
    sys.meta_path.append(finder)
    return finder, degraded


def clean_value(value):
    """(value, True) if Alembic can take it as written (None, str, tuple/list of str), else (None, False)."""
    def real_str(v):
        return isinstance(v, str) and "<stub " not in v  # str(stub) is "<stub name>"

    if value is None or real_str(value):
        return value, True
    if isinstance(value, (tuple, list)) and all(real_str(v) for v in value):
        return value, True
    # to_tuple takes any iterable; a set is deterministic only with at most one element
    if isinstance(value, (set, frozenset)) and len(value) <= 1 and all(real_str(v) for v in value):
        return value, True
    return None, False


def create_date(longdoc):
    for line in longdoc.splitlines():
        line = line.strip()
        if line.startswith("Create Date:"):
            return line[len("Create Date:"):].strip()
    return None


def read_revisions(ini, project=None, before=None):
    """What the real Alembic reads for `ini`: {"load_error", "load_seconds", "warnings",
    "revisions", "unresolved"} (and "load_traceback" when loading failed). `before` runs just
    before the Config is made, inside the same warning capture."""
    import warnings

    from alembic import util
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    result = {"load_error": None, "load_seconds": None, "warnings": [], "revisions": [],
              "unresolved": []}
    started = time.monotonic()
    loaded = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if before is not None:
                before()
            cfg = Config(ini)
            script = ScriptDirectory.from_config(cfg)
            generator = script.revision_map._generator

            def recording():
                for s in generator():
                    loaded.append(s)
                    yield s

            script.revision_map._generator = recording
            revision_map = script.revision_map._revision_map
        except Exception as e:  # every failure is a result here
            result["load_error"] = f"{type(e).__name__}: {e}"
            result["load_traceback"] = traceback.format_exc(limit=-8)
            revision_map = None
    result["load_seconds"] = round(time.monotonic() - started, 3)
    result["warnings"] = [str(w.message) for w in caught]
    if revision_map is not None:
        in_map = [k for k, v in revision_map.items() if v is not None and k == v.revision]
        first_seen = list(dict.fromkeys(s.revision for s in loaded))
        if in_map != first_seen:
            result["load_error"] = "internal: the revision map's order is not the load order"
    for s in loaded:
        bad = []
        for key in KEYS:
            if hasattr(s.module, key):
                _, ok = clean_value(getattr(s.module, key))
                if not ok:
                    bad.append({"project": project, "file": s.path, "name": key,
                                "value": repr(getattr(s.module, key))})
        if bad:
            result["unresolved"].extend(bad)
            continue
        result["revisions"].append({
            "file": s.path,
            "revision": s.revision,
            "down_revision": list(s._versioned_down_revisions),
            "branch_labels": list(s._orig_branch_labels),
            "depends_on": list(util.to_tuple(s.dependencies, default=())),
            "message": s.doc,
            "create_date": create_date(s.longdoc),
        })
    return result


def load_one(name, ini, package_root):
    finder, degraded, prelude = prepare(name, package_root)
    sys.dont_write_bytecode = True  # leave the extracted trees as the wheels ship them
    result = {"name": name, "ini": ini, **read_revisions(ini, name, prelude)}
    result["stubbed_modules"] = sorted({m.split(".")[0] for m in finder.stubbed})
    result["degraded_modules"] = degraded
    return result


def prepare(name, package_root):
    """What Alembic needs to import a published project's revision files here: the real
    SQLAlchemy and Alembic first, the project's own modules where present, stubs for the rest,
    and the project's prelude (returned, to run once the importer is in place)."""
    # Alembic and SQLAlchemy are imported for real before the stub importer exists, so that
    # their own optional imports are not answered with stubs.
    import sqlalchemy  # noqa: F401
    import sqlalchemy.orm  # noqa: F401
    from alembic import op  # noqa: F401

    # Projects pinned to SQLAlchemy 1.4 (superset: sqlalchemy<2) declare models in revision files
    # with annotations SQLAlchemy 2 refuses (`@declared_attr def x(self) -> sa.Column`); 1.4
    # ignored annotations, so make SQLAlchemy 2 ignore the ones it cannot interpret.
    from sqlalchemy.orm import decl_base

    extract = decl_base._extract_mapped_subtype
    decl_base._extract_mapped_subtype = lambda *args, **kwargs: extract(*args, **{**kwargs, "raiseerr": False})

    sys.path.insert(0, package_root)
    finder, degraded = install_stub_importer(package_root)

    def prelude():
        if name in PRELUDES:
            exec(compile(PRELUDES[name], f"<prelude {name}>", "exec"), {"__name__": "prelude"})

    return finder, degraded, prelude


# ------------------------------------------------------------------------------------------------
# Parent: one child per project, then the oracle spec.


def fast_tips(revs, applied):
    """generate.tips without its quadratic walk: the same list, in the same order."""
    import generate

    by = {r["revision"]: r for r in revs}
    labels = {l: r["revision"] for r in revs for l in r["branch_labels"]}
    parents = []
    for x in applied:
        r = by[x]
        parents.extend(r["down_revision"])
        parents.extend(labels.get(d, d) for d in r["depends_on"])
    below = generate.ancestors(revs, parents)
    return [x for x in (r["revision"] for r in revs) if x in applied and x not in below]


def make_graph(project, seed, count, complete):
    sys.path.insert(0, str(HERE))
    import generate

    generate.tips = fast_tips  # make_cases looks tips up in its module
    revs = [{k: r[k] for k in KEYS} for r in project["revisions"]]
    graph = {"name": project["name"], "revisions": revs, "cases": []}
    if project["load_error"] or not complete or not revs:
        return graph
    rng = random.Random(f"{seed}:{project['name']}")
    ids = [r["revision"] for r in revs]
    heads_rows = fast_tips(revs, set(ids))
    cases = [
        {"start": [], "command": "heads", "args": []},
        {"start": [], "command": "history", "args": []},
        {"start": [], "command": "upgrade", "args": ["heads"]},
        {"start": list(heads_rows), "command": "downgrade", "args": ["base"]},
    ]
    for rid in rng.sample(ids, min(20, len(ids))):
        cases.append({"start": [], "command": "upgrade", "args": [rid]})
        cases.append({"start": list(heads_rows), "command": "downgrade", "args": [rid]})
    cases.extend(generate.make_cases(rng, revs, count))
    graph["cases"] = cases
    return graph


def main():
    sys.dont_write_bytecode = True
    if len(sys.argv) == 5 and sys.argv[1] == "--load-one":
        real_stdout = sys.stdout
        sys.stdout = sys.stderr  # whatever the project's modules print stays off the result
        result = load_one(*sys.argv[2:])
        json.dump(result, real_stdout)
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("projects")
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--spec-out", help="also write the oracle.py spec of all graphs to this file")
    a = ap.parse_args()
    out = {"projects": [], "unresolved": []}
    for p in json.loads(Path(a.projects).read_text()):
        failed = {"name": p["name"], "ini": p["ini"], "load_seconds": None, "warnings": [],
                  "revisions": [], "unresolved": [], "stubbed_modules": [], "degraded_modules": []}
        try:
            proc = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--load-one", p["name"], p["ini"],
                 p["package_root"]],
                capture_output=True, encoding="utf-8", errors="replace", timeout=600,
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        except subprocess.TimeoutExpired:
            project = {**failed, "load_error": "loader timed out after 600 s"}
        else:
            if proc.returncode != 0:
                project = {**failed, "load_error": f"loader crashed ({proc.returncode}): {proc.stderr[-2000:]}"}
            else:
                project = json.loads(proc.stdout)
        unresolved = project.pop("unresolved")  # reported at the top level
        out["unresolved"].extend(unresolved)
        project["graph"] = make_graph(project, a.seed, a.cases, complete=not unresolved)
        out["projects"].append(project)
    if a.spec_out:
        Path(a.spec_out).write_text(json.dumps({"graphs": [p["graph"] for p in out["projects"]]}))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
