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
      With "journal" ({"table", "key", "started_by", "started_at", "resume"}), each
      revision's statements are journaled in Stratum's journal table on the same connection
      (see Journal); with "resume" ({"revision", "skip", "digests"}), the first `skip`
      statements of that revision, which ran before an interruption, are not sent again.
  {"op": "render", "ini", "revisions": [ids] | null}  each revision's upgrade and downgrade
      SQL in Alembic's offline mode, one "rendered" event with all of them; a revision whose
      Python fails offline gets its error instead of SQL.
"""
import functools
import io
import inspect
import json
import os
import re
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


# Statements that change nothing lasting: a resume sends them again rather than skip them,
# since the revision's Python may read what they return or rely on the session they set.
NOT_JOURNALED = {
    "SELECT", "SHOW", "PRAGMA", "EXPLAIN", "DESCRIBE", "DESC", "SET", "USE",
    "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "VALUES",
}
WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


def first_word(sql):
    rest = sql.lstrip()
    while True:
        if rest.startswith("--"):
            rest = rest.partition("\n")[2].lstrip()
        elif rest.startswith("/*"):
            rest = rest.partition("*/")[2].lstrip()
        else:
            break
    m = re.match(r"[A-Za-z]+", rest)
    return m.group(0).upper() if m else ""


def journaled(sql):
    word = first_word(sql)
    if word == "WITH":
        return bool(WRITES.search(sql))
    return word not in NOT_JOURNALED


def digest(sql):
    """FNV-1a of the trimmed text, as Stratum's own journal digests statements."""
    h = 0xCBF29CE484222325
    for b in sql.strip().encode("utf-8"):
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


# The in-flight statement is kept for the catalog to settle; a huge data statement is cut.
MAX_IN_FLIGHT = 60000


class Journal:
    """Stratum's journal of the revision that is running, written on the revision's own
    connection just before each of its statements: where the statement commits as it runs,
    its record is committed first (MySQL commits pending rows before DDL); where it runs in a
    transaction, the record shares its fate. The journal row is deleted right after Alembic
    writes the version row, in the same transaction when there is one. So after any
    interruption the row says how many statements completed and which one was in flight."""

    def __init__(self, spec):
        self.table = spec["table"]
        self.key = spec["key"]
        self.started_by = spec["started_by"]
        self.started_at = spec["started_at"]
        resume = spec.get("resume") or {}
        self.resume_revision = resume.get("revision")
        self.skip = int(resume.get("skip", 0))
        self.expected = list(resume.get("digests", []))
        self.revision = None
        self.direction = None
        self.digests = []
        self.row = False

    def begin(self, revision, upgrade):
        self.revision = revision
        self.direction = "upgrade" if upgrade else "downgrade"
        self.digests = []
        # A resumed revision's row is already there, from the run that was interrupted.
        self.row = revision == self.resume_revision

    def _table_in(self, conn):
        """The table's name as it goes into a statement with parameters: where markers are
        %-style, a literal % is doubled."""
        if conn.dialect.paramstyle in ("format", "pyformat"):
            return self.table.replace("%", "%%")
        return self.table

    def _execute(self, conn, sql, values):
        style = conn.dialect.paramstyle
        n = len(values)
        if style == "qmark":
            marks, params = ["?"] * n, tuple(values)
        elif style == "numeric":
            marks, params = [":%d" % (i + 1) for i in range(n)], tuple(values)
        elif style == "named":
            marks = [":p%d" % i for i in range(n)]
            params = {"p%d" % i: v for i, v in enumerate(values)}
        elif style == "pyformat":
            marks = ["%%(p%d)s" % i for i in range(n)]
            params = {"p%d" % i: v for i, v in enumerate(values)}
        else:
            marks, params = ["%s"] * n, tuple(values)
        table = self._table_in(conn)
        raw = conn.connection
        dbapi = getattr(raw, "dbapi_connection", None) or raw.connection
        cursor = dbapi.cursor()
        try:
            cursor.execute(sql.format(table=table, *marks), params)
        finally:
            cursor.close()

    def before(self, conn, statement):
        """Records the statement about to run; returns the statement to send instead when a
        resume skips it (it ran before the interruption)."""
        number = len(self.digests)
        d = digest(statement)
        self.digests.append(d)
        if self.revision == self.resume_revision and number < self.skip:
            if number >= len(self.expected) or self.expected[number] != d:
                raise RuntimeError(
                    "revision %s now sends, as its statement %d, something other than what "
                    "ran before it was interrupted (%s); it was edited since, or it decides "
                    "what to run from the data: put the revision back as it was, or repair "
                    "the database by hand" % (self.revision, number + 1, statement.strip()[:200])
                )
            return "UPDATE {table} SET done = done WHERE 1 = 0".format(table=self._table_in(conn))
        flight = statement.strip()[:MAX_IN_FLIGHT]
        if self.row:
            self._execute(
                conn,
                "UPDATE {table} SET done = {0}, digests = {1}, in_flight = {2} WHERE version_table = {3}",
                [number, ",".join(self.digests), flight, self.key],
            )
        else:
            self._execute(
                conn,
                "INSERT INTO {table} (version_table, revision, direction, statements, done, "
                "digests, started_by, started_at, in_flight) VALUES ({0}, {1}, {2}, {3}, {4}, "
                "{5}, {6}, {7}, {8})",
                [self.key, self.revision, self.direction, 0, number, ",".join(self.digests),
                 self.started_by, self.started_at, flight],
            )
            self.row = True
        return None

    def finished(self, conn):
        """The version row is written: the revision is no longer in flight."""
        if self.row:
            self._execute(conn, "DELETE FROM {table} WHERE version_table = {0}", [self.key])
        self.row = False
        self.revision = None


JOURNAL = [None]


def record_statements():
    """Reports every statement sent to the database while a revision's body runs, as the
    database receives it, so a revision that reads the database (and so cannot render
    offline) still shows what it did; journals it when the run keeps a journal."""
    from sqlalchemy import event as sa_event
    from sqlalchemy.engine import Engine

    def sent(conn, cursor, statement, parameters, context, executemany):
        if STEP[0] is None:
            return statement, parameters
        journal = JOURNAL[0]
        if journal is not None and journaled(statement):
            instead = journal.before(conn, statement)
            if instead is not None:
                event("statement", revision=STEP[0], skipped=True, sql=statement.strip())
                # Nothing runs and nothing binds: an empty list for a many-rows statement.
                return instead, ([] if executemany else ())
        sql = statement.strip()
        if parameters:
            shown = repr(parameters)
            if len(shown) > MAX_PARAMETERS:
                shown = shown[:MAX_PARAMETERS] + "..."
            sql += "\n-- parameters: " + shown.replace("\n", " ")
        event("statement", revision=STEP[0], sql=sql)
        return statement, parameters

    sa_event.listen(Engine, "before_cursor_execute", sent, retval=True)


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
    update_to_step = migration.HeadMaintainer.update_to_step

    def versioned(self, step):
        update_to_step(self, step)
        if JOURNAL[0] is not None and not isinstance(step, migration.StampStep):
            JOURNAL[0].finished(self.context.connection)

    migration.HeadMaintainer.update_to_step = versioned
    original = migration.RevisionStep.__init__

    def init(self, revision_map, revision, is_upgrade):
        original(self, revision_map, revision, is_upgrade)
        fn, rev = self.migration_fn, revision.revision

        # Alembic's log names the step by its function's name ("Running upgrade a -> b").
        @functools.wraps(fn)
        def run(*a, **kw):
            CURRENT[0] = rev
            event("step", phase="start", revision=rev, upgrade=is_upgrade)
            if JOURNAL[0] is not None:
                JOURNAL[0].begin(rev, is_upgrade)
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

    if REQUEST.get("journal"):
        JOURNAL[0] = Journal(REQUEST["journal"])
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


def watch_parent():
    """Stops at once when Stratum is gone (killed, or its window closed by force): a run
    nobody watches holds no lock of Stratum's any more, so it must not go on. Dropping the
    connection is what the database sees when the client itself is killed."""
    import threading
    import time

    parent = os.getppid()

    def watch():
        while True:
            time.sleep(0.1)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=watch, daemon=True).start()


REQUEST = json.loads(sys.argv[1])
watch_parent()
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
