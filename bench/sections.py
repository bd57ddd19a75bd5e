"""BENCHMARKS.md is written by several benchmark scripts, each owning one section between
`<!-- NAME:start -->` and `<!-- NAME:end -->`; writing one leaves the others as they are."""
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"


def replace_section(name, body_lines):
    """Puts `body_lines` between the markers of section `name` (appended when it is new)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    section = "\n".join([start, *body_lines, end])
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else ""
    if start in text and end in text:
        text = text[: text.index(start)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    BENCHMARKS.write_text(text)
    return section
