"""The one search plan over a claim's domain, used by :func:`montecarlo.falsify`,
:func:`montecarlo.tightness` and the report's sweep (:mod:`reports.sweep`).

The plan, deterministic given the seed, for ``examples`` evaluations:

1. the domain's corners (at most ``examples // 5`` of them, at least one): extremes are where
   a constant, an exponent or a log factor most often breaks;
2. random draws, ``3/5`` of what is left, all drawn before any evaluation (so the sequence
   of points does not depend on the verdicts);
3. a local search: the rest of the budget perturbs the worst point found so far, with steps
   shrinking from 0.2 of each range by a factor 2 every quarter of the phase.

"Worst" is decided by a ranking function (severity for falsify, closeness for the report,
measured/bound for tightness) among the points that are *applicable* (the claim's
hypothesis holds there, ``Evidence.applicable``) and not *vacuous* (``Evidence.vacuous``:
both sides 0 without a log form, which says nothing). Refuted applicable points always rank
above unrefuted ones. A search may stop at its first refutation (a mutant's counterexample).

The budget a mutant gets (:data:`MUTANT_FLOOR`, :data:`MUTANT_BUDGET`,
:func:`mutant_examples`) is defined here once: the tests (``tests/test_registry.py``) and the
report refute mutants with the same effort.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

from bounds import validate as v

from ..registry import Claim, Domain, Evidence, Params
from ..sim.seeding import derive
from ..sim.seeding import rng as make_rng

__all__ = ["CI_EXAMPLES", "MUTANT_FLOOR", "MUTANT_BUDGET"]

MUTANT_FLOOR = 20
"""Fewest examples a mutant's search gets (it stops at its first counterexample)."""
MUTANT_BUDGET = 200
"""Examples per unit of weight a mutant's search gets: ``max(MUTANT_FLOOR, MUTANT_BUDGET * weight)``."""


CI_EXAMPLES = 100
"""Examples per unit of weight of the tests' ``ci`` hypothesis profile; the default report
spends the same (:func:`claim_examples`), so the main job has the tests' power."""


def claim_examples(claim: Claim, base: int = CI_EXAMPLES) -> int:
    """Examples for a (non-mutant) claim: ``max(3, round(base * weight))``."""
    assert isinstance(claim, Claim) and base >= 1, (claim, base)  # the sweep's own values
    return max(3, int(round(base * claim.weight)))


SUB_DOMAIN_FLOOR = 3
"""Fewest examples each sub-domain of a claim gets (:func:`split_examples`)."""


def split_examples(examples: int, parts: int) -> list[int]:
    """A claim's ``examples`` split over its ``parts`` sub-domains
    (:func:`montecarlo.registry.store.sub_domains`): an even share each, at least
    :data:`SUB_DOMAIN_FLOOR`, the remainder to the first (the claim's own domain). One part
    gets the whole budget; the split depends on the counts only (deterministic)."""
    assert examples >= 0 and parts >= 1, (examples, parts)  # counts from the sweep and the tests
    if parts == 1:
        return [examples]
    share = max(min(SUB_DOMAIN_FLOOR, examples), examples // parts)
    return [max(share, examples - share * (parts - 1))] + [share] * (parts - 1)


def sub_domain_seed(seed: int, origin: str, index: int) -> int:
    """The search seed of a claim's sub-domain: the claim's own seed for its own domain
    (index 0), else one derived from the seed and the sub-domain's origin (the mutant's key),
    so adding a mutant never moves the other sub-domains' points."""
    assert isinstance(origin, str) and index >= 0, (origin, index)  # a sweep's validated seed and keys
    return seed if index == 0 else derive(seed, "sub_domain", origin)


def mutant_examples(claim: Claim) -> int:
    """The examples the tests and the report spend to refute the mutant ``claim``."""
    if not isinstance(claim, Claim):
        v.fail("claim", claim, "a Claim (montecarlo.registry.get(key))")
    return max(MUTANT_FLOOR, int(MUTANT_BUDGET * claim.weight))


def plan_sizes(examples: int, n_corners: int) -> tuple[int, int, int]:
    """(corners, random draws, local steps) of a plan of ``examples`` evaluations."""
    assert examples >= 0 and n_corners >= 0, (examples, n_corners)  # called by Search, with counts
    n_corner = min(n_corners, max(1, examples // 5))
    n_random = max(0, (examples - n_corner) * 3 // 5)
    return n_corner, n_random, examples - n_corner - n_random


def local_scale(k: int, n_local: int) -> float:
    """Step of the k-th local move: 0.2 of each range, halved every quarter of the phase."""
    assert k >= 0 and n_local >= 0, (k, n_local)  # called by Search only, with counts
    return 0.2 * 0.5 ** (4 * k / max(1, n_local))


def severity(ev: Evidence) -> float:
    """The registry's severity (measured/bound towards violation; > 1 is past the bound)."""
    if not isinstance(ev, Evidence):
        v.fail("ev", ev, "an Evidence (montecarlo.check(...))")
    return ev.severity


def closeness(ev: Evidence, claim: Claim) -> float:
    """How close a point came to refuting ``claim`` (1 = on the verge): the registry's
    severity for inequalities (capped at 1 for exact values past the bound only within the
    round-off allowance); for an exact identity the deviation |measured - bound| in units
    of the claim's round-off allowance; for a Monte Carlo identity (an interval) the distance
    from the point value to the bound in units of the half-interval on the bound's side."""
    if not isinstance(claim, Claim):
        v.fail("claim", claim, "a Claim (montecarlo.registry.get(key))")
    if not isinstance(ev, Evidence):
        v.fail("ev", ev, "an Evidence (montecarlo.check(...))")
    m, b = ev.measurement, ev.bound
    if ev.vacuous:
        return math.nan
    if ev.sense != "==":
        if ev.severity > 1 and not ev.refuted and _exact(m):
            return 1.0  # past the bound only within the round-off allowance
        return ev.severity
    if ev.log_space:
        return _log_closeness(ev, claim)
    if m.lower == m.upper:
        gap, half = abs(m.value - b), claim.rtol * abs(b) + claim.atol
    elif b >= m.value:
        gap, half = b - m.value, m.upper - m.value
    else:
        gap, half = m.value - b, m.value - m.lower
    if half > 0:
        return gap / half
    return 0.0 if gap == 0 else math.inf


def _log_closeness(ev: Evidence, claim: Claim) -> float:
    """:func:`closeness` of an identity decided on logs: the same ratios, measured in logs."""
    m, lb = ev.measurement, ev.log_bound
    lv = m.log_value if m.log_value is not None else _log(m.value)
    if _exact(m):
        gap = abs(math.expm1(ev.log_ratio)) if abs(ev.log_ratio) < 700 else math.inf
        half = claim.rtol + (math.exp(min(700.0, math.log(claim.atol) - lb)) if claim.atol > 0 else 0.0)
    elif lb >= lv:
        lu = m.log_upper if m.log_upper is not None else _log(m.upper)
        gap, half = lb - lv, lu - lv
    else:
        ll = m.log_lower if m.log_lower is not None else _log(m.lower)
        gap, half = lv - lb, lv - ll
    if half > 0:
        return gap / half
    return 0.0 if gap == 0 else math.inf


def _exact(m) -> bool:
    """An exact value (equal limits), read on the log fields when the measurement has them:
    a Monte Carlo interval whose float limits both underflowed to 0 (or overflowed) is not
    an exact value."""
    if m.log_lower is not None and m.log_upper is not None:
        return m.log_lower == m.log_upper
    return m.lower == m.upper


def _log(x: float) -> float:
    return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)


def usable(ev: Evidence) -> bool:
    """A point that may decide a verdict: applicable and not vacuous."""
    if not isinstance(ev, Evidence):
        v.fail("ev", ev, "an Evidence (montecarlo.check(...))")
    return ev.applicable and not ev.vacuous


@dataclass
class Search:
    """One run of the plan. Construct, call :meth:`run`; the state stays readable when an
    evaluation raises (the report keeps the points seen before a broken measurement).

    ``evaluate(params) -> Evidence`` is the verdict at built parameters, ``rank`` orders
    points (larger = worse), ``applicable`` says which points may decide (default
    :func:`usable`), ``stop_at_first`` ends the search at the first usable refutation, and
    ``on_point`` sees every evaluation (a progress bar).
    """

    domain: Domain
    evaluate: Callable[[Params], Evidence]
    examples: int
    seed: int
    rank: Callable[[Evidence], float] = severity
    applicable: Callable[[Evidence], bool] = usable
    stop_at_first: bool = False
    on_point: Callable[[Evidence], None] | None = None
    points: list[Evidence] = field(default_factory=list)
    raws: list[Params] = field(default_factory=list)
    worst: Evidence | None = None
    worst_raw: Params | None = None
    counterexample: Evidence | None = None

    @property
    def used(self) -> int:
        return len(self.points)

    def worse(self, a: Evidence, b: Evidence) -> bool:
        """``a`` ranks above ``b``: refuted first, then by ``rank``."""
        if a.refuted != b.refuted:
            return a.refuted
        return self.rank(a) > self.rank(b)

    def consider(self, raw: Params, ev: Evidence) -> bool:
        """Record one evaluated point; True when the search should stop."""
        self.points.append(ev)
        self.raws.append(raw)
        if self.on_point is not None:
            self.on_point(ev)
        if self.worst_raw is None:
            self.worst_raw = raw
        if not self.applicable(ev):
            return False
        if self.worst is None or self.worse(ev, self.worst):
            self.worst, self.worst_raw = ev, raw
        if ev.refuted and (self.counterexample is None or self.worse(ev, self.counterexample)):
            self.counterexample = ev
        return ev.refuted and self.stop_at_first

    def try_raw(self, raw: Params) -> bool:
        return self.consider(raw, self.evaluate(self.domain.build(raw)))

    def run(self) -> "Search":
        dom = self.domain
        gen = make_rng(self.seed)
        corners = dom.corners_raw()
        n_corner, n_random, n_local = plan_sizes(self.examples, len(corners))
        plan = corners[:n_corner] + [dom.sample_raw(gen) for _ in range(n_random)]
        for raw in plan:
            if self.try_raw(raw):
                return self
        for k in range(n_local):
            if self.try_raw(dom.perturb_raw(self.worst_raw, gen, local_scale(k, n_local))):
                return self
        return self
