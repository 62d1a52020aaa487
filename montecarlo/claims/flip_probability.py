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


# ------------------------------------------------------------------ Lemma D.3 (small ball)
# The shifted small-ball bound behind Lemma A.4's constant ([27, Theorem 3.1] with the improved
# upper side; the extracted text lost the formulas, so both sides are stated as Lemma A.4's proof
# uses them): for Z standard normal, x >= 0 and eps > 0,
#   e^{-x^2/2} P[|Z| <= eps] <= P[|Z - x| <= eps]   (Anderson's lower side, all x),
#   P[|Z - x| <= eps] <= 2 eps phi(x - eps)          (the improved upper side, x >= eps).
# P[|Z - x| <= eps] = p_flip(x, eps/2) exactly; every side in log space (x up to 40: e^{-800}).
DOC = "Lemma D.3"


def _shift(p):
    """x = eps + gap for the upper side (its condition x >= eps)."""
    p["x"] = p["eps"] + p["gap"]
    return p


def _log_ball(x: float, eps: float) -> float:
    """log P[|Z - x| <= eps]."""
    return fp.log_exact(x, eps / 2)


def _log_d3_lower(p) -> float:
    return -0.5 * p["x"] ** 2 + _log_ball(0.0, p["eps"])


def _log_d3_upper(p, centre: float) -> float:
    """log(2 eps phi(centre))."""
    return math.log(2 * p["eps"]) - 0.5 * centre ** 2 - 0.5 * math.log(2 * math.pi)


D3_LOWER_DOMAIN = Domain({"x": Uniform(0.0, 40.0), "eps": LogUniform(1e-6, 4.0)})
D3_UPPER_DOMAIN = Domain({"gap": Uniform(0.0, 40.0), "eps": LogUniform(1e-6, 4.0)}, _shift)


def _ball(p):
    return exact_log(_log_ball(p["x"], p["eps"]))


d3_lower = register(Claim(
    module=MODULE, claim_id="lemma_D3_lower", reference=DOC,
    statement="P[|Z - x| <= eps] >= exp(-x^2/2) P[|Z| <= eps] for x >= 0, eps > 0 (exact, in log space; "
    "tight as eps -> 0)", kind="bound", sense=">=", measure=_ball,
    bound=lambda p: math.exp(_log_d3_lower(p)), log_bound=_log_d3_lower, domain=D3_LOWER_DOMAIN, rtol=1e-12))

d3_upper = register(Claim(
    module=MODULE, claim_id="lemma_D3_upper", reference=DOC,
    statement="P[|Z - x| <= eps] <= 2 eps phi(x - eps) for x >= eps > 0 (the improved upper side; exact, in "
    "log space; tight as eps -> 0)", kind="bound", sense="<=", measure=_ball,
    bound=lambda p: math.exp(_log_d3_upper(p, p["x"] - p["eps"])),
    log_bound=lambda p: _log_d3_upper(p, p["x"] - p["eps"]), domain=D3_UPPER_DOMAIN, rtol=1e-12))

mutant(d3_lower, "mutant_D3_lower_unshifted",
       "P[|Z - x| <= eps] >= P[|Z| <= eps] (the factor exp(-x^2/2) dropped): the centred ball is the largest",
       bound=lambda p: math.exp(_log_ball(0.0, p["eps"])), log_bound=lambda p: _log_ball(0.0, p["eps"]))
mutant(d3_lower, "mutant_D3_lower_exponent_4",
       "exp(-x^2/4) in place of exp(-x^2/2): false for small eps, where the lower side is tight",
       bound=lambda p: math.exp(-0.25 * p["x"] ** 2 + _log_ball(0.0, p["eps"])),
       log_bound=lambda p: -0.25 * p["x"] ** 2 + _log_ball(0.0, p["eps"]))
mutant(d3_upper, "mutant_D3_upper_centre",
       "2 eps phi(x) (the density at the centre of the strip in place of its near edge): phi is convex past "
       "x = 1, so the strip holds more than 2 eps phi(x)",
       bound=lambda p: math.exp(_log_d3_upper(p, p["x"])), log_bound=lambda p: _log_d3_upper(p, p["x"]))
mutant(d3_upper, "mutant_D3_upper_no_condition",
       "the upper side without its condition x >= eps (x in [0, eps)): at x = 0 the ball holds more than "
       "2 eps phi(eps)", domain=Domain({"gap": Uniform(0.0, 1.0), "eps": LogUniform(1e-3, 4.0)},
                                      lambda p: {**p, "x": p["gap"] * p["eps"]}), within_subject=False)


# ------------------------------------------------------------- Remark 3.4 (the regime)
# Remark 3.4 calls the product form c R e^{-B^2/2} tighter than [39]'s min form
# min(4R/sqrt(2 pi), Q(B - 2R)). It is not tighter everywhere: c R e^{-B^2/2} <= 4R/sqrt(2 pi)
# iff e^{2 - B^2/2} <= 1, i.e. B >= 2; and c R e^{-B^2/2} <= Q(B - 2R) holds when
# R <= R_b(B) = B / (4 e^2 (1 + B^2)) (from Q(B - 2R) >= Q(B) >= phi(B) B / (1 + B^2)), about
# 0.034 / B, far below the lemma's 1/B (along R = 1/B the min form is about 4x tighter).
# The regime claim: on B >= 2, R <= R_b(B) the product form is below the min form; the ratio
# approaches about 0.93 at the boundary as B grows, so R_b is close to the true boundary.
def _regime_radius(p):
    p["R"] = p["R_frac"] * p["B"] / (4 * math.e ** 2 * (1 + p["B"] ** 2))
    return p


REGIME_DOMAIN = Domain({"B": Uniform(2.0, 200.0), "R_frac": LogUniform(1e-6, 1.0)}, _regime_radius)

regime = register(Claim(
    module=MODULE, claim_id="remark_3_4_regime", reference="Remark 3.4",
    statement="the product form is tighter than the min form where the paper's theorems live: "
    "c R exp(-B^2/2) <= min(4R/sqrt(2 pi), Q(B - 2R)) for B >= 2 and R <= B / (4 e^2 (1 + B^2)) (exact, logs)",
    kind="bound", sense="<=", measure=lambda p: exact_log(fp.log_lemma_bound(p["B"], p["R"])),
    bound=lambda p: fp.prior_bound(p["B"], p["R"]), log_bound=lambda p: fp.log_prior_bound(p["B"], p["R"]),
    domain=REGIME_DOMAIN, rtol=1e-12))

mutant(regime, "mutant_remark_3_4_small_B",
       "the regime extended to B < 2: there c R e^{-B^2/2} > 4R/sqrt(2 pi) for every R (e^{2 - B^2/2} > 1)",
       domain=Domain({"B": Uniform(0.1, 1.9), "R_frac": LogUniform(1e-6, 1.0)}, _regime_radius), within_subject=False)
mutant(regime, "mutant_remark_3_4_whole_lemma_domain",
       "the product form tighter on the lemma's whole domain R <= 1/B: near R = 1/B the min form is about 4x "
       "tighter", domain=Domain({"B": Uniform(2.0, 200.0), "R_frac": Uniform(0.5, 1.0)}, _radius),
       within_subject=False)


# ---------------------------------------------------------- Lemma D.4 (anti-concentration)
# The extracted text lost the formula; the lemma of [38, 39] that this appendix follows reads: for
# Z ~ N(0, sigma^2), P[|Z| <= t] is in ((2/3) t/sigma, (4/5) t/sigma). By scaling only u = t/sigma
# matters and P[|Z| <= t] = erf(u / sqrt 2) exactly. The upper side holds for every u > 0 (the
# supremum of erf(u/sqrt 2)/u is sqrt(2/pi) = 0.7979 < 4/5, approached as u -> 0); the lower side
# only for u <= u* ~ 1.0738 (erf(u/sqrt 2) is concave and 1 caps it), so it is checked for
# 0 < u <= 1 (the range where the paper uses it: small flip windows).
DOC4 = "Lemma D.4"
D4_UPPER_DOMAIN = Domain({"u": LogUniform(1e-8, 100.0)})
D4_LOWER_DOMAIN = Domain({"u": LogUniform(1e-8, 1.0)})


def _anti(p):
    return exact(math.erf(p["u"] / math.sqrt(2)))


d4_upper = register(Claim(
    module=MODULE, claim_id="lemma_D4_upper", reference=DOC4,
    statement="P[|Z| <= t] <= (4/5) t/sigma for Z ~ N(0, sigma^2), every t > 0 (exact: erf(u/sqrt 2), u = t/sigma; "
    "supremum of the ratio sqrt(2/pi)/(4/5) = 0.997 as u -> 0)", kind="bound", sense="<=", measure=_anti,
    bound=lambda p: 0.8 * p["u"], domain=D4_UPPER_DOMAIN, rtol=1e-12))
d4_lower = register(Claim(
    module=MODULE, claim_id="lemma_D4_lower", reference=DOC4,
    statement="P[|Z| <= t] >= (2/3) t/sigma for 0 < t <= sigma (exact: erf(u/sqrt 2); equality near u = 1.0738)",
    kind="bound", sense=">=", measure=_anti, bound=lambda p: 2 * p["u"] / 3, domain=D4_LOWER_DOMAIN, rtol=1e-12))
mutant(d4_upper, "mutant_D4_upper_0_79",
       "the upper constant 0.79, below sqrt(2/pi) = 0.7979: false as t/sigma -> 0", bound=lambda p: 0.79 * p["u"])
mutant(d4_lower, "mutant_D4_lower_beyond_sigma",
       "the lower side for t up to 1.5 sigma: erf(u/sqrt 2) < 2u/3 past u ~ 1.0738",
       domain=Domain({"u": Uniform(1.0, 1.5)}), within_subject=False)
