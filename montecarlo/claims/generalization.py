"""Registered claims of the generalization module (FORMULAS.md section 8).

Remark 3.13 (found false): the paper infers y^T H_inf^{-1} y <= ||y||^2 / lambda_R(H_inf) for
labels y in the region R. It is registered as the claim it is, and it fails (a strict
expected failure of the generic tests, with its counterexample). What does hold is registered
next to it: the label shift always exists, y^T H_inf^{-1} y <= ||y||^2 / lambda_min(H_inf), and
the sufficient condition H_inf^{-1} y in R.

Lemma A.2 (both forms): the (1 - delta)-quantile over initializations of
max_ij |H_ij(0) - H_inf_ij| / deviation bound, by order statistics (the claim "exceeds the
bound with probability <= delta").

Theorem C.5's leading term: the Rademacher complexity of the linearized class at the radius
R_F = sqrt(y^T H_inf^{-1} y), sampled, against sqrt(2 e^{-B^2/2} y^T H_inf^{-1} y / n).

Theorem 3.9 end to end: the (1 - delta)-quantile over draws of population_lower / bound
(population_lower: the one-sided lower limit of the population loss of the trained network
from fresh points; bound: the theorem's right-hand side with the grid's radii).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from bounds import generalization as g
from bounds import ntk

from ..estimators import generalization as mc
from ..estimators.rademacher_radius import rademacher_linear
from ..registry import (Choice, Claim, Domain, EvenInt, Int, LogUniform, Measurement, Seed, Uniform, exact, mutant, register)
from ..sim import network as nw
from ..sim.data import FAMILIES, dataset, make_labels
from ..sim.seeding import derive, spawn
from ..sim.stats import ALPHA, quantile_limits
from . import with_power

MODULE = "generalization"
R313 = "Remark 3.13 / Section 3.3.1"
A2 = "Lemma A.2"
C5 = "Theorem C.5 (leading term) / Lemma C.6"
T39 = "Theorem 3.9 = Theorems C.4 + C.5"


# ------------------------------------------------------------------------------ Remark 3.13
def _remark_dims(p):
    from ..sim.data import admissible_d

    p["d"] = admissible_d(p["family"], p["n"], p["d"])
    return p


REMARK_DOMAIN = Domain({"n": Int(3, 12), "d": Int(1, 8), "B": Uniform(0.0, 3.0), "family": Choice(*FAMILIES),
                        "labels": Choice("signs", "random", "bottom"), "seed": Seed()}, _remark_dims)


def _labels(p, X) -> np.ndarray:
    if p["labels"] == "bottom":  # the bottom eigenvector of H_inf: y^T H^{-1} y = ||y||^2 / lambda_min
        u = np.linalg.eigh(ntk.h_inf(X, p["B"]))[1][:, 0]
        return u / np.max(np.abs(u))
    return make_labels(p["labels"], p["n"], spawn(p["seed"], "labels"))


@lru_cache(maxsize=64)
def _remark(key: tuple) -> mc.RemarkPoint:
    p = dict(key)
    X = dataset(p["family"], p["n"], p["d"], p["seed"])
    return mc.remark_point(X, p["B"], _labels(p, X))


def _rk(p):
    return _remark(tuple(sorted(p.items())))


def _singular(r: mc.RemarkPoint) -> Measurement | None:
    if r.condition < mc.COND_MAX:
        return None
    return exact(0.0, applicable=False, reason=f"H_inf ill-conditioned (condition {r.condition:.3g} >= "
                 f"{mc.COND_MAX:g}): y^T H_inf^{{-1}} y is round-off", condition=r.condition)


def _remark_measure(p) -> Measurement:
    r = _rk(p)
    if (bad := _singular(r)) is not None:
        return bad
    return exact(r.remark_ratio, yHy=r.yHy, norm_y2=r.norm2, lambda_R=r.lambda_R, lambda_min=r.lambda_min,
                 shift=r.shift, u_in_R=r.u_in_R)


remark = register(Claim(
    module=MODULE, claim_id="remark_313", reference=R313,
    statement="For labels y in the region R (random labels shifted into R by the smallest |c| when they are "
    "not in it): y^T H_inf^{-1} y <= ||y||^2 / lambda_R(H_inf) (measured: y^T H_inf^{-1} y lambda_R / ||y||^2). "
    "FALSE: lambda_R bounds a^T H a on R, and H_inf^{-1} y need not lie in R",
    kind="bound", sense="<=", measure=_remark_measure, bound=lambda p: 1.0, domain=REMARK_DOMAIN, rtol=1e-9))


def _lmin_measure(p) -> Measurement:
    r = _rk(p)
    if (bad := _singular(r)) is not None:
        return bad
    return exact(r.lambda_min_ratio, yHy=r.yHy, norm_y2=r.norm2, lambda_min=r.lambda_min, shift=r.shift)


lmin = register(Claim(
    module=MODULE, claim_id="remark_313_lambda_min", reference=R313,
    statement="For every y: y^T H_inf^{-1} y <= ||y||^2 / lambda_min(H_inf) (measured: y^T H_inf^{-1} y "
    "lambda_min / ||y||^2; equality on the bottom eigenvector)",
    kind="bound", sense="<=", measure=_lmin_measure, bound=lambda p: 1.0, domain=REMARK_DOMAIN, rtol=1e-7))


def _sufficient_measure(p) -> Measurement:
    r = _rk(p)
    if (bad := _singular(r)) is not None:
        return bad
    if not r.u_in_R:
        return exact(0.0, applicable=False, reason="H_inf^{-1} y is not in R", ratio=r.remark_ratio)
    return exact(r.remark_ratio, yHy=r.yHy, norm_y2=r.norm2, lambda_R=r.lambda_R, shift=r.shift)


sufficient = register(Claim(
    module=MODULE, claim_id="remark_313_sufficient", reference=f"{R313} (a sufficient condition, derived)",
    statement="If u = H_inf^{-1} y lies in R, then y^T H_inf^{-1} y <= ||y||^2 / lambda_R(H_inf) "
    "(u^T H u >= lambda_R ||u||^2 and u^T H u = u^T y <= ||u|| ||y||)",
    kind="bound", sense="<=", measure=_sufficient_measure, bound=lambda p: 1.0, domain=REMARK_DOMAIN, rtol=1e-7))


def _shift_measure(p, fraction: float = 1.0) -> Measurement:
    r = _rk(p)
    ys = r.y - r.shift + fraction * r.shift
    X = dataset(p["family"], p["n"], p["d"], p["seed"])
    from bounds import restricted_eigenvalue as re_

    Qm = re_.Ingredients(X, p["B"]).Qm
    return exact(float(ys @ Qm @ ys) / float(ys @ ys), shift=r.shift, fraction=fraction)


SHIFT_TOL = 1e-12


shift = register(Claim(
    module=MODULE, claim_id="label_shift_exists", reference=R313,
    statement="The label shift exists: y + c 1 lies in R for the smallest-|c| root c of the quadratic "
    "(y + c 1)^T Qm (y + c 1) (leading coefficient 1^T Qm 1 >= 0); measured (y + c 1)^T Qm (y + c 1) / "
    f"||y + c 1||^2 >= -{SHIFT_TOL:g} (round-off at the root)",
    kind="bound", sense=">=", measure=_shift_measure, bound=lambda p: -SHIFT_TOL, domain=REMARK_DOMAIN))


# ---------------------------------------------------------------- mutants of the Remark's links
mutant(lmin, "mutant_lambda_min_half", "half the bound, ||y||^2 / (2 lambda_min) (attained on the bottom eigenvector)",
       bound=lambda p: 0.5)
mutant(shift, "mutant_label_shift_half", "half the shift, y + (c/2) 1 (not in R when a shift is needed)",
       measure=lambda p: _shift_measure(p, 0.5))
mutant(sufficient, "mutant_sufficient_half", "the sufficient condition's bound halved, ||y||^2 / (2 lambda_R)",
       bound=lambda p: 0.5)


# -------------------------------------------------------------------------------- Lemma A.2
A2_DRAWS = 200
A2_DOMAIN = Domain({"n": Int(2, 12), "d": Int(1, 8), "B": Uniform(0.0, 3.0), "family": Choice(*FAMILIES),
                    "m": EvenInt(2, 2048), "delta": Uniform(0.05, 0.5), "seed": Seed()}, _remark_dims)


@lru_cache(maxsize=32)
def _deviations(key: tuple, mutant_p: bool = False) -> mc.KernelDeviations:
    p = dict(key)
    X = dataset(p["family"], p["n"], p["d"], p["seed"])
    return mc.kernel_deviations(X, p["m"], p["B"], p["delta"], A2_DRAWS, spawn(p["seed"], "weights/lemma_A2"),
                                (lambda P: P * P) if mutant_p else None)


def _quantile(ratios: np.ndarray, delta: float, lower=None, upper=None, **detail) -> Measurement:
    """The (1 - delta)-quantile of the ratios with order-statistic limits: the claim
    P[ratio > 1] <= delta is the claim that this quantile is <= 1. ``lower`` / ``upper``: per-draw
    lower / upper confidence limits of the ratios when the ratios are themselves estimates (the
    quantile's lower limit is then taken over the lower limits, its upper over the upper ones)."""
    q = 1.0 - delta
    lo = quantile_limits(ratios if lower is None else lower, q, ALPHA)[0]
    hi = quantile_limits(ratios if upper is None else upper, q, ALPHA)[1]
    return Measurement(float(np.quantile(ratios, q, method="inverted_cdf")), lo, hi,
                       {"draws": int(ratios.size), "quantile_level": q, "max_ratio": float(ratios.max()),
                        "exceedances": int(np.count_nonzero((ratios if lower is None else np.asarray(lower)) > 1)), **detail})


def _a2(p, form: str, mutant_p: bool = False) -> Measurement:
    e = _deviations(tuple(sorted(p.items())), mutant_p)
    return _quantile(getattr(e, form), p["delta"], independent_terms=e.independent)


hoeffding = register(Claim(
    module=MODULE, claim_id="lemma_A2_hoeffding", reference=A2,
    statement="Symmetric init (m/2 independent neurons): with probability >= 1 - delta, max_ij |H_ij(0) - H_inf_ij| "
    "<= 2 sqrt(log(2 n^2/delta) / m) (Hoeffding, terms in [0, 2], union over n^2 entries); measured: the "
    "(1 - delta)-quantile over initializations of the ratio, order-statistic limits",
    kind="bound", sense="<=", measure=with_power(lambda p: _a2(p, "hoeffding"), lambda p: 1.0, "<=", "quantile"),
    bound=lambda p: 1.0, domain=A2_DOMAIN, weight=0.3))

bernstein = register(Claim(
    module=MODULE, claim_id="lemma_A2_bernstein", reference=A2,
    statement="Symmetric init: with probability >= 1 - delta, for all i, j: |H_ij(0) - H_inf_ij| <= sqrt(8 p_ij L / m') "
    "+ 4 L / (3 m'), L = log(2 n^2/delta), m' = m/2 (Bernstein, variance <= 4 p_ij); measured: the "
    "(1 - delta)-quantile over initializations of max_ij ratio",
    kind="bound", sense="<=", measure=with_power(lambda p: _a2(p, "bernstein"), lambda p: 1.0, "<=", "quantile"),
    bound=lambda p: 1.0, domain=A2_DOMAIN, weight=0.3))

A2_MUTANT_DOMAIN = Domain({"n": Int(2, 8), "d": Int(1, 8), "B": Uniform(0.0, 1.0), "family": Choice("random", "circle"),
                           "m": EvenInt(512, 2048), "delta": Uniform(0.05, 0.5), "seed": Seed()}, _remark_dims)


def _hoeffding_linear_rate(p) -> Measurement:
    """The Hoeffding ratio against 2 log(2 n^2/delta) / m' (the square root dropped)."""
    e = _deviations(tuple(sorted(p.items())))
    L = math.log(2 * p["n"] ** 2 / p["delta"])
    scale = g.hoeffding_deviation(p["n"], e.independent, p["delta"]) / (2 * L / e.independent)
    return _quantile(e.hoeffding * scale, p["delta"], independent_terms=e.independent)


mutant(hoeffding, "mutant_hoeffding_no_sqrt", "the square root dropped, 2 log(2 n^2/delta) / m' (rate 1/m for 1/sqrt(m))",
       measure=with_power(_hoeffding_linear_rate, lambda p: 1.0, "<=", "quantile"), domain=A2_MUTANT_DOMAIN, weight=0.2)
mutant(bernstein, "mutant_bernstein_p_squared", "the variance p_ij^2 in place of p_ij (a sparsity factor e^{-B^2} "
       "for e^{-B^2/2})", measure=with_power(lambda p: _a2(p, "bernstein", True), lambda p: 1.0, "<=", "quantile"),
       domain=Domain({"n": Int(2, 8), "d": Int(1, 8), "B": Uniform(1.0, 3.0), "family": Choice("random", "circle"),
                      "m": EvenInt(1024, 2048), "delta": Uniform(0.05, 0.5), "seed": Seed()}, _remark_dims),
       weight=0.2)


# ------------------------------------------------------- Theorem C.5's leading term (Lemma C.6)
LEAD_DOMAIN = Domain({"n": Int(2, 12), "d": Int(1, 8), "B": Uniform(0.0, 3.0), "family": Choice("random", "circle", "clusters"),
                      "m": EvenInt(64, 2048), "label_scale": LogUniform(0.01, 1.0), "seed": Seed()}, _remark_dims)
LEAD_DRAWS = 20_000


@lru_cache(maxsize=32)
def _lead(key: tuple):
    p = dict(key)
    X = dataset(p["family"], p["n"], p["d"], p["seed"])
    y = p["label_scale"] * make_labels("random", p["n"], spawn(p["seed"], "labels"))
    yHy = g.quadratic_form_inverse(ntk.h_inf(X, p["B"]), y)
    net0 = nw.init_symmetric(p["m"], X.shape[1], p["B"], spawn(p["seed"], "weights"))
    if not (math.isfinite(yHy) and yHy > 0):
        return yHy, None
    return yHy, rademacher_linear(X, net0, p["B"], math.sqrt(yHy), LEAD_DRAWS, spawn(p["seed"], "signs"))


def _lead_measure(p) -> Measurement:
    yHy, e = _lead(tuple(sorted(p.items())))
    if e is None:
        return exact(0.0, applicable=False, reason="H_inf singular in float", yHy=yHy)
    detail = {"yHy": yHy, "draws": e.draws, "max_active": e.max_active, "section3_event": e.on_event}
    if not e.on_event:
        return exact(0.0, applicable=False, reason="section-3 event fails", mean_sup=e.value, **detail)
    return Measurement(e.value, e.lower, e.upper, detail)


def _lead_bound(p) -> float:
    yHy, _ = _lead(tuple(sorted(p.items())))
    return g.leading_term(p["n"], p["B"], yHy) if math.isfinite(yHy) else math.inf


leading = register(Claim(
    module=MODULE, claim_id="leading_term", reference=C5,
    statement="On the section-3 event, the linearized class at the radius R_F = sqrt(y^T H_inf^{-1} y) of Theorem C.7: "
    "Rad_S(F_lin) <= sqrt(2 e^{-B^2/2} y^T H_inf^{-1} y / n) (the leading term with its sparsity factor; "
    "sampled sign vectors, exact supremum per draw, bounded-mean limits)",
    kind="bound", sense="<=", measure=with_power(_lead_measure, _lead_bound, "<=", "mean"), bound=_lead_bound,
    domain=LEAD_DOMAIN, rtol=1e-12, weight=0.3))


def _lead_no_sqrt(p) -> float:
    yHy, _ = _lead(tuple(sorted(p.items())))
    return 2 * math.exp(-p["B"] ** 2 / 2) * yHy / p["n"] if math.isfinite(yHy) else math.inf


mutant(leading, "mutant_leading_no_sqrt", "the square root dropped, 2 e^{-B^2/2} y^T H_inf^{-1} y / n (smaller "
       "where the argument is below 1)", bound=_lead_no_sqrt,
       domain=Domain({"n": Int(8, 12), "d": Int(4, 8), "B": Uniform(0.0, 1.0), "family": Choice("random"),
                      "m": EvenInt(512, 2048), "label_scale": LogUniform(0.01, 0.1), "seed": Seed()}, _remark_dims),
       weight=0.2)


# ------------------------------------------------------------- Theorem 3.9 end to end
THEOREM_DRAWS = 24  # 0.5^24 < ALPHA: the order-statistic lower limit exists for delta <= 0.5
THEOREM_FRESH = 4_000
# Where the bound is below 1 at test sizes (n <= 120, m <= 512): only small teachers (scale <= 0.05)
# keep the width term 2R sum_i |S_i| / (n sqrt m) ~ 16 R^2 phi(B) sqrt(m) small; at scale 1 the bound
# is 1.3 to 150 (the report's vacuity table). Draws with a bound >= 1 hold trivially and stay in the
# quantile; a point where every draw is vacuous is not applicable.
THEOREM_DOMAIN = Domain({"n": Int(60, 120), "m": EvenInt(256, 512), "B": Uniform(0.0, 1.0), "d": Int(8, 10),
                         "steps": Int(10, 40), "eta_frac": Uniform(0.3, 0.9), "scale": LogUniform(0.01, 0.05),
                         "delta": Uniform(0.3, 0.5), "seed": Seed()})


@lru_cache(maxsize=16)
def _theorem(key: tuple) -> tuple:
    p = dict(key)
    return tuple(mc.theorem_draw(p["n"], p["m"], p["B"], p["d"], p["steps"], p["eta_frac"], p["delta"], THEOREM_FRESH,
                                 derive(p["seed"], "theorem_3_9", k), ALPHA / THEOREM_DRAWS, p["scale"])
                 for k in range(THEOREM_DRAWS))


def _theorem_measure(p, bound_of=None) -> Measurement:
    """The (1 - delta)-quantile over draws of population_lower / bound (``bound_of(draw)``
    replaces the theorem's right-hand side, for mutants)."""
    draws = _theorem(tuple(sorted(p.items())))
    b = np.array([d.bound if bound_of is None else bound_of(d) for d in draws])
    ratios = np.array([d.population_lower for d in draws]) / b
    point = np.array([d.population for d in draws]) / b
    vacuous = int(np.count_nonzero(b >= 1))
    if vacuous == len(draws):
        return exact(0.0, applicable=False, reason=f"vacuous: the bound is >= 1 at every draw (smallest {b.min():.3g})",
                     min_bound=float(b.min()), max_ratio=float(ratios.max()))
    return _quantile(point, p["delta"], ratios, np.array([d.population_upper for d in draws]) / b, vacuous=vacuous, margin=float(np.min(b - np.array([d.population_lower for d in draws]))),
                     min_bound=float(b.min()), max_population=float(max(d.population for d in draws)),
                     max_train_loss=float(max(d.train_loss for d in draws)),
                     max_R_F=float(max(d.R_F for d in draws)), max_R=float(max(d.R for d in draws)))


theorem = register(Claim(
    module=MODULE, claim_id="theorem_3_9", reference=T39,
    statement="x uniform on S^{d-1}, teacher labels clipped to [-1, 1], loss min(1, |f - y|), symmetric init, gradient "
    "descent: with probability >= 1 - delta, L_D(f_T) <= L_S(f_T) + 2 Rad + 3 sqrt(log(2/delta_{k,l}) / (2n)), "
    "Rad the data-dependent Lemma C.6 bound at the grid radii k = ceil(||theta(T) - theta(0)||), 2^(1-l) >= max "
    "per-neuron movement, delta_{k,l} = delta / (k(k+1) l(l+1)); measured: the (1 - delta)-quantile over draws of "
    "L_D / bound (L_D from fresh points), its lower limit from the per-draw lower limits of L_D by order "
    "statistics (a draw violates when the lower limit of L_D exceeds the bound)",
    kind="bound", sense="<=", measure=with_power(_theorem_measure, lambda p: 1.0, "<=", "quantile"),
    bound=lambda p: 1.0, domain=THEOREM_DOMAIN, weight=0.02))

COROLLARY_DOMAIN = Domain({**{k: sp for k, sp in THEOREM_DOMAIN.specs.items() if k != "B"}, "B": Choice(0.0)})

register(Claim(
    module=MODULE, claim_id="corollary_3_9_1", reference="Corollary 3.9.1 (Theorem 3.9 at B = 0)",
    statement="Theorem 3.9 at B = 0 (no sparsity): the same end-to-end check, (1 - delta)-quantile over draws of "
    "L_D / bound, order-statistic limits", kind="bound", sense="<=",
    measure=with_power(_theorem_measure, lambda p: 1.0, "<=", "quantile"), bound=lambda p: 1.0,
    domain=COROLLARY_DOMAIN, weight=0.02))

mutant(theorem, "mutant_theorem_no_generalization_term",
       "the complexity and confidence terms dropped, L_D(f_T) <= L_S(f_T) (the training loss as the population loss)",
       measure=with_power(lambda p: _theorem_measure(p, lambda d: max(d.train_loss, 1e-12)), lambda p: 1.0, "<=",
                          "quantile"),
       domain=Domain({"n": Int(40, 80), "m": EvenInt(256, 512), "B": Uniform(0.0, 0.5), "d": Int(8, 10),
                      "steps": Int(40, 60), "eta_frac": Uniform(0.5, 0.9), "scale": LogUniform(0.5, 1.0),  # noqa
                      "delta": Uniform(0.3, 0.5), "seed": Seed()}), weight=0.05)
