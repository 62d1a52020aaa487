"""Counterexample search: hand a candidate bound for a registered claim, get a refutation
or "no counterexample in N examples" with the worst ratio seen.

    >>> from montecarlo import falsify
    >>> r = falsify("flip_probability.lemma_A4", lambda p: 2.8 * p["R"] * np.exp(-p["B"]**2 / 2))
    >>> print(r)   # REFUTED at {'B': ..., 'R': ...}: measured ... > candidate ...

The search is deterministic given ``seed``: the domain's corners, then random draws, then
a local search that perturbs the worst points found so far with shrinking steps. It uses
exactly the verdict of :func:`montecarlo.registry.check`, so a mutant refuted here is
refuted by the same statistics the property tests use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from bounds import validate as v

from .registry import Claim, Domain, Evidence, Params, check, get

__all__ = ["FalsifyResult", "falsify"]


@dataclass(frozen=True)
class FalsifyResult:
    """Outcome of a search. ``counterexample`` is set when refuted; ``worst`` is the point of
    largest severity seen (the counterexample itself when refuted)."""

    claim: str
    refuted: bool
    examples: int
    worst: Evidence | None
    counterexample: Evidence | None

    @property
    def worst_ratio(self) -> float:
        return math.nan if self.worst is None else self.worst.ratio

    def __str__(self) -> str:
        if self.refuted:
            return f"counterexample after {self.examples} examples: {self.counterexample}"
        w = self.worst
        where = "" if w is None else f"; worst ratio {w.ratio:.6g} at {w.params} ({w})"
        return f"{self.claim}: no counterexample in {self.examples} examples{where}"


def falsify(
    claim: Claim | str,
    candidate: Callable[[Params], float] | None = None,
    *,
    examples: int = 200,
    seed: int = 0,
    domain: Domain | None = None,
    stop_at_first: bool = True,
    progress: bool = False,
) -> FalsifyResult:
    """Search ``claim``'s domain (or ``domain``) for a point where ``candidate`` (default:
    the claim's own bound) is refuted. Returns a :class:`FalsifyResult`."""
    if isinstance(claim, str):
        try:
            claim = get(claim)
        except ValueError:
            v.fail("claim", claim, "a Claim or a registered key (montecarlo.registry.claims())")
    progress = v.boolean("progress", progress)
    stop_at_first = v.boolean("stop_at_first", stop_at_first)
    c = get(claim) if isinstance(claim, str) else claim
    if not isinstance(c, Claim):
        v.fail("claim", claim, "a Claim or a registered key")
    if candidate is not None and not callable(candidate):
        v.fail("candidate", candidate, "a callable params -> float")
    examples = v.positive_int("examples", examples)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        v.fail("seed", seed, "a nonnegative integer (every search must reproduce)")
    seed = v.seed("seed", seed)
    v.work("examples", examples, float(examples) * 1e4)  # one claim check ~ 1e4 operations at least
    if domain is not None and not isinstance(domain, Domain):
        v.fail("domain", domain, "a montecarlo.registry.Domain or None")
    if domain is not None:
        c = replace(c, domain=domain)
    rng = np.random.default_rng(seed)
    dom = c.domain
    corners = dom.corners_raw()
    n_corner = min(len(corners), max(1, examples // 5))
    n_random = max(0, (examples - n_corner) * 3 // 5)
    n_local = examples - n_corner - n_random
    worst: Evidence | None = None
    worst_raw: Params | None = None
    found: Evidence | None = None
    used = 0
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=examples, desc=f"falsify {c.key}", unit="ex")

    def try_raw(raw: Params) -> bool:
        nonlocal worst, worst_raw, found, used
        ev = check(c, dom.build(raw), candidate)
        used += 1
        if bar is not None:
            bar.update(1)
        if worst is None or _worse(ev, worst):
            worst, worst_raw = ev, raw
        if ev.refuted and (found is None or ev.severity > found.severity):
            found = ev
        return ev.refuted and stop_at_first

    try:
        plan = corners[:n_corner] + [dom.sample_raw(rng) for _ in range(n_random)]
        for raw in plan:
            if try_raw(raw):
                break
        else:
            for k in range(n_local):
                scale = 0.2 * 0.5 ** (4 * k / max(1, n_local))
                if try_raw(dom.perturb_raw(worst_raw, rng, scale)):
                    break
    finally:
        if bar is not None:
            bar.close()
    return FalsifyResult(c.key, found is not None, used, found if found is not None else worst, found)


def _worse(a: Evidence, b: Evidence) -> bool:
    if a.refuted != b.refuted:
        return a.refuted
    return a.severity > b.severity
