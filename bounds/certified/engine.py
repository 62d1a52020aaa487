"""Branch and bound over boxes in ball arithmetic.

A :class:`Part` is one compact box of the (transformed) domain with an enclosure of the margin
(g - f for a claim f <= g, in whatever normalisation the form uses) over any sub-box. The
margin is *proven* on a box when its enclosure is certainly >= 0 (non-strict: an equality
attained on the boundary, as Q(0) = 1/2 e^0, is allowed when the enclosure there is exact).
Boxes are taken most doubtful first (lowest lower bound of the margin, then lowest upper
bound; ties by creation order, so the run is deterministic); an unproven box has its midpoint evaluated as a point
ball: a margin certainly < 0 there is a candidate counterexample, mapped back to the claim's
own parameters and confirmed by the caller's mpmath check at high precision before the result
reads REFUTED. Otherwise the box is bisected along its widest coordinate (relative to the
part's box). The budget counts box evaluations; when it runs out the result is UNDECIDED with
the boxes left.
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

try:  # the package imports without python-flint; a call then says which extra to install
    import flint
except ImportError:  # pragma: no cover - depends on the install
    flint = None

__all__ = ["CERTIFIED", "REFUTED", "UNDECIDED", "Part", "Certificate", "branch_and_bound"]

CERTIFIED, REFUTED, UNDECIDED = "CERTIFIED", "REFUTED", "UNDECIDED"
PREC = 128  # bits of the balls (the enclosures lose a few bits to cancellation near B -> infinity)


def _require_flint():
    """The flint module, or ImportError naming the extra that installs it."""
    if flint is None:
        raise ImportError('certification needs python-flint: pip install -e ".[certify]"')
    return flint


def _interval(lo: float, hi: float):
    """The ball containing [lo, hi] (endpoints exact floats; the radius is rounded up)."""
    arb = _require_flint().arb
    a, b = arb(lo), arb(hi)
    return a if lo == hi else a.union(b)


@dataclass(frozen=True)
class Part:
    """One compact box of the domain.

    ``margin(box)`` encloses g - f over ``box``: an ``arb`` ball, or a pair ``(lower, upper)`` of
    balls with lower.lower() <= g - f <= upper.upper() (a ball [0, d] is never exact at 0, its
    radius being rounded up; two balls keep an exact 0 lower bound exact) (a tuple of ``(lo, hi)`` float pairs, one per
    name in ``names``) as an ``arb``; ``point(x)`` maps a point of the box to the claim's own
    parameters (None where it is not a point of the domain, e.g. w = 0 standing for
    B = infinity); ``check(params)`` is the mpmath margin at those parameters (negative: a
    counterexample)."""

    name: str
    names: tuple[str, ...]
    box: tuple[tuple[float, float], ...]
    margin: Callable[[tuple[tuple[float, float], ...]], Any]
    point: Callable[[tuple[float, ...]], dict | None]
    check: Callable[[dict], Any]


@dataclass(frozen=True)
class Certificate:
    """Outcome of :func:`branch_and_bound`.

    ``status`` is CERTIFIED (every box proven), REFUTED (``counterexample``: the claim's
    parameters, with the mpmath margin ``check_value`` < 0 there) or UNDECIDED (``left``: the
    boxes not proven when the budget ran out, as ``(part name, box)``). ``min_margin`` is the
    smallest proven lower bound of the margin over the proven boxes; ``per_part`` gives
    ``(name, boxes evaluated, smallest proven margin)``."""

    status: str
    boxes: int
    min_margin: float
    seconds: float
    counterexample: dict | None = None
    check_value: Any = None
    failed_box: tuple | None = None
    left: tuple = ()
    per_part: tuple = field(default_factory=tuple)


def _lower(x) -> float:
    """A float <= every point of the ball x (-inf when x is not finite)."""
    if not x.is_finite():
        return -math.inf
    lo = float(x.lower())
    return lo if x >= 0 and lo >= 0 else math.nextafter(lo, -math.inf)


def _pair(m):
    return m if isinstance(m, tuple) else (m, m)


def _mid(box):
    return tuple(0.5 * (a + b) for a, b in box)


def _split(box, scale):
    """Bisect along the coordinate widest relative to the part's own box."""
    k = max(range(len(box)), key=lambda i: (box[i][1] - box[i][0]) / scale[i])
    a, b = box[k]
    m = 0.5 * (a + b)
    left, right = list(box), list(box)
    left[k], right[k] = (a, m), (m, b)
    return tuple(left), tuple(right)


def branch_and_bound(parts: Sequence[Part], budget: int = 20_000, min_width: float = 1e-12) -> Certificate:
    """Prove margin >= 0 on every part, refute it at a point, or run out of ``budget`` box
    evaluations. A box narrower than ``min_width`` (relative to its part) in every coordinate
    is not bisected further and is left unproven (the result is then UNDECIDED)."""
    fl = _require_flint()
    old = fl.ctx.prec
    fl.ctx.prec = PREC
    t0 = time.perf_counter()
    try:
        return _run(list(parts), int(budget), float(min_width), t0)
    finally:
        fl.ctx.prec = old


def _run(parts, budget, min_width, t0) -> Certificate:
    heap: list = []
    counter = 0
    used = 0
    counts = [0] * len(parts)
    mins = [math.inf] * len(parts)
    stuck: list = []
    scales = [tuple(max(b - a, 1e-300) for a, b in p.box) for p in parts]

    def push(i, box):
        nonlocal counter, used
        used += 1
        counts[i] += 1
        m, up = _pair(parts[i].margin(box))
        lo = _lower(m)
        if m >= 0:
            mins[i] = min(mins[i], lo)
            return
        # most doubtful first: lowest lower bound, then lowest upper bound (where the margin
        # can be negative most), then creation order
        hi = float(up.upper()) if up.is_finite() else math.inf
        heapq.heappush(heap, (lo, hi, counter, i, box))
        counter += 1

    def done(status, **kw):
        per = tuple((p.name, counts[i], mins[i]) for i, p in enumerate(parts))
        return Certificate(status, used, min(mins) if mins else math.inf, time.perf_counter() - t0,
                           per_part=per, **kw)

    for i, p in enumerate(parts):
        push(i, tuple(p.box))
    while heap:
        if used >= budget:
            left = tuple((parts[i].name, box) for _, _, _, i, box in sorted(heap)) + tuple(stuck)
            return done(UNDECIDED, left=left)
        _, _, _, i, box = heapq.heappop(heap)
        part = parts[i]
        x = _mid(box)
        _, mval = _pair(part.margin(tuple((c, c) for c in x)))
        used += 1
        counts[i] += 1
        if mval < 0:  # certainly negative at a point: confirm in the claim's own form
            params = part.point(x)
            if params is not None:
                value = part.check(params)
                if value < 0:
                    return done(REFUTED, counterexample=params, check_value=value, failed_box=(part.name, box))
        if all((b - a) / s < min_width for (a, b), s in zip(box, scales[i])):
            stuck.append((part.name, box))
            continue
        for sub in _split(box, scales[i]):
            push(i, sub)
    if stuck:
        return done(UNDECIDED, left=tuple(stuck))
    return done(CERTIFIED)
