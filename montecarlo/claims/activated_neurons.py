"""Registered claims of the activated-neurons module (FORMULAS.md section 3; Lemma 3.6 =
Lemmas A.18, A.19).

Exact claims use the binomial law of |S_on(i, 0)| (log form for the Bernstein tail, so the
domain reaches m = 1e6 without underflow). Sampled claims compare a Clopper-Pearson limit of
a failure frequency with the stated failure probability. Training claims run real gradient
descent (small: n <= 8, m <= 512, steps <= 50; weight < 1) and check the deterministic
inclusion of Lemma A.19 at the realized movement, and the probabilistic bound with R fixed
in advance (runs whose movement left R are recorded as "hypothesis failed" and cannot count
as failures of the lemma).
"""

from __future__ import annotations

import math

import numpy as np

from bounds import activated_neurons as an
from bounds import rademacher_radius as rr
from bounds import restricted_eigenvalue as re_

from ..estimators import activated_neurons as mc
from ..sim import network as nw
from ..sim.data import LABELS, problem
from . import with_power
from ..registry import (Choice, Claim, Domain, Int, LogUniform, Measurement, Seed, Uniform, exact, exact_log, mutant, register)
from ..sim.seeding import spawn
from ..sim.stats import ALPHA, clopper_pearson

MODULE = "activated_neurons"
A18 = "Lemma 3.6 = Lemma A.18"
A19 = "Lemma 3.6 = Lemma A.19"

INIT_DRAWS = 1000  # one-input count samples per example
NET_DRAWS = 150  # whole-network initializations per example
BOUND_RUNS = 6  # training runs per example of the probabilistic training bound
FAMILIES = ("random", "clusters", "antipodal", "orthonormal")  # of data.FAMILIES (circle: n/a)


def _even(p):
    """Symmetric initialization needs even m: round m up to even when symmetric."""
    if p.get("symmetric"):
        p["m"] = p["m"] + (p["m"] % 2)
    return p


def _log_m(p):
    p["m"] = max(1, int(round(p.pop("m_log"))))
    return _even(p)


def _radius(p):
    """R = R_frac / max(B, 1): inside R <= 1/B by construction."""
    p["R"] = p["R_frac"] / max(p["B"], 1.0)
    return _even(p)


# Q(B) underflows past B ~ 38: both sides of Q_bound carry log forms (exact_log, log_bound), so
# its verdicts are taken on logs up to B = 200. The exact tail also has a log bound and is
# swept to B = 40: past B ~ 21 measured/bound exceeds 1e100 (-log P ~ B^2/2 against
# (3/16) m' e^{-B^2/2}; e^{800} at B = 40), which the report plots as log10(measured / bound).
Q_DOMAIN = Domain({"B": Uniform(0.0, 200.0)})
TAIL_DOMAIN = Domain({"m_log": LogUniform(1.0, 1e6), "B": Uniform(0.0, 40.0),
                      "symmetric": Choice(False, True)}, _log_m)
SAMPLED_DOMAIN = Domain({"m": Int(2, 2000), "B": Uniform(0.0, 4.0), "symmetric": Choice(False, True),
                         "seed": Seed()}, _even)
NET_DOMAIN = Domain({"n": Int(1, 8), "d": Int(1, 12), "m": Int(2, 1000), "B": Uniform(0.0, 4.0),
                     "family": Choice(*FAMILIES[:3]), "symmetric": Choice(False, True),
                     "seed": Seed()}, _even)
def _scaled_m(p):
    """m from the drawn scale m e^{-B^2/2} (the count threshold of Lemma A.18), rounded, >= 2.
    The by-product's event is informative only where that threshold is a few units: at B = 0 and
    m = 1000 ||Z(0)||_F^2 > 2n e^{-B^2/2} is impossible (its mean is half of that and it is at
    most 2n), and for large m e^{-B^2/2} its probability is astronomically small."""
    p["m"] = int(min(1000, max(2, round(p.pop("scale") * math.exp(p["B"] ** 2 / 2)))))
    return _even(p)


FROB_DOMAIN = Domain({"n": Int(1, 8), "d": Int(1, 12), "scale": LogUniform(0.3, 30.0), "B": Uniform(0.0, 3.0),
                      "family": Choice(*FAMILIES[:3]), "symmetric": Choice(False, True),
                      "seed": Seed()}, _scaled_m)
TRAIN_SPECS = {"n": Int(1, 8), "d": Int(1, 16), "m": Int(2, 512), "B": Uniform(0.0, 3.0),
               "eta_frac": LogUniform(0.01, 1.0), "steps": Int(1, 50),
               "family": Choice(*FAMILIES), "labels": Choice(*LABELS),
               "symmetric": Choice(False, True), "seed": Seed()}
TRAIN_DOMAIN = Domain(TRAIN_SPECS, _even)
BOUND_DOMAIN = Domain({"n": Int(1, 8), "d": Int(1, 16), "m": Int(64, 512), "B": Uniform(0.0, 2.5),
                       "R_frac": LogUniform(0.01, 1.0), "eta_frac": LogUniform(0.1, 3.0),
                       "steps": Int(1, 50), "family": Choice(*FAMILIES), "labels": Choice(*LABELS),
                       "symmetric": Choice(False, True), "seed": Seed()}, _radius)


def _cp(k: int, N: int, **detail) -> Measurement:
    """Failure frequency k / N with its one-sided Clopper-Pearson limits."""
    lo = clopper_pearson(k, N, ALPHA, "lower")[0]
    hi = clopper_pearson(k, N, ALPHA, "upper")[1]
    return Measurement(k / N, lo, hi, {"draws": N, "failures": k, **detail})


# ------------------------------------------------------------------ measurements
def _neg_log_tail(p, thr=None, strict: bool = False) -> Measurement:
    """-log P[|S_on(i,0)| >= thr] (or > thr when ``strict``), exact; thr = m e^{-B^2/2}."""
    if thr is None:
        thr = an.threshold(p["m"], p["B"])
        lt = an.log_exact_tail(p["m"], p["B"], p["symmetric"])
    else:
        k = math.floor(thr) + 1 if strict else thr
        lt = an.log_count_sf(k, p["m"], p["B"], p["symmetric"])
    return exact(-lt, threshold=thr, log_tail=lt)


def _exponent(p) -> float:
    return an.bernstein_exponent(p["m"], p["B"], p["symmetric"])


def _log_exponent(p, rate: float = an.BERNSTEIN_RATE) -> float:
    """log((3/16) m' e^{-B^2/2}) (the exponent underflows past B ~ 38)."""
    mm = p["m"] // 2 if p["symmetric"] else p["m"]
    return math.log(rate * mm) - p["B"] ** 2 / 2


def _fail(p) -> float:
    return an.failure_probability(p["m"], p["B"], p["symmetric"])


def _sampled_exceedance(p, thr=None, strict: bool = False) -> Measurement:
    thr = an.threshold(p["m"], p["B"]) if thr is None else thr
    c = mc.counts_at_init(p["m"], p["B"], INIT_DRAWS, p["seed"], p["symmetric"])
    k = int(np.count_nonzero(c > thr if strict else c >= thr))
    return _cp(k, INIT_DRAWS, threshold=thr, max_count=int(c.max()), mean_count=float(c.mean()))


def _X(p):
    X, _ = problem(p["n"], p["d"], p["family"], "random", p["seed"])
    return X


def _frobenius_exceedance(p, mean: bool = False) -> Measurement:
    """Exceedance frequency of ||Z(0)||_F^2 over 2 n e^{-B^2/2} (or over its mean 2 n Q(B))."""
    X = _X(p)
    draws = mc.init_draws(X, p["m"], p["B"], NET_DRAWS, spawn(p["seed"], "weights/frobenius"), p["symmetric"])
    n = X.shape[0]
    thr = 2 * n * (an.on_probability(p["B"]) if mean else math.exp(-p["B"] ** 2 / 2))
    k = int(np.count_nonzero(draws.frobenius_sq > thr))
    return _cp(k, NET_DRAWS, threshold=thr, max_ratio=float(draws.frobenius_sq.max() / thr))


def _frobenius_identity_gap(p) -> Measurement:
    """max over draws of | ||Z||_F^2 (Jacobian) - (2/m) sum_i |S_on(i,0)| | / max(1, (2/m) sum_i ...)."""
    X = _X(p)
    draws = mc.init_draws(X, p["m"], p["B"], 20, spawn(p["seed"], "weights/identity"), p["symmetric"])
    ident = an.frobenius_identity(draws.counts, draws.m)  # one value per draw
    gap = np.abs(draws.frobenius_sq - ident) / np.maximum(1.0, ident)
    return exact(float(gap.max()), max_frobenius_sq=float(draws.frobenius_sq.max()))


def _law(p) -> float:
    return an.count_sf(math.ceil(p["m"] * an.on_probability(p["B"])), p["m"], p["B"], p["symmetric"])


def _union_fail(p) -> float:
    n = p["n"] if "n" in p else 1
    return an.union_failure_probability(n, p["m"], p["B"], p["symmetric"])


def _run(p, factor: float = 2.0) -> mc.TrainingCounts:
    X, y = problem(p["n"], p["d"], p["family"], p["labels"], p["seed"])
    return mc.training_counts(X, y, p["m"], p["B"], p["eta_frac"], p["steps"], spawn(p["seed"], "weights/training"),
                              p["symmetric"], factor=factor)


def _inclusion(p) -> Measurement:
    """Share of Lemma A.19's allowance used: max over i and t >= 1 of
    (|S_on(i,t)| - |S_on(i,0)|) / max(|S_i(R_real(t))|, 1/2); <= 1 is the inclusion (integer
    counts), 0 when nothing changed (the raw gap would then be 0 against 0)."""
    r = _run(p)
    return exact(r.allowance_used, max_gap=int(r.gap[1:].max()) if r.gap.shape[0] > 1 else 0,
                 movement=float(r.movement[-1]), outside=r.outside,
                 max_flip_set=int(r.flip_sizes[-1].max()), max_changed=int(r.changed.max()),
                 max_active=int(r.counts.max()))


def _flip_margin(p) -> Measurement:
    """max over (t, i, r) whose activation changed of |<w_r(0), x_i> - B| / R_real(t)
    (0 when nothing changed); the flip set S_i(R) is -2R <= <w_r(0), x_i> - B < 2R."""
    r = _run(p)
    return exact(r.flip_margin, outside=r.outside, movement=float(r.movement[-1]),
                 max_changed=int(r.changed.max()), max_flip_set=int(r.flip_sizes[-1].max()))


def _training_bound(p, bound=None) -> Measurement:
    """BOUND_RUNS runs (fresh initializations, same data) with R fixed in advance. Failure =
    hypothesis held (movement <= R) and max_{i,t} |S_on(i,t)| > bound. Runs whose movement
    left R are recorded, not counted; an example where no run kept the hypothesis is marked
    ``applicable=False`` (it trivially holds)."""
    X, y = problem(p["n"], p["d"], p["family"], p["labels"], p["seed"])
    runs = [mc.training_bound_run(X, y, p["m"], p["B"], p["R"], p["eta_frac"], p["steps"],
                                  spawn(p["seed"], f"weights/bound-run-{j}"), p["symmetric"], bound)
            for j in range(BOUND_RUNS)]  # a handful of training runs per example
    k = sum(r.failed for r in runs)
    held = sum(r.applicable for r in runs)
    return _cp(k, BOUND_RUNS, applicable=held > 0, hypothesis_held=held, hypothesis_failed=BOUND_RUNS - held,
               max_movement=max(r.movement for r in runs), R=p["R"],
               max_count=max(r.max_count for r in runs), count_bound=runs[0].bound,
               max_count_over_bound=max(r.max_count for r in runs) / runs[0].bound)


def _training_fail(p) -> float:
    return an.training_failure_probability(p["n"], p["m"], p["B"], p["R"], p["symmetric"])


def _scaled_training(p):
    """m = scale e^{B^2/2} (even under symmetric init) and R = R_frac / max(B, 1): m e^{-B^2/2}
    of order 100 or more, where the failure probability of Lemma A.19 falls below ALPHA / runs,
    so that any run above the bound is itself a refutation at the suite's false-alarm level."""
    p["m"] = int(round(p.pop("scale") * math.exp(p["B"] ** 2 / 2)))
    return _radius(p)


RATIO_DOMAIN = Domain({"n": Int(1, 8), "d": Int(1, 16), "scale": Uniform(200.0, 320.0), "B": Uniform(0.0, 1.5),
                       "R_frac": LogUniform(0.05, 1.0), "eta_frac": LogUniform(0.1, 3.0),
                       "steps": Int(1, 40), "family": Choice(*FAMILIES), "labels": Choice(*LABELS),
                       "symmetric": Choice(False, True), "seed": Seed()}, _scaled_training)


def _training_ratio(p, bound=None) -> Measurement:
    """Lemma A.19 as a measured ratio: max over the BOUND_RUNS runs that kept the hypothesis
    (movement <= R) of max_{i,t} |S_on(i,t)| / ((1 + 2cR) m e^{-B^2/2}). On the events of
    Lemma A.18 and Corollary A.4.1 the ratio is <= 1 deterministically, so a ratio above 1 has
    probability at most runs x failure probability: the point is applicable only where that is
    <= ALPHA (then one exceedance refutes at the suite's level). The frequency form
    (lemma_A19_training) can never see an exceedance: this one measures how close the count
    comes to the bound (a nonzero value at every applicable point)."""
    fail = _training_fail(p)
    X, y = problem(p["n"], p["d"], p["family"], p["labels"], p["seed"])
    runs = [mc.training_bound_run(X, y, p["m"], p["B"], p["R"], p["eta_frac"], p["steps"],
                                  spawn(p["seed"], f"weights/bound-run-{j}"), p["symmetric"], bound)
            for j in range(BOUND_RUNS)]
    held = [r for r in runs if r.applicable]
    ratio = max(r.max_count / r.bound for r in held) if held else 0.0
    return exact(ratio, applicable=bool(held) and BOUND_RUNS * fail <= ALPHA, hypothesis_held=len(held),
                 false_alarm=BOUND_RUNS * fail, count_bound=runs[0].bound,
                 max_count=max((r.max_count for r in held), default=0),
                 movements=tuple(float(r.movement) for r in runs))


# ------------------------------------------------------------------ claims
q_bound = register(Claim(
    module=MODULE, claim_id="Q_bound", reference=A18, statement="Q(B) <= exp(-B^2/2) / 2 (equality at B = 0)", kind="bound", sense="<=",
    measure=lambda p: exact_log(an.log_on_probability(p["B"])), bound=lambda p: an.on_probability_bound(p["B"]),
    domain=Q_DOMAIN, rtol=1e-12, log_bound=lambda p: an.log_on_probability_bound(p["B"]), tight_constant=1.0,
    measure_mp=lambda p: an.on_probability_mp(p["B"])))

tail = register(Claim(
    module=MODULE, claim_id="lemma_A18_exact", reference=A18,
    statement="-log P[|S_on(i,0)| >= m e^{-B^2/2}] >= (3/16) m' e^{-B^2/2} (m' = m, or m/2 under symmetric "
    "init), |S_on(i,0)| ~ Binomial(m, Q(B)) or 2 Binomial(m/2, Q(B)) exactly; m up to 1e6, B up to 12",
    kind="bound", sense=">=", measure=_neg_log_tail, bound=_exponent, domain=TAIL_DOMAIN, rtol=1e-9, log_bound=_log_exponent))

sampled = register(Claim(
    module=MODULE, claim_id="lemma_A18_sampled", reference=A18,
    statement="Sampled counts at initialization (standard and symmetric): Clopper-Pearson lower limit of "
    "P[|S_on(i,0)| >= m e^{-B^2/2}] <= exp(-(3/16) m' e^{-B^2/2})", kind="bound", sense="<=",
    measure=with_power(_sampled_exceedance, _fail, "<=", "proportion"), bound=_fail, domain=SAMPLED_DOMAIN, rtol=0.0, weight=0.3))

register(Claim(
    module=MODULE, claim_id="law_at_init_sampled", reference=A18,
    statement="Sampled counts follow the exact law: the Clopper-Pearson interval of P[|S_on(i,0)| >= k] at "
    "k = ceil(m Q(B)) contains the binomial survival function", kind="identity", sense="==",
    measure=with_power(lambda p: _sampled_exceedance(p, thr=math.ceil(p["m"] * an.on_probability(p["B"]))), _law, "==",
               "proportion"),
    bound=_law, domain=SAMPLED_DOMAIN, rtol=0.0, weight=0.3))

frob = register(Claim(
    module=MODULE, claim_id="frobenius_byproduct", reference=A18,
    statement="||Z(0)||_F^2 <= 2 n e^{-B^2/2} with probability >= 1 - n exp(-(3/16) m' e^{-B^2/2}) (Z from "
    "the network's Jacobian; Clopper-Pearson lower limit of the exceedance frequency)", kind="bound", sense="<=",
    measure=with_power(_frobenius_exceedance, _union_fail, "<=", "proportion"), bound=_union_fail, domain=FROB_DOMAIN, rtol=0.0,
    weight=0.2))

register(Claim(
    module=MODULE, claim_id="frobenius_identity", reference=A18,
    statement="||Z(0)||_F^2 from the Jacobian equals (2/m) sum_i |S_on(i,0)| (unit inputs, a_r^2 = 1): "
    "largest relative difference over draws <= 1e-12", kind="identity", sense="<=",
    measure=_frobenius_identity_gap, bound=lambda p: 1e-12, domain=NET_DOMAIN, rtol=0.0, weight=0.2))

inclusion = register(Claim(
    module=MODULE, claim_id="inclusion_training", reference=A19,
    statement="Along real gradient descent (standard and symmetric init): |S_on(i,t)| <= |S_on(i,0)| + "
    "|S_i(R_real(t))|, S_i the flip set at the realized movement; measured as the allowance used, "
    "max_{i,t>=1} (|S_on(i,t)| - |S_on(i,0)|) / max(|S_i|, 1/2) <= 1",
    kind="link", sense="<=", measure=_inclusion, bound=lambda p: 1.0, domain=TRAIN_DOMAIN, rtol=0.0, weight=0.3))

changed = register(Claim(
    module=MODULE, claim_id="changed_within_flip_set", reference=A19,
    statement="Every neuron whose activation on x_i changed at step t lies in S_i(R_real(t)) "
    "(-2R <= <w_r(0), x_i> - B < 2R): max over changed neurons of |<w_r(0), x_i> - B| / R_real(t) "
    "<= 2", kind="link", sense="<=", measure=_flip_margin, bound=lambda p: 2.0, domain=TRAIN_DOMAIN, rtol=0.0, weight=0.3))

training = register(Claim(
    module=MODULE, claim_id="lemma_A19_training", reference=A19,
    statement="With R fixed in advance (R <= 1/B): P[movement <= R and max_{i,t} |S_on(i,t)| > "
    "(1 + 2cR) m e^{-B^2/2}] <= n exp(-(3/16) m' e^{-B^2/2}) + n exp(-3 m' c R e^{-B^2/2}/8); "
    "Clopper-Pearson lower limit over 6 runs", kind="bound", sense="<=",
    measure=with_power(_training_bound, _training_fail, "<=", "proportion"), bound=_training_fail,
    domain=BOUND_DOMAIN, rtol=0.0, weight=0.3))

training_ratio = register(Claim(
    module=MODULE, claim_id="lemma_A19_training_ratio", reference=A19,
    statement="With R fixed in advance (R <= 1/B) and m e^{-B^2/2} large enough that runs x (n exp(-(3/16) "
    "m' e^{-B^2/2}) + n exp(-3 m' c R e^{-B^2/2}/8)) <= ALPHA: every run that kept movement <= R has "
    "max_{i,t} |S_on(i,t)| / ((1 + 2cR) m e^{-B^2/2}) <= 1", kind="bound", sense="<=",
    measure=_training_ratio, bound=lambda p: 1.0, domain=RATIO_DOMAIN, rtol=0.0, weight=0.2))

# ------------------------------------------------ Lemma 3.6 in the sparse regime it is about
# B from 2 to 3.5 with m = scale e^{B^2/2} (scale 200 to 320: about 200 active neurons per input;
# m up to 146000), R fixed in advance inside R <= 1/B. The theorem's own radius, Lemma A.8's
# D = 8 sqrt(n) ||f(0) - y|| / (sqrt(m) lambda), is recorded on every point with how many runs
# stayed within it: at these widths D is 5 to 1100 times 1/B (lambda = lambda_min(H_inf) is of
# order e^{-B^2/2} / B), so with R = D the lemma's count bound (1 + 2cD) m e^{-B^2/2} exceeds m
# and says nothing; D <= 1/B needs m >= 200 e^{B^2/2} (D B)^2 (3.4e4 at B = 2, n = 1; 7.7e8 at
# B = 3.5, n = 1), out of reach here.
SPARSE_DOMAIN = Domain({"n": Int(1, 4), "d": Int(1, 8), "scale": Uniform(200.0, 320.0), "B": Uniform(2.0, 3.5),
                        "R_frac": LogUniform(0.1, 1.0), "eta_frac": LogUniform(0.1, 3.0), "steps": Int(1, 12),
                        "family": Choice(*FAMILIES), "labels": Choice(*LABELS), "symmetric": Choice(False, True),
                        "seed": Seed()}, _scaled_training)


def _sparse_ratio(p, bound=None) -> Measurement:
    """:func:`_training_ratio` with the theorem's radius D recorded: D (from the first run's
    ||f(0) - y|| and lambda_min(H_inf)), D B, and how many runs' movement stayed within D."""
    m = _training_ratio(p, bound)
    X, y = problem(p["n"], p["d"], p["family"], p["labels"], p["seed"])
    lam = re_.lambda_min_h_inf(X, p["B"])
    within, Ds = 0, []
    for j in range(BOUND_RUNS):
        net0 = nw.initialize(p["m"], X.shape[1], p["B"], spawn(p["seed"], f"weights/bound-run-{j}"), p["symmetric"])
        D = rr.movement_radius(p["n"], p["m"], float(np.linalg.norm(nw.forward(X, net0) - y)), lam) if lam > 0 else math.inf
        Ds.append(D)
    moves = m.detail.get("movements", ())
    within = sum(mv <= D for mv, D in zip(moves, Ds))
    return Measurement(m.value, m.lower, m.upper, {**m.detail, "D": float(min(Ds)), "D_times_B": float(min(Ds) * p["B"]),
                                                  "runs_within_D": int(within), "runs": BOUND_RUNS})


training_sparse = register(Claim(
    module=MODULE, claim_id="lemma_A19_sparse_ratio", reference=A19,
    statement="lemma_A19_training_ratio in the sparse regime: B in [2, 3.5], m = (200 to 320) e^{B^2/2}, R <= 1/B "
    "fixed in advance; every run that kept movement <= R has max_{i,t} |S_on(i,t)| / ((1 + 2cR) m e^{-B^2/2}) "
    "<= 1 (Lemma A.8's D recorded: D B >= 5 here, so R = D would make the bound exceed m)", kind="bound",
    sense="<=", measure=_sparse_ratio, bound=lambda p: 1.0, domain=SPARSE_DOMAIN, rtol=0.0, weight=0.06))
mutant(training_sparse, "mutant_sparse_ratio_mean", "the count bound m Q(B) (the mean at initialization) in the "
       "sparse regime: the largest count over inputs and steps exceeds its mean",
       measure=lambda p: _sparse_ratio(p, bound=lambda m, B, R: m * an.on_probability(B)), weight=0.1)

# ---------------------------------------------------------------- mutants (false variants)
mutant(training_ratio, "mutant_training_ratio_mean", "the count bound m Q(B) (the mean at "
       "initialization) in place of (1 + 2cR) m e^{-B^2/2}: the largest count over inputs and steps "
       "exceeds its mean", measure=lambda p: _training_ratio(p, bound=lambda m, B, R: m * an.on_probability(B)))
mutant(tail, "mutant_rate_3", "Bernstein rate 3 in place of 3/16: the exact tail decays only "
       "about 3.7 times faster than the 3/16 bound (B = 0), not 16 times",
       bound=lambda p: an.bernstein_exponent(p["m"], p["B"], p["symmetric"], rate=3.0),
       log_bound=lambda p: _log_exponent(p, 3.0))
mutant(tail, "mutant_exponent_B2", "|S_on(i,0)| <= m e^{-B^2} (exponent B^2 in place of B^2/2) "
       "w.p. 1 - exp(-(3/16) m' e^{-B^2/2}): for B > 1.7, Q(B) > e^{-B^2}",
       statement="MUTANT: -log P[|S_on(i,0)| > m e^{-B^2}] >= (3/16) m' e^{-B^2/2}",
       measure=lambda p: _neg_log_tail(p, thr=p["m"] * math.exp(-p["B"] ** 2), strict=True),
       domain=Domain({"m_log": LogUniform(1.0, 1e6), "B": Uniform(0.5, 12.0),
                      "symmetric": Choice(False, True)}, _log_m))
mutant(sampled, "mutant_sampled_exponent_B2", "sampled counts against m e^{-B^2} (wrong exponent)",
       measure=lambda p: _sampled_exceedance(p, thr=p["m"] * math.exp(-p["B"] ** 2), strict=True))
mutant(frob, "mutant_frobenius_mean", "||Z(0)||_F^2 <= 2 n Q(B), its mean: exceeded about half "
       "the time, far more often than n exp(-(3/16) m' e^{-B^2/2})",
       measure=lambda p: _frobenius_exceedance(p, mean=True))
mutant(changed, "mutant_flip_width_R", "flip set -R <= <w~, x> - B < R (forgetting that the bias "
       "moves too; the worst perturbation shifts the pre-activation by 2R)", bound=lambda p: 1.0)
mutant(inclusion, "mutant_activity_never_grows", "|S_on(i,t)| <= |S_on(i,0)| (no allowance for the "
       "flip set): gradient descent does switch neurons on", bound=lambda p: 0.0)
mutant(training, "mutant_training_mean", "|S_on(i,t)| <= m Q(B) (the mean at initialization) with "
       "the same failure probability: the largest count over inputs and steps exceeds its mean",
       measure=lambda p: _training_bound(p, bound=lambda m, B, R: m * an.on_probability(B)))
