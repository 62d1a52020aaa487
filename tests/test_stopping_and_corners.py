"""Two documented contracts, tested as stated.

1. The restricted-eigenvalue solver stops on a **relative** dual gap,
   U - L <= DUAL_RTOL |L| (DUAL_RTOL = 1e-12) plus the round-off of one eigen-solve
   (bounds/restricted_eigenvalue/solver.py). An absolute width in units of ||M|| is 10 to 50
   times looser where lambda_R / ||M|| is 0.02 to 0.1 (clustered data); a test that allows
   1e-12 ||M|| cannot see the difference. Here the value is compared with an independent
   maximization of the dual g(mu) = lambda_min(M - mu Qm) (golden section, 90 steps, numpy
   eigvalsh), allowing DUAL_RTOL |value| plus 16 eps ||M|| of round-off only, on clustered and
   near-duplicate data, for the single-problem path (tangent and subspace steps, n below and
   above SUBSPACE_LIMIT) and the batched path.
2. The search plan (montecarlo/search/plan.py) starts at the domain's corners: the all-low and
   the all-high corner first, then each parameter at each of its extremes with the others all
   low or all high; the plan evaluates them before any random draw.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from bounds import restricted_eigenvalue as re_
from montecarlo.registry import Choice, Domain, EvenInt, Int, LogUniform, Seed, Uniform
from montecarlo.search.plan import Search, plan_sizes
from montecarlo.sim.data import make_data

EPS = np.finfo(float).eps


def _reference_lambda_R(M: np.ndarray, Qm: np.ndarray) -> tuple[float, float]:
    """max_{0 <= mu} lambda_min(M - mu Qm) by golden section on the normalized problem (mu in
    [0, 2] holds the maximum: solver._maximize), and ||M||_2."""
    sM, sQ = float(np.linalg.norm(M, 2)), float(np.abs(Qm).max())
    Mn, Qn = M / sM, Qm / sQ

    def g(mu):
        return float(np.linalg.eigvalsh(Mn - mu * Qn)[0])

    r = (math.sqrt(5) - 1) / 2
    a, b = 0.0, 2.0
    c, d = b - r * (b - a), a + r * (b - a)
    gc, gd = g(c), g(d)
    best = max(g(0.0), gc, gd)
    for _ in range(90):
        if gc < gd:
            a, c, gc = c, d, gd
            d = a + r * (b - a)
            gd = g(d)
        else:
            b, d, gd = d, c, gc
            c = b - r * (b - a)
            gc = g(c)
        best = max(best, gc, gd)
    return best * sM, sM


def _near_duplicates(n: int, seed: int) -> np.ndarray:
    """n/2 random unit points, each twice, the copy moved by about 1e-6."""
    g = np.random.default_rng(seed)
    base = g.standard_normal((n // 2, 3))
    X = np.vstack([base, base + 1e-6 * g.standard_normal(base.shape)])
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def _cases():
    for spread in (0.05, 0.01, 1e-3):
        for n in (6, 12, 24, 70):
            for B in (0.0, 1.0, 2.0):
                yield pytest.param(f"clusters-{spread:g}", n, B, id=f"clusters{spread:g}-n{n}-B{B:g}")
    for n in (8, 24, 70):
        for B in (0.5, 2.0):
            yield pytest.param("near-duplicates", n, B, id=f"near_dup-n{n}-B{B:g}")


@pytest.mark.parametrize("family, n, B", list(_cases()))
def test_the_solver_stops_on_a_relative_dual_gap(family, n, B):
    out = []
    for seed in (0, 1):
        if family == "near-duplicates":
            X = _near_duplicates(n, seed)
        else:
            X = make_data("clusters", n, 3, seed, spread=float(family.split("-")[1]))
        M = re_.h_inf_from_pairs(X, re_.pair_matrix(X, B))
        Qm = re_.region_matrix(X, B)
        ref, sM = _reference_lambda_R(M, Qm)
        single = re_.restricted_eigenvalue(M, Qm)
        batched = re_.lambda_R(M, Qm)
        allow = re_.DUAL_RTOL * abs(ref) + 16 * EPS * sM
        for value in (single.value, batched):
            assert value <= ref + allow  # a lower bound (weak duality), up to round-off
            assert ref - value <= allow, (f"dual value {value!r} is {(ref - value) / abs(ref):.2e} (relative) below "
                                          f"the maximum {ref!r}; lambda_R / ||M|| = {ref / sM:.3g}")
        out.append(ref / sM)
    assert max(out) < 0.5  # the regime where a relative and an absolute width differ


# ------------------------------------------------------------------ the plan's corners
DOM = Domain({"B": Uniform(0.5, 4.0), "m": LogUniform(8.0, 1024.0), "n": Int(2, 9), "w": EvenInt(4, 16),
              "family": Choice("random", "clusters", "circle"), "seed": Seed()})
LOWS = {"B": 0.5, "m": 8.0, "n": 2, "w": 4, "family": "random", "seed": 0}
HIGHS = {"B": 4.0, "m": 1024.0, "n": 9, "w": 16, "family": "circle", "seed": 0}


def test_corners_start_with_all_low_and_all_high():
    corners = DOM.corners_raw()
    assert corners[0] == LOWS and corners[1] == HIGHS
    assert len(corners) == 14 and len({tuple(sorted(c.items())) for c in corners}) == len(corners)
    # then each parameter at each of its extremes, the others all low or all high
    for c in corners[2:]:
        base = LOWS if sum(c[k] != LOWS[k] for k in c) <= 1 else HIGHS
        assert sum(c[k] != base[k] for k in c) <= 1, c
    full = DOM.corners_raw(limit=100)
    assert {"B": 4.0, **{k: LOWS[k] for k in LOWS if k != "B"}} in full
    assert {**HIGHS, "family": "clusters"} in full and {**LOWS, "family": "clusters"} in full
    # a one-parameter domain has its two corners
    assert Domain({"x": Uniform(-1.0, 2.0)}).corners_raw() == [{"x": -1.0}, {"x": 2.0}]


@pytest.mark.parametrize("examples", [10, 20, 80, 200])
def test_the_plan_evaluates_the_corners_first(examples):
    seen = []
    s = Search(DOM, lambda p: seen.append(dict(p)) or _HOLDS, examples, 3)
    s.run()
    n_corner, _, _ = plan_sizes(examples, len(DOM.corners_raw()))
    assert n_corner >= 2 and s.raws[:n_corner] == DOM.corners_raw()[:n_corner]
    assert s.raws[0] == LOWS and s.raws[1] == HIGHS and len(s.raws) == examples


def _holds():
    from montecarlo.registry import Claim, Measurement, evaluate

    c = Claim(module="test_plan", claim_id="holds", reference="t", statement="t", kind="bound", sense="<=",
              measure=lambda p: Measurement(0.5, 0.5, 0.5), bound=lambda p: 1.0, domain=DOM)
    return evaluate(c, {})


_HOLDS = _holds()
