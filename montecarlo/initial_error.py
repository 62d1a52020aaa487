"""Monte Carlo of the initial error ||f(0) - y||^2 (Lemma 3.5 = Lemma A.10, BOUNDS.md section 2).

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

from bounds import validate as _v
from montecarlo.data import FAMILIES, LABELS
from bounds import initial_error as ie

from . import stats
from .data import make_data, make_labels
from montecarlo import seeding

__all__ = [
    "CHUNK",
    "InitialSample",
    "sample",
    "error_values",
    "QuantileCheck",
    "quantile_check",
    "ProbabilityEstimate",
    "e1_failure",
    "bernstein_check",
    "mean_limits",
    "problem",
    "tightness",
    "tightness_table",
    "report_figures",
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
            _v.fail("tau", None, "given to sample() for the truncated sums")
        return np.abs(self.f_trunc).max(axis=1)


def _factor(X: np.ndarray) -> np.ndarray:
    """R (k x n) with X^T = Q R, so that <w, x_i> = (z^T R)_i with z = Q^T w ~ N(0, I_k)."""
    _, R = np.linalg.qr(X.T)
    return R


def sample(X, y, m: int, B: float, draws: int, seed, tau: float | None = None) -> InitialSample:
    """``draws`` independent standard initializations of width m on (X, y); see module doc."""
    X = _v.unit_rows("X", X)
    n = X.shape[0]
    y = _v.labels("y", y, n)
    m, B = _v.positive_int("m", m), _v.bias(B)
    draws = _v.positive_int("draws", draws)
    if tau is not None:
        tau = _v.positive("tau", tau)
    _v.work("m" if m >= draws else "draws", max(m, draws), float(m) * draws * n * (X.shape[1] + 1))
    if seed is None:
        _v.fail("seed", seed, "an int, SeedSequence or Generator (every run must reproduce)")
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
    delta = _v.probability("delta", delta)
    if not 1 - delta < 1:
        _v.fail("delta", delta, "1 - delta < 1 in float (delta >= 1.2e-16)")
    bound = float(_v.finite("bound", bound))
    vals = _v.array("values", values, min_size=0).ravel()
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
    X = _v.unit_rows("X", X)
    tau = _v.positive("tau", tau)
    s = sample(X, np.zeros(X.shape[0]), m, 0.0, draws, seed)
    k = int(np.count_nonzero(s.gmax > tau))
    lo = stats.clopper_pearson(k, draws, alpha, "lower")[0]
    hi = stats.clopper_pearson(k, draws, alpha, "upper")[1]
    return ProbabilityEstimate(k / draws, lo, hi, k, draws)


def bernstein_check(X, m: int, B: float, delta: float, draws: int, seed, truncated: bool = False,
                    alpha: float = stats.ALPHA) -> QuantileCheck:
    """max_i |f_i(0)| (or the sums truncated at tau) against sqrt(2 v L) + 2 tau L / (3 sqrt m),
    claimed jointly over i with probability >= 1 - delta/2."""
    truncated = _v.boolean("truncated", truncated)
    X = _v.unit_rows("X", X)
    n = X.shape[0]
    t = ie.tau(m, n, delta)
    s = sample(X, np.zeros(n), m, B, draws, seed, tau=t if truncated else None)
    vals = s.fmax_trunc if truncated else s.fmax
    return quantile_check(vals, ie.bernstein_bound(m, n, delta, B), delta / 2, alpha)


def mean_limits(values, y, m: int, B: float, alpha: float = stats.ALPHA) -> tuple[float, float]:
    """CLT-free limits for E ||f(0) - y||^2 from sampled values, each side at level alpha.

    The values are truncated at T (M2 = the exact upper bound on E ||f(0) - y||^4 of
    :func:`bounds.initial_error.error_second_moment_bound`); the truncated mean gets
    :func:`stats.bounded_mean_limits` and the upper limit adds the truncation bias
    E (X - T)_+ <= M2 / (4 T) (since (x - T)_+ <= x^2 / (4 T)). T = sqrt(M2 N / (4 c)),
    c = 7 log(2 / (alpha/2)) / 3, balances that bias against the range term of the limits."""
    alpha = _v.probability("alpha", alpha)
    y = _v.labels("y", y)
    x = _v.array("values", values, min_size=0, finite_=False).ravel()
    _v.finite("values", x)
    if x.size < 2 or np.any(x < 0):
        _v.fail("values", x, "at least 2 nonnegative values")
    M2 = ie.error_second_moment_bound(y, m, B)
    c = 7 * math.log(4 / alpha) / 3
    T = max(math.sqrt(M2 * x.size / (4 * c)), 1e-300)
    lo, hi = stats.bounded_mean_limits(np.minimum(x, T), 0.0, T, alpha)
    return lo, hi + M2 / (4 * T)


# ------------------------------------------------------------------- tightness / reports
def problem(n: int, d: int, family: str, labels: str, seed) -> tuple[np.ndarray, np.ndarray]:
    """The data set (X, y) of a claim's parameters (orthonormal needs n <= d)."""
    seed = _v.seed("seed", seed)
    _v.choice("labels", labels, LABELS)
    _v.choice("family", family, FAMILIES)
    if seed is None:
        _v.fail("seed", seed, "an int or SeedSequence (every run must reproduce)")
    sd, sl = np.random.SeedSequence(seed).generate_state(2)
    return make_data(family, n, d, int(sd)), make_labels(labels, n, int(sl))


def tightness(n: int, m: int, B: float, delta: float, draws: int = 4000, seed: int = 0,
              d: int = 16, family: str = "random", labels: str = "signs") -> dict:
    """Empirical (1 - delta)-quantile of ||f(0) - y||^2 over its bounds (E0_tight, E0_paper)
    and the prior form (constant 1, not a bound), at one (n, m, B, delta)."""
    _v.choice("labels", labels, LABELS)
    _v.choice("family", family, FAMILIES)
    X, y = problem(n, max(d, n) if family == "orthonormal" else d, family, labels, seed)
    vals = error_values(X, y, m, B, draws, np.random.SeedSequence(seed).spawn(3)[2])
    out = {"n": n, "m": m, "B": B, "delta": delta, "draws": draws}
    for name, b in (("E0_tight", ie.E0_tight(y, m, n, delta, B)),
                    ("E0_paper", ie.E0_paper(y, m, n, delta, B)),
                    ("prior_form", ie.prior_form(n, delta))):
        qc = quantile_check(vals, b, delta)
        out[name] = b
        out[f"ratio_{name}"] = qc.ratio
        out[f"ratio_{name}_limits"] = (qc.lower / b, qc.upper / b)
    out["quantile"] = qc.quantile
    out["mean"] = float(vals.mean())
    out["exact_mean"] = ie.error_mean(y, B)
    return out


def tightness_table(ns=(4, 16), ms=(64, 1024), Bs=(0.0, 1.0, 2.0, 3.0), delta: float = 0.1,
                    draws: int = 4000, seed: int = 0) -> list[dict]:
    """:func:`tightness` over a grid (the closing note's table)."""
    ns, ms = _v.int_list("ns", ns), _v.int_list("ms", ms)
    _v.memory("ns", max(ns), 8.0 * max(ns) * max(ns) * 16)
    _v.work("ms" if max(ms) >= _v.positive_int("draws", draws) else "draws", max(max(ms), draws), float(max(ms)) * max(ns) * 17 * _v.positive_int("draws", draws) * len(ns) * len(ms) * 4)
    Bs = _v.biases("Bs", Bs)
    return [tightness(n, m, B, delta, draws, seed) for n in ns for m in ms for B in Bs]


def report_figures(out_dir, seed: int = 0, quick: bool = True) -> list[tuple[str, str]]:
    """Report hook: tightness (quantile / bound) of E0_tight and E0_paper over B and over m
    (log scale), with the prior O(n log^2(n/delta)) form (constant 1) for comparison."""
    if not isinstance(out_dir, str) and not hasattr(out_dir, "__fspath__"):
        _v.fail("out_dir", out_dir, "a directory path")
    seed = _v.seed("seed", seed)
    quick = _v.boolean("quick", quick)
    import os

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    draws = 1000 if quick else 4000
    delta, n = 0.1, 8
    Bs = np.linspace(0, 4, 9 if quick else 17)
    ms = [2**j for j in range(0, 12, 2 if quick else 1)]
    files = []
    for axis, grid, fixed, fname in (("B", Bs, {"m": 256}, "initial_error_tightness_B.png"),
                                     ("m", ms, {"B": 1.0}, "initial_error_tightness_m.png")):
        rows = [tightness(n, **{**fixed, axis: g}, delta=delta, draws=draws, seed=seed) for g in grid]
        fig, ax = plt.subplots(figsize=(6.4, 4.2))
        for key, style in (("E0_tight", "o-"), ("E0_paper", "s-"), ("prior_form", "^:")):
            ax.plot(grid, [r[f"ratio_{key}"] for r in rows], style,
                    label=key if key != "prior_form" else "prior n log^2(n/delta) (constant 1, not a bound)")
        ax.set_yscale("log")
        if axis == "m":
            ax.set_xscale("log", base=2)
        ax.set_xlabel(axis)
        ax.set_ylabel("(1 - delta)-quantile of ||f(0) - y||^2 / bound")
        ax.axhline(1.0, color="k", lw=0.8)
        ax.set_title(f"Initial-error tightness, n = {n}, delta = {delta}, "
                     + ", ".join(f"{k} = {v:g}" for k, v in fixed.items()))
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(out_dir, fname), dpi=110)
        plt.close(fig)
        files.append((fname, f"Tightness of Lemma 3.5 over {axis} ({draws} draws per point, "
                             "random data, random-sign labels)."))
    return files
