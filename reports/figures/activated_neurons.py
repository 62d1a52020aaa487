"""Report figures of the activated-neurons module (Lemma 3.6 = Lemmas A.18, A.19, FORMULAS.md
section 3): the active fraction |S_on(i, t)| / m along real gradient-descent runs for several
B, standard and symmetric initialization (the one-hidden-layer analogue of the paper's
Figure 1), against e^{-B^2/2} and Q(B). :func:`active_fraction_curves` and
:func:`fraction_summary` are the report-only experiments; the training runs and counts are
:func:`montecarlo.estimators.activated_neurons.training_counts`'."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
import numpy as np


from ..layout import save, figure_args

from montecarlo.experiments.activated_neurons import active_fraction_curves  # noqa: E402,F401

__all__ = ["report_figures"]


def report_figures(out_dir, seed: int = 0, quick: bool = True) -> list[tuple[str, str]]:
    """Active fraction along training for several B (standard and symmetric), with
    e^{-B^2/2} and Q(B) reference lines."""
    out_dir, seed, quick = figure_args(out_dir, seed, quick)
    Bs = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5) if quick else (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
    kw = dict(m=1024, steps=100) if quick else dict(m=2048, steps=250)  # default run stays ~1 min
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), sharey=True)
    notes = []
    for ax, sym in zip(axes, (False, True)):
        c = active_fraction_curves(Bs, seed=seed, symmetric=sym, **kw)
        colors = plt.cm.viridis(np.linspace(0, 0.9, len(Bs)))
        for j, B in enumerate(c["B"]):
            ax.plot(c["t"], c["mean_fraction"][j], color=colors[j], lw=2, label=f"B = {B:g}")
            ax.plot(c["t"], c["max_fraction"][j], color=colors[j], lw=0.7, alpha=0.6)
            ax.axhline(c["reference"][j], color=colors[j], ls="--", lw=0.8)
            ax.axhline(c["Q"][j], color=colors[j], ls=":", lw=0.8)
        notes.append(", ".join(f"B={B:g}: {r:.3f}" for B, r in zip(c["B"], c["max_ratio"])))
        ax.set_yscale("log")
        ax.set_xlabel("gradient-descent step t", fontsize=11)
        ax.set_title(f"{'symmetric' if sym else 'standard'} init, m = {kw['m']}, n = 16", fontsize=11)
        ax.tick_params(labelsize=10)
    axes[0].set_ylabel("active fraction |S_on(i,t)| / m", fontsize=11)
    handles, labels = axes[0].get_legend_handles_labels()
    styles = [Line2D([], [], color="k", lw=2), Line2D([], [], color="k", lw=0.7, alpha=0.6),
              Line2D([], [], color="k", ls="--", lw=0.8), Line2D([], [], color="k", ls=":", lw=0.8)]
    row = 0.3 / fig.get_figheight()  # one legend row, in figure units
    fig.legend(handles, labels, loc="center", bbox_to_anchor=(0.5, 1.5 * row), ncol=len(Bs),
               fontsize=10, frameon=False)
    fig.legend(styles, ["mean over inputs", "max over inputs", "$e^{-B^2/2}$", "$Q(B)$"], loc="center",
               bbox_to_anchor=(0.5, 0.5 * row), ncol=4, fontsize=10, frameon=False)
    fig.suptitle("Active fraction along training, with the bounds $e^{-B^2/2}$ and $Q(B)$ "
                 "(colour: B)", fontsize=12)
    fig.tight_layout(rect=(0, 2 * row, 1, 1))
    f1 = save(fig, out_dir, "activated_fraction.png")
    return [(f1, "Active fraction along gradient descent for several B (one-hidden-layer analogue "
                 "of the paper's Figure 1). Largest fraction / e^{-B^2/2} over inputs and steps: "
                 f"standard {notes[0]}; symmetric {notes[1]}.")]
