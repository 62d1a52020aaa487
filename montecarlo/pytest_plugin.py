"""pytest plugin of the suite: ``pytest --claims PATH`` (repeatable; a .py file or a module
name) registers a user's claims and mutants before collection, so that the generic registry
tests (``tests/test_registry.py``: every claim holds, every mutant is refuted) run them too.

Installed through the ``pytest11`` entry point (``sparse_ntk = "montecarlo.pytest_plugin"``);
without installing, ``pytest -p montecarlo.pytest_plugin --claims my_claims.py``.
The plugin imports nothing heavy unless ``--claims`` is given.
"""

from __future__ import annotations

from pathlib import Path


def pytest_addoption(parser) -> None:
    group = parser.getgroup("sparse-ntk", "sparse-ntk-bounds claims")
    group.addoption("--claims", action="append", default=[], metavar="PATH",
                    help="a Python file or module that registers claims (montecarlo.registry.register); "
                         "the registry tests run them and their mutants too (repeatable)")


def pytest_configure(config) -> None:
    """Load the claims before collection (the registry tests parametrize over the registry
    at import time). Runs in every xdist worker as well."""
    sources = config.getoption("claims", default=None) or []
    if not sources:
        return
    from montecarlo.registry import load_claims

    base = Path(config.invocation_params.dir)
    for src in sources:
        p = Path(src).expanduser()
        if src.endswith(".py") or (not p.is_absolute() and (base / p).is_file()):
            src = str(p if p.is_absolute() else base / p)
        load_claims(src)


def pytest_report_header(config) -> list[str]:
    sources = config.getoption("claims", default=None) or []
    return [f"sparse-ntk claims: {', '.join(sources)}"] if sources else []
