"""Types at the faces: real scalars and real numeric arrays only. Complex numbers lose no
imaginary part silently, text is not parsed, object and bool arrays are refused, integers
beyond int64 are refused by name; numpy scalars, mpf, Fraction and Decimal are accepted."""

from __future__ import annotations

import decimal
import fractions

import mpmath
import numpy as np
import pytest

from bounds import activated_neurons, flip_probability, ntk
from bounds import validate as v
from montecarlo.sim.network import Network, forward, init_standard


def _X(n=5, d=3):
    X = np.random.default_rng(0).standard_normal((n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


@pytest.mark.parametrize("B", [np.complex128(1 + 1j), 1 + 0j, np.complex64(1), np.array(1 + 1j), "1.0",
                               np.array("1.0"), np.array(True), np.bool_(True), [1.0]])
def test_complex_and_text_scalars_refused(B):
    with pytest.raises(ValueError, match=r"^B="):
        flip_probability.exact(B, 0.5)


@pytest.mark.parametrize("B", [np.float32(0.5), np.float64(0.5), np.int64(0), np.uint8(1), mpmath.mpf("0.5"),
                               fractions.Fraction(1, 2), decimal.Decimal("0.5"), np.array(0.5)])
def test_real_scalars_accepted(B):
    assert flip_probability.exact(B, 0.5) == flip_probability.exact(float(B), 0.5)


@pytest.mark.parametrize("make", [lambda X: X + 1e-3j, lambda X: X.astype(str), lambda X: X.astype(object),
                                  lambda X: X > 0, lambda X: X.astype(complex)])
def test_non_real_arrays_refused(make):
    with pytest.raises(ValueError, match=r"^X="):
        ntk.h_inf(make(_X()), 1.0)


def test_list_of_exact_numbers_accepted():
    X = _X(3, 2)
    rows = [[fractions.Fraction(x).limit_denominator(10**18) if j else mpmath.mpf(x) for j, x in enumerate(r)]
            for r in X.tolist()]
    assert np.allclose(ntk.h_inf(rows, 1.0), ntk.h_inf(X, 1.0), rtol=1e-12)
    with pytest.raises(ValueError, match=r"^X="):
        ntk.h_inf([[1.0, 0.0], [0.0, 1j]], 1.0)
    with pytest.raises(ValueError, match=r"^X="):
        ntk.h_inf([[1.0, 0.0], [0.0, "1"]], 1.0)


@pytest.mark.parametrize("m", [2**64 + 1, 2**63, np.uint64(2**63), 1e300])
def test_integers_beyond_int64_refused(m):
    with pytest.raises(ValueError, match=r"^m="):
        activated_neurons.count_sf(2, m, 1.0)


def test_integer_checks():
    assert v.positive_int("m", np.float32(4.0)) == 4
    assert v.positive_int("m", 2**63 - 1) == 2**63 - 1
    for bad in (np.bool_(True), np.nan, np.inf, 2.5, np.float64(2.5)):
        with pytest.raises(ValueError, match="m="):
            v.positive_int("m", bad)


def test_network_validated():
    net = init_standard(8, 3, 1.0, 0)
    X = np.eye(3)
    with pytest.raises(ValueError, match=r"net\.a\.shape"):
        forward(X, Network(net.W, net.b, net.a[:-1]))
    with pytest.raises(ValueError, match=r"net\.W="):
        Network(net.W * np.nan, net.b, net.a)
    with pytest.raises(ValueError, match=r"net\.W="):
        Network(net.W + 1j, net.b, net.a)
    with pytest.raises(ValueError, match=r"net\.b="):
        Network(net.W, net.b * np.inf, net.a)
    with pytest.raises(ValueError, match=r"net\.W\.ndim"):
        Network(net.W[0], net.b, net.a)
    net.b[0] = np.inf  # the fields are mutable: checked again when used
    with pytest.raises(ValueError, match=r"net\.b="):
        forward(X, net)


# ------------------------------------------------------------- overflow on valid input
def test_mp_tails_beyond_mpmath_erfc():
    from bounds.ntk import Q_mp
    assert flip_probability.exact_mp(0.0, 1e300) == 1  # Q(-2e300) - Q(2e300), no OverflowError
    q = Q_mp(1e308)
    assert 0 < q < mpmath.mpf(10) ** -(10**300)
    with mpmath.workdps(400):
        ref = mpmath.erfc(mpmath.mpf(1.0001e150) / mpmath.sqrt(2)) / 2
    assert abs(Q_mp(1.0001e150, 30) / ref - 1) < mpmath.mpf(10) ** -28


def test_radius_condition_refuses_overflow_by_name():
    from bounds import convergence as cv
    with pytest.raises(ValueError, match=r"^B=40\.0 .*log_radius_condition"):
        cv.radius_condition(3, 40.0, 0.5)
    assert cv.radius_condition(3, 37.0, 0.5) == pytest.approx(np.exp(cv.log_radius_condition(3, 37.0, 0.5)))


def test_float32_inputs_widened_exactly():
    from bounds import convergence as cv
    assert cv.theory_width(3, 1.0, np.float32(0.5), 1.0) == cv.theory_width(3, 1.0, 0.5, 1.0)
    assert cv.log_theory_width(np.int32(3), np.float32(1.0), np.float32(0.5), np.float32(1.0)) \
        == cv.log_theory_width(3, 1.0, 0.5, 1.0)
