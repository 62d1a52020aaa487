"""Initial error: Lemma 3.5 (= Lemma A.10), FORMULAS.md section 2.

With probability at least 1 - delta over the standard initialization,
||f(0) - y||^2 <= E0_tight <= E0_paper, where, with tau = sqrt(2 log(2 m n / delta)),
L = log(4 n / delta) and v(B) = E[(Z - B)_+^2]:

    E0_tight = sum_i (|y_i| + sqrt(2 v(B) L) + 2 tau L / (3 sqrt m))^2,
    E0_paper = 2 ||y||^2 + 4 n exp(-B^2/2) L + (32/9) n log(2 m n / delta) L^2 / m.

Proof links (each checked separately by the suite): P[max_{i,r} |<w_r, x_i>| > tau] <= delta/2
(event E1), the per-input Bernstein bound |f_i(0)| <= sqrt(2 v L) + 2 tau L / (3 sqrt m) for
all i with probability >= 1 - delta/2, v(B) <= exp(-B^2/2) / 2.

Numerics: the closed form v = (1 + B^2) Q(B) - B phi(B) cancels (relative loss ~ B^4), so the
float v uses v = phi(B) int_0^inf u^2 exp(-u B - u^2/2) du (Gauss-Legendre panels after the
rescaling u = t / (1 + B)); the mpmath twins use the closed form at raised precision.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np

from . import validate as _v
from .ntk import Q, Q_mp, phi

__all__ = [
    "error_tail",
    "bernstein_tail",
    "e1_tail",
    "tau",
    "tau_mp",
    "L",
    "L_mp",
    "v",
    "v_mp",
    "v_closed_form",
    "v_bound",
    "log_v",
    "log_v_bound",
    "log_moment",
    "moment",
    "moment_mp",
    "bernstein_bound",
    "bernstein_bound_mp",
    "E0_tight",
    "E0_tight_mp",
    "E0_paper",
    "E0_paper_mp",
    "prior_form",
    "error_mean",
    "error_second_moment_bound",
]

# Composite Gauss-Legendre on t in [0, T_MAX]: 30 panels of width 2, 20 nodes each.
# The integrand t^k exp(-s t - (1 - s)^2 t^2 / 2), s = B / (1 + B) in [0, 1), is at most
# t^k exp(-(t - 1/2)) for every s, so the neglected tail is below 1e-17 relative for k <= 4.
T_MAX = 60.0
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(20)
_EDGES = np.linspace(0.0, T_MAX, 31)
_T = ((_EDGES[:-1, None] + _EDGES[1:, None]) / 2 + (_EDGES[1:, None] - _EDGES[:-1, None]) / 2 * _NODES).ravel()
_W = (np.broadcast_to((_EDGES[1:, None] - _EDGES[:-1, None]) / 2, (30, 20)) * _WEIGHTS).ravel()


# ------------------------------------------------------------------------ validation
def _mnd(m, n, delta) -> tuple[int, int, float]:
    return _v.positive_int("m", m), _v.positive_int("n", n), _v.probability("delta", delta)


def _y(y, n) -> np.ndarray:
    n = _v.positive_int("n", n)
    return _v.labels("y", y, n)


# ------------------------------------------------------------------ tau, L and v(B)
# ------------------------------------------------------- the failure probabilities
# Lemma A.10 holds with probability >= 1 - delta; its proof spends delta/2 on the event E1
# (max |<w_r, x_i>| <= tau) and delta/2 on the Bernstein step for all i. Every check reads its
# quantile level or its probability bound from these three functions (one path per quantity).
def error_tail(delta: float) -> float:
    """delta: ||f(0) - y||^2 <= E0 fails with probability at most this (Lemma A.10); the check
    reads the (1 - error_tail(delta))-quantile."""
    return _v.probability("delta", delta)


def bernstein_tail(delta: float) -> float:
    """delta / 2: the Bernstein step |f_i(0)| <= sqrt(2 v L) + 2 tau L / (3 sqrt m) for all i
    fails with probability at most this (the union bound of Lemma A.10's proof)."""
    return _v.probability("delta", delta) / 2


def e1_tail(delta: float) -> float:
    """delta / 2: P[not E1] = P[max_{i,r} |<w_r, x_i>| > tau] is at most this."""
    return _v.probability("delta", delta) / 2


def tau(m: int, n: int, delta: float) -> float:
    """tau = sqrt(2 log(2 m n / delta)): the radius of event E1 (Lemma A.10)."""
    m, n, delta = _mnd(m, n, delta)
    return math.sqrt(2 * (math.log(2 * m * n) - math.log(delta)))


def tau_mp(m: int, n: int, delta: float, dps: int = 50):
    dps = _v.dps(dps)
    m, n, delta = _mnd(m, n, delta)
    with mp.workdps(dps):
        return mp.sqrt(2 * mp.log(2 * mp.mpf(m) * n / mp.mpf(delta)))


def L(n: int, delta: float) -> float:
    """L = log(4 n / delta): the per-input Bernstein exponent (failure delta / (2 n) each)."""
    n, delta = _v.positive_int("n", n), _v.probability("delta", delta)
    return math.log(4 * n) - math.log(delta)


def L_mp(n: int, delta: float, dps: int = 50):
    dps = _v.dps(dps)
    n, delta = _v.positive_int("n", n), _v.probability("delta", delta)
    with mp.workdps(dps):
        return mp.log(4 * mp.mpf(n) / mp.mpf(delta))


def _biases(B) -> np.ndarray:
    arr = _v.values("B", B)
    if np.any(arr < 0):
        _v.fail("B", float(arr.min()) if arr.ndim else B, "B >= 0")
    if np.any(arr > _v.B_MAX):
        _v.fail("B", float(arr.max()) if arr.ndim else B, f"B <= {_v.B_MAX:g} (validate.B_MAX)")
    return arr


def moment(B, k: int = 2):
    """E[(Z - B)_+^k] = phi(B) int_0^inf u^k exp(-u B - u^2/2) du, for k in {0, ..., 4}
    (k = 2 is v(B), k = 4 enters the second moment of ||f(0) - y||^2). Vectorized in B."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= 4:
        _v.fail("k", k, "an integer with 0 <= k <= 4")
    Bs = _biases(B)
    b = Bs.reshape(-1, 1)
    s = b / (1.0 + b)  # u = t / (1 + B): the integrand's scale becomes O(1) for every B
    integral = (_T**k * np.exp(-s * _T - 0.5 * (1.0 - s) ** 2 * _T * _T)) @ _W
    out = phi(Bs.ravel()) * integral / (1.0 + Bs.ravel()) ** (k + 1)
    return out.reshape(Bs.shape) if Bs.ndim else float(out[0])


def log_moment(B, k: int = 2):
    """log of :func:`moment`: log phi(B) + log(integral) - (k + 1) log(1 + B), finite for
    every B (the moment itself underflows past B ~ 38). Vectorized in B."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= 4:
        _v.fail("k", k, "an integer with 0 <= k <= 4")
    Bs = _biases(B)
    b = Bs.reshape(-1, 1)
    s = b / (1.0 + b)
    integral = (_T**k * np.exp(-s * _T - 0.5 * (1.0 - s) ** 2 * _T * _T)) @ _W
    bb = Bs.ravel()
    out = -0.5 * bb * bb - 0.5 * math.log(2 * math.pi) + np.log(integral) - (k + 1) * np.log1p(bb)
    return out.reshape(Bs.shape) if Bs.ndim else float(out[0])


def moment_mp(B, k: int = 2, dps: int = 50):
    """mpmath twin of :func:`moment` from the closed form: the truncated moments
    M_j = int_B^inf z^j phi(z) dz (M_0 = Q(B), M_1 = phi(B), M_j = B^{j-1} phi(B) +
    (j - 1) M_{j-2}) and the binomial expansion of (z - B)^k, at raised precision
    (the expansion cancels, which the extra digits absorb)."""
    dps = _v.dps(dps)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= 4:
        _v.fail("k", k, "an integer with 0 <= k <= 4")
    B = _v.bias(B)
    extra = 20 + int(4 * math.log10(2 + B))
    with mp.workdps(dps + extra):
        b = mp.mpf(B)
        pdf = mp.npdf(b)
        M = [Q_mp(b, dps + extra), pdf]
        for j in range(2, k + 1):
            M.append(b ** (j - 1) * pdf + (j - 1) * M[j - 2])
        val = mp.fsum(mp.binomial(k, j) * M[j] * (-b) ** (k - j) for j in range(k + 1))
    with mp.workdps(dps):
        return +val


def v(B):
    """v(B) = E[(Z - B)_+^2] (FORMULAS.md section 2), stable integral form. Vectorized in B."""
    return moment(B, 2)


def v_mp(B, dps: int = 50):
    """mpmath twin of :func:`v`: (1 + B^2) Q(B) - B phi(B) at raised precision."""
    dps = _v.dps(dps)
    return moment_mp(B, 2, dps)


def log_v(B):
    """log v(B) (finite where v underflows, B past ~38). Vectorized in B."""
    return log_moment(B, 2)


def v_closed_form(B: float) -> float:
    """(1 + B^2) Q(B) - B phi(B) in double precision: loses about B^4 in relative accuracy
    (kept only to show why :func:`v` integrates)."""
    B = _v.bias(B)
    return float((1 + B * B) * Q(B) - B * phi(B))


def v_bound(B) -> float:
    """The bound v(B) <= exp(-B^2/2) / 2 used to pass from E0_tight to E0_paper."""
    Bs = _biases(B)
    out = 0.5 * np.exp(-0.5 * Bs * Bs)
    return out if Bs.ndim else float(out)


# ------------------------------------------------------------------------ the bounds
def log_v_bound(B):
    """log of :func:`v_bound`: -B^2/2 - log 2."""
    Bs = _biases(B)
    out = -0.5 * Bs * Bs - math.log(2.0)
    return out if Bs.ndim else float(out)


def bernstein_bound(m: int, n: int, delta: float, B: float) -> float:
    """Per-input Bernstein bound sqrt(2 v(B) L) + 2 tau L / (3 sqrt m): with probability
    >= 1 - delta/2, |f_i(0)| is below it for all i (Lemma A.10's proof, z truncated at tau)."""
    m, n, delta = _mnd(m, n, delta)
    B = _v.bias(B)
    ell = L(n, delta)
    return math.sqrt(2 * v(B) * ell) + 2 * tau(m, n, delta) * ell / (3 * math.sqrt(m))


def bernstein_bound_mp(m: int, n: int, delta: float, B: float, dps: int = 50):
    dps = _v.dps(dps)
    m, n, delta = _mnd(m, n, delta)
    B = _v.bias(B)
    with mp.workdps(dps):
        ell = L_mp(n, delta, dps)
        return mp.sqrt(2 * v_mp(B, dps) * ell) + 2 * tau_mp(m, n, delta, dps) * ell / (3 * mp.sqrt(m))


def E0_tight(y, m: int, n: int, delta: float, B: float) -> float:
    """E0_tight = sum_i (|y_i| + sqrt(2 v(B) L) + 2 tau L / (3 sqrt m))^2 (FORMULAS.md section 2):
    ||f(0) - y||^2 <= E0_tight with probability >= 1 - delta (Lemma 3.5 = Lemma A.10)."""
    y = _y(y, n)
    b = bernstein_bound(m, n, delta, B)
    return math.fsum((np.abs(y) + b) ** 2)


def E0_tight_mp(y, m: int, n: int, delta: float, B: float, dps: int = 50):
    dps = _v.dps(dps)
    y = _y(y, n)
    with mp.workdps(dps):
        b = bernstein_bound_mp(m, n, delta, B, dps)
        return mp.fsum((abs(mp.mpf(float(t))) + b) ** 2 for t in y)


def E0_paper(y, m: int, n: int, delta: float, B: float) -> float:
    """E0_paper = 2 ||y||^2 + 4 n exp(-B^2/2) L + (32/9) n log(2mn/delta) L^2 / m: the paper's
    O(n (1 + (exp(-B^2/2) + 1/m) log^3(2mn/delta))) with the constants of its proof."""
    y = _y(y, n)
    m, n, delta = _mnd(m, n, delta)
    B = _v.bias(B)
    ell = L(n, delta)
    lg = math.log(2 * m * n) - math.log(delta)
    return math.fsum([2 * math.fsum(y * y), 4 * n * math.exp(-B * B / 2) * ell,
                      32 / 9 * n * lg * ell * ell / m])


def E0_paper_mp(y, m: int, n: int, delta: float, B: float, dps: int = 50):
    dps = _v.dps(dps)
    y = _y(y, n)
    m, n, delta = _mnd(m, n, delta)
    B = _v.bias(B)
    with mp.workdps(dps):
        ell = L_mp(n, delta, dps)
        lg = mp.log(2 * mp.mpf(m) * n / mp.mpf(delta))
        yy = mp.fsum(mp.mpf(float(t)) ** 2 for t in y)
        return 2 * yy + 4 * n * mp.exp(-mp.mpf(B) ** 2 / 2) * ell + mp.mpf(32) / 9 * n * lg * ell**2 / m


def prior_form(n: int, delta: float) -> float:
    """The prior analysis' O(n log^2(n/delta)) ([39, Claim D.1]) with constant 1.

    The constant is NOT given by the source: this is a shape for comparison in reports,
    never a bound that the suite asserts."""
    n, delta = _v.positive_int("n", n), _v.probability("delta", delta)
    return n * (math.log(n) - math.log(delta)) ** 2


# ----------------------------------------------------- exact moments of the initial error
def error_mean(y, B: float) -> float:
    """E ||f(0) - y||^2 = ||y||^2 + n v(B) under the standard initialization (any m, X):
    f_i(0) is a scaled sum of m i.i.d. symmetric terms with E z^2 = v(B)."""
    y = _v.labels("y", y)
    B = _v.bias(B)
    if y.size < 1:
        _v.fail("len(y)", 0, "n >= 1")
    return math.fsum(y * y) + y.size * v(B)


def error_second_moment_bound(y, m: int, B: float) -> float:
    """An upper bound on E ||f(0) - y||^4 valid for every data set X:
    (sum_i sqrt(E (f_i - y_i)^4))^2 (Cauchy-Schwarz), with the exact per-input moment
    E (f_i - y_i)^4 = (mu4 + 3 (m - 1) v^2) / m + 6 y_i^2 v + y_i^4, mu4 = E(Z - B)_+^4."""
    y = _v.labels("y", y)
    if y.size < 1:
        _v.fail("len(y)", 0, "n >= 1")
    m, B = _v.positive_int("m", m), _v.bias(B)
    vv, mu4 = v(B), moment(B, 4)
    per = (mu4 + 3 * (m - 1) * vv * vv) / m + 6 * y * y * vv + y**4
    return float(np.sum(np.sqrt(per))) ** 2
