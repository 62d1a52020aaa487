"""Data-set families on the unit sphere and label patterns, all derived from a seed.

Families (each returns X of shape (n, d) with unit rows):
- ``random``: independent uniform directions;
- ``orthonormal``: n orthonormal rows (needs n <= d);
- ``clusters``: a few centres, points within angle ``spread`` of their centre
  (nearly parallel points);
- ``antipodal``: pairs x, -x + small noise (nearly antipodal pairs);
- ``circle``: points on one great circle (needs d >= 2).
Label patterns: ``random`` (uniform on [-1, 1]), ``signs`` (random +-1), ``ones``
(all +1), ``alternating`` (+1, -1, ...).

:func:`problem` is the one builder of a claim's (X, y) from (family, labels, n, d, seed):
the data take the seed's own stream (``seeding.rng(seed)``, so a data seed means the same
data set everywhere, :func:`make_data` included) and the labels the named sub-stream
``spawn(seed, "labels")``; anything else drawn from the same seed (initial weights, sign
vectors) takes its own named sub-stream, see :mod:`montecarlo.sim.seeding`.
"""

from __future__ import annotations

import numpy as np

from bounds import validate as v
from .seeding import check_seed, rng as _make_rng, spawn

__all__ = ["FAMILIES", "LABELS", "make_data", "make_labels", "dataset", "problem"]

FAMILIES = ("random", "orthonormal", "clusters", "antipodal", "circle")
LABELS = ("random", "signs", "ones", "alternating")


def _normalize(A: np.ndarray) -> np.ndarray:
    return A / np.linalg.norm(A, axis=1, keepdims=True)


def admissible_d(family: str, n: int, d: int) -> int:
    """The smallest dimension >= d in which ``family`` is defined for n points: orthonormal
    sets need d >= n, points on a great circle d >= 2 (parameter domains raise d with this)."""
    assert family in FAMILIES and n >= 1 and d >= 1, (family, n, d)  # a domain's derive; make_data validates
    if family == "orthonormal":
        return max(d, n)
    if family == "circle":
        return max(d, 2)
    return d


def make_data(family: str, n: int, d: int, seed, spread: float = 0.05) -> np.ndarray:
    """A data set of the named family (see module docstring); ``seed`` as in
    :func:`montecarlo.sim.seeding.rng` (an int, a SeedSequence or a Generator)."""
    n, d = v.positive_int("n", n), v.positive_int("d", d)
    v.memory("n" if n >= d else "d", max(n, d), 8.0 * n * max(d, n))  # orthonormal: an n x d QR
    spread = v.nonneg("spread", spread)
    rng = _make_rng(seed)
    if family == "random":
        return _normalize(rng.standard_normal((n, d)))
    if family == "orthonormal":
        if n > d:
            v.fail("n", n, f"n <= d = {d} for an orthonormal set")
        q, _ = np.linalg.qr(rng.standard_normal((d, n)))
        return q.T.copy()
    if family == "clusters":
        k = max(1, int(np.ceil(np.sqrt(n))))
        centres = _normalize(rng.standard_normal((k, d)))
        pts = centres[np.arange(n) % k] + spread * rng.standard_normal((n, d)) / np.sqrt(d)
        return _normalize(pts)
    if family == "antipodal":
        half = _normalize(rng.standard_normal(((n + 1) // 2, d)))
        pts = np.concatenate([half, -half])[:n]
        return _normalize(pts + spread * rng.standard_normal((n, d)) / np.sqrt(d))
    if family == "circle":
        if d < 2:
            v.fail("d", d, "d >= 2 for points on a great circle")
        q, _ = np.linalg.qr(rng.standard_normal((d, 2)))
        ang = rng.uniform(0, 2 * np.pi, n)
        return np.cos(ang)[:, None] * q[:, 0] + np.sin(ang)[:, None] * q[:, 1]
    v.fail("family", family, f"one of {FAMILIES}")
    raise AssertionError  # unreachable


def make_labels(pattern: str, n: int, seed) -> np.ndarray:
    """Labels y with |y_i| <= 1 of the named pattern (``seed`` as in :func:`make_data`)."""
    n = v.positive_int("n", n)
    v.memory("n", n, 8.0 * n)
    rng = _make_rng(seed)
    if pattern == "random":
        return rng.uniform(-1.0, 1.0, n)
    if pattern == "signs":
        return rng.choice(np.array([-1.0, 1.0]), n)
    if pattern == "ones":
        return np.ones(n)
    if pattern == "alternating":
        return np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    v.fail("pattern", pattern, f"one of {LABELS}")
    raise AssertionError  # unreachable


def dataset(family: str, n: int, d: int, seed, spread: float = 0.05) -> np.ndarray:
    """The data X of a claim's parameters: :func:`make_data` in dimension
    :func:`admissible_d` (family, n, d) (so orthonormal sets and circles are always defined)."""
    n, d = v.positive_int("n", n), v.positive_int("d", d)
    family = v.choice("family", family, FAMILIES)
    return make_data(family, n, admissible_d(family, n, d), seed, spread)


def problem(n: int, d: int, family: str, labels: str, seed: int,
            spread: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of a claim's parameters: ``family`` data in dimension
    :func:`admissible_d` (family, n, d) from ``rng(seed)``, ``labels`` pattern from
    ``spawn(seed, "labels")`` (independent of the data, so the labels of a seed do not depend
    on the family or on d)."""
    seed = check_seed(seed)
    labels = v.choice("labels", labels, LABELS)
    return dataset(family, n, d, seed, spread), make_labels(labels, n, spawn(seed, "labels"))
