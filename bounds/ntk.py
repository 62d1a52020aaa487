"""Gaussian tails, the pair probability p(rho, B) and the bias-generalized NTK H_inf.

FORMULAS.md section 0 (the paper's Section 2.1 and Definition of the bias-generalized NTK):
H_inf_ij = (rho_ij + 1) p(rho_ij, B), p(rho, B) = P[Z1 >= B, Z2 >= B] for a standard
bivariate normal with correlation rho.

Numerics: the Owen's T form Q(B) - 2 T(B, sqrt((1-rho)/(1+rho))) cancels when p << Q(B)
(it even goes negative), so the float version integrates the positive representation
p = int_0^inf phi(B + t) Q((B(1 - rho) - rho t) / sqrt(1 - rho^2)) dt in log space.
The integrand is log-concave (log phi is concave, log Q is concave, the argument is affine),
so it has one mode; we locate it and the points where it has dropped by e^-LOG_DROP,
and integrate the window with Gauss-Legendre on each side of the mode.
Many pairs at one B (a whole H_inf): p depends on rho only through y0 = asinh(sqrt((1-rho)/(1+rho))),
so a piecewise Chebyshev interpolant of log p + B^2 (1-rho)/(2(1+rho)) in y0, built per call from
that quadrature at a few thousand nodes and checked against it, evaluates all pairs in a dozen
array operations (about 1 microsecond per pair instead of 40-75).
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
    "pair_matrix",
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
        x = mp.mpf(t)
        if x > _Q_ASYMPTOTIC:
            return _Q_tail_mp(x)
        return mp.erfc(x / mp.sqrt(2)) / 2


_Q_ASYMPTOTIC = 1e150
"""Beyond this t, mpmath's erfc overflows a float internally (t ~ 1e155 raised
OverflowError): :func:`Q_mp` uses the asymptotic series of the tail there."""


def _Q_tail_mp(x):
    """Q(x) = phi(x)/x sum_k (-1)^k (2k-1)!! / x^{2k} for x > 1e150, at the working
    precision: each term is below the last by 1/x^2 < 1e-300, so the series (asymptotic, but
    diverging only after ~x^2/2 terms) is summed until a term is below 10^-(dps+5)."""
    dps = mp.mp.dps
    # e^{-x^2/2} to dps digits needs x^2/2 (~1e300 and more) to dps + log10(x^2) digits
    with mp.workdps(dps + int(2 * mp.log10(x)) + 10):
        eps = mp.mpf(10) ** (-(dps + 5))
        inv2 = 1 / (x * x)
        term, total, k = mp.mpf(1), mp.mpf(1), 1
        while abs(term) > eps:
            term = -term * (2 * k - 1) * inv2
            total += term
            k += 1
        out = mp.exp(-x * x / 2) / (mp.sqrt(2 * mp.pi) * x) * total
    return +out


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


# ------------------------------------------------------------ the fast path: one B, many rho
# For a fixed B, p depends on rho only through y0 = asinh(h), h = sqrt((1 - rho)/(1 + rho))
# (the tail form p = exp(-B^2/2)/pi int_{y0}^inf exp(-B^2 sinh^2(y)/2)/cosh(y) dy of Owen's T,
# x = sinh y). F(y0) = log p + B^2 h^2 / 2 strips the Gaussian factor and is analytic in a strip
# around [0, inf) (the integrand's poles sit at y = i pi/2): a piecewise Chebyshev interpolant of
# F, built from the log-space quadrature above at a few thousand nodes and checked at the panel
# midpoints, evaluates every pair of H_inf with a dozen array operations instead of a quadrature
# per pair. Near rho = 1, y0 ~ sqrt((1 - rho)/2) and F is smooth there (no sqrt singularity in
# y0); near rho = -1, F ~ -3 y0 is nearly linear.
INTERP_MIN = 2048  # arrays with at least this many interior entries use the interpolant
INTERP_TOL = 5e-12  # required agreement (in log p) of interpolant and quadrature at the checks
_DEG = 10
_CHEB_T = np.cos(np.pi * (np.arange(_DEG + 1) + 0.5) / (_DEG + 1))  # Chebyshev roots on [-1, 1]
# F is computed from log p + B^2 h^2/2, which cancels when log p is very negative: the
# interpolant covers B^2 h^2/2 <= _LOG_CUT (absolute error ~ _LOG_CUT * eps in log p); rarer
# pairs beyond it (near-antipodal at large B, where p underflows a double) take the quadrature.
_LOG_CUT = 1000.0
# Below 1 + rho = _RHO_CUT the float grid of rho is too coarse for a smooth fit in y0
# (1 + rho has absolute spacing 1e-16): those rare pairs take the quadrature too.
_RHO_CUT = 1e-9


def _h2(rho: np.ndarray) -> np.ndarray:
    """h^2 = (1 - rho)/(1 + rho) = sinh(y0)^2, from 1 -/+ rho (exact in floats near +-1)."""
    return (1.0 - rho) / (1.0 + rho)


def _horner(mono: np.ndarray, idx: np.ndarray, t: np.ndarray) -> np.ndarray:
    """sum_k mono[k, idx] t^k, vectorized over the pairs (mono has shape (deg + 1, panels)).
    The monomial form in the local variable t in [-1, 1] is well conditioned here: F's
    Chebyshev coefficients on a panel decay like 16^-k, so the monomial ones decay like 8^-k."""
    c = mono[:, idx]
    b = c[-1].copy()
    for k in range(mono.shape[0] - 2, -1, -1):
        b *= t
        b += c[k]
    return b


class _Interpolant:
    """Piecewise Chebyshev interpolant of F(y0) = log p + B^2 h^2 / 2 on [0, y_max]."""

    def __init__(self, B: float, y_max: float, panels_per_unit: int = 8):
        beta = 0.5 * B * B
        while True:
            m = max(1, int(math.ceil(y_max * panels_per_unit)))
            width = y_max / m if y_max > 0 else 1.0
            left = width * np.arange(m)
            nodes = left[None, :] + 0.5 * width * (_CHEB_T[:, None] + 1.0)  # (deg + 1, m)
            checks = left + 0.5 * width * (1.0 + 0.37)  # off the nodes, inside each panel
            ys = np.concatenate([nodes.ravel(), checks])
            h = np.sinh(ys)
            rho = (1.0 - h * h) / (1.0 + h * h)
            # F at the float rho actually evaluated, and the y0 that rho maps to (rounding rho
            # moves the node by up to ~1e-16/(1 + rho) relative: refit at the moved nodes)
            h2 = _h2(rho)
            F = _log_pair_core(rho, B) + beta * h2
            ys_eff = np.arcsinh(np.sqrt(h2))
            t_eff = (2.0 * (ys_eff[: nodes.size].reshape(nodes.shape) - left[None, :]) / width - 1.0)
            V = np.polynomial.chebyshev.chebvander(t_eff.T, _DEG)  # (m, deg + 1, deg + 1)
            coef = np.linalg.solve(V, F[: nodes.size].reshape(nodes.shape).T[..., None])[..., 0].T
            mono = np.stack([np.polynomial.chebyshev.cheb2poly(coef[:, j]) for j in range(m)], axis=1)
            self.coef, self.width, self.m, self.beta = mono, width, m, beta
            got = self._F(ys_eff[nodes.size:])
            err = float(np.max(np.abs(got - F[nodes.size:]))) if m else 0.0
            if err <= INTERP_TOL or panels_per_unit >= 256:
                self.check_error = err
                break
            panels_per_unit *= 2
        if self.check_error > INTERP_TOL:
            raise RuntimeError(f"pair-probability interpolant missed {INTERP_TOL} (error {self.check_error})")

    def _F(self, y0: np.ndarray) -> np.ndarray:
        s = y0 / self.width
        idx = np.minimum(s.astype(np.intp), self.m - 1)
        t = 2.0 * (s - idx) - 1.0
        return _horner(self.coef, idx, t)

    def log_p(self, rho: np.ndarray, chunk: int = 1 << 16) -> np.ndarray:
        out = np.empty_like(rho)
        for s in range(0, rho.size, chunk):
            r = rho[s:s + chunk]
            h2 = _h2(r)
            out[s:s + chunk] = self._F(np.arcsinh(np.sqrt(h2))) - self.beta * h2
        return out


def _log_pair_interior(rho: np.ndarray, B: float) -> np.ndarray:
    """log p for -1 < rho < 1, B > 0 (flat arrays): quadrature, or the interpolant when many."""
    if rho.size < INTERP_MIN:
        return _log_pair_core(rho, B)
    # rho above the cut lies where B^2 h^2 / 2 <= _LOG_CUT and 1 + rho >= _RHO_CUT
    half_B2 = 0.5 * B * B  # underflows to 0 for B below about 1e-154
    h2_cut = min(_LOG_CUT / half_B2, 2.0 / _RHO_CUT - 1.0) if half_B2 > 0 else 2.0 / _RHO_CUT - 1.0
    rho_cut = (1.0 - h2_cut) / (1.0 + h2_cut)
    lo = float(rho.min())
    if lo > rho_cut:
        h2_max = float(_h2(np.array(lo)))
        return _Interpolant(B, float(np.arcsinh(math.sqrt(h2_max)))).log_p(rho)
    near = rho > rho_cut
    out = np.empty_like(rho)
    if np.any(near):
        y_max = float(np.arcsinh(math.sqrt(float(_h2(np.array(rho[near].min()))))))
        out[near] = _Interpolant(B, y_max).log_p(rho[near])
    out[~near] = _log_pair_core(rho[~near], B)
    return out


def _log_pair(flat: np.ndarray, B: float, floor: float | None = None) -> np.ndarray:
    """log p on a validated flat array; entries whose rigorous upper bound
    log p <= log Q(B sqrt(2/(1 + rho))) (p <= P[Z1 + Z2 >= 2B]) lies below ``floor`` are -inf."""
    res = np.empty_like(flat)
    if B == 0.0:
        # P[Z1 >= 0, Z2 >= 0] = 1/4 + arcsin(rho)/(2 pi) = arccos(-rho)/(2 pi), no cancellation.
        with np.errstate(divide="ignore"):
            res[:] = np.log(np.arccos(-flat) / (2 * math.pi))
        return res
    top = flat >= 1.0
    bottom = flat <= -1.0
    mid = ~(top | bottom)
    res[top] = float(logQ(B))
    res[bottom] = -np.inf
    if floor is not None:
        # log Q(x) <= -x^2/2 for x >= 0, so only 1 + rho < B^2/|floor| can fall below the floor
        cand = np.flatnonzero(mid & (flat < B * B / abs(floor) - 1.0))
        if cand.size:
            under = cand[logQ(B * np.sqrt(2.0 / (1.0 + flat[cand]))) < floor]
            res[under] = -np.inf
            mid[under] = False
    if np.all(mid):
        res[:] = _log_pair_interior(flat, B)
    elif np.any(mid):
        res[mid] = _log_pair_interior(flat[mid], B)
    return res


def log_pair_probability(rho, B: float):
    """log p(rho, B), vectorized over rho; -inf where p = 0 (rho = -1, B > 0).

    Few values: the log-space quadrature per value; many values (at least ``INTERP_MIN``): a
    piecewise Chebyshev interpolant in y0 = asinh(sqrt((1 - rho)/(1 + rho))) built for this B
    from that quadrature and checked against it to ``INTERP_TOL`` (see ``_Interpolant``)."""
    B = v.bias(B)
    r = v.correlation("rho", rho)
    out = _log_pair(r.ravel(), B).reshape(r.shape)
    return float(out) if out.ndim == 0 else out


# exp(x) is exactly 0.0 in doubles below this (the smallest subnormal is exp(-744.44))
_EXP_UNDERFLOW = -746.0


def pair_probability(rho, B: float):
    """p(rho, B) = P[Z1 >= B, Z2 >= B], corr(Z1, Z2) = rho (FORMULAS.md section 0)."""
    B = v.bias(B)
    r = v.correlation("rho", rho)
    out = np.exp(_log_pair(r.ravel(), B, _EXP_UNDERFLOW)).reshape(r.shape)
    return float(out) if out.ndim == 0 else out  # a scalar for a scalar rho, as before


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
    v.mp_quad_work(dps)
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
    """The Gram matrix of unit rows, clipped to [-1, 1]; the n x n matrices that follow
    (this one, P, the flat pair list and their temporaries: ~6 of them) are checked against
    the memory budget first (n = 20000 asked for ~19 GB and raised MemoryError)."""
    n = X.shape[0]
    v.memory("X", X, 48.0 * n * n)
    v.work("X", X, 200.0 * n * n)
    G = X @ X.T
    np.fill_diagonal(G, 1.0)
    return np.clip(G, -1.0, 1.0)


def _pair_matrix(rho: np.ndarray, B: float, extra=()) -> tuple[np.ndarray, np.ndarray]:
    """P from a Gram matrix (P_ii = Q(B)): the upper triangle in one vectorized call, mirrored
    (so P is exactly symmetric), together with p at the ``extra`` correlations from the same
    call (so they share the quadrature or interpolant of the pairs)."""
    n = rho.shape[0]
    flat = np.concatenate([rho[i, i + 1:] for i in range(n - 1)] + [np.asarray(extra, float)])
    vals = np.exp(_log_pair(flat, B, _EXP_UNDERFLOW))
    P = np.empty_like(rho)
    np.fill_diagonal(P, float(Q(B)))
    off = 0
    for i in range(n - 1):
        k = n - 1 - i
        P[i, i + 1:] = vals[off:off + k]
        P[i + 1:, i] = vals[off:off + k]
        off += k
    return P, vals[off:]


def pair_matrix(X, B: float) -> np.ndarray:
    """P with P_ii = p0 = Q(B) and P_ij = p(rho_ij, B) (FORMULAS.md sections 0 and 4), exactly
    symmetric; O(n^2) array work (see :func:`log_pair_probability`)."""
    X = v.unit_rows("X", X)
    return _pair_matrix(_rho(X), v.bias(B))[0]


def h_inf(X, B: float) -> np.ndarray:
    """Bias-generalized NTK H_inf_ij = (rho_ij + 1) p(rho_ij, B) (FORMULAS.md section 0)."""
    X = v.unit_rows("X", X)
    rho = _rho(X)
    P = _pair_matrix(rho, v.bias(B))[0]
    P *= rho + 1.0
    return P


def h_inf_mp(X, B: float, dps: int = 30):
    """mpmath twin of :func:`h_inf` (an mp.matrix); slow, for tests on small n."""
    dps = v.dps(dps)
    X = v.unit_rows("X", X)
    B = v.bias(B)
    n = X.shape[0]
    v.mp_quad_work(dps, n * (n - 1) / 2)
    rho = _rho(X)
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
