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

import math
from typing import Any, Callable

from .engine import Part, _require_flint

__all__ = ["PARTS", "SUBSTITUTIONS", "parts"]

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
