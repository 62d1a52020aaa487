"""error_analysis (FORMULAS.md section 7): the formulas, the exact decomposition of Claim A.11 on
real runs, the links along runs and at the adversary, the B-independence inequality, Lemma A.9."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest

from bounds import error_analysis as eab
from bounds.flip_probability import C_PAPER
from montecarlo import registry
from montecarlo.estimators import error_analysis as ea
from montecarlo.sim.data import dataset


# ------------------------------------------------------------------------------ formulas
def test_step_condition_gives_the_rate_exactly_at_the_edge():
    """At R = R* and eta = eta_sparse(R) the three terms sum to exactly eta lambda / 4 below 1."""
    n, B, lam = 5, 1.3, 0.02
    R = eab.radius_condition(n, B, lam)
    eta = eab.sparse_step(n, B, lam, R)
    dec = -(eab.c1_bound(eta, lam) + 2 * eab.flip_term_bound(eta, n, B, R) + eab.update_bound(eta, n, B, R))
    assert dec == pytest.approx(eta * lam / 4, rel=1e-12)
    assert 2 * eab.flip_term_bound(eta, n, B, R) == pytest.approx(eta * lam / 4, rel=1e-12)
    assert eab.update_bound(eta, n, B, R) == pytest.approx(eta * lam / 2, rel=1e-12)
    assert eab.step_factor(4 * eta, n, B, R, lam) > 1 - eta * lam  # the 4x step is not covered


def test_formulas_against_mpmath():
    n, B, R, eta, lam, c = 7, 2.5, 0.01, 0.3, 0.04, C_PAPER
    with mp.workdps(40):
        q = mp.mpf(c) * R * mp.exp(-mp.mpf(B) ** 2 / 2)
        assert float(8 * eta * n * q) == pytest.approx(eab.flip_term_bound(eta, n, B, R), rel=1e-13)
        u = 4 * mp.mpf(eta) ** 2 * n ** 2 * (1 + 2 * mp.mpf(c) * R) ** 2 * mp.exp(-mp.mpf(B) ** 2)
        assert float(u) == pytest.approx(eab.update_bound(eta, n, B, R), rel=1e-13)
        s = mp.mpf(lam) * mp.exp(mp.mpf(B) ** 2) / (8 * n ** 2 * (1 + 2 * mp.mpf(c) * R) ** 2)
        assert float(s) == pytest.approx(eab.sparse_step(n, B, lam, R), rel=1e-13)
        for b in (0.5, 8.0, 40.0):
            assert float(mp.log(mp.erfc(mp.mpf(b) / mp.sqrt(2)))) == pytest.approx(eab.log_diagonal_bound(b), rel=1e-12)
    assert eab.log_diagonal_bound(40.0) < eab.log_mills_bound(40.0)  # Mills' ratio at B = 40, no underflow
    assert eab.dense_step(4, 0.1) == pytest.approx(0.1 / 128)
    assert eab.flow_movement_bound(4, 100, 0.5, 2.0) == pytest.approx(2 * 2 * 2.0 / (10 * 0.5))
    assert eab.update_dense_bound(0.1, 3) == pytest.approx(4 * 0.01 * 9)
    assert eab.flip_term_link(0.1, 3, 5, 100) == pytest.approx(4 * 0.1 * 3 * 5 / 100)
    assert eab.update_link(0.1, 3, 50, 100) == pytest.approx(4 * 0.01 * 9 * 0.25)


@pytest.mark.parametrize("call", [lambda: eab.sparse_step(0, 1.0, 0.1, 0.1), lambda: eab.flip_term_bound(-1.0, 2, 1.0, 0.1),
                                  lambda: eab.log_mills_bound(0.0), lambda: eab.update_link(0.1, 2, -1, 10)])
def test_bad_input_is_refused(call):
    with pytest.raises(ValueError, match="violates"):
        call()


# ------------------------------------------------------------------------ decomposition
@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("B", [0.0, 1.0, 2.5])
def test_decomposition_is_exact_along_runs(symmetric, B):
    P = ea.draw(4, 3, 256 if B < 2 else 1024, B, "random", "random", 3, symmetric)
    D = ea.decompose(ea.run(P, 25))
    r = np.sqrt(D.norm2[:-1])
    keep = r >= 1e-3 * max(np.linalg.norm(P.y), r[0])
    assert D.covered.all()
    assert D.deviation[keep].max() <= 1e-12
    assert np.any(D.C3 != 0)  # neurons flipped: C2, C3 are exercised
    # C3's sign flipped breaks the identity
    scale = D.norm2[:-1] + np.abs(D.C1) + np.abs(D.C2) + np.abs(D.C3) + D.C4
    bad = np.abs(D.norm2[1:] - (D.norm2[:-1] + D.C1 + D.C2 - D.C3 + D.C4)) / scale
    assert bad.max() > 1e-6


def test_links_hold_along_runs_and_at_the_adversary():
    for fam, lab in (("random", "random"), ("clusters", "ones")):
        P = ea.draw(3, 3, 256, 0.5, fam, lab, 5, True)
        lr = ea.link_ratios(ea.decompose(ea.run(P, 20)))
        ad = ea.adversary(P, 0.05, 1)
        for k in ea.LINKS:
            assert lr[k] <= 1 + 1e-9, (k, lr[k])
            assert ad[k] <= 1 + 1e-9, (k, ad[k])


def test_adversary_attains_the_deterministic_links():
    """n = 1, all flip-set neurons switched on: the A.14, A.15, A.16 links are attained (ratio 1)."""
    P = ea.draw(1, 3, 256, 0.5, "clusters", "ones", 1, True)
    ad = ea.adversary(P, 0.05, 0)
    for k in ("A14_link", "A15_link", "A16_link"):
        assert ad[k] == pytest.approx(1.0, abs=0.05), (k, ad[k])


def test_c4_exponent_mutant_is_refuted_at_large_bias():
    P = ea.draw(1, 2, 8192, 3.5, "clusters", "ones", 0, True)
    ad = ea.adversary(P, 1e-3, 0)
    assert ad["A16_event"] <= 1 and ad["A16_event"] > math.exp(-3.5 ** 2 / 2)


# ---------------------------------------------------------------------- B-independence
@pytest.mark.parametrize("family", ["random", "orthonormal", "clusters"])
def test_lambda_min_h_inf_log_form(family):
    from bounds.ntk import h_inf

    X = dataset(family, 4, 5, 2)
    for B in (0.0, 0.7, 2.0):
        lam = float(np.linalg.eigvalsh(h_inf(X, B))[0])
        assert ea.log_lambda_min_h_inf(X, B) == pytest.approx(math.log(lam), rel=1e-8)
    for B in (10.0, 40.0):
        ll = ea.log_lambda_min_h_inf(X, B)
        assert math.isfinite(ll) and ll <= eab.log_diagonal_bound(B) + 1e-12 <= eab.log_mills_bound(B) + 1e-12


# ------------------------------------------------------------------------- Lemma A.9, registry
def test_flow_movement_within_bound():
    P = ea.draw(2, 4, 256, 0.5, "orthonormal", "random", 1, True, eta_frac=0.05)
    f = ea.flow_check(ea.run(P, 80))
    assert f["rate_held"] and 0 < f["ratio"] <= 1


def test_registered_claims_and_mutants():
    keys = {c.key for c in registry.claims() if c.module == "error_analysis"}
    assert "error_analysis.decomposition_identity" in keys and "error_analysis.mutant_A16_exponent_3_2" in keys
    assert "error_analysis" in registry.MODULES
    c = registry.get("error_analysis.step_size_condition")
    p = c.domain.build(c.domain.sample_raw(np.random.default_rng(3)))
    assert not registry.check(c, p).refuted
    m = registry.get("error_analysis.mutant_step_4x_sparse")
    p = m.domain.build(m.domain.sample_raw(np.random.default_rng(3)))
    assert registry.check(m, p).refuted
