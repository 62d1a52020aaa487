"""Training-time error analysis (FORMULAS.md section 7; Claim A.11, Lemmas A.12-A.16, Lemma A.9
and Theorem A.17's step size), as pure formulas with explicit constants.

Every bound below is a factor of ||r(t)||^2, r(t) = f(t) - y, for one gradient step of size
eta (q = c R e^{-B^2/2}, c of Lemma A.4):

- Lemma A.12: C1 <= -eta lambda ||r||^2 when lambda_min(H(t)) >= lambda/2 (:func:`c1_bound`);
- Lemma A.14 / A.15, deterministic: |C2|, |C3| <= 4 eta n max_i |S_i^perp| / m ||r||^2
  (:func:`flip_term_link`); on the event of Corollary A.4.1 (|S_i^perp| < 2 m q):
  8 eta n q ||r||^2 (:func:`flip_term_bound`);
- Lemma A.16: C4 <= 4 eta^2 n^2 (max_i |U_i| / m)^2 ||r||^2 (:func:`update_link`); on the events
  of Lemma A.18 and Corollary A.4.1, 4 eta^2 n^2 (1 + 2cR)^2 e^{-B^2} ||r||^2
  (:func:`update_bound`); the dense form 4 eta^2 n^2 ||r||^2 (:func:`update_dense_bound`);
- the combined step factor 1 - eta lambda + 16 eta n q + 4 eta^2 n^2 (1+2cR)^2 e^{-B^2}
  (:func:`step_factor`), <= 1 - eta lambda/4 under the radius condition
  R <= lambda e^{B^2/2} / (64 n c) (:func:`radius_condition`) and the sparse step
  eta <= lambda e^{B^2} / (8 n^2 (1 + 2cR)^2) (:func:`sparse_step`; dense: lambda / (8 n^2),
  :func:`dense_step`);
- B-independence: lambda_min(H_inf) <= min_i H_inf_ii = 2 Q(B) <= sqrt(2/pi) e^{-B^2/2} / B
  (:func:`log_diagonal_bound`, :func:`log_mills_bound`);
- Lemma A.9: per-neuron movement under the flow <= 2 sqrt(n) ||r(0)|| / (sqrt(m) lambda)
  (:func:`flow_movement_bound`).

Factors that under- or overflow (e^{-B^2}, e^{B^2}, Q(B)) have log forms (``log_*``).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import log_ndtr

from . import validate as v
from .flip_probability import C_PAPER

__all__ = [
    "c1_bound",
    "flip_term_link",
    "log_flip_term_bound",
    "flip_term_bound",
    "update_link",
    "log_update_bound",
    "update_bound",
    "update_dense_bound",
    "step_factor",
    "log_radius_condition",
    "radius_condition",
    "log_sparse_step",
    "sparse_step",
    "dense_step",
    "log_diagonal_bound",
    "log_mills_bound",
    "flow_movement_bound",
]


def _eta(eta) -> float:
    return v.positive("eta", eta)


def c1_bound(eta: float, lam: float) -> float:
    """-eta lambda: Lemma A.12, C1 = -2 eta r^T H(t) r <= -eta lambda ||r||^2 whenever
    lambda_min(H(t)) >= lambda/2 (the factor of ||r(t)||^2)."""
    return -_eta(eta) * v.positive("lam", lam)


def flip_term_link(eta: float, n: int, max_flip: float, m: int) -> float:
    """4 eta n max_i |S_i^perp| / m: Lemmas A.14 and A.15 before the event, |C2| <=
    2 eta ||H^perp||_F ||r||^2 with ||H^perp||_F <= 2 n max_i |S_i^perp| / m, and |C3| <=
    2 ||r|| ||v2|| with ||v2|| <= 2 eta n max_i |S_i^perp| ||r|| / m (Fact A.13)."""
    n, m = v.positive_int("n", n), v.positive_int("m", m)
    s = v.nonneg("max_flip", max_flip)
    return 4.0 * _eta(eta) * n * s / m


def _nBR(n, B, R) -> tuple[int, float, float]:
    return v.positive_int("n", n), v.bias(B), v.positive("R", R)


def log_flip_term_bound(eta: float, n: int, B: float, R: float, c: float = C_PAPER) -> float:
    """log(8 eta n c R e^{-B^2/2})."""
    n, B, R = _nBR(n, B, R)
    return math.log(8 * _eta(eta) * n * v.positive("c", c) * R) - B * B / 2


def flip_term_bound(eta: float, n: int, B: float, R: float, c: float = C_PAPER) -> float:
    """8 eta n q, q = c R e^{-B^2/2}: Lemmas A.14 (|C2|) and A.15 (|C3|) on the event
    |S_i^perp| < 2 m q of Corollary A.4.1 (the factor of ||r(t)||^2)."""
    return math.exp(log_flip_term_bound(eta, n, B, R, c))


def update_link(eta: float, n: int, max_update: float, m: int) -> float:
    """4 eta^2 n^2 (max_i |U_i| / m)^2, U_i = S_on(i, t) u S_on(i, t+1): Lemma A.16 before the
    events (only neurons active at t or t+1 move f_i, each by at most 2 eta sqrt(n/m) ||r||)."""
    n, m = v.positive_int("n", n), v.positive_int("m", m)
    u = v.nonneg("max_update", max_update)
    return 4.0 * _eta(eta) ** 2 * n * n * (u / m) ** 2


def log_update_bound(eta: float, n: int, B: float, R: float, c: float = C_PAPER) -> float:
    """log(4 eta^2 n^2 (1 + 2cR)^2 e^{-B^2})."""
    n, B, R = _nBR(n, B, R)
    return math.log(4.0) + 2 * math.log(_eta(eta) * n * (1 + 2 * v.positive("c", c) * R)) - B * B


def update_bound(eta: float, n: int, B: float, R: float, c: float = C_PAPER) -> float:
    """4 eta^2 n^2 (1 + 2cR)^2 e^{-B^2}: Lemma A.16 on the events of Lemma A.18
    (|S_on(i, 0)| <= m e^{-B^2/2}) and Corollary A.4.1, since U_i c S_on(i, 0) u S_i^perp
    (0.0 where it underflows: use :func:`log_update_bound`)."""
    return math.exp(log_update_bound(eta, n, B, R, c))


def update_dense_bound(eta: float, n: int) -> float:
    """4 eta^2 n^2: Lemma A.16's dense form (|U_i| <= m)."""
    return 4.0 * _eta(eta) ** 2 * v.positive_int("n", n) ** 2


def step_factor(eta: float, n: int, B: float, R: float, lam: float, c: float = C_PAPER) -> float:
    """1 - eta lambda + 16 eta n q + 4 eta^2 n^2 (1 + 2cR)^2 e^{-B^2}: Claim A.11 with Lemmas
    A.12, A.14, A.15, A.16 (||r(t+1)||^2 <= step_factor ||r(t)||^2)."""
    lam = v.positive("lam", lam)
    return (1.0 + c1_bound(eta, lam) + 2 * flip_term_bound(eta, n, B, R, c)
            + update_bound(eta, n, B, R, c))


def log_radius_condition(n: int, B: float, lam: float, c: float = C_PAPER) -> float:
    """log(lambda e^{B^2/2} / (64 n c))."""
    n, B, lam = v.positive_int("n", n), v.bias(B), v.positive("lam", lam)
    return math.log(lam / (64 * n * v.positive("c", c))) + B * B / 2


def radius_condition(n: int, B: float, lam: float, c: float = C_PAPER) -> float:
    """lambda e^{B^2/2} / (64 n c): for R below it, 16 eta n q <= eta lambda / 4 (inf past overflow)."""
    lr = log_radius_condition(n, B, lam, c)
    return math.exp(lr) if lr < 709.0 else math.inf


def log_sparse_step(n: int, B: float, lam: float, R: float, c: float = C_PAPER) -> float:
    """log(lambda e^{B^2} / (8 n^2 (1 + 2cR)^2))."""
    n, B, R = _nBR(n, B, R)
    lam = v.positive("lam", lam)
    return math.log(lam / 8.0) - 2 * math.log(n * (1 + 2 * v.positive("c", c) * R)) + B * B


def sparse_step(n: int, B: float, lam: float, R: float, c: float = C_PAPER) -> float:
    """eta_sparse = lambda e^{B^2} / (8 n^2 (1 + 2cR)^2): for eta below it,
    4 eta^2 n^2 (1+2cR)^2 e^{-B^2} <= eta lambda / 2 (Theorem A.17's step; inf past overflow)."""
    ls = log_sparse_step(n, B, lam, R, c)
    return math.exp(ls) if ls < 709.0 else math.inf


def dense_step(n: int, lam: float) -> float:
    """lambda / (8 n^2): the dense analysis's step (4 eta^2 n^2 <= eta lambda / 2)."""
    return v.positive("lam", lam) / (8.0 * v.positive_int("n", n) ** 2)


def log_diagonal_bound(B: float) -> float:
    """log(2 Q(B)) = log(min_i H_inf_ii) (H_inf_ii = (1 + 1) p(1, B) = 2 Q(B)); lambda_min(H_inf)
    <= min_i H_inf_ii (Rayleigh quotient at a coordinate vector). Exact: log Q via log_ndtr(-B)."""
    return math.log(2.0) + float(log_ndtr(-v.bias(B)))


def log_mills_bound(B: float) -> float:
    """log(sqrt(2/pi) e^{-B^2/2} / B) (B > 0): 2 Q(B) <= 2 phi(B) / B (Mills' ratio), so
    lambda_min(H_inf) e^{B^2/2} <= sqrt(2/pi) / B and the sparse rate eta_sparse lambda / 4 =
    lambda0^2 / (32 n^2 (1+2cR)^2) falls at least like 1/B^2."""
    B = v.positive("B", B)
    return 0.5 * math.log(2 / math.pi) - B * B / 2 - math.log(B)


def flow_movement_bound(n: int, m: int, lam: float, error0: float) -> float:
    """2 sqrt(n) ||r(0)|| / (sqrt(m) lambda): Lemma A.9, the movement of every neuron
    (||w_r(t) - w_r(0)|| and |b_r(t) - B|) while ||r(s)||^2 <= e^{-lambda s} ||r(0)||^2
    (integrate ||dw_r/ds|| <= sqrt(n/m) ||r(s)|| <= sqrt(n/m) e^{-lambda s/2} ||r(0)||)."""
    n, m = v.positive_int("n", n), v.positive_int("m", m)
    return 2.0 * math.sqrt(n) * v.nonneg("error0", error0) / (math.sqrt(m) * v.positive("lam", lam))
