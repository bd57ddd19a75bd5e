"""Stratum's driver for a project's own Alembic.

Run by the project's Python as `python -c <this file> REQUEST_JSON`. It never edits the
project's files: the profile's URL (STRATUM_ALEMBIC_URL in the environment) replaces the ini's
`sqlalchemy.url` in memory only. Events for Stratum are single lines on stderr that start with
the EVENT marker and carry JSON; everything else on stdout and stderr is Alembic's own output.

Requests:
  {"op": "command", "ini", "name", "args", "kwargs"}  one `alembic.command` function, with
      events as each revision starts and finishes ("step"), every statement a revision sends
      to the database ("statement"), and the Script that `revision` and `merge` write
      ("written").
  {"op": "render", "ini", "revisions": [ids] | null}  each revision's upgrade and downgrade
      SQL in Alembic's offline mode, one "rendered" event with all of them; a revision whose
      Python fails offline gets its error instead of SQL.
"""
import functools
import io
import inspect
import json
import os
import sys
import traceback

EVENT = "\x1estratum\x1f"


def event(kind, **data):
    data["event"] = kind
    sys.stderr.write(EVENT + json.dumps(data) + "\n")
    sys.stderr.flush()


def where(tb):
    """The innermost frame that is in the project (not in Alembic, SQLAlchemy or a driver)."""
    frames = traceback.extract_tb(tb)
    root = os.path.dirname(os.path.abspath(REQUEST["ini"]))
    for f in reversed(frames):
        path = os.path.abspath(f.filename)
        if f.filename.startswith("<"):
            continue
        if path.startswith(root + os.sep) and "site-packages" not in path:
            return {"file": path, "line": f.lineno, "code": (f.line or "").strip()}
    return None


def configure():
    from alembic.config import Config

    # As the alembic command line does in the folder it runs in (which this is): the ini, when
    # there is one, and since Alembic 1.16 the [tool.alembic] of pyproject.toml beside it.
    ini = REQUEST["ini"]
    kwargs = {}
    toml = os.path.join(os.path.dirname(os.path.abspath(ini)), "pyproject.toml")
    if os.path.isfile(toml) and "toml_file" in inspect.signature(Config.__init__).parameters:
        kwargs["toml_file"] = toml
    cfg = Config(
        ini if os.path.isfile(ini) else None,
        output_buffer=REQUEST.get("_buffer"),
        **kwargs,
    )
    url = os.environ.get("STRATUM_ALEMBIC_URL")
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


CURRENT = [None]
# The revision whose body is running: its statements are recorded, the version table's are not.
STEP = [None]
MAX_PARAMETERS = 500


def record_statements():
    """Reports every statement sent to the database while a revision's body runs, as the
    database receives it, so a revision that reads the database (and so cannot render
    offline) still shows what it did."""
    from sqlalchemy import event as sa_event
    from sqlalchemy.engine import Engine

    def sent(conn, cursor, statement, parameters, context, executemany):
        if STEP[0] is None:
            return
        sql = statement.strip()
        if parameters:
            shown = repr(parameters)
            if len(shown) > MAX_PARAMETERS:
                shown = shown[:MAX_PARAMETERS] + "..."
            sql += "\n-- parameters: " + shown.replace("\n", " ")
        event("statement", revision=STEP[0], sql=sql)

    sa_event.listen(Engine, "before_cursor_execute", sent)


def watch_steps():
    """Reports each revision as it starts and finishes, from inside Alembic's own loop, and
    each autocommit block, which commits what ran before it whatever happens next."""
    import contextlib

    from alembic.runtime import migration

    block = migration.MigrationContext.autocommit_block

    @contextlib.contextmanager
    def autocommit_block(self):
        event("autocommit", revision=CURRENT[0])
        with block(self):
            yield

    migration.MigrationContext.autocommit_block = autocommit_block
    original = migration.RevisionStep.__init__

    def init(self, revision_map, revision, is_upgrade):
        original(self, revision_map, revision, is_upgrade)
        fn, rev = self.migration_fn, revision.revision

        # Alembic's log names the step by its function's name ("Running upgrade a -> b").
        @functools.wraps(fn)
        def run(*a, **kw):
            CURRENT[0] = rev
            event("step", phase="start", revision=rev, upgrade=is_upgrade)
            STEP[0] = rev
            try:
                result = fn(*a, **kw)
            finally:
                STEP[0] = None
            event("step", phase="done", revision=rev, upgrade=is_upgrade)
            return result

        self.migration_fn = run

    migration.RevisionStep.__init__ = init


def command():
    from alembic import command as commands

    watch_steps()
    record_statements()
    cfg = configure()
    fn = getattr(commands, REQUEST["name"])
    result = fn(cfg, *REQUEST.get("args", []), **REQUEST.get("kwargs", {}))
    scripts = result if isinstance(result, list) else [result]
    for s in scripts:
        if s is not None and hasattr(s, "path") and hasattr(s, "revision"):
            event("written", revision=s.revision, path=os.path.abspath(s.path))


def render():
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    REQUEST["_buffer"] = io.StringIO()
    cfg = configure()
    script = ScriptDirectory.from_config(cfg)
    wanted = REQUEST.get("revisions")
    ids = wanted if wanted is not None else [s.revision for s in script.walk_revisions()]
    out = {}

    def fn(heads, context):
        if not context.as_sql:
            # env.py connected although offline mode was asked for: running a revision now
            # would change the database. Stop before anything runs.
            raise RuntimeError(
                "env.py does not support Alembic's offline mode (--sql): it opened a "
                "connection instead, so Stratum cannot show this project's SQL"
            )
        impl = context.impl
        kept = impl.output_buffer
        for rid in ids:
            module = script.get_revision(rid).module
            entry = {}
            for key, name in (("up", "upgrade"), ("down", "downgrade")):
                buf = io.StringIO()
                impl.output_buffer = buf
                try:
                    getattr(module, name)()
                    entry[key] = buf.getvalue()
                except Exception as e:  # one revision's failure is its own result
                    entry[key + "_error"] = f"{type(e).__name__}: {e}"
                    entry[key + "_where"] = where(e.__traceback__)
                finally:
                    impl.output_buffer = kept
            out[rid] = entry
        return []

    with EnvironmentContext(cfg, script, fn=fn, as_sql=True, starting_rev=None, destination_rev="heads"):
        script.run_env()
    event("rendered", revisions=out)


REQUEST = json.loads(sys.argv[1])
try:
    {"command": command, "render": render}[REQUEST["op"]]()
    # Stratum treats a run without this line as one that never happened.
    event("finished")
except SystemExit:
    raise
except BaseException as e:
    traceback.print_exc()
    event("error", type=type(e).__name__, message=str(e), at=where(e.__traceback__))
    sys.exit(1)
