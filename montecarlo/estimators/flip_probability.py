"""Monte Carlo estimators for the activation flip probability (Lemma A.4, Corollary A.4.1).

(a) :func:`geometric` samples w~ in R^d and a unit x, and decides the flip event by building
    the two worst-case perturbations (w~ -/+ R x, B +/- R) and evaluating the activation:
    it never uses the interval -2R <= <w~, x> - B < 2R, which is what it checks.
(b) :func:`importance` shifts the Gaussian mean along x (w~ ~ N(mu x, I_d)) and reweights,
    for the rare events of large B; its weights are bounded on the event, so the exact
    bounded-mean limits apply.
(c) :func:`flip_set_sizes` samples |S_i| for a width-m network (Corollary A.4.1).
All take a seed, are vectorized and process samples in chunks (memory O(chunk * d)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bounds import validate as v

from ..sim import seeding, stats

__all__ = ["Estimate", "geometric", "importance", "flip_set_sizes"]

CHUNK = 1 << 15
BLOCK = 1 << 16  # normals per block: a block of w~ stays in cache for the projection


@dataclass(frozen=True)
class Estimate:
    """A probability estimate with its confidence limits (each one-sided at ``alpha``)."""

    value: float
    lower: float
    upper: float
    samples: int
    hits: int
    rel_se: float  # relative standard error of ``value`` (inf when no hits)
    alpha: float


def _check(B, R, d, samples, alpha):
    B = v.bias(B)
    R = v.positive("R", R)
    d = v.positive_int("d", d)
    samples = v.positive_int("samples", samples)
    alpha = v.probability("alpha", alpha)
    return B, R, d, samples, alpha


def _unit_x(rng: np.random.Generator, d: int) -> np.ndarray:
    x = rng.standard_normal(d)
    while not np.linalg.norm(x) > 0:
        x = rng.standard_normal(d)
    return x / np.linalg.norm(x)


def _flips(g: np.ndarray, x: np.ndarray, B: float, R: float) -> np.ndarray:
    """Whether some (w, b) in the R-box around (w~, B) changes 1{<w, x> >= b}, given
    g = <w~, x>. Only the two extreme perturbations need testing: <w, x> - b moves by at
    most R ||x||^2 + R, and w = w~ -/+ R x, b = B +/- R move it by exactly that much.
    Their pre-activations are evaluated by linearity (<w~ - R x, x> = g - R <x, x>)."""
    xx = float(x @ x)
    before = g >= B
    down = g - R * xx >= B + R  # w = w~ - R x, b = B + R
    up = g + R * xx >= B - R  # w = w~ + R x, b = B - R
    return (down != before) | (up != before)


def geometric(B: float, R: float, d: int, samples: int, seed, alpha: float = stats.ALPHA) -> Estimate:
    """Plain Monte Carlo of p_flip(B, R) with exact Clopper-Pearson limits (section 1 (a))."""
    samples, d = v.positive_int("samples", samples), v.positive_int("d", d)
    v.work("samples" if samples >= d else "d", max(samples, d), float(samples) * d * 4)
    v.memory("samples" if samples >= d else "d", max(samples, d), 8.0 * (samples + d))
    B, R, d, samples, alpha = _check(B, R, d, samples, alpha)
    rng = seeding.rng(seed)
    x = _unit_x(rng, d)
    hits = 0
    rows = max(1, BLOCK // d)
    for s in range(0, samples, rows):
        W = rng.standard_normal((min(rows, samples - s), d))
        hits += int(np.count_nonzero(_flips(W @ x, x, B, R)))
    lo, _ = stats.clopper_pearson(hits, samples, alpha, "lower")
    _, hi = stats.clopper_pearson(hits, samples, alpha, "upper")
    p = hits / samples
    rse = math.sqrt((1 - p) / (p * samples)) if hits else math.inf
    return Estimate(p, lo, hi, samples, hits, rse, alpha)


def importance(B: float, R: float, d: int, samples: int, seed, alpha: float = stats.ALPHA,
               shift: float | None = None) -> Estimate:
    """Importance sampling of p_flip with w~ ~ N(mu x, I_d), mu = ``shift`` (default B).

    The weight phi(g)/phi(g - mu) = exp(mu^2/2 - mu g) with g = <w~, x> is at most
    exp(mu^2/2 - mu (B - 2R)) on the event, so 1{event} * weight is a bounded variable and
    :func:`stats.bounded_mean_limits` gives exact-coverage limits.
    """
    samples, d = v.positive_int("samples", samples), v.positive_int("d", d)
    v.work("samples" if samples >= d else "d", max(samples, d), float(samples) * d * 4)
    v.memory("samples" if samples >= d else "d", max(samples, d), 8.0 * (samples + d))
    B, R, d, samples, alpha = _check(B, R, d, samples, alpha)
    v.memory("d", d, 8.0 * d * 4)
    R = v.radius(B, R)  # R <= 1/B: beyond, the weights explode (an "estimate" of 1.0038 in [0, 398])
    mu = B if shift is None else v.nonneg("shift", shift)
    if samples < 2:
        v.fail("samples", samples, "samples >= 2")
    rng = seeding.rng(seed)
    x = _unit_x(rng, d)
    wmax = math.exp(mu * mu / 2 - mu * (B - 2 * R))
    vals = np.empty(samples)
    rows = max(1, BLOCK // d)
    for s in range(0, samples, rows):
        k = min(rows, samples - s)
        g = rng.standard_normal((k, d)) @ x + mu * float(x @ x)  # <w~, x>, w~ ~ N(mu x, I)
        weight = np.exp(mu * mu / 2 - mu * g)
        vals[s:s + k] = np.where(_flips(g, x, B, R), weight, 0.0)
    p = float(vals.mean())
    hits = int(np.count_nonzero(vals))
    lo, hi = stats.bounded_mean_limits(vals, 0.0, wmax, alpha)  # each limit one-sided at alpha
    rse = float(vals.std(ddof=1) / (math.sqrt(samples) * p)) if p > 0 else math.inf
    return Estimate(p, lo, hi, samples, hits, rse, alpha)


def flip_set_sizes(m: int, B: float, R: float, draws: int, seed, symmetric: bool = False) -> np.ndarray:
    """|S_i| for ``draws`` independent initializations of width m at one input x_i.

    Only g_r = <w_r, x_i> ~ N(0, 1) matters, so each neuron costs one normal; the event is
    decided by the same worst-case construction as :func:`geometric`, in 1-D. Under
    symmetric initialization the second half copies the first (|S_i| = 2 Binomial(m/2, p)).
    """
    m, draws = v.positive_int("m", m), v.positive_int("draws", draws)
    v.work("m" if m >= draws else "draws", max(m, draws), float(m) * draws * 4)
    symmetric = v.boolean("symmetric", symmetric)
    m = v.even_int("m", m) if symmetric else v.positive_int("m", m)
    B, R = v.bias(B), v.positive("R", R)
    draws = v.positive_int("draws", draws)
    rng = seeding.rng(seed)
    width = m // 2 if symmetric else m
    out = np.empty(draws, dtype=np.int64)
    per = max(1, CHUNK * 8 // width)
    one = np.ones(1)
    for s in range(0, draws, per):
        k = min(per, draws - s)
        g = rng.standard_normal((k, width))
        out[s:s + k] = np.count_nonzero(_flips(g, one, B, R), axis=1)
    return 2 * out if symmetric else out


def benchmark(samples: int = 2_000_000, d: int = 16, seed: int = 0, repeats: int = 3) -> list[dict]:
    """Samples per second of each estimator and the ratio, per normal drawn, to raw
    ``Generator.standard_normal`` throughput measured in the same run (best of ``repeats``
    for each, so that a busy machine does not bias the ratio one way)."""
    repeats = v.positive_int("repeats", repeats)
    import time

    def best(fn) -> float:
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    def raw_draw():
        rng = seeding.rng(seed)
        for s in range(0, samples * d, BLOCK):
            rng.standard_normal(min(BLOCK, samples * d - s))

    raw = samples * d / best(raw_draw)
    rows = []
    for name, fn, per in [
        ("geometric", lambda: geometric(3.0, 0.2, d, samples, seed), d),
        ("importance", lambda: importance(10.0, 0.1, d, samples, seed), d),
        ("flip_set_sizes", lambda: flip_set_sizes(1000, 3.0, 0.2, samples // 1000, seed), 1),
    ]:
        dt = best(fn)
        rows.append({"estimator": name, "samples_per_s": samples / dt, "normals_per_s": samples * per / dt,
                     "raw_normals_per_s": raw, "ratio_to_raw": samples * per / dt / raw})
    return rows
