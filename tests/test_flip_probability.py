"""Flip-probability module: float vs mpmath, tightness search, estimators, validation.

The claims themselves (the lemma on its whole domain, the estimators' limits, the
Corollary, the mutants) are exercised by tests/test_registry.py through the registry.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings, target
from hypothesis import strategies as st

from bounds import flip_probability as fp
from montecarlo import flip_probability as mc
from montecarlo.claims import flip_probability as claims

B_S = st.floats(0.0, 12.0)
FRAC_S = st.floats(1e-6, 1.0)


def _R(B, frac):
    return frac / max(B, 0.1)


def _rel(a, b):
    b = float(b)
    return abs(a - b) / abs(b) if b else abs(a)


@given(B=B_S, frac=FRAC_S)
def test_float_matches_mpmath(B, frac):
    R = _R(B, frac)
    assert _rel(fp.exact(B, R), fp.exact_mp(B, R)) <= 1e-10
    assert _rel(fp.lemma_bound(B, R), fp.lemma_bound_mp(B, R)) <= 1e-12
    assert _rel(fp.prior_bound(B, R), fp.prior_bound_mp(B, R)) <= 1e-10
    m = 1000
    assert _rel(fp.corollary_tail(m, B, R), fp.corollary_tail_mp(m, B, R)) <= 1e-10


@pytest.mark.parametrize("B", [12.0, 8.0, 0.0])
def test_float_matches_mpmath_at_the_edges(B):
    for R in (1e-9, 1e-4, 1.0 / max(B, 0.1)):
        assert _rel(fp.exact(B, R), fp.exact_mp(B, R)) <= 1e-10


def test_exact_is_a_difference_of_tails_without_cancellation():
    # 1 - cdf style evaluation returns garbage at B = 8; the stable form does not.
    B, R = 8.0, 1e-3
    ref = fp.exact_mp(B, R)
    assert _rel(fp.exact(B, R), ref) < 1e-10
    with mp.workdps(50):
        naive = float(mp.ncdf(B + 2 * R)) - float(mp.ncdf(B - 2 * R))
    assert _rel(naive, ref) > 1e-3  # the numerics rule is not academic


def test_constants():
    assert fp.C_PAPER == pytest.approx(11.79, abs=5e-3)
    assert fp.C_TIGHT == pytest.approx(2.894, abs=5e-4)
    assert fp.ratio_to_rate(12.0, 1 / 12) == pytest.approx(2.8753, abs=1e-4)
    assert fp.ratio_to_rate(1e4, 1e-4) == pytest.approx(2.8938, abs=1e-4)


def test_target_finds_the_tight_constant():
    """hypothesis.target on p_flip / (R e^{-B^2/2}) climbs to within 2% of the supremum,
    and never above it (the supremum is not attained)."""
    seen: list[float] = []

    @settings(max_examples=300)
    @given(B=B_S, frac=FRAC_S)
    def climb(B, frac):
        r = fp.ratio_to_rate(B, _R(B, frac))
        seen.append(r)
        target(r)
        assert r < fp.C_TIGHT

    climb()
    best = max(seen)
    print(f"largest ratio found: {best:.6f} (tight constant {fp.C_TIGHT:.6f})")
    assert best >= 0.98 * fp.C_TIGHT


@given(B=st.floats(0.0, 4.0), frac=st.floats(1e-3, 1.0), d=st.integers(1, 64),
       seed=st.integers(0, 2**32 - 1))
@settings(max_examples=25)
def test_random_perturbations_never_flip_when_the_worst_case_does_not(B, frac, d, seed):
    """The 'exists' of the event, from below: random (w, b) in the box flip only neurons
    that the worst-case construction flags."""
    R = _R(B, frac)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(d)
    x /= np.linalg.norm(x)
    W = rng.standard_normal((2000, d)) + B * x  # centre the pre-activations near the threshold
    dirs = rng.standard_normal((2000, d))
    dw = dirs / np.linalg.norm(dirs, axis=1, keepdims=True) * R * rng.uniform(0, 1, (2000, 1)) ** (1 / d)
    db = rng.uniform(-R, R, 2000)
    before = W @ x >= B
    after = (W + dw) @ x >= B + db
    flagged = mc._flips(W @ x, x, B, R)
    assert not np.any((after != before) & ~flagged)


def test_importance_reaches_ten_percent_at_B_10():
    for R in (0.1, 0.01):
        est = mc.importance(10.0, R, 8, 100_000, seed=7)
        assert est.rel_se <= 0.10, est
        assert est.lower <= fp.exact(10.0, R) <= est.upper


def test_geometric_interval_contains_exact_and_is_informative():
    est = mc.geometric(1.0, 0.3, 5, 200_000, seed=3)
    p = fp.exact(1.0, 0.3)
    assert est.lower <= p <= est.upper
    assert est.upper - est.lower < 0.02  # not a vacuous interval


def test_flip_set_sizes_law():
    m, B, R, draws = 500, 1.5, 0.2, 4000
    p = fp.exact(B, R)
    from montecarlo.stats import clopper_pearson

    for symmetric in (False, True):
        sizes = mc.flip_set_sizes(m, B, R, draws, seed=11, symmetric=symmetric)
        if symmetric:
            assert np.all(sizes % 2 == 0)
        total = int(sizes.sum() // (2 if symmetric else 1))
        trials = draws * (m // 2 if symmetric else m)
        lo, hi = clopper_pearson(total, trials)
        assert lo <= p <= hi


def test_binomial_tail_under_corollary():
    for m in (10, 1000, 100_000):
        for B, R in ((0.0, 1.0), (2.0, 0.5), (4.0, 0.01)):
            assert fp.binomial_tail(m, B, R) <= fp.corollary_tail(m, B, R)
            assert fp.binomial_tail(m, B, R, symmetric=True) <= math.exp(
                -3 * (m // 2) * fp.flip_q(B, R) / 8)
    assert fp.corollary_union_tail(5, 10, 0.0, 0.01) == pytest.approx(
        min(1.0, 5 * fp.corollary_tail(10, 0.0, 0.01)))


def test_prior_ratio_is_not_uniformly_above_one():
    along_edge = fp.prior_bound(12.0, 1 / 12) / fp.lemma_bound(12.0, 1 / 12)
    small_R = fp.prior_bound(4.0, 1e-6) / fp.lemma_bound(4.0, 1e-6)
    assert along_edge < 1 < small_R


def test_report_hook_writes_figures(tmp_path):
    figs = mc.report_figures(tmp_path, seed=0, quick=True)
    assert figs and all((tmp_path / f).stat().st_size > 1000 for f, _ in figs)


def test_domains_respect_the_condition():
    for dom in (claims.LEMMA_DOMAIN, claims.IS_DOMAIN):
        rng = np.random.default_rng(0)
        for _ in range(200):
            p = dom.build(dom.sample_raw(rng))
            assert p["B"] == 0 or p["R"] <= 1 / p["B"] * (1 + 1e-12)


BAD = [
    (lambda: fp.exact(-1.0, 0.1), "B=-1.0"),
    (lambda: fp.exact(1.0, 0.0), "R=0.0"),
    (lambda: fp.exact(float("nan"), 0.1), "B=nan"),
    (lambda: fp.exact(1.0, float("inf")), "R=inf"),
    (lambda: fp.lemma_bound(2.0, 0.6), "R <= 1/B"),
    (lambda: fp.lemma_bound(1.0, 0.5, c=float("nan")), "c=nan"),
    (lambda: fp.flip_q(1.0, 0.5, c=-1.0), "c > 0"),
    (lambda: fp.corollary_tail(0, 1.0, 0.1), "m=0"),
    (lambda: fp.binomial_tail(7, 1.0, 0.1, symmetric=True), "even"),
    (lambda: mc.geometric(1.0, 0.1, 0, 100, 0), "d=0"),
    (lambda: mc.geometric(1.0, 0.1, 3, 100, 0, alpha=1.5), "0 < alpha < 1"),
    (lambda: mc.importance(1.0, -0.1, 3, 100, 0), "R=-0.1"),
    (lambda: mc.flip_set_sizes(9, 1.0, 0.1, 10, 0, symmetric=True), "even"),
    (lambda: mc.flip_set_sizes(10, 1.0, 0.1, 0, 0), "draws=0"),
    (lambda: mc.geometric(1.0, 0.1, 3, 100, None), "seed=None"),
    (lambda: mc.importance(1.0, 0.1, 3, 100, None), "seed=None"),
    (lambda: mc.flip_set_sizes(10, 1.0, 0.1, 5, None), "seed=None"),
]


@pytest.mark.parametrize("call,message", BAD, ids=[m for _, m in BAD])
def test_bad_inputs_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match="violates the condition") as info:
        call()
    assert message in str(info.value)
