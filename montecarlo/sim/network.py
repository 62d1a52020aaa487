"""The one-hidden-layer network of Section 2.1 (FORMULAS.md section 0).

f(x; W, b) = m^{-1/2} sum_r a_r relu(<w_r, x> - b_r), with a fixed and (W, b) trained.
Everything is vectorized over neurons and inputs; work over neurons is chunked so memory
stays O(n * CHUNK) whatever m is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bounds import validate as v
from . import seeding

__all__ = [
    "Network", "init_standard", "init_symmetric", "initialize", "activation", "forward", "jacobian",
    "empirical_ntk"
]

CHUNK = 1 << 14  # neurons per block


@dataclass
class Network:
    """Parameters (W, b, a); W has shape (m, d), b and a shape (m,)."""

    W: np.ndarray
    b: np.ndarray
    a: np.ndarray

    def __post_init__(self):
        self.validate()

    def validate(self) -> "Network":
        """Check (and convert to float64 where needed) the parameters: W a finite real (m, d)
        array with m, d >= 1, b and a finite real arrays of shape (m,). Called when the
        network is built and by every function that takes one (the fields are mutable);
        a NaN, infinite or complex entry, or a wrong length, is refused by name."""
        W = v.array("net.W", self.W, ndim=2)
        if W.shape[1] < 1:
            v.fail("net.W.shape", W.shape, "(m, d) with m >= 1 and d >= 1")
        b = v.array("net.b", self.b, ndim=1, shape=(W.shape[0],))
        a = v.array("net.a", self.a, ndim=1, shape=(W.shape[0],))
        for name, old, new in (("W", self.W, W), ("b", self.b, b), ("a", self.a, a)):
            if new is not old:
                setattr(self, name, new)
        return self

    @property
    def m(self) -> int:
        return self.W.shape[0]

    @property
    def d(self) -> int:
        return self.W.shape[1]

    def copy(self) -> "Network":
        return Network(self.W.copy(), self.b.copy(), self.a.copy())

    def theta(self) -> np.ndarray:
        """The trained parameters (W, b) flattened, in the row order of :func:`jacobian`."""
        return np.concatenate([self.W.ravel(), self.b])


def init_standard(m: int, d: int, B: float, seed) -> Network:
    """Standard initialization: w_r ~ N(0, I_d), a_r ~ unif{-1, +1}, b_r = B."""
    m, d, B = v.positive_int("m", m), v.positive_int("d", d), v.bias(B)
    v.memory("d" if d > m else "m", d if d > m else m, 8.0 * m * (d + 2))  # W, b, a
    rng = seeding.rng(seed)
    W = rng.standard_normal((m, d))
    a = rng.choice(np.array([-1.0, 1.0]), size=m)
    return Network(W, np.full(m, B), a)


def init_symmetric(m: int, d: int, B: float, seed) -> Network:
    """Symmetric initialization (Definition 3.7): neuron r + m/2 copies (w_r, b_r) with
    a_{r+m/2} = -a_r, so f(.; W(0), b(0)) = 0 exactly."""
    m, d, B = v.even_int("m", m), v.positive_int("d", d), v.bias(B)
    half = init_standard(m // 2, d, B, seed)
    return Network(
        np.concatenate([half.W, half.W]), np.concatenate([half.b, half.b]),
        np.concatenate([half.a, -half.a]),
    )


def initialize(m: int, d: int, B: float, seed, symmetric: bool = False) -> Network:
    """Either initialization, by flag."""
    symmetric = v.boolean("symmetric", symmetric)
    return (init_symmetric if symmetric else init_standard)(m, d, B, seed)


def _check(X, net: Network, name: str = "net") -> np.ndarray:
    if not isinstance(net, Network):
        v.fail(name, net, "a montecarlo.sim.network.Network")
    net.validate()
    X = v.unit_rows("X", X)
    if X.shape[1] != net.d:
        v.fail("X.shape[1]", X.shape[1], f"equal to the network's input dimension d = {net.d}")
    return X


def _blocks(m: int, chunk: int):
    for s in range(0, m, chunk):
        yield slice(s, min(s + chunk, m))


def activation(X, net: Network) -> np.ndarray:
    """Activation pattern 1_{r,i} = 1{<w_r, x_i> >= b_r}, boolean of shape (n, m)."""
    X = _check(X, net)
    return (X @ net.W.T) >= net.b


def _preactivation(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """<w_r, x_i> - b_r, shape (n, k) for k = len(b). The halves r < k/2 and k/2 <= r < 2(k/2)
    come from separate products of identical shapes: one product over all rows can round the
    two copies of a symmetric initialization differently (seen at n=5, d=200, m=6)."""
    h = W.shape[0] // 2
    parts = [X @ W[:h].T, X @ W[h:2 * h].T] + ([X @ W[2 * h:].T] if W.shape[0] % 2 else [])
    return np.concatenate(parts, axis=1) - b


def _paired_output(pre: np.ndarray, a: np.ndarray) -> np.ndarray:
    """sum_r a_r relu(pre[:, r]) with neuron r added to neuron r + k/2 first, so that the copies
    of a symmetric initialization cancel exactly: f(0) = 0 in floating point, not ~1e-16."""
    Y = np.maximum(pre, 0.0) * a
    h = Y.shape[1] // 2
    out = (Y[:, :h] + Y[:, h:2 * h]).sum(axis=1)
    if Y.shape[1] % 2:
        out += Y[:, -1]
    return out


def forward(X, net: Network, chunk: int = CHUNK) -> np.ndarray:
    """f(x_i) for every row of X, shape (n,). Neurons r and r + m/2 are processed together
    (see :func:`_paired_output`), so a symmetric initialization gives exactly 0."""
    chunk = v.positive_int("chunk", chunk)
    X = _check(X, net)
    out = np.zeros(X.shape[0])
    h = net.m // 2
    for s in _blocks(h, max(1, chunk // 2)):
        rows = np.r_[s, s.start + h:s.stop + h]
        out += _paired_output(_preactivation(X, net.W[rows], net.b[rows]), net.a[rows])
    if net.m % 2:
        out += _paired_output(_preactivation(X, net.W[-1:], net.b[-1:]), net.a[-1:])
    return out / np.sqrt(net.m)


def jacobian(X, net: Network) -> np.ndarray:
    """Z, the m(d+1) x n Jacobian of (W, b) -> f: column i is grad_theta f(x_i), rows
    ordered as W.ravel() then b (as in :meth:`Network.theta`). Materializes m(d+1) x n."""
    X = _check(X, net)
    v.memory("X", X.shape, 8.0 * net.m * (net.d + 1) * X.shape[0] * 3)  # Z and two temporaries
    act = activation(X, net).T.astype(float)  # (m, n)
    coef = act * net.a[:, None] / np.sqrt(net.m)  # (m, n)
    ZW = coef[:, None, :] * X.T[None, :, :]  # (m, d, n)
    return np.concatenate([ZW.reshape(net.m * net.d, -1), -coef], axis=0)


def empirical_ntk(X, net: Network, chunk: int = CHUNK) -> np.ndarray:
    """H = Z^T Z = (1/m) sum_r (<x_i, x_j> + 1) 1_{r,i} 1_{r,j}, without materializing Z."""
    chunk = v.positive_int("chunk", chunk)
    X = _check(X, net)
    n = X.shape[0]
    counts = np.zeros((n, n))
    for s in _blocks(net.m, chunk):
        A = ((X @ net.W[s].T) >= net.b[s]).astype(float)
        counts += A @ A.T
    return (X @ X.T + 1.0) * counts / net.m


def unit_rows_from(raw) -> np.ndarray:
    """Normalize the rows of a raw array to unit length (data generators use this)."""
    raw = v.array("raw", raw, ndim=2)
    arr = np.asarray(raw, dtype=float)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    if np.any(norms == 0):
        v.fail("raw", arr, "no zero rows (cannot normalize)")
    return arr / norms
