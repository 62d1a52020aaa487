"""Ball enclosures for Lemma A.4: p_flip(B, R) = Q(B - 2R) - Q(B + 2R) <= c R e^{-B^2/2}, 0 < R <= 1/B.

With x = B + 2 R u, p_flip = 2 R e^{-B^2/2} / sqrt(2 pi) * I(t, x) where

    I(t, x) = int_{-1}^{1} exp(-2 t u - x u^2) du,   t = B R,  x = 2 R^2,

so the ratio p_flip / (R e^{-B^2/2}) = (2 / sqrt(2 pi)) I(t, x) has no 0/0 at R -> 0, and with
w = 1/B (x = 2 t^2 w^2) the region B >= 2 is the compact box (t, w) in [0, 1] x [0, 1/2],
B -> infinity included as w = 0. Two facts bound it:

- I decreases in x >= 0 (the integrand does), so over x in [x_lo, x_hi] it lies between
  I(t, x_hi) and I(t, x_lo);
- I(t, 0) = sinh(2t)/t increases in t (a power series in t^2 with positive coefficients), so
  ratio <= (2 / sqrt(2 pi)) sinh(2 t_hi) / t_hi <= (2 / sqrt(2 pi)) sinh 2 = (e^2 - e^-2)/sqrt(2 pi)
  = C_TIGHT for t <= t_hi <= 1: the supremum, approached as B -> infinity with R = 1/B.

I(t, x) is enclosed by its double series 2 sum_{k,j} (-x)^k (2t)^{2j} / (k! (2j)! (2k + 2j + 1))
with rigorous tails (t <= 2, x <= 2). The domain is covered by four parts:

- ``B >= 2``: (t, w) in [0, 1] x [0, 1/2], B = 1/w, R = t w;
- ``B <= 1, R <= 1``: (B, R) in [0, 1]^2;
- ``1 <= B <= 2``: (B, t) in [1, 2] x [0, 1], R = t / B;
- ``R >= 1`` (then B <= 1/R <= 1): (s, b) in [0, 1]^2, R = 1/s, B = s b, t = b; here only the
  second fact and ratio = s e^{B^2/2} p_flip <= s e^{s^2 b^2/2} (p_flip <= 1) bound the ratio
  over a box (x = 2/s^2 is unbounded); at a point it is computed from erfc.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, Callable

from .engine import Part, _interval, _require_flint

__all__ = []

# part -> (variable names, box)
PARTS: dict[str, tuple[tuple[str, ...], tuple[tuple[float, float], ...]]] = {
    "B >= 2": (("t", "w"), ((0.0, 1.0), (0.0, 0.5))),
    "B <= 1, R <= 1": (("B", "R"), ((0.0, 1.0), (0.0, 1.0))),
    "1 <= B <= 2": (("B", "t"), ((1.0, 2.0), (0.0, 1.0))),
    "R >= 1": (("s", "b"), ((0.0, 1.0), (0.0, 1.0))),
}
# part -> the claim's parameters B, R as formulas of the part's variables
SUBSTITUTIONS: dict[str, dict[str, str]] = {
    "B >= 2": {"B": "1/w", "R": "t*w"},
    "B <= 1, R <= 1": {"B": "B", "R": "R"},
    "1 <= B <= 2": {"B": "B", "R": "t/B"},
    "R >= 1": {"B": "s*b", "R": "1/s"},
}
_J = 16  # terms in (2t)^{2j}: t <= 1, 4^16/32! < 1e-25


@lru_cache(maxsize=8)
def _coefficients(K: int, prec: int):
    arb = _require_flint().arb
    return [[2 / (arb.fac_ui(k) * arb.fac_ui(2 * j) * (2 * k + 2 * j + 1)) for j in range(_J)] for k in range(K)]


def _terms_for(x_hi: float) -> int:
    """Terms in x: x_hi^K / K! < 1e-22."""
    K, term = 1, x_hi
    while term > 1e-22:
        K += 1
        term *= x_hi / K
    return K + 1


def _series(t, x, t_hi: float, x_hi: float):
    """Enclosure of I(t, x) for balls t in [0, 1], x in [0, 2] (t_hi, x_hi: upper ends)."""
    arb = _require_flint().arb
    K = _terms_for(max(x_hi, 1e-300))
    c = _coefficients(K, _require_flint().ctx.prec)
    T = 4 * t * t
    powers = [arb(1)]
    for _ in range(1, _J):
        powers.append(powers[-1] * T)
    # tail in j: sum_{j >= J} (2t)^{2j}/(2j)! <= (2 t_hi)^{2J}/(2J)! cosh(2 t_hi); times 2, and by e^x for all k
    tail_j = 2 * (4 * arb(t_hi) * arb(t_hi)) ** _J / arb.fac_ui(2 * _J) * (2 * arb(t_hi)).cosh() * arb(x_hi).exp()
    # tail in k: sum_{k >= K} x^k/k! M_k <= M_0 x^K/K! e^x, M_0 = sinh(2t)/t <= sinh 2
    tail_k = arb(2).sinh() * arb(x_hi) ** K / arb.fac_ui(K) * arb(x_hi).exp()
    total = arb(0)
    xk = arb(1)
    for k in range(K):
        Mk = arb(0)
        for j in range(_J):
            Mk += c[k][j] * powers[j]
        total += xk * Mk
        xk = -xk * x
    rad = tail_j + tail_k
    return total + rad * arb(0, 1)  # [-rad, rad], in ball arithmetic (no float rounding or underflow)


def _c_tight():
    arb = _require_flint().arb
    return 2 * arb(2).sinh() / (2 * arb.pi()).sqrt()


def _face_gap(t_hi: float):
    """A lower bound >= 0 of C_TIGHT - (2/sqrt(2 pi)) sinh(2 t_hi)/t_hi for t_hi <= 1:
    (4/sqrt(2 pi)) sum_{j >= 1} 4^j (1 - t_hi^{2j}) / (2j + 1)!, each term >= 0 (exactly 0 at t_hi = 1)."""
    arb = _require_flint().arb
    if t_hi >= 1.0:
        return arb(0)
    t2 = arb(t_hi) * arb(t_hi)
    s, p = arb(0), arb(1)
    for j in range(1, _J):
        p = p * t2
        s += arb(4) ** j * (1 - p) / arb.fac_ui(2 * j + 1)
    g = 4 * s / (2 * arb.pi()).sqrt()
    lo = float(g.lower())
    return arb(max(0.0, math.nextafter(lo, -math.inf))) if lo > 0 else arb(0)


def _ratio_point_R_ge_1(s: float, b: float):
    """The ratio at one point of the part R >= 1 (s > 0), from erfc in ball arithmetic."""
    arb = _require_flint().arb
    R = 1 / arb(s)
    B = arb(s) * arb(b)
    r2 = arb(2).sqrt()
    p = ((B - 2 * R) / r2).erfc() / 2 - ((B + 2 * R) / r2).erfc() / 2
    return p * (B * B / 2).exp() / R


def _enclosure_of_D(part: str, box):
    """``(lower, upper)``: balls with lower.lower() <= D <= upper.upper() over ``box`` of
    ``part``, D = C_TIGHT - p_flip / (R e^{-B^2/2}) >= 0. Two balls, not one: a ball [0, d]
    cannot be exact at 0 (its radius is rounded up), and at the supremum D's lower bound is
    exactly 0."""
    arb = _require_flint().arb
    (a0, a1), (b0, b1) = box
    ct = _c_tight()
    if part == "B >= 2":
        t_lo, t_hi, x_lo, x_hi = a0, a1, 2 * a0 * a0 * b0 * b0, 2 * a1 * a1 * b1 * b1
    elif part == "B <= 1, R <= 1":
        t_lo, t_hi, x_lo, x_hi = a0 * b0, a1 * b1, 2 * b0 * b0, 2 * b1 * b1
    elif part == "1 <= B <= 2":
        t_lo, t_hi, x_lo, x_hi = b0, b1, 2 * b0 * b0 / (a1 * a1), 2 * b1 * b1 / (a0 * a0)
    else:  # R >= 1: t = b, x = 2/s^2 unbounded: ratio <= face value, and ratio = s e^{B^2/2} p_flip
        if a0 == a1 and a0 > 0 and b0 == b1:  # <= s e^{s^2 b^2 / 2} (p_flip <= 1); p_flip >= 0 above
            d = ct - _ratio_point_R_ge_1(a0, b0)
            return d, d
        face = _face_gap(b1)
        tail = ct - arb(a1) * (arb(a1) * arb(a1) * arb(b1) * arb(b1) / 2).exp()
        return (face if float(face.lower()) >= float(tail.lower()) else tail), ct
    # the float products above are rounded: widen by a relative ulp-sized margin
    t_lo, t_hi = max(0.0, t_lo * (1 - 1e-15)), min(1.0, t_hi * (1 + 1e-15))
    x_lo, x_hi = max(0.0, x_lo * (1 - 1e-15)), x_hi * (1 + 1e-15)
    t = _interval(t_lo, t_hi)
    k = 2 / (2 * arb.pi()).sqrt()
    d_lo = ct - k * _series(t, arb(x_lo), t_hi, x_lo)  # I largest at x_lo
    d_hi = ct - k * _series(t, arb(x_hi), t_hi, x_hi)
    face = _face_gap(t_hi)
    return (face if float(face.lower()) >= float(d_lo.lower()) else d_lo), d_hi


def parts(gap: Callable[[str, tuple], Any], check: Callable[[dict], Any]) -> list[Part]:
    """The four parts of Lemma A.4's domain for a bound h R e^{-B^2/2}: the margin over a box
    is gap(part, box) + D(box), where ``gap`` encloses h - C_TIGHT over the box (in the part's
    variables, see :data:`SUBSTITUTIONS`) and D = C_TIGHT - ratio >= 0 is enclosed here (the
    margin is returned as two balls, lower and upper, see :func:`.engine.branch_and_bound`);
    ``check(params)`` is the mpmath margin at the claim's parameters {"B", "R"}."""

    def make(name):
        names, box = PARTS[name]

        def margin(b, name=name):
            g = gap(name, b)
            lo, hi = _enclosure_of_D(name, b)
            return g + lo, g + hi

        return Part(name, names, box, margin, lambda x, name=name: _params(name, x), check)

    return [make(n) for n in PARTS]


def _params(part: str, x) -> dict | None:
    a, b = x
    if part == "B >= 2":
        return None if a <= 0 or b <= 0 else {"B": 1 / b, "R": a * b}
    if part == "B <= 1, R <= 1":
        return None if b <= 0 else {"B": a, "R": b}
    if part == "1 <= B <= 2":
        return None if b <= 0 else {"B": a, "R": b / a}
    return None if a <= 0 else {"B": a * b, "R": 1 / a}
