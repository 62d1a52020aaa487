"""The generalization module (FORMULAS.md section 8): formulas, Remark 3.13's counterexample and
what holds instead, Lemma A.2's ratios, and one end-to-end draw of Theorem 3.9."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bounds import generalization as g
from bounds import ntk
from bounds import rademacher_radius as rr
from bounds import restricted_eigenvalue as re_
from montecarlo import registry
from montecarlo.estimators import generalization as mc
from montecarlo.sim.data import dataset, make_labels
from montecarlo.sim.seeding import spawn

COUNTEREXAMPLE = {"n": 3, "d": 2, "B": 1.0, "family": "clusters", "labels": "signs", "seed": 3}


# ----------------------------------------------------------------------------- formulas
def test_confidence_term_and_grid():
    assert g.confidence_term(200, 0.1) == pytest.approx(3 * math.sqrt(math.log(20) / 400))
    assert [g.frobenius_grid_index(r) for r in (0.3, 1.0, 1.0001, 2.5)] == [1, 1, 2, 3]
    assert [g.radius_grid_index(r) for r in (1.0, 0.7, 0.5, 0.26, 0.25, 1e-3)] == [1, 1, 2, 2, 3, 10]
    for R in (1.0, 0.3, 0.01):
        assert R <= 2.0 ** (1 - g.radius_grid_index(R)) < 2 * R + 1e-15
    total = sum(g.grid_delta(0.1, k, l) for k in range(1, 2000) for l in range(1, 200))
    assert 0.099 < total < 0.1  # the shares sum to delta (union bound)
    with pytest.raises(ValueError, match="R="):
        g.radius_grid_index(1.5)


def test_rademacher_forms_and_leading_term():
    n, m, B, R_F, R = 50, 256, 1.2, 2.0, 0.05
    assert g.rademacher_event_bound(n, m, B, R_F, R) == pytest.approx(
        rr.rademacher_bound(n, B, R_F) + rr.nonlinear_correction(m, B, R))
    assert g.rademacher_data_bound(4.0, 100, n, m, R_F, R) == pytest.approx(R_F * 4 / n + 2 * R * 100 / (n * 16))
    X = dataset("random", 6, 4, 1)
    y = make_labels("random", 6, spawn(1, "labels"))
    yHy = g.quadratic_form_inverse(ntk.h_inf(X, B), y)
    assert yHy == pytest.approx(rr.leading_distance(X, y, B) ** 2, rel=1e-9)
    # the sparsity factor: the leading term is the report-only one times e^{-B^2/4}
    assert g.leading_term(6, B, yHy) == pytest.approx(rr.generalization_term(X, y, B) * math.exp(-B * B / 4))
    assert g.theorem_bound(0.1, 0.2, 100, 0.1) == pytest.approx(0.1 + 0.4 + g.confidence_term(100, 0.1))


def test_lemma_A2_forms():
    n, m, delta = 10, 1000, 0.1
    L = math.log(2 * n * n / delta)
    assert g.hoeffding_deviation(n, m, delta) == pytest.approx(2 * math.sqrt(L / (2 * m)))
    p = np.array([0.25, 0.01, 1e-6])
    b = g.bernstein_deviation(p, n, m, delta)
    assert np.allclose(b, np.sqrt(8 * p * L / m) + 4 * L / (3 * m))
    assert np.all(np.diff(b) < 0) and b[-1] < g.hoeffding_deviation(n, m, delta) / 5  # sparsity-aware
    with pytest.raises(ValueError, match="p="):
        g.bernstein_deviation(1.5, n, m, delta)


def test_residual_path_bound():
    assert g.residual_path_bound(0, 0.1, 1.0, 0.5, 2.0) == 0.0
    assert g.residual_path_bound(5, 0.1, 1.0, 0.5, 2.0) == pytest.approx(5 * 0.1 * (1 - 0.025) ** 2 * 0.5 * 2)
    with pytest.raises(ValueError, match="eta="):
        g.residual_path_bound(3, 10.0, 1.0, 0.5, 1.0)


def test_label_shift_lands_in_the_region():
    for seed in range(6):
        X = dataset("clusters", 8, 3, seed)
        Qm = re_.region_matrix(X, 1.0)
        y = make_labels("signs", 8, spawn(seed, "labels"))
        c = g.label_shift(y, Qm)
        ys = y + c
        assert ys @ Qm @ ys >= -1e-12 * (ys @ ys)
        if y @ Qm @ y >= 0:
            assert c == 0.0
        else:  # the smallest |c|: half of it is not enough
            yh = y + c / 2
            assert yh @ Qm @ yh < 0


# ----------------------------------------------------------------------------- Remark 3.13
def test_remark_313_counterexample():
    """FINDING: y in R (no shift needed), yet y^T H_inf^{-1} y > ||y||^2 / lambda_R."""
    p = COUNTEREXAMPLE
    X = dataset(p["family"], p["n"], p["d"], p["seed"])
    y = make_labels("signs", p["n"], spawn(p["seed"], "labels"))
    r = mc.remark_point(X, p["B"], y)
    assert r.shift == 0.0 and r.in_R >= 0
    assert r.yHy == pytest.approx(116.105, rel=1e-3)
    assert r.norm2 / r.lambda_R == pytest.approx(92.26, rel=1e-3)
    assert r.remark_ratio > 1.25 and not r.u_in_R
    assert r.lambda_min_ratio <= 1  # what holds
    ev = registry.check(registry.get("generalization.remark_313"), dict(p))
    assert ev.refuted
    assert not registry.check(registry.get("generalization.remark_313_lambda_min"), dict(p)).refuted


def test_sufficient_condition_holds_where_it_applies():
    seen = 0
    for seed in range(40):
        X = dataset("orthonormal" if seed % 2 else "random", 4, 4, seed)
        y = make_labels("signs", 4, spawn(seed, "labels"))
        r = mc.remark_point(X, 0.5, y)
        if r.u_in_R:
            seen += 1
            assert r.remark_ratio <= 1 + 1e-9
    assert seen >= 3


# ----------------------------------------------------------------------------- estimators
def test_kernel_deviations_ratios():
    X = dataset("random", 4, 3, 0)
    e = mc.kernel_deviations(X, 256, 0.5, 0.2, 20, 1)
    assert e.independent == 128 and e.hoeffding.shape == (20,)
    assert np.all((0 < e.hoeffding) & (e.hoeffding < 1)) and np.all(e.bernstein < 1)


def test_theorem_draw_consistent():
    r = mc.theorem_draw(60, 128, 0.5, 6, 20, 0.5, 0.2, 2000, 7, scale=0.05)
    assert 0 <= r.train_loss <= 1 and r.population_lower <= r.population <= r.population_upper
    assert r.bound >= r.train_loss + g.confidence_term(60, 0.2)
    assert 0 < r.R <= r.R_F and r.flip_total >= 0
    k, l = g.frobenius_grid_index(r.R_F), g.radius_grid_index(r.R)
    assert r.rademacher == pytest.approx(g.rademacher_data_bound(r.Z_fro, r.flip_total, 60, 128, k, 2.0 ** (1 - l)))
    assert r.bound == pytest.approx(g.theorem_bound(r.train_loss, r.rademacher, 60, g.grid_delta(0.2, k, l)))
    assert not r.violated
    again = mc.theorem_draw(60, 128, 0.5, 6, 20, 0.5, 0.2, 2000, 7, scale=0.05)
    assert again == r or (again.bound == r.bound and again.population == r.population)  # reproduces


def test_teacher_and_sphere():
    X = mc.sphere(1000, 10, 0)
    assert np.allclose(np.linalg.norm(X, axis=1), 1)
    y = mc.teacher(X, 0.3)
    assert np.all(np.abs(y) <= 1) and abs(y.mean()) < 0.1
    with pytest.raises(ValueError, match="scale="):
        mc.teacher(X, -1.0)
