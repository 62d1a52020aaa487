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
from montecarlo.estimators import flip_probability as mc
from montecarlo.claims import flip_probability as claims

from _util import check_bad_input, log_rel, rel

B_S = st.floats(0.0, 12.0)
FRAC_S = st.floats(1e-6, 1.0)


def _R(B, frac):
    return frac / max(B, 0.1)


def rel(a, b):
    b = float(b)
    return abs(a - b) / abs(b) if b else abs(a)


@given(B=B_S, frac=FRAC_S)
def test_float_matches_mpmath(B, frac):
    R = _R(B, frac)
    assert rel(fp.lemma_bound(B, R), fp.lemma_bound_mp(B, R)) <= 1e-12  # tighter than test_twins


@pytest.mark.parametrize("B", [12.0, 8.0, 0.0])
def test_float_matches_mpmath_at_the_edges(B):
    for R in (1e-9, 1e-4, 1.0 / max(B, 0.1)):
        assert rel(fp.exact(B, R), fp.exact_mp(B, R)) <= 1e-10


def test_exact_is_a_difference_of_tails_without_cancellation():
    # 1 - cdf style evaluation returns garbage at B = 8; the stable form does not.
    B, R = 8.0, 1e-3
    ref = fp.exact_mp(B, R)
    assert rel(fp.exact(B, R), ref) < 1e-10
    with mp.workdps(50):
        naive = float(mp.ncdf(B + 2 * R)) - float(mp.ncdf(B - 2 * R))
    assert rel(naive, ref) > 1e-3  # the numerics rule is not academic


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
    from montecarlo.sim.stats import clopper_pearson

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
            assert fp.corollary_tail(m, B, R, symmetric=True) == pytest.approx(
                math.exp(-3 * (m // 2) * fp.C_PAPER * R * math.exp(-B * B / 2) / 8), rel=1e-12)
    q = fp.C_PAPER * 0.01  # B = 0
    assert fp.corollary_union_tail(5, 10, 0.0, 0.01) == pytest.approx(min(1.0, 5 * math.exp(-30 * q / 8)))


def _log_tail_mp(j: int, N: int, p) -> float:
    """log P[Binomial(N, p) >= j] by summing the terms in mpmath until they are negligible."""
    with mp.workdps(40):
        p = mp.mpf(p)
        term = mp.binomial(N, j) * p**j * (1 - p) ** (N - j)
        total = term
        for k in range(j, N):
            term *= (N - k) * p / ((k + 1) * (1 - p))
            total += term
            if term < total * mp.mpf(10) ** -30 and (k + 1) > N * p:
                break
        return float(mp.log(total))


@settings(max_examples=25)
@given(B=st.floats(0.0, 6.0), frac=st.floats(1e-4, 1.0), m=st.integers(1, 20_000), symmetric=st.booleans())
def test_log_binomial_tail_matches_mpmath(B, frac, m, symmetric):
    m += m % 2 if symmetric else 0
    p = claims._radius_possible({"B": B, "R_frac": frac, "m": m, "symmetric": symmetric})
    R, N = p["R"], m // 2 if symmetric else m
    j = math.ceil(2 * N * fp.flip_q(B, R))
    assert 1 <= j <= N  # the capped domain keeps the event possible
    got = fp.log_binomial_tail(m, B, R, symmetric)
    ref = _log_tail_mp(j, N, fp.exact_mp(B, R))
    assert abs(got - ref) <= 1e-9 * max(1.0, abs(ref))
    direct = fp.binomial_tail(m, B, R, symmetric)
    if direct > 1e-280:
        assert rel(math.exp(got), direct) <= 1e-9


def test_log_binomial_tail_past_the_threshold_underflow():
    """2 m q underflows to 0 at B = 40: the event is still |S_i| >= 1, log P ~ log(m p)."""
    B, R, m = 40.0, 1e-3, 10
    assert 2 * m * fp.flip_q(B, R) == 0.0
    got = fp.log_binomial_tail(m, B, R)
    assert got == pytest.approx(math.log(m) + fp.log_exact(B, R), rel=1e-12)
    assert fp.binomial_tail(m, B, R) == 0.0 <= fp.corollary_tail(m, B, R)


def test_log_binomial_sf_edges():
    assert fp.log_binomial_sf(0, 10, math.log(0.3)) == 0.0
    assert fp.log_binomial_sf(11, 10, math.log(0.3)) == -math.inf
    assert fp.log_binomial_sf(10, 10, math.log(0.3)) == pytest.approx(10 * math.log(0.3), rel=1e-14)
    # p = e^-800 (below the double range): the first term C(N, j) p^j
    assert fp.log_binomial_sf(3, 50, -800.0) == pytest.approx(math.log(19600) - 2400.0, rel=1e-14)
    # past the survival function's underflow: P[Binomial(1000, 1/2) >= 1000] = 2^-1000
    assert fp.log_binomial_sf(1000, 1000, math.log(0.5)) == pytest.approx(-1000 * math.log(2), rel=1e-13)


def test_prior_ratio_is_not_uniformly_above_one():
    along_edge = fp.prior_bound(12.0, 1 / 12) / fp.lemma_bound(12.0, 1 / 12)
    small_R = fp.prior_bound(4.0, 1e-6) / fp.lemma_bound(4.0, 1e-6)
    assert along_edge < 1 < small_R


def test_domains_respect_the_condition():
    for dom in (claims.LEMMA_DOMAIN, claims.IS_DOMAIN, claims.COR_DOMAIN):
        rng = np.random.default_rng(0)
        for _ in range(200):
            p = dom.build(dom.sample_raw(rng))
            assert p["B"] == 0 or p["R"] <= 1 / p["B"] * (1 + 1e-12)
    rng = np.random.default_rng(1)
    for raw in claims.COR_DOMAIN.corners_raw() + [claims.COR_DOMAIN.sample_raw(rng) for _ in range(200)]:
        p = claims.COR_DOMAIN.build(raw)
        assert 2 * fp.flip_q(p["B"], p["R"]) < 1  # the corollary's event stays possible
        assert math.isfinite(fp.log_binomial_tail(p["m"], p["B"], p["R"], p["symmetric"]))


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
    (lambda: fp.log_binomial_tail(7, 1.0, 0.1, symmetric=True), "even"),
    (lambda: fp.corollary_tail(7, 1.0, 0.1, symmetric=True), "even"),
    (lambda: fp.log_binomial_sf(2, 5, 0.1), "log_p <= 0"),
    (lambda: fp.log_binomial_sf(2.5, 5, -1.0), "j=2.5"),
    (lambda: fp.log_binomial_sf(2, 5, float("nan")), "log_p=nan"),
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
    check_bad_input(call, message)


# ------------------------------------------------------------------ log forms, whole domain
@settings(max_examples=200)
@given(B=st.floats(0.0, 1e4), logR=st.floats(math.log(1e-12), math.log(100.0)))
def test_log_exact_matches_mpmath_on_its_whole_domain(B, logR):
    """log_exact's docstring promises every B >= 0 and R > 0 (not only R <= 1/B)."""
    R = math.exp(logR)
    assert log_rel(fp.log_exact(B, R), fp.log_exact_mp(B, R)) <= 1e-13


@pytest.mark.parametrize("B, R", [(1000.0, 0.25), (200.0, 0.25), (1000.0, 1e-3), (3000.0, 0.25),
                                  (200.0, 1 / 200), (1e4, 1e-4), (0.0, 50.0), (1.0, 0.25), (0.5, 0.5)])
def test_log_exact_where_gauss_legendre_failed(B, R):
    """The 32-point rule on 4R <= 1 was off by 0.106 in log p at B = 1000, R = 0.25
    (-499508.0568 against mpmath's -499507.9512): the integrand varies by e^{4BR} there."""
    assert log_rel(fp.log_exact(B, R), fp.log_exact_mp(B, R)) <= 1e-14


@settings(max_examples=100)
@given(B=st.floats(0.0, 1e4), frac=st.floats(1e-12, 1.0), m=st.integers(1, 10**6),
       n=st.integers(1, 1000))
def test_log_bounds_match_mpmath(B, frac, m, n):
    R = _R(B, frac)
    assert log_rel(fp.log_lemma_bound(B, R), mp.log(fp.lemma_bound_mp(B, R))) <= 1e-14
    with mp.workdps(50):
        tight = (mp.e**2 - mp.e**-2) / mp.sqrt(2 * mp.pi) * mp.mpf(R) * mp.exp(-mp.mpf(B) ** 2 / 2)
    assert log_rel(fp.log_tight_bound(B, R), mp.log(tight)) <= 1e-14
    assert log_rel(fp.log_prior_bound(B, R), mp.log(fp.prior_bound_mp(B, R))) <= 1e-13
    for sym in (False, True):
        mm = m + (m % 2) if sym else m
        ref = mp.log(fp.corollary_tail_mp(mm, B, R, sym))
        assert log_rel(fp.log_corollary_tail(mm, B, R, sym), ref) <= 1e-13
    ref = min(mp.mpf(0), mp.log(n) + mp.log(fp.corollary_tail_mp(m, B, R)))
    assert log_rel(fp.log_corollary_union_tail(n, m, B, R), ref) <= 1e-13
    if B < 30:  # where the plain forms are representable, they are the exp of the log forms
        assert fp.lemma_bound(B, R) == pytest.approx(math.exp(fp.log_lemma_bound(B, R)), rel=1e-13)


def test_ratio_form_separates_the_supremum_from_constants_within_half_a_percent():
    """Lemma A.4 in ratio form reaches B = 200: 2.8939 (above the supremum 2.89380) is not
    refuted and the search comes within 1e-4 of it; 2.88, 2.89, 2.893 are registered mutants."""
    from montecarlo.search.falsify import falsify

    r = falsify("flip_probability.lemma_A4_ratio", lambda p: 2.8939, examples=200, seed=1)
    assert not r.refuted and r.worst_ratio * 2.8939 >= 2.8935
    assert fp.ratio_to_rate(200.0, 1 / 200) == pytest.approx(2.8937490, abs=1e-6)


@pytest.mark.parametrize("B", [20.0, 38.5, 40.0])
def test_corollary_holds_past_the_underflow_in_log_space(B):
    """Corollary A.4.1 at B up to 40 (its registered domain stops at 6 until the report plots
    log ratios): the claim's log bound keeps the verdict meaningful where 3 m q / 8 is 0.0."""
    from montecarlo import registry

    c = registry.get("flip_probability.corollary_A41")
    for m, sym, frac in ((1, False, 1.0), (1000, True, 0.5), (10**5, False, 1e-3)):
        ev = registry.check(c, {"B": B, "R_frac": frac, "m": m, "symmetric": sym})
        assert not ev.refuted and not ev.vacuous and ev.log_ratio > 0
