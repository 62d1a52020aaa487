"""Report figures and report-only experiments of the Rademacher-radius module (FORMULAS.md
section 5; Lemma 3.10, Theorem 3.9, Lemma C.6), symmetric initialization throughout:

- :func:`width_ladder`: the excess distance ||theta(T) - theta(0)|| - sqrt(y^T H_inf^{-1} y)
  over widths, with the fitted log-log slope and a bootstrap interval (reported, not asserted);
- :func:`generalization_curve`: Theorem 3.9's y^T H_inf^{-1} y over B;
- :func:`rademacher_tightness`: the measured linear Rademacher complexity
  (:func:`montecarlo.estimators.rademacher_radius.rademacher_linear`) over its sparsity bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
import numpy as np

from bounds import rademacher_radius as rr
from bounds import validate as v
from bounds.ntk import Q
from montecarlo.sim import seeding
from montecarlo.sim.data import FAMILIES, LABELS, make_data, problem
from montecarlo.sim.network import empirical_ntk, init_symmetric
from montecarlo.estimators.rademacher_radius import rademacher_linear
from montecarlo.sim.trainer import train

from ..plots import finish, place_legend, save, figure_args

__all__ = ["LadderResult", "width_ladder", "generalization_curve", "rademacher_tightness", "report_figures"]


@dataclass(frozen=True)
class LadderResult:
    """Excess distance ||theta(T) - theta(0)|| - sqrt(y^T H_inf^{-1} y) per (draw, width),
    and the least-squares slope of log|excess| on log m with a 95% bootstrap interval
    (draws resampled with replacement within each width, fixed seed)."""

    widths: np.ndarray
    excess: np.ndarray  # (draws, widths)
    leading: float
    slope: float
    ci: tuple[float, float]
    final_residual: np.ndarray
    B: float
    method: str = "bootstrap over draws (stratified by width), percentile 95%, 2000 resamples"


def _slope(logm: np.ndarray, loge: np.ndarray) -> float:
    x = logm - logm.mean()
    return float((x * (loge - loge.mean())).sum() / (x * x).sum())


def width_ladder(widths=(64, 256, 1024, 4096), draws: int = 6, B: float = 0.0, n: int = 5,
                 d: int = 5, family: str = "random", labels: str = "random", seed: int = 0,
                 eta_frac: float = 0.5, tol: float = 1e-8, max_steps: int = 50_000,
                 boot: int = 2000) -> LadderResult:
    """Train to ||f - y|| <= tol at each width on one fixed data set, ``draws`` initializations
    each, and fit the decay exponent of |excess distance| (Lemma 3.10, FORMULAS.md 5(b)).
    Reported, not asserted."""
    max_steps = v.nonneg_int("max_steps", max_steps)
    eta_frac = v.positive("eta_frac", eta_frac)
    boot = v.positive_int("boot", boot)
    v.work("boot", boot, float(boot) * 4096 * 64)
    v.choice("labels", labels, LABELS)
    v.choice("family", family, FAMILIES)
    widths = np.array(v.int_list("widths", widths, min_len=2, even=True))  # a slope needs two
    draws = v.check_int_range("draws", draws, 2)
    B = v.bias(B)
    X, y = problem(n, d, family, labels, seed)
    lead = rr.leading_distance(X, y, B)
    ex = np.empty((draws, len(widths)))
    res = np.empty_like(ex)
    for j, m in enumerate(widths):
        for k in range(draws):
            net0 = init_symmetric(int(m), X.shape[1], B, seeding.spawn(seed, f"weights/m={m}/draw={k}"))
            lmax = float(np.linalg.eigvalsh(empirical_ntk(X, net0))[-1])
            tr = train(X, y, net0, eta_frac / lmax, max_steps, tol=tol)
            ex[k, j] = tr.distance[-1] - lead
            res[k, j] = tr.residual[-1]
    logm = np.log(np.repeat(widths[None, :], draws, axis=0)).ravel()
    loge = np.log(np.maximum(np.abs(ex), 1e-300)).ravel()
    slope = _slope(logm, loge)
    rng = seeding.spawn(seed, "bootstrap")
    la = np.log(np.maximum(np.abs(ex), 1e-300))
    x = np.log(widths.astype(float))
    x = x - x.mean()  # the same widths in every resample: slope = sum_j x_j sum_k e_kj / (draws sum x^2)
    idx = rng.integers(0, draws, size=(boot, draws, len(widths)))
    sample = np.take_along_axis(la[None], idx, axis=1)  # (boot, draws, widths)
    bs = (sample.sum(axis=1) @ x) / (draws * float(x @ x))
    ci = (float(np.quantile(bs, 0.025)), float(np.quantile(bs, 0.975)))
    return LadderResult(widths, ex, lead, slope, ci, res, B)


def generalization_curve(X, y, Bs) -> dict:
    """Theorem 3.9's y^T H_inf^{-1} y over B: times Q(B) (against ||y||^2/2) and times
    exp(-B^2/2) (FORMULAS.md: grows roughly linearly in B)."""
    X = v.unit_rows("X", X)
    y = v.labels("y", y, X.shape[0])
    Bs = v.biases("Bs", Bs, hi=v.B_DOUBLE, why="y^T H_inf^-1 y needs H_inf in normal doubles")
    quad = np.array([rr.leading_distance(X, y, B) ** 2 for B in Bs])
    return {"B": Bs, "yHy": quad, "times_Q": quad * Q(Bs), "times_exp": quad * np.exp(-Bs**2 / 2),
            "half_norm2": float(y @ y) / 2,
            "term": np.array([rr.generalization_term(X, y, B) for B in Bs])}


def rademacher_tightness(Bs, m: int = 4096, n: int = 8, d: int = 8, draws: int = 4,
                         sigmas: int = 20_000, seed: int = 0) -> dict:
    """Measured Rad_S(F_lin) (R_F = 1) over the sparsity bound sqrt(2 e^{-B^2/2}/n), averaged
    over ``draws`` data sets and initializations per B (random family)."""
    draws, sigmas = v.positive_int("draws", draws), v.positive_int("sigmas", sigmas)
    v.memory("sigmas" if sigmas >= draws else "draws", max(sigmas, draws), 8.0 * sigmas * draws * 64)
    m, n, d = v.even_int("m", m), v.positive_int("n", n), v.positive_int("d", d)
    Bs = v.biases("Bs", Bs, hi=v.B_DOUBLE, why="the ratio divides by sqrt(2 e^{-B^2/2}/n)")
    seed = v.seed("seed", seed)
    ratio = np.empty((len(Bs), draws))
    jr = np.empty_like(ratio)
    event = np.zeros(len(Bs), dtype=int)
    for j, B in enumerate(Bs):
        for k in range(draws):
            X = make_data("random", n, d, seeding.spawn(seed, f"data/draw={k}"))
            net0 = init_symmetric(m, d, B, seeding.spawn(seed, f"weights/B={j}/draw={k}"))
            e = rademacher_linear(X, net0, B, 1.0, sigmas, seeding.spawn(seed, f"signs/B={j}/draw={k}"))
            ratio[j, k], jr[j, k] = e.value / e.sparsity, e.jensen / e.sparsity
            event[j] += e.on_event
    return {"B": Bs, "ratio": ratio.mean(axis=1), "ratio_min": ratio.min(axis=1),
            "ratio_max": ratio.max(axis=1), "jensen_ratio": jr.mean(axis=1), "on_event": event,
            "m": m, "n": n, "draws": draws}


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
