"""Claim registrations, one file per lemma module (``<module>.py``).

Every file here is imported by :func:`montecarlo.registry.claims`; registering a claim
in it is all it takes for the tests and the report to pick it up.
"""

from __future__ import annotations



import math
from dataclasses import replace
from typing import Callable

from bounds import validate as v

from ..registry import Measurement, Params
from ..sim.stats import ALPHA, detectable_mean, detectable_proportion, detectable_quantile

__all__ = ["with_power"]


def with_power(measure: Callable[[Params], Measurement], bound: Callable[[Params], float], sense: str,
               how: str, alpha_side: float = ALPHA) -> Callable[[Params], Measurement]:
    """Wrap a Monte Carlo measurement so that ``detail["detectable"]`` states its power
    (the smallest true/bound for "<=", bound/true for ">=", relative deviation
    for "==", refuted with probability >= 1/2 at the check's false-alarm level).

    ``how`` names the check: ``"proportion"`` (Clopper-Pearson on ``detail["draws"]`` Bernoulli
    draws, each limit one-sided at ``alpha_side``), ``"quantile"`` (order statistics of
    ``detail["draws"]`` values at ``detail["quantile_level"]``: detectable is then the ratio of
    the true exceedance probability of the bound to the claimed 1 - q), ``"mean"`` (limits of a
    fixed half-width around the sample mean). Points marked not applicable pass through."""
    if how not in ("proportion", "quantile", "mean"):
        raise ValueError(f"how={how!r} violates the condition how in ('proportion', 'quantile', 'mean')")
    if not callable(measure):
        v.fail("measure", measure, "a function params -> Measurement")
    if not callable(bound):
        v.fail("bound", bound, "a function params -> float")
    v.choice("sense", sense, ("<=", ">=", "=="))
    alpha_side = v.probability("alpha_side", alpha_side)

    def run(p: Params) -> Measurement:
        m = measure(p)
        if m.detail.get("applicable", True) is False:
            return m
        if how == "quantile":
            det = detectable_quantile(int(m.detail["draws"]), float(m.detail["quantile_level"]))
        elif how == "mean":
            det = detectable_mean(float(bound(p)), m.value, m.lower, m.upper, sense)
        else:
            b = min(1.0, max(0.0, float(bound(p))))
            n = int(m.detail["draws"])
            if sense == "==":
                det = min(detectable_proportion(b, n, alpha_side, "<="), detectable_proportion(b, n, alpha_side, ">="))
            else:
                det = detectable_proportion(b, n, alpha_side, sense)
        return replace(m, detail={**m.detail, "detectable": float(det) if math.isfinite(det) else math.inf})

    run.__doc__ = measure.__doc__
    return run
