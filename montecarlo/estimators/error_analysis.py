"""Training-time error analysis along real gradient descent (FORMULAS.md section 7; Claim A.11,
Lemmas A.12-A.16, Lemma A.9, Theorem A.17's step size).

- :func:`draw` builds one problem (data, labels, standard or symmetric initialization, H(0),
  H_inf, lambda) and :func:`run` trains it, keeping (W(t), b(t)) and r(t) = f(t) - y at every
  step (the trainer's callback).
- :func:`decompose` computes, at every step t, the exact decomposition of Claim A.11,
  ||r(t+1)||^2 = ||r(t)||^2 + C1 + C2 + C3 + C4 with C1 = -2 eta r^T H(t) r,
  C2 = 2 eta r^T H^perp(t) r, C3 = 2 r^T v2, C4 = ||f(t+1) - f(t)||^2, where R is the largest
  movement up to t+1, S_i^perp = {r : -2R <= z_{r,i}(0) < 2R} (section 1's exact flip set: a
  neuron outside it keeps its activation on x_i at every s <= t+1),
  H^perp_ij = (1/m) sum_{r in S_i^perp} (<x_i,x_j> + 1) 1_{r,i}(t) 1_{r,j}(t) and
  v2_i = m^{-1/2} sum_{r in S_i^perp} a_r [relu(z_{r,i}(t+1)) - relu(z_{r,i}(t))]; beside it the
  sizes the bounds need (max_i |S_i^perp|, max_i |U_i| with U_i = S_on(i,t) u S_on(i,t+1),
  max_i |S_on(i,0)|) and lambda_min(H(t)).
- :func:`adversary` moves every neuron of the flip sets of a radius R to a corner of its box
  (w~ +- R e, B -/+ R, e the normalized mean input or an input) and takes one gradient step from
  there: the one-step decomposition at the chosen corner pattern that maximizes a link's ratio.
- :func:`flow_check` (Lemma A.9): per-neuron movement of small-step GD against
  2 sqrt(n) ||r(0)|| / (sqrt(m) lambda) while the flow's rate e^{-lambda s} holds (s = eta t).
- :func:`log_lambda_min_h_inf` computes log lambda_min(H_inf) where H_inf underflows (B up to
  40): H_inf / (2 Q(B)) has unit diagonal and entries computed from log p(rho, B).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from bounds import error_analysis as eab
from bounds import validate as v
from bounds.flip_probability import C_PAPER
from bounds.ntk import h_inf, log_pair_probability, logQ

from ..sim.data import FAMILIES, LABELS, problem
from ..sim.network import Network, empirical_ntk, init_standard, init_symmetric
from ..sim.seeding import check_seed, spawn
from ..sim.trainer import train
from .rademacher_radius import Problem

__all__ = [
    "draw", "ErrorRun", "run", "Decomposition", "decompose", "link_ratios", "adversary", "flow_check",
    "log_lambda_min_h_inf"
]

LINKS = ("A12", "A14_link", "A14_event", "A15_link", "A15_event", "A16_link", "A16_event", "A16_dense", "step")
"""The links whose ratios :func:`link_ratios` reports (measured / bound, <= 1 when the link holds)."""


def draw(n: int, d: int, m: int, B: float, family: str = "random", labels: str = "random", seed: int = 0,
         symmetric: bool = True, eta_frac: float = 0.5) -> Problem:
    """One draw: (X, y) of :func:`montecarlo.sim.data.problem`, the initialization (symmetric or
    standard) from ``spawn(seed, "weights")``, H(0), eta = eta_frac / lambda_max(H(0)), H_inf and
    lambda = lambda_min(H_inf)."""
    v.choice("labels", labels, LABELS)
    v.choice("family", family, FAMILIES)
    n, d, m, B = v.positive_int("n", n), v.positive_int("d", d), v.even_int("m", m), v.bias(B)
    symmetric = v.boolean("symmetric", symmetric)
    eta_frac = v.positive("eta_frac", eta_frac)
    if eta_frac > 2:
        v.fail("eta_frac", eta_frac, "0 < eta_frac <= 2")
    seed = check_seed(seed)
    v.work("m", m, float(m) * n * (n + d) * 4)
    X, y = problem(n, d, family, labels, seed)
    g = spawn(seed, "weights")
    net0 = (init_symmetric if symmetric else init_standard)(m, X.shape[1], B, g)
    H0 = empirical_ntk(X, net0)
    lam_max0 = float(np.linalg.eigvalsh(H0)[-1])
    eta = eta_frac / lam_max0 if lam_max0 > 0 else eta_frac
    Hi = h_inf(X, B)
    return Problem(X, y, net0, B, H0, lam_max0, eta, Hi, float(np.linalg.eigvalsh(Hi)[0]))


@dataclass(frozen=True)
class ErrorRun:
    """One gradient-descent run: ``W[t]``, ``b[t]`` the parameters and ``residual[t]`` = f(t) - y
    at step t (t = 0 the initialization), ``eta`` the step."""

    problem: Problem = field(repr=False)
    eta: float
    W: np.ndarray = field(repr=False)
    b: np.ndarray = field(repr=False)
    residual: np.ndarray = field(repr=False)
    stopped: str

    @property
    def steps(self) -> int:
        return len(self.residual) - 1


def run(P: Problem, steps: int, eta: float | None = None) -> ErrorRun:
    """Gradient descent from ``P.net0`` (step ``eta``, default ``P.eta``) with (W, b, r) kept at
    every step."""
    if not isinstance(P, Problem):
        v.fail("P", P, "a Problem (montecarlo.estimators.error_analysis.draw(...))")
    steps = v.nonneg_int("steps", steps)
    eta = P.eta if eta is None else v.positive("eta", eta)
    v.memory("steps", steps, 8.0 * (steps + 1) * P.m * (P.X.shape[1] + 1))
    Ws, bs, rs = [], [], []

    def cb(t, net, r):
        Ws.append(net.W.copy())
        bs.append(net.b.copy())
        rs.append(r.copy())

    tr = train(P.X, P.y, P.net0, eta, steps, callback=cb, record="residual")
    return ErrorRun(P, eta, np.array(Ws), np.array(bs), np.array(rs), tr.stopped)


@dataclass(frozen=True)
class Decomposition:
    """Per-step arrays (length T = steps, index t = the step t -> t+1) of Claim A.11's terms and
    the sizes their bounds use. ``norm2[t]`` = ||r(t)||^2 (length T + 1); ``deviation[t]`` =
    |lhs - rhs| / (||r(t)||^2 + |C1| + |C2| + |C3| + C4); ``covered[t]``: every activation change
    between t and t+1 lies in S^perp (what makes the identity exact); ``R[t]`` the largest movement
    up to t+1; ``max_flip`` = max_i |S_i^perp|, ``max_update`` = max_i |U_i|, ``max_on0`` =
    max_i |S_on(i, 0)|; ``lam_min[t]`` = lambda_min(H(t))."""

    eta: float
    n: int
    m: int
    B: float
    lam: float
    norm2: np.ndarray
    C1: np.ndarray
    C2: np.ndarray
    C3: np.ndarray
    C4: np.ndarray
    deviation: np.ndarray
    covered: np.ndarray
    R: np.ndarray
    max_flip: np.ndarray
    max_update: np.ndarray
    max_on0: int
    lam_min: np.ndarray

    @property
    def steps(self) -> int:
        return len(self.C1)


def _step(X, a, Z0, Zt, Zt1, rt, rt1, eta, R, K):
    """The terms of Claim A.11 for one step (pre-activations Z (n, m) at 0, t, t+1)."""
    m = len(a)
    S = (Z0 >= -2 * R) & (Z0 < 2 * R)  # flip sets S_i^perp
    At, At1 = Zt >= 0, Zt1 >= 0
    Af = At.astype(float)
    H = K * (Af @ Af.T) / m
    Hp = K * ((Af * S) @ Af.T) / m
    dv = (np.maximum(Zt1, 0.0) - np.maximum(Zt, 0.0)) * S
    v2 = (dv @ a) / math.sqrt(m)
    C1 = -2 * eta * float(rt @ H @ rt)
    C2 = 2 * eta * float(rt @ Hp @ rt)
    C3 = 2 * float(rt @ v2)
    df = rt1 - rt
    C4 = float(df @ df)
    n2, n21 = float(rt @ rt), float(rt1 @ rt1)
    scale = n2 + abs(C1) + abs(C2) + abs(C3) + C4
    dev = abs(n21 - (n2 + C1 + C2 + C3 + C4)) / scale if scale > 0 else 0.0
    covered = bool(np.all(S | (At == At1)))
    U = (At | At1).sum(axis=1)
    return C1, C2, C3, C4, dev, covered, int(S.sum(axis=1).max()), int(U.max()), float(np.linalg.eigvalsh(H)[0])


def decompose(rec: ErrorRun) -> Decomposition:
    """Claim A.11 at every step of the run (see the module docstring)."""
    if not isinstance(rec, ErrorRun):
        v.fail("rec", rec, "an ErrorRun (montecarlo.estimators.error_analysis.run(...))")
    P = rec.problem
    X, a = P.X, P.net0.a
    K = X @ X.T + 1.0
    Z = np.einsum("id,tmd->tim", X, rec.W) - rec.b[:, None, :]  # (T+1, n, m)
    move = np.maximum(np.linalg.norm(rec.W - rec.W[0], axis=2).max(axis=1), np.abs(rec.b - rec.b[0]).max(axis=1))
    run_max = np.maximum.accumulate(move)
    rows = [_step(X, a, Z[0], Z[t], Z[t + 1], rec.residual[t], rec.residual[t + 1], rec.eta, run_max[t + 1], K)
            for t in range(rec.steps)]
    cols = list(zip(*rows)) if rows else [()] * 9
    arr = [np.array(c, dtype=float) for c in cols]
    return Decomposition(rec.eta, P.n, P.m, P.B, P.lam,
                         np.einsum("ti,ti->t", rec.residual, rec.residual), arr[0], arr[1], arr[2], arr[3], arr[4],
                         np.array(cols[5], dtype=bool), run_max[1:], arr[6], arr[7],
                         int((Z[0] >= 0).sum(axis=1).max()), arr[8])


def _ratio(num, den):
    num, den = np.asarray(num, float), np.asarray(den, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.where(num > 0, np.inf, 0.0))


def link_ratios(D: Decomposition, c: float = C_PAPER, c2_factor: float = 8.0, c3_factor: float = 8.0,
                c4_exponent: float = 1.0, floor: float = 1e-20) -> dict:
    """Each link's largest ratio measured / bound over the steps where its hypothesis holds
    (``<link>`` the ratio, ``<link>_steps`` the steps counted). Steps with ||r(t)||^2 <= floor or
    R = 0 (nothing moved) are left out. Events: Corollary A.4.1 (max_i |S_i^perp| < 2 m q), Lemma
    A.18 (max_i |S_on(i,0)| <= m e^{-B^2/2}); kernel: lambda_min(H(t)) >= lambda/2. ``c2_factor``,
    ``c3_factor`` (8 in the sheet) and ``c4_exponent`` (e^{-c4_exponent B^2}) are there for the
    mutants."""
    if not isinstance(D, Decomposition):
        v.fail("D", D, "a Decomposition (decompose(...))")
    c = v.positive("c", c)
    c2_factor, c3_factor = v.positive("c2_factor", c2_factor), v.positive("c3_factor", c3_factor)
    c4_exponent = v.positive("c4_exponent", c4_exponent)
    floor = v.nonneg("floor", floor)
    n, m, B, eta, lam = D.n, D.m, D.B, D.eta, D.lam
    r2 = D.norm2[:-1]
    ok = (r2 > floor) & (D.R > 0)
    q = c * D.R * math.exp(-B * B / 2)
    event = ok & (D.max_flip < 2 * m * q)
    event16 = event & (D.max_on0 <= m * math.exp(-B * B / 2))
    kernel = ok & (D.lam_min >= lam / 2) if lam > 0 else np.zeros_like(ok)
    out = {}

    def put(name, num, den, mask):
        r = _ratio(num, den)[mask]
        out[name] = float(r.max()) if r.size else 0.0
        out[name + "_steps"] = int(mask.sum())

    put("A12", eta * lam * r2, -D.C1, kernel)
    link = 4 * eta * n * D.max_flip / m * r2
    put("A14_link", np.abs(D.C2), link, ok)
    put("A15_link", np.abs(D.C3), link, ok)
    put("A14_event", np.abs(D.C2), c2_factor * eta * n * q * r2, event)
    put("A15_event", np.abs(D.C3), c3_factor * eta * n * q * r2, event)
    put("A16_link", D.C4, 4 * eta ** 2 * n ** 2 * (D.max_update / m) ** 2 * r2, ok)
    # 4 eta^2 n^2 (1+2cR)^2 e^{-B^2} r2 in log space (e^{-B^2} underflows past B ~ 27)
    with np.errstate(divide="ignore"):
        lb = math.log(4 * eta ** 2 * n ** 2) + 2 * np.log1p(2 * c * D.R) - c4_exponent * B * B + np.log(np.maximum(r2, 1e-300))
        lr = np.where(D.C4 > 0, np.log(np.maximum(D.C4, 1e-300)) - lb, -np.inf)
    rr_ = np.exp(np.minimum(lr, 700.0))[event16]
    out["A16_event"] = float(rr_.max()) if rr_.size else 0.0
    out["A16_event_steps"] = int(event16.sum())
    put("A16_dense", D.C4, 4 * eta ** 2 * n ** 2 * r2, ok)
    both = event16 & kernel
    factor = 1 - eta * lam + 2 * 8 * eta * n * q + 4 * eta ** 2 * n ** 2 * (1 + 2 * c * D.R) ** 2 * math.exp(-B * B)
    put("step", D.norm2[1:], np.maximum(factor, 0.0) * r2, both)
    return out


def adversary(P: Problem, R: float, seed, step_frac: float = 0.02, patterns: int = 6,
              c4_exponent: float = 1.0) -> dict:
    """One-step decompositions from adversarial states: every neuron of the flip sets S_i(R)
    moved to a corner of its box (on: w~ + R e, B - R; off: w~ - R e, B + R; e the normalized
    mean input, or the input the neuron is nearest to flipping on), all on, all off and
    ``patterns`` random on/off patterns (stream "error_analysis.adversary"); from each state one
    gradient step and its decomposition, with S^perp at the realized largest movement. The step is
    eta = step_frac R / (2 sqrt(n/m) ||r||), so that no neuron moves more than step_frac R in it
    (Fact A.13): a large step would grow the flip sets and hide the corner's effect. Returns, per link of :func:`link_ratios`, the largest ratio over
    the states (and ``states``, the number of states with a nonzero residual)."""
    if not isinstance(P, Problem):
        v.fail("P", P, "a Problem (montecarlo.estimators.error_analysis.draw(...))")
    R = v.positive("R", R)
    g = spawn(check_seed(seed), "error_analysis.adversary")
    step_frac = v.positive("step_frac", step_frac)
    if step_frac > 1:
        v.fail("step_frac", step_frac, "0 < step_frac <= 1")
    patterns = v.nonneg_int("patterns", patterns)
    X, net0 = P.X, P.net0
    m, n = net0.m, P.n
    Z0 = X @ net0.W.T - net0.b
    S = ((Z0 >= -2 * R) & (Z0 < 2 * R)).any(axis=0)
    mean = X.sum(axis=0)
    e = mean / np.linalg.norm(mean) if np.linalg.norm(mean) > 1e-12 else X[0]
    near = X[np.argmin(np.abs(Z0), axis=0)]  # (m, d): the input each neuron is nearest to flipping on
    dirs = (np.broadcast_to(e, net0.W.shape), near)
    choices = [np.ones(m), -np.ones(m)] + [g.choice([-1.0, 1.0], size=m) for _ in range(patterns)]
    best: dict = {}
    states = 0
    K = X @ X.T + 1.0
    for E in dirs:
        for s in choices:
            s = s * S
            W = net0.W + R * s[:, None] * E
            b = net0.b - R * s
            net = Network(W, b, net0.a)
            r_t = _residual(X, P.y, net)
            if not float(r_t @ r_t) > 0:
                continue
            eta = step_frac * R / (2 * math.sqrt(n / m) * float(np.linalg.norm(r_t)))
            rec = train(X, P.y, net, eta, 1, record="residual")
            r_t1 = _residual(X, P.y, rec.net)
            states += 1
            Wt1, bt1 = rec.net.W, rec.net.b
            Rr = max(float(np.linalg.norm(Wt1 - net0.W, axis=1).max()), float(np.abs(bt1 - net0.b).max()), R)
            row = _step(X, net0.a, Z0, X @ W.T - b, X @ Wt1.T - bt1, r_t, r_t1, eta, Rr, K)
            D = Decomposition(eta, n, m, P.B, P.lam, np.array([r_t @ r_t, r_t1 @ r_t1]),
                              *[np.array([x]) for x in row[:5]], np.array([row[5]]), np.array([Rr]),
                              np.array([row[6]], float), np.array([row[7]], float), int((Z0 >= 0).sum(axis=1).max()),
                              np.array([row[8]]))
            for k, val in link_ratios(D, c4_exponent=c4_exponent).items():
                best[k] = max(best.get(k, 0.0), val) if not k.endswith("_steps") else best.get(k, 0) + val
    best["states"] = states
    return best


def _residual(X, y, net: Network) -> np.ndarray:
    from ..sim.trainer import gradients

    return gradients(X, y, net)[2] - y


def flow_check(rec: ErrorRun, floor: float = 1e-10) -> dict:
    """Lemma A.9 on a small-step run (time s = eta t): ``rate_held`` whether ||r(t)||^2 <=
    e^{-lambda eta t} ||r(0)||^2 at every step above the round-off floor (the lemma's hypothesis),
    ``max_move`` = max_r max(||w_r(T) - w_r(0)||, max_t |b_r(t) - B|) over the run, ``bound`` =
    2 sqrt(n) ||r(0)|| / (sqrt(m) lambda), ``ratio`` = max_move / bound, ``time`` = eta T."""
    if not isinstance(rec, ErrorRun):
        v.fail("rec", rec, "an ErrorRun (montecarlo.estimators.error_analysis.run(...))")
    floor = v.nonneg("floor", floor)
    P = rec.problem
    norms2 = np.einsum("ti,ti->t", rec.residual, rec.residual)
    e0 = math.sqrt(norms2[0])
    if not P.lam > 0 or e0 == 0:
        return {"rate_held": False, "max_move": 0.0, "bound": math.nan, "ratio": 0.0, "time": rec.eta * rec.steps}
    t = np.arange(len(norms2))
    keep = norms2 > floor ** 2
    with np.errstate(divide="ignore"):
        held = bool(np.all(np.log(norms2[keep]) <= math.log(norms2[0]) - P.lam * rec.eta * t[keep] + 1e-12))
    move = max(float(np.linalg.norm(rec.W - rec.W[0], axis=2).max()), float(np.abs(rec.b - rec.b[0]).max()))
    bound = eab.flow_movement_bound(P.n, P.m, P.lam, e0)
    return {"rate_held": held, "max_move": move, "bound": bound, "ratio": move / bound, "time": rec.eta * rec.steps}


def log_lambda_min_h_inf(X, B: float) -> float:
    """log lambda_min(H_inf) for B > 0 where H_inf underflows: H_inf = 2 Q(B) M with M_ii = 1 and
    M_ij = (1 + rho_ij) p(rho_ij, B) / (2 Q(B)) from log p (B = 0: the plain eigenvalue)."""
    X = v.unit_rows("X", X)
    B = v.bias(B)
    if B == 0:
        lam = float(np.linalg.eigvalsh(h_inf(X, 0.0))[0])
        return math.log(lam) if lam > 0 else -math.inf
    rho = np.clip(X @ X.T, -1.0, 1.0)
    np.fill_diagonal(rho, 1.0)
    ld = math.log(2.0) + float(logQ(B))
    with np.errstate(divide="ignore"):
        M = np.exp(np.log1p(rho) + log_pair_probability(rho, B) - ld)
    np.fill_diagonal(M, 1.0)
    M = 0.5 * (M + M.T)
    lm = float(np.linalg.eigvalsh(M)[0])
    return ld + math.log(lm) if lm > 0 else -math.inf
