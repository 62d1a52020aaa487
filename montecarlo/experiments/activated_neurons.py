"""The experiments behind the report figures of the activated_neurons module that are not claims
(:mod:`reports.figures.activated_neurons` plots and captions what they return)."""

from __future__ import annotations
import numpy as np
from bounds import activated_neurons as an
from bounds import validate as v
from montecarlo.sim import seeding
from montecarlo.estimators.activated_neurons import training_counts
from montecarlo.sim.data import FAMILIES, LABELS, problem

__all__ = ["active_fraction_curves"]



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
