"""The chain of Theorem 3.12 = Theorem B.1 (FORMULAS.md section 4), link by link:

1. lambda_R(H_inf) >= lambda_R(P)            (H_inf - P = (X X^T) o P is PSD, Schur)
2. lambda_R(P) >= p0 - p_min                 (definition of R)
3. p_min <= p(1 - delta^2/2, B)              (p increases with rho, |rho_ij| <= 1 - delta^2/2)
4. p0 - p(1 - delta^2/2, B) = 2 T(B, delta/sqrt(4 - delta^2))
5. 2 T(B, delta/sqrt(4 - delta^2)) >= (1/pi) arcsin(delta/2) exp(-2 B^2/(4 - delta^2))

A :class:`Link` is data only (``left relation right`` with the round-off ``allowance`` the
comparison may use); the verdict belongs to ``montecarlo.registry.check`` (the registered
claims of ``montecarlo/claims/restricted_eigenvalue.py``), never to this module.
:func:`chain` builds every link by calling the link functions on one shared set of
ingredients (one pair matrix, two solves).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .. import validate as v
from ..ntk import _pair_matrix, _rho
from .formulas import closed_form_bound, p0_relaxation, sharper_bound, split_probability_at_separation
from .region import (REGION_RTOL, _p_min_from, _region_from, check_separation, difference_separation, h_inf_from_pairs,
                     p0, separation)
from .solver import RestrictedEigenvalue, restricted_eigenvalue

__all__ = [
    "Link",
    "Ingredients",
    "link1_psd",
    "link2_region",
    "link3_separation",
    "link3_difference",
    "link4_owens_t",
    "link5_arcsin",
    "link_p0_relaxation",
    "Chain",
    "chain",
]

_EPS = np.finfo(float).eps


@dataclass(frozen=True)
class Link:
    """One checkable statement ``left <relation> right``; ``allowance`` is the round-off
    (and region-tolerance) margin the comparison may use: as a measurement, the limits are
    ``left -/+ allowance``."""

    name: str
    left: float
    relation: str
    right: float
    allowance: float = 0.0


class Ingredients:
    """The quantities of Theorem B.1 for data X at bias B, each computed once on first use:
    P and p(1 - delta^2/2, B) in one vectorized call (so links 2-3 compare values of one
    quadrature or interpolant), the region, H_inf and the two restricted solves."""

    def __init__(self, X, B: float):
        self.X = v.unit_rows("X", X)
        self.B = v.bias(B)
        self.n = self.X.shape[0]
        # dense eigen-solves of n x n matrices (P, H, the restricted forms): O(n^3) work and
        # ~10 matrices, checked before anything is built (n = 20000 ran for minutes)
        v.memory("X", self.X, 80.0 * self.n**2)
        v.work("X", self.X, 20.0 * float(self.n) ** 3, what="element-operations of dense eigen-solves")
        self.p0 = p0(self.B)

    @cached_property
    def separation(self) -> float:
        return separation(self.X)

    @cached_property
    def _pairs(self) -> tuple[np.ndarray, float]:
        d = self.separation
        P, extra = _pair_matrix(_rho(self.X), self.B, [1.0 - d * d / 2.0])
        return P, float(extra[0])

    @property
    def P(self) -> np.ndarray:
        return self._pairs[0]

    @property
    def p_separation(self) -> float:
        return self._pairs[1]

    @cached_property
    def p_min(self) -> float:
        return _p_min_from(self.P, self.B)

    @cached_property
    def Qm(self) -> np.ndarray:
        return _region_from(self.P, self.p0, REGION_RTOL)

    @cached_property
    def H(self) -> np.ndarray:
        return h_inf_from_pairs(self.X, self.P)

    @cached_property
    def lambda_R_H(self) -> RestrictedEigenvalue:
        return restricted_eigenvalue(self.H, self.Qm)

    @cached_property
    def lambda_R_P(self) -> RestrictedEigenvalue:
        return restricted_eigenvalue(self.P, self.Qm)

    @property
    def region_allowance(self) -> float:
        return region_allowance(self.n, self.p0)


def region_allowance(n: int, p0_: float) -> float:
    """Zeroing |Qm_ij| <= rtol p0 moves a^T Qm a by at most (n - 1) rtol p0 for unit a."""
    n, p0_ = v.positive_int("n", n), v.nonneg("p0_", p0_)
    if p0_ > 0.5:
        v.fail("p0_", p0_, "p0_ = Q(B) <= 1/2")
    return (n - 1) * REGION_RTOL * p0_


def _ingredients(X, B: float, ing: Ingredients | None) -> Ingredients:
    if ing is not None and not isinstance(ing, Ingredients):
        v.fail("ing", ing, "an Ingredients(X, B) or None")
    return ing if ing is not None else Ingredients(X, B)


def link1_psd(X, B: float, ing: Ingredients | None = None) -> Link:
    """Link 1: lambda_R(H_inf) >= lambda_R(P), since H_inf - P = (X X^T) o P is PSD (Schur)."""
    g = _ingredients(X, B, ing)
    rh, rp = g.lambda_R_H, g.lambda_R_P
    return Link("link1", rh.value, ">=", rp.value, rh.error + rp.error)


def link2_region(X, B: float, ing: Ingredients | None = None) -> Link:
    """Link 2: lambda_R(P) >= p0 - p_min, from the definition of R."""
    g = _ingredients(X, B, ing)
    rp = g.lambda_R_P
    return Link("link2", rp.value, ">=", g.p0 - g.p_min, rp.error + g.region_allowance + 1e-15 * g.p0)


def link3_separation(X, B: float, ing: Ingredients | None = None) -> Link:
    """Link 3: p_min <= p(1 - delta^2/2, B), since p(rho, B) increases with rho."""
    g = _ingredients(X, B, ing)
    ps = g.p_separation
    return Link("link3", g.p_min, "<=", ps, _link3_allowance(g.separation, g.B, ps))


def link3_difference(X, B: float, ing: Ingredients | None = None) -> Link:
    """Link 3 with the difference-only separation delta_- = min_{i != j} ||x_i - x_j|| (the
    statement stronger than the paper's, FORMULAS.md section 4): p_min = p(rho_min, B) <=
    p(rho_max, B) = p(1 - delta_-^2/2, B), since p increases with rho. Equality when all
    correlations are equal (n = 2 for example). P and p(1 - delta_-^2/2, B) come from one
    vectorized call, as in :func:`link3_separation`."""
    g = _ingredients(X, B, ing)
    d = difference_separation(g.X)
    P, extra = _pair_matrix(_rho(g.X), g.B, [max(-1.0, 1.0 - d * d / 2.0)])
    ps = float(extra[0])
    return Link("link3_difference", _p_min_from(P, g.B), "<=", ps, _link3_allowance(d, g.B, ps))


def _link3_allowance(d: float, B: float, ps: float) -> float:
    """rho_ij (a dot product) and 1 - delta^2/2 (from ||x_i -/+ x_j||) agree to ~4 eps; p moves by
    dp/drho = exp(-B^2/(1+rho)) / (2 pi sqrt(1 - rho^2)) per unit rho, plus 1e-12 relative of
    ps = p(1 - delta^2/2, B)."""
    rho = 1.0 - d * d / 2.0
    s = math.sqrt(max(0.0, (1.0 - rho) * (1.0 + rho)))
    if s == 0:
        return 1e-12 * ps
    return 1e-12 * ps + 8 * _EPS * math.exp(-B * B / (1.0 + rho)) / (2 * math.pi * s)


def link4_owens_t(separation_: float, B: float) -> Link:
    """Link 4: p0 - p(1 - delta^2/2, B) = 2 T(B, delta / sqrt(4 - delta^2)) (left by the wedge
    quadrature :func:`split_probability`, right by scipy's Owen's T)."""
    d = check_separation(separation_)
    left = split_probability_at_separation(d, B)
    right = sharper_bound(d, B)
    return Link("link4", left, "==", right, 1e-12 * max(abs(right), 1e-300))


def link5_arcsin(separation_: float, B: float) -> Link:
    """Link 5: 2 T(B, delta/sqrt(4 - delta^2)) >= (1/pi) arcsin(delta/2) exp(-2B^2/(4 - delta^2))
    (T(h, a) >= exp(-h^2 (1 + a^2)/2) arctan(a) / (2 pi); equality at B = 0)."""
    left, right = sharper_bound(separation_, B), closed_form_bound(separation_, B)
    return Link("link5", left, ">=", right, 1e-13 * right + 1e-300)  # ties as delta -> 0


def link_p0_relaxation(B: float) -> Link:
    """p0 = Q(B) >= max(1/2 - B/sqrt(2 pi), phi(B)(1/B - 1/B^3)) (the paper's relaxation)."""
    r = p0_relaxation(B)
    return Link("p0_relaxation", p0(B), ">=", r, 1e-15 * abs(r))


@dataclass(frozen=True)
class Chain:
    """All quantities of Theorem B.1 for one data set (for the report and the claims)."""

    n: int
    B: float
    separation: float
    p0: float
    p_min: float
    p_separation: float
    lambda_min_H: float
    lambda_R_H: RestrictedEigenvalue
    lambda_R_P: RestrictedEigenvalue
    lambda_min_P: float
    sharper: float
    closed_form: float
    links: tuple[Link, ...]

    @property
    def region_allowance(self) -> float:
        return region_allowance(self.n, self.p0)


def chain(X, B: float) -> Chain:
    """Every link and bound of Theorem B.1 for data X at bias B (one pair matrix, two solves)."""
    g = Ingredients(X, B)
    d = g.separation
    links = (link1_psd(g.X, g.B, g), link2_region(g.X, g.B, g), link3_separation(g.X, g.B, g),
             link4_owens_t(d, g.B), link5_arcsin(d, g.B), link_p0_relaxation(g.B))
    return Chain(g.n, g.B, d, g.p0, g.p_min, g.p_separation, float(np.linalg.eigvalsh(g.H)[0]),
                 g.lambda_R_H, g.lambda_R_P, float(np.linalg.eigvalsh(g.P)[0]),
                 sharper_bound(d, g.B), closed_form_bound(d, g.B), links)
