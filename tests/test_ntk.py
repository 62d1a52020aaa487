"""Pair probability p(rho, B) and the bias-generalized NTK H_inf (FORMULAS.md section 0).

References, each independent of the float log-space quadrature under test:
- ``pair_probability_mp`` (Owen's T at raised precision, or the conditioning integral
  in mpmath below p/Q(B) = 1e-250);
- ``scipy.stats.multivariate_normal.cdf`` (Genz's bivariate routine; absolute accuracy
  about 1e-16, so a reference only for B <= 3 and p > 1e-12):
  P[Z1 >= B, Z2 >= B] = P[Z1 <= -B, Z2 <= -B] = cdf at (-B, -B) with the same rho;
- at B = 0, p = 1/4 + arcsin(rho)/(2 pi), evaluated in mpmath;
- at rho = 0, p = Q(B)^2 (independence); Slepian: p >= Q(B)^2 for rho >= 0 and <= for rho <= 0;
  p <= P[Z1 + Z2 >= 2B] = Q(B sqrt(2/(1 + rho))).
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from bounds import ntk
from montecarlo.sim.data import make_data

REL = 1e-10  # required float-vs-mpmath agreement

B_GRID = np.concatenate([[0.0], np.geomspace(0.01, 12.0, 4)])
RHO_GRID = np.concatenate([
    -(1 - np.geomspace(1e-1, 1e-6, 3)),  # -0.9 ... -0.999999
    [-0.5, 0.0, 0.5],
    1 - np.geomspace(1e-1, 1e-13, 5),  # 0.9 ... 1 - 1e-13
])


def _rel_err(rho: float, B: float) -> float:
    """Relative error of p (or of log p where p underflows a double) against mpmath."""
    ref = ntk.pair_probability_mp(rho, B)
    logref = float(mp.log(ref))
    logp = float(ntk.log_pair_probability(rho, B))
    if ref > mp.mpf("1e-300"):
        p = float(ntk.pair_probability(rho, B))
        return max(abs(p / float(ref) - 1), abs(logp - logref))
    return abs(logp - logref) / abs(logref)


# ---------------------------------------------------------------- Q, logQ, phi

@pytest.mark.parametrize("t", [-5.0, 0.0, 0.3, 2.0, 8.0, 12.0, 30.0])
def test_Q_phi_against_mpmath(t):
    assert math.isclose(float(ntk.Q(t)), float(ntk.Q_mp(t)), rel_tol=1e-13)
    assert math.isclose(float(ntk.logQ(t)), float(mp.log(ntk.Q_mp(t))), rel_tol=1e-13, abs_tol=1e-15)
    assert math.isclose(float(ntk.phi(t)), float(mp.npdf(t)), rel_tol=1e-13)


def test_logQ_far_tail():
    """Q(40) ~ 4e-350 underflows; logQ stays accurate far beyond."""
    for t in (40.0, 1000.0):
        assert math.isclose(float(ntk.logQ(t)), float(mp.log(ntk.Q_mp(t))), rel_tol=1e-13)
    assert float(ntk.Q(40.0)) == 0.0


# ---------------------------------------------------------------- p vs mpmath

@pytest.mark.parametrize("B", B_GRID)
def test_pair_probability_matches_mpmath_on_grid(B):
    errs = {float(r): _rel_err(float(r), float(B)) for r in RHO_GRID}
    worst = max(errs, key=errs.get)
    assert errs[worst] <= REL, f"B={B}, rho={worst}: relative error {errs[worst]:.2e}"


RHO = st.one_of(st.floats(-0.9999, 0.9999), st.floats(1.0, 15.0).map(lambda k: 1 - 10**-k),
                st.floats(1.0, 8.0).map(lambda k: -1 + 10**-k))


@given(B=st.floats(0.0, 12.0), rho=RHO)
@settings(max_examples=25)  # mpmath reference: ~0.05 s per example
def test_pair_probability_matches_mpmath_hypothesis(B, rho):
    assert _rel_err(rho, B) <= REL


def test_pair_probability_regression_rho_near_one():
    """Before the 1/65536 panel the float quadrature was 2e-10 off here."""
    assert _rel_err(0.9999999999519698, 8.684115055809556) <= 1e-12


def test_endpoints():
    for B in (0.5, 3.0, 12.0):
        assert float(ntk.pair_probability(1.0, B)) == pytest.approx(float(ntk.Q(B)), rel=1e-15)
        assert float(ntk.pair_probability(-1.0, B)) == 0.0
        assert float(ntk.log_pair_probability(-1.0, B)) == -np.inf
        assert ntk.pair_probability_mp(-1.0, B) == 0
    assert float(ntk.pair_probability(1.0, 0.0)) == 0.5
    assert float(ntk.pair_probability(-1.0, 0.0)) == 0.0


# ---------------------------------------------------------------- p vs scipy and arcsin

@given(B=st.floats(0.0, 3.0), rho=st.floats(-0.999, 0.999))
def test_pair_probability_matches_scipy_mvn(B, rho):
    p = float(ntk.pair_probability(rho, B))
    assume(p > 1e-12)
    ref = sps.multivariate_normal.cdf([-B, -B], mean=[0.0, 0.0], cov=[[1.0, rho], [rho, 1.0]])
    assert abs(p - ref) <= 1e-15 + 1e-10 * p, (p, ref)


def test_pair_probability_matches_scipy_mvn_grid():
    for B in (0.0, 0.5, 1.0, 2.0, 3.0):
        for rho in (-0.9, -0.5, 0.0, 0.5, 0.9, 0.99):
            p = float(ntk.pair_probability(rho, B))
            if p > 1e-12:
                ref = sps.multivariate_normal.cdf([-B, -B], mean=[0, 0], cov=[[1, rho], [rho, 1]])
                assert abs(p - ref) <= 1e-15 + 1e-10 * p, (B, rho, p, ref)


def test_arcsin_formula_at_B_zero():
    rho = np.concatenate([-(1 - np.geomspace(1e-1, 1e-12, 12)), np.linspace(-0.8, 0.8, 17),
                          1 - np.geomspace(1e-1, 1e-12, 12)])
    got = ntk.log_pair_probability(rho, 0.0)
    with mp.workdps(40):
        ref = [float(mp.log(mp.mpf(1) / 4 + mp.asin(mp.mpf(float(r))) / (2 * mp.pi))) for r in rho]
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-14)
    # the textbook form in floats, where it does not cancel
    mid = rho > -0.5
    np.testing.assert_allclose(ntk.pair_probability(rho[mid], 0.0), 0.25 + np.arcsin(rho[mid]) / (2 * np.pi),
                               rtol=1e-14)


# ---------------------------------------------------------------- structural properties

@given(B=st.floats(0.0, 12.0))
@settings(max_examples=12)
def test_increasing_in_rho(B):
    rho = np.linspace(-1.0, 1.0, 2001)
    lp = ntk.log_pair_probability(rho, B)
    d = np.diff(lp[1:])  # skip rho = -1 (-inf for B > 0)
    assert np.all(d >= -1e-13 * np.abs(lp[2:])), f"decrease at rho={rho[1:][np.argmin(d)]}"
    assert np.all(np.isfinite(lp[1:]))


@given(B=st.floats(0.0, 12.0), r1=st.floats(-1.0, 1.0), r2=st.floats(-1.0, 1.0))
def test_increasing_in_rho_pairs(B, r1, r2):
    lo, hi = min(r1, r2), max(r1, r2)
    a, b = float(ntk.log_pair_probability(lo, B)), float(ntk.log_pair_probability(hi, B))
    assert a == -math.inf or a <= b + 1e-13 * abs(b), (a, b)  # log p(-1, B) = -inf


@given(B=st.floats(0.0, 12.0), rho=st.floats(-1.0, 1.0))
def test_positive_and_slepian_bounds(B, rho):
    lp = float(ntk.log_pair_probability(rho, B))
    p = float(ntk.pair_probability(rho, B))
    assert p >= 0.0 and not math.isnan(lp)
    if -1 < rho:
        assert np.isfinite(lp)  # p > 0 strictly, even when it underflows
    lq = float(ntk.logQ(B))
    tol = 1e-12 * abs(lq) + 1e-15
    assert lp <= lq + tol  # p <= Q(B)
    if rho >= 0:
        assert lp >= 2 * lq - 2 * tol  # Slepian: p >= Q(B)^2
    if rho <= 0:
        assert lp <= 2 * lq + 2 * tol
    if rho > -1:  # p <= P[Z1 + Z2 >= 2B]
        assert lp <= float(ntk.logQ(B * math.sqrt(2 / (1 + rho)))) + tol


@given(B=st.floats(0.0, 12.0))
def test_independence_at_rho_zero(B):
    assert math.isclose(float(ntk.log_pair_probability(0.0, B)), 2 * float(ntk.logQ(B)),
                        rel_tol=1e-13, abs_tol=1e-14)


@given(B=st.floats(0.0, 12.0), rho=st.floats(-0.999, 0.999))
def test_owens_t_form_where_it_does_not_cancel(B, rho):
    p = float(ntk.pair_probability(rho, B))
    assume(p >= 1e-2 * float(ntk.Q(B)) and p > 1e-300)
    assert math.isclose(float(ntk.pair_probability_owens_t(rho, B)), p, rel_tol=1e-10)


def test_owens_t_form_goes_negative_ours_does_not():
    bad = float(ntk.pair_probability_owens_t(-0.9, 2.0))
    ours = float(ntk.pair_probability(-0.9, 2.0))
    assert bad < 0.0  # cancellation: about -2.1e-17
    assert math.isclose(ours, 3.7386504806480e-21, rel_tol=1e-12)  # true value 3.7e-21
    assert math.isclose(ours, float(ntk.pair_probability_mp(-0.9, 2.0)), rel_tol=REL)
    bad8 = float(ntk.pair_probability_owens_t(0.0, 8.0))
    ours8 = float(ntk.pair_probability(0.0, 8.0))
    assert bad8 < 0.0
    assert math.isclose(ours8, float(ntk.Q(8.0)) ** 2, rel_tol=1e-12)  # 3.9e-31


def test_vectorized_shapes():
    rho = np.linspace(-0.9, 0.9, 12).reshape(3, 4)
    out = ntk.pair_probability(rho, 1.5)
    assert out.shape == (3, 4)
    # the same formula, vectorized and pointwise: equal up to the round-off of its evaluation order
    np.testing.assert_allclose(out.ravel(), [float(ntk.pair_probability(r, 1.5)) for r in rho.ravel()], rtol=1e-14, atol=0)
    assert np.ndim(ntk.pair_probability(0.3, 1.5)) == 0


# ---------------------------------------------------------------- many pairs at once (the interpolant)

def _many_rho(seed: int, size: int) -> np.ndarray:
    """Correlations over the whole range, with decades down to 1e-13 from +1 and 1e-9 from -1."""
    g = np.random.default_rng(seed)
    k = size // 3
    return np.concatenate([g.uniform(-1.0, 1.0, size - 2 * k), 1 - 10 ** -g.uniform(1.0, 13.0, k),
                           -1 + 10 ** -g.uniform(1.0, 9.0, k)])


@given(B=st.floats(0.0, 12.0), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=4, deadline=None)
def test_vectorized_matches_mpmath_on_many_pairs(B, seed):
    """An array large enough for the interpolant (ntk.INTERP_MIN entries or more): a random
    subset against mpmath at REL, and every entry against the per-value quadrature."""
    rho = _many_rho(seed, ntk.INTERP_MIN + 600)
    lp = ntk.log_pair_probability(rho, B)
    ref_quad = np.concatenate([ntk.log_pair_probability(c, B) for c in np.array_split(rho, 8)])
    assert np.all(np.abs(lp - ref_quad) <= 1e-11 * np.maximum(1.0, np.abs(ref_quad)))
    p = ntk.pair_probability(rho, B)
    finite = p > 0
    np.testing.assert_allclose(p[finite], np.exp(lp[finite]), rtol=1e-12)
    for i in np.random.default_rng(seed).choice(rho.size, 5, replace=False):
        ref = ntk.pair_probability_mp(float(rho[i]), B)
        logref = float(mp.log(ref))
        assert abs(lp[i] - logref) <= REL * max(1.0, abs(logref)), (rho[i], B, lp[i], logref)
        if ref > mp.mpf("1e-300"):
            assert abs(p[i] / float(ref) - 1) <= REL, (rho[i], B, p[i], ref)


def test_interpolant_covers_extreme_bias():
    """B = 12 (the top of the contract) and B tiny, rho within 1e-13 of 1 and 1e-9 of -1."""
    for B in (1e-9, 12.0):
        rho = _many_rho(7, 2 * ntk.INTERP_MIN)
        lp = ntk.log_pair_probability(rho, B)
        for i in (0, rho.size // 2, rho.size - 1, int(np.argmax(rho)), int(np.argmin(rho))):
            logref = float(mp.log(ntk.pair_probability_mp(float(rho[i]), B)))
            assert abs(lp[i] - logref) <= REL * max(1.0, abs(logref)), (rho[i], B)


def test_pair_matrix_large_equals_small_path():
    """n = 80 (3160 pairs) goes through the interpolant; every entry agrees with the per-value
    quadrature, the matrix is exactly symmetric with diagonal Q(B)."""
    X = make_data("random", 80, 5, 3)
    for B in (0.5, 3.0):
        P = ntk.pair_matrix(X, B)
        np.testing.assert_array_equal(P, P.T)
        np.testing.assert_array_equal(np.diag(P), float(ntk.Q(B)))
        rho = np.clip(X @ X.T, -1, 1)
        for i in range(0, 80, 7):
            row = ntk.pair_probability(np.delete(rho[i], i), B)
            np.testing.assert_allclose(np.delete(P[i], i), row, rtol=1e-11)
        np.testing.assert_allclose(ntk.h_inf(X, B), (rho + 1) * P, rtol=1e-15)


# ---------------------------------------------------------------- H_inf

@given(n=st.integers(2, 9), d=st.integers(1, 6), B=st.floats(0.0, 8.0), seed=st.integers(0, 2**32 - 1),
       family=st.sampled_from(["random", "clusters", "antipodal"]))
def test_h_inf_symmetric_psd_diagonal(n, d, B, seed, family):
    X = make_data(family, n, d, seed)
    H = ntk.h_inf(X, B)
    assert H.shape == (n, n)
    np.testing.assert_array_equal(H, H.T)
    np.testing.assert_allclose(np.diag(H), 2 * sps.norm.sf(B), rtol=1e-14)
    assert np.all(H >= 0)
    ev = np.linalg.eigvalsh(H)
    assert ev[0] >= -1e-12 * ev[-1], ev
    assert ntk.lambda_min_h_inf(X, B) == pytest.approx(ev[0], rel=1e-12, abs=1e-14 * ev[-1])


@pytest.mark.parametrize("family, B, seed", [("random", 0.0, 1), ("random", 1.0, 2), ("clusters", 2.0, 3),
                                             ("antipodal", 3.0, 4)])
def test_h_inf_matches_mpmath(family, B, seed):
    X = make_data(family, 4, 3, seed)
    H = ntk.h_inf(X, B)
    Hm = ntk.h_inf_mp(X, B)
    ref = np.array(Hm.tolist(), dtype=float)
    np.testing.assert_allclose(H, ref, rtol=REL, atol=0)
    with mp.workdps(30):
        lam = float(min(mp.eigsy(Hm)[0]))
    assert ntk.lambda_min_h_inf(X, B) == pytest.approx(lam, rel=1e-9, abs=1e-14 * float(np.max(H)))


@pytest.mark.parametrize("B", [0.0, 1.0, 4.0])
def test_h_inf_orthonormal_closed_form(B):
    """rho = 0 off the diagonal: H_inf = (2 p0 - p0^2) I + p0^2 J, lambda_min = 2 p0 - p0^2."""
    X = make_data("orthonormal", 5, 7, 11)
    p0 = sps.norm.sf(B)
    np.testing.assert_allclose(ntk.h_inf(X, B), (2 * p0 - p0**2) * np.eye(5) + p0**2, rtol=1e-11)
    assert ntk.lambda_min_h_inf(X, B) == pytest.approx(2 * p0 - p0**2, rel=1e-11)


def test_h_inf_antipodal_entry_is_zero():
    x = np.array([0.6, 0.8, 0.0])
    X = np.stack([x, -x, np.array([0.0, 0.0, 1.0])])
    for B in (0.0, 1.0):
        H = ntk.h_inf(X, B)
        assert abs(H[0, 1]) <= 1e-20 and H[1, 0] == H[0, 1]


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: ntk.pair_probability(0.2, -0.1), "B"),
        (lambda: ntk.log_pair_probability(np.array([0.2, np.nan]), 1.0), "rho"),
        (lambda: ntk.pair_probability(-1.2, 1.0), "rho"),
        (lambda: ntk.pair_probability_mp(0.2, float("inf")), "B"),
        (lambda: ntk.pair_probability_owens_t(2.0, 1.0), "rho"),
        (lambda: ntk.h_inf(np.array([[1.0, 0.0], [0.5, 0.5]]), 1.0), "||X[1]||"),
        (lambda: ntk.h_inf(np.array([[1.0, np.nan]]), 1.0), "X"),
        (lambda: ntk.h_inf(np.array([1.0, 0.0]), 1.0), "X"),
        (lambda: ntk.h_inf_mp(np.eye(2), -2.0), "B"),
        (lambda: ntk.lambda_min_h_inf(np.eye(2), float("nan")), "B"),
    ],
)
def test_validation(call, name):
    with pytest.raises(ValueError, match="violates the condition") as info:
        call()
    assert str(info.value).startswith(f"{name}=")


def test_kernel_benchmark_command_runs_on_a_small_size(capsys):
    """``python -m montecarlo.bench --kernel`` (smoke test at n = 24; speed is not tested)."""
    from montecarlo import bench

    bench.main(["--kernel", "--sizes", "24", "40"])
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["n", "h_inf", "s"] and len(out) == 3
    row = bench.kernel_benchmark((24,))[0]
    assert row["pairs"] == 276 and row["eigen_solves"] >= 1 and row["lambda_R_over_eigvalsh"] > 0
