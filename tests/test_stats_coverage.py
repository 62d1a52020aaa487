"""Coverage of every confidence limit of montecarlo/sim/stats.py at ranges from 1 to 1000.

A limit whose range term has the wrong width factor (Hoeffding's or the empirical Bernstein
range term with ``width`` replaced by 1, by sqrt(width), ...) covers at range 1, where the
factor is 1, and fails at range 100. Importance weights and Rademacher suprema go through these
limits at ranges far above 1, so the limits are tested there:

- **exact coverage at the promised level** (alpha = ALPHA = 1e-7) on two-point laws: a sample of
  a two-point law {low, high} is determined by its count k ~ Binomial(N, p) of highs, so the
  miss probability P[lower > mean] (and P[upper < mean]) is a finite sum over k, computed
  exactly, no simulation. Skewed laws (p = 0.005, 0.05, 0.9) are where the variance term is
  small and the range term decides;
- **simulated coverage on heavy-tailed bounded laws** (a Lomax variable truncated at its 50th
  unit and scaled to [low, high]: rare large values; the mean is known in closed form), at
  alpha = 0.05, the miss rate judged by its own Clopper-Pearson lower limit at level 1e-6
  against the promised alpha (a correct limit fails this with probability < 1e-6);
- the order-statistic quantile limits: exact coverage on two-point laws at ALPHA and exact
  equivariance under x -> a + s x (ranges 1e-3 to 1e3), and the exceedance test's
  Clopper-Pearson upper limit at ALPHA.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
import pytest
from scipy import stats as sps

from montecarlo.sim import stats as S

LEVEL = 1e-6  # level of the Clopper-Pearson limit judging a simulated miss rate
RANGES = [(0.0, 1.0), (-3.0, 7.0), (0.0, 100.0), (1000.0, 2000.0), (-500.0, 500.0)]
SKEWED = [0.005, 0.05, 0.5, 0.9]


def _two_point_miss(limits, N: int, p: float, low: float, high: float) -> tuple[float, float]:
    """Exact P[lower > mean], P[upper < mean] for a two-point law P[high] = p, from N draws:
    ``limits(sample)`` is evaluated once per count k = 0..N."""
    mean = low + p * (high - low)
    pmf = sps.binom.pmf(np.arange(N + 1), N, p)
    miss_lo = miss_hi = 0.0
    for k in range(N + 1):
        lo, hi = limits(np.concatenate([np.full(k, high), np.full(N - k, low)]))
        miss_lo += pmf[k] * (lo > mean)
        miss_hi += pmf[k] * (hi < mean)
    return miss_lo, miss_hi


@pytest.mark.parametrize("low, high", RANGES, ids=lambda x: f"{x:g}")
@pytest.mark.parametrize("p", SKEWED)
@pytest.mark.parametrize("N", [30, 200])
def test_bounded_mean_limits_exact_coverage_on_two_point_laws(low, high, p, N):
    alpha = S.ALPHA
    miss_lo, miss_hi = _two_point_miss(lambda x: S.bounded_mean_limits(x, low, high, alpha), N, p, low, high)
    assert miss_lo <= alpha * (1 + 1e-9) and miss_hi <= alpha * (1 + 1e-9), (miss_lo, miss_hi)


def _lomax_truncated_mean(a: float, c: float) -> float:
    """E[min(U, c)] for U ~ Lomax(a) (numpy's ``pareto``): int_0^c (1 + t)^{-a} dt."""
    return ((1 + c) ** (1 - a) - 1) / (1 - a)


HEAVY = [("lomax_1.1", 1.1), ("lomax_1.5", 1.5), ("lomax_3", 3.0)]


@pytest.mark.parametrize("low, high", [(0.0, 1.0), (0.0, 100.0), (-500.0, 500.0)], ids=lambda x: f"{x:g}")
@pytest.mark.parametrize("name, a", HEAVY, ids=[h[0] for h in HEAVY])
def test_bounded_mean_limits_cover_heavy_tailed_bounded_laws(low, high, name, a):
    alpha, N, reps, c = 0.05, 60, 1000, 50.0
    rng = np.random.default_rng(zlib.crc32(f"{name}:{low}:{high}".encode()))
    width = high - low
    x = low + width * np.minimum(rng.pareto(a, size=(reps, N)), c) / c
    mean = low + width * _lomax_truncated_mean(a, c) / c
    lims = np.array([S.bounded_mean_limits(row, low, high, alpha) for row in x])
    for misses in (int(np.sum(lims[:, 0] > mean)), int(np.sum(lims[:, 1] < mean))):
        rate_lower = S.clopper_pearson(misses, reps, LEVEL, "lower")[0]
        assert rate_lower <= alpha, f"{misses}/{reps} misses: the miss rate exceeds alpha = {alpha}"


@pytest.mark.parametrize("low, high", [(0.0, 1.0), (0.0, 100.0), (-500.0, 500.0)], ids=lambda x: f"{x:g}")
@pytest.mark.parametrize("p", SKEWED)
def test_quantile_limits_exact_coverage_on_two_point_laws(low, high, p):
    """The q-quantile of a two-point law is low for q < 1 - p and high for q > 1 - p (q is kept
    away from the atom's edge, where any value in [low, high] is a quantile)."""
    N, alpha = 150, S.ALPHA
    for q in (0.5 * (1 - p), 1 - 0.5 * p):
        xi = low if q < 1 - p else high
        pmf = sps.binom.pmf(np.arange(N + 1), N, p)
        miss_lo = miss_hi = 0.0
        for k in range(N + 1):
            lo, hi = S.quantile_limits(np.concatenate([np.full(k, high), np.full(N - k, low)]), q, alpha)
            miss_lo += pmf[k] * (lo > xi)
            miss_hi += pmf[k] * (hi < xi)
        assert miss_lo <= alpha * (1 + 1e-9) and miss_hi <= alpha * (1 + 1e-9), (q, miss_lo, miss_hi)


@pytest.mark.parametrize("scale", [1e-3, 1.0, 100.0, 1e3])
@pytest.mark.parametrize("shift", [0.0, -7.0, 1e4])
def test_quantile_limits_are_equivariant_at_every_range(scale, shift):
    """Order statistics: the limits of a + s x are a + s (the limits of x), exactly (the same
    order statistics are picked), so their coverage does not depend on the range."""
    x = np.random.default_rng(5).standard_exponential(400)
    for q in (0.05, 0.5, 0.99):
        lo, hi = S.quantile_limits(x, q, 1e-3)
        lo2, hi2 = S.quantile_limits(shift + scale * x, q, 1e-3)
        assert lo2 == shift + scale * lo and hi2 == shift + scale * hi


@pytest.mark.parametrize("n", [1, 7, 50, 400])
def test_clopper_pearson_and_the_exceedance_limit_cover_at_the_promised_level(n):
    """Exact coverage of the one-sided limits at ALPHA (pmf summed over k) on a grid of p, and
    the exceedance test's failure_upper is the one-sided upper limit at its alpha."""
    alpha = S.ALPHA
    p = np.concatenate([np.geomspace(1e-9, 0.5, 60), 1 - np.geomspace(1e-9, 0.5, 60)])
    k = np.arange(n + 1)
    lo = np.array([S.clopper_pearson(int(j), n, alpha, "lower")[0] for j in k])
    hi = np.array([S.clopper_pearson(int(j), n, alpha, "upper")[1] for j in k])
    pmf = sps.binom.pmf(k[:, None], n, p[None, :])
    assert np.all((pmf * (lo[:, None] > p[None, :])).sum(axis=0) <= alpha * (1 + 1e-9))
    assert np.all((pmf * (hi[:, None] < p[None, :])).sum(axis=0) <= alpha * (1 + 1e-9))
    vals = np.arange(n, dtype=float)
    t = S.exceedance_test(vals, n / 2, 0.1, alpha)
    assert t.failure_upper == S.clopper_pearson(t.exceedances, n, alpha, "upper")[1]


def test_the_coverage_tests_see_a_wrong_width_factor():
    """The exact two-point procedure above refutes a limit whose range terms lost their width
    factor (w -> 1) at range 100, while the same wrong limit covers at range 1."""
    alpha = S.ALPHA

    def no_width(x, low, high):
        N, a = x.size, alpha / 2
        hoeffding = math.sqrt(math.log(1 / a) / (2 * N))
        bern = math.sqrt(2 * float(np.var(x, ddof=1)) * math.log(2 / a) / N) + 7 * math.log(2 / a) / (3 * (N - 1))
        dev, m = min(hoeffding, bern), float(x.mean())
        return max(low, m - dev), min(high, m + dev)

    N, p = 200, 0.005
    assert max(_two_point_miss(lambda x: no_width(x, 0.0, 1.0), N, p, 0.0, 1.0)) <= alpha
    assert max(_two_point_miss(lambda x: no_width(x, 0.0, 100.0), N, p, 0.0, 100.0)) > 0.1
