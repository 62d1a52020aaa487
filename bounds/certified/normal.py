"""Ball enclosures for bounds on the normal tail over all B >= 0 (B -> infinity as w = 1/B -> 0).

Both sides are normalised by e^{-B^2/2}/2, so the claims read F(B) <= h(B) with

- ``Q``: F(B) = 2 e^{B^2/2} Q(B) = erfcx(B / sqrt 2)   (Lemma A.18's Q(B) <= e^{-B^2/2}/2);
- ``v``: F(B) = 2 e^{B^2/2} v(B) = (1 + B^2) erfcx(B / sqrt 2) - 2 B / sqrt(2 pi), v(B) = E[(Z - B)_+^2]
  (Lemma A.5's v(B) <= e^{-B^2/2}/2).

Both F decrease in B: erfcx(B/sqrt 2) = (2/sqrt(2 pi)) int_0^inf e^{-B s - s^2/2} ds and
F_v(B) = (2/sqrt(2 pi)) int_0^inf s^2 e^{-B s - s^2/2} ds (v(B) = phi(B) int_0^inf s^2
e^{-B s - s^2/2} ds), integrands decreasing in B. Over a box [B_lo, B_hi] F therefore lies in
[F(B_hi), F(B_lo)] (F(infinity) = 0), each end a point evaluation in ball arithmetic (arb's
erfc has no underflow; the cancellation of F_v at large B costs bits, not correctness). At
B = 0 both F are exactly 1 (erfc(0) = e^0 = 1 exactly), so equality there is certified exactly.
Parts: ``B <= 4`` (variable B in [0, 4]) and ``B >= 4`` (w in [0, 1/4], B = 1/w).
"""

from __future__ import annotations

from typing import Any, Callable

from .engine import Part, _interval, _require_flint

__all__ = []

PARTS: dict[str, tuple[tuple[str, ...], tuple[tuple[float, float], ...]]] = {
    "B <= 4": (("B",), ((0.0, 4.0),)),
    "B >= 4": (("w",), ((0.0, 0.25),)),
}
SUBSTITUTIONS: dict[str, dict[str, str]] = {"B <= 4": {"B": "B"}, "B >= 4": {"B": "1/w"}}


def _F(which: str, B):
    """F at a (tiny) ball B."""
    arb = _require_flint().arb
    e = (B / arb(2).sqrt()).erfc() * (B * B / 2).exp()
    if which == "Q":
        return e
    return (1 + B * B) * e - 2 * B / (2 * arb.pi()).sqrt()


def _B_ends(part: str, box):
    """Balls containing B_lo and B_hi of the box (None for B_hi = infinity)."""
    arb = _require_flint().arb
    (a, b), = box
    if part == "B <= 4":
        return arb(a), arb(b)
    return 1 / arb(b), (None if a <= 0 else 1 / arb(a))


def parts(which: str, h: Callable[[str, tuple], Any], check: Callable[[dict], Any]) -> list[Part]:
    """The two parts of B >= 0 for the claim F_which(B) <= h(B): the margin h - F over a box
    as (lower, upper) balls; ``h(part, box)`` encloses h over the box in the part's variable
    (:data:`SUBSTITUTIONS`), ``check(params)`` is the mpmath margin at {"B": ...}."""
    if which not in ("Q", "v"):
        raise ValueError(f"which={which!r} violates the condition: 'Q' or 'v'")
    arb = _require_flint().arb

    def make(name):
        names, box0 = PARTS[name]

        def margin(box, name=name):
            lo_end, hi_end = _B_ends(name, box)
            hv = h(name, box)
            f_hi = _F(which, lo_end)
            f_lo = arb(0) if hi_end is None else _F(which, hi_end)
            return hv - f_hi, hv - f_lo

        def point(x, name=name):
            (w,) = x
            if name == "B <= 4":
                return {"B": w}
            return None if w <= 0 else {"B": 1 / w}

        return Part(name, names, box0, margin, point, check)

    return [make(n) for n in PARTS]


# ------------------------------------------------------------- the relaxation of p0 = Q(B)
P0_PARTS: dict[str, tuple[tuple[str, ...], tuple[tuple[float, float], ...]]] = {
    "B <= 1": (("B",), ((0.0, 1.0),)),
    "1 <= B <= 4": (("B",), ((1.0, 4.0),)),
    "B >= 4": (("w",), ((0.0, 0.25),)),
}


def _Q(B):
    return (B / _require_flint().arb(2).sqrt()).erfc() / 2


def _phi(B):
    arb = _require_flint().arb
    return (-B * B / 2).exp() / (2 * arb.pi()).sqrt()


def _p0_pieces_at(B):
    """(Q - L1, Q - L2) at a ball B > 0: L1 = 1/2 - B/sqrt(2 pi), L2 = phi(B)(1/B - 1/B^3)."""
    arb = _require_flint().arb
    q = _Q(B)
    return q - (arb(1) / 2 - B / (2 * arb.pi()).sqrt()), q - _phi(B) * (1 / B - 1 / (B * B * B))


def p0_relaxation_parts(check: Callable[[dict], Any]) -> list[Part]:
    """Parts of B >= 0 for Q(B) >= max(L1, L2), L1 = 1/2 - B/sqrt(2 pi), L2 = phi(B)(1/B - 1/B^3)
    (B > 0). The margin min(Q - L1, Q - L2) as (lower, upper) balls, each piece in its own scale:

    - Q - L1 increases in B (derivative phi(0) - phi(B) >= 0), so over a box it is >= its value
      at B_lo (exactly 0 at B = 0, where the relaxation is an equality); past B = 4 it is >=
      B_lo/sqrt(2 pi) - 1/2 > 0 (Q > 0);
    - Q - L2 = phi(B) G(B), G = M(B) - 1/B + 1/B^3 with Mills' ratio M = Q/phi: for B <= 1,
      L2 <= 0 < Q, so Q - L2 >= Q(B_hi); on [1, 4] G is enclosed in ball arithmetic (bisection);
      for B >= 4 (w = 1/B) the asymptotic series of M is enveloping (its remainder has the sign
      of the first omitted term and is smaller: 1/B - 1/B^3 + 3/B^5 - 15/B^7 < M(B) < 1/B - 1/B^3
      + 3/B^5 for B > 0, Abramowitz and Stegun 7.1.24), so G / w^5 >= 3 - 15 w^2 > 0.

    ``check(params)`` is the mpmath margin at {"B": ...}."""
    arb = _require_flint().arb

    def margin(name, box):
        (a, b), = box
        if a == b:  # a point: both pieces directly
            if a <= 0:
                if name == "B >= 4":
                    return arb("-inf"), arb("inf")
                return arb(0), arb(0)  # B = 0: Q(0) = 1/2 = L1(0)
            B = arb(a) if name != "B >= 4" else 1 / arb(a)
            p1, p2 = _p0_pieces_at(B)
            m = p1.min(p2)
            return m, m
        if name == "B <= 1":
            B_lo = arb(a)
            low1 = _Q(B_lo) - (arb(1) / 2 - B_lo / (2 * arb.pi()).sqrt()) if a > 0 else arb(0)
            return low1.min(_Q(arb(b))), arb("inf")
        if name == "1 <= B <= 4":
            B_lo = arb(a)
            low1 = _Q(B_lo) - (arb(1) / 2 - B_lo / (2 * arb.pi()).sqrt())
            Bb = _interval(a, b)
            Mills = (Bb / arb(2).sqrt()).erfc() * (Bb * Bb / 2).exp() * (arb.pi() / 2).sqrt()
            G = Mills - 1 / Bb + 1 / (Bb * Bb * Bb)
            low2 = (G * _phi(arb(b))).min(G * _phi(arb(a)))
            return low1.min(low2), arb("inf")
        B_lo = 1 / arb(b)
        low1 = B_lo / (2 * arb.pi()).sqrt() - arb(1) / 2
        low2 = 3 - 15 * arb(b) * arb(b)  # G / w^5
        return low1.min(low2), arb("inf")

    def point(name, x):
        (y,) = x
        if name == "B >= 4":
            return None if y <= 0 else {"B": 1 / y}
        return {"B": y}

    return [Part(n, names, box, (lambda bx, n=n: margin(n, bx)), (lambda x, n=n: point(n, x)), check)
            for n, (names, box) in P0_PARTS.items()]
