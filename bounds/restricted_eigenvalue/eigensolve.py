"""The eigen-solves of the lambda_R dual ascent (``solver``): the bottom two eigenpairs of
Mn - mu Qn, batched dense for stacks of small problems, shift-invert Lanczos for one large one.
Both return (g (k,), bottom two eigenvectors (k, n, 2)) for (mu (k,), idx (k,)).
"""

from __future__ import annotations

import numpy as np
from scipy import linalg as sla
from scipy.sparse import linalg as spla

__all__: list[str] = []  # internal to ``solver`` (same package); not a public interface

_EPS = np.finfo(float).eps
LANCZOS_RESTARTS = 30  # implicit restarts of a Lanczos solve before it (and the rest) are done densely


def _dense_solver(Mn: np.ndarray, Qn: np.ndarray):
    """Batched dense solve: (mu (k,), idx (k,)) -> g (k,), bottom two eigenvectors (k, n, 2)."""

    def solve(mu, idx):
        w, U = np.linalg.eigh(Mn[idx] - mu[:, None, None] * Qn[idx])
        return w[:, 0], U[:, :, :2]

    return solve


class _LanczosSolver:
    """Bottom two eigenpairs of one large Mn - mu Qn: dense ``eigh`` on a subset while no shift is
    known, then shift-invert Lanczos on a Cholesky factor (Level-3 factorization, then O(n^2)
    triangular solves), warm-started. The driver sets ``lower`` (a certified lower bound on g(mu),
    or None) and ``guess`` (an upper estimate of g(mu), or None) before each solve."""

    def __init__(self, Mn: np.ndarray, Qn: np.ndarray):
        self.Mn, self.Qn = Mn, Qn
        self.v0: np.ndarray | None = None
        self.lower: float | None = None
        self.guess: float | None = None
        self.residual = 0.0
        self.factorizations = 0
        self.fallbacks = 0  # Lanczos solves that did not converge and were done densely
        # a fixed direction mixed into every warm start: a start inside an invariant subspace
        # (decoupled blocks of M and Qm) would keep Lanczos from the bottom pair of another block
        mix = np.random.default_rng(20230100327).standard_normal(Mn.shape[0])
        self.mix = mix / np.linalg.norm(mix)

    def _factor(self, A: np.ndarray, s: float, step: float):
        """(s, factor) for the first s, stepping down by growing steps, where A - s I factors."""
        for _ in range(60):
            cf = self.try_factor(A, s)
            if cf is not None:
                return s, cf
            s -= step
            step *= 4.0
        raise RuntimeError("no Cholesky shift below lambda_min found")

    def _dense(self, A: np.ndarray):
        """The bottom pair by a dense solve (before a shift is known, or when Lanczos stalls)."""
        w, V = sla.eigh(A, subset_by_index=[0, 1], driver="evx", check_finite=False)
        self.v0 = V[:, 0]
        return np.array([w[0]]), V[None]

    def try_factor(self, A: np.ndarray, s: float):
        """The Cholesky factor of A - s I, or None when s is not below lambda_min(A)."""
        self.factorizations += 1
        try:
            return sla.cho_factor(A - s * np.eye(A.shape[0]), lower=True, check_finite=False)
        except np.linalg.LinAlgError:
            return None

    def solve(self, mu, idx):
        A = self.Mn - float(mu[0]) * self.Qn
        n = A.shape[0]
        if self.lower is None or self.fallbacks:  # no certified shift yet, or Lanczos stalled once
            return self._dense(A)
        lower = self.lower
        cf = None
        if self.guess is not None and self.guess > lower:
            # just below the projected value (>= g): a shift within a small fraction of the
            # eigenvalue gap makes Lanczos converge in a few steps; further down if that fails
            for f in (1e-3, 1e-1):
                s = self.guess - max(f * (self.guess - lower), 16 * n * _EPS * (1.0 + abs(self.guess)))
                cf = self.try_factor(A, s)
                if cf is not None:
                    break
        if cf is None:
            s, cf = self._factor(A, lower, 1e-2 * (1.0 + abs(lower)))
        L = cf[0]

        def inv(x):  # (L L^T)^{-1} x by two triangular solves (cho_solve copies; twice as slow)
            y = sla.solve_triangular(L, x, lower=True, check_finite=False)
            return sla.solve_triangular(L, y, lower=True, trans="T", check_finite=False)

        op = spla.LinearOperator((n, n), matvec=inv, dtype=float)
        v0 = None if self.v0 is None else self.v0 + 0.1 * self.mix
        try:
            theta, V = spla.eigsh(op, k=2, which="LA", v0=v0, tol=1e-14, ncv=min(n, 32), maxiter=LANCZOS_RESTARTS)
        except spla.ArpackNoConvergence:  # a tight cluster at the bottom (near-duplicate data)
            self.fallbacks += 1
            return self._dense(A)
        V = V[:, np.argsort(-theta)]
        AV = A @ V
        rq = np.einsum("ij,ij->j", V, AV)
        order = np.argsort(rq)
        V, rq, AV = V[:, order], rq[order], AV[:, order]
        self.residual = max(self.residual, float(np.linalg.norm(AV[:, 0] - rq[0] * V[:, 0])))
        self.v0 = V[:, 0]
        return np.array([min(rq[0], s + 1.0 / theta.max())]), V[None]
