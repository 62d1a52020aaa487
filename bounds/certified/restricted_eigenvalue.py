"""Ball enclosures for the scalar links of Theorem 3.12 (FORMULAS.md section 4).

Link 5: 2 T(B, a) >= (1/pi) arcsin(delta/2) exp(-2 B^2 / (4 - delta^2)), a = delta / sqrt(4 - delta^2).
With c = B^2/2 and 1 + a^2 = 4 / (4 - delta^2), Owen's T(B, a) = (1/2 pi) int_0^a
e^{-c (1 + x^2)} / (1 + x^2) dx and arctan(a) = arcsin(delta/2), so after dividing by the
right-hand side N = (1/pi) arctan(a) e^{-c (1 + a^2)}

    2 T / N = 1 + M1(c, a) / arctan(a),   M1(c, a) = int_0^a (e^{c (a^2 - x^2)} - 1) / (1 + x^2) dx >= 0,

M1 increasing in c (the integrand is) and in a (d/da M1 = int_0^a 2 c a e^{c(a^2 - x^2)}/(1 + x^2) dx >= 0).
Over a box M1 / arctan(a) >= M1(c_lo, a_lo) / arctan(a_hi), exactly 0 where c_lo = 0 or a_lo = 0
(B = 0 or delta = 0, where link 5 is an equality). M1 at a point is ``acb.integral`` (a rigorous
integral of an analytic integrand); where c a^2 > 50 only the lower bound
M1 >= (a/2) (e^{3 c a^2 / 4} - 1) / (1 + a^2/4) (the integral over [0, a/2]) is used.
Parts: ``B <= 4`` (delta, B) and ``B >= 4`` (delta, w), B = 1/w; delta in [0, delta_max].
"""

from __future__ import annotations

from typing import Any, Callable

from .engine import Part, _require_flint

__all__ = []

LINK5_SUBSTITUTIONS: dict[str, dict[str, str]] = {"B <= 4": {"separation": "d", "B": "B"},
                                                   "B >= 4": {"separation": "d", "B": "1/w"}}


def _a(d):
    return d / (4 - d * d).sqrt()


def _M1(cb, ab):
    """(lower, upper) balls of M1 over the balls c = cb, a = ab (upper infinite where only the
    lower bound is used)."""
    fl = _require_flint()
    arb, acb = fl.arb, fl.acb
    if cb.is_zero() or ab.is_zero():
        return arb(0), arb(0)
    if float((cb * ab * ab).upper()) > 50:
        lo = ab / 2 * ((3 * cb * ab * ab / 4).exp() - 1) / (1 + ab * ab / 4)
        return lo, arb("inf")

    def f(x, analytic):
        return ((cb * (ab * ab - x * x)).exp() - 1) / (1 + x * x)

    r = acb.integral(f, 0, ab).real
    return r, r


def link5_parts(d_max: float, h: Callable[[str, tuple], Any], check: Callable[[dict], Any]) -> list[Part]:
    """Parts of delta in [0, d_max] (d_max <= sqrt 2), B >= 0 for 2 T / N >= h, the margin
    2 T / N - h = (1 - h) + M1 / arctan(a) as (lower, upper) balls; ``h(part, box)`` encloses
    the candidate over N (:data:`LINK5_SUBSTITUTIONS`), ``check`` the mpmath margin at
    {"separation", "B"}."""
    arb = _require_flint().arb

    def make(name, box0):
        def margin(box, name=name):
            (d0, d1), (y0, y1) = box
            if d0 == d1 and y0 == y1:  # a point: M1 there, both ways
                if d0 <= 0 or (name == "B >= 4" and y0 <= 0):
                    return arb("-inf"), arb("inf")
                B = arb(y0) if name == "B <= 4" else 1 / arb(y0)
                a = _a(arb(d0))
                m_lo, m_hi = _M1(B * B / 2, a)
                hv = h(name, box)
                return (1 - hv) + m_lo / a.atan(), (1 - hv) + m_hi / a.atan()
            # a box: M1 / arctan(a) >= M1(c_lo, a_lo) / arctan(a_hi) (M1 increasing in c and a)
            B_lo = arb(y0) if name == "B <= 4" else 1 / arb(y1)
            c_lo = arb((B_lo * B_lo / 2).lower())
            a_lo = arb(_a(arb(d0)).lower()) if d0 > 0 else arb(0)
            a_lo = a_lo if a_lo >= 0 else arb(0)
            m_lo, _ = _M1(c_lo, a_lo)
            hv = h(name, box)
            at_hi = arb(_a(arb(d1)).atan().upper())
            return (1 - hv) + (m_lo / at_hi if d1 > 0 else arb(0)), arb("inf")

        def point(x, name=name):
            d, y = x
            if d <= 0:
                return None
            if name == "B <= 4":
                return {"separation": d, "B": y}
            return None if y <= 0 else {"separation": d, "B": 1 / y}

        return Part(name, ("d", "B") if name == "B <= 4" else ("d", "w"), box0, margin, point, check)

    return [make("B <= 4", ((0.0, d_max), (0.0, 4.0))), make("B >= 4", ((0.0, d_max), (0.0, 0.25)))]
