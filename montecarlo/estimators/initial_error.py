"""Monte Carlo of the initial error ||f(0) - y||^2 (Lemma 3.5 = Lemma A.10, FORMULAS.md section 2).

:func:`sample` draws N independent standard initializations (w_r ~ N(0, I_d), a_r uniform
on {-1, +1}, b_r = B) on a fixed data set (X, y) and returns f(0) for every draw. Only the
pre-activations g_{r,i} = <w_r, x_i> enter, and for fixed X they are exactly
g_r = R^T z_r with X^T = Q R (thin QR, k = min(n, d)) and z_r = Q^T w_r ~ N(0, I_k): each
neuron costs k normals, whatever d. Work is vectorized over draws, neurons and inputs, in
blocks of at most CHUNK pre-activations (memory O(CHUNK) for any N and m).

The "with probability at least 1 - delta" statements are checked by the order-statistic
limits of the (1 - delta)-quantile (:func:`quantile_check`), which is the exact binomial
exceedance test (also reported) in quantile form; probabilities of events (not E1) get
Clopper-Pearson limits; the mean E ||f(0) - y||^2 = ||y||^2 + n v(B) gets CLT-free limits
(:func:`mean_limits`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bounds import validate as v
from bounds import initial_error as ie

from ..sim import seeding, stats

__all__ = [
    "InitialSample", "sample", "error_values", "QuantileCheck", "quantile_check", "ProbabilityEstimate",
    "e1_failure", "bernstein_check"
]

CHUNK = 1 << 20  # pre-activations per block


@dataclass(frozen=True)
class InitialSample:
    """N draws of the network output at initialization on fixed (X, y).

    ``f``: f_i(0), shape (N, n); ``f_trunc``: the same sums with every term
    z_{i,r} = a_r relu(g_{r,i} - B) clipped to [-tau, tau] (the truncation of Lemma A.10's
    proof; None when no tau was given); ``gmax``: max_{i,r} |<w_r, x_i>| per draw."""

    f: np.ndarray
    f_trunc: np.ndarray | None
    gmax: np.ndarray
    y: np.ndarray
    B: float
    m: int
    tau: float | None

    @property
    def err2(self) -> np.ndarray:
        """||f(0) - y||^2 per draw."""
        return np.sum((self.f - self.y) ** 2, axis=1)

    @property
    def fmax(self) -> np.ndarray:
        """max_i |f_i(0)| per draw."""
        return np.abs(self.f).max(axis=1)

    @property
    def fmax_trunc(self) -> np.ndarray:
        if self.f_trunc is None:
            v.fail("tau", None, "given to sample() for the truncated sums")
        return np.abs(self.f_trunc).max(axis=1)


def _factor(X: np.ndarray) -> np.ndarray:
    """R (k x n) with X^T = Q R, so that <w, x_i> = (z^T R)_i with z = Q^T w ~ N(0, I_k)."""
    _, R = np.linalg.qr(X.T)
    return R


def sample(X, y, m: int, B: float, draws: int, seed, tau: float | None = None) -> InitialSample:
    """``draws`` independent standard initializations of width m on (X, y); see module doc."""
    X = v.unit_rows("X", X)
    n = X.shape[0]
    y = v.labels("y", y, n)
    m, B = v.positive_int("m", m), v.bias(B)
    draws = v.positive_int("draws", draws)
    if tau is not None:
        tau = v.positive("tau", tau)
    v.work("m" if m >= draws else "draws", max(m, draws), float(m) * draws * n * (X.shape[1] + 1))
    rng = seeding.rng(seed)
    R = _factor(X)
    k = R.shape[0]
    width = max(n, k)
    per = max(1, CHUNK // (m * width))  # draws per block
    mb = min(m, max(1, CHUNK // (per * width)))  # neurons per block
    f = np.zeros((draws, n))
    ft = np.zeros((draws, n)) if tau is not None else None
    gmax = np.zeros(draws)
    for s in range(0, draws, per):
        c = min(per, draws - s)
        for r in range(0, m, mb):
            w = min(mb, m - r)
            G = rng.standard_normal((c, w, k)) @ R  # (c, w, n): g_{r,i} for each draw
            a = (2.0 * rng.integers(0, 2, size=(c, 1, w)) - 1.0)  # a_r uniform on {-1, +1}
            gmax[s:s + c] = np.maximum(gmax[s:s + c], np.abs(G).max(axis=(1, 2)))
            np.subtract(G, B, out=G)
            np.maximum(G, 0.0, out=G)  # relu(g - B)
            f[s:s + c] += (a @ G)[:, 0, :]
            if ft is not None:
                np.minimum(G, tau, out=G)
                ft[s:s + c] += (a @ G)[:, 0, :]
    f /= math.sqrt(m)
    if ft is not None:
        ft /= math.sqrt(m)
    return InitialSample(f, ft, gmax, y, B, m, tau)


def error_values(X, y, m: int, B: float, draws: int, seed) -> np.ndarray:
    """||f(0) - y||^2 for ``draws`` independent initializations."""
    return sample(X, y, m, B, draws, seed).err2


# ------------------------------------------------------------------- the quantile check
@dataclass(frozen=True)
class QuantileCheck:
    """The (1 - delta)-quantile of a sampled quantity against a bound that should hold with
    probability >= 1 - delta: order-statistic limits (each one-sided at alpha) and the exact
    binomial exceedance test. ``ratio`` = empirical quantile / bound (the tightness)."""

    quantile: float
    lower: float
    upper: float
    bound: float
    ratio: float
    test: stats.ExceedanceTest

    @property
    def refuted(self) -> bool:
        return self.lower > self.bound


def quantile_check(values, bound: float, delta: float, alpha: float = stats.ALPHA) -> QuantileCheck:
    """Test "P[value > bound] <= delta" by the (1 - delta)-quantile's limits."""
    delta = v.probability("delta", delta)
    if not 1 - delta < 1:
        v.fail("delta", delta, "1 - delta < 1 in float (delta >= 1.2e-16)")
    bound = float(v.finite("bound", bound))
    vals = v.array("values", values, min_size=0).ravel()
    lo, hi = stats.quantile_limits(vals, 1 - delta, alpha)
    q = float(np.quantile(vals, 1 - delta, method="inverted_cdf"))
    ratio = q / bound if bound > 0 else (math.inf if q > 0 else 0.0)
    return QuantileCheck(q, lo, hi, bound, ratio, stats.exceedance_test(vals, bound, delta, alpha))


# ------------------------------------------------------------------- proof links
@dataclass(frozen=True)
class ProbabilityEstimate:
    """A probability estimate with Clopper-Pearson limits (each one-sided at alpha)."""

    value: float
    lower: float
    upper: float
    hits: int
    samples: int


def e1_failure(X, m: int, tau: float, draws: int, seed, alpha: float = stats.ALPHA) -> ProbabilityEstimate:
    """P[not E1] = P[max_{i,r} |<w_r, x_i>| > tau], by sampling (Lemma A.10: <= delta/2 at
    tau = sqrt(2 log(2 m n / delta)))."""
    X = v.unit_rows("X", X)
    tau = v.positive("tau", tau)
    s = sample(X, np.zeros(X.shape[0]), m, 0.0, draws, seed)
    k = int(np.count_nonzero(s.gmax > tau))
    lo = stats.clopper_pearson(k, draws, alpha, "lower")[0]
    hi = stats.clopper_pearson(k, draws, alpha, "upper")[1]
    return ProbabilityEstimate(k / draws, lo, hi, k, draws)


def bernstein_check(X, m: int, B: float, delta: float, draws: int, seed, truncated: bool = False,
                    alpha: float = stats.ALPHA) -> QuantileCheck:
    """max_i |f_i(0)| (or the sums truncated at tau) against sqrt(2 v L) + 2 tau L / (3 sqrt m),
    claimed jointly over i with probability >= 1 - delta/2."""
    truncated = v.boolean("truncated", truncated)
    X = v.unit_rows("X", X)
    n = X.shape[0]
    t = ie.tau(m, n, delta)
    s = sample(X, np.zeros(n), m, B, draws, seed, tau=t if truncated else None)
    vals = s.fmax_trunc if truncated else s.fmax
    return quantile_check(vals, ie.bernstein_bound(m, n, delta, B), ie.bernstein_tail(delta), alpha)


def mean_limits(values, y, m: int, B: float, alpha: float = stats.ALPHA) -> tuple[float, float]:
    """CLT-free limits for E ||f(0) - y||^2 from sampled values, each side at level alpha.

    The values are truncated at T (M2 = the exact upper bound on E ||f(0) - y||^4 of
    :func:`bounds.initial_error.error_second_moment_bound`); the truncated mean gets
    :func:`stats.bounded_mean_limits` and the upper limit adds the truncation bias
    E (X - T)_+ <= M2 / (4 T) (since (x - T)_+ <= x^2 / (4 T)). T = sqrt(M2 N / (4 c)),
    c = 7 log(2 / (alpha/2)) / 3, balances that bias against the range term of the limits."""
    alpha = v.probability("alpha", alpha)
    y = v.labels("y", y)
    x = v.array("values", values, min_size=0, finite_=False).ravel()
    v.finite("values", x)
    if x.size < 2 or np.any(x < 0):
        v.fail("values", x, "at least 2 nonnegative values")
    M2 = ie.error_second_moment_bound(y, m, B)
    c = 7 * math.log(4 / alpha) / 3
    T = max(math.sqrt(M2 * x.size / (4 * c)), 1e-300)
    lo, hi = stats.bounded_mean_limits(np.minimum(x, T), 0.0, T, alpha)
    return lo, hi + M2 / (4 * T)
