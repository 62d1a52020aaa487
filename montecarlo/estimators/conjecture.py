"""The open question: is the region needed for Theorem 3.12's closed form?

Conjecture (not a claim of the paper): lambda_min(H_inf) >= (1/pi) arcsin(delta/2) exp(-2B^2/(4 - delta^2))
on all of R^n, delta the separation of the data. :func:`search_unrestricted_conjecture` hunts for
the smallest ratio lambda_min(H_inf) / closed form: seeded random draws over data families,
free points, lattice and grid patches and arcs, sizes and B (numpy only: hypothesis is a test
extra, not a run-time dependency), then a local optimizer (scipy's Powell) over the data set
itself (free coordinates, rows normalized onto the sphere) and B. It reports the smallest ratio
and the data set that reached it; it asserts nothing. Data sets with separation below
``min_separation`` are skipped (there both sides vanish and the ratio is round-off).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from bounds import validate as v
from bounds import restricted_eigenvalue as re_

from ..sim import seeding
from ..sim.data import FAMILIES, dataset

__all__ = ["ConjectureResult", "conjecture_ratio", "search_unrestricted_conjecture"]

STRUCTURED = ("patch_square", "patch_triangular", "grid", "arc")


def lattice_patch(k1: int, k2: int, spacing: float, d: int = 3, kind: str = "square") -> np.ndarray:
    """k1 x k2 points of a square or triangular planar lattice of the given spacing, centred at
    the north pole of S^{d-1} (d >= 3) by the exponential map: geodesic distances to the pole are
    exact, neighbouring points are ``spacing`` apart up to O(spacing^3)."""
    d = v.positive_int("d", d)
    v.memory("d", d, 8.0 * d * 64)
    k1, k2, d = v.positive_int("k1", k1), v.positive_int("k2", k2), v.check_int_range("d", d, 3)
    spacing = v.positive("spacing", spacing)
    if spacing * max(k1, k2) > 1.0:
        v.fail("spacing", spacing, f"spacing * max(k1, k2) <= 1 (a small patch), k1={k1}, k2={k2}")
    i, j = np.meshgrid(np.arange(k1, dtype=float), np.arange(k2, dtype=float), indexing="ij")
    if kind == "square":
        P = np.stack([i.ravel(), j.ravel()], 1)
    elif kind == "triangular":
        P = np.stack([(i + 0.5 * j).ravel(), (j * math.sqrt(3) / 2).ravel()], 1)
    else:
        v.fail("kind", kind, "'square' or 'triangular'")
    P = (P - P.mean(0)) * spacing
    r = np.linalg.norm(P, axis=1, keepdims=True)
    u = np.divide(P, r, out=np.zeros_like(P), where=r > 0)
    X = np.zeros((P.shape[0], d))
    X[:, :2] = np.sin(r) * u
    X[:, 2] = np.cos(r[:, 0])
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def grid_patch(shape, spacing: float, d: int | None = None) -> np.ndarray:
    """The points of a k-dimensional rectangular grid (sides ``shape``, given spacing) centred at
    the pole of S^{d-1}, d >= k + 1 (default k + 1), by the exponential map. shape = (2,) * k is
    a small hypercube: 8 points in S^3 already beat the closed form without the region."""
    d = None if d is None else v.positive_int("d", d)
    v.memory("d", d or 1, 8.0 * (d or 1) * 64)
    shape = tuple(v.positive_int("shape[i]", s) for s in shape)
    k = len(shape)
    if k < 1:
        v.fail("shape", shape, "at least one side")
    d = k + 1 if d is None else v.check_int_range("d", d, k + 1)
    spacing = v.positive("spacing", spacing)
    if spacing * max(shape) * math.sqrt(k) > 1.0:
        v.fail("spacing", spacing, f"spacing * max(shape) * sqrt(k) <= 1 (a small patch), shape={shape}")
    axes = [np.arange(m, dtype=float) - (m - 1) / 2 for m in shape]
    P = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, k) * spacing
    r = np.linalg.norm(P, axis=1, keepdims=True)
    u = np.divide(P, r, out=np.zeros_like(P), where=r > 0)
    X = np.zeros((P.shape[0], d))
    X[:, :k] = np.sin(r) * u
    X[:, k] = np.cos(r[:, 0])
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def arc(n: int, spacing: float, d: int = 2) -> np.ndarray:
    """n equally spaced points (angle ``spacing``) on a great circle of S^{d-1}."""
    d = v.positive_int("d", d)
    v.memory("d", d, 8.0 * d * 64)
    n, d = v.positive_int("n", n), v.check_int_range("d", d, 2)
    spacing = v.positive("spacing", spacing)
    if spacing * (n - 1) >= math.pi:
        v.fail("spacing", spacing, f"spacing * (n - 1) < pi (n = {n})")
    a = np.arange(n) * spacing
    X = np.zeros((n, d))
    X[:, 0], X[:, 1] = np.cos(a), np.sin(a)
    return X


@dataclass(frozen=True)
class ConjectureResult:
    """Smallest ratio found and its data set (a report, not a verdict)."""

    ratio: float
    X: np.ndarray
    B: float
    separation: float
    lambda_min: float
    lambda_R: float
    closed_form: float
    origin: str  # where the starting point came from
    evaluations: int
    search_ratio: float  # best ratio of the random phase, before the local optimizer
    history: list = field(default_factory=list)

    @property
    def refutes(self) -> bool:
        return self.ratio < 1.0

    def describe(self) -> str:
        n, d = self.X.shape
        G = np.clip(self.X @ self.X.T, -1, 1)
        off = G[~np.eye(n, dtype=bool)]
        return (f"ratio {self.ratio:.6g} at n={n}, d={d}, B={self.B:.6g}, separation={self.separation:.6g}: "
                f"lambda_min(H_inf)={self.lambda_min:.6g}, lambda_R(H_inf)={self.lambda_R:.6g}, "
                f"closed form={self.closed_form:.6g}; rho range [{off.min():.4f}, {off.max():.4f}] "
                f"(start: {self.origin}; {self.evaluations} evaluations; "
                f"random phase best {self.search_ratio:.6g})")


def conjecture_ratio(X, B: float, min_separation: float = 1e-3) -> float:
    """lambda_min(H_inf) / closed form; +inf when the separation is below ``min_separation``."""
    X = v.unit_rows("X", X)
    min_separation = v.nonneg("min_separation", min_separation)
    d = re_.separation(X)
    if d < min_separation:
        return math.inf
    c = re_.closed_form_bound(d, B)
    if c <= 0 and v.bias(B) > 0:  # the closed form underflows: no ratio to report
        v.fail("B", B, "closed_form_bound(separation, B) > 0 in float (it underflows for this B)")
    if c <= 0:
        return math.inf
    return re_.lambda_min_h_inf(X, B) / c


def _candidate(kind: str, n: int, d: int, rng: np.random.Generator, n_max: int):
    """One data set of the search: a data family (:func:`montecarlo.sim.data.dataset`), free
    points (normalized Gaussian rows), or a structured patch (lattice, grid, arc); None when
    the drawn shape does not fit n_max."""
    if kind in ("patch_square", "patch_triangular"):
        k1, k2 = int(rng.integers(1, 5)), int(rng.integers(2, 5))
        if k1 * k2 > n_max:
            return None
        return lattice_patch(k1, k2, float(rng.uniform(1e-3, 0.2)), max(3, d), kind.split("_")[1])
    if kind == "grid":
        shape = tuple(int(s) for s in rng.integers(2, 4, size=int(rng.integers(1, 7))))
        if math.prod(shape) > n_max:
            return None
        return grid_patch(shape, float(rng.uniform(1e-3, 0.05)))
    if kind == "arc":
        return arc(n, float(rng.uniform(1e-3, min(0.2, 3.0 / max(n - 1, 1)))), max(d, 2))
    if kind == "free":
        Y = rng.standard_normal((n, d))
        return Y / np.linalg.norm(Y, axis=1, keepdims=True)
    return dataset(kind, n, d, rng)


KNOWN = (  # the structured candidates found so far start the search (the counterexamples of the report's conjecture section)
    ("grid", lambda: grid_patch((2, 2, 2, 2), 0.01), 0.0),
    ("patch_square", lambda: lattice_patch(4, 4, 0.01, 3, "square"), 0.0),
    ("grid", lambda: grid_patch((2, 2, 2), 0.01), 1.0),
)


def _random_phase(seed: int, examples: int, n_range, d_range, B_max: float, families,
                  min_separation: float) -> list[tuple[float, np.ndarray, float, str]]:
    """The known candidates, then ``examples`` seeded random draws over data families, free
    points and structured patches, n in n_range, d in d_range, B uniform on [0, B_max];
    every finite ratio found, smallest first."""
    rng = seeding.spawn(seed, "conjecture/draws")
    kinds = tuple(families) + ("free",) + STRUCTURED
    found: list[tuple[float, np.ndarray, float, str]] = []

    def keep(X, B, origin):
        r = conjecture_ratio(X, B, min_separation)
        if math.isfinite(r):
            found.append((r, X, B, origin))

    for kind, make, B in KNOWN:
        keep(make(), B, f"known/{kind}")
    for _ in range(examples):
        kind = kinds[int(rng.integers(len(kinds)))]
        n, d = int(rng.integers(n_range[0], n_range[1] + 1)), int(rng.integers(d_range[0], d_range[1] + 1))
        B = float(rng.uniform(0.0, B_max))
        X = _candidate(kind, n, d, rng, n_range[1])
        if X is not None and X.shape[0] >= 2:
            keep(X, B, f"random/{kind}")
    found.sort(key=lambda t: t[0])
    return found


def _local(X0, B0, B_max, iters, min_separation, rng):
    """Powell over the free coordinates of X (rows normalized onto the sphere) and a logistic
    reparametrization of B in (0, B_max), from X0 jittered by 1e-9 (``iters`` >= 1
    evaluations: scipy raises its own error for 0)."""
    from scipy import optimize

    n, d = X0.shape
    count = [0]

    def unpack(z):
        Y = z[:-1].reshape(n, d)
        nrm = np.linalg.norm(Y, axis=1, keepdims=True)
        B = B_max / (1.0 + math.exp(-float(np.clip(z[-1], -50, 50))))
        return Y / np.maximum(nrm, 1e-300), B, nrm

    def obj(z):
        count[0] += 1
        X, B, nrm = unpack(z)
        if np.any(nrm < 1e-8):
            return 50.0
        r = conjecture_ratio(X, B, min_separation)
        return math.log(r) if math.isfinite(r) else 50.0

    pB = min(max(B0, 1e-6), B_max * (1 - 1e-6)) / B_max
    z0 = np.concatenate([(X0 + 1e-9 * rng.standard_normal(X0.shape)).ravel(), [math.log(pB / (1 - pB))]])
    res = optimize.minimize(obj, z0, method="Powell", options={"maxfev": iters, "xtol": 1e-6, "ftol": 1e-10})
    X, B, _ = unpack(res.x)
    return X, B, count[0]


def search_unrestricted_conjecture(seed: int = 0, examples: int = 300, n_range=(2, 16), d_range=(2, 4),
                                   B_max: float = 6.0, families=FAMILIES, local_starts: int = 4,
                                   local_iters: int = 3000, min_separation: float = 1e-3) -> ConjectureResult:
    """Smallest lambda_min(H_inf) / closed form found (seeded random phase + Powell from the
    best ``local_starts`` distinct starting points). Deterministic given ``seed``; needs only
    numpy and scipy."""
    seed = seeding.check_seed(seed)
    examples = v.positive_int("examples", examples)
    local_starts = v.nonneg_int("local_starts", local_starts)
    local_iters = v.positive_int("local_iters", local_iters)
    B_max = v.positive("B_max", B_max)
    lo_n, hi_n = v.int_pair("n_range", n_range, 2)
    lo_d, hi_d = v.int_pair("d_range", d_range, 2)
    if isinstance(families, str) or not isinstance(families, (tuple, list)) or not families:
        v.fail("families", families, f"a non-empty sequence of names from {FAMILIES + ('free',)}")
    for f in families:
        v.choice("families", f, FAMILIES + ("free",))
    min_separation = v.positive("min_separation", min_separation)
    found = _random_phase(seed, examples, (lo_n, hi_n), (lo_d, hi_d), B_max, families, min_separation)
    if not found:
        v.fail("examples", examples, "enough examples to find a data set with separation >= min_separation")
    evals = len(found)
    search_best = found[0][0]
    best = found[0]
    history = [("random", search_best)]
    starts, seen = [], set()
    for r, X, B, origin in found:
        key = (X.shape, round(r, 6))
        if key not in seen:
            seen.add(key)
            starts.append((r, X, B, origin))
        if len(starts) >= local_starts:
            break
    for k, (r, X, B, origin) in enumerate(starts):
        Xo, Bo, c = _local(X, B, B_max, local_iters, min_separation, seeding.spawn(seed, f"conjecture/local-{k}"))
        evals += c
        ro = conjecture_ratio(Xo, Bo, min_separation)
        history.append((f"local from {origin}", ro))
        if ro < best[0]:
            best = (ro, Xo, Bo, f"{origin} + Powell")
    r, X, B, origin = best
    d = re_.separation(X)
    return ConjectureResult(float(r), X, float(B), d, re_.lambda_min_h_inf(X, B), re_.lambda_R_h_inf(X, B),
                            re_.closed_form_bound(d, B), origin, evals, float(search_best), history)
