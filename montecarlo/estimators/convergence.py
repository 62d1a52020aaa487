"""Convergence (FORMULAS.md section 6; Theorem 3.1 = Theorem A.17, Lemma A.5, Figure 2).

- **Adversary for kernel stability** (:func:`adversary`). Only neurons in a flip set
  S_i(R) = {r : -2R <= <w_r(0), x_i> - b_r < 2R} can change their activation on x_i when every
  neuron moves at most R. Each such neuron is moved to a corner of its box: w_r + s R e,
  b_r - s R with s = +-1 and e one of the inputs x_k or their normalized mean (the worst
  perturbations of section 1 are w~ -/+ R x_i, B +/- R). H(W) depends on the moves only through
  the activation patterns, H(W) - H(W(0)) = (1/m) K o sum_r (a'_r a'_r^T - a_r a_r^T),
  K = X X^T + 1, and for a fixed vector v the quadratic form v^T Delta H v separates over
  neurons, so the search alternates "choose every neuron's corner for the current v" with
  "v = the extreme eigenvector of the resulting Delta H" from several starts (random starts
  from a named seed stream), then polishes with one coordinate-ascent sweep on the exact
  objective. The value returned is recomputed from the perturbed network itself.
- **Real runs** (:func:`run`): gradient descent with a callback recording H(t), the activation
  pattern, the residual and every neuron's movement; from it the stability links along the run,
  the linear rate (with the proof's needs checked on the run), and the one-step identity
  r(t+1) = (I - eta H(t)) r(t) at steps where no activation changes.

The report-only experiments built on these (the width search and Figure 2) live in
:mod:`reports.figures.convergence`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from bounds import convergence as cvb
from bounds import validate as v

from . import rademacher_radius as rr
from .activated_neurons import flip_membership
from ..sim.network import Network, empirical_ntk
from .rademacher_radius import Problem
from ..sim.seeding import check_seed, spawn
from ..sim.trainer import train

__all__ = [
    "draw", "flip_sets", "Adversary", "adversary", "entry_adversary", "RunRecord", "run", "rate_check",
    "RateCheck", "stability_along", "identity_check", "radius_for_flips"
]

FLOOR = 1e-10  # round-off floor on ||f(t) - y||: below it the rate is not checked


def draw(n: int, d: int, m: int, B: float, family: str = "random", labels: str = "random", seed: int = 0,
         eta_frac: float = 0.5) -> Problem:
    """One draw (data, labels, symmetric initialization, H(0), H_inf, lambda, eta = eta_frac /
    lambda_max(H(0))): the Rademacher module's :func:`~montecarlo.estimators.rademacher_radius.setup`, so
    both modules draw the same problems."""
    return rr.setup(n, d, m, B, family, labels, seed, eta_frac)


# ------------------------------------------------------------------------ flip sets
def flip_sets(X, net0: Network, R: float, factor: float = 2.0) -> np.ndarray:
    """Membership (n, m): r in S_i(R) <=> -2R <= <w_r(0), x_i> - b_r < 2R (section 1's exact
    characterization; ``factor`` replaces the 2 only for the mutant that forgets it)."""
    X = v.unit_rows("X", X)
    R = v.nonneg("R", R)
    return flip_membership(X @ net0.W.T - net0.b, 0.0, R, factor)


def radius_for_flips(m: int, B: float, flips: float) -> float:
    """The R with m p_flip(B, R) = ``flips`` (the expected flip-set size), capped at 1/max(B, 0.1), by
    bisection on the exact p_flip of section 1: parameter domains use it so that flip sets are
    neither empty (every measurement 0) nor the whole width."""
    from bounds.flip_probability import exact as p_flip

    m, B, flips = v.positive_int("m", m), v.bias(B), v.positive("flips", flips)
    cap = 1.0 / max(B, 0.1)  # R <= 1/B; at most 10 (beyond, every neuron is in every flip set)
    if m * p_flip(B, cap) <= flips:
        return cap
    lo, hi = 0.0, cap
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if mid > 0 and m * p_flip(B, mid) > flips:
            hi = mid
        else:
            lo = mid
    return hi


def _corners(X: np.ndarray, R: float) -> tuple[np.ndarray, np.ndarray]:
    """Candidate moves (dW (C, d), db (C,)): the zero move, then w + s R e, b - s R for
    e in {x_1..x_n, normalized mean}, s = +1, -1. Every move keeps the neuron within R."""
    dirs = [X]
    mean = X.sum(axis=0)
    if np.linalg.norm(mean) > 1e-12:
        dirs.append((mean / np.linalg.norm(mean))[None, :])
    E = np.concatenate(dirs)
    dW = np.concatenate([np.zeros((1, X.shape[1])), R * E, -R * E])
    db = np.concatenate([[0.0], -R * np.ones(len(E)), R * np.ones(len(E))])
    return dW, db


@dataclass(frozen=True)
class Adversary:
    """A perturbation with every neuron within R and H(W) - H(W(0)) recomputed from it.

    ``delta`` = H(W) - H(W(0)); ``norm`` = ||delta||_2; ``lam_min`` = lambda_min(H(W));
    ``sizes`` = |S_i(R)|; ``moved`` = neurons moved; ``max_move`` = max_r max(||dw_r||, |db_r|)."""

    W: np.ndarray = field(repr=False)
    b: np.ndarray = field(repr=False)
    delta: np.ndarray = field(repr=False)
    norm: float
    lam_min: float
    sizes: np.ndarray
    moved: int
    max_move: float
    R: float

    @property
    def spectral_ratio(self) -> float:
        """||Delta H||_2 / ((4n/m) max_i |S_i|) (0 when nothing can flip and nothing moved)."""
        bnd = cvb.spectral_bound(self.sizes, len(self.b))
        return self.norm / bnd if bnd > 0 else (0.0 if self.norm == 0 else math.inf)

    @property
    def entry_ratio(self) -> float:
        """max_ij |Delta H_ij| / ((2/m)(|S_i| + |S_j|))."""
        return _entry_ratio(self.delta, self.sizes, len(self.b))


def _entry_ratio(delta: np.ndarray, sizes: np.ndarray, m: int) -> float:
    bnd = cvb.entry_bound_matrix(sizes, m)
    a = np.abs(delta)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(bnd > 0, a / bnd, np.where(a > 0, np.inf, 0.0))
    return float(r.max())


class _Search:
    """The candidate patterns of the flip-set neurons and the algebra of Delta H."""

    def __init__(self, X, net0: Network, R: float, factor: float = 2.0):
        self.X, self.net0, self.R = X, net0, R
        self.m, self.n = net0.m, X.shape[0]
        S = flip_sets(X, net0, R, factor)
        self.sizes = S.sum(axis=1)
        self.idx = np.flatnonzero(S.any(axis=0))  # neurons that can flip on some input
        self.K = (X @ X.T + 1.0) / self.m
        self.dW, self.db = _corners(X, R)
        u = X @ net0.W[self.idx].T - net0.b[self.idx]  # (n, k)
        # pre-activation after move c: u_i + <dW_c, x_i> - db_c
        shift = X @ self.dW.T - self.db  # (n, C)
        self.P = ((u.T[:, None, :] + shift.T[None, :, :]) >= 0).astype(float)  # (k, C, n)
        self.P0 = (u.T >= 0).astype(float)  # (k, n)
        self.base = self.P0.T @ self.P0

    def delta(self, choice: np.ndarray) -> np.ndarray:
        Ps = self.P[np.arange(len(self.idx)), choice]
        return self.K * (Ps.T @ Ps - self.base)

    def scores(self, v_: np.ndarray, sign: float) -> np.ndarray:
        """sign * v^T (K o (p p^T - p0 p0^T)) v for every neuron and candidate (k, C)."""
        Mv = self.K * np.outer(v_, v_)
        q = np.einsum("kci,ij,kcj->kc", self.P, Mv, self.P)
        q0 = np.einsum("ki,ij,kj->k", self.P0, Mv, self.P0)
        return sign * (q - q0[:, None])

    def network(self, choice: np.ndarray) -> Network:
        W, b = self.net0.W.copy(), self.net0.b.copy()
        W[self.idx] += self.dW[choice]
        b[self.idx] += self.db[choice]
        return Network(W, b, self.net0.a.copy())


def _objective(kind: str, H0: np.ndarray, D: np.ndarray) -> float:
    if kind == "norm":
        return float(np.max(np.abs(np.linalg.eigvalsh(D))))
    return -float(np.linalg.eigvalsh(H0 + D)[0])  # "lower": maximize -lambda_min(H(W))


def adversary(X, net0: Network, R: float, seed, objective: str = "norm", restarts: int = 4,
              iters: int = 6, polish: bool = True, H0: np.ndarray | None = None,
              factor: float = 2.0) -> Adversary:
    """Search the perturbations with every neuron within R for the largest ||Delta H||_2
    (``objective="norm"``) or the smallest lambda_min(H(W)) (``"lower"``); see the module
    docstring. Deterministic given ``seed`` (stream "adversary")."""
    X = v.unit_rows("X", X)
    if not isinstance(net0, Network):
        v.fail("net0", net0, "a montecarlo.sim.network.Network")
    R = v.positive("R", R)
    if objective not in ("norm", "lower"):
        v.fail("objective", objective, "'norm' or 'lower'")
    restarts, iters = v.positive_int("restarts", restarts), v.positive_int("iters", iters)
    polish = v.boolean("polish", polish)
    g = spawn(check_seed(seed), "adversary")
    H0 = empirical_ntk(X, net0) if H0 is None else v.symmetric_matrix("H0", H0, X.shape[0])
    s = _Search(X, net0, R, factor)
    k = len(s.idx)
    best_choice, best_val = np.zeros(k, dtype=int), _objective(objective, H0, np.zeros_like(H0))
    if k:
        starts = [np.ones(s.n) / math.sqrt(s.n)]
        if objective == "lower":
            starts.append(np.linalg.eigh(H0)[1][:, 0])
        starts += [x / np.linalg.norm(x) for x in g.standard_normal((restarts, s.n))]
        signs = (1.0, -1.0) if objective == "norm" else (-1.0,)
        for v0 in starts:
            for sg in signs:
                vec, sign = v0, sg
                choice = np.zeros(k, dtype=int)
                for _ in range(iters):
                    new = np.argmax(s.scores(vec, sign), axis=1)
                    D = s.delta(new)
                    val = _objective(objective, H0, D)
                    if val > best_val:
                        best_val, best_choice = val, new.copy()
                    if np.array_equal(new, choice):
                        break
                    choice = new
                    if objective == "norm":
                        w, U = np.linalg.eigh(D)
                        j = int(np.argmax(np.abs(w)))
                        vec, sign = U[:, j], (1.0 if w[j] >= 0 else -1.0)
                    else:
                        vec = np.linalg.eigh(H0 + D)[1][:, 0]
        if polish:
            choice = best_choice.copy()
            D = s.delta(choice)
            for r in g.permutation(k):
                Ps = s.P[r]  # (C, n)
                cur = s.P[r, choice[r]]
                Dm = D - s.K * np.outer(cur, cur)
                cand = Dm[None] + s.K[None] * (Ps[:, :, None] * Ps[:, None, :])
                if objective == "norm":
                    vals = np.abs(np.linalg.eigvalsh(cand)).max(axis=1)
                else:
                    vals = -np.linalg.eigvalsh(H0[None] + cand)[:, 0]
                c = int(np.argmax(vals))
                if vals[c] > best_val + 1e-15:
                    best_val, choice[r] = float(vals[c]), c
                    D = Dm + s.K * np.outer(Ps[c], Ps[c])
            best_choice = choice
    return _finish(s, best_choice, H0)


def _finish(s: _Search, choice: np.ndarray, H0: np.ndarray) -> Adversary:
    net = s.network(choice)
    H = empirical_ntk(s.X, net)
    D = H - H0
    w = np.linalg.eigvalsh(D)
    move = max(float(np.linalg.norm(net.W - s.net0.W, axis=1).max()), float(np.abs(net.b - s.net0.b).max()))
    return Adversary(net.W, net.b, D, float(np.max(np.abs(w))), float(np.linalg.eigvalsh(H)[0]),
                     s.sizes, int(np.count_nonzero(choice)), move, s.R)


def entry_adversary(X, net0: Network, R: float, H0: np.ndarray | None = None,
                    factor: float = 2.0) -> Adversary:
    """The perturbation maximizing max_ij |Delta H_ij| / ((2/m)(|S_i| + |S_j|)) over the corner
    candidates, exactly: for one entry and sign the objective separates over neurons, so every
    neuron takes its best corner; the best entry's perturbation is recomputed on the network."""
    X = v.unit_rows("X", X)
    if not isinstance(net0, Network):
        v.fail("net0", net0, "a montecarlo.sim.network.Network")
    R = v.positive("R", R)
    H0 = empirical_ntk(X, net0) if H0 is None else v.symmetric_matrix("H0", H0, X.shape[0])
    s = _Search(X, net0, R, factor)
    k = len(s.idx)
    if k == 0:
        return _finish(s, np.zeros(0, dtype=int), H0)
    Dc = (s.P[:, :, :, None] * s.P[:, :, None, :]) - (s.P0[:, None, :, None] * s.P0[:, None, None, :])
    Dc = Dc * s.K  # (k, C, n, n)
    bnd = cvb.entry_bound_matrix(s.sizes, s.m)
    best, arg = -1.0, None
    for sign in (1.0, -1.0):
        tot = (sign * Dc).max(axis=1).sum(axis=0)  # (n, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(bnd > 0, tot / bnd, 0.0)
        ij = np.unravel_index(int(np.argmax(r)), r.shape)
        if r[ij] > best:
            best, arg = float(r[ij]), (sign, ij)
    sign, (i, j) = arg
    choice = np.argmax(sign * Dc[:, :, i, j], axis=1)
    return _finish(s, choice, H0)


# ---------------------------------------------------------------------- real runs
@dataclass(frozen=True)
class RunRecord:
    """One gradient-descent run with per-step records (index t = 0 is the initialization).

    ``H[t]`` empirical NTK, ``residual[t]`` = f(t) - y (vectors), ``pattern[t]`` activation
    (n, m), ``move[t]`` = max_r max(||w_r(t) - w_r(0)||, |b_r(t) - B|) (running max over s <= t),
    ``lam_min[t]`` = lambda_min(H(t)); ``lam`` = lambda_min(H_inf), ``eta`` the step."""

    problem: Problem = field(repr=False)
    eta: float
    H: np.ndarray = field(repr=False)
    residual: np.ndarray = field(repr=False)
    pattern: np.ndarray = field(repr=False)
    move: np.ndarray
    lam_min: np.ndarray
    stopped: str

    @property
    def lam(self) -> float:
        return self.problem.lam

    @property
    def steps(self) -> int:
        return len(self.move) - 1


def run(P: Problem, steps: int, eta: float | None = None) -> RunRecord:
    """Gradient descent from ``P.net0`` (step ``eta``, default P.eta) for ``steps`` steps,
    recording what the section-6 checks need at every step."""
    if not isinstance(P, Problem):
        v.fail("P", P, "a montecarlo.estimators.rademacher_radius.Problem (draw(...))")
    steps = v.nonneg_int("steps", steps)
    v.work("steps", steps, float(steps + 1) * P.net0.m * P.X.shape[0] * (P.X.shape[1] + P.X.shape[0] + 1) * 4)
    eta = P.eta if eta is None else v.positive("eta", eta)
    Hs, res, pats, mv = [], [], [], []
    W0, b0 = P.net0.W, P.net0.b
    K = (P.X @ P.X.T + 1.0) / P.m

    def cb(t, net, r):
        A = (P.X @ net.W.T) >= net.b  # the pattern of network.activation, H as in empirical_ntk
        Af = A.astype(float)
        Hs.append(K * (Af @ Af.T))
        res.append(r.copy())
        pats.append(A)
        mv.append(max(float(np.linalg.norm(net.W - W0, axis=1).max()), float(np.abs(net.b - b0).max())))

    tr = train(P.X, P.y, P.net0, eta, steps, callback=cb)
    H = np.array(Hs)
    return RunRecord(P, eta, H, np.array(res), np.array(pats), np.maximum.accumulate(np.array(mv)),
                     np.linalg.eigvalsh(H)[:, 0], tr.stopped)


def stability_along(rec: RunRecord) -> dict:
    """Lemma A.5 along the run, with R_t = the largest movement up to step t:
    ``spectral_ratio`` = max_t ||H(t) - H(0)||_2 / ((4n/m) max_i |S_i(R_t)|),
    ``entry_ratio`` = max_t max_ij |H_ij(t) - H_ij(0)| / ((2/m)(|S_i| + |S_j|)),
    ``event_ratio`` = max_t ||H(t) - H(0)||_2 / (8 n c R_t e^{-B^2/2}) over steps on the event
    |S_i(R_t)| < 2 m q(R_t) (``event_steps`` of them), ``max_delta`` = max_t ||H(t) - H(0)||_2."""
    if not isinstance(rec, RunRecord):
        v.fail("rec", rec, "a montecarlo.estimators.convergence.RunRecord (run(...))")
    P = rec.problem
    n, m = P.n, P.m
    spec, ent, evr, evs, mx = 0.0, 0.0, 0.0, 0, 0.0
    for t in range(1, rec.steps + 1):
        D = rec.H[t] - rec.H[0]
        nd = float(np.max(np.abs(np.linalg.eigvalsh(D))))
        mx = max(mx, nd)
        R = rec.move[t]
        sizes = flip_sets(P.X, P.net0, R).sum(axis=1) if R > 0 else np.zeros(n)
        bnd = cvb.spectral_bound(sizes, m)
        spec = max(spec, nd / bnd if bnd > 0 else (0.0 if nd == 0 else math.inf))
        ent = max(ent, _entry_ratio(D, sizes, m))
        if R > 0 and sizes.max() < cvb.event_threshold(m, P.B, R):
            evs += 1
            evr = max(evr, nd / cvb.event_bound(n, P.B, R))
    return {"spectral_ratio": spec, "entry_ratio": ent, "event_ratio": evr, "event_steps": evs,
            "max_delta": mx, "max_move": float(rec.move[-1])}


@dataclass(frozen=True)
class RateCheck:
    """Theorem 3.1's conclusion on one run. ``log_ratio`` = max_t log(||r(t)||^2 /
    ((1 - eta lam/4)^t ||r(0)||^2)) over the steps above the round-off floor (<= 0: the rate
    held); ``kernel_ok``: lambda_min(H(s)) >= lam/2 for every s (what the proof derives from
    the radius condition, verified directly); ``within_R``: every neuron within
    R* = lam e^{B^2/2}/(32 n c) at every step (the proof's radius, verified); ``applicable`` =
    kernel_ok (and 0 < eta lam <= 4)."""

    log_ratio: float
    held: bool
    kernel_ok: bool
    within_R: bool
    applicable: bool
    min_kernel_ratio: float  # min_s lambda_min(H(s)) / lam
    R_star: float
    max_move: float
    eta_lam: float
    reason: str


def rate_check(rec: RunRecord, floor: float = FLOOR) -> RateCheck:
    """Check ||f(t) - y||^2 <= (1 - eta lam/4)^t ||f(0) - y||^2 for every t on the run."""
    if not isinstance(rec, RunRecord):
        v.fail("rec", rec, "a montecarlo.estimators.convergence.RunRecord (run(...))")
    floor = v.nonneg("floor", floor)
    P = rec.problem
    lam, eta = P.lam, rec.eta
    norms = np.linalg.norm(rec.residual, axis=1)
    if not lam > 0 or not 0 < eta * lam <= 4:
        return RateCheck(math.nan, False, False, False, False, math.nan, math.nan, float(rec.move[-1]),
                         eta * lam, f"rate not stated: lam={lam:.3g}, eta*lam={eta * lam:.3g}")
    t = np.arange(len(norms))
    keep = norms > floor
    with np.errstate(divide="ignore"):
        lr = 2 * np.log(norms[keep]) - 2 * math.log(norms[0]) - cvb.log_rate(eta, lam, t[keep])
    log_ratio = float(lr.max()) if lr.size else -math.inf
    kr = float(rec.lam_min.min() / lam)
    log_Rs = cvb.log_radius_condition(P.n, P.B, lam)
    Rs = math.exp(log_Rs) if log_Rs < 709.0 else math.inf  # beyond a double: no constraint in floats
    kernel_ok = kr >= 0.5
    within = bool(rec.move[-1] <= Rs)
    reason = "" if kernel_ok else f"lambda_min(H(s)) fell to {kr:.3g} lam < lam/2"
    return RateCheck(log_ratio, log_ratio <= 1e-9, kernel_ok, within, kernel_ok, kr, Rs,
                     float(rec.move[-1]), eta * lam, reason)


def identity_check(rec: RunRecord, rel_floor: float = 1e-6) -> dict:
    """r(t+1) = (I - eta H(t)) r(t) at the steps where no activation changes (f is linear in
    (W, b) on one activation region and the step stays in it: the pre-activations are affine
    along the step). Steps with ||r(t)|| < rel_floor ||r(0)|| are skipped: there the round-off
    of f (about 1e-16 of its size) is no longer small against r (relative deviations of 1e-5
    were seen at ||r|| ~ 1e-11). Returns the in-region steps, the worst relative deviation, and at that
    step ||r(t+1)||, ||(I - eta H(t)) r(t)|| and the contraction ratio
    ||r(t+1)|| / (max_k |1 - eta h_k| ||r(t)||) maximized over in-region steps."""
    if not isinstance(rec, RunRecord):
        v.fail("rec", rec, "a montecarlo.estimators.convergence.RunRecord (run(...))")
    rel_floor = v.nonneg("rel_floor", rel_floor)
    T = rec.steps
    same = [t for t in range(T) if np.array_equal(rec.pattern[t], rec.pattern[t + 1])]
    out = {"in_region_steps": 0, "steps": T, "deviation": 0.0, "step": -1,
           "norm_next": 0.0, "norm_pred": 0.0, "contraction_ratio": 0.0}
    n = rec.H.shape[1]
    for t in same:
        r, r1 = rec.residual[t], rec.residual[t + 1]
        nr = float(np.linalg.norm(r))
        if nr == 0 or nr < rel_floor * float(np.linalg.norm(rec.residual[0])):
            continue
        out["in_region_steps"] += 1
        pred = (np.eye(n) - rec.eta * rec.H[t]) @ r
        dev = float(np.linalg.norm(r1 - pred)) / nr
        if out["step"] < 0 or dev > out["deviation"]:
            out.update(deviation=dev, step=t, norm_next=float(np.linalg.norm(r1)),
                       norm_pred=float(np.linalg.norm(pred)))
        rho = cvb.contraction(np.linalg.eigvalsh(rec.H[t]), rec.eta)
        if rho > 0:
            out["contraction_ratio"] = max(out["contraction_ratio"], float(np.linalg.norm(r1)) / (rho * nr))
    return out
