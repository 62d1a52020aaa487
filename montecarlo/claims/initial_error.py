"""Registered claims of the initial-error module (Lemma 3.5 = Lemma A.10, FORMULAS.md section 2).

"With probability >= 1 - delta" claims measure the order-statistic limits of the
(1 - delta)-quantile of the sampled quantity (refuted when the lower limit exceeds the
bound: the exact binomial exceedance test in quantile form). With DRAWS = 2000 and
delta in [0.05, 0.99] there are N delta/2 >= 50 expected exceedances and N (1 - delta) >= 20
values below the quantile, above ln(1/alpha) ~ 16, so the lower limit always exists.

The lemma is stated for every delta in (0, 1). Below 0.05 the (1 - delta)-quantile needs
N >= 20 / delta draws; the ``*_small_delta`` claims sweep delta down to 1e-4 with that many
draws, on few inputs and with the width capped so that a point costs at most SMALL_DELTA_WORK
pre-activations (the range term 2 tau L / (3 sqrt m), which matters only there, is largest at
small m). delta above 0.99 (a quantile below the 1% level) is not swept.
"""

from __future__ import annotations

import math

import numpy as np

from bounds import initial_error as ie

from ..estimators import initial_error as mc
from ..sim import data
from ..sim.data import admissible_d, problem
from . import with_power
from ..registry import (Choice, Claim, Domain, Int, LogUniform, Measurement, Seed, Uniform, exact, exact_log, mutant, register)
from ..sim.seeding import spawn
from ..sim.stats import quantile_limits

MODULE = "initial_error"
REF = "Lemma 3.5 = Lemma A.10"

DRAWS = 2000  # initializations per quantile check
E1_DRAWS = 500  # initializations per estimate of P[not E1]
LABELS = Choice(*data.LABELS)
FAMILIES = Choice("random", "clusters", "orthonormal")


def _derive(p):
    """m drawn log-uniformly then rounded; orthonormal data need n <= d (d is raised)."""
    p["m"] = max(1, int(round(p["m"])))
    p["d"] = admissible_d(p["family"], p["n"], p["d"])
    p.setdefault("draws", DRAWS)
    return p


MC_DOMAIN = Domain({"n": Int(1, 16), "d": Int(1, 16), "m": LogUniform(1, 2048), "B": Uniform(0.0, 4.0),
                    "delta": LogUniform(0.05, 0.99), "labels": LABELS, "family": FAMILIES, "seed": Seed()},
                   _derive)
SMALL_DELTA_WORK = 20_000_000  # pre-activations (draws x m x min(n, d)) per small-delta point


def _small_delta(p):
    """Small delta: enough draws for N delta >= 20 expected exceedances; the width is capped
    so that draws x m x min(n, d) <= SMALL_DELTA_WORK (at delta = 1e-4, m <= 100 for one input)."""
    p = _derive(p)
    p["draws"] = int(math.ceil(20 / p["delta"]))
    p["m"] = max(1, min(p["m"], SMALL_DELTA_WORK // (p["draws"] * min(p["n"], p["d"]))))
    return p


SMALL_DELTA_CLAIM_DOMAIN = Domain({"n": Int(1, 4), "d": Int(1, 8), "m": LogUniform(1, 1024), "B": Uniform(0.0, 4.0),
                                   "delta": LogUniform(1e-4, 0.05), "labels": LABELS, "family": FAMILIES,
                                   "seed": Seed()}, _small_delta)
SMALL_DELTA_DOMAIN = Domain({"n": Int(1, 2), "d": Int(1, 4), "m": LogUniform(1, 16), "B": Uniform(2.5, 3.5),
                             "delta": LogUniform(1e-4, 3e-4), "labels": LABELS, "family": FAMILIES,
                             "seed": Seed()}, _small_delta)


def _labels_only(p):
    p["m"] = max(1, int(round(p["m"])))
    return p


EXACT_DOMAIN = Domain({"n": Int(1, 1000), "m": LogUniform(1, 1e6), "B": Uniform(0.0, 12.0),
                       "delta": LogUniform(1e-6, 0.999), "labels": LABELS, "seed": Seed()}, _labels_only)
V_DOMAIN = Domain({"B": Uniform(0.0, 200.0)})  # v(B) underflows past B ~ 38: log forms on both sides


# ------------------------------------------------------------------------ measurements
def _problem(p):
    return problem(p["n"], p["d"], p["family"], p["labels"], p["seed"])


def _labels(p) -> np.ndarray:
    """The labels of the parameters (the same as :func:`_problem`'s, without the data)."""
    return problem(p["n"], 1, "random", p["labels"], p["seed"])[1]


def _draw_seed(p):
    return spawn(p["seed"], "weights")


def _quantile(values, q: float, **detail) -> Measurement:
    lo, hi = quantile_limits(values, q)
    qv = float(np.quantile(values, q, method="inverted_cdf"))
    return Measurement(qv, lo, hi, {"quantile_level": q, **detail})


def _error_quantile(p) -> Measurement:
    """(1 - delta)-quantile of sampled ||f(0) - y||^2, with order-statistic limits."""
    X, y = _problem(p)
    e = mc.error_values(X, y, p["m"], p["B"], p["draws"], _draw_seed(p))
    return _quantile(e, 1 - ie.error_tail(p["delta"]), draws=p["draws"], mean=float(e.mean()))


def _norm_quantile_zero_labels(p) -> Measurement:
    """(1 - delta)-quantile of ||f(0)||^2 (labels y = 0)."""
    X, _ = _problem(p)
    e = mc.error_values(X, np.zeros(p["n"]), p["m"], p["B"], p["draws"], _draw_seed(p))
    return _quantile(e, 1 - ie.error_tail(p["delta"]), draws=p["draws"], mean=float(e.mean()))


def _bernstein_quantile(truncated: bool):
    def measure(p) -> Measurement:
        """(1 - delta/2)-quantile of max_i |f_i(0)| (z truncated at tau when asked)."""
        X, _ = _problem(p)
        t = ie.tau(p["m"], p["n"], p["delta"])
        s = mc.sample(X, np.zeros(p["n"]), p["m"], p["B"], p["draws"], _draw_seed(p),
                      tau=t if truncated else None)
        vals = s.fmax_trunc if truncated else s.fmax
        return _quantile(vals, 1 - ie.bernstein_tail(p["delta"]), draws=p["draws"])
    return measure


def _e1_failure(tau_fn):
    def measure(p) -> Measurement:
        """P[max_{i,r} |<w_r, x_i>| > tau] with Clopper-Pearson limits."""
        X, _ = _problem(p)
        est = mc.e1_failure(X, p["m"], tau_fn(p), E1_DRAWS, _draw_seed(p))
        return Measurement(est.value, est.lower, est.upper, {"draws": est.samples, "hits": est.hits})
    return measure


def _tau(p) -> float:
    return ie.tau(p["m"], p["n"], p["delta"])


def _half_delta(p) -> float:
    return ie.e1_tail(p["delta"])


def _tight(p) -> float:
    y = _labels(p)
    return ie.E0_tight(y, p["m"], p["n"], p["delta"], p["B"])


def _paper(p) -> float:
    y = _labels(p)
    return ie.E0_paper(y, p["m"], p["n"], p["delta"], p["B"])


def _bern(p) -> float:
    return ie.bernstein_bound(p["m"], p["n"], p["delta"], p["B"])


def _tight_no_tau_term(p) -> float:
    y = _labels(p)
    b = math.sqrt(2 * ie.v(p["B"]) * ie.L(p["n"], p["delta"]))
    return math.fsum((np.abs(y) + b) ** 2)


# ------------------------------------------------------------------------------ claims
tight = register(Claim(
    module=MODULE, claim_id="lemma_A10_tight", reference=REF,
    statement="With probability >= 1 - delta, ||f(0) - y||^2 <= E0_tight = sum_i (|y_i| + sqrt(2 v(B) L) "
    "+ 2 tau L / (3 sqrt m))^2: lower order-statistic limit of the (1 - delta)-quantile <= E0_tight",
    kind="bound", sense="<=", measure=with_power(_error_quantile, _tight, "<=", "quantile"), bound=_tight, domain=MC_DOMAIN, rtol=0.0, weight=0.15))

register(Claim(
    module=MODULE, claim_id="lemma_A10_paper", reference=REF,
    statement="With probability >= 1 - delta, ||f(0) - y||^2 <= E0_paper = 2 ||y||^2 + 4 n e^{-B^2/2} L "
    "+ (32/9) n log(2mn/delta) L^2 / m (quantile form)",
    kind="bound", sense="<=", measure=with_power(_error_quantile, _paper, "<=", "quantile"), bound=_paper, domain=MC_DOMAIN, rtol=0.0, weight=0.15))

tight_small = register(Claim(
    module=MODULE, claim_id="lemma_A10_tight_small_delta", reference=REF,
    statement="lemma_A10_tight for delta in [1e-4, 0.05] (N = 20/delta draws; width capped by the work per "
    "point): lower order-statistic limit of the (1 - delta)-quantile of ||f(0) - y||^2 <= E0_tight",
    kind="bound", sense="<=", measure=with_power(_error_quantile, _tight, "<=", "quantile"), bound=_tight,
    domain=SMALL_DELTA_CLAIM_DOMAIN, rtol=0.0, weight=0.08))

register(Claim(
    module=MODULE, claim_id="lemma_A10_paper_small_delta", reference=REF,
    statement="lemma_A10_paper for delta in [1e-4, 0.05] (N = 20/delta draws; width capped by the work per "
    "point): lower order-statistic limit of the (1 - delta)-quantile of ||f(0) - y||^2 <= E0_paper",
    kind="bound", sense="<=", measure=with_power(_error_quantile, _paper, "<=", "quantile"), bound=_paper,
    domain=SMALL_DELTA_CLAIM_DOMAIN, rtol=0.0, weight=0.05))

not_e1 = register(Claim(
    module=MODULE, claim_id="not_E1", reference=f"{REF} (event E1)",
    statement="P[max_{i,r} |<w_r, x_i>| > tau] <= delta/2, tau = sqrt(2 log(2mn/delta)): Clopper-Pearson "
    "lower limit <= delta/2", kind="link", sense="<=", measure=with_power(_e1_failure(_tau), _half_delta, "<=", "proportion"),
    bound=_half_delta,
    domain=MC_DOMAIN, rtol=0.0, weight=0.05))

bernstein = register(Claim(
    module=MODULE, claim_id="bernstein_per_input", reference=f"{REF} (Bernstein step)",
    statement="With probability >= 1 - delta/2, |f_i(0)| <= sqrt(2 v L) + 2 tau L / (3 sqrt m) for all i "
    "(quantile form on max_i |f_i(0)|)", kind="link", sense="<=", measure=with_power(_bernstein_quantile(False), _bern, "<=", "quantile"),
    bound=lambda p: ie.bernstein_bound(p["m"], p["n"], p["delta"], p["B"]), domain=MC_DOMAIN, rtol=0.0, weight=0.15))

register(Claim(
    module=MODULE, claim_id="bernstein_truncated", reference=f"{REF} (Bernstein step, truncated terms)",
    statement="The proof's exact statement: with z_{i,r} clipped to [-tau, tau], |sum_r z_{i,r}| / sqrt(m) "
    "<= sqrt(2 v L) + 2 tau L / (3 sqrt m) for all i with probability >= 1 - delta/2",
    kind="link", sense="<=", measure=with_power(_bernstein_quantile(True), _bern, "<=", "quantile"),
    bound=lambda p: ie.bernstein_bound(p["m"], p["n"], p["delta"], p["B"]), domain=MC_DOMAIN, rtol=0.0, weight=0.05))

register(Claim(
    module=MODULE, claim_id="tight_le_paper", reference=f"{REF} (chain)",
    statement="E0_tight <= E0_paper for all n <= 1000, m <= 1e6, B <= 12, 1e-6 <= delta < 1, |y_i| <= 1",
    kind="link", sense="<=", measure=lambda p: exact(_tight(p)), bound=_paper, domain=EXACT_DOMAIN, rtol=1e-12))

v_bound = register(Claim(
    module=MODULE, claim_id="v_bound", reference=f"{REF} (variance)",
    statement="v(B) = E[(Z - B)_+^2] <= exp(-B^2/2) / 2 (equality at B = 0)",
    kind="link", sense="<=", measure=lambda p: exact_log(ie.log_v(p["B"])), bound=lambda p: ie.v_bound(p["B"]), domain=V_DOMAIN, rtol=1e-12,
    log_bound=lambda p: ie.log_v_bound(p["B"]), tight_constant=1.0, measure_mp=lambda p: ie.v_mp(p["B"])))

# ---------------------------------------------------------------- mutants (false variants)
mutant(tight, "mutant_quarter_mean",
       "with y = 0, E ||f(0)||^2 = n v(B), so ||f(0)||^2 <= n v(B) / 4 fails with probability "
       "far above delta", measure=_norm_quantile_zero_labels, bound=lambda p: p["n"] * ie.v(p["B"]) / 4)
mutant(tight_small, "mutant_no_tau_term",
       "E0_tight without the Bernstein range term 2 tau L / (3 sqrt m): false for small m and "
       "delta, where f_i(0) is a few rare large terms (for delta >= 0.05 falsify finds no "
       "counterexample: there the term is slack)",
       bound=_tight_no_tau_term, domain=SMALL_DELTA_DOMAIN)
mutant(v_bound, "mutant_v_exp_B2", "exp(-B^2) in place of exp(-B^2/2): v(B) ~ 2 phi(B) / B^3 is larger for B >= 3",
       bound=lambda p: math.exp(-p["B"] ** 2) / 2, log_bound=lambda p: -p["B"] ** 2 - math.log(2.0),
       tight_constant=None)
mutant(not_e1, "mutant_tau_no_union",
       "tau = sqrt(2 log(2/delta)) (the union bound over the m n pairs dropped)",
       measure=_e1_failure(lambda p: math.sqrt(2 * math.log(2 / p["delta"]))))
mutant(bernstein, "mutant_bernstein_no_L",
       "the Bernstein bound without the log factor L: sqrt(2 v) + 2 tau / (3 sqrt m)",
       bound=lambda p: math.sqrt(2 * ie.v(p["B"])) + 2 * _tau(p) / (3 * math.sqrt(p["m"])),
       domain=Domain({**MC_DOMAIN.specs, "m": LogUniform(16, 512), "B": Uniform(0.0, 1.0)}, _derive))


# ------------------------------------------------- the levels of the quantile checks
# The "with probability >= 1 - delta" checks measure a quantile at a level fixed in the
# measurement; these identities pin the level down where the law is known. With m = 1, n = 1,
# y = 0: f(0) = a (Z - B)_+ (a = +-1, Z standard normal), so ||f(0)||^2 has (1 - delta)-quantile
# (Q^{-1}(delta) - B)_+^2 and max_i |f_i(0)| has (1 - delta/2)-quantile (Q^{-1}(delta/2) - B)_+.
# A revision checking another level (1 - 2 delta, 1 - delta/2 for the error, 1 - delta for the
# Bernstein step) puts the exact value outside the order-statistic interval.
def _single_neuron(p):
    p = _derive(p)
    p["m"], p["n"] = 1, 1
    return p


LEVEL_DOMAIN = Domain({"n": Int(1, 1), "d": Int(1, 4), "m": LogUniform(1, 1), "B": Uniform(0.0, 1.0),
                       "delta": Uniform(0.02, 0.07), "labels": LABELS, "family": FAMILIES, "seed": Seed()},
                      _single_neuron)


def _relu_quantile(p, tail: float) -> float:
    """(Q^{-1}(tail) - B)_+: the (1 - tail)-quantile of (Z - B)_+."""
    from scipy.stats import norm

    return max(0.0, float(norm.isf(tail)) - p["B"])


level_error = register(Claim(
    module=MODULE, claim_id="quantile_level_error", reference=f"{REF} (level of the quantile check)",
    statement="m = n = 1, y = 0: the order-statistic interval of the measured (1 - delta)-quantile of ||f(0)||^2 "
    "contains the exact (Q^{-1}(delta) - B)_+^2", kind="identity", sense="==",
    measure=with_power(_norm_quantile_zero_labels, lambda p: _relu_quantile(p, p["delta"]) ** 2, "==", "quantile"),
    bound=lambda p: _relu_quantile(p, p["delta"]) ** 2, domain=LEVEL_DOMAIN, rtol=0.0, weight=0.1))

level_bernstein = register(Claim(
    module=MODULE, claim_id="quantile_level_bernstein", reference=f"{REF} (level of the Bernstein quantile check)",
    statement="m = n = 1: the order-statistic interval of the measured (1 - delta/2)-quantile of max_i |f_i(0)| "
    "contains the exact Q^{-1}(delta/2) - B", kind="identity", sense="==",
    measure=with_power(_bernstein_quantile(False), lambda p: _relu_quantile(p, p["delta"] / 2), "==", "quantile"),
    bound=lambda p: _relu_quantile(p, p["delta"] / 2), domain=LEVEL_DOMAIN, rtol=0.0, weight=0.1))

mutant(level_error, "mutant_level_2delta",
       "the (1 - 2 delta)-quantile read as the (1 - delta)-quantile: ||f(0)||^2 exceeds (Q^{-1}(2 delta) - B)^2 "
       "with probability 2 delta", bound=lambda p: _relu_quantile(p, 2 * p["delta"]) ** 2)
mutant(level_bernstein, "mutant_level_delta",
       "the Bernstein step's 'with probability >= 1 - delta/2' checked at 1 - delta: max_i |f_i(0)| exceeds "
       "Q^{-1}(delta) - B with probability delta", bound=lambda p: _relu_quantile(p, p["delta"]))


# ------------------------------------------------- the log factor of the Bernstein step
def _bernstein_log4n(p) -> float:
    """sqrt(2 v L') + 2 tau L' / (3 sqrt m) with L' = log(4n): the failure probability delta dropped
    from the Bernstein step's log factor L = log(4n/delta)."""
    Lp = math.log(4 * p["n"])
    return math.sqrt(2 * ie.v(p["B"]) * Lp) + 2 * _tau(p) * Lp / (3 * math.sqrt(p["m"]))


# Large m (range term small), small B, delta <= 0.1, few inputs: there max_i |f_i(0)| is nearly
# Gaussian with sd sqrt(v(B)) and its (1 - delta/2)-quantile (>= 1.96 sd) exceeds sqrt(2 log 4n) sd.
LOG_DOMAIN = Domain({**MC_DOMAIN.specs, "n": Int(1, 2), "m": LogUniform(256, 2048), "B": Uniform(0.0, 1.0),
                     "delta": Uniform(0.05, 0.1)}, _derive)
mutant(bernstein, "mutant_bernstein_L_log4n",
       "the Bernstein step with L = log(4n) in place of log(4n/delta) (delta dropped inside the log)",
       bound=_bernstein_log4n, domain=LOG_DOMAIN)
mutant(tight, "mutant_E0_L_log4n",
       "E0_tight with L = log(4n) in place of log(4n/delta): with y = 0 and n = 1, ||f(0)||^2 is about "
       "v(B) chi^2_1, whose (1 - delta)-quantile (5.0 v to 5.9 v for delta in [0.015, 0.025]) exceeds "
       "2 v log 4 = 2.77 v plus a small range term (at delta = 0.05 the excess, 3.84 v against about 3.3 v, is "
       "within the 2000-draw interval)",
       measure=_norm_quantile_zero_labels,
       bound=lambda p: p["n"] * _bernstein_log4n(p) ** 2,
       domain=Domain({**LOG_DOMAIN.specs, "n": Int(1, 1), "delta": Uniform(0.015, 0.025)}, _derive))
