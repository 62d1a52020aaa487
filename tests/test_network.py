"""The one-hidden-layer network of Section 2.1 (FORMULAS.md section 0): initializations,
forward pass, activation pattern, Jacobian Z and empirical NTK H = Z^T Z.

Wide-network convergence (stated band): at initialization with standard init,
H_ij = (rho_ij + 1) K_ij / m with K_ij = #{r : 1_{r,i} 1_{r,j} = 1} ~ Binomial(m, p(rho_ij, B))
(p(1, B) = Q(B) on the diagonal). So the test recovers K_ij = H_ij m / (rho_ij + 1) (an
integer) and requires H_inf's p_ij = H_inf_ij / (rho_ij + 1) to lie in the two-sided
Clopper-Pearson interval at alpha = 1e-7 for K_ij (half-width about 5.3 sqrt(p(1-p)/m)).
Under symmetric init K_ij = 2 K'_ij with K'_ij ~ Binomial(m/2, p). Pairs with rho = -1
carry no information (rho + 1 = 0): there H_ij and H_inf_ij must both vanish.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bounds import ntk
from montecarlo.sim import network as nw
from montecarlo.sim.data import make_data
from montecarlo.sim.stats import clopper_pearson

ALPHA = 1e-7


def _data(n: int, d: int, seed: int) -> np.ndarray:
    return make_data("random", n, d, seed)


def _naive_forward(X, net):
    """sum_r a_r max(<w_r, x> - b_r, 0) / sqrt(m), written with einsum over the full (n, m) array."""
    pre = np.einsum("id,rd->ir", X, net.W) - net.b[None, :]
    return np.einsum("ir,r->i", np.clip(pre, 0.0, None), net.a) / math.sqrt(net.m)


# ---------------------------------------------------------------- initialization

@given(m=st.one_of(st.integers(1, 200), st.integers(1, 20000)).map(lambda k: 2 * k), n=st.integers(1, 12),
       d=st.integers(1, 12), B=st.floats(0.0, 4.0), seed=st.integers(0, 2**32 - 1),
       chunk=st.sampled_from([1, 3, 64, nw.CHUNK]))
@settings(max_examples=30)
def test_symmetric_init_output_is_exactly_zero(m, n, d, B, seed, chunk):
    """f(.; W(0), b(0)) == 0 exactly (not approximately), across chunk boundaries too."""
    chunk = chunk if m <= 400 else nw.CHUNK  # small chunks only on small m (Python loop)
    net = nw.init_symmetric(m, d, B, seed)
    X = _data(n, d, seed ^ 0x5EED)
    f = nw.forward(X, net, chunk=chunk)
    assert np.all(f == 0.0), np.abs(f).max()


@pytest.mark.parametrize("m", [2, 6, 40000])
def test_symmetric_init_output_zero_fixed_cases(m):
    # n=5, d=200, m=6 once gave 1e-16 when the two halves came from one matrix product
    X = _data(5, 200, 1)
    assert np.all(nw.forward(X, nw.init_symmetric(m, 200, 0.3, 2)) == 0.0)


def test_symmetric_init_structure():
    net = nw.init_symmetric(10, 3, 1.5, 4)
    np.testing.assert_array_equal(net.W[:5], net.W[5:])
    np.testing.assert_array_equal(net.b, 1.5)
    np.testing.assert_array_equal(net.a[:5], -net.a[5:])
    assert set(np.unique(net.a)) <= {-1.0, 1.0}
    sym = nw.initialize(10, 3, 1.5, 4, symmetric=True)
    np.testing.assert_array_equal(sym.W, net.W)
    np.testing.assert_array_equal(sym.a, net.a)


def test_standard_init_distribution():
    net = nw.init_standard(200000, 3, 0.7, 123)
    assert net.m == 200000 and net.d == 3
    np.testing.assert_array_equal(net.b, 0.7)
    assert set(np.unique(net.a)) == {-1.0, 1.0}
    N = net.W.size  # moments of N(0, 1) and of the +-1 signs, at ~6 standard errors
    assert abs(net.W.mean()) < 6 / math.sqrt(N)
    assert abs(net.W.var() - 1) < 6 * math.sqrt(2 / N)
    assert abs(net.a.mean()) < 6 / math.sqrt(net.m)
    np.testing.assert_allclose(np.cov(net.W.T), np.eye(3), atol=6 * math.sqrt(2 / net.m))


def test_seed_reproducible_and_generator_accepted():
    a, b = nw.init_standard(8, 2, 1.0, 9), nw.init_standard(8, 2, 1.0, 9)
    np.testing.assert_array_equal(a.W, b.W)
    np.testing.assert_array_equal(a.a, b.a)
    c = nw.init_standard(8, 2, 1.0, np.random.default_rng(9))
    np.testing.assert_array_equal(a.W, c.W)
    assert not np.array_equal(nw.init_standard(8, 2, 1.0, 10).W, a.W)


@pytest.mark.parametrize("m", [1, 3, 7, 99])
def test_odd_m_raises_for_symmetric(m):
    with pytest.raises(ValueError, match=rf"m={m} violates the condition m even"):
        nw.init_symmetric(m, 2, 1.0, 0)
    with pytest.raises(ValueError, match="m even"):
        nw.initialize(m, 2, 1.0, 0, symmetric=True)
    assert nw.init_standard(m, 2, 1.0, 0).m == m  # standard init has no parity condition


# ---------------------------------------------------------------- forward and activation

@given(m=st.integers(1, 300), n=st.integers(1, 10), d=st.integers(1, 8), B=st.floats(0.0, 3.0),
       seed=st.integers(0, 2**32 - 1), chunk=st.sampled_from([1, 2, 5, 7, nw.CHUNK]))
def test_forward_matches_naive_formula(m, n, d, B, seed, chunk):
    net = nw.init_standard(m, d, B, seed)
    net.b = net.b + np.random.default_rng(seed).normal(0, 0.5, m)  # per-neuron biases too
    X = _data(n, d, seed + 1)
    ref = _naive_forward(X, net)
    scale = np.abs(np.clip(X @ net.W.T - net.b, 0, None)).sum(axis=1) / math.sqrt(m)
    assert np.all(np.abs(nw.forward(X, net, chunk=chunk) - ref) <= 1e-13 * (scale + 1e-300))


def test_activation_pattern_and_tie_convention():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, -0.8]])
    net = nw.Network(W=np.array([[2.0, 0.0], [0.0, -1.0], [0.6, -0.8]]), b=np.array([2.0, 0.5, 1.0]),
                     a=np.array([1.0, -1.0, 1.0]))
    act = nw.activation(X, net)
    assert act.shape == (3, 3) and act.dtype == bool
    # <w_0, x_0> = 2 = b_0 (tie counts as active), <w_2, x_2> = 1 = b_2 likewise
    expected = np.array([[True, False, False], [False, False, False], [False, True, True]])
    np.testing.assert_array_equal(act, expected)


# ---------------------------------------------------------------- Jacobian and empirical NTK

def _generic_net(m, d, B, seed):
    net = nw.init_standard(m, d, B, seed)
    rng = np.random.default_rng(seed + 7)
    net.W += 0.3 * rng.standard_normal(net.W.shape)  # away from the init structure
    net.b += 0.3 * rng.standard_normal(m)
    return net


@pytest.mark.parametrize("m, n, d, B, seed", [(40, 5, 3, 0.0, 1), (41, 7, 2, 1.0, 2), (64, 4, 6, 0.5, 3)])
def test_empirical_ntk_equals_ZtZ_and_chunking(m, n, d, B, seed):
    net = _generic_net(m, d, B, seed)
    X = _data(n, d, seed)
    Z = nw.jacobian(X, net)
    assert Z.shape == (m * (d + 1), n)
    H = nw.empirical_ntk(X, net)
    np.testing.assert_allclose(H, Z.T @ Z, rtol=1e-12, atol=1e-15)
    for chunk in (1, 3, 16):  # counts are integer sums: chunking is exact
        np.testing.assert_array_equal(nw.empirical_ntk(X, net, chunk=chunk), H)
    np.testing.assert_array_equal(H, H.T)


@pytest.mark.parametrize("m, n, d, seed", [(30, 4, 3, 5), (11, 6, 2, 6)])
def test_jacobian_matches_directional_finite_difference(m, n, d, seed):
    """Z^T v = d/de f(theta + e v) at e = 0, rows of Z ordered like Network.theta()."""
    net = _generic_net(m, d, 0.5, seed)
    X = _data(n, d, seed)
    pre = X @ net.W.T - net.b
    assert np.abs(pre).min() > 1e-4  # no kink within reach of the step below
    Z = nw.jacobian(X, net)
    rng = np.random.default_rng(seed)
    eps = 1e-6
    for _ in range(3):
        v = rng.standard_normal(m * (d + 1))
        v /= np.linalg.norm(v)
        dW, db = v[: m * d].reshape(m, d), v[m * d:]
        plus = nw.Network(net.W + eps * dW, net.b + eps * db, net.a)
        minus = nw.Network(net.W - eps * dW, net.b - eps * db, net.a)
        fd = (nw.forward(X, plus) - nw.forward(X, minus)) / (2 * eps)
        np.testing.assert_allclose(Z.T @ v, fd, rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(net.theta(), np.concatenate([net.W.ravel(), net.b]))


# ---------------------------------------------------------------- wide network -> H_inf

def _wide_data() -> np.ndarray:
    X = make_data("random", 4, 4, 2024)
    near = X[1] + 0.03 * np.array([0.3, -0.2, 0.5, 0.1])
    return np.vstack([X, -X[0], near / np.linalg.norm(near)])  # an antipodal and a close pair


def _band_check(X, H, m_eff, factor, B):
    """Every informative entry: H_inf's p inside the CP band of the recovered count."""
    n = X.shape[0]
    G = X @ X.T
    Hinf = ntk.h_inf(X, B)
    outside_mutant = 0
    checked = 0
    for i in range(n):
        for j in range(i, n):
            rho1 = 1.0 + (1.0 if i == j else G[i, j])
            if rho1 < 1e-12:  # rho = -1: no neuron is active on both x and -x
                assert H[i, j] == 0.0 and abs(Hinf[i, j]) <= 1e-20
                continue
            raw = H[i, j] * (m_eff * factor) / rho1
            count = round(raw)
            assert abs(raw - count) <= 1e-6 * max(1.0, count), (i, j, raw)
            assert count % factor == 0
            lo, hi = clopper_pearson(count // factor, m_eff, ALPHA)
            p = Hinf[i, j] / rho1
            assert lo <= p <= hi, f"B={B} ({i},{j}) rho={rho1 - 1:.4f}: p={p:.6g} not in [{lo:.6g}, {hi:.6g}]"
            checked += 1
            mutant = float(ntk.Q(B)) if i == j else float(ntk.Q(B)) ** 2  # independence kernel
            outside_mutant += not (lo <= mutant <= hi)
    assert checked == n * (n + 1) // 2 - 1
    return outside_mutant


@pytest.mark.parametrize("B", [0.0, 1.0, 2.0])
@pytest.mark.parametrize("symmetric", [False, True])
def test_wide_network_ntk_converges_to_h_inf(B, symmetric):
    m = 200_000
    X = _wide_data()
    net = nw.initialize(m, X.shape[1], B, seed=31 + int(10 * B), symmetric=symmetric)
    H = nw.empirical_ntk(X, net, chunk=1 << 13)
    factor = 2 if symmetric else 1
    outside = _band_check(X, H, m // factor, factor, B)
    # the band has power: the independence kernel p_ij = Q(B)^2 is refuted on some entry
    assert outside >= 1


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize(
    "call, name, condition",
    [
        (lambda: nw.forward(_data(3, 4, 0), nw.init_standard(6, 3, 1.0, 0)), "X.shape[1]", "d = 3"),
        (lambda: nw.empirical_ntk(_data(3, 2, 0), nw.init_standard(6, 3, 1.0, 0)), "X.shape[1]", "d = 3"),
        (lambda: nw.jacobian(_data(3, 2, 0), nw.init_standard(6, 3, 1.0, 0)), "X.shape[1]", "d = 3"),
        (lambda: nw.activation(_data(3, 2, 0), nw.init_standard(6, 3, 1.0, 0)), "X.shape[1]", "d = 3"),
        (lambda: nw.forward(np.array([[1.0, 1.0]]), nw.init_standard(6, 2, 1.0, 0)), "||X[0]||", "unit-norm"),
        (lambda: nw.forward(np.array([[np.nan, 1.0]]), nw.init_standard(6, 2, 1.0, 0)), "X", "finite"),
        (lambda: nw.empirical_ntk(np.array([[np.inf, 0.0]]), nw.init_standard(6, 2, 1.0, 0)), "X", "finite"),
        (lambda: nw.init_standard(6, 2, 1.0, None), "seed", "an integer in [0, 2**63)"),
        (lambda: nw.init_symmetric(6, 2, 1.0, None), "seed", "an integer in [0, 2**63)"),
        (lambda: nw.init_standard(0, 2, 1.0, 0), "m", "m >= 1"),
        (lambda: nw.init_standard(4, 0, 1.0, 0), "d", "d >= 1"),
        (lambda: nw.init_standard(4, 2, -1.0, 0), "B", "B >= 0"),
        (lambda: nw.init_standard(4, 2, float("nan"), 0), "B", "finite"),
        (lambda: nw.unit_rows_from(np.array([[0.0, 0.0], [1.0, 2.0]])), "raw", "no zero rows"),
    ],
)
def test_validation(call, name, condition):
    with pytest.raises(ValueError) as info:
        call()
    msg = str(info.value)
    assert msg.startswith(f"{name}=") and "violates the condition" in msg and condition in msg, msg


def test_unit_rows_from():
    X = nw.unit_rows_from(np.array([[3.0, 4.0], [0.0, -2.0]]))
    np.testing.assert_allclose(X, [[0.6, 0.8], [0.0, -1.0]], rtol=1e-15)
