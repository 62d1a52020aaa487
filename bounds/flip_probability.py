"""Activation flip probability: Lemma 3.3 (= Lemma A.4) and Corollary A.4.1.

FORMULAS.md section 1. A neuron (w~, B) flips on x_i under some perturbation of size R of
(w, b) iff -2R <= <w~, x_i> - B < 2R, so p_flip(B, R) = Q(B - 2R) - Q(B + 2R), whatever d and x_i.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
from scipy import special, stats

from . import validate as v
from .ntk import Q_mp, logQ

__all__ = [
    "C_PAPER",
    "C_TIGHT",
    "exact",
    "log_exact",
    "exact_mp",
    "log_exact_mp",
    "lemma_bound",
    "lemma_bound_mp",
    "log_lemma_bound",
    "tight_bound",
    "log_tight_bound",
    "prior_bound",
    "log_prior_bound",
    "prior_bound_mp",
    "flip_q",
    "corollary_exponent",
    "corollary_tail",
    "corollary_tail_mp",
    "log_corollary_tail",
    "corollary_union_tail",
    "log_corollary_union_tail",
    "binomial_tail",
    "log_binomial_tail",
    "log_binomial_sf",
    "ratio_to_rate",
]

C_PAPER = 4 * math.e**2 / math.sqrt(2 * math.pi)  # ~ 11.79, the explicit constant of Lemma A.4
C_TIGHT = (math.e**2 - math.e**-2) / math.sqrt(2 * math.pi)  # ~ 2.894, sup of p / (R e^{-B^2/2})
_GL_X, _GL_W = np.polynomial.legendre.leggauss(32)
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_SQRT_HALF_PI = math.sqrt(math.pi / 2)
_INV_SQRT2 = 1 / math.sqrt(2)


def _BR(B, R, require_R_le_inv_B: bool) -> tuple[float, float]:
    B = v.bias(B)
    return B, v.radius(B, R, require_R_le_inv_B=require_R_le_inv_B)


def log_exact(B: float, R: float) -> float:
    """log p_flip(B, R), accurate to a few ulps of log p for every B >= 0 and R > 0, far
    beyond the underflow of p itself (checked against 60-digit mpmath for B up to 1e4).

    Three forms, each used where it has no cancellation:

    - 4R <= 1 and 4BR <= 1: log phi(B) + log int_{-2R}^{2R} exp(-s B - s^2/2) ds by 32-point
      Gauss-Legendre (the integrand varies by at most e^{1.125}: exact to double precision).
    - B - 2R >= -5: with a = B - 2R, b = B + 2R and Mills' ratio M(x) = Q(x)/phi(x)
      = sqrt(pi/2) erfcx(x/sqrt 2), p = phi(a) (M(a) - e^{-4BR} M(b)). M decreases, so the
      difference keeps at least 1 - e^{-4BR} of M(a) when 4BR > 1, and at least M(a) - M(b)
      when 4R > 1 (b - a = 4R > 1). The earlier form, Gauss-Legendre whenever 4R <= 1, lost
      accuracy as B R grew (integrand varying by e^{4BR}: log p off by 0.106 at B = 1000,
      R = 0.25).
    - otherwise (R > 2.5 + B/2, Q(a) > 1 - 3e-7): logQ(a) + log(-expm1(logQ(b) - logQ(a))),
      where logQ(b) - logQ(a) <= log Q(5) is far from 0.
    """
    B, R = _BR(B, R, False)
    if 4 * R <= 1 and 4 * B * R <= 1:
        s = 2 * R * _GL_X
        e = -s * B - 0.5 * s * s
        top = float(e.max())
        return (math.log(2 * R * float(_GL_W @ np.exp(e - top))) + top
                - 0.5 * B * B - _LOG_SQRT_2PI)
    a, b = B - 2 * R, B + 2 * R
    if a >= -5.0:
        Ma = _SQRT_HALF_PI * float(special.erfcx(a * _INV_SQRT2))
        Mb = _SQRT_HALF_PI * float(special.erfcx(b * _INV_SQRT2))
        return -0.5 * a * a - _LOG_SQRT_2PI + math.log(Ma - math.exp(-4 * B * R) * Mb)
    lo, hi = float(logQ(a)), float(logQ(b))
    return lo + math.log(-math.expm1(hi - lo))


def exact(B: float, R: float) -> float:
    """p_flip(B, R) = Q(B - 2R) - Q(B + 2R), computed without cancellation (see
    :func:`log_exact`). Any R > 0: the identity needs no R <= 1/B."""
    return math.exp(log_exact(B, R))


def exact_mp(B: float, R: float, dps: int = 50):
    """mpmath twin of :func:`exact`."""
    dps = v.dps(dps)
    B, R = _BR(B, R, False)
    with mp.workdps(dps):
        return Q_mp(mp.mpf(B) - 2 * mp.mpf(R), dps) - Q_mp(mp.mpf(B) + 2 * mp.mpf(R), dps)


def log_exact_mp(B: float, R: float, dps: int = 50):
    """mpmath twin of :func:`log_exact`: the log of the difference of tails, with the working
    precision raised by the digits the difference cancels (about -log10(4R(B + 1)))."""
    dps = v.dps(dps)
    B, R = _BR(B, R, False)
    extra = 10 + max(0, int(math.ceil(-math.log10(min(1.0, 4 * R * (B + 1))))))
    with mp.workdps(dps + extra):
        val = mp.log(Q_mp(mp.mpf(B) - 2 * mp.mpf(R), dps + extra) - Q_mp(mp.mpf(B) + 2 * mp.mpf(R), dps + extra))
    with mp.workdps(dps):
        return +val


def lemma_bound(B: float, R: float, c: float = C_PAPER) -> float:
    """Lemma A.4: p_flip <= c R exp(-B^2/2), for 0 < R <= 1/B (any R > 0 when B = 0)."""
    B, R = _BR(B, R, True)
    return (c if c is C_PAPER else v.positive("c", c)) * R * math.exp(-B * B / 2)


def lemma_bound_mp(B: float, R: float, dps: int = 50):
    """mpmath twin of :func:`lemma_bound` with c = 4 e^2 / sqrt(2 pi)."""
    dps = v.dps(dps)
    B, R = _BR(B, R, True)
    with mp.workdps(dps):
        c = 4 * mp.e**2 / mp.sqrt(2 * mp.pi)
        return c * mp.mpf(R) * mp.exp(-mp.mpf(B) ** 2 / 2)


def log_lemma_bound(B: float, R: float, c: float = C_PAPER) -> float:
    """log of :func:`lemma_bound`, log c + log R - B^2/2 (finite where the bound underflows,
    B past ~38)."""
    B, R = _BR(B, R, True)
    return math.log(c if c is C_PAPER else v.positive("c", c)) + math.log(R) - B * B / 2


def log_tight_bound(B: float, R: float) -> float:
    """log of :func:`tight_bound`."""
    return log_lemma_bound(B, R, C_TIGHT)


def tight_bound(B: float, R: float) -> float:
    """The same bound with the tight constant (e^2 - e^{-2}) / sqrt(2 pi)."""
    return lemma_bound(B, R, C_TIGHT)


def prior_bound(B: float, R: float) -> float:
    """Min-form of the prior analysis ([39, Claim C.11], Remark 3.4):
    min(4R / sqrt(2 pi), Q(B - 2R))."""
    B, R = _BR(B, R, False)
    return min(4 * R / math.sqrt(2 * math.pi), math.exp(float(logQ(B - 2 * R))))


def log_prior_bound(B: float, R: float) -> float:
    """log of :func:`prior_bound`."""
    B, R = _BR(B, R, False)
    return min(math.log(4 * R / math.sqrt(2 * math.pi)), float(logQ(B - 2 * R)))


def prior_bound_mp(B: float, R: float, dps: int = 50):
    dps = v.dps(dps)
    B, R = _BR(B, R, False)
    with mp.workdps(dps):
        return min(4 * mp.mpf(R) / mp.sqrt(2 * mp.pi), Q_mp(mp.mpf(B) - 2 * mp.mpf(R), dps))


def ratio_to_rate(B: float, R: float) -> float:
    """p_flip / (R exp(-B^2/2)), the quantity whose supremum is the tight constant."""
    B, R = _BR(B, R, False)
    if log_exact(B, R) + B * B / 2 - math.log(R) > 709.0:  # the float exp would overflow
        v.fail("B", B, f"ratio_to_rate(B, R={R:g}) < 1.8e308 (a float); use log_exact(B, R) + B^2/2 - log R")
    return math.exp(log_exact(B, R) + B * B / 2) / R


def flip_q(B: float, R: float, c: float = C_PAPER) -> float:
    """q = c R exp(-B^2/2), the per-neuron flip rate used by Corollary A.4.1."""
    return lemma_bound(B, R, c)


def _trials(m, symmetric: bool) -> int:
    """Independent neurons behind |S_i|: m, or m/2 under symmetric init (FORMULAS.md section 3)."""
    m = v.even_int("m", m) if symmetric else v.positive_int("m", m)
    return m // 2 if symmetric else m


def corollary_exponent(m: int, B: float, R: float, symmetric: bool = False) -> float:
    """3 m' q / 8 with q = c R e^{-B^2/2} (m' = m, or m/2 under symmetric init): minus the log
    of Corollary A.4.1's failure probability."""
    symmetric = v.boolean("symmetric", symmetric)
    return 3 * _trials(m, symmetric) * flip_q(B, R) / 8


def corollary_tail(m: int, B: float, R: float, symmetric: bool = False) -> float:
    """Corollary A.4.1 (Bernstein): P[|S_i| >= 2 m q] <= exp(-3 m q / 8), q = c R e^{-B^2/2}
    (m/2 in place of m inside the exponent under symmetric init)."""
    symmetric = v.boolean("symmetric", symmetric)
    return math.exp(-corollary_exponent(m, B, R, symmetric))


def log_corollary_tail(m: int, B: float, R: float, symmetric: bool = False) -> float:
    """log of :func:`corollary_tail`: -3 m' q / 8."""
    return -corollary_exponent(m, B, R, symmetric)


def corollary_tail_mp(m: int, B: float, R: float, symmetric: bool = False, dps: int = 50):
    """mpmath twin of :func:`corollary_tail`."""
    dps = v.dps(dps)
    symmetric = v.boolean("symmetric", symmetric)
    mm = _trials(m, symmetric)
    with mp.workdps(dps):
        return mp.exp(-3 * mm * lemma_bound_mp(B, R, dps) / 8)


def corollary_union_tail(n: int, m: int, B: float, R: float) -> float:
    """Over all n inputs: P[exists i: |S_i| >= 2 m q] <= n exp(-3 m q / 8) (capped at 1)."""
    n = v.positive_int("n", n)
    return min(1.0, n * corollary_tail(m, B, R))


def log_corollary_union_tail(n: int, m: int, B: float, R: float) -> float:
    """log of :func:`corollary_union_tail`: min(0, log n - 3 m q / 8)."""
    n = v.positive_int("n", n)
    return min(0.0, math.log(n) - corollary_exponent(m, B, R))


def log_binomial_sf(j: int, N: int, log_p: float) -> float:
    """log P[Binomial(N, p) >= j] from log p, finite far past the underflow of the survival
    function (tails like 2^-1e6).

    Where ``stats.binom.sf`` is representable (> 1e-280) it is used directly; otherwise j is
    past the mode and the tail is a log-sum-exp of log-pmf terms: the term ratio
    r(k) = (N - k) p / ((k + 1)(1 - p)) decreases past the mode, so after K terms the rest is
    at most r(j)^K / (1 - r(j)) of the first, and K makes that < e^-45. For p below 1e-300 the
    first term alone, log C(N, j) + j log p, is exact to double precision (r ~ N p)."""
    N = v.positive_int("N", N)
    if isinstance(j, bool) or not isinstance(j, (int, np.integer)):
        v.fail("j", j, "an integer")
    log_p = v.real("log_p", log_p)
    if log_p > 0:
        v.fail("log_p", log_p, "log_p <= 0 (a probability)")
    j = int(j)
    if j <= 0:
        return 0.0
    if j > N:
        return -math.inf
    if log_p < -690.0:
        return (math.lgamma(N + 1) - math.lgamma(j + 1) - math.lgamma(N - j + 1)
                + j * log_p + math.log1p(-math.exp(log_p)) * (N - j))
    p = math.exp(log_p)
    sf = float(stats.binom.sf(j - 1, N, p))
    if sf > 1e-280:
        return math.log(sf)
    r = (N - j) / (j + 1) * p / (1 - p) if p < 1 else math.inf
    K = N - j + 1
    if 0 < r < 1:
        K = min(K, int(math.ceil((45 - math.log1p(-r)) / -math.log(r))) + 2)
    elif r == 0:
        K = 1
    lp = stats.binom.logpmf(np.arange(j, j + K), N, p)
    top = float(lp.max())
    return top + math.log(float(np.exp(lp - top).sum()))


def _flip_set_threshold(m: int, B: float, R: float, symmetric: bool) -> tuple[int, int]:
    """(j, N): |S_i| >= 2 m q  <=>  X >= j for X ~ Binomial(N, p_flip) (|S_i| = 2 X when
    symmetric, so X >= ceil(m q) with N = m/2)."""
    N = _trials(m, symmetric)
    thr = 2 * N * flip_q(B, R)  # = 2 m q, or m q = 2 (m/2) q when symmetric
    return max(1, math.ceil(thr)), N  # thr > 0: at least 1 even where it underflows (B > ~38)


def binomial_tail(m: int, B: float, R: float, symmetric: bool = False) -> float:
    """The exact P[|S_i| >= 2 m q] with |S_i| ~ Binomial(m, p_flip) (standard init) or
    2 Binomial(m/2, p_flip) (symmetric init), via the binomial survival function."""
    symmetric = v.boolean("symmetric", symmetric)
    j, N = _flip_set_threshold(m, B, R, symmetric)
    return float(stats.binom.sf(j - 1, N, exact(B, R)))


def log_binomial_tail(m: int, B: float, R: float, symmetric: bool = False) -> float:
    """log of :func:`binomial_tail`, finite where the tail underflows (m up to 1e5 at B = 0);
    -inf when 2 m q > m (the event is impossible)."""
    symmetric = v.boolean("symmetric", symmetric)
    j, N = _flip_set_threshold(m, B, R, symmetric)
    return log_binomial_sf(j, N, log_exact(B, R))
