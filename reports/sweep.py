"""The deterministic sweep behind the report: every evaluated point of every claim.

:func:`sweep_claim` follows the plan of :func:`montecarlo.falsify.falsify` (the domain's
corners, then random draws, then a local search around the worst point with shrinking
steps) and uses exactly the verdict of :func:`montecarlo.registry.check`, but keeps every
:class:`~montecarlo.registry.Evidence` (the figures plot them all). A mutant stops at its
first refutation (its counterexample); any other claim runs the whole plan and reports its
worst point: a refuted one if any, else the one of largest
:func:`closeness`. A claim that raises becomes a failed record with the error text.

A measurement whose ``detail`` has ``applicable=False`` (the claim's hypothesis does not
hold at that point, for example a training run that moved farther than 1/B) is plotted but
left out of the verdict; a claim with no applicable point is "not applicable".
"""

from __future__ import annotations

import hashlib
import math
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bounds import validate as v
from montecarlo.registry import Claim, Evidence, Params, check

__all__ = ["BASES", "MUTANT_FLOOR", "ClaimResult", "claim_seed", "closeness", "examples_for", "jsonable",
           "limit_ratio", "limit_side", "record", "sweep_claim"]

BASES = {"quick": 12, "default": 40, "full": 200}


def claim_seed(seed: int, key: str) -> int:
    """A per-claim seed from the run's seed and the claim key (stable across runs/machines)."""
    if not isinstance(key, str):
        v.fail("key", key, "a claim key (str)")
    seed = v.seed("seed", seed)
    digest = hashlib.sha256(f"{int(seed)}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


MUTANT_FLOOR = 20  # as in tests/test_registry.py; a mutant's sweep stops at its counterexample
MUTANT_BUDGET = 200  # tests/test_registry.py searches max(20, 200 * weight) examples per mutant


def examples_for(claim: Claim, base: int) -> int:
    """Examples planned for ``claim``: ``max(3, round(base * weight))``; for a mutant the same
    budget as the tests, ``max(MUTANT_FLOOR, MUTANT_BUDGET * weight)`` (or more with a larger
    base), so report and tests refute with the same effort (most stop after a few)."""
    base = v.positive_int("base", base)
    if not isinstance(claim, Claim):
        v.fail("claim", claim, "a Claim (montecarlo.registry.get(key))")
    n = max(3, int(round(base * claim.weight)))
    if claim.kind == "mutant":
        return max(MUTANT_FLOOR, int(MUTANT_BUDGET * claim.weight), n)
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
    truncated: bool = False
    seconds: float = 0.0

    @property
    def applicable(self) -> list[Evidence]:
        return [e for e in self.points if _applicable(e)]

    @property
    def status(self) -> str:
        if self.error is not None:
            return "error"
        if self.claim.kind == "mutant":
            return "refuted" if self.counterexample is not None else "not refuted"
        if self.counterexample is not None:
            return "violated"
        return "holds" if self.worst is not None else "not applicable"

    @property
    def passed(self) -> bool:
        if self.claim.kind == "mutant":
            return self.error is None and self.counterexample is not None
        return self.status in ("holds", "not applicable")


def _applicable(ev: Evidence) -> bool:
    return ev.measurement.detail.get("applicable", True) is not False


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
    if ev.sense != "==":
        if ev.severity > 1 and not ev.refuted and m.lower == m.upper:
            return 1.0  # past the bound only within the round-off allowance
        return ev.severity
    if m.lower == m.upper:
        gap, half = abs(m.value - b), claim.rtol * abs(b) + claim.atol
    elif b >= m.value:
        gap, half = b - m.value, m.upper - m.value
    else:
        gap, half = m.value - b, m.value - m.lower
    if half > 0:
        return gap / half
    return 0.0 if gap == 0 else math.inf


def _worse(a: Evidence, b: Evidence, claim: Claim) -> bool:
    if a.refuted != b.refuted:
        return a.refuted
    return closeness(a, claim) > closeness(b, claim)


def sweep_claim(claim: Claim, examples: int, seed: int, deadline: float | None = None) -> ClaimResult:
    """Run the falsify plan on ``claim`` keeping every point.

    ``deadline`` (a :func:`time.monotonic` value) stops the sweep early after at least one
    point; the result is then marked ``truncated`` (and is no longer reproducible).
    """
    if deadline is not None:
        deadline = v.real("deadline", deadline)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**64:
        v.fail("seed", seed, "an integer in [0, 2**64) (claim_seed's range)")
    examples = v.nonneg_int("examples", examples)
    v.work("examples", examples, float(examples) * 1e4)
    if not isinstance(claim, Claim):
        v.fail("claim", claim, "a Claim (montecarlo.registry.get(key))")
    res = ClaimResult(claim, examples)
    t0 = time.monotonic()
    rng = np.random.default_rng(seed)
    dom = claim.domain
    stop_first = claim.kind == "mutant"
    worst_raw: Params | None = None

    def try_raw(raw: Params) -> bool:
        """Evaluate one point; True when the sweep should stop."""
        nonlocal worst_raw
        if deadline is not None and res.points and time.monotonic() > deadline:
            res.truncated = True
            return True
        ev = check(claim, dom.build(raw))
        res.points.append(ev)
        if worst_raw is None:
            worst_raw = raw
        if _applicable(ev):
            if res.worst is None or _worse(ev, res.worst, claim):
                res.worst, worst_raw = ev, raw
            if ev.refuted and (res.counterexample is None or _worse(ev, res.counterexample, claim)):
                res.counterexample = ev
        return ev.refuted and stop_first and _applicable(ev)

    try:
        corners = dom.corners_raw()
        n_corner = min(len(corners), max(1, examples // 5))
        n_random = max(0, (examples - n_corner) * 3 // 5)
        n_local = examples - n_corner - n_random
        plan = corners[:n_corner] + [dom.sample_raw(rng) for _ in range(n_random)]
        stopped = any(try_raw(raw) for raw in plan)
        k = 0
        while not stopped and k < n_local:
            scale = 0.2 * 0.5 ** (4 * k / max(1, n_local))
            stopped = try_raw(dom.perturb_raw(worst_raw, rng, scale))
            k += 1
    except Exception as exc:  # one broken claim must not stop the report
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        res.error = f"{type(exc).__name__}: {exc} (at {tb.filename.rsplit('/', 1)[-1]}:{tb.lineno})"
    res.seconds = time.monotonic() - t0
    return res


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
        return "upper" if ev.bound >= ev.measurement.value else "lower"
    return "lower" if ev.sense == "<=" else "upper"


def limit_ratio(ev: Evidence) -> float:
    """The deciding confidence limit (:func:`limit_side`) divided by the bound."""
    if not isinstance(ev, Evidence):
        v.fail("ev", ev, "an Evidence (montecarlo.check(...))")
    m, b = ev.measurement, ev.bound
    lim = m.lower if limit_side(ev) == "lower" else m.upper
    if b == 0:
        return 1.0 if lim == 0 else math.copysign(math.inf, lim)
    return lim / b


def _params(params: dict) -> dict:
    """Parameters for the record: scalars as they are, arrays and long sequences summarized."""
    out = {}
    for k, v in params.items():
        if isinstance(v, np.ndarray) and v.size > 8:
            out[k] = f"array(shape={v.shape})"
        elif isinstance(v, (list, tuple)) and len(v) > 8:
            out[k] = f"{type(v).__name__}(len={len(v)})"
        else:
            out[k] = v
    return out


def _scalars(detail: dict) -> dict:
    return {k: v for k, v in detail.items()
            if isinstance(v, (bool, int, float, str, np.integer, np.floating, np.bool_))}


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
        "worst_ratio": None, "limit": None, "limit_ratio": None, "severity": None,
        "closeness": None, "params": None,
        "measured": None, "lower": None, "upper": None, "bound": None, "detail": None,
        "examples": len(res.points), "examples_planned": res.planned,
        "applicable_examples": len(res.applicable), "weight": c.weight, "error": res.error,
        "truncated": res.truncated,
    }
    if ev is not None:
        m = ev.measurement
        rec.update(worst_ratio=ev.ratio, limit=limit_side(ev), limit_ratio=limit_ratio(ev),
                   severity=ev.severity, closeness=closeness(ev, c),
                   params=_params(ev.params), measured=m.value, lower=m.lower, upper=m.upper,
                   bound=ev.bound, detail=_scalars(dict(m.detail)))
    if c.kind == "mutant":
        rec.update(subject=c.subject, why_false=c.why_false)
    return jsonable(rec)
