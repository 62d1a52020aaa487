"""Monte Carlo for the number of activated neurons (Lemma 3.6 = Lemmas A.18, A.19).

FORMULAS.md section 3.
(a) :func:`counts_at_init` samples |S_on(i, 0)| at one input: only g_r = <w_r, x_i> ~ N(0, 1)
    matters, one normal per neuron (the second half copies the first under symmetric init).
(b) :func:`init_draws` samples whole networks (real W, a from :mod:`montecarlo.sim.network`) on a
    data set, in chunks of stacked networks, and returns the per-input counts and
    ||Z(0)||_F^2 taken from the network's Jacobian (never from the counts).
(c) :func:`training_counts` follows a real gradient-descent run (:func:`montecarlo.sim.trainer.train`)
    and checks, step by step, the deterministic inclusion of Lemma A.19:
    S_on(i, t) within S_on(i, 0) united with S_i(R_real(t)), where S_i is the flip set of
    FORMULAS.md section 1 (-2R <= <w_r(0), x_i> - B < 2R) at the realized movement
    R_real(t) = max_{s <= t} max(max_r ||w_r(s) - w_r(0)||, max_r |b_r(s) - b_r(0)|).
(d) :func:`training_bound_run` tests the probabilistic bound with R fixed in advance; the run
    reports whether its hypothesis (movement <= R <= 1/B) held.
The active fraction along training (the analogue of the paper's Figure 1) is a report
experiment: :mod:`reports.figures.activated_neurons`.
All randomness comes from a seed; work is vectorized over neurons, inputs and draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from bounds import validate as v
from bounds import activated_neurons as an

from ..sim import network as nw
from ..sim import seeding
from ..sim.trainer import Trajectory, train

__all__ = [
    "counts_at_init", "InitDraws", "init_draws", "step_size", "flip_membership", "TrainingCounts",
    "training_counts", "BoundRun", "training_bound_run"
]

CHUNK = 1 << 15  # normals per block in the 1-D sampler (times 8)
JAC_BUDGET = 1 << 21  # floats of the stacked Jacobian per chunk in init_draws
R_SLACK = 1e-9  # relative round-off allowance on the realized movement


def _m(m, symmetric: bool) -> int:
    return v.even_int("m", m) if symmetric else v.positive_int("m", m)


# ------------------------------------------------------------------ (a) one input
def counts_at_init(m: int, B: float, draws: int, seed, symmetric: bool = False) -> np.ndarray:
    """|S_on(i, 0)| = #{r : <w_r, x_i> >= B} for ``draws`` independent initializations at one
    unit input (any x_i: <w_r, x_i> ~ N(0, 1)). Symmetric init: twice the first half's count."""
    m, draws = v.positive_int("m", m), v.positive_int("draws", draws)
    v.work("m" if m >= draws else "draws", max(m, draws), float(m) * draws * 8)
    symmetric = v.boolean("symmetric", symmetric)
    m = _m(m, symmetric)
    B = v.bias(B)
    draws = v.positive_int("draws", draws)
    rng = seeding.rng(seed)
    width = m // 2 if symmetric else m
    out = np.empty(draws, dtype=np.int64)
    per = max(1, CHUNK * 8 // width)
    for s in range(0, draws, per):
        k = min(per, draws - s)
        out[s:s + k] = np.count_nonzero(rng.standard_normal((k, width)) >= B, axis=1)
    return 2 * out if symmetric else out


# ------------------------------------------------------------------ (b) whole networks
@dataclass(frozen=True)
class InitDraws:
    """Per draw: counts[k, i] = |S_on(i, 0)| and frobenius_sq[k] = ||Z(0)||_F^2."""

    counts: np.ndarray
    frobenius_sq: np.ndarray
    m: int
    B: float
    symmetric: bool


def _stacked(k: int, m: int, d: int, B: float, rng, symmetric: bool) -> nw.Network:
    """k independent width-m initializations stacked into one network of k m neurons
    (block j = rows j m .. (j+1) m - 1); each block has the law of ``nw.initialize``."""
    width = m // 2 if symmetric else m
    base = nw.init_standard(k * width, d, B, rng)
    W = base.W.reshape(k, width, d)
    a = base.a.reshape(k, width)
    if symmetric:  # Definition 3.7, block by block: w_{r + m/2} = w_r, a_{r + m/2} = -a_r
        W = np.concatenate([W, W], axis=1)
        a = np.concatenate([a, -a], axis=1)
    return nw.Network(W.reshape(k * m, d), np.full(k * m, B), a.reshape(k * m))


def init_draws(X, m: int, B: float, draws: int, seed, symmetric: bool = False) -> InitDraws:
    """Counts at every input and ||Z(0)||_F^2 for ``draws`` independent initializations.

    Z is :func:`montecarlo.sim.network.jacobian` of the stacked network (scale (k m)^{-1/2});
    each draw's ||Z||_F^2 sums its own rows and multiplies by k to restore m^{-1/2}.
    """
    m, draws = v.positive_int("m", m), v.positive_int("draws", draws)
    v.work("m" if m >= draws else "draws", max(m, draws), float(m) * draws * 8)
    symmetric = v.boolean("symmetric", symmetric)
    X = v.unit_rows("X", X)
    m = _m(m, symmetric)
    B = v.bias(B)
    draws = v.positive_int("draws", draws)
    n, d = X.shape
    rng = seeding.rng(seed)
    per = max(1, JAC_BUDGET // (m * (d + 1) * n))
    counts = np.empty((draws, n), dtype=np.int64)
    frob = np.empty(draws)
    for s in range(0, draws, per):
        k = min(per, draws - s)
        net = _stacked(k, m, d, B, rng, symmetric)
        act = nw.activation(X, net)  # (n, k m)
        counts[s:s + k] = act.reshape(n, k, m).sum(axis=2).T
        Z = nw.jacobian(X, net)  # (k m (d + 1), n)
        zw = (Z[: k * m * d] ** 2).reshape(k, m * d * n).sum(axis=1)
        zb = (Z[k * m * d:] ** 2).reshape(k, m * n).sum(axis=1)
        frob[s:s + k] = k * (zw + zb)
    return InitDraws(counts, frob, m, B, symmetric)


# ------------------------------------------------------------------ (c) training runs
def step_size(X, y, net: nw.Network, eta_frac: float, R: float | None = None,
              steps: int | None = None) -> float:
    """eta = eta_frac / lambda_max(H(0)) (H(0) the empirical NTK; eta_frac when no neuron is
    active at any input, since then nothing moves whatever eta is).

    With a radius R and a step budget: eta = eta_frac * min(1 / lambda_max(H(0)),
    R sqrt(m) / (steps sqrt(n) ||f(0) - y||)). Each step moves a neuron by at most
    eta m^{-1/2} sum_i |f_i - y_i| <= eta sqrt(n / m) ||f - y||, so with eta_frac <= 1 the run
    stays within R as long as the residual does not grow; larger eta_frac may leave it
    (the hypothesis is checked on the trajectory, not assumed)."""
    y = v.labels("y", y)
    if steps is not None:
        steps = v.positive_int("steps", steps)
    X = v.unit_rows("X", X)
    eta_frac = v.positive("eta_frac", eta_frac)
    lam = float(np.linalg.eigvalsh(nw.empirical_ntk(X, net))[-1])
    base = 1.0 / lam if lam > 0 else 1.0
    if R is None:
        return eta_frac * base
    R = v.positive("R", R)
    if steps is None:
        v.fail("steps", steps, f"a positive integer when a radius is given (R={R:g})")
    steps = v.positive_int("steps", steps)
    res0 = float(np.linalg.norm(nw.forward(X, net) - v.labels("y", y, X.shape[0])))
    if res0 > 0:
        base = min(base, R * math.sqrt(net.m) / (steps * math.sqrt(X.shape[0]) * res0))
    return eta_frac * base


def flip_membership(g0: np.ndarray, B: float, R, factor: float = 2.0) -> np.ndarray:
    """r in S_i(R)  <=>  -2R <= <w_r(0), x_i> - B < 2R (FORMULAS.md section 1), given
    g0[..., i, r] = <w_r(0), x_i>; R broadcasts against the leading axes. ``factor``
    replaces the 2 (only for the mutant that forgets the bias moves too)."""
    B = v.bias(B)
    factor = v.positive("factor", factor)
    R = v.values("R", R)
    if np.any(R < 0):
        v.fail("R", R, "R >= 0")
    g0 = v.values("g0", g0)
    u = g0 - B
    return (u >= -factor * R) & (u < factor * R)


@dataclass
class TrainingCounts:
    """Counts along one training run and the checks of Lemma A.19's inclusion.

    counts[t, i] = |S_on(i, t)| (the trainer's record); movement[t] = running max over s <= t
    of max(max_r ||w_r(s) - w_r(0)||, max_r |b_r(s) - B|); flip_sizes[t, i] = |S_i(movement[t])|;
    gap[t, i] = counts[t, i] - counts[0, i] - flip_sizes[t, i] (<= 0 by the lemma);
    outside = #{(t, i, r) : 1_{r,i}(t) != 1_{r,i}(0), r not in S_i(movement[t])} (0 by the
    lemma); changed[i] = #{r : the activation on x_i changed at some step}.

    Margins (informative where the counts above are 0 against 0):
    flip_margin = max over changed (t, i, r) of |<w_r(0), x_i> - B| / movement[t] (<= 2 by the
    lemma, 0 when nothing changed); allowance_used = max over t >= 1 and i of
    (counts[t, i] - counts[0, i]) / max(flip_sizes[t, i], 1/2) (<= 1 by the lemma: for integer
    counts it is the inclusion gap <= 0, and 1 means the whole flip set switched on).
    """

    m: int
    B: float
    symmetric: bool
    eta: float
    counts: np.ndarray
    movement: np.ndarray
    flip_sizes: np.ndarray
    gap: np.ndarray
    outside: int
    changed: np.ndarray
    flip_margin: float
    allowance_used: float
    pattern_counts: np.ndarray  # activation patterns recorded by the callback, summed over r
    trajectory: Trajectory = field(repr=False)

    @property
    def max_gap(self) -> int:
        return int(self.gap.max())

    @property
    def max_fraction(self) -> float:
        return float(self.counts.max()) / self.m


def training_counts(X, y, m: int, B: float, eta_frac: float, steps: int, seed,
                    symmetric: bool = False, R: float | None = None,
                    factor: float = 2.0) -> TrainingCounts:
    """Train from a fresh initialization with the step size of :func:`step_size` (R given:
    scaled to stay within R) and check S_on(i, t) within S_on(i, 0) united with
    S_i(R_real(t)) at every step (``factor`` as in :func:`flip_membership`)."""
    steps, m = v.positive_int("steps", steps), v.positive_int("m", m)
    v.work("steps" if steps >= m else "m", max(steps, m), float(steps) * m * 64 * 17)
    symmetric = v.boolean("symmetric", symmetric)
    X = v.unit_rows("X", X)
    m = _m(m, symmetric)
    B = v.bias(B)
    steps = v.positive_int("steps", steps)
    net0 = nw.initialize(m, X.shape[1], B, seed, symmetric)
    eta = step_size(X, y, net0, eta_frac, R, steps)
    pats: list[np.ndarray] = []
    traj = train(X, y, net0, eta, steps, callback=lambda t, net, res: pats.append(nw.activation(X, net)))
    if traj.stopped == "diverged":
        v.fail("eta_frac", eta_frac, f"a step size for which training does not diverge (eta = {eta:.4g})")
    act = np.stack(pats)  # (T + 1, n, m)
    move = np.maximum.accumulate(np.maximum(traj.max_w_move, traj.max_b_move))
    R_eff = move * (1 + R_SLACK) + 1e-12  # round-off allowance only
    g0 = X @ net0.W.T  # (n, m)
    inS = flip_membership(g0[None], B, R_eff[:, None, None], factor)  # (T + 1, n, m)
    changed_t = act != act[0]
    counts = traj.active.astype(np.int64)
    flip_sizes = inS.sum(axis=2)
    gap = counts - counts[0] - flip_sizes
    reach = np.abs(g0 - B)[None] / R_eff[:, None, None]  # (T + 1, n, m)
    margin = float(reach[changed_t].max()) if changed_t.any() else 0.0
    used = (counts - counts[0])[1:] / np.maximum(flip_sizes[1:], 0.5)
    allowance = float(used.max()) if used.size else 0.0
    return TrainingCounts(
        m=m, B=B, symmetric=symmetric, eta=eta, counts=counts, movement=move,
        flip_sizes=flip_sizes, gap=gap, outside=int(np.count_nonzero(changed_t & ~inS)),
        changed=changed_t.any(axis=0).sum(axis=1), flip_margin=margin, allowance_used=allowance,
        pattern_counts=act.sum(axis=2),
        trajectory=traj,
    )


@dataclass(frozen=True)
class BoundRun:
    """Lemma A.19 with R fixed in advance, on one run. ``applicable`` is the hypothesis
    (movement <= R, R <= 1/B checked on entry); ``exceeded`` = max_{i,t} |S_on(i,t)| > bound."""

    R: float
    movement: float
    applicable: bool
    max_count: int
    bound: float
    exceeded: bool
    failure_probability: float
    run: TrainingCounts

    @property
    def failed(self) -> bool:
        """The event whose probability the lemma bounds: hypothesis held and bound exceeded."""
        return self.applicable and self.exceeded


def training_bound_run(X, y, m: int, B: float, R: float, eta_frac: float, steps: int, seed,
                       symmetric: bool = False, bound=None) -> BoundRun:
    """One run against (1 + 2 c R) m e^{-B^2/2} (or ``bound(m, B, R)``, for mutants), with
    the step size scaled to R (:func:`step_size`)."""
    if bound is not None and not callable(bound):
        v.fail("bound", bound, "a function bound(m, B, R) or None")
    steps, m = v.positive_int("steps", steps), v.positive_int("m", m)
    v.work("steps" if steps >= m else "m", max(steps, m), float(steps) * m * 64 * 17)
    symmetric = v.boolean("symmetric", symmetric)
    B = v.bias(B)
    R = v.radius(B, R)
    run = training_counts(X, y, m, B, eta_frac, steps, seed, symmetric, R=R)
    n = run.counts.shape[1]
    bd = float(an.training_bound(run.m, B, R) if bound is None else bound(run.m, B, R))
    top = int(run.counts.max())
    move = float(run.movement[-1])
    return BoundRun(R, move, move <= R, top, bd, top > bd,
                    an.training_failure_probability(n, run.m, B, R, symmetric), run)
