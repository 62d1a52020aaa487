"""Report figures and report-only experiments of the Rademacher-radius module (FORMULAS.md
section 5; Lemma 3.10, Theorem 3.9, Lemma C.6), symmetric initialization throughout:

- :func:`width_ladder`: the excess distance ||theta(T) - theta(0)|| - sqrt(y^T H_inf^{-1} y)
  over widths, with the fitted log-log slope and a bootstrap interval (reported, not asserted);
- :func:`generalization_curve`: Theorem 3.9's y^T H_inf^{-1} y over B;
- :func:`rademacher_tightness`: the measured linear Rademacher complexity
  (:func:`montecarlo.estimators.rademacher_radius.rademacher_linear`) over its sparsity bound.
"""

from __future__ import annotations


import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
import numpy as np

from bounds.ntk import Q
from montecarlo.sim.data import problem

from ..layout import finish, place_legend, save, figure_args

from montecarlo.experiments.rademacher_radius import width_ladder, generalization_curve, rademacher_tightness  # noqa: E402,F401

__all__ = ["report_figures"]


def report_figures(out_dir, seed: int = 0, quick: bool = True) -> list[tuple[str, str]]:
    """The width ladder of the excess distance, the generalization term and the
    tightness of the Rademacher sparsity bound over B."""
    out_dir, seed, quick = figure_args(out_dir, seed, quick)
    out = []
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    if quick:
        cfg = {"widths": (64, 256, 1024), "draws": 3, "Bs": (0.0,)}
    else:
        cfg = {"widths": (64, 128, 256, 512, 1024, 2048, 4096), "draws": 8, "Bs": (0.0, 1.0)}
    for B, mk in zip(cfg["Bs"], ("o", "s")):
        L = width_ladder(cfg["widths"], cfg["draws"], B, seed=seed)
        ms = np.repeat(L.widths[None, :], L.excess.shape[0], axis=0)
        ax.loglog(ms.ravel(), np.abs(L.excess).ravel(), mk, alpha=0.5,
                  label=f"B={B:g}: slope {L.slope:.2f} [{L.ci[0]:.2f}, {L.ci[1]:.2f}]")
        c = np.exp(np.log(np.abs(L.excess)).mean() - L.slope * np.log(ms).mean())
        ax.loglog(L.widths, c * L.widths.astype(float) ** L.slope, "-", color="k", lw=0.8,
                  label="least-squares fit" if B == cfg["Bs"][0] else None)
    f1 = finish(fig, ax, out_dir, "rademacher_width_ladder.png", xlabel="width m",
                ylabel="| ||theta(T) - theta(0)|| - sqrt(y^T H_inf^-1 y) |",
                title="Excess distance travelled (n=5, d=5, random data)")
    out.append((f1, "Excess distance over widths, with the fitted log-log slope and its 95% "
                    "bootstrap interval (draws resampled within widths)."))

    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    Bs = np.linspace(0, 12, 25 if quick else 61)
    key = []
    for fam, n, d in (("random", 8, 4), ("orthonormal", 5, 5), ("circle", 8, 4)):
        X, y = problem(n, d, fam, "random", seed)
        g = generalization_curve(X, y, Bs)
        line = ax.plot(Bs, g["times_exp"], "-")[0]
        ax.plot(Bs, g["times_Q"], "--", color=line.get_color())
        ax.axhline(g["half_norm2"], ls=":", lw=0.8, color=line.get_color())
        key.append((Line2D([], [], color=line.get_color(), lw=4), f"{fam}, n = {n}, d = {d}"))
    key += [(Line2D([], [], color="k", ls=ls, lw=lw), lab) for ls, lw, lab in
            (("-", 1.5, "y^T H^-1 y e^(-B^2/2)"), ("--", 1.5, "y^T H^-1 y Q(B)"), (":", 0.8, "||y||^2/2"))]
    ax.set_yscale("log")
    ax.set_xlabel("B")
    ax.set_ylabel("value (log scale)")
    ax.set_title("Theorem 3.9's y^T H_inf^-1 y over B")
    fig.tight_layout()
    place_legend(ax, fontsize=8, handles=[h for h, _ in key], labels=[lab for _, lab in key], ncol=2)
    f2 = save(fig, out_dir, "rademacher_generalization.png")
    out.append((f2, "y^T H_inf^-1 y times Q(B) (tends to ||y||^2/2) and times exp(-B^2/2) (grows about "
                    "linearly in B, slope sqrt(2 pi)/2 ||y||^2, for separated data; flat while a "
                    "near-parallel pair dominates, as on the circle) over B."))

    T = rademacher_tightness(np.linspace(0, 3, 7 if quick else 13), m=2048 if quick else 8192,
                             draws=2 if quick else 6, seed=seed)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    ax.plot(T["B"], T["ratio"], "o", label="mean sup / (R_F sqrt(2 e^(-B^2/2) / n))")
    ax.plot(T["B"], T["jensen_ratio"], "s", label="R_F ||Z||_F / n / bound")
    Bf = np.linspace(0, 3, 100)
    ax.plot(Bf, np.sqrt(Q(Bf) * np.exp(Bf**2 / 2)), "k-", lw=0.8, label="sqrt(Q(B) e^(B^2/2))")
    ax.set_ylim(0, 1.05)
    f3 = finish(fig, ax, out_dir, "rademacher_tightness.png", xlabel="B",
                ylabel="Rademacher complexity / sparsity bound",
                title=f"Tightness of Lemma C.6's sparsity bound (m={T['m']}, n={T['n']})")
    out.append((f3, "Measured linear Rademacher complexity over its sparsity bound: it follows "
                    "sqrt(Q(B) e^(B^2/2)), about (2 pi B^2)^(-1/4) for large B."))
    return out
