"""The coverage table of the paper (``bounds/COVERAGE.md``), read as data.

One row per numbered statement of the paper: its name, what it asserts, the level of the check
(full / part / report only / none), the claim keys that check it, and what is missing. The
report shows :func:`coverage_counts` at the top; ``tests/test_coverage.py`` compares
:func:`coverage_rows` with the registry.
"""

from __future__ import annotations

import re
from pathlib import Path

import bounds

__all__ = []

COVERAGE = Path(bounds.__file__).resolve().parent / "COVERAGE.md"
LEVELS = ("full", "part", "report only", "none")
_COLUMNS = ("statement", "asserts", "level", "keys", "missing")


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table row, split on unescaped pipes."""
    body = line.strip()[1:-1]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body)]


def coverage_rows() -> list[dict]:
    """The rows of the table under the heading "## Table": dicts with the keys statement,
    asserts, level, keys (a list of claim keys, possibly empty) and missing."""
    lines = COVERAGE.read_text(encoding="utf-8").splitlines()
    start = lines.index("## Table")
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("## "):
            break
        if not line.startswith("|") or line.startswith("|---") or line.startswith("| statement |"):
            continue
        cells = _cells(line)
        if len(cells) != len(_COLUMNS):
            raise ValueError(f"COVERAGE.md row={line!r} violates the condition: {len(_COLUMNS)} cells")
        row = dict(zip(_COLUMNS, cells))
        row["keys"] = re.findall(r"`([^`]+)`", row["keys"])
        rows.append(row)
    return rows


def coverage_counts() -> dict[str, int]:
    """How many rows of the coverage table are at each level (plus ``total``)."""
    rows = coverage_rows()
    counts = {level: sum(r["level"] == level for r in rows) for level in LEVELS}
    counts["total"] = len(rows)
    return counts
