"""The experiments behind the report figures of the initial_error module that are not claims
(:mod:`reports.figures.initial_error` plots and captions what they return)."""

from __future__ import annotations
from bounds import initial_error as ie
from montecarlo.sim import seeding
from bounds import validate as v
from montecarlo.sim.data import FAMILIES, LABELS, problem
from montecarlo.estimators.initial_error import error_values, quantile_check

__all__ = ["tightness", "tightness_table"]



def tightness(n: int, m: int, B: float, delta: float, draws: int = 4000, seed: int = 0,
              d: int = 16, family: str = "random", labels: str = "signs") -> dict:
    """Empirical (1 - delta)-quantile of ||f(0) - y||^2 over its bounds (E0_tight, E0_paper)
    and the prior form (constant 1, not a bound), at one (n, m, B, delta); the data of
    :func:`montecarlo.sim.data.problem`, the initializations from ``spawn(seed, "weights")``."""
    v.choice("labels", labels, LABELS)
    v.choice("family", family, FAMILIES)
    X, y = problem(n, d, family, labels, seed)
    vals = error_values(X, y, m, B, draws, seeding.spawn(seed, "weights"))
    out = {"n": n, "m": m, "B": B, "delta": delta, "draws": draws}
    for name, b in (("E0_tight", ie.E0_tight(y, m, n, delta, B)),
                    ("E0_paper", ie.E0_paper(y, m, n, delta, B)),
                    ("prior_form", ie.prior_form(n, delta))):
        qc = quantile_check(vals, b, delta)
        out[name] = b
        out[f"ratio_{name}"] = qc.ratio
        out[f"ratio_{name}_limits"] = (qc.lower / b, qc.upper / b)
    out["quantile"] = qc.quantile
    out["mean"] = float(vals.mean())
    out["exact_mean"] = ie.error_mean(y, B)
    return out


def tightness_table(ns=(4, 16), ms=(64, 1024), Bs=(0.0, 1.0, 2.0, 3.0), delta: float = 0.1,
                    draws: int = 4000, seed: int = 0) -> list[dict]:
    """:func:`tightness` over a grid (the closing note's table)."""
    ns, ms = v.int_list("ns", ns), v.int_list("ms", ms)
    draws = v.positive_int("draws", draws)
    v.memory("ns", max(ns), 8.0 * max(ns) * max(ns) * 16)
    v.work("ms" if max(ms) >= draws else "draws", max(max(ms), draws),
           float(max(ms)) * max(ns) * 17 * draws * len(ns) * len(ms) * 4)
    Bs = v.biases("Bs", Bs)
    return [tightness(n, m, B, delta, draws, seed) for n in ns for m in ms for B in Bs]
