"""Convergence module (FORMULAS.md section 6): formulas, the adversary, real runs."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bounds import convergence as cv
from bounds.flip_probability import C_PAPER


# ------------------------------------------------------------------------------ bounds
def test_entry_and_spectral_bounds_by_hand():
    assert cv.entry_bound(3, 5, 16) == pytest.approx(1.0)
    M = cv.entry_bound_matrix([1, 2, 0], 4)
    assert M.shape == (3, 3) and M[0, 1] == pytest.approx(1.5) and M[2, 2] == 0.0
    assert cv.spectral_bound([1, 2, 0], 4) == pytest.approx(4 * 3 * 2 / 4)
    assert float(cv.spectral_bound_mp([1, 2, 0], 4)) == pytest.approx(6.0)


@given(n=st.integers(1, 50), B=st.floats(0, 40), R=st.floats(1e-6, 1.0))
@settings(max_examples=30)
def test_event_bound_twin_and_log(n, B, R):
    ref = cv.event_bound_mp(n, B, R)
    assert float(mp.log(ref)) == pytest.approx(cv.log_event_bound(n, B, R), rel=1e-12, abs=1e-12)
    assert cv.event_bound(n, B, R) == pytest.approx(float(ref), rel=1e-12)


def test_event_bound_is_4n_over_m_times_threshold():
    n, m, B, R = 5, 1000, 1.3, 0.02
    assert cv.event_bound(n, B, R) == pytest.approx(cv.spectral_bound([cv.event_threshold(m, B, R)] * n, m))


@given(n=st.integers(1, 50), B=st.floats(0, 60), lam=st.floats(1e-300, 2.0))
@settings(max_examples=30)
def test_radius_condition_twin(n, B, lam):
    ref = cv.radius_condition_mp(n, B, lam)
    assert float(mp.log(ref)) == pytest.approx(cv.log_radius_condition(n, B, lam), rel=1e-12, abs=1e-9)
    if ref > mp.mpf(np.finfo(float).max):  # beyond a double: refused by name, not inf
        with pytest.raises(ValueError, match="B=.*log_radius_condition"):
            cv.radius_condition(n, B, lam)
        return
    assert cv.radius_condition(n, B, lam) == pytest.approx(float(ref), rel=1e-10)


def test_radius_condition_makes_event_bound_lambda_over_4():
    n, B, lam = 7, 2.5, 0.013
    R = cv.radius_condition(n, B, lam)
    assert cv.event_bound(n, B, R) == pytest.approx(lam / 4, rel=1e-12)


def test_rate_and_twin():
    assert cv.rate(0.5, 2.0, 3) == pytest.approx(0.75**3)
    assert cv.rate(1.0, 4.0, 0) == 1.0 and cv.rate(1.0, 4.0, 2) == 0.0
    assert cv.rate_mp(0.1, 0.3, 1e6) > 0 and cv.rate(0.1, 0.3, 1e6) == 0.0  # the float underflows
    assert float(mp.log(cv.rate_mp(0.1, 0.3, 1e6))) == pytest.approx(cv.log_rate(0.1, 0.3, 1e6), rel=1e-12)
    np.testing.assert_allclose(cv.rate(0.2, 1.0, np.arange(4)), 0.95 ** np.arange(4))


def test_contraction():
    assert cv.contraction([0.5, 1.0, 3.0], 0.5) == pytest.approx(0.75)
    assert cv.contraction([0.0], 1.0) == 1.0


def test_theory_width_matches_definition():
    n, B, lam, e0 = 4, 1.0, 0.05, 1.7
    m = cv.theory_width(n, B, lam, e0)
    D = 8 * math.sqrt(n) * e0 / (math.sqrt(m) * lam)
    assert D == pytest.approx(cv.radius_condition(n, B, lam), rel=1e-10)


@pytest.mark.parametrize("call, name", [
    (lambda: cv.entry_bound(-1, 2, 3), "S_i="),
    (lambda: cv.spectral_bound([1.0], 0), "m="),
    (lambda: cv.spectral_bound([], 4), "len\\(sizes\\)="),
    (lambda: cv.event_bound(0, 1.0, 0.1), "n="),
    (lambda: cv.event_bound(2, -1.0, 0.1), "B="),
    (lambda: cv.event_bound(2, 1.0, 0.0), "R="),
    (lambda: cv.event_bound(2, 1.0, 0.1, c=0.0), "c="),
    (lambda: cv.radius_condition(2, 1.0, 0.0), "lam="),
    (lambda: cv.rate(2.0, 3.0, 1), "eta \\* lam="),
    (lambda: cv.rate(0.1, 1.0, -1), "t="),
    (lambda: cv.rate(0.1, float("nan"), 1), "lam="),
    (lambda: cv.contraction([1.0, np.nan], 0.1), "eigs="),
    (lambda: cv.contraction([1.0], 0.0), "eta="),
    (lambda: cv.theory_width(2, 1.0, 0.1, 0.0), "error0="),
    (lambda: cv.event_failure(2, 10, 2.0, 1.0), "R="),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ------------------------------------------------------------------- Monte Carlo side
from montecarlo.estimators import convergence as mc  # noqa: E402
from montecarlo.sim.network import Network, empirical_ntk  # noqa: E402
from montecarlo.experiments.convergence import fit_slopes  # noqa: E402


@pytest.fixture(scope="module")
def small():
    P = mc.draw(4, 6, 64, 1.0, "clusters", "random", 7, 0.5)
    R = mc.radius_for_flips(64, 1.0, 3.0)
    return P, R


def test_radius_for_flips_hits_the_expected_size():
    from bounds.flip_probability import exact as p_flip

    R = mc.radius_for_flips(200, 1.5, 4.0)
    assert 200 * p_flip(1.5, R) == pytest.approx(4.0, rel=1e-9)
    assert mc.radius_for_flips(2, 2.0, 50.0) == pytest.approx(0.5)  # capped at 1/B


def test_adversary_stays_in_the_box_and_is_recomputed(small):
    P, R = small
    a = mc.adversary(P.X, P.net0, R, 3, H0=P.H0)
    S = mc.flip_sets(P.X, P.net0, R)
    outside = ~S.any(axis=0)
    assert a.max_move <= R * (1 + 1e-12)
    assert np.array_equal(a.W[outside], P.net0.W[outside]) and np.array_equal(a.b[outside], P.net0.b[outside])
    H = empirical_ntk(P.X, Network(a.W, a.b, P.net0.a))
    np.testing.assert_allclose(a.delta, H - P.H0, atol=1e-15)
    assert 0 < a.spectral_ratio <= 1 and a.entry_ratio <= 1
    b = mc.adversary(P.X, P.net0, R, 3, H0=P.H0)
    assert b.norm == a.norm  # reproducible from the seed


def test_adversary_beats_random_corners(small):
    """The search is at least as strong as 50 random corner assignments (the same moves)."""
    P, R = small
    a = mc.adversary(P.X, P.net0, R, 1, H0=P.H0)
    s = mc._Search(P.X, P.net0, R)
    g = np.random.default_rng(0)
    rand = max(float(np.abs(np.linalg.eigvalsh(s.delta(g.integers(0, s.P.shape[1], len(s.idx))))).max())
               for _ in range(50))
    assert a.norm >= rand - 1e-12


def test_lower_objective_does_not_raise_lambda(small):
    P, R = small
    a = mc.adversary(P.X, P.net0, R, 2, objective="lower", H0=P.H0)
    assert a.lam_min <= float(np.linalg.eigvalsh(P.H0)[0]) + 1e-15


def test_entry_adversary_single_neuron_is_tight():
    """Two parallel inputs, one neuron just below the threshold on both: turning it on changes
    every entry by 2/m; |S_i| = 1 so the entry bound is 4/m: ratio 1/2 on every entry."""
    X = np.array([[1.0, 0.0], [1.0, 0.0]])
    net = Network(np.array([[0.95, 0.0]]), np.array([1.0]), np.array([1.0]))
    a = mc.entry_adversary(X, net, 0.1)
    np.testing.assert_allclose(a.delta, np.full((2, 2), 2.0))
    assert a.entry_ratio == pytest.approx(0.5) and a.spectral_ratio == pytest.approx(0.5)


@pytest.fixture(scope="module")
def record():
    P = mc.draw(3, 6, 32, 1.5, "random", "random", 11, 0.8)
    return mc.run(P, 40)


def test_run_records_match_the_network(record):
    assert record.H.shape == (41, 3, 3) and record.pattern.shape == (41, 3, 32)
    np.testing.assert_allclose(record.H[0], record.problem.H0, atol=1e-15)
    assert np.all(np.diff(record.move) >= 0)


def test_identity_and_rate_on_a_run(record):
    ic = mc.identity_check(record)
    assert ic["in_region_steps"] > 0 and ic["deviation"] < 1e-9
    assert ic["norm_next"] == pytest.approx(ic["norm_pred"], rel=1e-7)
    assert ic["contraction_ratio"] <= 1 + 1e-9
    rc = mc.rate_check(record)
    assert rc.applicable == (rc.min_kernel_ratio >= 0.5)
    assert not rc.within_R  # R* is tiny at these widths
    st = mc.stability_along(record)
    assert st["spectral_ratio"] <= 1 and st["entry_ratio"] <= 1


def test_fit_slopes_on_lines():
    t = np.arange(100.0)
    curves = np.array([-0.1 * t + 1, -0.12 * t, -0.11 * t + 3])
    f = fit_slopes(curves, tail=0.5)
    assert f["mean"] == pytest.approx(-0.11) and f["lower"] < -0.11 < f["upper"]


@pytest.mark.parametrize("call, name", [
    (lambda P: mc.adversary(P.X, P.net0, 0.1, 1, objective="max"), "objective="),
    (lambda P: mc.adversary(P.X, P.net0, 0.0, 1), "R="),
    (lambda P: mc.adversary(P.X, P.net0, 0.1, None), "seed="),
    (lambda P: mc.radius_for_flips(10, 1.0, 0.0), "flips="),
    (lambda P: mc.run(P, -1), "steps="),
])
def test_montecarlo_bad_input(small, call, name):
    with pytest.raises(ValueError, match=name):
        call(small[0])


@pytest.mark.slow
def test_report_figures_quick(tmp_path, request):
    """The report hook writes its figures and tables (quick mode, about half a minute). Runs only
    when slow tests are selected (``-m slow``): the default run does not deselect the marker."""
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("slow: run with -m slow")
    from reports.figures import convergence as figs

    out = figs.report_figures(tmp_path, seed=0, quick=True)
    assert [f for f, _ in out] == ["convergence_width.png", "convergence_figure2_scaled.png",
                                   "convergence_figure2_unscaled.png", "convergence_tightness.png"]
    for f, cap in out:
        assert (tmp_path / f).stat().st_size > 0 and cap
    assert "| claim | ratio |" in (tmp_path / "convergence_tables.md").read_text()


def test_fit_slopes_stops_at_the_round_off_floor():
    t = np.arange(200.0)
    c = np.maximum(-0.5 * t, 2 * math.log(mc.FLOOR) - 1)  # hits the floor at t ~ 94, then flat
    f = fit_slopes(np.array([c, c - 1.0]), tail=0.3)
    assert f["mean"] == pytest.approx(-0.5) and f["draws"] == 2
