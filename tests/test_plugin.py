"""Claims from anywhere: a user's file of claims in a namespace of its own, checked
by ``pytest --claims PATH`` (the plugin montecarlo.pytest_plugin) and by
``python -m reports --claims PATH``; re-registering replaces with a warning."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from montecarlo import registry
from montecarlo.registry import Claim, Domain, Uniform, exact

ROOT = Path(__file__).resolve().parents[1]

USER_CLAIMS = textwrap.dedent('''
    """A reviser's claims, outside the package, in a namespace of their own."""
    import math

    from montecarlo import Claim, Domain, exact, mutant, register
    from montecarlo.registry import Uniform

    DOM = Domain({"B": Uniform(0.0, 6.0)})

    true_claim = register(Claim(
        module="NS", claim_id="gauss_tail_true", reference="my notes (1)", statement="Q(B) <= e^{-B^2/2} / 2",
        kind="bound", sense="<=", measure=lambda p: 0.5 * math.erfc(p["B"] / math.sqrt(2)),
        bound=lambda p: 0.5 * math.exp(-p["B"] ** 2 / 2), domain=DOM))

    false_claim = register(Claim(
        module="NS", claim_id="gauss_tail_false", reference="my notes (2)",
        statement="Q(B) <= e^{-B^2/2} / 4 (false at small B)", kind="bound", sense="<=",
        measure=lambda p: exact(0.5 * math.erfc(p["B"] / math.sqrt(2))),
        bound=lambda p: 0.25 * math.exp(-p["B"] ** 2 / 2), domain=DOM))

    mutant(true_claim, "mutant_exponent_B2", "e^{-B^2} in place of e^{-B^2/2}",
           bound=lambda p: 0.5 * math.exp(-p["B"] ** 2))
''')


@pytest.fixture
def user_file(tmp_path, request) -> tuple[Path, str]:
    ns = f"user_ns_{request.node.name.split('[')[0][-20:]}"
    f = tmp_path / "my_claims.py"
    f.write_text(USER_CLAIMS.replace('"NS"', repr(ns)))
    return f, ns


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def _plugin_installed() -> bool:
    """The plugin is loaded by its ``pytest11`` entry point once the package is installed with
    its current metadata (``pip install -e .``); loading it again with ``-p`` is an error."""
    from importlib.metadata import entry_points

    return any(ep.value == "montecarlo.pytest_plugin" for ep in entry_points(group="pytest11"))


def test_pytest_claims_option_runs_the_users_claims_and_mutants(user_file):
    f, ns = user_file
    load = [] if _plugin_installed() else ["-p", "montecarlo.pytest_plugin"]
    r = _run("-m", "pytest", "-q", "-p", "no:cacheprovider", *load,
             "--claims", str(f), "tests/test_registry.py", "-k", ns, "-rA")
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert f"FAILED tests/test_registry.py::test_claim_holds[{ns}.gauss_tail_false]" in out
    assert f"PASSED tests/test_registry.py::test_claim_holds[{ns}.gauss_tail_true]" in out
    assert f"PASSED tests/test_registry.py::test_mutant_is_refuted[{ns}.mutant_exponent_B2]" in out
    assert "1 failed, 2 passed" in out


def test_reports_claims_option_shows_both(user_file, tmp_path):
    from reports.__main__ import main

    f, ns = user_file
    out = tmp_path / "out"
    try:
        status = main(["--claims", str(f), "--module", ns, "--examples", "20", "--out", str(out),
                       "--no-progress", "--no-hooks", "--strict"])
    finally:
        _forget(ns, f)
    assert status == 1
    recs = {x["claim"]: x for x in json.loads((out / "results.json").read_text())}
    assert set(recs) == {"gauss_tail_true", "gauss_tail_false", "mutant_exponent_B2"}
    assert recs["gauss_tail_true"]["passed"] and recs["gauss_tail_true"]["status"] == "holds"
    assert not recs["gauss_tail_false"]["passed"] and recs["gauss_tail_false"]["status"] == "violated"
    assert recs["mutant_exponent_B2"]["status"] == "refuted"
    assert f"{ns}.gauss_tail_false" in (out / "index.html").read_text()


def _forget(ns: str, f: Path) -> None:
    """Remove a test's user claims from this process's registry."""
    for k in [k for k in registry.keys() if k.startswith(ns + ".")]:
        registry.unregister(k)
    registry.forget_source(f)


def test_load_claims_in_process(user_file):
    f, ns = user_file
    try:
        got = registry.load_claims(f)
        assert sorted(c.claim_id for c in got) == ["gauss_tail_false", "gauss_tail_true", "mutant_exponent_B2"]
        assert registry.load_claims(str(f)) == got  # loading again changes nothing
        keys = [c.key for c in registry.claims()]
        assert keys.index(f"{ns}.gauss_tail_true") > keys.index("flip_probability.lemma_A4")  # user modules last
        assert ns in registry.modules() and registry.modules()[: len(registry.MODULES)] == list(registry.MODULES)
        assert registry.check(f"{ns}.gauss_tail_false", {"B": 0.0}).refuted
    finally:
        _forget(ns, f)


@pytest.mark.parametrize("bad", ["no_such_module_xyz", "/nonexistent/claims.py"])
def test_load_claims_refuses_what_it_cannot_find(bad):
    with pytest.raises(ValueError, match="claims="):
        registry.load_claims(bad)


def test_reregistering_replaces_with_a_warning():
    dom = Domain({"B": Uniform(0.0, 1.0)})
    a = Claim(module="user_ns_rereg", claim_id="c", reference="ref", statement="first", kind="bound", sense="<=", measure=lambda p: exact(0.0), bound=lambda p: 1.0, domain=dom)
    b = Claim(module="user_ns_rereg", claim_id="c", reference="ref", statement="second", kind="bound", sense="<=", measure=lambda p: exact(0.0), bound=lambda p: 2.0, domain=dom)
    try:
        registry.register(a)
        registry.register(a)  # the same object: silent
        with pytest.warns(UserWarning, match="registered again"):
            registry.register(b)
        assert registry.get("user_ns_rereg.c").statement == "second"
    finally:
        registry.unregister("user_ns_rereg.c")


@pytest.mark.parametrize("module, claim_id", [("not an identifier", "c"), ("ns", "a.b"), ("ns", "")])
def test_claim_names_are_validated(module, claim_id):
    with pytest.raises(ValueError, match="violates the condition"):
        Claim(module=module, claim_id=claim_id, reference="r", statement="s", kind="bound", sense="<=", measure=lambda p: 0.0, bound=lambda p: 1.0, domain=Domain({}))
