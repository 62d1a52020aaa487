"""The convergence section's experiments that are not claims (section 6 of the formula
sheet): how wide is wide enough (:func:`width_search`, the smallest width of a ladder at
which the linear rate held in at least 1 - delta of the draws, beside the width the
conditions demand) and Figure 2's curves (:func:`figure2_curves`) with their final slopes
(:func:`fit_slopes`). :mod:`reports.figures.convergence` plots them."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bounds import convergence as cvb
from bounds import validate as v
from bounds.ntk import h_inf

from ..estimators.convergence import FLOOR, draw, rate_check, run
from ..sim import stats
from ..sim.data import FAMILIES, LABELS, make_data, make_labels
from ..sim.network import init_symmetric
from ..sim.seeding import check_seed, derive, spawn
from ..sim.trainer import train

__all__ = ["WidthRow", "width_search", "figure2_curves", "fit_slopes"]


# ------------------------------------------------------------------- width search
@dataclass(frozen=True)
class WidthRow:
    """How wide is wide enough, for one (n, B): the smallest width of the ladder at which the rate
    held in at least 1 - delta of the draws, as an exact binomial statement (the Clopper-Pearson
    upper limit of the failure probability at level ``alpha`` is <= delta), beside the width the
    section-6 conditions demand (D(m) <= R*, Lemma A.8 against the radius condition)."""

    n: int
    B: float
    delta: float
    alpha: float
    widths: tuple
    failures: tuple
    draws: int
    applicable: tuple  # runs with lambda_min(H(s)) >= lam/2 throughout, per width
    within_R: tuple  # runs with every neuron within R* throughout, per width
    applicable_failures: tuple  # applicable runs where the rate failed (the linear_rate claim's refutations)
    measured_width: int | None  # None: not reached on the ladder
    theory_width: float  # median over draws of the width the conditions demand
    lam: float  # median lambda over draws

    @property
    def ratio(self) -> float:
        return self.theory_width / self.measured_width if self.measured_width else math.nan


def width_search(n: int, B: float, widths=(16, 32, 64, 128, 256, 512, 1024), draws: int = 40,
                 steps: int = 200, d: int = 8, delta: float = 0.1, alpha: float = 1e-3,
                 eta_frac: float = 0.5, seed: int = 0, family: str = "random",
                 labels: str = "random") -> WidthRow:
    """Run ``draws`` independent draws (data, labels, symmetric initialization) per width with
    eta = eta_frac / lambda_max(H(0)) and record whether ||f(t) - y||^2 <= (1 - eta lam/4)^t
    ||f(0) - y||^2 held for every t <= steps."""
    n, draws = v.positive_int("n", n), v.positive_int("draws", draws)
    delta, alpha = v.probability("delta", delta), v.probability("alpha", alpha)
    B, d, seed = v.bias(B), v.positive_int("d", d), check_seed(seed)
    steps, eta_frac = v.nonneg_int("steps", steps), v.positive("eta_frac", eta_frac)
    widths = v.int_list("widths", widths, even=True)
    v.choice("family", family, FAMILIES)
    v.choice("labels", labels, LABELS)
    v.work("widths", max(widths), float(max(widths)) * len(widths) * draws * (steps + 1) * n * (d + n + 1))
    fails, apps, withins, app_fails, thw, lams = [], [], [], [], [], []
    measured = None
    for m in widths:
        k = a_ = w_ = af = 0
        for j in range(draws):
            P = draw(n, max(d, n), m, B, family, labels, derive(seed, "width", n, B, m, j), eta_frac)
            if not P.lam > 0:
                k += 1
                continue
            rc = rate_check(run(P, steps))
            k += int(not rc.held)
            a_ += int(rc.applicable)
            w_ += int(rc.within_R)
            af += int(rc.applicable and not rc.held)
            if m == widths[0]:
                thw.append(cvb.theory_width(n, B, P.lam, float(np.linalg.norm(P.y))))
                lams.append(P.lam)
        fails.append(k)
        apps.append(a_)
        withins.append(w_)
        app_fails.append(af)
        if measured is None and stats.clopper_pearson(k, draws, alpha, "upper")[1] <= delta:
            measured = int(m)
    return WidthRow(n, float(B), delta, alpha, tuple(int(w) for w in widths), tuple(fails), draws,
                    tuple(apps), tuple(withins), tuple(app_fails), measured,
                    float(np.median(thw)) if thw else math.nan, float(np.median(lams)) if lams else math.nan)


# ------------------------------------------------------------------------ Figure 2
def figure2_curves(Bs=(0.0, 0.5, 1.0, 1.5, 2.0), m: int = 128, n: int = 10, d: int = 10,
                   steps: int = 1000, draws: int = 10, eta0: float | None = None, scaled: bool = True,
                   seed: int = 0) -> dict:
    """Figure 2's toy: x uniform on the unit sphere (n points in d dimensions), labels uniform
    on [-1, 1], symmetric initialization of width m with bias B, gradient descent with step
    eta = eta0 e^{B^2/2} (``scaled``) or eta0. eta0 defaults to 1/lambda_max(H_inf at B = 0)
    of the first draw's data. Returns ``curves`` {B: array (draws, steps + 1) of log ||f(t) - y||^2}
    and ``predicted`` {B: mean over draws of 2 log|1 - eta lambda_min(H_inf)|}, the final slope of
    the kernel regime (the slowest eigen-direction of H_inf), and ``dead`` {B: per draw, the inputs
    with no active neuron at initialization (their Jacobian column is 0: gradient descent can
    only reach them once other inputs' updates switch a neuron on)}."""
    m = v.even_int("m", m)
    n, d, draws = v.positive_int("n", n), v.positive_int("d", d), v.positive_int("draws", draws)
    steps, seed, Bs = v.nonneg_int("steps", steps), check_seed(seed), v.biases("Bs", Bs)
    v.work("steps", steps, float(steps + 1) * len(Bs) * 2 * draws * m * n * (d + n + 1))
    scaled = v.boolean("scaled", scaled)
    if eta0 is not None:
        eta0 = v.positive("eta0", eta0)

    out, pred, dead = {}, {}, {}
    if eta0 is None:
        X = make_data("random", n, d, derive(seed, "fig2", "data", 0))
        eta0 = 1.0 / float(np.linalg.eigvalsh(h_inf(X, 0.0))[-1])
    for B in Bs:
        curves, preds, deads = [], [], []
        for j in range(draws):
            X = make_data("random", n, d, derive(seed, "fig2", "data", j))
            y = make_labels("random", n, derive(seed, "fig2", "labels", j))
            net0 = init_symmetric(m, d, B, spawn(derive(seed, "fig2", "init", j), "weights"))
            eta = eta0 * math.exp(B * B / 2) if scaled else eta0
            lam = float(np.linalg.eigvalsh(h_inf(X, B))[0])
            preds.append(2 * math.log(abs(1 - eta * lam)) if eta * lam != 1 else -math.inf)
            deads.append(int(np.count_nonzero(~((X @ net0.W.T) >= net0.b).any(axis=1))))
            tr = train(X, y, net0, eta, steps)
            r = np.full(steps + 1, np.nan)
            r[:len(tr.residual)] = tr.residual
            with np.errstate(divide="ignore"):
                curves.append(2 * np.log(r))
        out[float(B)] = np.array(curves)
        pred[float(B)] = float(np.mean(preds))
        dead[float(B)] = np.array(deads)
    return {"curves": out, "predicted": pred, "dead": dead, "eta0": float(eta0), "scaled": scaled,
            "m": m, "n": n, "d": d}


def fit_slopes(curves: np.ndarray, tail: float = 0.3, level: float = 0.95) -> dict:
    """Per draw, the least-squares slope of log ||f(t) - y||^2 over the last ``tail`` fraction of
    the steps before the curve reaches the round-off floor (points at or below
    log FLOOR^2 + 2 dropped: a run that converges to machine precision is fitted on its last
    stretch above it); the mean slope with a Student-t interval over draws (``level``), and the
    per-draw slopes."""
    from scipy import stats as sst

    curves = v.array("curves", curves, ndim=2, finite_=False)  # -inf: an exact 0 residual
    if np.isnan(curves).any() or (curves == np.inf).any():
        v.fail("curves", curves, "log ||f(t) - y||^2 values (no NaN or +inf)")
    tail, level = v.positive("tail", tail), v.probability("level", level)
    if tail > 1:
        v.fail("tail", tail, "0 < tail <= 1 (a fraction of the steps)")
    slopes = []
    for c in curves:
        ok = np.flatnonzero(np.isfinite(c) & (c > 2 * math.log(FLOOR) + 2))
        if ok.size < 3:
            continue
        end = int(ok[-1]) + 1
        start = int(end * (1 - tail))
        t = np.arange(start, end, dtype=float)
        y = c[start:end]
        keep = np.isfinite(y) & (y > 2 * math.log(FLOOR) + 2)
        if keep.sum() >= 3:
            slopes.append(float(np.polyfit(t[keep], y[keep], 1)[0]))
    s = np.array(slopes)
    if s.size < 2:
        return {"mean": float(s.mean()) if s.size else math.nan, "lower": math.nan, "upper": math.nan,
                "slopes": s, "draws": int(s.size)}
    half = float(sst.t.ppf(0.5 + level / 2, s.size - 1) * s.std(ddof=1) / math.sqrt(s.size))
    return {"mean": float(s.mean()), "lower": float(s.mean() - half), "upper": float(s.mean() + half),
            "slopes": s, "draws": int(s.size)}
