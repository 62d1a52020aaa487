"""Activation flip probability: Lemma 3.3 (= Lemma A.4) and Corollary A.4.1.

BOUNDS.md section 1. A neuron (w~, B) flips on x_i under some perturbation of size R of
(w, b) iff -2R <= <w~, x_i> - B < 2R, so p_flip(B, R) = Q(B - 2R) - Q(B + 2R), whatever d and x_i.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
from scipy import stats

from . import _validate as v
from .ntk import Q_mp, logQ

__all__ = [
    "C_PAPER",
    "C_TIGHT",
    "exact",
    "log_exact",
    "exact_mp",
    "lemma_bound",
    "lemma_bound_mp",
    "tight_bound",
    "prior_bound",
    "prior_bound_mp",
    "flip_q",
    "corollary_tail",
    "corollary_tail_mp",
    "corollary_union_tail",
    "binomial_tail",
    "ratio_to_rate",
]

C_PAPER = 4 * math.e**2 / math.sqrt(2 * math.pi)  # ~ 11.79, the explicit constant of Lemma A.4
C_TIGHT = (math.e**2 - math.e**-2) / math.sqrt(2 * math.pi)  # ~ 2.894, sup of p / (R e^{-B^2/2})
_GL_X, _GL_W = np.polynomial.legendre.leggauss(32)


def _BR(B, R, require_R_le_inv_B: bool) -> tuple[float, float]:
    B = v.bias(B)
    return B, v.radius(B, R, require_R_le_inv_B=require_R_le_inv_B)


def log_exact(B: float, R: float) -> float:
    """log p_flip(B, R), finite far beyond the underflow of p itself.

    For 4R <= 1: log phi(B) + log int_{-2R}^{2R} exp(-s B - s^2/2) ds by 32-point
    Gauss-Legendre (smooth integrand, varying by at most e^{2BR + 2R^2}); otherwise the
    stable tail form logQ(B - 2R) + log(-expm1(logQ(B + 2R) - logQ(B - 2R))), whose
    log-difference is then not small.
    """
    B, R = _BR(B, R, False)
    if 4 * R <= 1:
        s = 2 * R * _GL_X
        e = -s * B - 0.5 * s * s
        top = float(e.max())
        return (math.log(2 * R * float(_GL_W @ np.exp(e - top))) + top
                - 0.5 * B * B - 0.5 * math.log(2 * math.pi))
    lo, hi = float(logQ(B - 2 * R)), float(logQ(B + 2 * R))
    return lo + math.log(-math.expm1(hi - lo))


def exact(B: float, R: float) -> float:
    """p_flip(B, R) = Q(B - 2R) - Q(B + 2R), computed without cancellation (see
    :func:`log_exact`). Any R > 0: the identity needs no R <= 1/B."""
    return math.exp(log_exact(B, R))


def exact_mp(B: float, R: float, dps: int = 50):
    """mpmath twin of :func:`exact`."""
    B, R = _BR(B, R, False)
    with mp.workdps(dps):
        return Q_mp(mp.mpf(B) - 2 * mp.mpf(R), dps) - Q_mp(mp.mpf(B) + 2 * mp.mpf(R), dps)


def lemma_bound(B: float, R: float, c: float = C_PAPER) -> float:
    """Lemma A.4: p_flip <= c R exp(-B^2/2), for 0 < R <= 1/B (any R > 0 when B = 0)."""
    B, R = _BR(B, R, True)
    return v.positive("c", c) * R * math.exp(-B * B / 2)


def lemma_bound_mp(B: float, R: float, dps: int = 50):
    """mpmath twin of :func:`lemma_bound` with c = 4 e^2 / sqrt(2 pi)."""
    B, R = _BR(B, R, True)
    with mp.workdps(dps):
        c = 4 * mp.e**2 / mp.sqrt(2 * mp.pi)
        return c * mp.mpf(R) * mp.exp(-mp.mpf(B) ** 2 / 2)


def tight_bound(B: float, R: float) -> float:
    """The same bound with the tight constant (e^2 - e^{-2}) / sqrt(2 pi)."""
    return lemma_bound(B, R, C_TIGHT)


def prior_bound(B: float, R: float) -> float:
    """Min-form of the prior analysis ([39, Claim C.11], Remark 3.4):
    min(4R / sqrt(2 pi), Q(B - 2R))."""
    B, R = _BR(B, R, False)
    return min(4 * R / math.sqrt(2 * math.pi), math.exp(float(logQ(B - 2 * R))))


def prior_bound_mp(B: float, R: float, dps: int = 50):
    B, R = _BR(B, R, False)
    with mp.workdps(dps):
        return min(4 * mp.mpf(R) / mp.sqrt(2 * mp.pi), Q_mp(mp.mpf(B) - 2 * mp.mpf(R), dps))


def ratio_to_rate(B: float, R: float) -> float:
    """p_flip / (R exp(-B^2/2)), the quantity whose supremum is the tight constant."""
    B, R = _BR(B, R, False)
    return math.exp(log_exact(B, R) + B * B / 2) / R


def flip_q(B: float, R: float, c: float = C_PAPER) -> float:
    """q = c R exp(-B^2/2), the per-neuron flip rate used by Corollary A.4.1."""
    return lemma_bound(B, R, c)


def corollary_tail(m: int, B: float, R: float) -> float:
    """Corollary A.4.1 (Bernstein): P[|S_i| >= 2 m q] <= exp(-3 m q / 8), q = c R e^{-B^2/2}."""
    m = v.positive_int("m", m)
    return math.exp(-3 * m * flip_q(B, R) / 8)


def corollary_tail_mp(m: int, B: float, R: float, dps: int = 50):
    m = v.positive_int("m", m)
    with mp.workdps(dps):
        return mp.exp(-3 * m * lemma_bound_mp(B, R, dps) / 8)


def corollary_union_tail(n: int, m: int, B: float, R: float) -> float:
    """Over all n inputs: P[exists i: |S_i| >= 2 m q] <= n exp(-3 m q / 8) (capped at 1)."""
    n = v.positive_int("n", n)
    return min(1.0, n * corollary_tail(m, B, R))


def binomial_tail(m: int, B: float, R: float, symmetric: bool = False) -> float:
    """The exact P[|S_i| >= 2 m q] with |S_i| ~ Binomial(m, p_flip) (standard init) or
    2 Binomial(m/2, p_flip) (symmetric init), via the binomial survival function."""
    m = v.even_int("m", m) if symmetric else v.positive_int("m", m)
    p = exact(B, R)
    thr = 2 * m * flip_q(B, R)
    if symmetric:
        return float(stats.binom.sf(math.ceil(thr / 2) - 1, m // 2, p))
    return float(stats.binom.sf(math.ceil(thr) - 1, m, p))

