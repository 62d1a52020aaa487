"""Registered claims of the restricted-eigenvalue module about H_inf itself (Section 2, the
bias-generalized NTK): H_inf is the entrywise limit of the empirical kernel H(0) at
initialization, with an explicit m^{-1/2} rate for ||H(0) - H_inf||_F, and their mutants.

The kernel's restricted eigenvalue (Definition 3.11, Theorem 3.12 and its proof chain,
Lemma A.1) is in :mod:`.restricted_eigenvalue`, whose data domain law (``_clamp``) and weight
seed (``_net_seed``) these claims share. Both files register in the namespace
``restricted_eigenvalue``; the store loads this one right after that one (the claims package
is imported in name order), so the registration order is the order of the statements.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from bounds import restricted_eigenvalue as re_

from ..estimators import restricted_eigenvalue as mc
from ..registry import Choice, Claim, Domain, Int, LogUniform, Measurement, Seed, Uniform, mutant, register
from ..sim.data import FAMILIES, dataset
from ..sim.stats import ALPHA, clopper_pearson, detectable_proportion, detectable_quantile, quantile_limits
from .restricted_eigenvalue import MODULE, _clamp, _net_seed

# ------------------------------------------------ Section 2: H_inf is the limit of H(0), entrywise
# Under the standard initialization H_ij(0) m / (rho_ij + 1) counts the neurons active on both x_i
# and x_j: exactly Binomial(m, p(rho_ij, B)) (p_ii = Q(B)). Every pair i <= j with rho_ij > -1 is
# checked with a two-sided Clopper-Pearson interval at ALPHA / (number of pairs) (a union bound over
# the pairs); the measurement reports the pair farthest from its p_ij relative to its interval.
H_SECTION = "Section 2 (bias-generalized NTK H_inf)"
ENTRY_DOMAIN = Domain({"family": Choice(*FAMILIES), "n": Int(2, 8), "d": Int(1, 16), "B": Uniform(0.0, 3.0),
                       "m": LogUniform(16, 20_000), "seed": Seed()},
                      lambda p: {**_clamp(p), "m": max(1, int(round(p["m"])))})


@lru_cache(maxsize=64)
def _entrywise(family: str, n: int, d: int, seed: int, B: float, m: int, independent: bool) -> tuple:
    X = dataset(family, n, d, seed)
    H0 = mc.empirical_ntk_draws(X, B, m, 1, _net_seed(seed))[0]
    rho = np.clip(X @ X.T, -1.0, 1.0)
    P = re_.pair_matrix(X, B)
    if independent:  # the mutant: activations on x_i and x_j taken as independent
        P = np.full_like(P, re_.p0(B) ** 2)
        np.fill_diagonal(P, re_.p0(B))
    pairs = [(i, j) for i in range(n) for j in range(i, n) if rho[i, j] + 1 > 1e-9]
    alpha = ALPHA / len(pairs)
    worst = None
    for i, j in pairs:
        k = int(round(H0[i, j] * m / (rho[i, j] + 1)))
        lo, hi = clopper_pearson(k, m, alpha=alpha)
        pij = float(P[i, j])
        est = k / m
        side = (pij - est) / max(hi - est, 1e-300) if pij >= est else (est - pij) / max(est - lo, 1e-300)
        if worst is None or side > worst[0]:
            worst = (side, est, lo, hi, pij, i, j, alpha)
    return worst + (len(pairs),)


def _entry_args(p, independent=False):
    return (p["family"], p["n"], p["d"], p["seed"], p["B"], p["m"], independent)


def _entry_measure(independent: bool):
    def measure(p) -> Measurement:
        """The pair farthest from p(rho_ij, B) relative to its Clopper-Pearson interval."""
        _, est, lo, hi, pij, i, j, alpha, k = _entrywise(*_entry_args(p, independent))
        det = min(detectable_proportion(pij, p["m"], alpha / 2, "<="), detectable_proportion(pij, p["m"], alpha / 2, ">="))
        return Measurement(est, lo, hi, {"pair": f"{i},{j}", "pairs": k, "draws": p["m"],
                                         "detectable": float(det) if math.isfinite(det) else math.inf})
    return measure


entrywise = register(Claim(
    module=MODULE, claim_id="h_inf_entrywise", reference=H_SECTION,
    statement="H_ij(0) m / (rho_ij + 1) ~ Binomial(m, p(rho_ij, B)) for every pair (standard init): the two-sided "
    "Clopper-Pearson interval of every pair (at ALPHA / number of pairs) contains p(rho_ij, B) (H_inf_ij = "
    "(rho_ij + 1) p(rho_ij, B) is the entrywise limit)", kind="identity", sense="==",
    measure=_entry_measure(False), bound=lambda p: _entrywise(*_entry_args(p))[4], domain=ENTRY_DOMAIN,
    rtol=0.0, weight=0.3))
mutant(entrywise, "mutant_h_inf_independent_activations",
       "H_inf with the activations on x_i and x_j taken as independent, p_ij = Q(B)^2: false for correlated pairs",
       measure=_entry_measure(True), bound=lambda p: _entrywise(*_entry_args(p, True))[4],
       domain=Domain({**ENTRY_DOMAIN.specs, "family": Choice("clusters"), "m": LogUniform(2000, 20_000)},
                     ENTRY_DOMAIN.derive))


# The m^{-1/2} decay with its constant. The entrywise law gives exactly
# E ||H(0) - H_inf||_F^2 = V / m, V = sum_{i,j} (rho_ij + 1)^2 p_ij (1 - p_ij) (standard init), so by
# Markov, with probability >= 1 - delta, ||H(0) - H_inf||_F <= sqrt(V / (delta m)): an explicit
# O(m^{-1/2}) bound for every m. Checked in quantile form on m ||H(0) - H_inf||_F^2 / V (bound 1/delta).
DECAY_DRAWS = 300
DECAY_DOMAIN = Domain({"family": Choice(*FAMILIES), "n": Int(2, 8), "d": Int(1, 16), "B": Uniform(0.0, 3.0),
                       "m": LogUniform(16, 4000), "delta": Uniform(0.05, 0.5), "seed": Seed()},
                      lambda p: {**_clamp(p), "m": max(1, int(round(p["m"])))})


@lru_cache(maxsize=64)
def _decay_values(family: str, n: int, d: int, seed: int, B: float, m: int) -> np.ndarray:
    """m ||H(0) - H_inf||_F^2 / V over DECAY_DRAWS independent standard initializations."""
    X = dataset(family, n, d, seed)
    rho = np.clip(X @ X.T, -1.0, 1.0)
    P = re_.pair_matrix(X, B)
    H_inf = (rho + 1) * P
    V = float(np.sum((rho + 1) ** 2 * P * (1 - P)))
    H0 = mc.empirical_ntk_draws(X, B, m, DECAY_DRAWS, _net_seed(seed))
    return m * np.sum((H0 - H_inf) ** 2, axis=(1, 2)) / V


def _decay(p) -> Measurement:
    """(1 - delta)-quantile of m ||H(0) - H_inf||_F^2 / V with order-statistic limits."""
    vals = _decay_values(p["family"], p["n"], p["d"], p["seed"], p["B"], p["m"])
    q = 1 - p["delta"]
    lo, hi = quantile_limits(vals, q)
    return Measurement(float(np.quantile(vals, q, method="inverted_cdf")), lo, hi,
                       {"quantile_level": q, "draws": DECAY_DRAWS, "mean": float(vals.mean()),
                        "detectable": float(detectable_quantile(DECAY_DRAWS, q))})


decay = register(Claim(
    module=MODULE, claim_id="h_inf_frobenius_decay", reference=H_SECTION,
    statement="||H(0) - H_inf||_F <= sqrt(V / (delta m)) with probability >= 1 - delta, V = sum_ij (rho_ij + 1)^2 "
    "p_ij (1 - p_ij) (E ||H(0) - H_inf||_F^2 = V/m exactly; Markov): the (1 - delta)-quantile of "
    "m ||H(0) - H_inf||_F^2 / V over 300 draws <= 1/delta", kind="bound", sense="<=", measure=_decay,
    bound=lambda p: 1 / p["delta"], domain=DECAY_DOMAIN, rtol=0.0, weight=0.1))
mutant(decay, "mutant_frobenius_decay_m_inverse",
       "||H(0) - H_inf||_F = O(1/m) (exponent -1 in place of -1/2): the quantile of m ||H(0) - H_inf||_F^2 / V "
       "does not shrink like 1/m", bound=lambda p: 1 / (p["delta"] * p["m"]))
mutant(decay, "mutant_frobenius_decay_mean_level",
       "||H(0) - H_inf||_F^2 <= V/m (its mean) with probability >= 1 - delta: the upper quantiles exceed the mean",
       bound=lambda p: 1.0, domain=Domain({**DECAY_DOMAIN.specs, "delta": Uniform(0.05, 0.1)}, DECAY_DOMAIN.derive))
