"""Real data sets that a package ships: scikit-learn's classic sets, no download at run time.

``load_digits`` (1797 x 64), ``load_iris`` (150 x 4), ``load_wine`` (178 x 13) and
``load_breast_cancer`` (569 x 30) are read from the files inside scikit-learn (the optional
extra ``[data]``), then prepared as the paper's setting requires (FORMULAS.md section 0: unit
inputs, labels bounded by 1):

- features standardized (mean 0, standard deviation 1 per feature; constant features, such as
  the blank border pixels of ``digits``, stay 0), then each row projected onto the unit sphere;
- exact duplicate rows after that projection removed by default (``dedupe=True``): with a
  duplicate the separation delta of Theorem 3.12 is 0 and H_inf is singular (``iris`` has
  them); the count removed is returned;
- labels mapped affinely onto [-1, 1]: classes 0, ..., K-1 to -1 + 2k/(K-1) (binary sets: +-1);
- a seeded subset of n rows (sorted indices; drawn from ``seeding.spawn(seed, "subset")``), or
  every row when n is None or at least the set's size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bounds import validate as v

from .seeding import check_seed, spawn

__all__ = ["DATASETS", "RealData", "load"]

DATASETS = ("iris", "wine", "breast_cancer", "digits")


@dataclass(frozen=True)
class RealData:
    """A prepared real data set: unit rows X (n, d), labels y in [-1, 1], provenance."""

    name: str
    X: np.ndarray
    y: np.ndarray
    size: int  # rows in the shipped set
    duplicates_removed: int
    indices: np.ndarray  # rows of the shipped set used, in order

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def d(self) -> int:
        return self.X.shape[1]


def _raw(name: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn import datasets as skd
    except ImportError as exc:  # the optional extra
        raise ImportError("montecarlo.sim.datasets needs scikit-learn: pip install 'sparse-ntk-bounds[data]'") from exc
    loader = {"iris": skd.load_iris, "wine": skd.load_wine, "breast_cancer": skd.load_breast_cancer,
              "digits": skd.load_digits}[name]
    bunch = loader()
    return np.asarray(bunch.data, dtype=float), np.asarray(bunch.target)


def _prepare(A: np.ndarray) -> np.ndarray:
    """Standardize each feature, then project each row onto the unit sphere."""
    mu = A.mean(axis=0)
    sd = A.std(axis=0)
    Z = (A - mu) / np.where(sd > 0, sd, 1.0)
    norms = np.linalg.norm(Z, axis=1, keepdims=True)
    if np.any(norms == 0):  # a row at the mean of every feature has no direction
        v.fail("data row norm", 0.0, "> 0 after standardization")
    return Z / norms


def _labels(t: np.ndarray) -> np.ndarray:
    classes = np.unique(t)
    k = np.searchsorted(classes, t).astype(float)
    return -1.0 + 2.0 * k / max(len(classes) - 1, 1)


def load(name: str, n: int | None = None, seed: int = 0, dedupe: bool = True) -> RealData:
    """The prepared data set ``name`` (one of :data:`DATASETS`), a seeded subset of n rows."""
    v.choice("name", name, DATASETS)
    dedupe = v.boolean("dedupe", dedupe)
    seed = check_seed(seed)
    A, t = _raw(name)
    X = _prepare(A)
    y = _labels(t)
    keep = np.arange(X.shape[0])
    removed = 0
    if dedupe:
        _, first = np.unique(X, axis=0, return_index=True)
        keep = np.sort(first)
        removed = X.shape[0] - keep.size
    if n is not None:
        n = v.positive_int("n", n)
        if n < keep.size:
            keep = np.sort(spawn(seed, "subset").choice(keep, size=n, replace=False))
    return RealData(name, X[keep], y[keep], A.shape[0], int(removed), keep)
