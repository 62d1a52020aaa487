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

from bounds import activated_neurons as an
from bounds import validate as v
from montecarlo.sim import seeding
from montecarlo.estimators.activated_neurons import training_counts
from montecarlo.sim.data import FAMILIES, LABELS, problem

from ..plots import save, figure_args

__all__ = ["active_fraction_curves", "fraction_summary", "report_figures"]


def active_fraction_curves(Bs, m: int = 2048, n: int = 16, d: int = 16, steps: int = 200,
                           eta_frac: float = 0.5, seed: int = 0, symmetric: bool = False,
                           family: str = "random", labels: str = "random") -> dict[str, np.ndarray]:
    """The active fraction |S_on(i, t)| / m along training, one run per B on the same data
    (:func:`montecarlo.sim.data.problem`; run j initialized from ``spawn(seed, "weights/...")``).

    Returns arrays: B (k,), t (T+1,), mean_fraction and max_fraction (k, T+1) (mean and max
    over inputs), reference e^{-B^2/2} (k,), Q (k,), movement and residual (k, T+1),
    max_ratio (k,) = max_{i,t} fraction / e^{-B^2/2}. Runs stopping early are padded with
    their last value (``stopped`` lists why each run ended).
    """
    steps, m = v.positive_int("steps", steps), v.positive_int("m", m)
    v.work("steps" if steps >= m else "m", max(steps, m), float(steps) * m * 64 * 17)
    v.choice("labels", labels, LABELS)
    v.choice("family", family, FAMILIES)
    symmetric = v.boolean("symmetric", symmetric)
    Bs = v.biases("Bs", Bs, hi=v.B_DOUBLE, why="max_ratio divides by e^{-B^2/2}")
    if Bs.ndim != 1 or Bs.size == 0:
        v.fail("Bs", Bs, "a non-empty 1-D list of biases")
    for B in Bs:
        v.bias(B)
    m = v.even_int("m", m) if symmetric else v.positive_int("m", m)
    steps = v.positive_int("steps", steps)
    X, y = problem(n, d, family, labels, seed)
    T = steps + 1
    out = {k: np.empty((Bs.size, T)) for k in ("mean_fraction", "max_fraction", "movement", "residual")}
    stopped = []
    for j, B in enumerate(Bs):  # one run per B (a handful), not a loop over samples
        init = seeding.spawn(seed, f"weights/B={j}/symmetric={int(symmetric)}")
        run = training_counts(X, y, m, float(B), eta_frac, steps, init, symmetric)
        frac = run.counts / m
        cols = {"mean_fraction": frac.mean(axis=1), "max_fraction": frac.max(axis=1),
                "movement": run.movement, "residual": run.trajectory.residual}
        for k, col in cols.items():
            out[k][j, : col.size] = col
            out[k][j, col.size:] = col[-1]
        stopped.append(run.trajectory.stopped)
    ref = np.exp(-Bs**2 / 2)
    return {"B": Bs, "t": np.arange(T), "reference": ref,
            "Q": np.array([an.on_probability(B) for B in Bs]),
            "max_ratio": out["max_fraction"].max(axis=1) / ref, "stopped": np.array(stopped), **out}


def fraction_summary(Bs=(0.0, 1.0, 2.0, 3.0), seed: int = 0, **kw) -> list[dict]:
    """Largest active fraction seen during training relative to e^{-B^2/2}, for standard and
    symmetric initialization (the figure the closing note quotes)."""
    rows = []
    for sym in (False, True):
        c = active_fraction_curves(Bs, seed=seed, symmetric=sym, **kw)
        for j, B in enumerate(c["B"]):
            rows.append({"B": float(B), "symmetric": sym, "max_ratio": float(c["max_ratio"][j]),
                         "final_mean_ratio": float(c["mean_fraction"][j, -1] / c["reference"][j]),
                         "Q_ratio": float(c["Q"][j] / c["reference"][j]),
                         "movement": float(c["movement"][j, -1]),
                         "residual_drop": float(c["residual"][j, -1] / c["residual"][j, 0])})
    return rows


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
