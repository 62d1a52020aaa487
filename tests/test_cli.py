"""``sparse-ntk`` (montecarlo/cli.py): list, falsify with a formula, tightness;
expressions outside the whitelist are refused before anything is evaluated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sympy")

import mpmath  # noqa: E402

import montecarlo  # noqa: E402
from montecarlo.cli import main  # noqa: E402
from montecarlo.search.expression import ExpressionError, candidate, parse_candidate  # noqa: E402

KEY = "flip_probability.lemma_A4"
ROOT = Path(__file__).resolve().parent.parent


def test_acceptance_through_python_m():
    """The issue's acceptance, as a user runs it (python -m, the script's module)."""
    run = lambda *a: subprocess.run([sys.executable, "-m", "montecarlo.cli", *a], cwd=ROOT,  # noqa: E731
                                    capture_output=True, text=True)
    low = run("falsify", KEY, "2.5*R*exp(-B**2/2)")
    assert low.returncode == 1, low.stderr
    assert "REFUTED" in low.stdout and "counterexample" in low.stdout
    ok = run("falsify", KEY, "3*R*exp(-B**2/2)")
    assert ok.returncode == 0, ok.stderr
    assert "no counterexample" in ok.stdout and "REFUTED" not in ok.stdout


@pytest.mark.parametrize("expr, words", [
    ("2.5*R*exp(-X**2/2)", "unknown symbol 'X'"),
    ("__import__('os').system('true')", "refused"),
    ("R.__class__", "attribute access"),
    ("open('/etc/passwd')", "call of 'open' refused"),
    ("exp(B).evalf()", "refused"),
    ("R[0]", "Subscript refused"),
    ("(lambda: 1)()", "refused"),
    ("'text'", "only numbers"),
    ("exp(x=1)", "keyword arguments"),
    ("B if R else 1", "IfExp refused"),
    ("B < R", "Compare refused"),
    ("_R", "underscores"),
    ("seed * R", "unknown symbol 'seed'"),
    ("", "empty"),
    ("2 *", "not a formula"),
    ("exp(1, 2)", "cannot read"),
])
def test_refused_expressions(expr, words, capsys):
    assert main(["falsify", KEY, expr, "--examples", "3"]) == 2
    err = capsys.readouterr().err
    assert "EXPR refused" in err and words in err, err


def test_nothing_is_executed(tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(ExpressionError):
        parse_candidate(f"__import__('pathlib').Path('{marker}').touch()", ["B"])
    assert not marker.exists()


def test_candidate_never_underflows():
    """2.5 R e^{-B^2/2} at B = 40 is about 2.3e-349: an mpf, not 0.0."""
    f = candidate("2.5*R*exp(-B**2/2)", ["B", "R", "R_frac"])
    v = f({"B": 40.0, "R": 0.025, "R_frac": 1.0})
    assert isinstance(v, mpmath.mpf) and v > 0
    assert mpmath.log(v) == pytest.approx(float(mpmath.log(2.5 * 0.025) - 800), rel=1e-12)
    # ^ reads as a power; Q, phi, Phi are the sheet's normal tail, pdf, cdf
    assert candidate("R*exp(-B^2/2)", ["B", "R"])({"B": 1, "R": 1}) == mpmath.exp(-0.5)
    assert candidate("B^2", ["B"])({"B": 3}) == 9
    q = candidate("Q(B) + Phi(B) + 0*phi(B)", ["B"])({"B": 2.0})
    assert q == pytest.approx(1.0, abs=1e-15)
    assert candidate("Q(B)", ["B"])({"B": 50.0}) == pytest.approx(mpmath.ncdf(-50), rel=1e-12)


def test_falsify_own_bound_and_usage_errors(capsys):
    assert main(["falsify", KEY, "--examples", "5"]) == 0
    assert "no counterexample" in capsys.readouterr().out
    assert main(["falsify", "flip_probability.lemma_A44", "1"]) == 2
    assert "did you mean flip_probability.lemma_A4" in capsys.readouterr().err
    for bad in (["--examples", "0"], ["--seed", "-1"]):  # refused by the option's argparse type
        with pytest.raises(SystemExit) as info:
            main(["falsify", KEY, "1", *bad])
        assert info.value.code == 2
    with pytest.raises(SystemExit):
        main(["nonsense"])


def test_list_shows_statements_and_references(capsys):
    assert main(["list", "--module", "flip_probability", "--no-mutants"]) == 0
    out = capsys.readouterr().out
    c = montecarlo.get(KEY)
    assert KEY in out and c.statement in out and c.reference in out and "mutant_" not in out
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "flip_probability.mutant_constant_2_8" in out and "rademacher_radius." in out
    assert main(["list", "--module", "nope"]) == 2


def test_tightness_command(capsys):
    if not hasattr(montecarlo, "tightness"):
        pytest.skip("montecarlo.search.tightness not in this version")
    assert main(["tightness", "flip_probability.tight_constant", "--examples", "30"]) == 0
    out = capsys.readouterr().out
    assert "flip_probability.tight_constant" in out


def test_claims_of_ones_own(tmp_path, capsys):
    """--claims PATH registers a user's file first, so KEY may name a claim of one's own."""
    from montecarlo import registry

    if not hasattr(registry, "load_claims"):
        pytest.skip("registry.load_claims not in this version")
    mine = tmp_path / "my_cli_claims.py"
    mine.write_text(
        "import math\n"
        "from montecarlo.registry import Claim, Domain, Uniform, register\n"
        "register(Claim(module='my_cli_notes', claim_id='square', reference='notes (1)',\n"
        "    statement='B^2 <= 2 B^2', kind='bound', sense='<=', measure=lambda p: p['B'] ** 2,\n"
        "    bound=lambda p: 2 * p['B'] ** 2, domain=Domain({'B': Uniform(0.0, 3.0)})))\n")
    try:
        assert main(["list", "--claims", str(mine), "--module", "my_cli_notes"]) == 0
        assert "my_cli_notes.square" in capsys.readouterr().out
        assert main(["falsify", "--claims", str(mine), "my_cli_notes.square", "B**2/2", "--examples", "20"]) == 1
        assert main(["falsify", "--claims", str(mine), "my_cli_notes.square", "--examples", "20"]) == 0
        assert main(["list", "--claims", str(tmp_path / "missing.py")]) == 2
    finally:
        registry.unregister("my_cli_notes.square")

