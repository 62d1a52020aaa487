"""The coverage table of the paper (bounds/COVERAGE.md) against the registry: every key it lists
is a registered claim, and every registered built-in claim (mutants aside) is listed in a row of
a statement its reference names. A row's keys column may be empty (level none, or a check that
lives in the tests only); nothing else is tolerated."""

from __future__ import annotations

import re
from pathlib import Path

from montecarlo import registry
from montecarlo.registry import MODULES
from reports.coverage import COVERAGE, LEVELS, coverage_counts, coverage_rows

ROOT = Path(__file__).resolve().parent.parent
# A numbered statement of the paper, as a claim's reference or a row of the table names it.
NAME = re.compile(r"\b(?:Lemma|Theorem|Corollary|Claim|Fact|Remark|Definition|Section|Figure) (?:[A-E]\.)?\d+(?:\.\d+)*")


def _names(text: str) -> set[str]:
    return set(NAME.findall(text))


def _builtin():
    return [c for c in registry.claims() if c.module in MODULES and c.kind != "mutant"]


def test_rows_are_well_formed():
    rows = coverage_rows()
    assert len(rows) >= 40
    statements = [r["statement"] for r in rows]
    assert len(statements) == len(set(statements)), "a statement has two rows"
    for r in rows:
        assert r["level"] in LEVELS, r
        if r["level"] != "full":
            assert r["missing"], f"{r['statement']}: a row below full must say what is missing"
        if not r["statement"].startswith("Abstract"):
            assert _names(r["statement"]), f"{r['statement']!r} names no numbered statement"


def test_every_key_in_the_table_is_registered():
    known = set(registry.keys())
    listed = [k for r in coverage_rows() for k in r["keys"]]
    missing = sorted(set(listed) - known)
    assert not missing, f"COVERAGE.md lists claims that are not registered: {missing}"
    assert not [k for k in listed if registry.get(k).kind == "mutant"], "the keys column lists mutants"


def test_every_builtin_claim_is_in_the_row_of_its_statement():
    rows = coverage_rows()
    absent = []
    for c in _builtin():
        cited = _names(c.reference)
        assert cited, f"{c.key}: its reference {c.reference!r} names no numbered statement"
        if not any(c.key in r["keys"] and cited & _names(r["statement"]) for r in rows):
            absent.append(f"{c.key} (reference {c.reference!r})")
    assert not absent, ("registered claims not listed in COVERAGE.md in a row of a statement their "
                        "reference names:\n  " + "\n  ".join(absent))


def test_every_cited_statement_has_a_row():
    rows_named = set().union(*(_names(r["statement"]) for r in coverage_rows()))
    cited = set().union(*(_names(c.reference) for c in _builtin()))
    assert cited <= rows_named, f"statements cited by claims without a row: {sorted(cited - rows_named)}"


def test_counts_add_up():
    counts = coverage_counts()
    assert set(counts) == set(LEVELS) | {"total"}
    assert sum(counts[level] for level in LEVELS) == counts["total"] == len(coverage_rows())


def test_the_table_is_linked():
    assert "COVERAGE.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "COVERAGE.md" in (ROOT / "bounds" / "FORMULAS.md").read_text(encoding="utf-8")
    assert COVERAGE.exists()
