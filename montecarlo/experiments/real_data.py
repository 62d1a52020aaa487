"""The real-data experiment behind the report section "Theorem 3.12 and the generalization
term on real data" (FORMULAS.md sections 4
and 5; Theorem 3.9, Theorem 3.12 = Theorem B.1, Remark 3.13).

For scikit-learn's shipped sets (:mod:`montecarlo.sim.datasets`: standardized, on the unit sphere,
duplicates removed, labels in [-1, 1]) at bias B: n, d, the separation delta, lambda_min(H_inf),
lambda_R(H_inf) (dual value, certificate gap below 1e-12 relative), the closed-form and sharper
lower bounds of Theorem 3.12, y^T H_inf^{-1} y, and the paper's label-shifting strategy, for the
data set's labels and for random +-1 labels on the same inputs
(Remark 3.13): the smallest |c| with y + c 1 in R = {a : a^T Qm a >= 0} (a quadratic in c with
leading coefficient 1^T Qm 1 > 0), and what the shift does to y^T H_inf^{-1} y. Its curves
follow y^T H_inf^{-1} y * Q(B) / ||y||^2 against B (FORMULAS.md: it tends to 1/2), for the
labels and the shifted labels.

Subsets: with ``quick`` every set has at most ``QUICK_N`` rows (seeded subset); otherwise iris,
wine and breast_cancer are whole and digits has ``FULL_DIGITS`` rows (all 1797 by default).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import linalg as sla

from bounds import ntk
from bounds import restricted_eigenvalue as re_
from bounds import validate as v

from ..sim.seeding import spawn

__all__ = ["label_shift", "quadratic_form_inverse", "real_data_table", "generalization_curves"]

QUICK_N = 120
FULL_DIGITS = 1797
B_TABLE = 1.0
B_GRID = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)


def label_shift(y: np.ndarray, Qm: np.ndarray) -> float:
    """The c of smallest |c| with (y + c 1)^T Qm (y + c 1) >= 0 (Remark 3.13's shift):
    f(c) = a c^2 + 2 b c + f0 with a = 1^T Qm 1, b = 1^T Qm y, f0 = y^T Qm y; 0 when f0 >= 0."""
    y = v.array("y", y, ndim=1)
    v.symmetric_matrix("Qm", Qm, y.shape[0])  # checked; used as given
    Qm = np.asarray(Qm, dtype=float)
    one = np.ones_like(y)
    a, b, f0 = float(one @ Qm @ one), float(one @ Qm @ y), float(y @ Qm @ y)
    if f0 >= 0:
        return 0.0
    if a <= 0:
        return math.nan  # Qm = 0 means R = R^n, so f0 >= 0 above; kept for safety
    root = math.sqrt(b * b - a * f0)
    c1, c2 = (-b + root) / a, (-b - root) / a
    return c1 if abs(c1) <= abs(c2) else c2


def quadratic_form_inverse(H: np.ndarray, y: np.ndarray) -> float:
    """y^T H^{-1} y by a Cholesky solve (inf when H is numerically singular)."""
    y = v.array("y", y, ndim=1)
    v.symmetric_matrix("H", H, y.shape[0])  # checked; the Cholesky reads its lower triangle as given
    H = np.asarray(H, dtype=float)
    try:
        cf = sla.cho_factor(H, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        return math.inf
    return float(y @ sla.cho_solve(cf, y, check_finite=False))


def _sets(seed: int, quick: bool):
    from ..sim.datasets import DATASETS, load

    out = []
    for name in DATASETS:
        n = QUICK_N if quick else (FULL_DIGITS if name == "digits" else None)
        out.append(load(name, n, seed))
    return out


def real_data_table(seed: int = 0, quick: bool = True, B: float = B_TABLE) -> list[dict]:
    """One row per data set at bias B (see the module docstring)."""
    seed, quick = v.seed("seed", seed), v.boolean("quick", quick)
    B = v.bias(B)
    rows = []
    for ds in _sets(seed, quick):
        g = re_.Ingredients(ds.X, B)
        H, Qm, y = g.H, g.Qm, ds.y
        r = g.lambda_R_H
        c = label_shift(y, Qm)
        ys = y + c
        d = g.separation
        # the same inputs with random +-1 labels (seeded): does the strategy need a shift there?
        yr = spawn(seed, f"real_data_signs_{ds.name}").choice([-1.0, 1.0], size=ds.n)
        cr = label_shift(yr, Qm)
        rows.append({
            "data": ds.name, "n": ds.n, "size": ds.size, "d": ds.d, "duplicates_removed": ds.duplicates_removed,
            "B": B, "separation": d, "lambda_min": float(np.linalg.eigvalsh(H)[0]), "lambda_R": r.value,
            "lambda_R_gap": r.gap, "eigen_solves": r.detail.get("eigen_solves"), "sharper": re_.sharper_bound(d, B),
            "closed_form": re_.closed_form_bound(d, B), "p0_minus_pmin": g.p0 - g.p_min,
            "y_in_R": bool(y @ Qm @ y >= 0), "shift": c, "yHy": quadratic_form_inverse(H, y),
            "yHy_shifted": quadratic_form_inverse(H, ys), "norm_y2": float(y @ y), "norm_ys2": float(ys @ ys),
            "signs_in_R": bool(yr @ Qm @ yr >= 0), "signs_shift": cr, "signs_yHy": quadratic_form_inverse(H, yr),
            "signs_yHy_shifted": quadratic_form_inverse(H, yr + cr),
        })
    return rows


def generalization_curves(seed: int = 0, quick: bool = True, Bs=B_GRID) -> dict[str, dict[str, list[float]]]:
    """Per data set: y^T H_inf^{-1} y * Q(B) / ||y||^2 over Bs, for y and for the shifted y
    (the shift recomputed at each B, since R depends on B)."""
    seed, quick = v.seed("seed", seed), v.boolean("quick", quick)
    Bs = v.biases("Bs", Bs)
    out = {}
    for ds in _sets(seed, quick):
        plain, shifted, shifts = [], [], []
        for B in Bs:
            g = re_.Ingredients(ds.X, B)  # lazy: the pair matrix once, no restricted solve
            H, Qm = g.H, g.Qm
            c = label_shift(ds.y, Qm)
            q = float(ntk.Q(B))
            plain.append(quadratic_form_inverse(H, ds.y) * q / float(ds.y @ ds.y))
            ys = ds.y + c
            shifted.append(quadratic_form_inverse(H, ys) * q / float(ys @ ys))
            shifts.append(c)
        out[ds.name] = {"B": list(Bs), "plain": plain, "shifted": shifted, "shift": shifts, "n": ds.n}
    return out


# y^T H^-1 y with five digits: a small shift moves it in the fourth (digits: 667.78 -> 668.02)
