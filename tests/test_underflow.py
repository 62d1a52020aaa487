"""A refutation must be real: a candidate bound that underflows in floats (``math.exp(-20000)``
is 0.0) is evaluated again in mpmath, or marked "candidate underflowed", never scored as a
violation; values that exist only as logs are shown as numbers."""

import math

import mpmath
import pytest
from scipy import special

from montecarlo import check, falsify
from montecarlo.registry.views import show_number

KEY = "flip_probability.lemma_A4"
AT = {"B": 200.0, "R_frac": 1.0}


def readme_candidate(C):
    return lambda p: C * p["R"] * math.exp(-p["B"] ** 2 / 2)


@pytest.mark.parametrize("C", [11.79, 3.0, 2.8939])
def test_true_constant_with_math_exp_is_not_refuted(C):
    r = falsify(KEY, readme_candidate(C))
    assert not r.refuted, str(r)
    assert r.underflowed == 0
    assert "no counterexample" in str(r)


@pytest.mark.parametrize("C", [2.8, 2.88])
def test_false_constant_is_refuted_with_a_real_counterexample(C):
    r = falsify(KEY, readme_candidate(C))
    assert r.refuted
    ev = r.counterexample
    # the counterexample is real: the candidate in mpmath is below the measured lower limit
    p = ev.params
    exact = mpmath.log(C * mpmath.mpf(p["R"])) - mpmath.mpf(p["B"]) ** 2 / 2
    assert math.isfinite(ev.log_bound) and abs(ev.log_bound - float(exact)) < 1e-6
    assert ev.measurement.log_lower > ev.log_bound
    assert 1.0 < ev.ratio < 1.1
    assert "violates <= 0;" not in str(r) and "ratio measured/bound = inf" not in str(r)


def test_numpy_and_imported_exp_are_recomputed():
    import numpy as np

    ev = check(KEY, AT, lambda p: 3 * p["R"] * np.exp(-p["B"] ** 2 / 2))
    assert not ev.refuted and math.isfinite(ev.log_bound)
    from math import exp

    ev = check(KEY, AT, lambda p: 2.8 * p["R"] * exp(-p["B"] ** 2 / 2))
    assert ev.refuted and math.isfinite(ev.log_bound)


def test_unrecoverable_underflow_is_no_verdict():
    # scipy.special.erfc has no mpmath stand-in: the candidate stays 0.0, marked, not refuted
    # 100 B R erfc(B / sqrt 2) ~ 80 R exp(-B^2/2): a true bound, 0.0 in floats at B = 200
    ev = check(KEY, AT, lambda p: 100 * p["B"] * p["R"] * special.erfc(p["B"] / math.sqrt(2)))
    assert ev.underflowed and ev.vacuous and not ev.refuted
    assert "CANDIDATE UNDERFLOWED" in str(ev) and "mpmath" in str(ev)
    r = falsify(KEY, lambda p: 100 * p["B"] * p["R"] * special.erfc(p["B"] / math.sqrt(2)), examples=20)
    assert not r.refuted and r.underflowed >= 1 and "mpmath.exp" in str(r)


def test_a_genuine_zero_candidate_is_still_refuted():
    ev = check(KEY, {"B": 3.0, "R_frac": 0.5}, lambda p: 0.0)
    assert ev.refuted and not ev.underflowed


def test_log_only_values_print_as_numbers():
    ev = check(KEY, AT)
    text, html = str(ev), ev._repr_html_()
    assert "e-8688" in text and "e-8688" in html
    assert "measured 0 [" not in html and "<= 0<" not in html
    assert show_number(0.0, -20004.23576).startswith("1.8") and show_number(0.0, -20004.23576).endswith("e-8688")
    assert show_number(math.inf, 1000.0) == mpmath.nstr(mpmath.exp(1000), 6)
    assert show_number(0.25) == "0.25"


def test_readme_falsify_example_prints_what_the_readme_shows():
    import contextlib
    import io
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^print\(falsify\((.*?)\)\)\n((?:# .*\n)+)", readme, flags=re.M)
    assert block, "the README's falsify example"
    shown = " ".join(line[2:] for line in block.group(2).splitlines())
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(f"import math\nfrom montecarlo import falsify\nprint(falsify({block.group(1)}))", {})
    printed = " ".join(out.getvalue().split())
    for piece in shown.split("..."):
        assert " ".join(piece.split()) in printed, (piece, printed)
