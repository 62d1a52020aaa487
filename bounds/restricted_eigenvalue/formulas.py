"""Scalar bounds of Theorem 3.12 = Theorem B.1 (FORMULAS.md section 4), each with an mpmath twin
(suffix ``_mp``): the closed form, the sharper Owen's T form 2 T(B, delta/sqrt(4 - delta^2)),
the split probability p0 - p(rho, B) without cancellation (links 3-4), and the paper's
relaxation of p0.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
from scipy import special

from .. import validate as v
from ..ntk import phi
from .region import SQRT2, check_difference_separation, check_separation

__all__ = [
    "closed_form_bound",
    "closed_form_bound_mp",
    "sharper_bound",
    "sharper_bound_mp",
    "closed_form_bound_wide",
    "sharper_bound_wide",
    "split_probability",
    "split_probability_mp",
    "split_probability_at_separation",
    "split_probability_at_separation_mp",
    "p0_relaxation",
    "p0_relaxation_mp",
]

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(32)
# Wedge panels graded towards alpha = 0, where the (decreasing) integrand peaks and falls on
# the angular scale 1/(B^2 h): equal panels were 1e-10 off at B = 20 and returned 0 at B = 30.
_SPLIT_GRADING = (0.0, 1 / 4096, 1 / 1024, 1 / 256, 1 / 64, 1 / 16, 1 / 4, 1 / 2, 1.0)


def closed_form_bound(separation_: float, B: float) -> float:
    """Theorem 3.12 (closed form): max(0, (1/pi) arcsin(delta/2) exp(-2 B^2 / (4 - delta^2)))."""
    d, B = check_separation(separation_), v.bias(B)
    return max(0.0, math.asin(d / 2) / math.pi * math.exp(-2 * B * B / (4 - d * d)))


def closed_form_bound_mp(separation_: float, B: float, dps: int = 30):
    """mpmath twin of :func:`closed_form_bound`."""
    dps = v.dps(dps)
    d, B = check_separation(separation_), v.bias(B)
    with mp.workdps(dps):
        dm, Bm = mp.mpf(d), mp.mpf(B)
        return max(mp.mpf(0), mp.asin(dm / 2) / mp.pi * mp.exp(-2 * Bm**2 / (4 - dm**2)))


def _owens_a(d: float) -> float:
    return d / math.sqrt(4.0 - d * d)


def sharper_bound(separation_: float, B: float) -> float:
    """The sharper form 2 T(B, delta / sqrt(4 - delta^2)) = p0 - p(1 - delta^2/2, B) (links 3-4).
    Owen's T of scipy is accurate here (a single positive integral, no difference)."""
    d, B = check_separation(separation_), v.bias(B)
    a = _owens_a(d)
    if a < 1e-4:
        # scipy's T loses digits for tiny a (1e-8 relative at a = 1e-9, h = 6); the series of
        # int_0^a e^{-c x^2}/(1 + x^2) dx, c = h^2/2, is exact to a^7 c^3 there.
        c = B * B / 2
        series = a - (1 + c) * a**3 / 3 + (1 + c + c * c / 2) * a**5 / 5
        return math.exp(-c) * series / math.pi
    return float(2.0 * special.owens_t(B, a))


def sharper_bound_mp(separation_: float, B: float, dps: int = 30):
    """mpmath twin: 2 T(h, a) = (1/pi) int_0^a exp(-h^2 (1 + x^2)/2) / (1 + x^2) dx."""
    dps = v.dps(dps)
    d, B = check_separation(separation_), v.bias(B)
    v.mp_quad_work(dps)
    with mp.workdps(dps):
        a, h = mp.mpf(d) / mp.sqrt(4 - mp.mpf(d) ** 2), mp.mpf(B)
        # the integrand falls like exp(-h^2 x^2 / 2): panels on the scale 1/h
        pts = [mp.mpf(0)] + [t / h for t in (0.25, 1, 3, 8) if h > 0 and t / h < a] + [a]
        # mp.quad's tolerance is absolute: factor exp(-h^2/2) out of the integrand
        inner = mp.quad(lambda x: mp.exp(-h * h * x * x / 2) / (1 + x * x), pts)
        return mp.exp(-h * h / 2) * inner / mp.pi


def _split_core(theta, h, one_plus_rho, B: float):
    """Wedge form of P[Z1 >= B, Z2 < B] (see :func:`split_probability`), angle split in panels.
    The factor e^{-|c|^2/2}, |c|^2 = 2 B^2 / (1 + rho), is folded into each node's value (for
    k < 0 the Mills ratio Q(k)/phi(k) is e^{k^2/2}-large and k^2 <= |c|^2), so nothing
    overflows or underflows before the product."""
    theta, h = np.asarray(theta, float), np.asarray(h, float)
    half_c2 = B * B / np.asarray(one_plus_rho, float)
    total = np.zeros(theta.shape)
    for f0, f1 in zip(_SPLIT_GRADING[:-1], _SPLIT_GRADING[1:]):
        lo, hi = f0 * theta, f1 * theta
        alpha = (0.5 * (hi + lo))[..., None] + (0.5 * (hi - lo))[..., None] * _GL_NODES
        k = B * np.sin(alpha) - B * h[..., None] * np.cos(alpha)
        hc = half_c2[..., None] if np.ndim(half_c2) else half_c2
        # e^{-|c|^2/2} Q(k)/phi(k), stably on both sides of k = 0
        scaled = np.where(k >= 0, special.erfcx(np.abs(k) / SQRT2) * np.exp(-hc),
                          special.erfc(k / SQRT2) * np.exp(np.minimum(0.5 * k * k - hc, 0.0)))
        vals = np.exp(-hc) - k * math.sqrt(math.pi / 2) * scaled
        total += 0.5 * (hi - lo) * (vals @ _GL_WEIGHTS)
    out = total / (2 * math.pi)
    return float(out) if np.ndim(out) == 0 else out


def closed_form_bound_wide(separation_: float, B: float) -> float:
    """:func:`closed_form_bound` on delta in [0, 2] (the range of the difference-only separation
    of the stronger statement, FORMULAS.md section 4). Link 5 holds for every a = delta /
    sqrt(4 - delta^2) in (0, inf]; at delta = 2 the limit is 1/2 at B = 0 and 0 for B > 0."""
    d, B = check_difference_separation(separation_), v.bias(B)
    if d <= SQRT2:
        return closed_form_bound(d, B)
    gap = (2.0 - d) * (2.0 + d)  # 4 - delta^2 without cancellation
    if gap <= 0.0:
        return 0.5 if B == 0 else 0.0
    return max(0.0, math.asin(d / 2) / math.pi * math.exp(-2 * B * B / gap))


def sharper_bound_wide(separation_: float, B: float) -> float:
    """:func:`sharper_bound` on delta in [0, 2]: 2 T(B, delta / sqrt(4 - delta^2)) = p0 -
    p(1 - delta^2/2, B) (Owen's identity for the equal-threshold orthant holds for every rho in
    (-1, 1]); at delta = 2 (a = inf) it is 2 T(B, inf) = Q(B) = p0."""
    d, B = check_difference_separation(separation_), v.bias(B)
    if d <= SQRT2:
        return sharper_bound(d, B)
    gap = (2.0 - d) * (2.0 + d)
    if gap <= 0.0:
        return float(special.ndtr(-B))
    return float(2.0 * special.owens_t(B, d / math.sqrt(gap)))


def split_probability(rho, B: float):
    """P[Z1 >= B, Z2 < B] = p0 - p(rho, B) for 0 <= rho <= 1, without the cancellation of the
    difference: the Gaussian measure of the wedge {U >= B, rho U + sqrt(1-rho^2) V < B} with apex
    c = (B, B h), h = sqrt((1-rho)/(1+rho)), and angle theta = arccos(rho), in polar coordinates
    around the apex: e^{-|c|^2/2}/(2 pi) int_0^theta (1 - k R(k)) d alpha, k = c . e(alpha),
    e(alpha) = (sin alpha, -cos alpha), R = Q/phi the Mills ratio. Vectorized over rho."""
    B = v.bias(B)
    r = v.correlation("rho", rho)
    if np.any(r < 0):
        v.fail("rho", float(r.min()), "0 <= rho <= 1 (the wedge form covers link 4's range)")
    return _split_core(np.arccos(r), np.sqrt((1.0 - r) / (1.0 + r)), 1.0 + r, B)


def split_probability_at_separation(separation_: float, B: float) -> float:
    """p0 - p(1 - delta^2/2, B) from delta itself (theta = 2 arcsin(delta/2), h = delta/sqrt(4 -
    delta^2), 1 + rho = (4 - delta^2)/2), so that tiny delta keeps full relative accuracy."""
    d, B = check_separation(separation_), v.bias(B)
    return _split_core(2.0 * math.asin(d / 2), _owens_a(d), (4.0 - d * d) / 2.0, B)


def split_probability_mp(rho, B: float, dps: int = 30):
    """mpmath twin by the conditioning integral int_B^inf phi(z) Phi((B - rho z)/sqrt(1-rho^2)) dz
    (``rho`` may be an mpf, so that rho = 1 - delta^2/2 keeps its digits)."""
    dps = v.dps(dps)
    B = v.bias(B)
    if not isinstance(rho, mp.mpf):
        rho = float(v.correlation("rho", rho))
    if rho < 0 or rho > 1:
        v.fail("rho", float(rho), "0 <= rho <= 1")
    v.mp_quad_work(dps)
    with mp.workdps(dps):
        Bm, r = mp.mpf(B), mp.mpf(rho)
        if r == 1:
            return mp.mpf(0)
        s = mp.sqrt((1 - r) * (1 + r))
        # phi(B) factored out (mp.quad's tolerance is absolute): exp(-(z^2 - B^2)/2)
        f = lambda z: mp.exp(-(z - Bm) * (z + Bm) / 2) * mp.ncdf((Bm - r * z) / s)  # noqa: E731
        # phi(z) falls on the scale 1/B beyond B, the Phi factor steps at B / rho over s / rho
        pts = [Bm] + [Bm + t / max(Bm, 1) for t in (0.5, 2, 6, 15)]
        if r > 0:
            z0 = Bm / r
            pts += [z0 + k * s / r for k in (-8, -2, 0, 2, 8) if z0 + k * s / r > Bm]
        # beyond B + 40 the integrand is below e^{-800} (for rho < ~1e-25, B / rho lies there:
        # those break points are dropped, or mp.quad would integrate out and back)
        pts = sorted(p for p in set(pts) if p < Bm + 40) + [Bm + 40]
        return mp.npdf(Bm) * mp.quad(f, pts)


def split_probability_at_separation_mp(separation_: float, B: float, dps: int = 30):
    """mpmath twin of :func:`split_probability_at_separation`."""
    dps = v.dps(dps)
    d = check_separation(separation_)
    v.mp_quad_work(dps + 10)
    with mp.workdps(dps + 10):
        # the double nearest sqrt 2 exceeds it: clamp rho = 1 - delta^2/2 (>= 0 on the domain)
        rho = max(mp.mpf(0), 1 - mp.mpf(d) ** 2 / 2)
        return split_probability_mp(rho, B, dps + 10)


def p0_relaxation(B: float) -> float:
    """The paper's lower bound on p0 = Q(B): max(1/2 - B/sqrt(2 pi), phi(B)(1/B - 1/B^3)); the
    second (Mills) term only for B > 0."""
    B = v.bias(B)
    first = 0.5 - B / math.sqrt(2 * math.pi)
    if B <= 1.0:  # the Mills term phi(B)(1/B - 1/B^3) is <= 0 there (and overflows as B -> 0)
        return first
    return max(first, float(phi(B)) * (1.0 / B - 1.0 / B**3))


def p0_relaxation_mp(B: float, dps: int = 30):
    """mpmath twin of :func:`p0_relaxation`."""
    dps = v.dps(dps)
    B = v.bias(B)
    with mp.workdps(dps):
        Bm = mp.mpf(B)
        first = mp.mpf(1) / 2 - Bm / mp.sqrt(2 * mp.pi)
        if B == 0:
            return first
        return max(first, mp.npdf(Bm) * (1 / Bm - 1 / Bm**3))
