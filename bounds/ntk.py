"""Gaussian tails, the pair probability p(rho, B) and the bias-generalized NTK H_inf.

BOUNDS.md section 0 (the paper's Section 2.1 and Definition of the bias-generalized NTK):
H_inf_ij = (rho_ij + 1) p(rho_ij, B), p(rho, B) = P[Z1 >= B, Z2 >= B] for a standard
bivariate normal with correlation rho.

Numerics: the Owen's T form Q(B) - 2 T(B, sqrt((1-rho)/(1+rho))) cancels when p << Q(B)
(it even goes negative), so the float version integrates the positive representation
p = int_0^inf phi(B + t) Q((B(1 - rho) - rho t) / sqrt(1 - rho^2)) dt in log space.
The integrand is log-concave (log phi is concave, log Q is concave, the argument is affine),
so it has one mode; we locate it and the points where it has dropped by e^-LOG_DROP,
and integrate the window with Gauss-Legendre on each side of the mode.
Every float formula has an mpmath twin (suffix ``_mp``) used as the test reference.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
from scipy import special

from . import validate as v

__all__ = [
    "Q",
    "logQ",
    "phi",
    "Q_mp",
    "pair_probability",
    "log_pair_probability",
    "pair_probability_mp",
    "pair_probability_owens_t",
    "h_inf",
    "h_inf_mp",
    "lambda_min_h_inf",
]

_LOG_2PI_HALF = 0.5 * math.log(2 * math.pi)
LOG_DROP = 46.0  # e^-46 ~ 1e-20: integrand below this fraction of its peak is neglected
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(32)
# Panels graded geometrically towards the mode: sharp features (the Q step when rho -> 1)
# sit next to the mode, the slow tail far from it. The 1/65536 panel resolves the Q step for
# 1 - rho < 1e-9 (without it: relative error 2e-10 at B = 8.68, rho = 1 - 4.8e-11).
_GRADING = (0.0, 1 / 65536, 1 / 1024, 1 / 256, 1 / 64, 1 / 16, 1 / 4, 1.0)


def Q(t):
    """Upper normal tail Q(t) = 1 - Phi(t), computed as ``ndtr(-t)`` (no cancellation)."""
    return special.ndtr(-v.values("t", t, allow_inf=True))


def logQ(t):
    """log Q(t), accurate far into the tail."""
    return special.log_ndtr(-v.values("t", t, allow_inf=True))


def phi(t):
    """Standard normal density."""
    t = v.values("t", t, allow_inf=True)
    return np.exp(-0.5 * t * t - _LOG_2PI_HALF)


def Q_mp(t, dps: int = 50):
    """mpmath twin of :func:`Q`."""
    dps = v.dps(dps)
    if not isinstance(t, mp.mpf):
        v.values("t", t, allow_inf=True)
    with mp.workdps(dps):
        return mp.erfc(mp.mpf(t) / mp.sqrt(2)) / 2


def _log_integrand(t, B, a, c):
    """log of exp(-B t - t^2/2) Q(a - c t); phi(B) is factored out."""
    return -B * t - 0.5 * t * t + special.log_ndtr(c * t - a)


def _dlog_integrand(t, B, a, c):
    u = a - c * t
    mills = np.exp(-0.5 * u * u - _LOG_2PI_HALF - special.log_ndtr(-u))  # phi(u)/Q(u)
    return -B - t + c * mills


def _bisect(fun, lo, hi, iters=80):
    """Vectorized bisection for the sign change of a decreasing function on [lo, hi]."""
    lo, hi = lo.copy(), hi.copy()
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        pos = fun(mid) > 0
        lo = np.where(pos, mid, lo)
        hi = np.where(pos, hi, mid)
    return 0.5 * (lo + hi)


def _gl(lo, hi, B, a, c, peak):
    """log-sum of Gauss-Legendre on [lo, hi] of exp(ell(t) - peak) (columns = elements)."""
    half = 0.5 * (hi - lo)
    t = (0.5 * (hi + lo))[None, :] + half[None, :] * _GL_NODES[:, None]
    vals = np.exp(_log_integrand(t, B, a[None, :], c[None, :]) - peak[None, :])
    return half * (_GL_WEIGHTS @ vals)


def _log_pair_core(rho: np.ndarray, B: float) -> np.ndarray:
    """log p for -1 < rho < 1, B > 0, flat arrays."""
    s = np.sqrt((1.0 - rho) * (1.0 + rho))
    a = B * np.sqrt((1.0 - rho) / (1.0 + rho))  # = B (1 - rho) / sqrt(1 - rho^2)
    c = rho / s
    B_arr = np.full_like(rho, B)
    zero = np.zeros_like(rho)
    # Mode: ell' is decreasing; ell'(0) <= 0 means the mode is at t = 0.
    # Upper bracket: phi(u)/Q(u) <= max(u, 0) + 1 and u <= a for c > 0.
    hi = np.maximum(c, 0.0) * (a + 1.0) + 1.0
    d0 = _dlog_integrand(zero, B_arr, a, c)
    mode = np.where(d0 > 0, _bisect(lambda t: _dlog_integrand(t, B_arr, a, c), zero, hi), 0.0)
    peak = _log_integrand(mode, B_arr, a, c)
    # ell'' <= -1, so ell drops by LOG_DROP within sqrt(2 LOG_DROP) < 10 of the mode.
    level = lambda t: _log_integrand(t, B_arr, a, c) - (peak - LOG_DROP)  # noqa: E731
    right = _bisect(level, mode, mode + 10.0, iters=60)
    left_lo = np.maximum(mode - 10.0, 0.0)
    left_needed = level(zero) < 0
    left = np.where(left_needed, -_bisect(lambda t: -level(-t), -mode, -left_lo, iters=60), 0.0)
    total = np.zeros_like(rho)
    for f0, f1 in zip(_GRADING[:-1], _GRADING[1:]):
        total += _gl(mode - f1 * (mode - left), mode - f0 * (mode - left), B_arr, a, c, peak)
        total += _gl(mode + f0 * (right - mode), mode + f1 * (right - mode), B_arr, a, c, peak)
    return -0.5 * B * B - _LOG_2PI_HALF + peak + np.log(total)


def log_pair_probability(rho, B: float):
    """log p(rho, B), vectorized over rho; -inf where p = 0 (rho = -1, B > 0)."""
    B = v.bias(B)
    r = v.correlation("rho", rho)
    out = np.empty(r.shape, dtype=float)
    flat, res = r.ravel(), out.ravel()
    if B == 0.0:
        # P[Z1 >= 0, Z2 >= 0] = 1/4 + arcsin(rho)/(2 pi) = arccos(-rho)/(2 pi), no cancellation.
        with np.errstate(divide="ignore"):
            res[:] = np.log(np.arccos(-flat) / (2 * math.pi))
        return out
    top = flat >= 1.0
    bottom = flat <= -1.0
    mid = ~(top | bottom)
    res[top] = float(logQ(B))
    res[bottom] = -np.inf
    if np.any(mid):
        res[mid] = _log_pair_core(flat[mid], B)
    return out


def pair_probability(rho, B: float):
    """p(rho, B) = P[Z1 >= B, Z2 >= B], corr(Z1, Z2) = rho (BOUNDS.md section 0)."""
    return np.exp(log_pair_probability(rho, B))


def pair_probability_owens_t(rho, B: float):
    """The textbook form Q(B) - 2 T(B, sqrt((1-rho)/(1+rho))); cancels when p << Q(B).

    Kept only as a cross-check in the regime where it is accurate; do not use it for p_min.
    """
    B = v.bias(B)
    r = v.correlation("rho", rho)
    with np.errstate(divide="ignore"):
        h = np.sqrt((1.0 - r) / (1.0 + r))
    return np.where(r <= -1.0, 0.0, Q(B) - 2.0 * special.owens_t(B, h))


def _p_integral_mp(Bm, r):
    """p by the conditioning integral, split on a geometric grid (no cancellation)."""
    s = mp.sqrt(1 - r * r)

    def f(t):
        return mp.npdf(Bm + t) * mp.erfc(((Bm * (1 - r) - r * t) / s) / mp.sqrt(2)) / 2

    # mp.quad's stopping test is absolute (error <= eps), so integrate f / f(0), not the
    # tiny f itself (which stopped at degree 2 with relative errors near 1e-6).
    f0 = f(mp.mpf(0))
    # phi(B + t) < e^-5000 beyond t = 100, far below anything the grid resolves.
    pts = [mp.mpf(0)] + [mp.mpf(10) ** k for k in range(-8, 3)]
    return f0 * mp.quad(lambda t: f(t) / f0, pts)


def pair_probability_mp(rho, B, dps: int = 30):
    """mpmath reference for p(rho, B).

    Q(B) - 2 T(B, h) at a working precision raised until the cancellation is paid for (a
    route independent of the float quadrature); below p/Q(B) = 1e-250 it switches to the
    conditioning integral on a geometric grid.
    """
    dps = v.dps(dps)
    B = v.bias(B)
    rho = float(v.correlation("rho", rho))
    if rho >= 1:
        return Q_mp(B, dps)
    if rho <= -1:
        return mp.mpf(0)
    # Rigorous p <= P[Z1 + Z2 >= 2B] = Q(B sqrt(2/(1+rho))) bounds the digits the Owen's T
    # difference loses from below: start at that precision, and go straight to the integral
    # when the escalation below would end there anyway (it cost seconds per point).
    with mp.workdps(dps + 10):
        lost_min = float(mp.log10(Q_mp(B, dps + 10) / Q_mp(B * mp.sqrt(2 / (1 + mp.mpf(rho))), dps + 10)))
    if lost_min > 250:
        with mp.workdps(dps + 10):
            return +_p_integral_mp(mp.mpf(B), mp.mpf(rho))
    work = dps + 10 + max(0, int(lost_min))
    while True:
        with mp.workdps(work):
            Bm, r = mp.mpf(B), mp.mpf(rho)
            h = mp.sqrt((1 - r) / (1 + r))
            # mp.quad's stopping test is absolute (error <= 10^-work): integrate with
            # exp(-B^2/2) factored out, or T ~ Q(B)/2 is resolved only to 10^-work absolute,
            # which is garbage relative to p once B is large (p(0, 20) came out 1e6 too big).
            g = lambda x: mp.exp(-Bm * Bm * x * x / 2) / (1 + x * x)  # noqa: E731
            # the integrand falls on the scale 1/B: panels there, then 1 and h
            inner = [t / Bm for t in (0.25, 1, 3, 8)] if Bm > 0 else []
            pts = sorted(set([mp.mpf(0)] + [x for x in inner + [mp.mpf(1)] if x < h] + [h]))
            T = mp.exp(-Bm * Bm / 2) * mp.quad(g, pts) / (2 * mp.pi)
            q = mp.erfc(Bm / mp.sqrt(2)) / 2
            p = q - 2 * T
            lost = float(mp.log10(q / p)) if p > 0 else float("inf")
            if lost < work - dps - 5:
                return +p
            if work > 300:
                break
        work = int(work + min(lost, 300) + 20)
    with mp.workdps(dps + 10):
        return _p_integral_mp(mp.mpf(B), mp.mpf(rho))


def _rho(X: np.ndarray) -> np.ndarray:
    G = X @ X.T
    np.fill_diagonal(G, 1.0)
    return np.clip(G, -1.0, 1.0)


def h_inf(X, B: float) -> np.ndarray:
    """Bias-generalized NTK H_inf_ij = (rho_ij + 1) p(rho_ij, B) (BOUNDS.md section 0)."""
    X = v.unit_rows("X", X)
    B = v.bias(B)
    rho = _rho(X)
    # Upper triangle only, mirrored: the vectorized quadrature can round equal rho at
    # different array positions differently (1e-16), which made H_inf not exactly symmetric.
    iu = np.triu_indices(X.shape[0], 1)
    P = np.full(rho.shape, float(Q(B)))
    P[iu] = pair_probability(rho[iu], B)
    P.T[iu] = P[iu]
    return (rho + 1.0) * P


def h_inf_mp(X, B: float, dps: int = 30):
    """mpmath twin of :func:`h_inf` (an mp.matrix); slow, for tests on small n."""
    dps = v.dps(dps)
    X = v.unit_rows("X", X)
    B = v.bias(B)
    rho = _rho(X)
    n = X.shape[0]
    H = mp.matrix(n, n)
    with mp.workdps(dps):
        for i in range(n):
            for j in range(i, n):
                r = mp.mpf(float(rho[i, j]))
                p = Q_mp(B, dps) if i == j else pair_probability_mp(float(rho[i, j]), B, dps)
                H[i, j] = H[j, i] = (r + 1) * p
    return H


def lambda_min_h_inf(X, B: float) -> float:
    """lambda = lambda_min(H_inf), the rate constant of Theorem 3.1."""
    return float(np.linalg.eigvalsh(h_inf(X, B))[0])
