"""Number of activated neurons: Lemma 3.6 (= Lemmas A.18, A.19).

FORMULAS.md section 3. At initialization |S_on(i, 0)| = #{r : <w_r, x_i> >= B} is
Binomial(m, Q(B)) under the standard initialization and 2 Binomial(m/2, Q(B)) under the
symmetric one (Definition 3.7: the halves are copies). With Q(B) <= e^{-B^2/2}/2,
Bernstein with t = (m/2) e^{-B^2/2} gives (Lemma A.18)

    P[|S_on(i, 0)| >= m e^{-B^2/2}] <= exp(-(3/16) m e^{-B^2/2})       (m/2 when symmetric),

and the by-product ||Z(0)||_F^2 = (2/m) sum_i |S_on(i, 0)| <= 2 n e^{-B^2/2} on the union
event. During training (Lemma A.19), if every neuron stays within R <= 1/B of its
initialization, |S_on(i, t)| <= |S_on(i, 0)| + |S_i| deterministically, hence
|S_on(i, t)| <= (1 + 2 c R) m e^{-B^2/2} with probability at least
1 - n exp(-(3/16) m e^{-B^2/2}) - n exp(-3 m c R e^{-B^2/2} / 8).

Tails use the binomial survival function (never 1 - cdf); every float formula has an
mpmath twin (suffix ``_mp``) computed from the regularized incomplete beta function.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
from scipy import stats

from . import validate as v
from .flip_probability import C_PAPER, flip_q, log_binomial_sf
from .ntk import Q, Q_mp, logQ

__all__ = [
    "BERNSTEIN_RATE",
    "on_probability",
    "on_probability_mp",
    "on_probability_bound",
    "on_probability_bound_mp",
    "log_on_probability",
    "log_on_probability_bound",
    "log_threshold",
    "log_count_pmf",
    "log_failure_probability",
    "log_union_failure_probability",
    "log_frobenius_bound",
    "log_training_bound",
    "log_training_failure_probability",
    "threshold",
    "count_pmf",
    "count_sf",
    "count_sf_mp",
    "log_count_sf",
    "exact_tail",
    "exact_tail_mp",
    "log_exact_tail",
    "bernstein_exponent",
    "failure_probability",
    "failure_probability_mp",
    "union_failure_probability",
    "frobenius_identity",
    "frobenius_bound",
    "training_bound",
    "training_failure_probability",
    "training_failure_probability_mp",
]

BERNSTEIN_RATE = 3.0 / 16.0  # the 3/16 of Lemma A.18


def _mB(m, B, symmetric: bool) -> tuple[int, float]:
    m = v.even_int("m", m) if symmetric else v.positive_int("m", m)
    return m, v.bias(B)


def _trials(m: int, symmetric: bool) -> int:
    """Independent Bernoulli trials behind a count: m, or m/2 under symmetric init."""
    return m // 2 if symmetric else m


def on_probability(B: float) -> float:
    """P[<w_r, x_i> >= B] = Q(B) for w_r ~ N(0, I_d) and a unit x_i (Lemma A.18)."""
    return float(Q(v.bias(B)))


def on_probability_mp(B: float, dps: int = 50):
    """mpmath twin of :func:`on_probability`."""
    dps = v.dps(dps)
    return Q_mp(v.bias(B), dps)


def log_on_probability(B: float) -> float:
    """log Q(B), finite for every B (Q(B) underflows past B ~ 38.5)."""
    return float(logQ(v.bias(B)))


def on_probability_bound(B: float) -> float:
    """Q(B) <= exp(-B^2/2) / 2 (the Chernoff bound used by Lemma A.18)."""
    B = v.bias(B)
    return 0.5 * math.exp(-B * B / 2)


def on_probability_bound_mp(B: float, dps: int = 50):
    dps = v.dps(dps)
    B = v.bias(B)
    with mp.workdps(dps):
        return mp.exp(-mp.mpf(B) ** 2 / 2) / 2


def log_on_probability_bound(B: float) -> float:
    """log of :func:`on_probability_bound`: -B^2/2 - log 2."""
    B = v.bias(B)
    return -B * B / 2 - math.log(2.0)


def threshold(m: int, B: float) -> float:
    """m exp(-B^2/2), the count threshold of Lemma A.18."""
    m, B = v.positive_int("m", m), v.bias(B)
    return m * math.exp(-B * B / 2)


def log_threshold(m: int, B: float) -> float:
    """log of :func:`threshold`: log m - B^2/2."""
    m, B = v.positive_int("m", m), v.bias(B)
    return math.log(m) - B * B / 2


def _k(name: str, k) -> int:
    if isinstance(k, (int, np.integer)) and not isinstance(k, bool):
        return int(k)
    if isinstance(k, float) and k.is_integer():
        return int(k)
    v.fail(name, k, f"{name} an integer")
    raise AssertionError  # unreachable


def count_pmf(k: int, m: int, B: float, symmetric: bool = False) -> float:
    """P[|S_on(i, 0)| = k]: Binomial(m, Q(B)), or 2 Binomial(m/2, Q(B)) when symmetric
    (then odd k have probability 0)."""
    symmetric = v.boolean("symmetric", symmetric)
    m, B = _mB(m, B, symmetric)
    k = _k("k", k)
    if symmetric:
        return 0.0 if k % 2 else float(stats.binom.pmf(k // 2, m // 2, on_probability(B)))
    return float(stats.binom.pmf(k, m, on_probability(B)))


def log_count_pmf(k: int, m: int, B: float, symmetric: bool = False) -> float:
    """log of :func:`count_pmf` (-inf where the probability is 0), from log Q(B)."""
    symmetric = v.boolean("symmetric", symmetric)
    m, B = _mB(m, B, symmetric)
    k = _k("k", k)
    if symmetric:
        if k % 2:
            return -math.inf
        k, m = k // 2, m // 2
    if not 0 <= k <= m:
        return -math.inf
    lq = float(logQ(B))
    l1q = float(logQ(-B))  # log(1 - Q(B)) = log Phi(B)
    return math.lgamma(m + 1) - math.lgamma(k + 1) - math.lgamma(m - k + 1) + k * lq + (m - k) * l1q


def count_sf(k: float, m: int, B: float, symmetric: bool = False) -> float:
    """P[|S_on(i, 0)| >= k] for a real threshold k (the count is an integer, so this is
    P[count >= ceil(k)]), from the binomial survival function."""
    symmetric = v.boolean("symmetric", symmetric)
    m, B = _mB(m, B, symmetric)
    k = v.real("k", k)
    N = _trials(m, symmetric)
    j = math.ceil(k / 2) if symmetric else math.ceil(k)  # 2 X >= k  <=>  X >= ceil(k / 2)
    if j > N:  # also keeps a k such as 1e300 from reaching scipy as a Python object
        return 0.0
    if j <= 0:
        return 1.0
    return float(stats.binom.sf(j - 1, N, on_probability(B)))


def log_count_sf(k: float, m: int, B: float, symmetric: bool = False) -> float:
    """log P[|S_on(i, 0)| >= k]; finite far beyond the double-precision range of
    :func:`count_sf` (m up to 1e6 at B = 0 gives tails like 2^-1e6)."""
    symmetric = v.boolean("symmetric", symmetric)
    m, B = _mB(m, B, symmetric)
    k = v.real("k", k)
    N = _trials(m, symmetric)
    j = math.ceil(k / 2) if symmetric else math.ceil(k)
    if j <= 0:
        return 0.0
    if j > N:
        return -math.inf
    return log_binomial_sf(j, N, float(logQ(B)))


def count_sf_mp(k: float, m: int, B: float, symmetric: bool = False, dps: int = 50):
    """mpmath twin of :func:`count_sf`: the sum of the binomial terms from ceil(k) up,
    by the ratio recurrence, stopped when the rest is below 10^-(dps+5) of the sum
    (the terms decrease geometrically past the mode). Meant for N up to about 1e5."""
    dps = v.dps(dps)
    symmetric = v.boolean("symmetric", symmetric)
    m, B = _mB(m, B, symmetric)
    k = v.real("k", k)
    N = _trials(m, symmetric)
    j = math.ceil(k / 2) if symmetric else math.ceil(k)
    if j <= 0:
        return mp.mpf(1)
    if j > N:
        return mp.mpf(0)
    # work budget: the recurrence walks from j to past the mode, then ~sqrt(N) terms of decay
    v.work("m", m, (max(0.0, (N + 1) * on_probability(B) - j)
                    + 20.0 * math.sqrt(N + 1.0) * math.sqrt(dps + 10)) * (dps + 10))
    with mp.workdps(dps + 10):
        p = on_probability_mp(B, dps + 10)
        odds = p / (1 - p)
        term = mp.binomial(N, j) * p**j * (1 - p) ** (N - j)
        total = term
        eps = mp.mpf(10) ** (-(dps + 5))
        mode = (N + 1) * p
        for i in range(j, N):
            term *= (N - i) * odds / (i + 1)
            total += term
            ratio = (N - i - 1) * odds / (i + 2)
            if i + 1 > mode and ratio < 1 and term * ratio / (1 - ratio) < eps * total:
                break
        return +total


def _positive_threshold(m: int, B: float) -> float:
    """m e^{-B^2/2} for the tail functions. It is positive, so "count >= it" means count >= 1
    at least; past B ~ 38.6 it underflows to 0.0, which would turn the tail into P[count >= 0] = 1:
    1 (any number in (0, 1] has the same ceiling) stands in for it then."""
    thr = threshold(m, B)
    return thr if thr > 0 else 1.0


def exact_tail(m: int, B: float, symmetric: bool = False) -> float:
    """The exact P[|S_on(i, 0)| >= m e^{-B^2/2}] (left side of Lemma A.18)."""
    symmetric = v.boolean("symmetric", symmetric)
    return count_sf(_positive_threshold(m, B), m, B, symmetric)


def log_exact_tail(m: int, B: float, symmetric: bool = False) -> float:
    """log of :func:`exact_tail`, finite for every B (m up to 1e6)."""
    symmetric = v.boolean("symmetric", symmetric)
    return log_count_sf(_positive_threshold(m, B), m, B, symmetric)


def exact_tail_mp(m: int, B: float, symmetric: bool = False, dps: int = 50):
    """mpmath twin of :func:`exact_tail` (the threshold itself in mpmath as well)."""
    dps = v.dps(dps)
    symmetric = v.boolean("symmetric", symmetric)
    m, B = _mB(m, B, symmetric)
    with mp.workdps(dps):
        thr = m * mp.exp(-mp.mpf(B) ** 2 / 2)
        k = int(mp.ceil(thr))
    return count_sf_mp(k, m, B, symmetric, dps)


def bernstein_exponent(m: int, B: float, symmetric: bool = False, rate: float | None = None) -> float:
    """(3/16) m' e^{-B^2/2} (m' = m, or m/2 when symmetric): minus the log of Lemma A.18's
    failure probability. ``rate`` replaces 3/16 (for the mutants)."""
    symmetric = v.boolean("symmetric", symmetric)
    m, B = _mB(m, B, symmetric)
    rate = BERNSTEIN_RATE if rate is None else v.positive("rate", rate)
    return rate * _trials(m, symmetric) * math.exp(-B * B / 2)


def failure_probability(m: int, B: float, symmetric: bool = False, rate: float = BERNSTEIN_RATE) -> float:
    """Lemma A.18's Bernstein bound exp(-(3/16) m' e^{-B^2/2}), m' = m or m/2 (symmetric).
    ``rate`` replaces 3/16 (for the mutants; the lemma is rate = 3/16)."""
    symmetric = v.boolean("symmetric", symmetric)
    return math.exp(-bernstein_exponent(m, B, symmetric, rate))


def failure_probability_mp(m: int, B: float, symmetric: bool = False, dps: int = 50):
    dps = v.dps(dps)
    symmetric = v.boolean("symmetric", symmetric)
    m, B = _mB(m, B, symmetric)
    with mp.workdps(dps):
        return mp.exp(-mp.mpf(3) / 16 * _trials(m, symmetric) * mp.exp(-mp.mpf(B) ** 2 / 2))


def log_failure_probability(m: int, B: float, symmetric: bool = False, rate: float = BERNSTEIN_RATE) -> float:
    """log of :func:`failure_probability`: -(3/16) m' e^{-B^2/2}."""
    return -bernstein_exponent(m, B, symmetric, rate)


def union_failure_probability(n: int, m: int, B: float, symmetric: bool = False) -> float:
    """Over all n inputs: P[exists i: |S_on(i, 0)| >= m e^{-B^2/2}] <= n exp(-(3/16) m' e^{-B^2/2})
    (capped at 1)."""
    symmetric = v.boolean("symmetric", symmetric)
    n = v.positive_int("n", n)
    return min(1.0, n * failure_probability(m, B, symmetric))


def log_union_failure_probability(n: int, m: int, B: float, symmetric: bool = False) -> float:
    """log of :func:`union_failure_probability`: min(0, log n - (3/16) m' e^{-B^2/2})."""
    n = v.positive_int("n", n)
    return min(0.0, math.log(n) + log_failure_probability(m, B, symmetric))


def frobenius_identity(counts, m: int):
    """||Z(0)||_F^2 = (2/m) sum_i |S_on(i, 0)| for unit inputs and a_r^2 = 1 (section 3).

    ``counts`` of shape (n,) gives a float; shape (draws, n) gives one value per draw."""
    m = v.positive_int("m", m)
    c = v.array("counts", counts, min_size=0, finite_=False)
    v.finite("counts", c)
    if np.any(c < 0) or np.any(c > m) or np.any(c != np.round(c)):
        v.fail("counts", c, f"integers in [0, m = {m}]")
    out = 2.0 * c.sum(axis=-1) / m if c.ndim > 1 else 2.0 * float(c.sum()) / m
    return out


def frobenius_bound(n: int, B: float) -> float:
    """The by-product of Lemma A.18: ||Z(0)||_F^2 <= 2 n exp(-B^2/2) on the union event."""
    n, B = v.positive_int("n", n), v.bias(B)
    return 2.0 * n * math.exp(-B * B / 2)


def log_frobenius_bound(n: int, B: float) -> float:
    """log of :func:`frobenius_bound`: log(2n) - B^2/2."""
    n, B = v.positive_int("n", n), v.bias(B)
    return math.log(2.0 * n) - B * B / 2


def training_bound(m: int, B: float, R: float, c: float = C_PAPER) -> float:
    """Lemma A.19: |S_on(i, t)| <= (1 + 2 c R) m e^{-B^2/2}, for 0 < R <= 1/B."""
    m, B = v.positive_int("m", m), v.bias(B)
    R = v.radius(B, R)
    return (1.0 + 2.0 * v.positive("c", c) * R) * m * math.exp(-B * B / 2)


def log_training_bound(m: int, B: float, R: float, c: float = C_PAPER) -> float:
    """log of :func:`training_bound`: log(1 + 2cR) + log m - B^2/2."""
    m, B = v.positive_int("m", m), v.bias(B)
    R = v.radius(B, R)
    return math.log1p(2.0 * v.positive("c", c) * R) + math.log(m) - B * B / 2


def training_failure_probability(n: int, m: int, B: float, R: float, symmetric: bool = False) -> float:
    """n exp(-(3/16) m' e^{-B^2/2}) + n exp(-3 m' c R e^{-B^2/2} / 8), m' = m or m/2
    (the two events of Lemma A.18 and Corollary A.4.1), capped at 1."""
    symmetric = v.boolean("symmetric", symmetric)
    n = v.positive_int("n", n)
    m, B = _mB(m, B, symmetric)
    R = v.radius(B, R)
    mm = _trials(m, symmetric)
    first = n * failure_probability(m, B, symmetric)
    second = n * math.exp(-3.0 * mm * flip_q(B, R) / 8.0)
    return min(1.0, first + second)


def log_training_failure_probability(n: int, m: int, B: float, R: float, symmetric: bool = False) -> float:
    """log of :func:`training_failure_probability` (a log-sum-exp of the two events' logs,
    capped at 0)."""
    n = v.positive_int("n", n)
    m, B = _mB(m, B, symmetric)
    R = v.radius(B, R)
    mm = _trials(m, symmetric)
    a = math.log(n) + log_failure_probability(m, B, symmetric)
    b = math.log(n) - 3.0 * mm * flip_q(B, R) / 8.0
    top = max(a, b)
    return min(0.0, top + math.log1p(math.exp(min(a, b) - top)))


def training_failure_probability_mp(n: int, m: int, B: float, R: float, symmetric: bool = False,
                                    dps: int = 50):
    dps = v.dps(dps)
    symmetric = v.boolean("symmetric", symmetric)
    n = v.positive_int("n", n)
    m, B = _mB(m, B, symmetric)
    R = v.radius(B, R)
    mm = _trials(m, symmetric)
    with mp.workdps(dps):
        c = 4 * mp.e**2 / mp.sqrt(2 * mp.pi)
        e = mp.exp(-mp.mpf(B) ** 2 / 2)
        tot = n * mp.exp(-mp.mpf(3) / 16 * mm * e) + n * mp.exp(-3 * mm * c * mp.mpf(R) * e / 8)
        return min(mp.mpf(1), tot)
