"""Report figures of the error-analysis module (FORMULAS.md section 7): Claim A.11's terms along one
run against their bounds, lambda_min(H_inf) e^{B^2/2} over B against sqrt(2/pi)/B, the sparse and
dense step sizes, and Figure 2's slope ratios slope(B)/slope(0) with intervals over draws."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from bounds import error_analysis as eab
from montecarlo.estimators import error_analysis as ea
from montecarlo.experiments.convergence import figure2_curves, fit_slopes
from montecarlo.sim.data import dataset
from montecarlo.sim.seeding import derive

from ..layout import figure_args, finish

__all__ = ["report_figures"]


def report_figures(out_dir, seed: int = 0, quick: bool = True) -> list[tuple[str, str]]:
    """Four figures (all randomness from ``seed``); ``quick`` shortens the runs and the draws."""
    out_dir, seed, quick = figure_args(out_dir, seed, quick)
    figs = []
    # 1. Claim A.11 along one run
    P = ea.draw(4, 4, 256, 1.0, "random", "random", derive(seed, "error_analysis", "run"), True)
    D = ea.decompose(ea.run(P, 30 if quick else 100))
    t = np.arange(D.steps)
    r2 = D.norm2[:-1]
    # the identity's deviation at the steps the claim checks (||r(t)|| >= 1e-3 max(||y||, ||r(0)||))
    floor = 1e-3 * max(float(np.linalg.norm(P.y)), math.sqrt(r2[0]))
    dev = float(D.deviation[np.sqrt(r2) >= floor].max(initial=0.0))
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for name, val in (("-C1", -D.C1), ("|C2|", np.abs(D.C2)), ("|C3|", np.abs(D.C3)), ("C4", D.C4)):
        ax.plot(t, np.maximum(val / r2, 1e-30), label=f"{name} / ||r||^2")
    R = np.maximum(D.R, 1e-300)
    ax.plot(t, [eab.flip_term_bound(D.eta, D.n, D.B, x) for x in R], "k--", label="8 eta n q (A.14, A.15)")
    ax.plot(t, [eab.update_bound(D.eta, D.n, D.B, x) for x in R], "k:", label="4 eta^2 n^2 (1+2cR)^2 e^{-B^2} (A.16)")
    ax.axhline(D.eta * D.lam, color="gray", ls="-.", label="eta lambda (A.12)")
    ax.set_yscale("log")
    figs.append((finish(fig, ax, out_dir, "error_terms.png", xlabel="step t", ylabel="term / ||r(t)||^2",
                        title=f"Claim A.11 along one run (n=4, m=256, B=1; identity to {dev:.1e})"),
                 "The four terms of Claim A.11 per step, relative to ||r(t)||^2, against their bounds."))
    # 2. B-independence
    Bs = np.geomspace(0.25, 40, 10 if quick else 60)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for fam in ("random", "orthonormal", "clusters"):
        X = dataset(fam, 4, 6, derive(seed, "error_analysis", fam))
        ax.plot(Bs, [math.exp(ea.log_lambda_min_h_inf(X, B) + B * B / 2) for B in Bs], label=f"lambda0, {fam}")
    ax.plot(Bs, [math.exp(eab.log_diagonal_bound(B) + B * B / 2) for B in Bs], "k--", label="2 Q(B) e^{B^2/2}")
    ax.plot(Bs, np.sqrt(2 / np.pi) / Bs, "k:", label="sqrt(2/pi) / B")
    ax.set_xscale("log")
    ax.set_yscale("log")
    figs.append((finish(fig, ax, out_dir, "lambda0_over_B.png", xlabel="B", ylabel="lambda_min(H_inf) e^{B^2/2}",
                        title="lambda0 = lambda e^{B^2/2} over B: at most sqrt(2/pi)/B"),
                 "lambda_min(H_inf) e^{B^2/2} over B for three data families against 2 Q(B) e^{B^2/2} <= sqrt(2/pi)/B."))
    # 3. sparse vs dense step
    Bs3 = np.linspace(0.0, 4.0, 12 if quick else 40)
    X = dataset("random", 4, 6, derive(seed, "error_analysis", "steps"))
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    lam = [math.exp(ea.log_lambda_min_h_inf(X, B)) for B in Bs3]
    Rs = [eab.radius_condition(4, B, l) for B, l in zip(Bs3, lam)]
    sp = [eab.sparse_step(4, B, l, R) for B, l, R in zip(Bs3, lam, Rs)]
    de = [eab.dense_step(4, l) for l in lam]
    ax.plot(Bs3, sp, label="eta_sparse = lambda e^{B^2} / (8 n^2 (1+2cR)^2)")
    ax.plot(Bs3, de, label="eta_dense = lambda / (8 n^2)")
    ax.plot(Bs3, np.array(sp) * np.array(lam) / 4, "--", label="rate eta_sparse lambda / 4")
    ax.set_yscale("log")
    figs.append((finish(fig, ax, out_dir, "sparse_dense_step.png", xlabel="B", ylabel="step / rate",
                        title="Sparse vs dense step size (n = 4, random data, R = the radius condition)"),
                 "The sparse step size against the dense one, and the guaranteed rate per step."))
    # 4. Figure 2's slope ratios
    Bs4 = (0.0, 0.5, 1.0, 1.5, 2.0)
    c = figure2_curves(Bs=Bs4, m=128, n=10, d=10, steps=150 if quick else 1000, draws=2 if quick else 10,
                       seed=derive(seed, "error_analysis", "fig2"))
    s0 = fit_slopes(c["curves"][0.0])["slopes"]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    means, lows, highs = [], [], []
    for B in Bs4:
        sB = fit_slopes(c["curves"][float(B)])["slopes"]
        k = min(len(sB), len(s0))
        r = sB[:k] / s0[:k] if k else np.array([math.nan])
        h = 1.96 * r.std(ddof=1) / math.sqrt(k) if k > 1 else 0.0
        means.append(r.mean())
        lows.append(r.mean() - h)
        highs.append(r.mean() + h)
    ax.errorbar(Bs4, means, yerr=[np.array(means) - lows, np.array(highs) - means], fmt="o-", label="slope(B) / slope(0)")
    ax.axhspan(0.5, 2.0, color="green", alpha=0.1, label="[1/2, 2]")
    figs.append((finish(fig, ax, out_dir, "figure2_slope_ratio.png", xlabel="B", ylabel="slope ratio",
                        title="Figure 2: final slopes at step eta0 e^{B^2/2}, relative to B = 0"),
                 "Figure 2's final-slope ratio with intervals over draws (the claim figure2_same_slope)."))
    return figs
