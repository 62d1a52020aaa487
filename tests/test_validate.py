"""Domain checks of bounds.validate (FORMULAS.md section 0).

Every validator must raise ``ValueError`` whose message names the parameter, shows the
offending value and states the violated condition ("name=value violates the condition ...").
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from bounds import validate as v
from bounds import ntk
from montecarlo.sim import network, stats


def raises(fn, *args, name: str, value: str, condition: str, **kw) -> str:
    """Call fn, expect ValueError; check that name, value and condition are in the message."""
    with pytest.raises(ValueError) as info:
        fn(*args, **kw)
    msg = str(info.value)
    assert f"{name}=" in msg, msg
    assert value in msg.split("violates")[0], msg
    assert "violates the condition" in msg and condition in msg.split("violates the condition")[1], msg
    return msg


# ---------------------------------------------------------------- scalars

@pytest.mark.parametrize("bad, shown", [(float("nan"), "nan"), (float("inf"), "inf"), (-math.inf, "-inf")])
@pytest.mark.parametrize(
    "fn, name",
    [(lambda x: v.nonneg("B", x), "B"), (lambda x: v.positive("eta", x), "eta"),
     (lambda x: v.probability("delta", x), "delta"), (v.bias, "B")],
)
def test_nan_and_inf_rejected_by_scalar_checks(fn, name, bad, shown):
    raises(fn, bad, name=name, value=shown, condition="finite")


def test_finite_rejects_nan_inside_an_array_and_shows_it():
    raises(v.finite, "X", np.array([[0.0, 1.0], [np.nan, 2.0]]), name="X", value="nan", condition="finite")
    raises(v.finite, "y", np.array([1.0, -np.inf]), name="y", value="-inf", condition="finite")
    assert v.finite("x", 3.0) == 3.0


def test_nonneg_and_bias():
    raises(v.nonneg, "B", -0.5, name="B", value="-0.5", condition="B >= 0")
    raises(v.bias, -1e-300, name="B", value="-1e-300", condition="B >= 0")
    assert v.bias(0) == 0.0 and v.bias(12) == 12.0


def test_positive():
    raises(v.positive, "eta", 0.0, name="eta", value="0.0", condition="eta > 0")
    raises(v.positive, "eta", -3, name="eta", value="-3", condition="eta > 0")
    assert v.positive("eta", 1e-300) == 1e-300


@pytest.mark.parametrize("delta", [0, 0.0, 1, 1.0, -0.1, 1.5])
def test_probability_rejects_delta_0_and_1_and_outside(delta):
    raises(v.probability, "delta", delta, name="delta", value=repr(delta), condition="0 < delta < 1")


def test_probability_accepts_interior():
    assert v.probability("delta", 1e-12) == 1e-12
    assert v.probability("delta", 1 - 1e-12) == 1 - 1e-12


def test_scalar_checks_reject_non_numbers_and_arrays():
    raises(v.positive, "eta", "abc", name="eta", value="'abc'", condition="a real number")
    raises(v.nonneg, "B", np.array([1.0, 2.0]), name="B", value="[1. 2.]", condition="a real number")


# ---------------------------------------------------------------- integers

def test_positive_int():
    raises(v.positive_int, "n", 0, name="n", value="0", condition="n >= 1")
    raises(v.positive_int, "n", -4, name="n", value="-4", condition="n >= 1")
    raises(v.positive_int, "n", 2.5, name="n", value="2.5", condition="a positive integer")
    raises(v.positive_int, "n", True, name="n", value="True", condition="a positive integer")
    raises(v.positive_int, "n", "3", name="n", value="'3'", condition="a positive integer")
    assert v.positive_int("n", 4.0) == 4 and v.positive_int("n", np.int64(7)) == 7


def test_even_int():
    raises(v.even_int, "m", 7, name="m", value="7", condition="m even")
    raises(v.even_int, "m", 0, name="m", value="0", condition="m >= 1")
    assert v.even_int("m", 8) == 8


def test_nonneg_int():
    raises(v.nonneg_int, "K", -1, name="K", value="-1", condition="K >= 0")
    raises(v.nonneg_int, "K", 2.5, name="K", value="2.5", condition="a non-negative integer")
    raises(v.nonneg_int, "K", True, name="K", value="True", condition="a non-negative integer")
    assert v.nonneg_int("K", 0) == 0 and v.nonneg_int("K", 3.0) == 3 and v.nonneg_int("K", np.int64(5)) == 5


def test_symmetric_matrix():
    raises(v.symmetric_matrix, "M", np.zeros((2, 3)), name="M.shape", value="(2, 3)", condition="(..., n, n)")
    raises(v.symmetric_matrix, "M", np.eye(2), 3, name="M.shape", value="(2, 2)", condition="matching n = 3")
    raises(v.symmetric_matrix, "M", [[1.0, 2.0], [0.0, 1.0]], name="M", value="[[1. 2.]", condition="symmetric")
    raises(v.symmetric_matrix, "M", [[1.0, np.nan], [np.nan, 1.0]], name="M", value="nan", condition="finite")
    H = np.array([[1e-9, 2e-9], [2e-9 * (1 + 1e-14), 3e-9]])  # relative asymmetry only
    np.testing.assert_array_equal(v.symmetric_matrix("H", H), v.symmetric_matrix("H", H).T)


def test_check_int_range():
    raises(v.check_int_range, "n", 1, 2, name="n", value="1", condition="n >= 2")
    assert v.check_int_range("n", 5, 2) == 5


# ---------------------------------------------------------------- radius R <= 1/B

def test_radius_rejects_R_above_inverse_B():
    msg = raises(v.radius, 2.0, 0.6, name="R", value="0.6", condition="R <= 1/B")
    assert "0.5" in msg  # the value of 1/B is shown
    raises(v.radius, 12.0, 1 / 12 * 1.001, name="R", value=repr(1 / 12 * 1.001), condition="R <= 1/B")


def test_radius_accepts_boundary_and_any_R_at_B_zero():
    assert v.radius(2.0, 0.5) == 0.5  # R = 1/B exactly is inside the domain
    assert v.radius(3.0, 1 / 3) == 1 / 3
    assert v.radius(0.0, 1e6) == 1e6
    assert v.radius(2.0, 5.0, require_R_le_inv_B=False) == 5.0


@pytest.mark.parametrize("R, shown, cond", [(0.0, "0.0", "R > 0"), (-1.0, "-1.0", "R > 0"),
                                            (float("nan"), "nan", "finite"), (float("inf"), "inf", "finite")])
def test_radius_rejects_nonpositive_and_nonfinite(R, shown, cond):
    raises(v.radius, 1.0, R, name="R", value=shown, condition=cond)


# ---------------------------------------------------------------- arrays

def test_unit_rows():
    X = np.array([[1.0, 0.0], [0.6, 0.8]])
    assert np.array_equal(v.unit_rows("X", X), X)
    raises(v.unit_rows, "X", np.array([[1.0, 0.0], [1.0, 1.0]]), name="||X[1]||",
           value=repr(math.sqrt(2)), condition="unit-norm rows")
    raises(v.unit_rows, "X", np.array([1.0, 0.0]), name="X", value="[1. 0.]", condition="2-D array")
    raises(v.unit_rows, "X", np.zeros((0, 3)), name="X.shape", value="(0, 3)", condition="n >= 1")
    raises(v.unit_rows, "X", np.array([[np.nan, 0.0]]), name="X", value="nan", condition="finite")
    raises(v.unit_rows, "X", np.array([[np.inf, 0.0]]), name="X", value="inf", condition="finite")


def test_labels():
    assert np.array_equal(v.labels("y", [1.0, -1.0, 0.2], 3), [1.0, -1.0, 0.2])
    raises(v.labels, "y", [0.0, 1.5], name="y", value="1.5", condition="|y_i| <= 1")
    raises(v.labels, "y", [0.0, 0.5], 3, name="len(y)", value="2", condition="= n = 3")
    raises(v.labels, "y", [[0.0]], name="y", value="[[0.]]", condition="1-D array")
    raises(v.labels, "y", [0.0, np.nan], name="y", value="nan", condition="finite")


def test_correlation():
    assert np.array_equal(v.correlation("rho", [-1.0, 0.3, 1.0]), [-1.0, 0.3, 1.0])
    # round-off above 1 is clipped, not rejected
    assert v.correlation("rho", 1 + 1e-14) == 1.0
    raises(v.correlation, "rho", [0.0, 1.5], name="rho", value="1.5", condition="-1 <= rho <= 1")
    raises(v.correlation, "rho", -1.01, name="rho", value="-1.01", condition="-1 <= rho <= 1")
    raises(v.correlation, "rho", np.nan, name="rho", value="nan", condition="finite")


def test_message_format_exactly():
    with pytest.raises(ValueError, match=re.escape("delta=0 violates the condition 0 < delta < 1")):
        v.probability("delta", 0)


# ---------------------------------------------------------------- public functions use them

@pytest.mark.parametrize(
    "call, name, condition",
    [
        (lambda: ntk.pair_probability(0.5, -1.0), "B", "B >= 0"),
        (lambda: ntk.pair_probability(0.5, float("nan")), "B", "finite"),
        (lambda: ntk.pair_probability(1.5, 1.0), "rho", "-1 <= rho <= 1"),
        (lambda: ntk.h_inf(np.array([[2.0, 0.0]]), 1.0), "||X[0]||", "unit-norm rows"),
        (lambda: stats.clopper_pearson(3, 10, alpha=0.0), "alpha", "0 < alpha < 1"),
        (lambda: stats.binomial_exceedance_pvalue(1, 10, 1.0), "delta", "0 < delta < 1"),
        (lambda: network.init_symmetric(5, 2, 1.0, 0), "m", "m even"),
        (lambda: network.init_standard(4, 2, float("inf"), 0), "B", "finite"),
    ],
)
def test_public_functions_validate(call, name, condition):
    with pytest.raises(ValueError) as info:
        call()
    msg = str(info.value)
    assert msg.startswith(f"{name}=") and condition in msg, msg


# ---------------------------------------------------------------- every known bad input raises

def _issue11_cases():
    """(label, call, parameter the message must name): one per bad input found by the fuzzing passes."""
    from bounds import flip_probability as fp, initial_error as ie_b, activated_neurons as an_b
    from bounds import rademacher_radius as rr_b, restricted_eigenvalue as re_b
    from montecarlo.estimators import (conjecture, flip_probability as mfp, initial_error as mie, rademacher_radius as mrr, restricted_eigenvalue as mre)
    from montecarlo.sim import data, trainer
    from montecarlo import registry
    from montecarlo.experiments import rademacher_radius as rfr  # the experiments behind the figures
    X = np.array([[1.0, 0.0], [0.6, 0.8], [-0.28, 0.96]])
    y = np.array([0.5, -0.5, 1.0])
    net = network.initialize(4, 2, 1.0, 0)
    traj = trainer.train(X, y, net, 0.1, 3)
    claim = registry.get("flip_probability.lemma_A4")
    return [
        ("Q(nan)", lambda: ntk.Q(float("nan")), "t"),
        ("Q(None)", lambda: ntk.Q(None), "t"),
        ("phi(nan)", lambda: ntk.phi(float("nan")), "t"),
        ("logQ(None)", lambda: ntk.logQ(None), "t"),
        ("Q_mp dps=0", lambda: ntk.Q_mp(1.0, dps=0), "dps"),
        ("Q_mp dps=10**6", lambda: ntk.Q_mp(1.0, dps=10**6), "dps"),
        ("symmetric='False'", lambda: fp.corollary_exponent(100, 2.0, 0.01, symmetric="False"), "symmetric"),
        ("importance R > 1/B", lambda: mfp.importance(0.5, 10.0, 3, 2000, 0), "R"),
        ("importance R = 1e6", lambda: mfp.importance(0.5, 1e6, 3, 2000, 0), "R"),
        ("gradients NaN label", lambda: trainer.gradients(X, np.array([0.5, np.nan, 1.0]), net), "y"),
        ("gradients |y| > 1", lambda: trainer.gradients(X, np.array([0.5, 2.0, 1.0]), net), "y"),
        ("h_inf_from_pairs NaN P", lambda: re_b.h_inf_from_pairs(X, np.full((3, 3), np.nan)), "P"),
        ("h_inf_from_pairs 1-D P", lambda: re_b.h_inf_from_pairs(X, np.ones(3) * 0.1), "P"),
        ("leading_distance B=1e6", lambda: rr_b.leading_distance(X, y, 1e6), "B"),
        ("generalization_term B=1e6", lambda: rr_b.generalization_term(X, y, 1e6), "B"),
        ("conjecture_ratio B=1e6", lambda: conjecture.conjecture_ratio(X, 1e6), "B"),
        ("movement_check lam=-1", lambda: mrr.movement_check(traj, lam=-1.0), "lam"),
        ("width_ladder widths=()", lambda: rfr.width_ladder(widths=()), "widths"),
        ("quantile_limits 2-D", lambda: stats.quantile_limits(np.ones((40, 40)), 0.5), "samples"),
        ("make_data seed=None", lambda: data.make_data("random", 3, 2, None), "seed"),
        ("make_labels seed=None", lambda: data.make_labels("random", 3, None), "seed"),
        ("dataset seed=None", lambda: data.dataset("random", 3, 2, None), "seed"),
        ("data.problem seed=None", lambda: data.problem(3, 2, "random", "signs", None), "seed"),
        ("train steps=2.5", lambda: trainer.train(X, y, net, 0.1, 2.5), "steps"),
        ("activation X with the wrong d", lambda: network.activation(np.eye(3), net), "X"),
        ("ratio_to_rate(1e6, 0.3)", lambda: fp.ratio_to_rate(1e6, 0.3), "B"),
        ("net=None", lambda: network.forward(X, None), "net"),
        ("seed=-1", lambda: network.init_standard(4, 2, 1.0, -1), "seed"),
        ("seed=1.5", lambda: network.init_standard(4, 2, 1.0, 1.5), "seed"),
        ("seed=nan", lambda: network.init_standard(4, 2, 1.0, float("nan")), "seed"),
        ("check(claim, {})", lambda: registry.check(claim, {}), "params"),
        ("conjecture search n_range", lambda: conjecture.search_unrestricted_conjecture(n_range=(3, 2)), "n_range"),
        ("rademacher_tightness sigmas=0", lambda: rfr.rademacher_tightness((1.0,), sigmas=0), "sigmas"),
        ("string for a float", lambda: ntk.h_inf("x", 1.0), "X"),
        ("initial_error.sample m=10**12", lambda: mie.sample(X, y, 10**12, 1.0, 4, 0), "m"),
        ("empirical_ntk_draws m=10**12", lambda: mre.empirical_ntk_draws(X, 1.0, 10**12, 2, 0), "m"),
        ("chernoff_check m=10**12", lambda: mre.chernoff_check(X, 1.0, 10**12, 2, 0), "m"),
        ("count_sf_mp m=10**12", lambda: an_b.count_sf_mp(5.0, 10**12, 1.0), "m"),
        ("initialize d=10**9", lambda: network.initialize(4, 10**9, 1.0, 0), "d"),
        ("tau_mp dps=0", lambda: ie_b.tau_mp(4, 3, 0.1, dps=0), "dps"),
    ]


@pytest.mark.parametrize("label, call, name", _issue11_cases(), ids=[c[0] for c in _issue11_cases()])
def test_issue11_example_raises_naming_the_parameter(label, call, name):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    msg = str(info.value)
    assert re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", msg), f"{label}: {msg}"


# ---------------------------------------------------------------- the vocabulary of the input contract

@pytest.mark.parametrize("check, bad, name, condition", [
    (lambda x: v.boolean("symmetric", x), "False", "symmetric", "a bool"),
    (lambda x: v.boolean("symmetric", x), 1, "symmetric", "a bool"),
    (lambda x: v.boolean("symmetric", x), None, "symmetric", "a bool"),
    (lambda x: v.seed("seed", x), None, "seed", "[0, 2**63)"),
    (lambda x: v.seed("seed", x), -1, "seed", "[0, 2**63)"),
    (lambda x: v.seed("seed", x), 1.5, "seed", "[0, 2**63)"),
    (lambda x: v.seed("seed", x), 2**63, "seed", "[0, 2**63)"),
    (lambda x: v.seed("seed", x), True, "seed", "[0, 2**63)"),
    (v.dps, 0, "dps", "dps >= 1"),
    (v.dps, 10**6, "dps", f"dps <= {v.MAX_DPS}"),
    (v.dps, 2.5, "dps", "a positive integer"),
    (lambda x: v.nonneg_int("steps", x), -1, "steps", "steps >= 0"),
    (lambda x: v.nonneg_int("steps", x), 2.5, "steps", "a non-negative integer"),
    (lambda x: v.real("t", x), None, "t", "a real number"),
    (lambda x: v.real("t", x), "1", "t", "a real number"),
    (lambda x: v.values("t", x, allow_inf=True), [0.0, float("nan")], "t", "not NaN"),
    (lambda x: v.choice("family", x, ("random", "circle")), "square", "family", "one of"),
    (lambda x: v.int_pair("n_range", x, 2), (3, 2), "n_range", "2 <= lo <= hi"),
    (lambda x: v.int_list("widths", x, min_len=2), (8,), "widths", "len(widths) >= 2"),
    (lambda x: v.int_list("widths", x, even=True), (8, 7), "widths", "even"),
    (lambda x: v.biases("Bs", x), (1.0, -1.0), "Bs", "0 <= B"),
    (v.bias, 1e7, "B", "B <= 1e+06"),
    (lambda x: v.array("P", x, ndim=2, shape=(3, 3)), np.ones(3), "P.ndim", "2-D"),
    (lambda x: v.array("P", x, ndim=2, shape=(3, 3)), np.ones((3, 2)), "P.shape", "shape[1] = 3"),
    (lambda x: v.work("m", x, x * 1e3), 10**12, "m", "estimated work"),
    (lambda x: v.memory("n", x, 8.0 * x * x), 10**6, "n", "estimated memory"),
])
def test_issue11_vocabulary_refuses(check, bad, name, condition):
    with pytest.raises(ValueError) as info:
        check(bad)
    msg = str(info.value)
    assert msg.startswith(f"{name}=") and condition in msg, msg


def test_issue11_vocabulary_accepts():
    assert v.boolean("symmetric", np.bool_(True)) is True and v.boolean("s", False) is False
    assert v.seed("seed", np.int64(7)) == 7 and v.dps(50) == 50 and v.nonneg_int("k", 0) == 0
    assert v.choice("family", "circle", ("random", "circle")) == "circle"
    assert v.int_pair("n_range", (2, 16), 2) == (2, 16) and v.int_list("w", (8, 16), even=True) == [8, 16]
    assert np.array_equal(v.biases("Bs", (0.0, 2.0)), [0.0, 2.0])
    assert np.array_equal(v.values("t", [np.inf, 1.0], allow_inf=True), [np.inf, 1.0])
    assert v.work("m", 10, 1e6) == 1e6 and v.work("m", 10, 1e12, budget=1e13) == 1e12


def test_budgets_context_sets_and_restores():
    with pytest.raises(ValueError, match="budget 1e"):
        v.work("m", 5, 2e11)
    with v.budgets(work=1e12, memory=2**40):
        assert v.work("m", 5, 2e11) == 2e11 and v.memory("n", 5, 2.0**39) == 2.0**39
    with pytest.raises(ValueError):
        v.work("m", 5, 2e11)
    with pytest.raises(ValueError, match="work="):
        with v.budgets(work=-1):
            pass


def test_seeding_check_seed_is_validate_seed():
    from montecarlo.sim import seeding
    assert seeding.SEED_LIMIT == v.SEED_LIMIT
    for bad in (None, -1, 1.5, float("nan"), True, "1", 2**63):
        with pytest.raises(ValueError, match="seed="):
            seeding.check_seed(bad)
