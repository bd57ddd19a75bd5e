#!/usr/bin/env python3
"""Generated edge cases for reading Alembic revision files, with what Python and Alembic read.

    python python_files.py --seed S --out DIR > python_files.json

Writes an Alembic project under DIR (emptied first if it holds an earlier output of this script):

- DIR/alembic.ini: script_location = %(here)s/migrations, version_locations over two folders
  (DIR/migrations/revisions and DIR/extra/versions, order and path_separator chosen by the seed),
  recursive_version_locations = true.
- ~60 valid revision files forming a valid graph (several bases, branch points, merges of 2-3
  parents, branch_labels, depends_on on ids and labels), spread over sub-folders (hidden, "_",
  upper case and non-ASCII names included), with file names that differ from their ids (one is
  named after another revision's id). Each file picks syntax variants at random (Src.lit,
  Src.seq, assignment_lines, docstring, revision_file below); every revision object in the
  output lists under "variants" the ones its file uses, e.g. double_quotes, raw_string,
  implicit_concatenation, string_escape, annotated, multiline_sequence, one_element_tuple,
  empty_sequence, bare_tuple, assigned_twice, semicolons, name_absent, docstring_after_imports,
  no_docstring, fstring_first_statement, multiline_first_paragraph,
  whitespace_only_separator_line, coding_line, coding_latin1, utf8_bom, crlf, non_ascii_message,
  legacy_revision_from_filename (an all-hex <id>.py without `revision`, which Alembic takes
  from the file name), and traps (assignments in comments, strings, classes, functions).
- Files Alembic ignores next to them: `__init__.py` (and `__init__*.py`, `.#*.py`, `*.py~`,
  `*.pyc`, `*.txt`), each holding a bogus revision, and a decoy revision in
  DIR/migrations/versions, which is not read because version_locations is set.
- DIR/hard/: single files a static reader may not be able to read (module-level if/try, tuple
  unpacking, computed values, globals(), del, walrus, starred, chained assignment, ...), next to
  DIR/hard/helpers/hardlib.py which some of them import.

Then DIR is loaded with the real Alembic (`published.read_revisions`: Config + ScriptDirectory,
revisions in load order), which must read exactly the values the generator meant (checked), and
each hard file is imported on its own with importlib (not through Alembic):

    {"ini": abs path, "revisions": [{"file", "revision", "down_revision": [..], "branch_labels":
    [..], "depends_on": [..], "message", "create_date", "variants": [..]}] (Alembic's load order),
    "warnings": [..], "hard": [{"file", "case", "description", "python": {"revision",
    "down_revision": [..], "branch_labels": [..], "depends_on": [..]}, "absent": [names]}]}

In "python", revision is the str (null if the module has none) and the other three are
`alembic.util.to_tuple(value)` as lists ([] for None, (), or a name the module does not have);
"absent" lists the names the module does not define. Deterministic for a given seed (and DIR).
"""
import argparse
import importlib.util
import json
import random
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARKER = ".python_files"
KEYS = ("revision", "down_revision", "branch_labels", "depends_on")
ALL_VARIANTS = {
    "annotated", "assigned_twice", "assignment_in_class", "assignment_in_string",
    "backslash_continuation", "bare_tuple", "coding_latin1", "coding_line",
    "commented_assignment", "concatenated_docstring", "crlf", "docstring_after_imports",
    "double_quotes", "empty_message", "empty_sequence", "escapes_in_docstring",
    "fstring_first_statement", "future_annotations", "implicit_concatenation", "leading_newlines",
    "legacy_revision_from_filename", "license_comment", "list", "local_assignment_in_function",
    "multiline_first_paragraph", "multiline_sequence", "name_absent",
    "no_blank_line_after_message", "no_create_date", "no_docstring", "non_ascii_message",
    "one_element_set", "one_element_tuple", "one_line_docstring", "parenthesized_string",
    "raw_docstring", "raw_string", "semicolons", "shuffled_order", "single_quote_docstring",
    "string_escape", "trailing_comment", "u_prefix", "utf8_bom", "whitespace_only_separator_line",
}

ASCII_MESSAGES = [
    "add users table", "Create index on orders.created_at", "drop legacy audit columns",
    "merge heads", "rename column `name` to `full_name`", "add 'status' enum (draft, published)",
    "backfill accounts; split addresses", "init", "Add NOT NULL to email", "  padded message  ",
]
UNICODE_MESSAGES = [
    "Añadir tabla de usuarios", "Ajouter la colonne « prénom »", "ユーザーテーブルを追加",
    "Добавить индекс", "emoji 🚀 release ✓", "straße → strasse, naïve café",
]
LABELS = ["core", "feature-x", "billing.v2", "Shared_Lib", "ext", "reports"]


# ------------------------------------------------------------------------------------------------
# The graph


def make_ids(rng, n):
    ids = []
    while len(ids) < n:
        style = rng.random()
        if style < 0.45:
            rid = "".join(rng.choice("0123456789abcdef") for _ in range(12))
        elif style < 0.55:
            rid = "".join(rng.choice("0123456789abcdef") for _ in range(rng.choice([4, 8, 16])))
        elif style < 0.65:
            rid = f"{len(ids) + 1:04d}"
        elif style < 0.75:
            rid = rng.choice(["add_users", "init_schema", "orders_idx", "Drop_Audit", "billing"]) \
                + f"_{len(ids)}"
        elif style < 0.85:
            rid = f"v{rng.randint(0, 3)}.{rng.randint(0, 20)}.{len(ids)}"
        elif style < 0.93:
            rid = f"2024.{rng.randint(1, 12):02d}.{rng.randint(1, 28):02d}_{len(ids)}"
        else:
            rid = f"Rev_{len(ids)}.x_{rng.choice(['A', 'b', 'Z'])}"
        if rid not in ids and rid not in LABELS:
            ids.append(rid)
    return ids


def make_graph(rng, n):
    ids = make_ids(rng, n)
    nodes = []
    children = {}
    for i, rid in enumerate(ids):
        tips = [x for x in ids[:i] if not children.get(x)]
        if i == 0 or (i < n - 5 and rng.random() < 0.05):
            parents = []
        else:
            roll = rng.random()
            if roll < 0.80:
                parents = [ids[i - 1] if rng.random() < 0.65 else rng.choice(ids[max(0, i - 10):i])]
            else:
                pool = tips if len(tips) >= 2 else ids[:i]
                parents = rng.sample(pool, min(len(pool), 2 if roll < 0.95 else 3))
        for p in parents:
            children.setdefault(p, []).append(rid)
        nodes.append({"revision": rid, "down_revision": parents, "branch_labels": [], "depends_on": []})
    # labels: on a base, on the first revision of a branch, and a few more (one with two labels)
    labelled = rng.sample(range(n), 4)
    labels = list(LABELS)
    rng.shuffle(labels)
    for k, i in enumerate(labelled):
        nodes[i]["branch_labels"] = [labels.pop()] + ([labels.pop()] if k == 0 else [])
    # depends_on: earlier revisions, by id or by label, never one of the node's own parents
    for i in rng.sample(range(3, n), 7):
        deps = []
        for j in rng.sample(range(i - 1), rng.choice([1, 1, 2])):
            target = nodes[j]
            if target["revision"] in nodes[i]["down_revision"]:
                continue
            if target["branch_labels"] and rng.random() < 0.5:
                deps.append(rng.choice(target["branch_labels"]))
            else:
                deps.append(target["revision"])
        nodes[i]["depends_on"] = deps
    return nodes


# ------------------------------------------------------------------------------------------------
# Python source for the values


class Src:
    def __init__(self, rng):
        self.rng = rng
        self.variants = set()

    def tag(self, name):
        self.variants.add(name)

    def lit(self, s, plain=False):
        """A Python expression whose value is the str s."""
        rng = self.rng
        roll = 1.0 if plain else rng.random()
        if roll < 0.30:
            return repr(s)
        if roll < 0.55:
            self.tag("double_quotes")
            return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if roll < 0.65 and "\\" not in s and "'" not in s:
            self.tag("raw_string")
            return rng.choice(["r", "R"]) + "'" + s + "'"
        if roll < 0.77 and len(s) >= 2:
            self.tag("implicit_concatenation")
            cut = rng.randint(1, len(s) - 1)
            a, b = s[:cut], s[cut:]
            sep = rng.choice([" ", "", "  "])
            return f"{self.lit(a, plain=True)}{sep}{self.lit(b, plain=True)}"
        if roll < 0.84:
            self.tag("string_escape")
            k = rng.randrange(len(s))
            return "'" + s[:k] + f"\\x{ord(s[k]):02x}" + s[k + 1:] + "'"
        if roll < 0.90:
            self.tag("parenthesized_string")
            return f"({self.lit(s, plain=True)})"
        if roll < 0.95:
            self.tag("u_prefix")
            return "u" + repr(s)
        return repr(s)

    def seq(self, values, name):
        """An expression for a list of str meant as Alembic's tuple, with its variants."""
        rng = self.rng
        if not values:
            choice = rng.choice(["None", "None", "()", "[]", "(\n    # nothing here\n)"])
            if choice != "None":
                self.tag("empty_sequence")
            return choice
        lits = [self.lit(v) for v in values]
        roll = rng.random()
        if len(values) == 1 and roll < 0.40:
            return lits[0]
        if len(values) == 1 and roll < 0.55:
            self.tag("one_element_tuple")
            return f"({lits[0]},)"
        if roll < 0.65:
            self.tag("bare_tuple")
            return ", ".join(lits) + ("," if len(lits) == 1 else "")
        if roll < 0.85:
            self.tag("multiline_sequence")
            opener, closer = ("(", ")") if rng.random() < 0.6 else ("[", "]")
            lines = [opener]
            for k, lv in enumerate(lits):
                if rng.random() < 0.5:
                    lines.append(f"    # {name} #{k}: {values[k]!r}")
                last = k == len(lits) - 1
                comma = "," if (not last or rng.random() < 0.7 or (opener == "(" and len(lits) == 1)) else ""
                comment = "  # trailing" if rng.random() < 0.3 else ""
                lines.append(f"    {lv}{comma}{comment}")
            if rng.random() < 0.4:
                lines.append("    # end")
            lines.append(closer)
            return "\n".join(lines)
        if roll < 0.93:
            self.tag("list")
            return "[" + ", ".join(lits) + "]"
        if len(values) == 1:
            self.tag("one_element_set")
            return "{" + lits[0] + "}"
        return "(" + ", ".join(lits) + ")"


def annotation(rng, name, src):
    if name == "revision":
        return "str"
    choice = rng.choice([
        "Union[str, None]", "Union[str, Sequence[str], None]", "str | Sequence[str] | None",
        "Optional[Union[str, Sequence[str]]]", "Tuple[str, ...] | str | None",
    ])
    src.tag("annotated")
    return choice


def assignment_lines(rng, node, src, legacy):
    """Statements assigning the four names (a list of source chunks, in module order)."""
    chunks = []
    values = {
        "revision": node["revision"],
        "down_revision": node["down_revision"],
        "branch_labels": node["branch_labels"],
        "depends_on": node["depends_on"],
    }
    order = list(KEYS)
    if legacy:
        order.remove("revision")
    if rng.random() < 0.15:
        rng.shuffle(order)
        src.tag("shuffled_order")
    if rng.random() < 0.12 and not legacy:
        src.tag("semicolons")
        parts = [f"{k} = {src.lit(values[k]) if k == 'revision' else one_line(src, values[k], k)}" for k in order]
        chunks.append("; ".join(parts))
        return chunks
    for k in order:
        v = values[k]
        if k in ("branch_labels", "depends_on") and not v and rng.random() < 0.3:
            src.tag("name_absent")
            continue
        if rng.random() < 0.12:
            src.tag("assigned_twice")
            wrong = "'not_the_final_value'" if k == "revision" else rng.choice(["None", "'stale_value'", "('x', 'y')"])
            chunks.append(f"{k} = {wrong}")
        expr = src.lit(v) if k == "revision" else src.seq(v, k)
        target = k
        if rng.random() < 0.3:
            target = f"{k}: {annotation(rng, k, src)}"
            if k == "revision":
                src.tag("annotated")
        if "\n" not in expr and rng.random() < 0.06:
            src.tag("backslash_continuation")
            chunks.append(f"{target} = \\\n    {expr}")
        elif rng.random() < 0.1:
            src.tag("trailing_comment")
            chunks.append(f"{target} = {expr}  # {k}")
        else:
            chunks.append(f"{target} = {expr}")
    return chunks


def one_line(src, values, name):
    before = set(src.variants)
    while True:
        expr = src.seq(values, name)
        if "\n" not in expr:
            return expr
        src.variants = set(before)  # drop the tags of the discarded multi-line form


# ------------------------------------------------------------------------------------------------
# Docstrings


def docstring(rng, node, src, date, latin1=False):
    """(source of the first string statement or None, "top" | "after_imports" | "none", whether
    Python takes it as the module docstring) for a file."""
    msg = rng.choice(UNICODE_MESSAGES if rng.random() < 0.25 or latin1 else ASCII_MESSAGES)
    if latin1:
        msg = rng.choice([m for m in UNICODE_MESSAGES if m.encode("latin-1", "ignore").decode("latin-1") == m])
    if msg in UNICODE_MESSAGES:
        src.tag("non_ascii_message")
    revises = ", ".join(node["down_revision"])
    shape = rng.random()
    if shape < 0.07:
        src.tag("no_docstring")
        return None, "none", False
    tail = [f"Revision ID: {node['revision']}", f"Revises: {revises}"]
    if rng.random() < 0.9:
        dl = rng.choice([f"Create Date: {date}", f"Create Date: {date}", f"  Create Date:   {date}  ",
                         f"Create Date:{date}"])
        tail.append(dl)
    else:
        src.tag("no_create_date")
    style = rng.random()
    if style < 0.15:
        src.tag("multiline_first_paragraph")
        words = msg.split()
        cut = max(1, len(words) // 2)
        head = " ".join(words[:cut]) + "\n" + rng.choice(["", "    ", "\t"]) + " ".join(words[cut:] or ["continued"])
        body = head + "\n\n" + "\n".join(tail) + "\n\n"
    elif style < 0.22:
        src.tag("no_blank_line_after_message")
        body = msg + "\n" + "\n".join(tail) + "\n"
    elif style < 0.28:
        src.tag("whitespace_only_separator_line")
        body = msg + "\n   \n" + "\n".join(tail) + "\n\n"
    elif style < 0.33:
        src.tag("leading_newlines")
        body = "\n\n  " + msg + "\n\n" + "\n".join(tail) + "\n"
    elif style < 0.37:
        src.tag("empty_message")
        body = "\n\n" + "\n".join(tail) + "\n\n"
    elif style < 0.42:
        src.tag("one_line_docstring")
        return repr(msg), "top", True
    elif style < 0.46:
        src.tag("concatenated_docstring")
        return (f'"{msg[:3]}" "{msg[3:]}"' if len(msg) > 3 and '"' not in msg else repr(msg)), "top", True
    else:
        body = msg + "\n\n" + "\n".join(tail) + "\n\n"
    quote = '"""'
    prefix = ""
    q = rng.random()
    if q < 0.12:
        src.tag("single_quote_docstring")
        quote = "'''"
    elif q < 0.2:
        src.tag("raw_docstring")
        prefix = "r"
        body = body.replace("\n\n", " C:\\new\\table \n\n", 1)
    elif q < 0.28:
        src.tag("escapes_in_docstring")
        body = body.replace("\n\n", " caf\\u00e9\\t(tab) \\\\ \n\n", 1)
    text = prefix + quote + body + quote
    where = rng.random()
    if where < 0.08:
        src.tag("docstring_after_imports")
        return text, "after_imports", False
    if where < 0.12:
        src.tag("fstring_first_statement")
        return "f" + prefix + quote + body.replace("{", "{{").replace("}", "}}") + quote, "top", False
    return text, "top", True


# ------------------------------------------------------------------------------------------------
# Files


IMPORTS_PLAIN = "from alembic import op\nimport sqlalchemy as sa\n"
IMPORTS_TYPING = "from typing import Optional, Sequence, Tuple, Union\n\nfrom alembic import op\nimport sqlalchemy as sa\n"

TRAPS = [
    ("commented_assignment", "# revision = 'commented_out'\n# down_revision = 'commented_out'\n"),
    ("assignment_in_string", 'NOTES = """\nrevision = \'inside_a_string\'\ndown_revision = None\n"""\n'),
    ("assignment_in_class", "class Helper:\n    revision = 'class_attribute'\n    depends_on = ('class_attribute',)\n"),
]


def revision_file(rng, node, date, legacy):
    src = Src(rng)
    parts = []
    encoding = "utf-8"
    head = rng.random()
    if head < 0.12:
        src.tag("coding_line")
        parts.append(rng.choice(["# -*- coding: utf-8 -*-\n", "# coding: utf-8\n", "# vim: set fileencoding=utf-8 :\n"]))
    elif head < 0.15:
        src.tag("coding_latin1")
        parts.append("# -*- coding: latin-1 -*-\n")
        encoding = "latin-1"
    if rng.random() < 0.2:
        src.tag("license_comment")
        parts.append("# Copyright 2024 The Authors\n#\n#    Licensed under the Apache License, Version 2.0.\n\n")
    doc, where, real_doc = docstring(rng, node, src, date, latin1=encoding == "latin-1")
    if doc is not None and where == "top":
        parts.append(doc + "\n")
    # `from __future__` must come first, after the docstring at most
    annotated_future = rng.random() < 0.15 and (real_doc or doc is None)
    if annotated_future:
        src.tag("future_annotations")
        parts.append("from __future__ import annotations\n\n")
    assigns = assignment_lines(rng, node, src, legacy)
    typing_needed = "annotated" in src.variants and not annotated_future
    parts.append(IMPORTS_TYPING if typing_needed or rng.random() < 0.3 else IMPORTS_PLAIN)
    if doc is not None and where == "after_imports":
        parts.append("\n" + doc + "\n")
    for name, text in TRAPS:
        if rng.random() < 0.08:
            src.tag(name)
            parts.append("\n" + text)
    parts.append("\n# revision identifiers, used by Alembic.\n")
    parts.append("\n".join(assigns) + "\n")
    if legacy:
        src.tag("legacy_revision_from_filename")
    if rng.random() < 0.1:
        src.tag("local_assignment_in_function")
        parts.append("\n\ndef _helper():\n    down_revision = 'local_only'\n    return down_revision\n")
    parts.append("\n\ndef upgrade():\n    op.execute(\"SELECT 1\")\n\n\ndef downgrade():\n    pass\n")
    text = "".join(parts)
    if rng.random() < 0.12:
        src.tag("crlf")
        text = text.replace("\n", "\r\n")
    data = text.encode(encoding)
    if encoding == "utf-8" and rng.random() < 0.04:
        src.tag("utf8_bom")
        data = b"\xef\xbb\xbf" + data
    return data, sorted(src.variants)


def slug(rng, node):
    return rng.choice(["add_users", "index_orders", "merge", "drop_audit", "backfill", "init", "fix"])


JUNK_REVISION = "revision = {rid!r}\ndown_revision = None\n"


def write_project(rng, out, nodes):
    mig = out / "migrations"
    loc_a = mig / "revisions"
    loc_b = out / "extra" / "versions"
    subdirs_a = ["", "", "", "2023", "2023/q4", "2024", "Archive", "_old", ".hidden", "ünï"]
    subdirs_b = ["", "", "feature", "feature/sub", "zz", "Z"]
    for d in [mig, mig / "versions", loc_a, loc_b]:
        d.mkdir(parents=True, exist_ok=True)
    (mig / "env.py").write_text("from alembic import context  # not run when reading revisions\n")
    (mig / "script.py.mako").write_text('"""${message}"""\n')
    # the default location is not read when version_locations is set
    (mig / "versions" / "decoy.py").write_text(JUNK_REVISION.format(rid="decoy_default_location"))
    seps = {"os": ":", ";": ";", "space": " ", "newline": "\n    "}
    sep_name = rng.choice(list(seps))
    locs = ["%(here)s/migrations/revisions", "%(here)s/extra/versions"]
    if rng.random() < 0.5:
        locs.reverse()
    (out / "alembic.ini").write_text(
        "# Written by tests/alembic_oracle/python_files.py\n"
        "[alembic]\n"
        "script_location = %(here)s/migrations\n"
        f"version_locations = {seps[sep_name].join(locs)}\n"
        f"path_separator = {sep_name}\n"
        "recursive_version_locations = true\n"
        "sqlalchemy.url = sqlite://\n"
    )
    # every folder gets an __init__.py (and junk), all ignored by Alembic
    folders = [loc_a / s for s in subdirs_a] + [loc_b / s for s in subdirs_b]
    for f in folders:
        f.mkdir(parents=True, exist_ok=True)
    (loc_a / "empty").mkdir(exist_ok=True)
    junk_names = ["__init__.py", "__init__old.py", ".#lock.py", "backup.py~", "notes.txt",
                  "compiled.pyc", "UPPER.PY"]
    for k, f in enumerate(sorted(set(folders))):
        (f / "__init__.py").write_text(JUNK_REVISION.format(rid=f"init_{k}"))
        for j in rng.sample(junk_names[1:], 2):
            (f / j).write_text(JUNK_REVISION.format(rid=f"junk_{k}_{j}"))
    # legacy: one all-hex id whose file is named <id>.py and has no `revision`
    hexes = [i for i, n in enumerate(nodes) if re.fullmatch(r"[a-f0-9]+", n["revision"])]
    legacy = rng.choice(hexes) if hexes else None
    ids = [n["revision"] for n in nodes]
    files = {}
    used = set()
    for i, node in enumerate(nodes):
        folder = rng.choice(folders)
        date = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999999):06d}"
        if i == legacy:
            name = f"{node['revision']}.py"
        else:
            roll = rng.random()
            if roll < 0.3:
                name = f"{i:04d}_{slug(rng, node)}.py"
            elif roll < 0.45:
                name = f"{date[:10].replace('-', '')}_{date[11:16].replace(':', '')}_{slug(rng, node)}.py"
            elif roll < 0.55:
                name = f"{node['revision']}_{slug(rng, node)}.py"
            elif roll < 0.62:
                other = rng.choice([x for x in ids if x != node["revision"]])
                name = f"{other}_{slug(rng, node)}.py"  # named after another revision
            elif roll < 0.70:
                name = f"release-1.{i}.{slug(rng, node)}.py"
            elif roll < 0.77:
                name = rng.choice(["Zeta", "_private", "Ärger", "a", "B", "~tilde", "0"]) + f"{i}.py"
            else:
                name = f"{slug(rng, node)}_{i}.py"
        path = folder / name
        if path in used:
            path = folder / f"dup{i}_{name}"
        used.add(path)
        data, variants = revision_file(rng, node, date, i == legacy)
        path.write_bytes(data)
        files[str(path.resolve())] = (node, variants)
    return out / "alembic.ini", files


# ------------------------------------------------------------------------------------------------
# Hard cases


def hard_cases(rng):
    def hx(n=12):
        return "".join(rng.choice("0123456789abcdef") for _ in range(n))

    a, b, c, d = hx(), hx(), hx(), hx()
    lib = {"PARENT": a, "PARENTS": (a, b), "LABEL": "lib_label", "REV_PREFIX": "lib"}
    cases = [
        ("if_block", "assignments inside a module-level if/else",
         f"import sys\nif sys.version_info >= (3, 0):\n    revision = {c!r}\n    down_revision = {a!r}\nelse:\n"
         f"    revision = 'py2'\n    down_revision = None\nbranch_labels = None\ndepends_on = None\n"),
        ("if_true_reassigns", "a literal assignment, then a reassignment inside `if True:`",
         f"revision = {c!r}\ndown_revision = {a!r}\nif True:\n    down_revision = {b!r}\n"),
        ("if_false_dead", "a reassignment inside `if False:` that never runs",
         f"revision = {c!r}\ndown_revision = {a!r}\nif False:\n    down_revision = {b!r}\n"),
        ("try_except", "the value set in the except branch of a failed import",
         f"revision = {c!r}\ntry:\n    import stratum_no_such_module  # noqa\n    down_revision = {a!r}\n"
         f"except ImportError:\n    down_revision = {b!r}\n"),
        ("tuple_unpacking", "revision, down_revision = 'a', None",
         f"revision, down_revision = {c!r}, {a!r}\nbranch_labels, depends_on = None, ()\n"),
        ("starred_unpacking", "revision, *down_revision = ... gives a list",
         f"revision, *down_revision = {c!r}, {a!r}, {b!r}\n"),
        ("computed_from_constant", "string arithmetic on a module constant",
         f"PREFIX = {c[:6]!r}\nrevision = PREFIX + {c[6:]!r}\ndown_revision = f\"{{PREFIX}}{a[6:]}\"[:0] + {a!r}\n"),
        ("name_reference", "down_revision = REV after REV = 'x'",
         f"REV = {a!r}\nrevision = {c!r}\ndown_revision = REV\n"),
        ("from_other_module", "values imported from a helper module",
         "import os\nimport sys\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), 'helpers'))\n"
         f"from hardlib import PARENT, LABEL\nimport hardlib\nrevision = {c!r}\ndown_revision = PARENT\n"
         "branch_labels = (LABEL,)\ndepends_on = hardlib.PARENTS[1:]\n"),
        ("import_as_name", "`from module import X as down_revision`",
         "import os\nimport sys\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), 'helpers'))\n"
         f"from hardlib import PARENTS as down_revision\nrevision = {c!r}\n"),
        ("conditional_expression", "down_revision = 'a' if ... else 'b'",
         f"import os\nrevision = {c!r}\ndown_revision = {a!r} if os.sep else {b!r}\n"),
        ("augmented_assignment", "revision += '...' and depends_on += (...)",
         f"revision = {c[:6]!r}\nrevision += {c[6:]!r}\ndown_revision = None\ndepends_on = ({a!r},)\ndepends_on += ({b!r},)\n"),
        ("globals_subscript", "globals()['down_revision'] = ...",
         f"revision = {c!r}\ndown_revision = None\nglobals()['down_revision'] = {a!r}\n"),
        ("del_name", "branch_labels assigned, then deleted with del",
         f"revision = {c!r}\ndown_revision = {a!r}\nbranch_labels = ('gone',)\ndel branch_labels\n"),
        ("walrus", "values bound with := at module level",
         f"(revision := {c!r})\ndown_revision = (parent := {a!r})\ndepends_on = [x for x in ({b!r},) if (keep := x)]\n"),
        ("starred_tuple", "down_revision = (*BASES, 'c')",
         f"BASES = ({a!r},)\nrevision = {c!r}\ndown_revision = (*BASES, {b!r})\n"),
        ("annotation_without_value", "`revision: str` (no value) after a real assignment keeps the value",
         f"revision = {c!r}\nrevision: str\ndown_revision = {a!r}\ndown_revision: str\n"),
        ("chained_assignment", "down_revision = parent = 'x' (several targets)",
         f"revision = {c!r}\ndown_revision = parent = {a!r}\nbranch_labels = depends_on = None\n"),
        ("for_loop_target", "down_revision bound as a for-loop variable",
         f"revision = {c!r}\nfor down_revision in ({b!r}, {a!r}):\n    pass\n"),
        ("with_target", "revision bound by `with ... as revision`",
         f"import contextlib\nwith contextlib.nullcontext({c!r}) as revision:\n    pass\ndown_revision = {a!r}\n"),
        ("exec_string", "depends_on set by exec()",
         f"revision = {c!r}\ndown_revision = {a!r}\nexec(\"depends_on = ({b!r},)\")\n"),
        ("method_call", "values computed by str methods and join",
         f"revision = {c.upper()!r}.lower()\ndown_revision = '-'.join([{a!r}]).strip()\n"
         f"branch_labels = 'Core Label'.lower().split()\n"),
        ("dict_lookup", "values looked up in a module-level dict",
         f"REVS = {{'me': {c!r}, 'parent': {a!r}}}\nrevision = REVS['me']\ndown_revision = REVS['parent']\n"),
        ("or_default", "down_revision = down_revision or 'x'",
         f"revision = {c!r}\ndown_revision = None\ndown_revision = down_revision or {a!r}\n"),
        ("percent_format", "a %-formatted and a .format()ted id",
         f"revision = '%s%s' % ({c[:6]!r}, {c[6:]!r})\ndown_revision = '{{}}{{}}'.format({a[:6]!r}, {a[6:]!r})\n"),
    ]
    return lib, cases


def write_hard(out, rng):
    hard = out / "hard"
    (hard / "helpers").mkdir(parents=True)
    lib, cases = hard_cases(rng)
    (hard / "helpers" / "hardlib.py").write_text(
        "".join(f"{k} = {v!r}\n" for k, v in lib.items()))
    written = []
    for k, (name, description, body) in enumerate(cases):
        path = hard / f"{k:02d}_{name}.py"
        text = (f'"""{description}\n\nRevision ID: see below\nCreate Date: 2024-01-01 00:00:00\n\n"""\n'
                "from alembic import op\n\n" + body +
                "\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n")
        path.write_text(text)
        written.append((path, name, description))
    return written


def python_values(path):
    """The four names as Python gives them, importing the file on its own."""
    from alembic import util

    module_id = re.sub(r"\W", "_", path.name)  # the module name Alembic would use
    spec = importlib.util.spec_from_file_location(module_id, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    values, absent = {}, []
    for key in KEYS:
        if not hasattr(module, key):
            absent.append(key)
        value = getattr(module, key, None)
        if key == "revision":
            values[key] = value
        else:
            values[key] = list(util.to_tuple(value, default=()))
        if not (values[key] is None or isinstance(values[key], str)
                or all(isinstance(v, str) for v in values[key])):
            raise SystemExit(f"{path}: {key} is not made of strings: {value!r}")
    return values, absent


# ------------------------------------------------------------------------------------------------


def main():
    sys.dont_write_bytecode = True
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    out = Path(a.out).resolve()
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        sys.exit(f"{out} is not empty and was not written by python_files.py")
    # Every variant and graph shape appears in every output: a seed whose draw misses one is
    # redrawn from "seed/1", "seed/2"... (still deterministic).
    for attempt in range(200):
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        (out / MARKER).write_text("written by tests/alembic_oracle/python_files.py\n")
        rng = random.Random(a.seed if attempt == 0 else f"{a.seed}/{attempt}")
        nodes = make_graph(rng, rng.randint(56, 64))
        ini, files = write_project(rng, out, nodes)
        used = {v for _, variants in files.values() for v in variants}
        shape_ok = (sum(1 for n in nodes if not n["down_revision"]) >= 2
                    and sum(1 for n in nodes if len(n["down_revision"]) > 1) >= 2
                    and any(len(n["down_revision"]) > 2 for n in nodes))
        if ALL_VARIANTS <= used and shape_ok:
            break
    else:
        sys.exit(f"no draw for seed {a.seed} uses every variant: missing {sorted(ALL_VARIANTS - used)}")
    unknown = used - ALL_VARIANTS
    if unknown:
        sys.exit(f"variants missing from ALL_VARIANTS: {sorted(unknown)}")
    hard = write_hard(out, rng)

    sys.path.insert(0, str(HERE))
    from published import read_revisions

    result = read_revisions(str(ini))
    if result["load_error"] or result["unresolved"]:
        sys.exit(f"Alembic could not read the generated project: {result['load_error']} "
                 f"{result.get('load_traceback', '')} {result['unresolved']}")
    # Alembic must have read exactly the files and values meant.
    seen = {r["file"] for r in result["revisions"]}
    if seen != set(files):
        sys.exit(f"Alembic read other files than meant: extra {sorted(seen - set(files))}, "
                 f"missing {sorted(set(files) - seen)}")
    revisions = []
    for r in result["revisions"]:
        node, variants = files[r["file"]]
        got = {k: r[k] for k in KEYS}
        if got != node:
            sys.exit(f"{r['file']}: Alembic read {got}, meant {node}")
        revisions.append({**r, "variants": variants})
    hard_out = []
    for path, name, description in hard:
        values, absent = python_values(path)
        hard_out.append({"file": str(path), "case": name, "description": description,
                         "python": values, "absent": absent})
    json.dump({"ini": str(ini), "revisions": revisions, "warnings": result["warnings"],
               "hard": hard_out}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
