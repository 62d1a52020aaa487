"""The verdict cannot be fooled by a number: its own inputs (a claim's tolerances, a NaN or
infinite measurement or bound, a measure/bound/candidate that raises) are validated, and an
error of the claim is reported as such (never a pass, never a refutation)."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from montecarlo import registry
from montecarlo.registry import Claim, Domain, Uniform, exact
from reports.sweep import sweep_claim

ROOT = Path(__file__).resolve().parents[1]


def _claim(measure=lambda p: exact(1.0), bound=lambda p: 0.5, **kw) -> Claim:
    base = dict(module="fooled", claim_id="c", reference="-", statement="1 <= 0.5", kind="bound",
                sense="<=", measure=measure, bound=bound, domain=Domain({"B": Uniform(0.0, 1.0)}))
    base.update(kw)
    return Claim(**base)


@pytest.mark.parametrize("name", ["rtol", "atol"])
@pytest.mark.parametrize("value", [math.nan, math.inf, -1e-9, "0", None, np.nan, True])
def test_tolerances_are_finite_and_nonnegative(name, value):
    with pytest.raises(ValueError, match=name):
        _claim(**{name: value})


def test_valid_tolerances_accepted():
    c = _claim(rtol=0.0, atol=np.float64(1e-12))
    assert registry.check(c, {"B": 0.5}).refuted


@pytest.mark.parametrize("name,value", [("weight", 0.0), ("weight", math.inf), ("weight", math.nan),
                                        ("measure", 1.0), ("bound", "0.5"), ("domain", {"B": (0, 1)}),
                                        ("log_bound", 3.0)])
def test_other_fields_checked(name, value):
    with pytest.raises(ValueError, match=name):
        _claim(**{name: value})


def test_nan_measure_is_an_error_of_the_claim():
    c = _claim(measure=lambda p: math.nan)
    with pytest.raises(ValueError, match=r"fooled\.c.*params=.*'B'"):
        registry.check(c, {"B": 0.25})


@pytest.mark.parametrize("bound", [math.nan, np.float64("nan")])
def test_nan_bound_is_an_error_of_the_claim(bound):
    c = _claim(bound=lambda p, b=bound: b)
    with pytest.raises(ValueError, match=r"fooled\.c.*bound.*params="):
        registry.check(c, {"B": 0.25})


def test_nan_candidate_is_an_error():
    with pytest.raises(ValueError, match=r"flip_probability\.lemma_A4.*params="):
        registry.check("flip_probability.lemma_A4", {"B": 1.0, "R_frac": 1e-6}, candidate=lambda p: math.nan)


def test_minus_infinite_bound_is_refuted():
    ev = registry.check("flip_probability.lemma_A4", {"B": 1.0, "R_frac": 1e-6}, candidate=lambda p: -math.inf)
    assert ev.refuted


@pytest.mark.parametrize("sense,bound,refuted", [("<=", -math.inf, True), ("<=", math.inf, False),
                                                 (">=", math.inf, True), (">=", -math.inf, False),
                                                 ("==", math.inf, True), ("==", -math.inf, True)])
def test_infinite_bounds(sense, bound, refuted):
    c = _claim(sense=sense, bound=lambda p, b=bound: b, rtol=1e-9, atol=1e-12)
    assert registry.check(c, {"B": 0.5}).refuted is refuted


def test_infinite_mp_candidate_refuted():
    import mpmath
    ev = registry.check("flip_probability.lemma_A4", {"B": 1.0, "R_frac": 1e-6},
                        candidate=lambda p: mpmath.mpf("-inf"))
    assert ev.refuted


@pytest.mark.parametrize("value", [1 + 1j, np.complex128(0.5), "0.5", np.array([0.5, 0.6]), None, True])
def test_candidate_must_be_real(value):
    with pytest.raises(ValueError, match=r"flip_probability\.lemma_A4.*candidate.*params="):
        registry.check("flip_probability.lemma_A4", {"B": 1.0, "R_frac": 1e-6}, candidate=lambda p: value)


@pytest.mark.parametrize("which", ["measure", "bound", "candidate"])
def test_user_function_that_raises_is_the_claims_error(which):
    def boom(p):
        raise ZeroDivisionError("boom")
    if which == "candidate":
        with pytest.raises(ValueError, match=r"fooled\.c: its candidate raised ZeroDivisionError: boom at params=\{'B': 0\.25"):
            registry.check(_claim(), {"B": 0.25}, candidate=boom)
        return
    with pytest.raises(ValueError, match=rf"fooled\.c: its {which} raised ZeroDivisionError: boom at params=\{{'B': 0\.25"):
        registry.check(_claim(**{which: boom}), {"B": 0.25})


def test_sweep_records_the_error_with_the_point():
    res = sweep_claim(_claim(measure=lambda p: math.nan), 5, 0)
    assert res.status == "error" and not res.passed
    assert "fooled.c" in res.error and "params=" in res.error and "'B'" in res.error


CLAIMS_FILE = """
import math
from montecarlo.registry import Claim, Domain, Uniform, exact, register

register(Claim(module="fooled", claim_id="{cid}", reference="-", statement="1 <= 0.5", kind="bound",
               sense="<=", measure=lambda p: {measure}, bound=lambda p: 0.5,
               domain=Domain({{"B": Uniform(0.0, 1.0)}}), weight=0.05))
"""


@pytest.mark.slow
@pytest.mark.parametrize("cid,measure", [("nan_measure", "exact(math.nan)"), ("raises", "1 / 0")])
def test_strict_report_exits_1_naming_the_point(tmp_path, cid, measure):
    f = tmp_path / "mine.py"
    f.write_text(CLAIMS_FILE.format(cid=cid, measure=measure))
    r = subprocess.run([sys.executable, "-m", "reports", "--claims", str(f), "--module", "fooled",
                        "--out", str(tmp_path / "out"), "--no-progress", "--no-hooks", "--strict", "--quick"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    import json
    rec = [x for x in json.loads((tmp_path / "out" / "results.json").read_text())
           if x["key"] == f"fooled.{cid}"][0]
    assert not rec["passed"] and rec["status"] == "error"
    assert "params=" in rec["error"] and "'B'" in rec["error"]


def test_nan_rtol_claims_file_refused_at_registration(tmp_path):
    f = tmp_path / "mine.py"
    f.write_text(CLAIMS_FILE.format(cid="nan_rtol", measure="exact(1.0)").replace("weight=0.05", "weight=0.05, rtol=math.nan"))
    with pytest.raises(ValueError, match="rtol"):
        registry.load_claims(str(f))


@pytest.mark.parametrize("value", [1 + 1j, np.complex128(0.5), "0.5", None])
def test_measurement_fields_must_be_real(value):
    from montecarlo.registry import Measurement
    c = _claim(measure=lambda p: Measurement(value, 0.0, 1.0))
    with pytest.raises(ValueError, match=r"fooled\.c: .*value.*params="):
        registry.check(c, {"B": 0.25})
