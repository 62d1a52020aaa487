"""How tight is a claim? Search for the supremum of measured/bound (bound/measured for a
``>=`` claim) over its domain.

    >>> from montecarlo import tightness
    >>> print(tightness("flip_probability.lemma_A4"))

A constant within 0.5% of its supremum (Lemma A.4's 2.8938 = (e^2 - e^-2)/sqrt(2 pi)) is only
refuted by a search that gets within 0.5% of the supremum, which may be a limit at the
domain's edge (B -> infinity with R = 1/B). The search, deterministic given ``seed``, spends
``examples`` evaluations in four phases, all ranked by the log of the ratio (so it keeps
working where both sides underflow; vacuous points and points outside the hypothesis never
count):

1. the one plan of :mod:`montecarlo.search.plan` (corners, random draws, local search), half;
2. a targeted phase, a fifth: hill climbing in the manner of hypothesis ``target`` (mutate one
   of the best points found so far by steps of every scale, from 1e-6 of a range to a jump
   to an edge or a fresh draw; keep what improves the ratio), from a numpy generator derived
   from ``seed`` alone;
3. each edge of every continuous parameter from the best point: the edge itself, and when it
   is no better a walk towards it (halving the distance) while the ratio grows; a supremum
   that is a limit at the edge is approached here;
4. Nelder-Mead on the continuous raw parameters (unit-cube coordinates, logs for log-uniform
   ones), from the best point, the rest of the budget.

For an exact claim with an mpmath twin (``Claim.measure_mp``) the result carries the mpmath
value at the best point.

The result is a pure function of (claim, examples, seed, domain): every random number comes
from :mod:`montecarlo.sim.seeding`. (hypothesis ``target`` itself was used for phase 2 until it
was found not to be: hypothesis mixes into its draws the literal constants of every local
module imported so far, so the same call gave e^-1 to 1e-16 in a fresh process and 0.3678791
after another search had imported more modules; its result also changed with any constant
edited anywhere in the project.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from bounds import validate as v

from ..registry import Claim, Domain, Evidence, Params, Spec, evaluate, html_table, resolve
from ..registry.views import SLACK_LABEL
from .plan import Search, usable
from ..sim.seeding import check_seed, spawn

__all__ = ["TightnessResult", "tightness"]


def log_tightness(ev: Evidence) -> float:
    """log of measured/bound for "<=", of bound/measured for ">=", |log measured/bound| for
    "==" (the larger of the two ratios); -inf for a vacuous point."""
    if not isinstance(ev, Evidence):
        v.fail("ev", ev, "an Evidence (montecarlo.check(...))")
    if ev.vacuous or math.isnan(ev.log_ratio):
        return -math.inf
    return {"<=": ev.log_ratio, ">=": -ev.log_ratio}.get(ev.sense, abs(ev.log_ratio))


@dataclass(frozen=True)
class TightnessResult:
    """The largest ratio found (measured/bound for "<=", bound/measured for ">="), where, the
    evidence there, the evaluations spent, the claim's known supremum (``Claim.tight_constant``)
    and, for an exact claim with an mpmath twin, the mpmath value of the measure there."""

    claim: str
    best_ratio: float
    params: Params | None
    evidence: Evidence | None
    examples: int
    tight_constant: float | None = None
    mp_value: Any = None

    @property
    def log_ratio(self) -> float:
        return -math.inf if self.evidence is None else log_tightness(self.evidence)

    @property
    def gap(self) -> float | None:
        """1 - best_ratio / tight_constant (how far the search stayed below the supremum)."""
        if self.tight_constant is None or not math.isfinite(self.best_ratio):
            return None
        return 1.0 - self.best_ratio / self.tight_constant

    def _rows(self) -> list[tuple[str, Any]]:
        shown = "-" if self.params is None else ", ".join(
            f"{k}={float(x):.10g}" if isinstance(x, (float, np.floating)) else f"{k}={x!r}"
            for k, x in self.params.items())
        sense = None if self.evidence is None else self.evidence.sense
        label = SLACK_LABEL.get(sense, "ratio") if sense is not None else "ratio"
        rows = [("claim", self.claim), (f"best slack ({label})", f"{self.best_ratio:.8g}"), ("at", shown),
                ("examples", self.examples)]
        if self.tight_constant is not None:
            rows.append(("known supremum", f"{self.tight_constant:.8g} (gap {self.gap:.3g})"))
        if self.mp_value is not None:
            rows.append(("mpmath value of the measure there", str(self.mp_value)))
        return rows

    def __str__(self) -> str:
        return "; ".join(f"{k}: {x}" for k, x in self._rows())

    def _repr_html_(self) -> str:
        return html_table(self._rows())


class _Spent(Exception):
    """The evaluation budget is used up."""


def _continuous(spec: Spec) -> bool:
    return spec.kind in ("float", "log") and spec.high > spec.low


def _to_unit(spec: Spec, x: float) -> float:
    if spec.kind == "log":
        return (math.log(x) - math.log(spec.low)) / (math.log(spec.high) - math.log(spec.low))
    return (x - spec.low) / (spec.high - spec.low)


def _from_unit(spec: Spec, u: float) -> float:
    u = min(1.0, max(0.0, float(u)))
    if spec.kind == "log":
        x = math.exp(math.log(spec.low) + u * (math.log(spec.high) - math.log(spec.low)))
    else:
        x = spec.low + u * (spec.high - spec.low)
    return float(min(spec.high, max(spec.low, x)))


def tightness(claim: Claim | str, *, examples: int = 200, seed: int = 0, domain: Domain | None = None,
              progress: bool = False) -> TightnessResult:
    """Search ``claim``'s domain (or ``domain``) for the supremum of measured/bound
    (bound/measured for ">=") with ``examples`` evaluations; see the module docstring."""
    c = resolve(claim)
    examples = v.positive_int("examples", examples)
    seed = check_seed(seed, "seed")
    progress = v.boolean("progress", progress)
    if domain is not None and not isinstance(domain, Domain):
        v.fail("domain", domain, "a montecarlo.registry.Domain or None")
    if domain is not None:
        c = replace(c, domain=domain)
    dom = c.domain
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=examples, desc=f"tightness {c.key}", unit="ex")
    state = Search(dom, lambda p: evaluate(c, p), examples, seed, rank=log_tightness,
                   on_point=None if bar is None else (lambda ev: bar.update(1)))

    def look(raw: Params) -> float:
        """Evaluate one raw point (counted); its log tightness, -inf if it cannot count."""
        if state.used >= examples:
            raise _Spent
        ev = evaluate(c, dom.build(dict(raw)))
        state.consider(dict(raw), ev)
        return log_tightness(ev) if usable(ev) else -math.inf

    try:
        state.examples = max(1, examples // 2)
        state.run()
        state.examples = examples
        if state.worst_raw is not None and state.used < examples:
            _targeted_phase(dom, state, look, min(examples - state.used, max(1, examples // 5)),
                            spawn(seed, "tightness-targeted"))
        if state.worst_raw is not None:
            _edge_phase(dom, state, look)
            _nelder_mead_phase(dom, state, look, examples)
    except _Spent:
        pass
    finally:
        if bar is not None:
            bar.close()
    best = state.worst
    mp_value = None
    if best is not None and c.measure_mp is not None:
        mp_value = c.measure_mp(best.params)
    ratio = math.nan if best is None else math.exp(min(709.0, log_tightness(best)))
    return TightnessResult(c.key, ratio, None if best is None else dict(best.params), best, state.used,
                           c.tight_constant, mp_value)


def _mutate(spec: Spec, x: Any, gen: np.random.Generator) -> Any:
    """One targeted move of one parameter: a step of a random scale (1e-6 to 0.5 of the
    range, either direction), or (one time in ten each) a jump to an edge or a fresh draw."""
    u = gen.random()
    if spec.kind == "choice":
        return spec.choices[int(gen.integers(0, len(spec.choices)))]
    if spec.kind == "seed" or u < 0.1:
        return spec.sample(gen)
    if u < 0.2:
        return spec.corners()[int(gen.integers(0, 2))]
    sign = 1.0 if gen.random() < 0.5 else -1.0
    if spec.kind == "int":
        k = (int(spec.high) - int(spec.low)) // spec.step
        j = (int(x) - int(spec.low)) // spec.step
        j = int(min(k, max(0, j + sign * max(1, round(k * 10 ** gen.uniform(-3.0, -0.3))))))
        return int(spec.low) + spec.step * j
    if not _continuous(spec):
        return x
    return _from_unit(spec, _to_unit(spec, x) + sign * 10 ** gen.uniform(-6.0, -0.3))


def _targeted_phase(dom: Domain, state: Search, look, n: int, gen: np.random.Generator,
                    pool: int = 5) -> None:
    """Hill climbing on the ratio, like hypothesis ``target``: ``n`` times, take the best
    point (or, one time in three, one of the ``pool`` best), move each parameter with
    probability 1/d (at least one) by :func:`_mutate`; the search keeps the best."""
    keys = list(dom.specs)
    for _ in range(n):
        parent = state.worst_raw
        if gen.random() < 1 / 3:
            ranked = sorted(((log_tightness(ev), i) for i, ev in enumerate(state.points) if usable(ev)),
                            reverse=True)[:pool]
            if ranked:
                parent = state.raws[ranked[int(gen.integers(0, len(ranked)))][1]]
        moved = [k for k in keys if gen.random() < 1 / len(keys)] or [keys[int(gen.integers(0, len(keys)))]]
        look({**parent, **{k: _mutate(dom.specs[k], parent[k], gen) for k in moved}})


def _edge_phase(dom: Domain, state: Search, look, steps: int = 6) -> None:
    """From the best point, look at each edge of each continuous parameter (a supremum that
    is a limit there, e.g. Lemma A.4's B -> infinity, is approached); when the edge itself
    is no better, walk towards it (halving the distance, up to ``steps`` times) while the
    ratio keeps growing. An interior supremum costs two evaluations per edge."""
    for k, spec in dom.specs.items():
        if not _continuous(spec):
            continue
        for edge in (0.0, 1.0):
            base = dict(state.worst_raw)
            u0 = _to_unit(spec, base[k])
            if u0 == edge:
                continue
            last = -math.inf if state.worst is None else log_tightness(state.worst)
            if look({**base, k: _from_unit(spec, edge)}) > last:
                continue
            for j in range(1, steps + 1):
                r = look({**base, k: _from_unit(spec, u0 + (edge - u0) * (1 - 0.5 ** j))})
                if not r > last:
                    break
                last = r


def _nelder_mead_phase(dom: Domain, state: Search, look, examples: int) -> None:
    """Nelder-Mead (bounded to the unit cube) on the continuous raw parameters from the best
    point; integer, choice and seed parameters stay at the best point's values. Restarted
    from the new best point while the budget lasts."""
    from scipy.optimize import minimize

    keys = [k for k, s in dom.specs.items() if _continuous(s)]
    if not keys:
        return
    while state.used < examples:
        start = dict(state.worst_raw)
        before = state.used
        best_before = math.inf if state.worst is None else log_tightness(state.worst)

        def f(u: np.ndarray) -> float:
            raw = {**start, **{k: _from_unit(dom.specs[k], x) for k, x in zip(keys, u)}}
            r = look(raw)
            return -r if math.isfinite(r) else 1e300

        u0 = np.array([_to_unit(dom.specs[k], start[k]) for k in keys])
        step = 0.02
        simplex = [u0] + [np.clip(u0 + step * (1 if u0[i] < 0.5 else -1) * np.eye(len(keys))[i], 0, 1)
                          for i in range(len(keys))]
        minimize(f, u0, method="Nelder-Mead", bounds=[(0.0, 1.0)] * len(keys),
                 options={"initial_simplex": np.array(simplex), "maxfev": examples - state.used,
                          "xatol": 1e-12, "fatol": 1e-14})
        after = math.inf if state.worst is None else log_tightness(state.worst)
        if state.used == before or not after > best_before + 1e-15:
            return  # converged without progress: stop rather than repeat the same simplex
