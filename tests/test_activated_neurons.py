"""Activated-neurons module (Lemma 3.6 = Lemmas A.18, A.19): float vs mpmath, the exact law
against sampled counts, whole-network draws and the Jacobian, the inclusion on real training
runs, the active-fraction data, validation.

The registered claims and mutants are exercised by tests/test_registry.py.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bounds import activated_neurons as an
from bounds import flip_probability as fp
from montecarlo.estimators import activated_neurons as mc
from montecarlo.sim import network as nw
from montecarlo import registry
from montecarlo.sim.data import problem
from montecarlo.claims import activated_neurons as claims
from montecarlo.sim.stats import ALPHA, bounded_mean_limits, clopper_pearson

from _util import check_bad_input, log_rel, rel


# ------------------------------------------------------------------ bounds: float vs mp
@settings(max_examples=40)
@given(B=st.floats(0.0, 12.0), m=st.integers(1, 5000), symmetric=st.booleans())
def test_float_matches_mpmath(B, m, symmetric):
    m += m % 2 if symmetric else 0
    assert rel(an.on_probability(B), an.on_probability_mp(B)) <= 1e-13
    assert rel(an.on_probability_bound(B), an.on_probability_bound_mp(B)) <= 1e-14
    assert rel(an.failure_probability(m, B, symmetric), an.failure_probability_mp(m, B, symmetric)) <= 1e-12
    ref = an.exact_tail_mp(m, B, symmetric)
    assert rel(an.log_exact_tail(m, B, symmetric), mp.log(ref)) <= 1e-10
    n, R = 3, 0.5 / max(B, 1.0)
    assert rel(an.training_failure_probability(n, m, B, R, symmetric),
                an.training_failure_probability_mp(n, m, B, R, symmetric)) <= 1e-12


@pytest.mark.parametrize("m,B", [(50_000, 0.3), (20_000, 1.0), (100_000, 2.0), (1000, 0.0)])
def test_log_tail_far_beyond_underflow(m, B):
    """The survival function underflows to 0 here; the log form still matches mpmath."""
    assert an.exact_tail(m, B) < 1e-280
    assert rel(an.log_exact_tail(m, B), mp.log(an.exact_tail_mp(m, B))) <= 1e-12


@pytest.mark.parametrize("B", [38.0, 40.0, 45.0])
def test_tail_past_the_threshold_underflow(B):
    """m e^{-B^2/2} underflows to 0 past B ~ 38.6; the tail is still P[count >= 1], not 1."""
    for sym in (False, True):
        ref = mp.log(an.exact_tail_mp(10, B, sym, dps=60))
        assert abs(an.log_exact_tail(10, B, sym) - ref) <= 1e-12 * abs(ref)
        assert an.exact_tail(10, B, sym) <= 1e-300


def test_B_zero_closed_form_and_tightness():
    """At B = 0 the threshold is m: P[count >= m] = 2^-m exactly, so -log tail / exponent =
    16 ln 2 / 3 ~ 3.697, the worst case of Lemma A.18 found by the registry sweep."""
    for m in (1, 10, 1000, 10**6):
        assert an.log_exact_tail(m, 0.0) == pytest.approx(-m * math.log(2), rel=1e-12)
        assert -an.log_exact_tail(m, 0.0) / an.bernstein_exponent(m, 0.0) == pytest.approx(16 * math.log(2) / 3)
    assert an.on_probability(0.0) == an.on_probability_bound(0.0) == 0.5


def test_pmf_and_sf_are_a_distribution():
    m, B = 40, 0.7
    for sym in (False, True):
        pmf = np.array([an.count_pmf(k, m, B, sym) for k in range(m + 1)])
        assert pmf.sum() == pytest.approx(1.0, abs=1e-12)
        if sym:
            assert np.all(pmf[1::2] == 0)
        sf = np.array([an.count_sf(k, m, B, sym) for k in range(m + 2)])
        assert np.allclose(sf, np.concatenate([np.cumsum(pmf[::-1])[::-1], [0.0]]), atol=1e-13)
        assert an.count_sf(0, m, B, sym) == 1.0 and an.log_count_sf(m + 1, m, B, sym) == -math.inf
        # a real threshold means P[count >= ceil(k)]
        assert an.count_sf(7.2, m, B, sym) == an.count_sf(8, m, B, sym)


def test_bernstein_and_union_and_training_bounds():
    for m in (10, 1000, 100_000):
        for B in (0.0, 1.0, 2.5, 4.0):
            for sym in (False, True):
                assert an.exact_tail(m, B, sym) <= an.failure_probability(m, B, sym)
    assert an.union_failure_probability(4, 10, 3.0) == pytest.approx(min(1.0, 4 * an.failure_probability(10, 3.0)))
    assert an.frobenius_bound(5, 2.0) == pytest.approx(10 * math.exp(-2))
    assert an.frobenius_identity([3, 4], 10) == pytest.approx(1.4)
    assert np.allclose(an.frobenius_identity(np.array([[3, 4], [0, 10]]), 10), [1.4, 2.0])
    assert an.training_bound(100, 2.0, 0.25) == pytest.approx((1 + 2 * fp.C_PAPER * 0.25) * 100 * math.exp(-2))
    # symmetric: m/2 inside both exponents
    n, m, B, R = 3, 400, 1.0, 0.3
    want = n * math.exp(-3 / 16 * 200 * math.exp(-0.5)) + n * math.exp(-3 * 200 * fp.flip_q(B, R) / 8)
    assert an.training_failure_probability(n, m, B, R, True) == pytest.approx(want, rel=1e-12)


# ------------------------------------------------------------------ sampled law at init
@pytest.mark.parametrize("m,B,symmetric", [(300, 1.0, False), (300, 1.0, True), (2000, 2.5, False),
                                            (64, 0.0, True)])
def test_sampled_counts_follow_the_exact_law(m, B, symmetric):
    draws = 4000
    c = mc.counts_at_init(m, B, draws, seed=5, symmetric=symmetric)
    if symmetric:
        assert np.all(c % 2 == 0)
    # P[count >= k] at a few k around the mean: each Clopper-Pearson interval contains the law
    mean = m * an.on_probability(B)
    for k in sorted({0, max(0, int(mean) - 3), int(mean), int(mean) + 1, int(mean) + 5}):
        hits = int(np.count_nonzero(c >= k))
        lo, hi = clopper_pearson(hits, draws, ALPHA)
        assert lo <= an.count_sf(k, m, B, symmetric) <= hi, k
    lo, hi = bounded_mean_limits(c, 0, m, ALPHA)
    assert lo <= mean <= hi


def test_whole_network_draws_marginals_and_jacobian():
    X, _ = problem(4, 6, "clusters", "random", 2)
    m, B = 200, 0.8
    for sym in (False, True):
        d = mc.init_draws(X, m, B, 600, seed=9, symmetric=sym)
        assert d.counts.shape == (600, 4) and d.frobenius_sq.shape == (600,)
        if sym:
            assert np.all(d.counts % 2 == 0)
        # each input's count has the one-input law (pooled over inputs: CP on the mean)
        lo, hi = bounded_mean_limits(d.counts.ravel(), 0, m, ALPHA)
        assert lo <= m * an.on_probability(B) <= hi
        # the Jacobian gives ||Z||_F^2 = (2/m) sum_i counts (computed independently)
        assert np.allclose(d.frobenius_sq, 2 * d.counts.sum(axis=1) / m, rtol=1e-12, atol=0)


def test_stacked_blocks_are_real_initializations():
    """One chunk of init_draws rebuilt block by block: each block's own Jacobian gives the
    same ||Z||_F^2, and symmetric blocks output exactly 0."""
    X, _ = problem(3, 5, "random", "random", 4)
    m, B, k = 10, 0.3, 7
    for sym in (False, True):
        d = mc.init_draws(X, m, B, k, seed=13, symmetric=sym)
        net = mc._stacked(k, m, 5, B, np.random.default_rng(13), sym)
        for j in range(k):
            blk = nw.Network(net.W[j * m:(j + 1) * m], net.b[j * m:(j + 1) * m], net.a[j * m:(j + 1) * m])
            Z = nw.jacobian(X, blk)
            assert np.sum(Z**2) == pytest.approx(d.frobenius_sq[j], rel=1e-12)
            assert np.array_equal(nw.activation(X, blk).sum(axis=1), d.counts[j])
            if sym:
                assert np.array_equal(blk.W[: m // 2], blk.W[m // 2:])
                assert np.all(nw.forward(X, blk) == 0)


# ------------------------------------------------------------------ training runs
RUNS = [  # (n, d, m, B, eta_frac, steps, family, labels, symmetric)
    (6, 8, 256, 0.5, 0.5, 40, "random", "random", False),
    (6, 8, 256, 0.5, 0.5, 40, "random", "random", True),
    (8, 4, 512, 1.5, 0.3, 50, "clusters", "signs", False),
    (8, 4, 512, 1.5, 0.3, 50, "antipodal", "alternating", True),
    (3, 16, 128, 0.0, 1.0, 30, "orthonormal", "ones", True),
]


@pytest.mark.parametrize("n,d,m,B,eta_frac,steps,family,labels,symmetric", RUNS)
def test_inclusion_on_real_training_runs(n, d, m, B, eta_frac, steps, family, labels, symmetric):
    X, y = problem(n, d, family, labels, 21)
    r = mc.training_counts(X, y, m, B, eta_frac, steps, 22, symmetric)
    T = r.trajectory.steps
    assert r.counts.shape == r.gap.shape == r.flip_sizes.shape == (T + 1, n)
    assert np.array_equal(r.pattern_counts, r.counts)  # callback patterns == trainer's counts
    if symmetric:
        assert np.all(r.counts[0] % 2 == 0)
    assert r.max_gap <= 0 and r.outside == 0
    assert 0 < r.flip_margin <= 2 and r.allowance_used <= 1  # the margins the claims measure
    assert np.all(np.diff(r.movement) >= 0)
    # the run is informative: neurons did change, and the flip set is not everything
    assert r.changed.max() > 0
    assert r.flip_sizes[-1].min() < m
    assert r.trajectory.residual[-1] < r.trajectory.residual[0]
    # the check can fail: a flip set of half the width misses neurons that changed
    narrow = mc.training_counts(X, y, m, B, eta_frac, steps, 22, symmetric, factor=0.5)
    assert narrow.outside > 0
    assert narrow.flip_margin == r.flip_margin > 0.5  # the margin sees the same exceptions


def test_changed_neurons_lie_in_the_final_flip_set_direct():
    """Recomputed in the test from the patterns: the set of neurons whose activation changed at
    some step is inside S_i(R_real(T)), from g0 = <w_r(0), x_i> and the final movement."""
    X, y = problem(5, 6, "random", "random", 3)
    pats = []
    net0 = nw.initialize(200, 6, 1.0, 8, False)
    from montecarlo.sim.trainer import train

    traj = train(X, y, net0, 2.0, 40, callback=lambda t, net, res: pats.append(nw.activation(X, net)))
    act = np.stack(pats)
    changed = (act != act[0]).any(axis=0)
    R = max(np.max(traj.w_move), np.max(traj.b_move))
    u = X @ net0.W.T - 1.0
    inside = (u >= -2 * R * (1 + 1e-9)) & (u < 2 * R * (1 + 1e-9))
    assert changed.any() and not np.any(changed & ~inside)


def test_training_bound_hypothesis_is_checked():
    X, y = problem(8, 8, "random", "random", 5)
    ok = mc.training_bound_run(X, y, 512, 1.0, 0.5, 0.5, 30, 6)
    assert ok.applicable and ok.movement <= 0.5 and not ok.exceeded and not ok.failed
    assert ok.max_count <= ok.bound
    # a step size far above the R-scaled one leaves R: the lemma is not applicable
    big = mc.training_bound_run(X, y, 512, 1.0, 0.01, 50.0, 30, 6)
    assert not big.applicable and not big.failed and big.movement > 0.01
    # through the claim: an example with no run inside R is marked not applicable and holds
    c = registry.get("activated_neurons.lemma_A19_training")
    p = {"n": 8, "d": 8, "m": 512, "B": 1.0, "R_frac": 0.01, "R": 0.01, "eta_frac": 1e3,
         "steps": 30, "family": "random", "labels": "random", "symmetric": False, "seed": 5}
    ev = registry.check(c, p)
    assert not ev.refuted and ev.measurement.applicable is False
    assert ev.measurement.detail["hypothesis_failed"] == claims.BOUND_RUNS


def test_domains_respect_the_conditions():
    rng = np.random.default_rng(0)
    for dom in (claims.BOUND_DOMAIN, claims.TRAIN_DOMAIN, claims.SAMPLED_DOMAIN, claims.TAIL_DOMAIN):
        for _ in range(100):
            p = dom.build(dom.sample_raw(rng))
            if p.get("symmetric"):
                assert p["m"] % 2 == 0
            if "R" in p:
                assert p["B"] == 0 or p["R"] <= 1 / p["B"]


X_OK = problem(2, 3, "random", "random", 0)[0]
BAD = [
    (lambda: an.on_probability(-1.0), "B=-1.0"),
    (lambda: an.exact_tail(0, 1.0), "m=0"),
    (lambda: an.exact_tail(7, 1.0, symmetric=True), "even"),
    (lambda: an.count_pmf(2.5, 10, 1.0), "k=2.5"),
    (lambda: an.count_sf(float("nan"), 10, 1.0), "k=nan"),
    (lambda: an.failure_probability(10, float("inf")), "B=inf"),
    (lambda: an.union_failure_probability(0, 10, 1.0), "n=0"),
    (lambda: an.frobenius_identity([3, 11], 10), "integers in [0, m = 10]"),
    (lambda: an.training_bound(10, 2.0, 0.6), "R <= 1/B"),
    (lambda: an.training_bound(10, 1.0, 0.5, c=float("nan")), "c=nan"),
    (lambda: an.training_failure_probability(2, 10, 1.0, 0.0), "R=0.0"),
    (lambda: mc.counts_at_init(9, 1.0, 10, 0, symmetric=True), "even"),
    (lambda: mc.counts_at_init(10, 1.0, 0, 0), "draws=0"),
    (lambda: mc.counts_at_init(10, 1.0, 5, None), "seed=None"),
    (lambda: mc.init_draws(X_OK, 10, 1.0, 5, None), "seed=None"),
    (lambda: problem(2, 3, "random", "random", None), "seed=None"),
    (lambda: mc.init_draws(2 * X_OK, 10, 1.0, 5, 0), "unit-norm rows"),
    (lambda: mc.training_counts(X_OK, np.array([0.5, 2.0]), 10, 1.0, 0.5, 5, 0), "|y_i| <= 1"),
    (lambda: mc.training_counts(X_OK, np.zeros(2), 10, 1.0, -0.5, 5, 0), "eta_frac=-0.5"),
    (lambda: mc.training_bound_run(X_OK, np.zeros(2), 10, 2.0, 0.9, 0.5, 5, 0), "R <= 1/B"),
    (lambda: mc.flip_membership(np.zeros((2, 3)), 1.0, -0.1), "R >= 0"),
    (lambda: mc.flip_membership(np.array([0.5, np.nan]), 1.0, 0.1), "g0=nan"),
]


@pytest.mark.parametrize("call,message", BAD, ids=[m for _, m in BAD])
def test_bad_inputs_raise_clear_errors(call, message):
    check_bad_input(call, message)


# ------------------------------------------------------------------ log forms, whole domain
@settings(max_examples=100)
@given(B=st.floats(0.0, 1e3), m=st.integers(1, 10**6), n=st.integers(1, 1000),
       frac=st.floats(1e-9, 1.0), symmetric=st.booleans())
def test_log_forms_match_mpmath(B, m, n, frac, symmetric):
    """Every formula that underflows (B past ~38) has a log form, exact to double precision
    over the whole domain (B >= 0 has no upper end: tested to 1000)."""
    mm = m + (m % 2) if symmetric else m
    R = frac / max(B, 1e-3)
    with mp.workdps(60):
        assert log_rel(an.log_on_probability(B), mp.log(an.on_probability_mp(B, 60))) <= 1e-14
        assert log_rel(an.log_on_probability_bound(B), mp.log(an.on_probability_bound_mp(B))) <= 1e-14
        assert log_rel(an.log_threshold(m, B), mp.log(m) - mp.mpf(B) ** 2 / 2) <= 1e-14
        ref_fail = mp.log(an.failure_probability_mp(mm, B, symmetric))
        assert log_rel(an.log_failure_probability(mm, B, symmetric), ref_fail) <= 1e-13
        assert log_rel(an.log_union_failure_probability(n, mm, B, symmetric),
                        min(mp.mpf(0), mp.log(n) + ref_fail)) <= 1e-13
        assert log_rel(an.log_frobenius_bound(n, B), mp.log(2 * n) - mp.mpf(B) ** 2 / 2) <= 1e-14
        c = 4 * mp.e**2 / mp.sqrt(2 * mp.pi)
        ref_tb = mp.log((1 + 2 * c * mp.mpf(R)) * m) - mp.mpf(B) ** 2 / 2
        assert log_rel(an.log_training_bound(m, B, R), ref_tb) <= 1e-14
        ref_tf = mp.log(an.training_failure_probability_mp(n, mm, B, R, symmetric, 60))
        assert log_rel(an.log_training_failure_probability(n, mm, B, R, symmetric), ref_tf) <= 1e-13


@settings(max_examples=60)
@given(B=st.floats(0.0, 200.0), m=st.integers(1, 2000), k=st.integers(0, 2000), symmetric=st.booleans())
def test_log_count_pmf_matches_mpmath(B, m, k, symmetric):
    mm = m + (m % 2) if symmetric else m
    k = min(k, mm)
    got = an.log_count_pmf(k, mm, B, symmetric)
    if symmetric and k % 2:
        assert got == -math.inf
        return
    N, j = (mm // 2, k // 2) if symmetric else (mm, k)
    with mp.workdps(60):
        q = an.on_probability_mp(B, 60)
        ref = mp.log(mp.binomial(N, j)) + j * mp.log(q) + (N - j) * mp.log1p(-q)
    assert log_rel(got, ref) <= 1e-12
    if B < 30:
        assert an.count_pmf(k, mm, B, symmetric) == pytest.approx(math.exp(got), rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("B", [20.0, 38.5, 40.0])
def test_lemma_A18_holds_past_the_underflow_in_log_space(B):
    """Lemma A.18's exact tail at B up to 40 (the registered domain stops at 12 until the report
    plots log ratios): the log bound keeps the verdict meaningful where the exponent is 0.0."""
    c = registry.get("activated_neurons.lemma_A18_exact")
    for m_log, sym in ((1.0, False), (1000.0, True), (1e6, False)):
        ev = registry.check(c, {"m_log": m_log, "B": B, "symmetric": sym})
        assert not ev.refuted and not ev.vacuous and ev.log_ratio > 0
