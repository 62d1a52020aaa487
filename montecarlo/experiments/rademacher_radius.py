"""The experiments behind the report figures of the rademacher_radius module that are not claims
(:mod:`reports.figures.rademacher_radius` plots and captions what they return)."""

from __future__ import annotations
from dataclasses import dataclass
import numpy as np
from bounds import rademacher_radius as rr
from bounds import validate as v
from bounds.ntk import Q
from montecarlo.sim import seeding
from montecarlo.sim.data import FAMILIES, LABELS, make_data, problem
from montecarlo.sim.network import empirical_ntk, init_symmetric
from montecarlo.estimators.rademacher_radius import rademacher_linear
from montecarlo.sim.trainer import train

__all__ = ["LadderResult", "width_ladder", "generalization_curve", "rademacher_tightness"]



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
