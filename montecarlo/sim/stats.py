"""Exact confidence statements used by every Monte Carlo check.

All limits are *one-sided at level alpha* unless the name says two-sided, so that a check
"bound refuted when the lower limit exceeds it" has false-alarm probability <= alpha.
Default alpha is :data:`ALPHA` = 1e-7 per check (the guide asks for <= 1e-6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from bounds import validate as v

__all__ = [
    "ALPHA",
    "clopper_pearson",
    "binomial_exceedance_pvalue",
    "ExceedanceTest",
    "exceedance_test",
    "quantile_limits",
    "bounded_mean_limits",
    "POWER",
    "detectable_proportion",
    "detectable_quantile",
    "detectable_mean",
]

ALPHA = 1e-7


def _alpha(alpha: float) -> float:
    return v.probability("alpha", alpha)


def _counts(k, n) -> tuple[int, int]:
    n = v.positive_int("n", n)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= n:
        v.fail("k", k, f"an integer with 0 <= k <= n = {n}")
    return int(k), n


def clopper_pearson(k: int, n: int, alpha: float = ALPHA, side: str = "two") -> tuple[float, float]:
    """Exact Clopper-Pearson limits for a binomial proportion from k successes in n trials.

    side="two": the two-sided (1 - alpha) interval (alpha/2 in each tail);
    side="lower"/"upper": only that limit at one-sided level alpha (the other is 0 or 1).
    """
    k, n = _counts(k, n)
    alpha = _alpha(alpha)
    if side not in ("two", "lower", "upper"):
        v.fail("side", side, "one of 'two', 'lower', 'upper'")
    a = alpha / 2 if side == "two" else alpha
    lo = 0.0 if k == 0 else float(stats.beta.ppf(a, k, n - k + 1))
    hi = 1.0 if k == n else float(stats.beta.isf(a, k + 1, n - k))
    if side == "lower":
        return lo, 1.0
    if side == "upper":
        return 0.0, hi
    return lo, hi


def binomial_exceedance_pvalue(k: int, n: int, delta: float) -> float:
    """P[Binomial(n, delta) >= k]: the exact p-value of k failures in n draws against a claim
    "the failure probability is at most delta" (small p-value: the claim is refuted)."""
    k, n = _counts(k, n)
    delta = v.probability("delta", delta)
    return 1.0 if k == 0 else float(stats.binom.sf(k - 1, n, delta))


@dataclass(frozen=True)
class ExceedanceTest:
    """Result of the exact binomial test of "with probability at least 1 - delta"."""

    exceedances: int
    draws: int
    delta: float
    pvalue: float
    alpha: float
    failure_upper: float  # Clopper-Pearson upper limit of the failure probability

    @property
    def refuted(self) -> bool:
        return self.pvalue < self.alpha


def exceedance_test(values, bound, delta: float, alpha: float = ALPHA) -> ExceedanceTest:
    """Count values > bound and test the claim P[value > bound] <= delta exactly."""
    delta = v.probability("delta", delta)
    v.finite("bound", bound)
    vals = v.array("values", values, min_size=0, finite_=False).ravel()
    v.finite("values", vals)
    k = int(np.count_nonzero(vals > bound))
    n = vals.size
    return ExceedanceTest(
        k, n, float(delta), binomial_exceedance_pvalue(k, n, delta), _alpha(alpha),
        clopper_pearson(k, n, alpha, "upper")[1],
    )


def quantile_limits(samples, q: float, alpha: float = ALPHA) -> tuple[float, float]:
    """Order-statistic confidence limits (lower, upper) for the q-quantile, each one-sided
    at level alpha, valid for any distribution (ties included).

    P[X_(l) > xi_q] <= P[Binomial(N, q) <= l - 1] <= alpha, and symmetrically for the upper
    limit. When N is too small for a limit, it is -inf or +inf.
    """
    x = v.array("samples", samples, ndim=1, finite_=False, min_size=0)
    # the sorted copy, j, cdf, sf and masks: ~6 arrays of N + 1 numbers
    v.memory("samples", x, 48.0 * (x.size + 1))
    # and N + 1 binomial cdf and sf values (~1.7 us each: 5e7 samples took 90 s)
    v.work("samples", x, 3e3 * (x.size + 1), what="element-operations of binomial cdf/sf")
    x = np.sort(x)
    v.finite("samples", x)
    N = x.size
    if N < 1:
        v.fail("len(samples)", N, ">= 1")
    q = v.probability("q", q)
    alpha = _alpha(alpha)
    j = np.arange(N + 1)
    cdf = stats.binom.cdf(j, N, q)  # P[Bin <= j]
    ok_lo = np.flatnonzero(cdf <= alpha)  # l - 1 candidates
    lower = x[int(ok_lo[-1])] if ok_lo.size else -math.inf  # X_(l), l = j + 1 (1-based)
    sf = stats.binom.sf(j - 1, N, q)  # P[Bin >= j]
    ok_hi = np.flatnonzero((sf <= alpha) & (j >= 1))
    upper = x[int(ok_hi[0]) - 1] if ok_hi.size else math.inf
    return float(lower), float(upper)


def bounded_mean_limits(samples, low: float, high: float, alpha: float = ALPHA) -> tuple[float, float]:
    """Confidence limits for the mean of a variable known to lie in [low, high].

    Each side at level alpha: the smaller of Hoeffding's and Maurer-Pontil's empirical
    Bernstein deviation, each spent at alpha/2 so the minimum stays valid.
    """
    x = v.array("samples", samples, min_size=0, finite_=False).ravel()
    v.finite("samples", x)
    low, high = v.real("low", low), v.real("high", high)
    if not high > low:
        v.fail("high", high, f"high > low = {low}")
    if x.size < 2:
        v.fail("len(samples)", x.size, ">= 2")
    if x.min() < low - 1e-12 * abs(low) or x.max() > high + 1e-12 * abs(high):
        v.fail("samples", (float(x.min()), float(x.max())), f"inside [{low:g}, {high:g}]")
    alpha = _alpha(alpha)
    N, width = x.size, high - low
    a = alpha / 2
    hoeffding = width * math.sqrt(math.log(1 / a) / (2 * N))
    var = float(np.var(x, ddof=1))
    bernstein = math.sqrt(2 * var * math.log(2 / a) / N) + 7 * width * math.log(2 / a) / (3 * (N - 1))
    dev = min(hoeffding, bernstein)
    m = float(x.mean())
    return max(low, m - dev), min(high, m + dev)


# ------------------------------------------------------------------------- power
# What a check can see: the smallest violation it refutes with probability >= 1/2 (its median
# detectable effect) at the false-alarm level alpha with its sample size. Each function returns
# a ratio >= 1 (inf when no outcome of the experiment can refute), stated the way
# montecarlo.registry reads a claim: true / bound for "<=", bound / true for ">=", the smaller
# of the two directions for "==".

POWER = 0.5  # the detection probability at which "detectable" is stated


def _refuting_count_above(bound: float, n: int, alpha: float) -> int | None:
    """Smallest k whose one-sided Clopper-Pearson lower limit exceeds ``bound``:
    lower(k) > b  <=>  P[Binomial(n, b) >= k] < alpha. None when even k = n cannot."""
    k = np.arange(1, n + 1)
    ok = np.flatnonzero(stats.binom.sf(k - 1, n, bound) < alpha)
    return int(k[ok[0]]) if ok.size else None


def _refuting_count_below(bound: float, n: int, alpha: float) -> int | None:
    """Largest k whose one-sided upper limit falls below ``bound``:
    upper(k) < b  <=>  P[Binomial(n, b) <= k] < alpha. None when even k = 0 cannot."""
    k = np.arange(0, n)
    ok = np.flatnonzero(stats.binom.cdf(k, n, bound) < alpha)
    return int(k[ok[-1]]) if ok.size else None


def detectable_proportion(bound: float, n: int, alpha: float = ALPHA, sense: str = "<=") -> float:
    """Power of a Clopper-Pearson check of a proportion from n Bernoulli draws.

    ``"<="`` (refuted when the one-sided lower limit at ``alpha`` exceeds ``bound``): the
    smallest p / bound such that P[refuted] >= 1/2 when the true proportion is p. With k* the
    smallest refuting count, that p solves P[Binomial(n, p) >= k*] = 1/2, i.e. the median of
    Beta(k*, n - k* + 1). ``">="``: bound / p for the largest p refuted with probability 1/2.
    ``"=="`` (two-sided interval at ``alpha``, alpha/2 each side): the smaller of the two.
    inf when the check cannot refute at all (bound above alpha^{1/n} for "<=", bound 0)."""
    n = v.positive_int("n", n)
    alpha = _alpha(alpha)
    bound = v.real("bound", bound)
    if not 0.0 <= bound <= 1.0:
        v.fail("bound", bound, "0 <= bound <= 1 (a probability)")
    if sense not in ("<=", ">=", "=="):
        v.fail("sense", sense, "one of '<=', '>=', '=='")
    if sense == "==":
        return min(detectable_proportion(bound, n, alpha / 2, "<="),
                   detectable_proportion(bound, n, alpha / 2, ">="))
    if bound == 0.0:
        return math.inf
    if sense == "<=":
        k = _refuting_count_above(bound, n, alpha)
        if k is None:
            return math.inf
        return float(stats.beta.ppf(POWER, k, n - k + 1)) / bound
    k = _refuting_count_below(bound, n, alpha)
    if k is None:
        return math.inf
    p = float(stats.beta.isf(POWER, k + 1, n - k))  # P[Binomial(n, p) <= k] = 1/2
    return bound / p if p > 0 else math.inf


def detectable_quantile(N: int, q: float, alpha: float = ALPHA) -> float:
    """Power of the order-statistic check of "the q-quantile is <= bound" (a "with probability
    at least q" statement) refuted when :func:`quantile_limits`' lower limit exceeds the bound.

    That lower limit is X_(l) with l fixed by (N, q, alpha), so the check refutes exactly when
    at least N - l + 1 of the N values exceed the bound: a Binomial(N, pi) event for the true
    exceedance probability pi. Returns the smallest pi / (1 - q) refuted with probability
    1/2 (the claim says pi <= 1 - q); inf when N is too small for a lower limit."""
    N = v.positive_int("N", N)
    q = v.probability("q", q)
    alpha = _alpha(alpha)
    j = np.arange(N + 1)
    ok = np.flatnonzero(stats.binom.cdf(j, N, q) <= alpha)
    if not ok.size:
        return math.inf
    l = int(ok[-1]) + 1  # the lower limit is the l-th smallest value (1-based)
    need = N - l + 1  # exceedances that refute
    pi = float(stats.beta.ppf(POWER, need, N - need + 1))
    return pi / (1.0 - q)


def detectable_mean(bound: float, value: float, lower: float, upper: float, sense: str = "<=") -> float:
    """Power of a check on a mean through confidence limits of fixed half-width (as
    :func:`bounded_mean_limits`): the estimate's median is about the true mean mu, so "<=" is
    refuted with probability about 1/2 once mu - (value - lower) > bound: returns
    (bound + value - lower) / bound; ">=": bound / (bound - (upper - value)); "==": the smaller.
    inf when the bound is <= 0 (or the limit's width leaves nothing refutable)."""
    bound, value = v.real("bound", bound), v.real("value", value)
    lower, upper = v.real("lower", lower), v.real("upper", upper)
    v.choice("sense", sense, ("<=", ">=", "=="))
    if sense == "==":
        return min(detectable_mean(bound, value, lower, upper, "<="),
                   detectable_mean(bound, value, lower, upper, ">="))
    if not bound > 0:
        return math.inf
    if sense == "<=":
        return (bound + max(0.0, value - lower)) / bound
    if sense == ">=":
        room = bound - max(0.0, upper - value)
        return bound / room if room > 0 else math.inf
    v.fail("sense", sense, "one of '<=', '>=', '=='")
    raise AssertionError  # unreachable
