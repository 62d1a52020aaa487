"""Full-batch gradient descent on (W, b) with a fixed (FORMULAS.md section 0).

L = 1/2 sum_i (f(x_i) - y_i)^2;  dL/dw_r = m^{-1/2} a_r sum_i (f_i - y_i) 1_{r,i} x_i,
dL/db_r = -m^{-1/2} a_r sum_i (f_i - y_i) 1_{r,i}. One step costs two n x m x d products.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from bounds import validate as v

from .network import Network, _check, _paired_output, _preactivation

__all__ = ["Trajectory", "gradients", "train", "RECORDS"]

RECORDS = ("full", "basic", "residual")
"""Record levels of :func:`train`: every per-step record; residual norms, active counts and the
largest movements; residual norms only (the cheapest: one n-vector norm per step)."""


@dataclass
class Trajectory:
    """Per-step records of a run; index t = 0 is the initialization. At ``record="basic"`` only
    residual, active, max_w_move and max_b_move are filled, at ``record="residual"`` only residual
    (the other per-step arrays are then empty).

    residual[t] = ||f(t) - y||; active[t, i] = |S_on(i, t)|; max_w_move[t] =
    max_r ||w_r(t) - w_r(0)||; max_b_move[t] = max_r |b_r(t) - b_r(0)|;
    distance[t] = ||theta(t) - theta(0)|| over theta = (W, b);
    max_grad_w[t] = max_r ||dL/dw_r(t)||, max_grad_b[t] = max_r |dL/db_r(t)|;
    grad_bound[t] = max_r m^{-1/2} sum_i |f_i - y_i| 1_{r,i} (Lemma A.7's middle term,
    attained at the same r only by chance, so compare per neuron with ``grad_ratio``);
    grad_ratio[t] = max_r max(||dL/dw_r||, |dL/db_r|) / (m^{-1/2} sum_i |f_i - y_i| 1_{r,i})
    (<= 1 by Lemma A.7).
    """

    net0: Network
    net: Network
    eta: float
    residual: np.ndarray
    active: np.ndarray
    max_w_move: np.ndarray
    max_b_move: np.ndarray
    distance: np.ndarray
    max_grad_w: np.ndarray
    max_grad_b: np.ndarray
    grad_bound: np.ndarray
    grad_ratio: np.ndarray
    w_move: np.ndarray = field(repr=False)  # per-neuron ||w_r(T) - w_r(0)||
    b_move: np.ndarray = field(repr=False)  # per-neuron |b_r(T) - b_r(0)|
    stopped: str = "budget"

    @property
    def steps(self) -> int:
        return len(self.residual) - 1


def gradients(X, y, net: Network):
    """(dL/dW, dL/db, f, act) at the current parameters; X must have unit rows."""
    X = _check(X, net)
    y = v.labels("y", y, X.shape[0])
    pre = _preactivation(X, net.W, net.b)  # (n, m)
    act = pre >= 0
    f = _paired_output(pre, net.a) / np.sqrt(net.m)  # exactly 0 under symmetric init
    r = f - y
    coef = (act * r[:, None]) * (net.a / np.sqrt(net.m))  # (n, m): (f_i - y_i) 1_{r,i} a_r / sqrt m
    gW = coef.T @ X
    gb = -coef.sum(axis=0)
    return gW, gb, f, act


def _halves(m: int) -> list[slice]:
    """Neuron blocks r < m/2, m/2 <= r < 2(m/2) (and the odd last one): one product per block, as in
    :func:`montecarlo.sim.network._preactivation`, so the copies of a symmetric initialization round
    alike."""
    h = m // 2
    return [slice(0, h), slice(h, 2 * h)] + ([slice(2 * h, m)] if m % 2 else [])


class _Step:
    """One gradient evaluation with buffers reused across steps (no per-step validation, no
    concatenation): the same arithmetic as :func:`gradients`, block by block."""

    def __init__(self, X: np.ndarray, y: np.ndarray, a: np.ndarray):
        self.X, self.y, self.a = X, y, a
        self.m = len(a)
        self.blocks = _halves(self.m)
        n = X.shape[0]
        self.pre = [np.empty((n, s.stop - s.start)) for s in self.blocks]
        self.Y = [np.empty_like(p) for p in self.pre]
        self.act = [np.empty(p.shape, dtype=bool) for p in self.pre]
        self.ascaled = a / np.sqrt(self.m)
        self.gW = np.empty((self.m, X.shape[1]))
        self.gb = np.empty(self.m)

    def __call__(self, W: np.ndarray, b: np.ndarray):
        X = self.X
        for k, s in enumerate(self.blocks):
            p, Y, act = self.pre[k], self.Y[k], self.act[k]
            np.matmul(X, W[s].T, out=p)
            p -= b[s]
            np.greater_equal(p, 0.0, out=act)
            np.maximum(p, 0.0, out=Y)
            Y *= self.a[s]
        if len(self.blocks) > 1:  # neuron r added to neuron r + m/2 first (f(0) = 0 exactly)
            np.add(self.Y[0], self.Y[1], out=self.Y[0])
        f = self.Y[0].sum(axis=1)
        if len(self.blocks) > 2:
            f += self.Y[2].sum(axis=1)
        f /= np.sqrt(self.m)
        r = f - self.y
        for k, s in enumerate(self.blocks):
            coef = self.Y[k]  # reused: (f_i - y_i) 1_{r,i} a_r / sqrt m
            np.multiply(self.act[k], r[:, None], out=coef)
            coef *= self.ascaled[s]
            np.matmul(coef.T, X, out=self.gW[s])
            np.sum(coef, axis=0, out=self.gb[s])
        np.negative(self.gb, out=self.gb)
        return self.gW, self.gb, f, r

    def active(self) -> np.ndarray:
        return np.concatenate(self.act, axis=1)


def train(
    X,
    y,
    net0: Network,
    eta: float,
    steps: int,
    tol: float = 0.0,
    progress: bool = False,
    callback: Callable[[int, Network, np.ndarray], None] | None = None,
    record: str = "full",
) -> Trajectory:
    """Run gradient descent from ``net0`` (not modified) for at most ``steps`` steps,
    stopping early once ||f - y|| <= tol. ``callback(t, net, residual_vector)`` is called
    before every step and at the end. ``record`` (one of :data:`RECORDS`) sets which per-step
    records are kept: the full records cost about a third of a step at n = 1000, m = 4096."""
    progress = v.boolean("progress", progress)
    X = _check(X, net0, "net0")
    y = v.labels("y", y, X.shape[0])
    eta = v.positive("eta", eta)
    steps = v.nonneg_int("steps", steps)
    # per step: the forward/backward array work (~8 n m d) and ~1 ms of fixed overhead
    # (about 1e6 element-operations of the budget's scale), so 10**6 steps are refused up front
    v.work("steps", steps, float(steps) * (8.0 * net0.W.size * X.shape[0] + 1e6))
    tol = v.nonneg("tol", tol)
    record = v.choice("record", record, RECORDS)
    full, basic = record == "full", record in ("full", "basic")
    net = net0.copy()
    m = net.m
    sqm = np.sqrt(m)
    step = _Step(X, y, net.a)
    rec = {k: [] for k in ("residual", "active", "wm", "bm", "dist", "gw", "gb", "gbound", "gratio")}
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, desc="gradient descent", unit="step")
    stopped = "budget"
    t = 0
    while True:
        gW, gb, f, res = step(net.W, net.b)
        rnorm = float(np.linalg.norm(res))
        rec["residual"].append(rnorm)
        if basic:
            act = step.active()
            dW, db = net.W - net0.W, net.b - net0.b
            wmove = np.linalg.norm(dW, axis=1)
            rec["active"].append(act.sum(axis=1))
            rec["wm"].append(float(wmove.max()))
            rec["bm"].append(float(np.abs(db).max()))
        if full:
            per_r = (np.abs(res) @ act) / sqm  # m^{-1/2} sum_i |f_i - y_i| 1_{r,i}
            gwn = np.linalg.norm(gW, axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(per_r > 0, np.maximum(gwn, np.abs(gb)) / per_r, 0.0)
            rec["dist"].append(float(np.sqrt((dW * dW).sum() + (db * db).sum())))
            rec["gw"].append(float(gwn.max()))
            rec["gb"].append(float(np.abs(gb).max()))
            rec["gbound"].append(float(per_r.max()))
            rec["gratio"].append(float(ratio.max()))
        if callback is not None:
            callback(t, net, res)
        if not np.isfinite(rnorm):
            stopped = "diverged"
            break
        if rnorm <= tol:
            stopped = "tolerance"
            break
        if t >= steps:
            break
        net.W -= eta * gW
        net.b -= eta * gb
        t += 1
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return Trajectory(
        net0=net0, net=net, eta=eta,
        residual=np.array(rec["residual"]), active=np.array(rec["active"]),
        max_w_move=np.array(rec["wm"]), max_b_move=np.array(rec["bm"]),
        distance=np.array(rec["dist"]), max_grad_w=np.array(rec["gw"]),
        max_grad_b=np.array(rec["gb"]), grad_bound=np.array(rec["gbound"]),
        grad_ratio=np.array(rec["gratio"]),
        w_move=np.linalg.norm(net.W - net0.W, axis=1), b_move=np.abs(net.b - net0.b),
        stopped=stopped,
    )
