"""Convergence module (BOUNDS.md section 6): formulas, the adversary, real runs."""

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
    r = cv.radius_condition(n, B, lam)
    assert (r == math.inf and ref > mp.mpf("1e300")) or r == pytest.approx(float(ref), rel=1e-10)


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
