"""Report figures of the flip-probability module (Lemma A.4, FORMULAS.md section 1): where the
new product bound c R e^{-B^2/2} beats the prior min-form bound over (B, R), and how tight the
constant c is. Deterministic formulas only (:mod:`bounds.flip_probability`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from bounds import flip_probability as fp

from ..layout import finish, figure_args

__all__ = ["report_figures"]


def report_figures(out_dir, seed: int = 0, quick: bool = True) -> list[tuple[str, str]]:
    """The prior-vs-new ratio map over (B, R) and the tightness curve (``seed`` unused: no
    randomness)."""
    out_dir, seed, quick = figure_args(out_dir, seed, quick)
    n = 40 if quick else 120
    Bs = np.linspace(0.05, 12, n)
    fr = np.logspace(-6, 0, n)  # R = fr / B
    ratio = np.array([[fp.prior_bound(B, f / B) / fp.lemma_bound(B, f / B) for B in Bs] for f in fr])
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    im = ax.pcolormesh(Bs, fr, np.log10(ratio), shading="auto", cmap="RdBu")
    ax.contour(Bs, fr, np.log10(ratio), levels=[0.0], colors="k", linewidths=1)
    ax.set_yscale("log")
    fig.colorbar(im, ax=ax, label="log10(prior min-form / c R exp(-B^2/2))")
    f1 = finish(fig, ax, out_dir, "flip_prior_ratio.png", xlabel="B", ylabel="R * B  (R <= 1/B)",
                title="Where each bound wins (black: equal; blue: the lemma is tighter)", legend=None)

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    Bs2 = np.linspace(0, 12, 200)
    for f in (1.0, 0.5, 0.1, 1e-3):
        ax.plot(Bs2, [fp.ratio_to_rate(B, f / max(B, 0.1)) for B in Bs2], label=f"R = {f:g} / max(B, 0.1)")
    ax.axhline(fp.C_TIGHT, color="k", ls="--", label=f"tight constant {fp.C_TIGHT:.4f}")
    ax.axhline(fp.C_PAPER, color="r", ls=":", label=f"paper constant {fp.C_PAPER:.2f}")
    ax.set_yscale("log")
    f2 = finish(fig, ax, out_dir, "flip_tightness.png", xlabel="B", ylabel="p_flip / (R exp(-B^2/2))",
                title="Tightness of Lemma A.4's constant")
    return [(f1, "Prior min-form bound over the new product bound, over (B, R)."),
            (f2, "p_flip / (R e^{-B^2/2}) against the tight and the paper's constants.")]
