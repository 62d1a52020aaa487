"""Report figures of the initial-error module (Lemma 3.5 = Lemma A.10, FORMULAS.md section 2):
how tight E0_tight and E0_paper are, over B and over m, next to the prior
O(n log^2(n/delta)) form. :func:`tightness` and :func:`tightness_table` are the report-only
experiments behind them (the closing note's table); the estimators are
:mod:`montecarlo.estimators.initial_error`'s."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from bounds import initial_error as ie
from montecarlo.sim import seeding
from bounds import validate as v
from montecarlo.sim.data import FAMILIES, LABELS, problem
from montecarlo.estimators.initial_error import error_values, quantile_check

from ..plots import place_legend, save, figure_args

__all__ = ["tightness", "tightness_table", "report_figures"]


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


def report_figures(out_dir, seed: int = 0, quick: bool = True) -> list[tuple[str, str]]:
    """Tightness (quantile / bound) of E0_tight and E0_paper over B and over m (log scale),
    with the prior O(n log^2(n/delta)) form (constant 1) for comparison."""
    out_dir, seed, quick = figure_args(out_dir, seed, quick)
    draws = 1000 if quick else 4000
    delta, n = 0.1, 8
    Bs = np.linspace(0, 4, 9 if quick else 17)
    ms = [2**j for j in range(0, 12, 2 if quick else 1)]
    files = []
    for axis, grid, fixed, fname in (("B", Bs, {"m": 256}, "initial_error_tightness_B.png"),
                                     ("m", ms, {"B": 1.0}, "initial_error_tightness_m.png")):
        rows = [tightness(n, **{**fixed, axis: g}, delta=delta, draws=draws, seed=seed) for g in grid]
        fig, ax = plt.subplots(figsize=(6.4, 4.8))
        for key, style in (("E0_tight", "o-"), ("E0_paper", "s-"), ("prior_form", "^:")):
            ax.plot(grid, [r[f"ratio_{key}"] for r in rows], style,
                    label=key if key != "prior_form" else "prior n log^2(n/delta) (constant 1, not a bound)")
        ax.set_yscale("log")
        if axis == "m":
            ax.set_xscale("log", base=2)
        ax.set_xlabel(axis)
        ax.set_ylabel("(1 - delta)-quantile of ||f(0) - y||^2 / bound")
        ax.axhline(1.0, color="k", lw=0.8)
        ax.annotate("bound (ratio 1)", (0.01, 1.0), xycoords=("axes fraction", "data"),
                    xytext=(0, -3), textcoords="offset points", va="top", fontsize=8)
        ax.set_title(f"Initial-error tightness, n = {n}, delta = {delta}, "
                     + ", ".join(f"{k} = {v:g}" for k, v in fixed.items()))
        fig.tight_layout()
        place_legend(ax, fontsize=8)  # inside where no curve runs, else below the axes
        files.append((save(fig, out_dir, fname), f"Tightness of Lemma 3.5 over {axis} ({draws} draws per "
                                                  "point, random data, random-sign labels)."))
    return files
