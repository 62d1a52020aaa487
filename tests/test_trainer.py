"""Full-batch gradient descent on (W, b) with a fixed (FORMULAS.md section 0, section 5 for
Lemma A.7).

- gradients against a central finite difference of L = 1/2 ||f - y||^2 (L is piecewise
  quadratic in theta, so the difference is exact up to round-off as long as no neuron crosses
  its kink: we require every |<w_r, x_i> - b_r| > 1e-6 and step 1e-7);
- a tiny problem (n=3, d=2, m=6) against a plain-Python re-implementation of the loop;
- monotone loss for eta = 0.5 / lambda_max(H(0)) on a few seeded problems (within one
  activation region the loss is quadratic with Hessian Z Z^T, whose top eigenvalue is
  lambda_max(H); the factor 0.5 leaves room for H(t) drifting from H(0): an empirical
  property of these runs, not a theorem for the ReLU network);
- Lemma A.7 (grad_ratio <= 1), symmetric init (residual[0] = ||y||), tol, progress, callback.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from montecarlo.sim import network as nw
from montecarlo.sim.data import make_data, make_labels
from montecarlo.sim.trainer import Trajectory, gradients, train


def _loss(X, y, W, b, a) -> float:
    return 0.5 * float(np.sum((nw.forward(X, nw.Network(W, b, a)) - y) ** 2))


def _generic(m, d, B, seed, jitter=0.3):
    net = nw.init_standard(m, d, B, seed)
    rng = np.random.default_rng(seed + 1)
    net.W += jitter * rng.standard_normal(net.W.shape)
    net.b += jitter * rng.standard_normal(m)
    return net


# ---------------------------------------------------------------- gradients

@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 10), n=st.integers(1, 6), d=st.integers(1, 4),
       B=st.floats(0.0, 1.5))
@settings(max_examples=25)
def test_gradients_match_central_finite_difference(seed, m, n, d, B):
    net = _generic(m, d, B, seed)
    X = make_data("random", n, d, seed)
    y = make_labels("random", n, seed)
    pre = X @ net.W.T - net.b
    assume(np.abs(pre).min() > 1e-6)  # no neuron within 1e-6 of its kink
    h = 1e-7  # moves any pre-activation by at most h < 1e-6
    gW, gb, f, act = gradients(X, y, net)
    np.testing.assert_allclose(f, nw.forward(X, net), rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(act, nw.activation(X, net))
    fdW = np.zeros_like(net.W)
    for r in range(m):
        for k in range(d):
            E = np.zeros_like(net.W)
            E[r, k] = h
            fdW[r, k] = (_loss(X, y, net.W + E, net.b, net.a) - _loss(X, y, net.W - E, net.b, net.a)) / (2 * h)
    fdb = np.zeros(m)
    for r in range(m):
        e = np.zeros(m)
        e[r] = h
        fdb[r] = (_loss(X, y, net.W, net.b + e, net.a) - _loss(X, y, net.W, net.b - e, net.a)) / (2 * h)
    np.testing.assert_allclose(gW, fdW, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(gb, fdb, rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------- independent re-implementation

def _plain_run(X, y, W, b, a, eta, steps):
    """Gradient descent written with Python loops over neurons, inputs and coordinates."""
    n, d = len(X), len(X[0])
    m = len(W)
    W = [list(map(float, row)) for row in W]
    b = [float(v) for v in b]
    W0 = [row[:] for row in W]
    b0 = b[:]
    rec = {k: [] for k in ("residual", "active", "wm", "bm", "dist", "gw", "gb", "ratio")}
    for t in range(steps + 1):
        pre = [[sum(W[r][k] * X[i][k] for k in range(d)) - b[r] for r in range(m)] for i in range(n)]
        on = [[pre[i][r] >= 0 for r in range(m)] for i in range(n)]
        f = [sum(a[r] * max(pre[i][r], 0.0) for r in range(m)) / math.sqrt(m) for i in range(n)]
        res = [f[i] - y[i] for i in range(n)]
        gW = [[sum(res[i] * a[r] * X[i][k] for i in range(n) if on[i][r]) / math.sqrt(m) for k in range(d)]
              for r in range(m)]
        gb = [-sum(res[i] * a[r] for i in range(n) if on[i][r]) / math.sqrt(m) for r in range(m)]
        bound = [sum(abs(res[i]) for i in range(n) if on[i][r]) / math.sqrt(m) for r in range(m)]
        gwn = [math.sqrt(sum(g * g for g in gW[r])) for r in range(m)]
        rec["residual"].append(math.sqrt(sum(v * v for v in res)))
        rec["active"].append([sum(on[i]) for i in range(n)])
        rec["wm"].append(max(math.dist(W[r], W0[r]) for r in range(m)))
        rec["bm"].append(max(abs(b[r] - b0[r]) for r in range(m)))
        rec["dist"].append(math.sqrt(sum(math.dist(W[r], W0[r]) ** 2 + (b[r] - b0[r]) ** 2 for r in range(m))))
        rec["gw"].append(max(gwn))
        rec["gb"].append(max(abs(g) for g in gb))
        rec["ratio"].append(max((max(gwn[r], abs(gb[r])) / bound[r] if bound[r] > 0 else 0.0) for r in range(m)))
        if t == steps:
            break
        for r in range(m):
            for k in range(d):
                W[r][k] -= eta * gW[r][k]
            b[r] -= eta * gb[r]
    return {k: np.array(v) for k, v in rec.items()}, np.array(W), np.array(b)


@pytest.mark.parametrize("symmetric, B, seed", [(False, 0.3, 1), (True, 0.3, 2), (False, 0.0, 3)])
def test_tiny_trajectory_matches_plain_loop(symmetric, B, seed):
    n, d, m, steps, eta = 3, 2, 6, 60, 0.7
    X = make_data("random", n, d, seed)
    y = make_labels("random", n, seed)
    net0 = nw.initialize(m, d, B, seed, symmetric=symmetric)
    traj = train(X, y, net0, eta=eta, steps=steps)
    ref, W, b = _plain_run(X.tolist(), y.tolist(), net0.W, net0.b, net0.a.tolist(), eta, steps)
    assert traj.steps == steps and traj.stopped == "budget"
    np.testing.assert_allclose(traj.residual, ref["residual"], rtol=1e-10, atol=1e-13)
    np.testing.assert_array_equal(traj.active, ref["active"])
    np.testing.assert_allclose(traj.max_w_move, ref["wm"], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(traj.max_b_move, ref["bm"], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(traj.distance, ref["dist"], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(traj.max_grad_w, ref["gw"], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(traj.max_grad_b, ref["gb"], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(traj.grad_ratio, ref["ratio"], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(traj.net.W, W, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(traj.net.b, b, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(traj.w_move, np.linalg.norm(W - net0.W, axis=1), rtol=1e-10, atol=1e-13)
    assert traj.residual[-1] < traj.residual[0]  # the run actually trains


# ---------------------------------------------------------------- monotone loss, Lemma A.7

RUNS = [("random", 10, 5, 200, 0.0, False, 11), ("random", 12, 4, 300, 1.0, False, 12),
        ("random", 8, 3, 400, 0.5, True, 13), ("orthonormal", 6, 6, 200, 1.5, True, 14)]
# Nearly parallel points with opposite labels: the loss plateaus near 2.75 and rises by up to
# ~1e-4 (relative) at 22 of 300 steps, each time while some 1_{r,i} flips (L is not smooth there).
KINKY = [("clusters", 12, 4, 300, 1.0, False, 12)]


def _run(family, n, d, m, B, symmetric, seed, steps=300):
    X = make_data(family, n, d, seed)
    y = make_labels("signs", n, seed)
    net0 = nw.initialize(m, d, B, seed, symmetric=symmetric)
    lam_max = float(np.linalg.eigvalsh(nw.empirical_ntk(X, net0))[-1])
    eta = 0.5 / lam_max
    states = []
    traj = train(X, y, net0, eta=eta, steps=steps,
                 callback=lambda t, net, res: states.append((nw.activation(X, net), net.copy())))
    return X, y, lam_max, eta, traj, states


@pytest.mark.parametrize("family, n, d, m, B, symmetric, seed", RUNS)
def test_loss_decreases_below_inverse_lambda_max(family, n, d, m, B, symmetric, seed):
    """eta = 0.5 / lambda_max(H(0)): monotone loss on these seeded problems."""
    X, y, lam_max, eta, traj, _ = _run(family, n, d, m, B, symmetric, seed)
    r = traj.residual
    assert np.all(r[1:] <= r[:-1] * (1 + 1e-12) + 1e-15), f"increase at step {int(np.argmax(r[1:] - r[:-1]))}"
    assert r[-1] < 0.9 * r[0]  # and it makes progress
    # Lemma A.7 at every step: per neuron, and the sqrt(n/m) ||f - y|| form
    assert np.all(traj.grad_ratio <= 1 + 1e-12)
    assert np.all(traj.max_grad_w <= math.sqrt(n / m) * r * (1 + 1e-12) + 1e-300)
    assert np.all(traj.max_grad_b <= math.sqrt(n / m) * r * (1 + 1e-12) + 1e-300)
    assert np.all(traj.max_grad_w <= traj.grad_bound * (1 + 1e-12) + 1e-300)


@pytest.mark.parametrize("family, n, d, m, B, symmetric, seed", RUNS + KINKY)
def test_loss_increases_only_where_the_activation_pattern_changes(family, n, d, m, B, symmetric, seed):
    """The theorem behind the monotone runs: inside one activation region (a convex polyhedron
    in theta) L is quadratic with Hessian Z Z^T, so eta * lambda_max(H(t)) <= 2 and an unchanged
    pattern imply L(t+1) <= L(t). KINKY shows the loss can rise when the pattern changes."""
    X, y, lam_max, eta, traj, states = _run(family, n, d, m, B, symmetric, seed)
    r = traj.residual
    rises = np.flatnonzero(r[1:] > r[:-1] * (1 + 1e-12) + 1e-15)
    for t in rises:
        assert eta * np.linalg.eigvalsh(nw.empirical_ntk(X, states[t][1]))[-1] <= 2
        assert np.any(states[t][0] != states[t + 1][0]), f"loss rose at step {t} inside one region"
    if (family, n, d, m, B, symmetric, seed) in KINKY:
        assert rises.size > 0  # the monotone claim needs its smoothness: here it fails
    assert np.all(traj.grad_ratio <= 1 + 1e-12)


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 8), d=st.integers(1, 5),
       m=st.integers(1, 60).map(lambda k: 2 * k), B=st.floats(0.0, 2.0), eta=st.floats(0.01, 2.0),
       symmetric=st.booleans())
@settings(max_examples=25)
def test_grad_ratio_lemma_A7_every_step(seed, n, d, m, B, eta, symmetric):
    X = make_data("random", n, d, seed)
    y = make_labels("random", n, seed)
    traj = train(X, y, nw.initialize(m, d, B, seed, symmetric=symmetric), eta=eta, steps=30)
    ok = np.isfinite(traj.residual)
    assert np.all(traj.grad_ratio[ok] <= 1 + 1e-12)
    assert np.all(traj.grad_ratio[ok] >= 0)


# ---------------------------------------------------------------- symmetric init, tol, progress

@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 10), d=st.integers(1, 6),
       m=st.integers(1, 300).map(lambda k: 2 * k), B=st.floats(0.0, 3.0))
@settings(max_examples=20)
def test_symmetric_init_residual_is_norm_y(seed, n, d, m, B):
    X = make_data("random", n, d, seed)
    y = make_labels("random", n, seed)
    traj = train(X, y, nw.init_symmetric(m, d, B, seed), eta=0.1, steps=1)
    assert traj.residual[0] == np.linalg.norm(y)
    assert traj.distance[0] == 0.0 and traj.max_w_move[0] == 0.0 and traj.max_b_move[0] == 0.0


def test_early_stop_at_tol_and_budget():
    X = make_data("random", 5, 3, 21)
    y = make_labels("random", 5, 21)
    net0 = nw.init_standard(100, 3, 0.5, 21)
    full = train(X, y, net0, eta=1.0, steps=200)
    assert full.stopped == "budget" and full.steps == 200 and len(full.residual) == 201
    tol = float(full.residual[40]) * (1 + 1e-9)
    early = train(X, y, net0, eta=1.0, steps=200, tol=tol)
    assert early.stopped == "tolerance"
    assert early.residual[-1] <= tol < early.residual[-2]
    assert early.steps <= 40
    np.testing.assert_allclose(early.residual, full.residual[: early.steps + 1], rtol=1e-13)
    zero = train(X, y, net0, eta=1.0, steps=0)
    assert zero.steps == 0 and zero.stopped == "budget"
    np.testing.assert_array_equal(zero.net.W, net0.W)


def test_progress_bar_runs(capsys):
    X = make_data("random", 4, 3, 5)
    y = make_labels("signs", 4, 5)
    traj = train(X, y, nw.init_standard(20, 3, 0.5, 5), eta=0.5, steps=15, progress=True)
    assert traj.steps == 15
    err = capsys.readouterr().err
    assert "gradient descent" in err


def test_callback_sees_every_state_and_net0_untouched():
    X = make_data("random", 4, 3, 8)
    y = make_labels("random", 4, 8)
    net0 = nw.init_standard(30, 3, 0.2, 8)
    W0 = net0.W.copy()
    seen = []
    traj = train(X, y, net0, eta=0.5, steps=12,
                 callback=lambda t, net, res: seen.append((t, net.theta().copy(), np.linalg.norm(res))))
    np.testing.assert_array_equal(net0.W, W0)
    assert [s[0] for s in seen] == list(range(13))
    theta0 = net0.theta()
    np.testing.assert_allclose([np.linalg.norm(s[1] - theta0) for s in seen], traj.distance, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal([s[2] for s in seen], traj.residual)
    np.testing.assert_array_equal(seen[-1][1], traj.net.theta())
    assert isinstance(traj, Trajectory) and traj.eta == 0.5


def test_divergence_is_reported():
    X = make_data("random", 4, 3, 9)
    y = make_labels("signs", 4, 9)
    with np.errstate(all="ignore"):
        traj = train(X, y, nw.init_standard(20, 3, 0.0, 9), eta=1e305, steps=50)
    assert traj.stopped == "diverged" and traj.steps < 50
    assert not np.isfinite(traj.residual[-1]) and np.all(np.isfinite(traj.residual[:-1]))


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize(
    "kw, name, condition",
    [
        (dict(eta=0.0), "eta", "eta > 0"),
        (dict(eta=-1.0), "eta", "eta > 0"),
        (dict(eta=float("nan")), "eta", "finite"),
        (dict(steps=-1), "steps", "steps >= 0"),
        (dict(tol=-0.1), "tol", "tol >= 0"),
        (dict(y=np.array([0.1, 0.2])), "len(y)", "= n = 3"),
        (dict(y=np.array([0.1, 0.2, 1.5])), "y", "|y_i| <= 1"),
        (dict(y=np.array([0.1, np.nan, 0.0])), "y", "finite"),
        (dict(X=make_data("random", 3, 4, 0)), "X.shape[1]", "d = 2"),
        (dict(X=np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])), "||X[2]||", "unit-norm"),
    ],
)
def test_validation(kw, name, condition):
    args = dict(X=make_data("random", 3, 2, 0), y=np.zeros(3), net0=nw.init_standard(4, 2, 0.5, 0),
                eta=0.1, steps=3)
    args.update(kw)
    with pytest.raises(ValueError) as info:
        train(**args)
    msg = str(info.value)
    assert msg.startswith(f"{name}=") and "violates the condition" in msg and condition in msg, msg


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("m", [6, 7])
def test_record_levels_give_the_same_run(symmetric, m):
    """Every record level trains the same network; the cheaper levels keep fewer records; the
    buffered step matches :func:`gradients` and keeps f(0) = 0 exactly under symmetric init."""
    from montecarlo.sim.data import make_data, make_labels
    from montecarlo.sim.network import initialize
    from montecarlo.sim.trainer import RECORDS, gradients, train

    if symmetric and m % 2:
        m += 1
    X = make_data("random", 4, 3, 1)
    y = make_labels("random", 4, 2)
    net0 = initialize(m, 3, 0.3, 3, symmetric)
    runs = {lv: train(X, y, net0, 0.2, 5, record=lv) for lv in RECORDS}
    for lv, tr in runs.items():
        np.testing.assert_allclose(tr.residual, runs["full"].residual, rtol=0, atol=0)
        np.testing.assert_array_equal(tr.net.W, runs["full"].net.W)
    assert runs["residual"].active.size == 0 and runs["basic"].grad_ratio.size == 0
    assert runs["basic"].active.shape == runs["full"].active.shape
    gW, gb, f, _ = gradients(X, y, net0)
    one = train(X, y, net0, 0.2, 1, record="residual")
    np.testing.assert_allclose(one.net.W, net0.W - 0.2 * gW, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(one.net.b, net0.b - 0.2 * gb, rtol=1e-14, atol=1e-15)
    if symmetric:
        assert runs["full"].residual[0] == float(np.linalg.norm(y))


def test_record_level_is_validated():
    from montecarlo.sim.data import make_data
    from montecarlo.sim.network import initialize
    from montecarlo.sim.trainer import train

    X = make_data("random", 3, 2, 0)
    with pytest.raises(ValueError, match="record"):
        train(X, np.zeros(3), initialize(4, 2, 0.0, 0), 0.1, 1, record="some")
