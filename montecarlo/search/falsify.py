"""Counterexample search: hand a candidate bound for a registered claim, get a refutation
or "no counterexample in N examples" with the worst ratio seen.

    >>> from montecarlo import falsify
    >>> r = falsify("flip_probability.lemma_A4", lambda p: 2.8 * p["R"] * math.exp(-p["B"]**2 / 2))
    >>> print(r)   # REFUTED at {'B': 200.0, ...}: measured ... violates <= ...

A candidate that is 0 or infinite in floats (``math.exp(-20000)``) is evaluated again in
mpmath (:mod:`montecarlo.registry.precise`); where that is impossible the point is
"candidate underflowed", counted in the result and never scored as a violation.

The search is the one plan of :mod:`montecarlo.search.plan` (deterministic given ``seed``: the
domain's corners, then random draws, then a local search that perturbs the worst point found
so far with shrinking steps), ranking points by severity and ignoring points where the
claim's hypothesis does not hold (``Measurement.applicable`` is False) or that are vacuous. It uses
exactly the verdict of :func:`montecarlo.registry.check`, so a mutant refuted here is
refuted by the same statistics the property tests use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Callable


from bounds import validate as v

from ..registry import Claim, Domain, Evidence, Params, evaluate, html_table, resolve
from ..registry.views import SLACK_LABEL, show_number, slack
from .plan import Search, severity

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
    underflowed: int = 0  # points where the candidate underflowed in floats (no verdict there)

    @property
    def worst_ratio(self) -> float:
        return math.nan if self.worst is None else self.worst.ratio

    def _repr_html_(self) -> str:
        ev = self.counterexample if self.refuted else self.worst
        rows = [("claim", self.claim),
                ("verdict", "REFUTED (counterexample)" if self.refuted else "no counterexample"),
                ("examples", self.examples)]
        if ev is not None:
            where = ", ".join(f"{k}={x!r}" for k, x in ev.params.items())
            m = ev.measurement
            rows += [("at" if self.refuted else "worst point", where),
                     ("measured", f"{show_number(m.value, m.log_value)} [{show_number(m.lower, m.log_lower)}, "
                                  f"{show_number(m.upper, m.log_upper)}]"),
                     ("bound", f"{ev.sense} {show_number(ev.bound, ev.log_bound)}"),
                     (f"slack ({SLACK_LABEL.get(ev.sense, SLACK_LABEL['=='])})", f"{slack(ev):.6g}")]
        if self.underflowed:
            rows.append(("candidate underflowed", self._underflow_note()))
        return html_table(rows)

    def _underflow_note(self) -> str:
        return (f"at {self.underflowed} point{'s' if self.underflowed != 1 else ''} the candidate was 0 or "
                "infinite in floats and could not be evaluated in mpmath (no verdict there): write it with "
                "mpmath (mpmath.exp) so it keeps its value")

    def __str__(self) -> str:
        note = f"; {self._underflow_note()}" if self.underflowed else ""
        if self.refuted:
            return f"counterexample after {self.examples} examples: {self.counterexample}{note}"
        w = self.worst
        where = "" if w is None else f"; worst slack {slack(w):.6g} at {w.params} ({w})"
        return f"{self.claim}: no counterexample in {self.examples} examples{where}{note}"


def falsify(
    claim: Claim | str,
    candidate: Callable[[Params], Any] | None = None,
    *,
    examples: int = 200,
    seed: int = 0,
    domain: Domain | None = None,
    stop_at_first: bool = True,
    progress: bool = False,
) -> FalsifyResult:
    """Search ``claim``'s domain (or ``domain``) for a point where ``candidate`` (default:
    the claim's own bound; it may return an ``mpmath.mpf``, compared in log space) is
    refuted. ``claim`` is a :class:`Claim` or a registered key. Returns a :class:`FalsifyResult`."""
    c = resolve(claim)
    progress = v.boolean("progress", progress)
    stop_at_first = v.boolean("stop_at_first", stop_at_first)
    if candidate is not None and not callable(candidate):
        v.fail("candidate", candidate, "a callable params -> float")
    examples = v.positive_int("examples", examples)
    seed = v.seed("seed", seed)
    v.work("examples", examples, float(examples) * 1e4)  # one claim check ~ 1e4 operations at least
    if domain is not None and not isinstance(domain, Domain):
        v.fail("domain", domain, "a montecarlo.registry.Domain or None")
    if domain is not None:
        c = replace(c, domain=domain)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=examples, desc=f"falsify {c.key}", unit="ex")
    lost = [0]

    def on_point(ev: Evidence) -> None:
        lost[0] += bool(ev.underflowed)
        if bar is not None:
            bar.update(1)

    s = Search(c.domain, lambda params: evaluate(c, params, candidate), examples, int(seed),
               rank=severity, stop_at_first=stop_at_first, on_point=on_point)
    try:
        s.run()
    finally:
        if bar is not None:
            bar.close()
    found = s.counterexample
    return FalsifyResult(c.key, found is not None, s.used, found if found is not None else s.worst, found,
                         lost[0])
