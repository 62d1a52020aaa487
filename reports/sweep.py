"""The deterministic sweep behind the report: every evaluated point of every claim.

:func:`sweep_claim` runs the one search plan of :mod:`montecarlo.search.plan` (the domain's
corners, then random draws, then a local search around the worst point with shrinking
steps), as :func:`montecarlo.search.falsify.falsify` does, and uses exactly the verdict of
:func:`montecarlo.registry.check`, but keeps every :class:`~montecarlo.registry.Evidence` (the figures plot them all). A mutant stops at its
first refutation (its counterexample); any other claim runs the whole plan and reports its
worst point: a refuted one if any, else the one of largest
:func:`closeness`. A claim that raises becomes a failed record with the error text.

A measurement whose ``detail`` has ``applicable=False`` (the claim's hypothesis does not
hold at that point, for example a training run that moved farther than 1/B) is plotted but
left out of the verdict; a claim with no applicable point is "not applicable".
"""

from __future__ import annotations

import math
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bounds import validate as v
from montecarlo.registry import Claim, Evidence, Params, evaluate, resolve, sub_domains
from montecarlo.registry.views import replay_command
from montecarlo.search.plan import (CI_EXAMPLES, Search, claim_examples, closeness, mutant_examples, split_examples,
                                    sub_domain_seed)
from montecarlo.search.tightness import log_tightness
from montecarlo.sim.seeding import derive

__all__ = []

BASES = {"quick": 12, "default": CI_EXAMPLES, "full": 200}
"""Examples per unit of weight: ``quick`` is a smoke run (labelled so in the provenance),
``default`` spends what the tests' ``ci`` profile spends (:data:`montecarlo.search.plan.CI_EXAMPLES`)."""


def examples_for(claim: Claim, base: int) -> int:
    """Examples planned for ``claim``: ``max(3, round(base * weight))``; for a mutant at least
    the tests' budget :func:`montecarlo.search.plan.mutant_examples` (or more with a larger base),
    so report and tests refute with the same effort (most stop after a few)."""
    base = v.positive_int("base", base)
    if not isinstance(claim, Claim):
        v.fail("claim", claim, "a Claim (montecarlo.registry.get(key))")
    n = claim_examples(claim, base)
    if claim.kind == "mutant":
        return max(mutant_examples(claim), n)
    return n


@dataclass
class ClaimResult:
    """All points of one claim's sweep and its verdict."""

    claim: Claim
    planned: int
    points: list[Evidence] = field(default_factory=list)
    worst: Evidence | None = None
    counterexample: Evidence | None = None
    error: str | None = None
    seconds: float = 0.0
    parts: list[tuple[str, int]] = field(default_factory=list)
    """(origin, number of points) of each sub-domain swept, in sweep order
    (:func:`montecarlo.registry.store.sub_domains`); ``points`` holds them in that order."""

    def part_points(self) -> list[tuple[str, list[Evidence]]]:
        """The points of each sub-domain: (origin, its points)."""
        out, start = [], 0
        for origin, n in self.parts or [(self.claim.key, len(self.points))]:
            out.append((origin, self.points[start:start + n]))
            start += n
        return out

    @property
    def applicable(self) -> list[Evidence]:
        return [e for e in self.points if _applicable(e)]

    @property
    def vacuous(self) -> int:
        """How many applicable points were vacuous (both sides 0 without a log form)."""
        return sum(e.vacuous for e in self.applicable)

    @property
    def status(self) -> str:
        if self.error is not None:
            return "error"
        if self.claim.kind == "mutant":
            return "refuted" if self.counterexample is not None else "not refuted"
        if self.counterexample is not None:
            return "violated"
        if self.worst is not None:
            return "no power" if self.powerless else "holds"
        return "vacuous" if any(e.vacuous for e in self.applicable) else "not applicable"

    @property
    def powerless(self) -> bool:
        """A "<=" claim whose every applicable point measured exactly 0 with a lower limit of 0
        (no log form saying otherwise): it was not refuted, but these points could not have
        refuted it either, whatever the bound (such a claim is never shown as a green
        "holds"; a Clopper-Pearson frequency of 0 failures is the usual case)."""
        pts = self.applicable
        if self.claim.sense != "<=":  # a 0 can refute ">=" and "==" claims
            return False
        return bool(pts) and all(e.measurement.value == 0 and e.measurement.lower <= 0
                                 and (e.measurement.log_value is None or e.measurement.log_value == -math.inf)
                                 for e in pts)

    @property
    def passed(self) -> bool:
        if self.claim.kind == "mutant":
            return self.error is None and self.counterexample is not None
        return self.status in ("holds", "not applicable", "no power")


def _applicable(ev: Evidence) -> bool:
    return ev.applicable


class TimeLimitExceeded(RuntimeError):
    """The run went past its time limit: it stops with this error, it is never cut short
    silently (the work per claim is a count of examples, so no verdict depends on speed)."""


def sweep_claim(claim: Claim | str, examples: int, seed: int, deadline: float | None = None) -> ClaimResult:
    """Run the one search plan on ``claim`` for ``examples`` evaluations, keeping every point.

    A claim is swept on each of its sub-domains (:func:`montecarlo.registry.store.sub_domains`:
    its own domain, then the domains its mutants are refuted on), the examples split by
    :func:`montecarlo.search.plan.split_examples`, each sub-domain's plan seeded by
    :func:`montecarlo.search.plan.sub_domain_seed`; its worst point and counterexample are
    the worst over all of them (refuted first, then :func:`closeness`).

    ``deadline`` (a :func:`time.monotonic` value) is a time limit: past it the sweep raises
    :class:`TimeLimitExceeded` (never a shorter, machine-dependent result).
    """
    claim = resolve(claim)
    if deadline is not None:
        deadline = v.real("deadline", deadline)
    seed = v.seed("seed", seed)
    examples = v.nonneg_int("examples", examples)
    v.work("examples", examples, float(examples) * 1e4)
    subs = sub_domains(claim)
    budgets = split_examples(examples, len(subs))
    res = ClaimResult(claim, sum(budgets))
    t0 = time.monotonic()

    def verdict(params: Params) -> Evidence:
        if deadline is not None and time.monotonic() > deadline:
            raise TimeLimitExceeded(f"time limit reached while sweeping {claim.key} "
                                    f"({len(res.points)} of {examples} examples done)")
        return evaluate(claim, params)

    searches = []
    try:
        for j, ((origin, dom), n) in enumerate(zip(subs, budgets)):
            search = Search(dom, verdict, n, sub_domain_seed(seed, origin, j), rank=lambda ev: closeness(ev, claim),
                            stop_at_first=claim.kind == "mutant", points=[])
            searches.append((origin, search))
            try:
                search.run()
            finally:
                res.points.extend(search.points)
                res.parts.append((origin, len(search.points)))
    except TimeLimitExceeded:
        raise
    except Exception as exc:  # one broken claim must not stop the report
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        res.error = f"{type(exc).__name__}: {exc} (at {tb.filename.rsplit('/', 1)[-1]}:{tb.lineno})"
    for _, search in searches:
        for ev in (search.worst, search.counterexample):
            if ev is None:
                continue
            if ev is search.worst and (res.worst is None or search.worse(ev, res.worst)):
                res.worst = ev
            if ev is search.counterexample and (res.counterexample is None or search.worse(ev, res.counterexample)):
                res.counterexample = ev
    res.seconds = time.monotonic() - t0
    return res


# ------------------------------------------------------------------- distributed sweeps
def sweep_remote(key: str, examples: int, seed: int, sources: tuple[str, ...] = ()) -> tuple:
    """:func:`sweep_claim` of the registered ``key`` in another process (a Dask worker):
    loads the claim files ``sources`` first (``--claims``), and returns what is needed to
    rebuild the :class:`ClaimResult` (points, indices of the worst point and of the
    counterexample, error, seconds), never the claim itself (its functions need not pickle).
    Every evaluation's randomness comes from the claim's seed and the point (the plan draws
    the points, seeds included, from the claim's seed), so the result is the serial one."""
    from montecarlo import registry

    if isinstance(sources, (str, bytes)) or not isinstance(sources, (tuple, list)):
        v.fail("sources", sources, "a tuple of claim files or modules (--claims)")
    for src in sources:
        if not isinstance(src, str):
            v.fail("sources", sources, "a tuple of claim files or modules (--claims)")
    for src in sources:
        registry.load_claims(src)
    res = sweep_claim(registry.get(key), examples, seed)
    where = {id(e): i for i, e in enumerate(res.points)}
    return (res.points, where.get(id(res.worst)), where.get(id(res.counterexample)), res.error, res.seconds,
            list(res.parts))


def remote_args(claim: Claim, base: int, seed: int, sources: tuple[str, ...] = ()) -> tuple:
    """The arguments of :func:`sweep_remote` for ``claim`` in a run of seed ``seed`` and base
    ``base``: the distributed path's seed law, in one place. The claim's seed is
    :func:`montecarlo.sim.seeding.derive` of the run's seed and the claim's key (the suite's one
    seed law), and nothing else (not the worker,
    the process or the order of submission), so a claim swept on any worker gives the serial
    result."""
    if not isinstance(claim, Claim):
        v.fail("claim", claim, "a Claim (montecarlo.registry.get(key))")
    if isinstance(sources, (str, bytes)) or not isinstance(sources, (tuple, list)):
        v.fail("sources", sources, "a tuple of claim files or modules (--claims)")
    return (claim.key, examples_for(claim, base), derive(v.seed("seed", seed), claim.key), tuple(sources))


def rebuild(claim: Claim, examples: int, payload: tuple) -> ClaimResult:
    """The :class:`ClaimResult` from :func:`sweep_remote`'s payload."""
    if not isinstance(claim, Claim):
        v.fail("claim", claim, "a Claim (montecarlo.registry.get(key))")
    examples = v.nonneg_int("examples", examples)
    if not isinstance(payload, tuple) or len(payload) not in (5, 6):
        v.fail("payload", payload, "the tuple returned by sweep_remote")
    points, worst, ce, error, seconds = payload[:5]
    parts = list(payload[5]) if len(payload) == 6 else []
    planned = sum(split_examples(examples, len(sub_domains(claim))))
    return ClaimResult(claim, planned, list(points), None if worst is None else points[worst],
                       None if ce is None else points[ce], error, seconds, parts)


# ------------------------------------------------------------------------ JSON records
def jsonable(x: Any) -> Any:
    """``x`` with numpy types converted; non-finite floats become "inf", "-inf" or "nan"."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        f = float(x)
        return f if math.isfinite(f) else ("nan" if math.isnan(f) else ("inf" if f > 0 else "-inf"))
    if x is None or isinstance(x, str):
        return x
    return repr(x)


def limit_side(ev: Evidence) -> str:
    """Which confidence limit decides the verdict: lower for <=, upper for >=, and for == the
    one on the bound's side of the point value."""
    if not isinstance(ev, Evidence):
        v.fail("ev", ev, "an Evidence (montecarlo.check(...))")
    if ev.sense == "==":
        if ev.log_space:
            m = ev.measurement
            lv = m.log_value if m.log_value is not None else _log(m.value)
            return "upper" if ev.log_bound >= lv else "lower"
        return "upper" if ev.bound >= ev.measurement.value else "lower"
    return "lower" if ev.sense == "<=" else "upper"


def limit_ratio(ev: Evidence) -> float:
    """The deciding confidence limit (:func:`limit_side`) divided by the bound (through logs
    when the verdict was decided on logs; nan at a vacuous point)."""
    if not isinstance(ev, Evidence):
        v.fail("ev", ev, "an Evidence (montecarlo.check(...))")
    if ev.vacuous:
        return math.nan
    m, b = ev.measurement, ev.bound
    lower = limit_side(ev) == "lower"
    lim = m.lower if lower else m.upper
    if ev.log_space:
        log_lim = m.log_lower if lower else m.log_upper
        log_lim = _log(lim) if log_lim is None else log_lim
        d = log_lim - ev.log_bound
        return math.exp(d) if d < 709 else math.inf
    if b == 0:
        return math.nan if lim == 0 else math.copysign(math.inf, lim)
    return lim / b


def _log(x: float) -> float:
    return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)


def _params(params: dict) -> dict:
    """Parameters for the record: scalars as they are, arrays and long sequences summarized."""
    out = {}
    for k, x in params.items():
        if isinstance(x, np.ndarray) and x.size > 8:
            out[k] = f"array(shape={x.shape})"
        elif isinstance(x, (list, tuple)) and len(x) > 8:
            out[k] = f"{type(x).__name__}(len={len(x)})"
        else:
            out[k] = x
    return out


def _scalars(detail: dict) -> dict:
    return {k: v for k, v in detail.items()
            if isinstance(v, (bool, int, float, str, np.integer, np.floating, np.bool_))}


def _certification(c: Claim) -> dict:
    """``certified``: the domain on which :func:`montecarlo.certify` proved the claim in ball
    arithmetic (None without a certification form or python-flint); ``certify``: its verdict
    (a claim with a form that is not CERTIFIED is a finding and shows as such)."""
    from montecarlo.search import certify as certification

    if c.kind == "mutant" or c.key not in certification.FORMS:
        return {"certified": None, "certify": None}
    try:
        res = certification.certify(c)
    except ImportError:
        return {"certified": None, "certify": None}
    return {"certified": res.domain if res.certified else None, "certify": res.status}


def record(res: ClaimResult) -> dict:
    """The results.json record of one claim (JSON-safe, no timings)."""
    if not isinstance(res, ClaimResult):
        v.fail("res", res, "a ClaimResult (sweep_claim(...))")
    c = res.claim
    ev = res.counterexample if res.counterexample is not None else res.worst
    rec: dict[str, Any] = {
        "module": c.module, "claim": c.claim_id, "key": c.key, "kind": c.kind,
        "reference": c.reference, "statement": c.statement, "sense": c.sense,
        "passed": res.passed, "status": res.status,
        "worst_ratio": None, "log_ratio": None, "limit": None, "limit_ratio": None, "severity": None,
        "closeness": None, "params": None,
        "measured": None, "lower": None, "upper": None, "bound": None, "detail": None,
        "examples": len(res.points), "examples_planned": res.planned,
        "applicable_examples": len(res.applicable), "vacuous_examples": res.vacuous,
        "tight_constant": c.tight_constant,
        "weight": c.weight, "error": res.error,
        **_certification(c),
    }
    if ev is not None:
        m = ev.measurement
        side = limit_side(ev)
        log_lim = m.log_lower if side == "lower" else m.log_upper
        lim = m.lower if side == "lower" else m.upper
        # the logs keep the numbers that underflow as doubles (e^{-20004} is 0.0): the report
        # prints them from these; slack is the one convention (1 tight, above 1 violated)
        lt = log_tightness(ev)
        rec.update(log_measured=m.log_value if m.log_value is not None else _log(m.value),
                   log_lower=m.log_lower if m.log_lower is not None else _log(m.lower),
                   log_upper=m.log_upper if m.log_upper is not None else _log(m.upper),
                   log_bound=ev.log_bound, limit_value=lim,
                   log_limit=log_lim if log_lim is not None else _log(lim),
                   slack=None if ev.vacuous or math.isnan(ev.log_ratio) else (math.exp(lt) if lt < 709 else math.inf),
                   log_slack=None if ev.vacuous or math.isnan(ev.log_ratio) else lt,
                   replay=replay_command(c.key, ev.params, c.domain.specs))
        rec.update(worst_ratio=ev.ratio, log_ratio=ev.log_ratio, limit=limit_side(ev),
                   limit_ratio=limit_ratio(ev),
                   severity=ev.severity, closeness=closeness(ev, c),
                   params=_params(ev.params), measured=m.value, lower=m.lower, upper=m.upper,
                   bound=ev.bound, detail=_scalars(dict(m.detail)))
    if c.kind == "mutant":
        rec.update(subject=c.subject, why_false=c.why_false)
    else:
        rec["sub_domains"] = [_part_record(c, origin, pts) for origin, pts in res.part_points()]
    return jsonable(rec)


def _part_record(c: Claim, origin: str, points: list[Evidence]) -> dict:
    """One sub-domain's summary: its examples, its worst point's closeness and ratio (ranked
    as the search ranks: refuted first, then closeness) and its power (the smallest
    ``detectable`` over its applicable points; None for exact checks)."""
    worst = None
    for ev in points:
        if not (ev.applicable and not ev.vacuous):
            continue
        if worst is None or (ev.refuted if ev.refuted != worst.refuted else closeness(ev, c) > closeness(worst, c)):
            worst = ev
    dets = [e.measurement.detail.get("detectable") for e in points if e.applicable]
    dets = [d for d in dets if isinstance(d, (int, float)) and math.isfinite(d)]
    return {"origin": origin, "examples": len(points),
            "refuted": bool(worst is not None and worst.refuted),
            "closeness": None if worst is None else closeness(worst, c),
            "worst_ratio": None if worst is None else worst.ratio,
            "detectable": min(dets) if dets else None}
