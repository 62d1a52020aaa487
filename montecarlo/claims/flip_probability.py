"""Registered claims of the flip-probability module (FORMULAS.md section 1).

Pattern every module follows: a Domain of raw parameters (seeds drawn like any other
parameter), pure bounds from ``bounds``, measurements from ``montecarlo`` (exact values
through :func:`exact`), and mutants registered with :func:`mutant` right after the claim
they falsify.
"""

from __future__ import annotations

import math

from bounds import flip_probability as fp

from ..estimators import flip_probability as mc
from . import with_power
from ..registry import (Choice, Claim, Domain, Int, LogUniform, Measurement, Seed, Uniform, exact, exact_log, mutant, register)

MODULE = "flip_probability"
REF = "Lemma 3.3 = Lemma A.4"
COR = "Corollary A.4.1"


def _radius(p):
    """R = R_frac / B inside the lemma's condition R <= 1/B (B < 0.1: R <= 10 <= 1/B)."""
    p["R"] = p["R_frac"] / max(p["B"], 0.1)
    return p


def _radius_beyond(p):
    """R = R_frac / max(B, 0.1) with R_frac > 1: outside the lemma's condition."""
    return _radius(p)


# B up to 200: the ratio p / (R e^{-B^2/2}) approaches its supremum 2.8938 only as B grows (2.8753 at
# B = 12, 2.8931 at 60, 2.8937 at 200), far past the underflow of both sides (B ~ 38): the
# measurement is exact_log and the bound has a log form, so the verdict is taken on logs.
LEMMA_DOMAIN = Domain({"B": Uniform(0.0, 200.0), "R_frac": LogUniform(1e-6, 1.0)}, _radius)
MC_DOMAIN = Domain({"B": Uniform(0.0, 4.0), "R_frac": LogUniform(1e-3, 1.0),
                    "d": Int(1, 64), "seed": Seed()}, _radius)
IS_DOMAIN = Domain({"B": Uniform(0.0, 12.0), "R_frac": LogUniform(1e-2, 1.0),
                    "d": Int(1, 64), "seed": Seed()}, _radius)


def _radius_possible(p):
    """R = R_frac * min(1/max(B, 0.1), (1 - 1e-9) e^{B^2/2} / (2c)): inside R <= 1/B and with
    2 q <= 1, so that |S_i| >= 2 m q is possible (beyond, its probability is exactly 0 and the
    check would compare 0 with an underflowed bound). m is made even under symmetric init."""
    # exp(min(., 700)): past B ~ 6 the second term is far above 1/B anyway (and e^{B^2/2} overflows at B ~ 37.7)
    cap = min(1.0 / max(p["B"], 0.1), (1 - 1e-9) * math.exp(min(p["B"] ** 2 / 2, 700.0)) / (2 * fp.C_PAPER))
    p["R"] = p["R_frac"] * cap
    if p.get("symmetric"):
        p["m"] = p["m"] + (p["m"] % 2)
    return p


# B up to 40: the exponent underflows past B ~ 38 and measured/bound reaches e^{800}
# at B = 40, so the verdicts are taken on logs (log_bound, exact log tail) and the report plots
# log10(measured / bound) from logs (reports/plots.py).
COR_DOMAIN = Domain({"B": Uniform(0.0, 40.0), "R_frac": LogUniform(1e-4, 1.0),
                     "m": Int(1, 100_000), "symmetric": Choice(False, True)}, _radius_possible)


def _radius_from_exponent(p):
    """R from the drawn exponent 3 m' q / 8 (m' = m, or m/2 when symmetric), capped as in
    :func:`_radius_possible`: the bound exp(-3 m' q / 8) stays above e^-20 instead of
    underflowing to 0, where 400 draws could only show 0 exceedances against 0."""
    p["m"] = p["m"] + (p["m"] % 2)
    mm = p["m"] // 2 if p["symmetric"] else p["m"]
    R = 8 * p["exponent"] / (3 * mm * fp.C_PAPER * math.exp(-p["B"] ** 2 / 2))
    cap = min(1.0 / max(p["B"], 0.1), (1 - 1e-9) * math.exp(p["B"] ** 2 / 2) / (2 * fp.C_PAPER))
    p["R"] = min(R, cap)
    return p


COR_MC_DOMAIN = Domain({"B": Uniform(0.0, 4.0), "exponent": LogUniform(1e-3, 20.0),
                        "m": Int(2, 2000), "symmetric": Choice(False, True), "seed": Seed()},
                       _radius_from_exponent)

MC_SAMPLES = 20_000
IS_SAMPLES = 20_000
COR_DRAWS = 400


def _exact(p) -> Measurement:
    """The exact p_flip by its log (finite for every B: p itself underflows past B ~ 38)."""
    return exact_log(fp.log_exact(p["B"], p["R"]))


def _exact_mp(p):
    return fp.exact_mp(p["B"], p["R"])


def _log_lemma(p) -> float:
    return fp.log_lemma_bound(p["B"], p["R"])


def _log_const(c: float):
    """log of c R e^{-B^2/2} for a constant c (the bound of Lemma A.4 with another constant)."""
    return lambda p: math.log(c) + math.log(p["R"]) - p["B"] ** 2 / 2


def _exact_value(p) -> float:
    return fp.exact(p["B"], p["R"])


def _lemma(p) -> float:
    return fp.lemma_bound(p["B"], p["R"])


def _estimate(est) -> Measurement:
    return Measurement(est.value, est.lower, est.upper,
                       {"samples": est.samples, "draws": est.samples, "hits": est.hits,
                                                        "rel_se": est.rel_se})


def _geometric(p) -> Measurement:
    return _estimate(mc.geometric(p["B"], p["R"], p["d"], MC_SAMPLES, p["seed"]))


def _importance(p) -> Measurement:
    return _estimate(mc.importance(p["B"], p["R"], p["d"], IS_SAMPLES, p["seed"]))


def _flip_set_exceedance(p) -> Measurement:
    """Fraction of draws with |S_i| >= 2 m q, with Clopper-Pearson limits."""
    from ..sim.stats import clopper_pearson

    sizes = mc.flip_set_sizes(p["m"], p["B"], p["R"], COR_DRAWS, p["seed"], p["symmetric"])
    k = int((sizes >= 2 * p["m"] * fp.flip_q(p["B"], p["R"])).sum())
    lo = clopper_pearson(k, COR_DRAWS, side="lower")[0]
    hi = clopper_pearson(k, COR_DRAWS, side="upper")[1]
    return Measurement(k / COR_DRAWS, lo, hi, {"draws": COR_DRAWS, "exceedances": k})


def _cor_failure(p) -> float:
    """exp(-3 m' q / 8), m' = m/2 under symmetric init (FORMULAS.md section 3)."""
    return fp.corollary_tail(p["m"], p["B"], p["R"], p.get("symmetric", False))


def _cor_exponent(p) -> float:
    return fp.corollary_exponent(p["m"], p["B"], p["R"], p.get("symmetric", False))


def _log_cor_exponent(p) -> float:
    """log(3 m' q / 8) = log(3 m' / 8) + log q (the exponent underflows past B ~ 38)."""
    mm = p["m"] // 2 if p.get("symmetric", False) else p["m"]
    return math.log(3 * mm / 8) + fp.log_lemma_bound(p["B"], p["R"])


def _neg_log_binomial_tail(p) -> Measurement:
    """-log P[|S_i| >= 2 m q], exact from the binomial law of |S_i| (log form: no underflow)."""
    lt = fp.log_binomial_tail(p["m"], p["B"], p["R"], p["symmetric"])
    return exact(-lt, log_tail=lt)


lemma = register(Claim(
    module=MODULE, claim_id="lemma_A4", reference=REF,
    statement="p_flip(B, R) <= c R exp(-B^2/2), c = 4 e^2/sqrt(2 pi), for 0 < R <= 1/B",
    kind="bound", sense="<=", measure=_exact, bound=_lemma, domain=LEMMA_DOMAIN, rtol=1e-12, log_bound=_log_lemma,
    tight_constant=fp.C_TIGHT / fp.C_PAPER, measure_mp=_exact_mp))

register(Claim(
    module=MODULE, claim_id="tight_constant", reference=f"{REF} (tightness)",
    statement="p_flip(B, R) <= (e^2 - e^-2)/sqrt(2 pi) R exp(-B^2/2) (the supremum, never attained)",
    kind="bound", sense="<=", measure=_exact, bound=lambda p: fp.tight_bound(p["B"], p["R"]), domain=LEMMA_DOMAIN, rtol=1e-12,
    log_bound=lambda p: fp.log_tight_bound(p["B"], p["R"]), tight_constant=1.0, measure_mp=_exact_mp))

register(Claim(
    module=MODULE, claim_id="lemma_A4_geometric", reference=REF,
    statement="Monte Carlo (worst-case perturbations): lower limit of p_flip <= c R exp(-B^2/2)",
    kind="bound", sense="<=", measure=with_power(_geometric, _lemma, "<=", "proportion"), bound=_lemma, domain=MC_DOMAIN, rtol=0.0,
    weight=0.3))

register(Claim(
    module=MODULE, claim_id="lemma_A4_importance", reference=REF,
    statement="Importance sampling: lower limit of p_flip <= c R exp(-B^2/2), B up to 12",
    kind="bound", sense="<=", measure=with_power(_importance, _lemma, "<=", "mean"), bound=_lemma, domain=IS_DOMAIN, rtol=0.0, weight=0.3))

char_geometric = register(Claim(
    module=MODULE, claim_id="characterization_geometric", reference=f"{REF} (exact event)",
    statement="A_{i,r} <=> -2R <= <w~, x> - B < 2R: the sampled event's confidence interval contains "
    "Q(B - 2R) - Q(B + 2R)", kind="identity", sense="==", measure=with_power(_geometric, _exact_value, "==", "proportion"),
    bound=_exact_value,
    domain=MC_DOMAIN, rtol=0.0, weight=0.3))

register(Claim(
    module=MODULE, claim_id="characterization_importance", reference=f"{REF} (exact event)",
    statement="Importance-sampled confidence interval contains Q(B - 2R) - Q(B + 2R), B up to 12",
    kind="identity", sense="==", measure=with_power(_importance, _exact_value, "==", "mean"), bound=_exact_value, domain=IS_DOMAIN, rtol=0.0,
    weight=0.3))

corollary = register(Claim(
    module=MODULE, claim_id="corollary_A41", reference=COR,
    statement="-log P[|S_i| >= 2 m q] >= 3 m' q / 8, q = c R exp(-B^2/2), |S_i| ~ Binomial(m, p_flip) or "
    "2 Binomial(m/2, p_flip) exactly (m' = m, or m/2 under symmetric init); 2 q <= 1",
    kind="bound", sense=">=", measure=_neg_log_binomial_tail, bound=_cor_exponent, domain=COR_DOMAIN, rtol=1e-9, log_bound=_log_cor_exponent))

register(Claim(
    module=MODULE, claim_id="corollary_A41_sampled", reference=COR,
    statement="Sampled flip sets (standard and symmetric init, m/2 when symmetric): lower limit of "
    "P[|S_i| >= 2 m q] <= exp(-3 m q / 8)", kind="bound", sense="<=",
    measure=with_power(_flip_set_exceedance, _cor_failure, "<=", "proportion"), bound=_cor_failure,
    domain=COR_MC_DOMAIN, rtol=0.0, weight=0.2))

# ---------------------------------------------------------------- mutants (false variants)
# A mutant of a claim with a log form states its own log form (log_bound): check compares logs.
mutant(lemma, "mutant_constant_2_8", "constant 2.8, below the tight constant 2.894",
       bound=lambda p: 2.8 * p["R"] * math.exp(-p["B"] ** 2 / 2), log_bound=_log_const(2.8), tight_constant=None)
for _c, _from in ((2.88, 13.9), (2.89, 26.5), (2.893, 57.3)):
    mutant(lemma, f"mutant_constant_{str(_c).replace('.', '_')}",
           f"constant {_c}, within 0.5% below the supremum (e^2 - e^-2)/sqrt(2 pi) = 2.8938 of p / (R e^{{-B^2/2}}): "
           f"exceeded with R = 1/B for B > {_from} (log-space verdict: both sides underflow past B ~ 38)",
           bound=lambda p, _c=_c: _c * p["R"] * math.exp(-p["B"] ** 2 / 2), log_bound=_log_const(_c),
           tight_constant=None)
mutant(lemma, "mutant_exponent_B2", "exponent exp(-B^2) in place of exp(-B^2/2)",
       bound=lambda p: fp.C_PAPER * p["R"] * math.exp(-p["B"] ** 2),
       log_bound=lambda p: math.log(fp.C_PAPER) + math.log(p["R"]) - p["B"] ** 2, tight_constant=None)
mutant(corollary, "mutant_corollary_rate_3", "exp(-3 m q) in place of exp(-3 m q / 8): the exact "
       "tail's exponent is only about 6.9 times 3 m q / 8 at B ~ 3.5, R near its cap, m ~ 1e5",
       bound=lambda p: 8 * _cor_exponent(p), log_bound=lambda p: math.log(8) + _log_cor_exponent(p),
       # The region where rate 3 fails (a quarter of its points refute it); on the whole
       # corollary domain a 20-example search missed it for some seeds.
       domain=Domain({"B": Uniform(2.5, 4.5), "R_frac": Uniform(0.3, 1.0), "m": Int(10_000, 100_000),
                      "symmetric": Choice(False, True)}, _radius_possible))
mutant(lemma, "mutant_no_R_condition", "the bound claimed without the condition R <= 1/B",
       bound=lambda p: fp.C_PAPER * p["R"] * math.exp(-p["B"] ** 2 / 2), log_bound=_log_const(fp.C_PAPER),
       tight_constant=None, domain=Domain({"B": Uniform(0.0, 12.0), "R_frac": LogUniform(1.0, 12.0)}, _radius_beyond),
       within_subject=False)

mutant(char_geometric, "mutant_flip_width_R",
       "the flip set -R <= <w~, x> - B < R (width R in place of 2R: the bias moves too), "
       "p = Q(B - R) - Q(B + R), about half the sampled frequency",
       bound=lambda p: fp.exact(p["B"], p["R"] / 2))


# ------------------------------------------ constants within 0.5% of the supremum (ratio form)
# sup p_flip / (R e^{-B^2/2}) over R <= 1/B is (e^2 - e^-2)/sqrt(2 pi) = 2.8938, approached as
# B -> infinity with R = 1/B (2.8931 at B = 60, 2.8937 at B = 200). In the lemma's own form both
# sides underflow past B ~ 38, so these mutants state it as a ratio (finite for every B through
# log_exact); the same constants in the lemma's own form are the mutants mutant_constant_2_88, ...
# above (log-space verdicts through log_bound).
def _rate_ratio(p) -> Measurement:
    return exact(fp.ratio_to_rate(p["B"], p["R"]))


RATIO_DOMAIN = Domain({"B": Uniform(0.0, 200.0), "R_frac": LogUniform(1e-6, 1.0)}, _radius)
ratio_claim = register(Claim(
    module=MODULE, claim_id="lemma_A4_ratio", reference=REF,
    statement="p_flip(B, R) / (R exp(-B^2/2)) <= (e^2 - e^-2)/sqrt(2 pi) = 2.8938 (the tight constant, hence also "
    "c = 4 e^2/sqrt(2 pi)), for 0 < R <= 1/B, B up to 200", kind="bound", sense="<=", measure=_rate_ratio,
    bound=lambda p: fp.C_TIGHT, domain=RATIO_DOMAIN, rtol=1e-12, tight_constant=1.0))
for _c, _where in ((2.88, "B = 13.9"), (2.89, "B = 26.5"), (2.893, "B = 57.3")):
    mutant(ratio_claim, f"mutant_ratio_constant_{str(_c).replace('.', '_')}",
           f"constant {_c} within 0.5% below the supremum 2.8938: exceeded for R = 1/B from {_where} on",
           bound=lambda p, _c=_c: _c, tight_constant=None)
