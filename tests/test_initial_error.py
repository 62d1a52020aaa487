"""Initial error (Lemma 3.5 = Lemma A.10, FORMULAS.md section 2): formulas against their mpmath
twins and independent quadrature, the sampler against the network code and exact laws,
the quantile form against the exceedance test, input validation.

The registered claims (and mutants) are exercised by tests/test_registry.py.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy import stats as sst

from bounds import initial_error as ie
from montecarlo.estimators import initial_error as mc
from montecarlo.sim import stats
from montecarlo.sim import data
from montecarlo.sim.data import make_data, make_labels
from montecarlo.sim.network import forward, init_standard

from _util import rel

ALPHA = stats.ALPHA
LABELS = st.sampled_from(data.LABELS)
FAMILIES = st.sampled_from(["random", "clusters", "orthonormal"])


# ------------------------------------------------------------------ float vs mpmath
@settings(max_examples=40)
@given(B=st.floats(0.0, 12.0))
def test_v_and_fourth_moment_match_mp(B):
    assert rel(ie.v(B), ie.v_mp(B)) < 1e-12
    assert rel(ie.moment(B, 4), ie.moment_mp(B, 4)) < 1e-12


def test_v_far_tail_and_vectorized():
    Bs = np.array([0.0, 1e-8, 0.5, 3.0, 12.0, 20.0, 30.0])
    vals = ie.v(Bs)
    for B, x in zip(Bs, vals):
        assert rel(x, ie.v_mp(B)) < 1e-12
        assert rel(x, ie.v(float(B))) < 1e-14
    assert ie.v(0.0) == pytest.approx(0.5, rel=1e-15)
    assert rel(ie.moment(0.0, 4), 1.5) < 1e-14  # E Z_+^4 = 3/2


@pytest.mark.parametrize("B", [0.0, 0.7, 2.0, 5.0, 12.0])
def test_v_against_independent_quadrature(B):
    """v(B) = int_B^inf (z - B)^2 phi(z) dz by scipy's adaptive quadrature (another method)."""
    scale = math.exp(B * B / 2)  # integrate phi(z) e^{B^2/2} to keep quad's absolute tolerance relevant
    val, err = integrate.quad(lambda u: u * u * math.exp(-u * B - u * u / 2) / math.sqrt(2 * math.pi),
                              0, np.inf, epsabs=0, epsrel=1e-13)
    assert rel(ie.v(B) * scale, val) < 1e-10


@settings(max_examples=40)
@given(n=st.integers(1, 40), m=st.integers(1, 10**6), B=st.floats(0.0, 12.0),
       delta=st.floats(1e-6, 0.999), labels=LABELS, seed=st.integers(0, 2**32 - 1))
def test_bounds_are_ordered_and_tau_L_match_mp(n, m, B, delta, labels, seed):
    y = make_labels(labels, n, seed)
    t, p = ie.E0_tight(y, m, n, delta, B), ie.E0_paper(y, m, n, delta, B)
    assert rel(ie.tau(m, n, delta), ie.tau_mp(m, n, delta)) < 1e-13
    assert rel(ie.L(n, delta), ie.L_mp(n, delta)) < 1e-13
    yy = float(y @ y)
    assert yy <= t <= p * (1 + 1e-12)
    # monotone: a smaller delta or a smaller B can only raise both bounds
    assert ie.E0_tight(y, m, n, delta / 2, B) >= t and ie.E0_paper(y, m, n, delta / 2, B) >= p
    assert ie.E0_tight(y, m, n, delta, B / 2) >= t and ie.E0_paper(y, m, n, delta, B / 2) >= p


def test_v_bound_and_closed_form_loss():
    for B in np.linspace(0, 37, 75):
        assert ie.v_mp(B) <= mp.exp(-mp.mpf(B) ** 2 / 2) / 2 * (1 + mp.mpf(10) ** -40)
        assert ie.v(B) <= ie.v_bound(B) * (1 + 1e-12)
    # the double-precision closed form is what the integral form avoids: it cancels
    # (relative error ~ eps B^4), while the integral form stays at round-off
    for B in (12.0, 30.0):
        assert rel(ie.v_closed_form(B), ie.v_mp(B)) > 1e-11
        assert rel(ie.v(B), ie.v_mp(B)) < 1e-13


def test_prior_form_is_the_stated_shape():
    assert ie.prior_form(10, 0.1) == pytest.approx(10 * math.log(100) ** 2, rel=1e-14)


# ------------------------------------------------------------------------ the sampler
def test_sampler_matches_network_code_in_law():
    """The QR-reduced sampler and the explicit init_standard + forward give the same law
    of ||f(0) - y||^2 (two-sample Kolmogorov-Smirnov, level alpha)."""
    X, y = make_data("clusters", 5, 7, 1), make_labels("random", 5, 2)
    m, B = 9, 0.8
    fast = mc.error_values(X, y, m, B, 4000, 3)
    slow = np.array([np.sum((forward(X, init_standard(m, 7, B, s)) - y) ** 2) for s in range(1500)])
    assert sst.ks_2samp(fast, slow).pvalue > ALPHA


@pytest.mark.parametrize("B,delta", [(0.0, 0.1), (0.5, 0.3), (1.5, 0.05), (2.0, 0.5)])
def test_one_neuron_exact_quantile(B, delta):
    """m = n = 1, y = 0: f(0)^2 = relu(g - B)^2, whose q-quantile is (Q^{-1}(1 - q) - B)_+^2.
    The order-statistic limits must contain it."""
    X = np.array([[0.6, 0.8]])
    vals = mc.error_values(X, [0.0], 1, B, 20000, 11)
    q = 1 - delta
    exact = max(0.0, sst.norm.isf(1 - q) - B) ** 2
    lo, hi = stats.quantile_limits(vals, q, ALPHA)
    assert lo <= exact <= hi


@pytest.mark.parametrize("n,d,m,B,family,labels", [
    (4, 3, 1, 0.0, "random", "ones"),
    (3, 8, 40, 0.5, "orthonormal", "alternating"),
    (6, 5, 200, 1.5, "clusters", "random"),
    (2, 2, 7, 3.0, "random", "signs"),
])
def test_mean_matches_exact_expectation(n, d, m, B, family, labels):
    """E ||f(0) - y||^2 = ||y||^2 + n v(B), by CLT-free limits (truncation + exact fourth
    moments + bounded-mean limits), and the limits are sharp enough to exclude a 20% error."""
    X, y = make_data(family, n, d, 5), make_labels(labels, n, 6)
    vals = mc.error_values(X, y, m, B, 30000, 7)
    lo, hi = mc.mean_limits(vals, y, m, B)
    mean = ie.error_mean(y, B)
    assert lo <= mean <= hi
    assert not lo <= 1.2 * mean <= hi
    if B <= 0.5:  # where n v(B) is not negligible, the limits separate v from 1.5 v
        assert not lo <= float(y @ y) + 1.5 * n * ie.v(B) <= hi


def test_truncation_changes_nothing_on_E1_and_determinism():
    X, y = make_data("random", 3, 4, 0), make_labels("signs", 3, 0)
    a = mc.sample(X, y, 50, 0.3, 3000, 42, tau=2.2)
    b = mc.sample(X, y, 50, 0.3, 3000, 42, tau=2.2)
    assert np.array_equal(a.f, b.f) and np.array_equal(a.gmax, b.gmax)
    on = a.gmax <= 2.2
    assert 0 < on.sum() < on.size  # both cases occur
    assert np.array_equal(a.f[on], a.f_trunc[on])
    assert np.all(a.err2 >= 0) and np.allclose(a.err2, ((a.f - y) ** 2).sum(axis=1))


def test_chunking_does_not_change_the_law(monkeypatch):
    """Neuron blocks (m > CHUNK / n) accumulate correctly: a tiny CHUNK forces them."""
    X, y = make_data("random", 3, 3, 4), make_labels("random", 3, 4)
    ref = mc.error_values(X, y, 64, 0.2, 3000, 8)
    monkeypatch.setattr(mc, "CHUNK", 50)
    small = mc.error_values(X, y, 64, 0.2, 3000, 9)
    assert sst.ks_2samp(ref, small).pvalue > ALPHA


@settings(max_examples=25)
@given(n=st.integers(1, 16), d=st.integers(1, 16), m=st.integers(1, 300), B=st.floats(0.0, 4.0),
       delta=st.floats(0.05, 0.5), labels=LABELS, family=FAMILIES, seed=st.integers(0, 2**32 - 1))
def test_sampler_properties_over_problems(n, d, m, B, delta, labels, family, seed):
    X, y = data.dataset(family, n, d, seed), make_labels(labels, n, seed)
    s = mc.sample(X, y, m, B, 400, seed, tau=ie.tau(m, n, delta))
    assert s.f.shape == (400, n) and np.all(np.isfinite(s.f))
    # each |f_i| <= sqrt(m) max_{r} relu(g - B), and the truncated sums never exceed sqrt(m) tau
    assert np.all(s.fmax <= math.sqrt(m) * np.maximum(s.gmax - B, 0.0) + 1e-9)
    assert np.all(s.fmax_trunc <= math.sqrt(m) * s.tau + 1e-9)
    # the quantile form of the check is the exact exceedance test
    for bound in (ie.E0_tight(y, m, n, delta, B), float(np.median(s.err2))):
        qc = mc.quantile_check(s.err2, bound, delta)
        assert qc.refuted == (qc.test.pvalue <= ALPHA)
    # an enormous bias switches every neuron off: f(0) = 0 exactly
    assert np.allclose(mc.error_values(X, y, m, 60.0, 5, seed), float(y @ y), rtol=1e-14, atol=0)


def test_e1_failure_estimate_brackets_the_independent_case():
    """Orthonormal data: the m n pre-activations are i.i.d. N(0, 1), so
    P[not E1] = 1 - (1 - 2 Q(tau))^{m n} exactly."""
    X = make_data("orthonormal", 3, 5, 0)
    tau = 2.5
    est = mc.e1_failure(X, 20, tau, 4000, 1)
    exact = -math.expm1(60 * math.log1p(-2 * sst.norm.sf(tau)))
    assert est.lower <= exact <= est.upper


# ------------------------------------------------------------------------- validation
@pytest.mark.parametrize("call,match", [
    (lambda: ie.v(-0.1), "B="),
    (lambda: ie.v(float("nan")), "B="),
    (lambda: ie.v(np.array([1.0, np.inf])), "B="),
    (lambda: ie.v_mp(-1.0), "B="),
    (lambda: ie.moment(1.0, 5), "k="),
    (lambda: ie.tau(0, 3, 0.1), "m="),
    (lambda: ie.tau(2.5, 3, 0.1), "m="),
    (lambda: ie.tau(4, 3, 0.0), "delta="),
    (lambda: ie.L(3, 1.0), "delta="),
    (lambda: ie.L(0, 0.5), "n="),
    (lambda: ie.E0_tight([0.5, 1.5], 4, 2, 0.1, 1.0), "y="),
    (lambda: ie.E0_tight([0.5, np.nan], 4, 2, 0.1, 1.0), "y="),
    (lambda: ie.E0_tight([0.5, 0.1], 4, 3, 0.1, 1.0), "len"),
    (lambda: ie.E0_paper([0.5], 4, 1, float("nan"), 1.0), "delta="),
    (lambda: ie.E0_paper([0.5], 4, 1, 0.1, -2.0), "B="),
    (lambda: ie.E0_tight_mp([0.5], 4, 1, 1.5, 1.0), "delta="),
    (lambda: ie.bernstein_bound(4, 1, 0.1, float("inf")), "B="),
    (lambda: ie.prior_form(1, 0.0), "delta="),
    (lambda: ie.error_mean([2.0], 0.0), "y="),
    (lambda: mc.sample(np.array([[2.0, 0.0]]), [0.0], 3, 0.0, 10, 0), "unit-norm"),
    (lambda: mc.sample(np.eye(2), [0.0, 0.0], 3, 0.0, 0, 0), "draws="),
    (lambda: mc.sample(np.eye(2), [0.0, 0.0], 3, 0.0, 10, None), "seed="),
    (lambda: data.problem(2, 2, "random", "signs", None), "seed="),
    (lambda: mc.sample(np.eye(2), [0.0, 0.0], 3, 0.0, 10, 0, tau=-1.0), "tau="),
    (lambda: mc.sample(np.eye(2), [0.0], 3, 0.0, 10, 0), "len"),
    (lambda: mc.sample(np.eye(2), [0.0, 0.0], 3, 0.0, 10, 0).fmax_trunc, "tau="),
    (lambda: mc.quantile_check([1.0, 2.0], 1.0, 1.0), "delta="),
    (lambda: mc.quantile_check([1.0, np.nan], 1.0, 0.1), "finite"),
    (lambda: mc.mean_limits([1.0], [0.0], 2, 0.0), "values="),
])
def test_invalid_inputs_raise(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------ log forms, whole domain
@settings(max_examples=100)
@given(B=st.floats(0.0, 1e3), k=st.integers(0, 4))
def test_log_moment_matches_mpmath(B, k):
    """The moments underflow past B ~ 38; their log forms are exact for every B >= 0."""
    ref = float(mp.log(ie.moment_mp(B, k)))
    assert abs(ie.log_moment(B, k) - ref) / max(1.0, abs(ref)) <= 1e-13
    if k == 2:
        assert ie.log_v(B) == ie.log_moment(B, 2)
        assert abs(ie.log_v_bound(B) - (-B * B / 2 - math.log(2))) <= 1e-15 * max(1.0, B * B)
    if B < 30:
        assert ie.moment(B, k) == pytest.approx(math.exp(ie.log_moment(B, k)), rel=1e-12)


def test_log_moment_vectorized():
    Bs = np.array([0.0, 1.0, 40.0, 500.0])
    assert np.allclose(ie.log_v(Bs), [ie.log_v(float(b)) for b in Bs], rtol=1e-15)
