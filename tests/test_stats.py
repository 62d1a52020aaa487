"""The confidence statements of montecarlo/stats.py, each tested on known distributions.

- Clopper-Pearson: exact coverage (binomial pmf summed over k, no simulation) on a grid of
  p, and agreement with ``scipy.stats.binomtest(...).proportion_ci(method='exact')``;
- exact exceedance p-value against ``binomtest(alternative='greater')``;
- order-statistic quantile limits and bounded-mean limits: coverage by seeded simulation at
  alpha = 0.05, the miss count judged by an exact binomial test at level 1e-6
  (so a correct implementation fails this test with probability < 1e-6 per check).
"""

from __future__ import annotations

import math
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from montecarlo.sim import stats as S

LEVEL = 1e-6  # level of the binomial tests judging simulated miss rates


def _not_above(misses: int, reps: int, alpha: float) -> None:
    """Exact test of "miss rate <= alpha": fail only if P[Bin(reps, alpha) >= misses] < LEVEL."""
    pval = sps.binomtest(misses, reps, alpha, alternative="greater").pvalue
    assert pval >= LEVEL, f"{misses}/{reps} misses: miss rate above alpha={alpha} (p-value {pval:.2e})"


# ---------------------------------------------------------------- Clopper-Pearson

def _all_limits(n: int, alpha: float, side: str) -> np.ndarray:
    return np.array([S.clopper_pearson(k, n, alpha, side) for k in range(n + 1)])


def _coverage(n: int, p: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """P_p[lo_K <= p <= hi_K], K ~ Bin(n, p): exact, summing the pmf over k."""
    k = np.arange(n + 1)[:, None]
    inside = (lo[:, None] <= p[None, :]) & (p[None, :] <= hi[:, None])
    return (sps.binom.pmf(k, n, p[None, :]) * inside).sum(axis=0)


P_GRID = np.concatenate([np.linspace(0, 1, 1201)[1:-1] + 1e-4 * np.sqrt(2), [1e-6, 1e-3, 1 - 1e-3, 1 - 1e-6]])
P_GRID = P_GRID[(P_GRID > 0) & (P_GRID < 1)]


@pytest.mark.parametrize("alpha", [0.05, 0.1])
@pytest.mark.parametrize("n", [1, 2, 5, 17, 60, 150])
def test_clopper_pearson_exact_coverage(n, alpha):
    two = _all_limits(n, alpha, "two")
    lower = _all_limits(n, alpha, "lower")
    upper = _all_limits(n, alpha, "upper")
    assert np.all(lower[:, 1] == 1.0) and np.all(upper[:, 0] == 0.0)
    c_two = _coverage(n, P_GRID, two[:, 0], two[:, 1])
    c_lo = _coverage(n, P_GRID, lower[:, 0], np.ones(n + 1))
    c_hi = _coverage(n, P_GRID, np.zeros(n + 1), upper[:, 1])
    for name, c in (("two-sided", c_two), ("lower", c_lo), ("upper", c_hi)):
        worst = int(np.argmin(c))
        assert c[worst] >= 1 - alpha - 1e-12, f"{name}: coverage {c[worst]} at p={P_GRID[worst]}"
    # One-sided limits are exact at the level: just outside each limit, coverage is 1 - alpha.
    just_below = lower[1:, 0] * (1 - 1e-9)
    just_above = 1 - (1 - upper[:-1, 1]) * (1 - 1e-9)
    c_lo_edge = _coverage(n, just_below, lower[:, 0], np.ones(n + 1))
    c_hi_edge = _coverage(n, just_above, np.zeros(n + 1), upper[:, 1])
    assert c_lo_edge.min() >= 1 - alpha - 1e-12 and c_hi_edge.min() >= 1 - alpha - 1e-12
    assert c_lo_edge.min() < 1 - alpha + 1e-6 and c_hi_edge.min() < 1 - alpha + 1e-6
    # Limits are monotone in k.
    assert np.all(np.diff(two[:, 0]) > 0) and np.all(np.diff(two[:, 1]) > 0)


@pytest.mark.parametrize("n", [5, 17, 60])
def test_coverage_check_has_power(n):
    """A wrong two-sided interval (each tail at alpha instead of alpha/2) is caught."""
    alpha = 0.05
    lo = _all_limits(n, alpha, "lower")[:, 0]
    hi = _all_limits(n, alpha, "upper")[:, 1]
    assert _coverage(n, P_GRID, lo, hi).min() < 1 - alpha - 1e-3


@given(n=st.integers(1, 400), frac=st.floats(0, 1), alpha=st.floats(1e-9, 0.5),
       side=st.sampled_from(["two-sided", "greater", "less"]))
@settings(max_examples=30)  # scipy's root-finding CI is slow
def test_clopper_pearson_agrees_with_scipy_binomtest(n, frac, alpha, side):
    k = int(round(frac * n))
    res = sps.binomtest(k, n, 0.5, alternative=side).proportion_ci(confidence_level=1 - alpha, method="exact")
    ours = S.clopper_pearson(k, n, alpha, {"two-sided": "two", "greater": "lower", "less": "upper"}[side])
    np.testing.assert_allclose(ours, (res.low, res.high), rtol=1e-8, atol=1e-15)


def test_clopper_pearson_edges():
    assert S.clopper_pearson(0, 10, 0.05, "two")[0] == 0.0
    assert S.clopper_pearson(10, 10, 0.05, "two")[1] == 1.0
    # k = 0, one-sided: upper limit 1 - alpha^(1/n) (closed form)
    assert math.isclose(S.clopper_pearson(0, 50, 0.01, "upper")[1], 1 - 0.01 ** (1 / 50), rel_tol=1e-12)
    # k = n, one-sided: lower limit alpha^(1/n)
    assert math.isclose(S.clopper_pearson(50, 50, 0.01, "lower")[0], 0.01 ** (1 / 50), rel_tol=1e-12)


# ---------------------------------------------------------------- exceedance

@given(n=st.integers(1, 5000), frac=st.floats(0, 1), delta=st.floats(1e-6, 1 - 1e-6))
def test_exceedance_pvalue_matches_scipy(n, frac, delta):
    k = int(round(frac * n))
    ref = sps.binomtest(k, n, delta, alternative="greater").pvalue
    got = S.binomial_exceedance_pvalue(k, n, delta)
    assert 0.0 <= got <= 1.0
    assert math.isclose(got, ref, rel_tol=1e-9, abs_tol=1e-300), (got, ref)


def test_exceedance_test_refutes_false_and_keeps_true_claims():
    rng = np.random.default_rng(20240101)
    x = rng.uniform(size=4000)  # P[x > 0.8] = 0.2 exactly
    false = S.exceedance_test(x, 0.8, delta=0.1)
    assert false.refuted and false.pvalue < 1e-20
    assert false.exceedances == int(np.sum(x > 0.8)) and false.draws == 4000
    lo_true, hi_true = S.clopper_pearson(false.exceedances, 4000, S.ALPHA)
    assert lo_true <= 0.2 <= hi_true
    assert false.failure_upper == pytest.approx(S.clopper_pearson(false.exceedances, 4000, S.ALPHA, "upper")[1])
    for delta in (0.2, 0.25, 0.5):  # true claims, 0.2 being the boundary
        res = S.exceedance_test(x, 0.8, delta=delta)
        assert not res.refuted, res
        assert res.failure_upper >= 0.2


def test_exceedance_counts_strictly_above_bound():
    res = S.exceedance_test([1.0, 1.0, 2.0, 0.5], bound=1.0, delta=0.5)
    assert res.exceedances == 1 and res.pvalue == pytest.approx(1 - 0.5**4)
    assert S.exceedance_test([0.0, 0.0], bound=1.0, delta=0.5).pvalue == 1.0


# ---------------------------------------------------------------- quantile limits

def _true_quantile_check(name: str, draw, xi: float, q: float, N: int, reps: int, seed: int):
    alpha = 0.05
    rng = np.random.default_rng(seed)
    samples = draw(rng, (reps, N))
    lims = np.array([S.quantile_limits(row, q, alpha) for row in samples])
    miss_lo = int(np.sum(lims[:, 0] > xi))
    miss_hi = int(np.sum(lims[:, 1] < xi))
    _not_above(miss_lo, reps, alpha)
    _not_above(miss_hi, reps, alpha)
    assert np.all(np.isfinite(lims)), f"{name}: N={N} is large enough for finite limits"
    return lims


@pytest.mark.parametrize(
    "name, draw, xi",
    [
        ("uniform", lambda r, s: r.uniform(size=s), 0.3),  # q = 0.3
        ("exponential", lambda r, s: r.exponential(size=s), -math.log(1 - 0.3)),
        # discrete with F(1) = 0.3 = q exactly: xi_q = 1, the boundary case for ties
        ("discrete", lambda r, s: r.choice([0.0, 1.0, 2.0, 3.0], p=[0.1, 0.2, 0.3, 0.4], size=s), 1.0),
        ("poisson", lambda r, s: r.poisson(2.0, size=s).astype(float), 1.0),  # F(0)=.135, F(1)=.406
    ],
)
def test_quantile_limits_coverage(name, draw, xi):
    _true_quantile_check(name, draw, xi, q=0.3, N=80, reps=1000, seed=zlib.crc32(name.encode()))


def test_quantile_limits_discrete_miss_rate_is_nearly_exact():
    """Bernoulli(1/2), q = 1/2: xi_q = 0 and P[lower > 0] = P[Bin(N, 1/2) <= l - 1], which the
    construction makes <= alpha as close as the lattice allows; simulated rate agrees."""
    N, reps, alpha = 60, 2000, 0.05
    rng = np.random.default_rng(7)
    x = (rng.uniform(size=(reps, N)) < 0.5).astype(float)
    lims = np.array([S.quantile_limits(row, 0.5, alpha) for row in x])
    miss = int(np.sum(lims[:, 0] > 0))
    exact = sps.binom.cdf(np.arange(N + 1), N, 0.5)
    l_minus_1 = int(np.flatnonzero(exact <= alpha)[-1])
    rate = exact[l_minus_1]  # P[miss]
    p_two = sps.binomtest(miss, reps, rate).pvalue
    assert p_two >= LEVEL, (miss, reps, rate)
    assert np.all(lims[:, 1] >= 0)


@given(N=st.integers(5, 400), q=st.floats(0.01, 0.99), alpha=st.floats(1e-7, 0.3),
       seed=st.integers(0, 2**32 - 1))
@settings(max_examples=30)
def test_quantile_limits_pick_the_tightest_valid_order_statistics(N, q, alpha, seed):
    x = np.random.default_rng(seed).standard_normal(N)
    xs = np.sort(x)
    lo, hi = S.quantile_limits(x, q, alpha)
    if math.isfinite(lo):
        l = int(np.flatnonzero(xs == lo)[0]) + 1  # lower = X_(l)
        assert sps.binom.cdf(l - 1, N, q) <= alpha  # valid
        assert l == N or sps.binom.cdf(l, N, q) > alpha  # X_(l+1) would not be
    else:
        assert sps.binom.pmf(0, N, q) > alpha  # not even X_(1) is valid
    if math.isfinite(hi):
        u = int(np.flatnonzero(xs == hi)[0]) + 1  # upper = X_(u)
        assert sps.binom.sf(u - 1, N, q) <= alpha
        assert u == 1 or sps.binom.sf(u - 2, N, q) > alpha
    else:
        assert sps.binom.pmf(N, N, q) > alpha
    assert lo <= hi


def test_quantile_limits_ties_and_small_samples():
    assert S.quantile_limits(np.full(200, 3.5), 0.7, 0.01) == (3.5, 3.5)
    lo, hi = S.quantile_limits([1.0, 2.0, 3.0], 0.5, 0.05)  # P[Bin(3,1/2) = 0] = 1/8 > alpha
    assert lo == -math.inf and hi == math.inf
    lo, hi = S.quantile_limits(np.arange(10.0), 0.5, 0.2)
    assert 0 <= lo <= 4.5 <= hi <= 9


# ---------------------------------------------------------------- bounded mean

@pytest.mark.parametrize(
    "name, draw, mean, low, high",
    [
        ("bernoulli", lambda r, s: (r.uniform(size=s) < 0.3).astype(float), 0.3, 0.0, 1.0),
        ("fair_coin", lambda r, s: (r.uniform(size=s) < 0.5).astype(float), 0.5, 0.0, 1.0),
        ("rare", lambda r, s: (r.uniform(size=s) < 0.02).astype(float), 0.02, 0.0, 1.0),
        ("beta", lambda r, s: 2.0 + 3.0 * r.beta(2, 5, size=s), 2.0 + 3.0 * 2 / 7, 2.0, 5.0),
    ],
)
def test_bounded_mean_limits_coverage(name, draw, mean, low, high):
    alpha, N, reps = 0.05, 150, 1500
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    x = draw(rng, (reps, N))
    lims = np.array([S.bounded_mean_limits(row, low, high, alpha) for row in x])
    _not_above(int(np.sum(lims[:, 0] > mean)), reps, alpha)
    _not_above(int(np.sum(lims[:, 1] < mean)), reps, alpha)
    assert np.all((low <= lims[:, 0]) & (lims[:, 0] <= lims[:, 1]) & (lims[:, 1] <= high))
    # never wider than Hoeffding at alpha/2 (the interval is not trivially wide)
    hoeff = (high - low) * math.sqrt(math.log(2 / alpha) / (2 * N))
    means = x.mean(axis=1)
    assert np.all(means - lims[:, 0] <= hoeff + 1e-12) and np.all(lims[:, 1] - means <= hoeff + 1e-12)


def test_bounded_mean_uses_variance_when_small():
    """Empirical Bernstein beats Hoeffding for a low-variance sample."""
    x = 0.5 + 0.001 * np.random.default_rng(3).uniform(-1, 1, 20000)
    lo, hi = S.bounded_mean_limits(x, 0.0, 1.0, 1e-7)
    hoeff = math.sqrt(math.log(2 / 1e-7) / (2 * x.size))
    assert hi - lo < 0.2 * 2 * hoeff
    assert lo <= 0.5 <= hi


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize(
    "call, name, condition",
    [
        (lambda: S.clopper_pearson(3, 10, alpha=0.0), "alpha", "0 < alpha < 1"),
        (lambda: S.clopper_pearson(3, 10, alpha=1.0), "alpha", "0 < alpha < 1"),
        (lambda: S.clopper_pearson(3, 10, alpha=float("nan")), "alpha", "finite"),
        (lambda: S.clopper_pearson(11, 10), "k", "0 <= k <= n = 10"),
        (lambda: S.clopper_pearson(-1, 10), "k", "0 <= k <= n"),
        (lambda: S.clopper_pearson(2.5, 10), "k", "an integer"),
        (lambda: S.clopper_pearson(0, 0), "n", "n >= 1"),
        (lambda: S.clopper_pearson(1, 10, side="both"), "side", "one of"),
        (lambda: S.binomial_exceedance_pvalue(5, 4, 0.1), "k", "0 <= k <= n = 4"),
        (lambda: S.binomial_exceedance_pvalue(1, 4, 0.0), "delta", "0 < delta < 1"),
        (lambda: S.exceedance_test([0.0, np.nan], 1.0, 0.1), "values", "finite"),
        (lambda: S.exceedance_test([0.0, 1.0], 1.0, 0.1, alpha=2.0), "alpha", "0 < alpha < 1"),
        (lambda: S.quantile_limits([], 0.5), "len(samples)", ">= 1"),
        (lambda: S.quantile_limits([1.0, 2.0], 1.0), "q", "0 < q < 1"),
        (lambda: S.quantile_limits([1.0, np.inf], 0.5), "samples", "finite"),
        (lambda: S.quantile_limits([1.0, 2.0], 0.5, alpha=0.0), "alpha", "0 < alpha < 1"),
        (lambda: S.bounded_mean_limits([0.5, 2.0], 0.0, 1.0), "samples", "inside [0, 1]"),
        (lambda: S.bounded_mean_limits([0.5, 0.6], 1.0, 1.0), "high", "high > low"),
        (lambda: S.bounded_mean_limits([0.5], 0.0, 1.0), "len(samples)", ">= 2"),
        (lambda: S.bounded_mean_limits([0.5, np.nan], 0.0, 1.0), "samples", "finite"),
        (lambda: S.bounded_mean_limits([0.5, 0.6], 0.0, 1.0, alpha=-0.1), "alpha", "0 < alpha < 1"),
    ],
)
def test_validation(call, name, condition):
    with pytest.raises(ValueError) as info:
        call()
    msg = str(info.value)
    assert msg.startswith(f"{name}=") and "violates the condition" in msg and condition in msg, msg


def test_default_alpha_is_at_most_1e_6():
    assert 0 < S.ALPHA <= 1e-6


# ---------------------------------------------------------------- mutants of the limits
def _misses(limits, mean: float) -> tuple[int, int]:
    return int(np.sum(limits[:, 0] > mean)), int(np.sum(limits[:, 1] < mean))


def _refuted(misses: int, reps: int, alpha: float) -> bool:
    return sps.binomtest(misses, reps, alpha, alternative="greater").pvalue < LEVEL


@pytest.mark.parametrize("name, p", [("fair_coin", 0.5), ("very_rare", 0.002)])
def test_coverage_tests_catch_too_narrow_bounded_mean_limits(name, p):
    """Mutants of the empirical-Bernstein/Hoeffding limit are refuted by the same coverage
    procedure (alpha = 0.05, N = 150, 1500 seeded repetitions, exact binomial test at 1e-6) that
    test_bounded_mean_limits_coverage applies to the real limits:

    - half the width (the fair coin: Hoeffding is within a factor 1.4 of the normal quantile, so
      half of it misses about 9% of the time on each side);
    - Maurer-Pontil without the range term 7 w L / (3 (N - 1)) (rare events: the sample variance
      is 0 in most samples and the limit collapses onto the sample mean 0)."""
    alpha, N, reps = 0.05, 150, 1500
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    x = (rng.uniform(size=(reps, N)) < p).astype(float)
    real = np.array([S.bounded_mean_limits(row, 0.0, 1.0, alpha) for row in x])
    means = x.mean(axis=1)
    for miss in _misses(real, p):
        assert not _refuted(miss, reps, alpha)  # the real limits pass
    half = np.column_stack([means - (means - real[:, 0]) / 2, means + (real[:, 1] - means) / 2])
    L = math.log(2 / (alpha / 2))
    dev = np.sqrt(2 * x.var(axis=1, ddof=1) * L / N)
    no_range = np.column_stack([means - dev, means + dev])
    mutant = half if name == "fair_coin" else no_range
    assert any(_refuted(miss, reps, alpha) for miss in _misses(mutant, p)), _misses(mutant, p)


# ---------------------------------------------------------------- power
def _first_true(pred, lo: int, hi: int) -> int | None:
    """Smallest k in [lo, hi] with pred(k) for a monotone pred (None if none): bisection."""
    if not pred(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if pred(mid) else (mid + 1, hi)
    return lo


@pytest.mark.parametrize("n", [6, 60, 400, 1000, 20000])
@pytest.mark.parametrize("bound", [1e-4, 0.003, 0.05, 0.3])
def test_detectable_proportion_is_the_median_detectable_effect(n, bound):
    """At p = detectable x bound the real one-sided lower limit exceeds the bound with
    probability 1/2, and below it less often (the refuting counts are found by bisection on
    clopper_pearson itself; the probability is an exact binomial tail)."""
    r = S.detectable_proportion(bound, n)
    k = _first_true(lambda j: S.clopper_pearson(j, n, side="lower")[0] > bound, 1, n)
    if not math.isfinite(r):
        assert k is None
        return
    assert float(sps.binom.sf(k - 1, n, min(1.0, r * bound))) == pytest.approx(0.5, abs=1e-9)
    assert float(sps.binom.sf(k - 1, n, r * bound * (1 - 1e-6))) < 0.5
    ge = S.detectable_proportion(bound, n, sense=">=")
    c0 = _first_true(lambda c: not S.clopper_pearson(c, n, side="upper")[1] < bound, 0, n)
    assert math.isfinite(ge) == (c0 > 0)
    if c0 > 0:  # the largest refuting count is c0 - 1
        assert float(sps.binom.cdf(c0 - 1, n, bound / ge)) == pytest.approx(0.5, abs=1e-9)
    assert S.detectable_proportion(bound, n, sense="==") >= min(r, ge)


@pytest.mark.parametrize("N, q", [(2000, 0.95), (2000, 0.5), (500, 0.99), (200, 0.999), (100, 0.999)])
def test_detectable_quantile_counts_the_refuting_exceedances(N, q):
    """The order-statistic check refutes exactly when enough values exceed the bound; at the
    stated exceedance probability that happens with probability 1/2."""
    r = S.detectable_quantile(N, q)
    if not math.isfinite(r):
        assert S.quantile_limits(np.zeros(N), q)[0] == -math.inf
        return
    pi = r * (1 - q)
    # the smallest number of exceedances (values 1 above the bound 0.5) that refutes
    need = _first_true(lambda e: S.quantile_limits(np.r_[np.zeros(N - e), np.ones(e)], q)[0] > 0.5, 0, N)
    assert float(sps.binom.sf(need - 1, N, pi)) == pytest.approx(0.5, abs=1e-9)


def test_detectable_mean():
    assert S.detectable_mean(1.0, 0.5, 0.4, 0.6) == pytest.approx(1.1)
    assert S.detectable_mean(1.0, 0.5, 0.4, 0.6, ">=") == pytest.approx(1 / 0.9)
    assert S.detectable_mean(0.0, 0.5, 0.4, 0.6) == math.inf
    with pytest.raises(ValueError, match="bound="):
        S.detectable_proportion(1.5, 10)
