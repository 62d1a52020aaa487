"""The experiments behind the report figures of the restricted_eigenvalue module that are not claims
(:mod:`reports.figures.restricted_eigenvalue` plots and captions what they return)."""

from __future__ import annotations
import numpy as np
from bounds import restricted_eigenvalue as re_
from bounds import validate as v
from montecarlo.sim.data import FAMILIES, dataset
from montecarlo.estimators.restricted_eigenvalue import primal_search

__all__ = ["summary_table"]



def summary_table(families=FAMILIES, Bs=(0.0, 1.0, 2.0, 4.0), n: int = 8, d: int = 8,
                  seed: int = 0) -> list[dict]:
    """lambda_min(H_inf), lambda_R(H_inf), the sharper bound and the closed form side by side,
    with the primal search's gap to the dual value (relative to ||H_inf||)."""
    Bs = v.biases("Bs", Bs, hi=v.B_DOUBLE, why="the primal-dual gap is relative to ||H_inf||")
    if isinstance(families, str) or not isinstance(families, (tuple, list)) or not families:
        v.fail("families", families, f"a non-empty sequence of names from {FAMILIES}")
    for fam in families:
        v.choice("families", fam, FAMILIES)
    rows = []
    for fam in families:
        X = dataset(fam, n, d, seed)
        for B in Bs:
            ch = re_.chain(X, B)
            H = re_.h_inf_from_pairs(X, re_.pair_matrix(X, B))
            Qm = re_.region_matrix(X, B)
            pr = primal_search(H, Qm, seed)
            scale = float(np.linalg.norm(H, 2))
            rows.append({"family": fam, "B": B, "separation": ch.separation,
                         "lambda_min_H": ch.lambda_min_H, "lambda_R_H": ch.lambda_R_H.value,
                         "sharper": ch.sharper, "closed_form": ch.closed_form,
                         "primal": pr.value, "primal_minus_dual_rel": (pr.value - ch.lambda_R_H.value) / scale})
    return rows
