"""The README's Python code blocks run as written, its install and test
commands stay the CI's, and the files it links exist."""

from __future__ import annotations

import contextlib
import io
import math
import re
import warnings
from pathlib import Path

import pytest

from montecarlo import registry
from montecarlo.registry import Claim, Domain, Uniform, exact

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```python\n(.*?)^```", README, flags=re.S | re.M)


def _user_namespaces() -> bool:
    """Whether Claim accepts a module of the user's choosing."""
    try:
        Claim(module="readme_probe", claim_id="probe", reference="-", statement="-", kind="bound", sense="<=", measure=lambda p: exact(0.0), bound=lambda p: 1.0,
              domain=Domain({"B": Uniform(0.0, 1.0)}))
    except ValueError:
        return False
    return True


def test_readme_python_blocks_run():
    assert len(BLOCKS) >= 2
    registry.claims()  # load the built-in claims first, so the blocks' registrations are the new keys
    before = set(registry.keys())
    namespace: dict = {"__name__": "readme"}
    ran = 0
    try:
        for block in BLOCKS:
            if 'module="' in block and not _user_namespaces():
                continue  # a claim in the user's own namespace: needs user namespaces
            out = io.StringIO()
            with contextlib.redirect_stdout(out), warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - the project's own README
            ran += 1
        assert ran >= 1
        added = set(registry.keys()) - before
        for key in added:  # a registered claim of the README holds, its mutant is refuted
            from montecarlo import falsify

            c = registry.get(key)
            assert falsify(c, examples=30).refuted == (c.kind == "mutant"), key
    finally:
        for key in set(registry.keys()) - before:
            registry.unregister(key)


def test_readme_first_block_refutes_the_lowered_constant():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(BLOCKS[0], "README.md", "exec"), {"__name__": "readme", "math": math})  # noqa: S102
    assert "counterexample" in out.getvalue() and "REFUTED" in out.getvalue()


def test_install_and_test_commands_match_ci():
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'pip install -e ".[test]"' in README and '-e ".[test]"' in ci
    assert "pytest -n auto" in README and "pytest -n auto" in ci
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'sparse-ntk = "montecarlo.cli:main"' in pyproject and "sparse-ntk list" in README
    for extra in ("cli", "notebook"):
        assert re.search(rf"^{extra} = \[", pyproject, flags=re.M) and f'".[{extra}]"' in README


def test_readme_links_exist():
    links = re.findall(r"\]\(([^)#:]+)\)", README)
    assert "bounds/FORMULAS.md" in links and "reports/examples/revise_a_proof.ipynb" in links
    for link in links:
        assert (ROOT / link).exists(), link
