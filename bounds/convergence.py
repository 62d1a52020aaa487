"""Convergence: kernel stability (Lemma A.5, explicit), the radius condition, the linear
rate of Theorem 3.1 (= Theorem A.17) and the one-step contraction (FORMULAS.md section 6).

Pure formulas:

- entry link: |H_ij(W) - H_ij(W(0))| <= (2/m)(|S_i(R)| + |S_j(R)|) when every neuron moves
  at most R (a term of H_ij changes only if neuron r flips on x_i or x_j, and
  |<x_i, x_j> + 1| <= 2);
- spectral link: ||H(W) - H(W(0))||_2 <= ||.||_F <= (4n/m) max_i |S_i(R)|;
- on the event of Corollary A.4.1 (|S_i| < 2 m q, q = c R e^{-B^2/2}):
  ||H(W) - H(W(0))||_2 <= 8 n c R e^{-B^2/2};
- radius condition: lambda_min(H(W)) >= lambda/2 whenever R <= lambda e^{B^2/2} / (32 n c)
  (with Lemma A.1's lambda_min(H(0)) >= 3 lambda/4);
- the rate (1 - eta lambda/4)^t of Theorem 3.1 and the one-step contraction
  max_k |1 - eta h_k| of r(t+1) = (I - eta H(t)) r(t) within one activation region.

Values that can under- or overflow (e^{-B^2/2}, e^{B^2/2}, (1 - x)^t) have log forms
(``log_*``) and mpmath twins (``*_mp``).
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np

from . import validate as v
from .flip_probability import C_PAPER

__all__ = [
    "entry_bound",
    "entry_bound_matrix",
    "spectral_bound",
    "spectral_bound_mp",
    "event_bound",
    "log_event_bound",
    "event_bound_mp",
    "event_threshold",
    "event_failure",
    "event_failure_mp",
    "radius_condition",
    "log_radius_condition",
    "radius_condition_mp",
    "rate",
    "log_rate",
    "rate_mp",
    "contraction",
    "theory_width",
    "log_theory_width",
]


def _sizes(name: str, sizes) -> np.ndarray:
    arr = v.values(name, sizes)
    if np.any(arr < 0):
        v.fail(name, arr, f"{name} >= 0 (flip-set sizes)")
    return arr


def _c(c) -> float:
    return v.positive("c", c)


# ------------------------------------------------------------------ deterministic links
def entry_bound(S_i, S_j, m: int):
    """(2/m)(|S_i(R)| + |S_j(R)|): the entry link of Lemma A.5 (arrays broadcast)."""
    m = v.positive_int("m", m)
    out = 2.0 * (_sizes("S_i", S_i) + _sizes("S_j", S_j)) / m
    return float(out) if out.ndim == 0 else out


def entry_bound_matrix(sizes, m: int) -> np.ndarray:
    """The n x n matrix of entry bounds (2/m)(|S_i| + |S_j|) from the flip-set sizes."""
    s = _sizes("sizes", sizes).ravel()
    if s.size < 1:
        v.fail("len(sizes)", s.size, ">= 1")
    return entry_bound(s[:, None], s[None, :], m)


def spectral_bound(sizes, m: int) -> float:
    """(4n/m) max_i |S_i(R)|, n = len(sizes): ||Delta H||_2 <= ||Delta H||_F <= n max_ij |Delta H_ij|."""
    s = _sizes("sizes", sizes).ravel()
    if s.size < 1:
        v.fail("len(sizes)", s.size, ">= 1")
    return 4.0 * s.size * float(s.max()) / v.positive_int("m", m)


def spectral_bound_mp(sizes, m: int, dps: int = 50):
    """mpmath twin of :func:`spectral_bound`."""
    dps = v.dps(dps)
    s = _sizes("sizes", sizes).ravel()
    if s.size < 1:
        v.fail("len(sizes)", s.size, ">= 1")
    with mp.workdps(dps):
        return 4 * mp.mpf(s.size) * mp.mpf(float(s.max())) / v.positive_int("m", m)


# ------------------------------------------------------------------------ on the event
def _nBR(n, B, R) -> tuple[int, float, float]:
    # The implication from the event needs no R <= 1/B (only the event's probability does).
    return v.positive_int("n", n), v.bias(B), v.positive("R", R)


def log_event_bound(n: int, B: float, R: float, c: float = C_PAPER) -> float:
    """log(8 n c R e^{-B^2/2}) (finite where the bound underflows)."""
    n, B, R = _nBR(n, B, R)
    return math.log(8 * n * _c(c) * R) - B * B / 2


def event_bound(n: int, B: float, R: float, c: float = C_PAPER) -> float:
    """8 n c R e^{-B^2/2}: ||H(W) - H(W(0))||_2 on the event |S_i| < 2 m q for every i
    ((4n/m) * 2 m q with q = c R e^{-B^2/2}, Corollary A.4.1)."""
    return math.exp(log_event_bound(n, B, R, c))


def event_bound_mp(n: int, B: float, R: float, dps: int = 50):
    """mpmath twin of :func:`event_bound` with c = 4 e^2 / sqrt(2 pi)."""
    dps = v.dps(dps)
    n, B, R = _nBR(n, B, R)
    with mp.workdps(dps):
        c = 4 * mp.e**2 / mp.sqrt(2 * mp.pi)
        return 8 * n * c * mp.mpf(R) * mp.exp(-mp.mpf(B) ** 2 / 2)


def event_threshold(m: int, B: float, R: float, c: float = C_PAPER) -> float:
    """2 m q, q = c R e^{-B^2/2}: the event of Corollary A.4.1 is |S_i| < 2 m q for every i."""
    m = v.positive_int("m", m)
    _, B, R = _nBR(1, B, R)
    return 2 * m * _c(c) * R * math.exp(-B * B / 2)


def event_failure(n: int, m: int, B: float, R: float, symmetric: bool = False) -> float:
    """min(1, n exp(-3 m' q / 8)), m' = m (m/2 under symmetric init): Corollary A.4.1 over all
    inputs. Needs R <= 1/B (Lemma A.4)."""
    from .flip_probability import corollary_tail

    n = v.positive_int("n", n)
    return min(1.0, n * corollary_tail(m, B, R, symmetric))


def event_failure_mp(n: int, m: int, B: float, R: float, symmetric: bool = False, dps: int = 50):
    """mpmath twin of :func:`event_failure` (never underflows)."""
    dps = v.dps(dps)
    from .flip_probability import corollary_tail_mp

    n = v.positive_int("n", n)
    with mp.workdps(dps):
        return min(mp.mpf(1), n * corollary_tail_mp(m, B, R, symmetric, dps))


# --------------------------------------------------------------------- radius condition
def _nBlam(n, B, lam) -> tuple[int, float, float]:
    return v.positive_int("n", n), v.bias(B), v.positive("lam", lam)


def log_radius_condition(n: int, B: float, lam: float, c: float = C_PAPER) -> float:
    """log(lambda e^{B^2/2} / (32 n c))."""
    n, B, lam = _nBlam(n, B, lam)
    return math.log(lam / (32 * n * _c(c))) + B * B / 2


def radius_condition(n: int, B: float, lam: float, c: float = C_PAPER) -> float:
    """R* = lambda e^{B^2/2} / (32 n c): for R <= R*, 8 n c R e^{-B^2/2} <= lambda/4, so
    lambda_min(H(W)) >= 3 lambda/4 - lambda/4 = lambda/2 on the events of Lemma A.1 and
    Corollary A.4.1. Where R* is beyond the largest double (B above ~37.7 at n = 3,
    lambda = 0.5) it is refused, naming B: use :func:`log_radius_condition` or
    :func:`radius_condition_mp` there (an inf would read as "no condition")."""
    lr = log_radius_condition(n, B, lam, c)
    if not lr < _LOG_DOUBLE_MAX:
        v.fail("B", B, f"R* = lambda e^(B^2/2) / (32 n c) = e^{lr:.6g} representable as a double "
                       f"(log R* < {_LOG_DOUBLE_MAX:.6g}; use log_radius_condition or radius_condition_mp)")
    return math.exp(lr)


_LOG_DOUBLE_MAX = math.log(np.finfo(float).max)


def radius_condition_mp(n: int, B: float, lam: float, dps: int = 50):
    """mpmath twin of :func:`radius_condition` with c = 4 e^2 / sqrt(2 pi)."""
    dps = v.dps(dps)
    n, B, lam = _nBlam(n, B, lam)
    with mp.workdps(dps):
        c = 4 * mp.e**2 / mp.sqrt(2 * mp.pi)
        return mp.mpf(lam) * mp.exp(mp.mpf(B) ** 2 / 2) / (32 * n * c)


# ------------------------------------------------------------------------------ the rate
def _rate_args(eta, lam, t) -> tuple[float, float, np.ndarray]:
    eta, lam = v.positive("eta", eta), v.positive("lam", lam)
    if eta * lam > 4:
        v.fail("eta * lam", eta * lam, "0 < eta * lam <= 4 (the factor 1 - eta lam/4 must be >= 0)")
    tt = v.values("t", t)
    if np.any(tt < 0):
        v.fail("t", tt, "t >= 0")
    return eta, lam, tt


def log_rate(eta: float, lam: float, t):
    """t log(1 - eta lam/4) (-inf for t > 0 when eta lam = 4)."""
    eta, lam, tt = _rate_args(eta, lam, t)
    x = eta * lam / 4
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(tt == 0, 0.0, tt * (math.log1p(-x) if x < 1 else -math.inf))
    return float(out) if out.ndim == 0 else out


def rate(eta: float, lam: float, t):
    """(1 - eta lam/4)^t, Theorem 3.1's factor on ||f(t) - y||^2 (may underflow: see
    :func:`log_rate`, :func:`rate_mp`)."""
    out = np.exp(log_rate(eta, lam, t))
    return float(out) if np.ndim(out) == 0 else out


def rate_mp(eta: float, lam: float, t, dps: int = 50):
    """mpmath twin of :func:`rate` (scalar t)."""
    dps = v.dps(dps)
    eta, lam, tt = _rate_args(eta, lam, t)
    if tt.ndim:
        v.fail("t", tt, "a scalar for the mpmath twin")
    with mp.workdps(dps):
        return (1 - mp.mpf(eta) * mp.mpf(lam) / 4) ** mp.mpf(float(tt))


def contraction(eigs, eta: float) -> float:
    """max_k |1 - eta h_k|: within one activation region r(t+1) = (I - eta H(t)) r(t), so
    ||r(t+1)|| <= contraction(eig(H(t)), eta) ||r(t)|| (H symmetric)."""
    h = v.array("eigs", eigs, min_size=1).ravel()
    return float(np.max(np.abs(1.0 - v.positive("eta", eta) * h)))


# ------------------------------------------------------------- width the conditions demand
def log_theory_width(n: int, B: float, lam: float, error0: float, c: float = C_PAPER) -> float:
    """log of the smallest m with D(m) <= R*, D = 8 sqrt(n) ||f(0) - y|| / (sqrt(m) lambda)
    (Lemma A.8) and R* = lambda e^{B^2/2} / (32 n c): m = (8 sqrt(n) ||f(0) - y|| / (lambda R*))^2."""
    lr = log_radius_condition(n, B, lam, c)
    n, lam = v.positive_int("n", n), v.positive("lam", lam)  # as floats (np.float32 stays exact)
    e0 = v.positive("error0", error0)
    return 2 * (math.log(8 * math.sqrt(n) * e0 / lam) - lr)


def theory_width(n: int, B: float, lam: float, error0: float, c: float = C_PAPER) -> float:
    """exp(:func:`log_theory_width`) (inf past overflow)."""
    lw = log_theory_width(n, B, lam, error0, c)
    return math.exp(lw) if lw < 709.0 else math.inf
