"""Report figures of the initial-error module (Lemma 3.5 = Lemma A.10, FORMULAS.md section 2):
how tight E0_tight and E0_paper are, over B and over m, next to the prior
O(n log^2(n/delta)) form. :func:`tightness` and :func:`tightness_table` are the report-only
experiments behind them (the closing note's table); the estimators are
:mod:`montecarlo.estimators.initial_error`'s."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


from ..layout import place_legend, save, figure_args

from montecarlo.experiments.initial_error import tightness  # noqa: E402,F401

__all__ = ["report_figures"]


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
