"""Registered claims of the error-analysis module (FORMULAS.md section 7; Claim A.11, Lemmas A.12,
A.14, A.15, A.16, A.9, Theorem A.17's step size, the B-independence of the rate, Figure 2).

Along-run claims train real gradient descent (both initializations, B in [0, 3], n <= 5,
m <= 1024, steps <= 40) and decompose every step exactly
(:func:`montecarlo.estimators.error_analysis.decompose`); each link is stated as the largest
ratio measured / bound over the steps where its hypothesis holds (<= 1). Adversarial claims
move every flip-set neuron to a corner of its box and take one gradient step from there
(:func:`montecarlo.estimators.error_analysis.adversary`). Runs and adversaries are cached per
parameter point, so claims on one domain and their mutants share them. A point where a claim's
hypothesis never holds is measured as ``exact(0.0, applicable=False, reason=...)``.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from bounds import convergence as cvb
from bounds import error_analysis as eab

from ..estimators import error_analysis as ea
from ..experiments.convergence import figure2_curves, fit_slopes
from ..sim.data import FAMILIES, LABELS, admissible_d, dataset
from ..registry import (Choice, Claim, Domain, EvenInt, Int, LogUniform, Measurement, Seed, Uniform, exact, exact_log,
                        mutant, register)

MODULE = "error_analysis"
S7 = "FORMULAS.md section 7"
HUGE = 1e300


def _key(p) -> tuple:
    return tuple(sorted(p.items()))


def _dims(p):
    p["d"] = admissible_d(p["family"], p["n"], p["d"])
    return p


@lru_cache(maxsize=64)
def _problem(key: tuple):
    p = dict(key)
    return ea.draw(p["n"], p["d"], p["m"], p["B"], p["family"], p["labels"], p["seed"], p["init"] == "symmetric",
                   p.get("eta_frac", 0.5))


def _pkey(p) -> tuple:
    return _key({k: p[k] for k in ("n", "d", "m", "B", "family", "labels", "seed", "init", "eta_frac") if k in p})


# ------------------------------------------------------------------ along real gradient descent
RUN_DOMAIN = Domain({"n": Int(2, 5), "d": Int(2, 6), "B": Uniform(0.0, 3.0), "family": Choice(*FAMILIES),
                     "labels": Choice(*LABELS), "seed": Seed(), "init": Choice("symmetric", "standard"),
                     "m": EvenInt(64, 1024), "steps": Int(5, 40), "eta_frac": Uniform(0.1, 1.0)}, _dims)


@lru_cache(maxsize=64)
def _decomposition(key: tuple) -> ea.Decomposition:
    p = dict(key)
    return ea.decompose(ea.run(_problem(_pkey(p)), p["steps"]))


@lru_cache(maxsize=64)
def _ratios(key: tuple) -> dict:
    return ea.link_ratios(_decomposition(key))


def _identity(p, c3_sign: float = 1.0) -> Measurement:
    """1 + the signed deviation of Claim A.11 at the step where it is largest, relative to
    ||r(t)||^2 + |C1| + |C2| + |C3| + C4 (``c3_sign = -1``: the mutant with C3's sign flipped)."""
    D = _decomposition(_key(p))
    if D.steps == 0:
        return exact(1.0, applicable=False, reason="no step")
    lhs = D.norm2[1:]
    rhs = D.norm2[:-1] + D.C1 + D.C2 + c3_sign * D.C3 + D.C4
    scale = D.norm2[:-1] + np.abs(D.C1) + np.abs(D.C2) + np.abs(D.C3) + D.C4
    # round-off of f (about 1e-16 of |f| <= ||y|| + ||r||) is no longer small against r below 1e-3 of it
    floor = 1e-3 * max(float(np.linalg.norm(_problem(_pkey(p)).y)), math.sqrt(D.norm2[0]))
    scale = np.where(np.sqrt(D.norm2[:-1]) >= floor, scale, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = np.where(scale > 0, (lhs - rhs) / np.where(scale > 0, scale, 1.0), 0.0)
    t = int(np.argmax(np.abs(dev)))
    return exact(1.0 + float(dev[t]), step=t, C1=float(D.C1[t]), C2=float(D.C2[t]), C3=float(D.C3[t]),
                 C4=float(D.C4[t]), covered=bool(D.covered.all()), flip_steps=int(np.count_nonzero(D.C3)))


register(Claim(
    module=MODULE, claim_id="decomposition_identity", reference="Claim A.11",
    statement="At every step of gradient descent (both initializations): ||r(t+1)||^2 = ||r(t)||^2 + C1 + C2 + C3 + C4 "
    "with C1 = -2 eta r^T H(t) r, C2 = 2 eta r^T H^perp(t) r, C3 = 2 r^T v2, C4 = ||f(t+1) - f(t)||^2 (S^perp the "
    "flip sets of the largest movement up to t+1); measured: 1 + the largest deviation relative to ||r||^2 + "
    "|C1| + |C2| + |C3| + C4, to 1e-12 (steps with ||r(t)|| >= 1e-3 max(||y||, ||r(0)||))", kind="identity", sense="==", measure=_identity, bound=lambda p: 1.0,
    domain=RUN_DOMAIN, rtol=1e-12, weight=0.2))


def _link(p, name: str, adversarial: bool = False) -> Measurement:
    r = _adv(_key(p)) if adversarial else _ratios(_key(p))
    steps = r.get(name + "_steps", 0)
    det = {"steps": steps}
    if not steps:
        return exact(0.0, applicable=False, reason=f"the hypothesis of {name} holds at no step", **det)
    val = r[name]
    return exact(min(val, HUGE), **det)


_LINKS = {
    "A12": ("Lemma A.12", "C1 <= -eta lambda ||r(t)||^2 at the steps with lambda_min(H(t)) >= lambda/2; "
            "measured: max_t eta lambda ||r||^2 / (-C1) <= 1"),
    "A14_link": ("Lemma A.14", "|C2| <= 2 eta ||H^perp||_F ||r||^2 <= 4 eta n max_i |S_i^perp| / m ||r(t)||^2; "
                 "measured: the largest ratio over steps"),
    "A14_event": ("Lemma A.14 with Corollary A.4.1", "on the event |S_i^perp| < 2 m q: |C2| <= 8 eta n q ||r(t)||^2, "
                  "q = c R e^{-B^2/2}; measured: the largest ratio over the steps on the event"),
    "A15_link": ("Lemma A.15 with Fact A.13", "|C3| <= 2 ||r|| ||v2|| <= 4 eta n max_i |S_i^perp| / m ||r(t)||^2; "
                 "measured: the largest ratio over steps"),
    "A15_event": ("Lemma A.15 with Corollary A.4.1", "on the event |S_i^perp| < 2 m q: |C3| <= 8 eta n q ||r(t)||^2; "
                  "measured: the largest ratio over the steps on the event"),
    "A16_link": ("Lemma A.16 (sparse form)", "C4 <= 4 eta^2 n^2 (max_i |U_i| / m)^2 ||r(t)||^2, U_i = S_on(i,t) u "
                 "S_on(i,t+1); measured: the largest ratio over steps"),
    "A16_event": ("Lemma A.16 with Lemma A.18 and Corollary A.4.1", "on the events |S_on(i,0)| <= m e^{-B^2/2} and "
                  "|S_i^perp| < 2 m q: C4 <= 4 eta^2 n^2 (1 + 2cR)^2 e^{-B^2} ||r(t)||^2; measured: the largest ratio "
                  "(log space) over the steps on the events"),
    "A16_dense": ("Lemma A.16 (dense form)", "C4 <= 4 eta^2 n^2 ||r(t)||^2; measured: the largest ratio over steps"),
    "step": ("Theorem A.17 (the combined step)", "on the events and with lambda_min(H(t)) >= lambda/2: ||r(t+1)||^2 <= "
             "(1 - eta lambda + 16 eta n q + 4 eta^2 n^2 (1+2cR)^2 e^{-B^2}) ||r(t)||^2; measured: the largest ratio"),
}
ALONG = {}
for _name, (_ref, _st) in _LINKS.items():
    ALONG[_name] = register(Claim(
        module=MODULE, claim_id=f"{_name.lower()}_along_runs", reference=_ref,
        statement=f"Along gradient descent (R = the largest movement up to t+1): {_st}", kind="link", sense="<=",
        measure=(lambda name: lambda p: _link(p, name))(_name), bound=lambda p: 1.0, domain=RUN_DOMAIN,
        rtol=1e-9, weight=0.15))


# ------------------------------------------------------------------------------- adversary
ADV_DOMAIN = Domain({"n": Int(1, 4), "d": Int(2, 6), "B": Uniform(0.0, 3.0), "family": Choice(*FAMILIES),
                     "labels": Choice(*LABELS), "seed": Seed(), "init": Choice("symmetric", "standard"),
                     "m": EvenInt(64, 1024), "R": LogUniform(1e-3, 0.5)}, _dims)


@lru_cache(maxsize=64)
def _adv(key: tuple) -> dict:
    p = dict(key)
    return ea.adversary(_problem(_pkey(p)), p["R"], p["seed"])


ADV = {}
for _name in ("A14_link", "A15_link", "A16_link", "A16_dense", "A14_event", "A15_event", "A16_event"):
    _ref, _st = _LINKS[_name]
    ADV[_name] = register(Claim(
        module=MODULE, claim_id=f"{_name.lower()}_adversarial", reference=_ref,
        statement=f"At adversarial states (every flip-set neuron of radius R at a corner of its box, then one "
        f"gradient step): {_st}", kind="link", sense="<=", measure=(lambda name: lambda p: _link(p, name, True))(_name),
        bound=lambda p: 1.0, domain=ADV_DOMAIN, rtol=1e-9, weight=0.15))


# ------------------------------------------------------------ the step-size condition (formula)
def _cond(p):
    p["R"] = p["R_frac"] * eab.radius_condition(p["n"], p["B"], p["lam"])
    p["eta"] = p["eta_frac"] * eab.sparse_step(p["n"], p["B"], p["lam"], p["R"])
    return p


COND_DOMAIN = Domain({"n": Int(1, 2000), "B": Uniform(0.0, 6.0), "lam": LogUniform(1e-6, 1.0),
                      "R_frac": Uniform(0.01, 1.0), "eta_frac": Uniform(0.01, 1.0)}, _cond)


def _factor_measure(p) -> Measurement:
    # 1 - factor summed from its terms (1 - (1 - x) cancels when eta lambda ~ 1e-18)
    dec = -(eab.c1_bound(p["eta"], p["lam"]) + 2 * eab.flip_term_bound(p["eta"], p["n"], p["B"], p["R"])
            + eab.update_bound(p["eta"], p["n"], p["B"], p["R"]))
    return exact(dec, eta_lam=p["eta"] * p["lam"], factor=eab.step_factor(p["eta"], p["n"], p["B"], p["R"], p["lam"]))


step_condition = register(Claim(
    module=MODULE, claim_id="step_size_condition", reference="Theorem A.17 (step size, explicit)",
    statement="R <= lambda e^{B^2/2} / (64 n c) and eta <= lambda e^{B^2} / (8 n^2 (1 + 2cR)^2) give "
    "1 - eta lambda + 16 eta n q + 4 eta^2 n^2 (1+2cR)^2 e^{-B^2} <= 1 - eta lambda/4; measured: 1 - factor >= "
    "eta lambda/4", kind="bound", sense=">=", measure=_factor_measure, bound=lambda p: p["eta"] * p["lam"] / 4,
    domain=COND_DOMAIN, rtol=1e-9))


# -------------------------------------------------------- the sparse step size on real runs
def _sparse_problem(p):
    p = _dims(p)
    return p


SPARSE_DOMAIN = Domain({"n": Int(2, 3), "d": Int(2, 4), "B": Uniform(0.0, 1.0), "family": Choice("orthonormal", "random"),
                        "labels": Choice(*LABELS), "seed": Seed(), "init": Choice("symmetric", "standard"),
                        "m": EvenInt(2 ** 18, 2 ** 19), "steps": Int(2, 4)}, _sparse_problem)


@lru_cache(maxsize=16)
def _sparse_run(key: tuple, mode: str = "sparse") -> dict:
    """A run at eta_sparse(R*) (``mode="unstable"``: 2.5 / lambda_max(H(0))) keeping only the residual
    norms, the running movement and lambda_min(H(s)) (the width is in the hundreds of thousands: the
    proof's radius is verified on the run only there)."""
    p = dict(key)
    P = _problem(_pkey(p))
    if not P.lam > 0:
        return {"lam": P.lam}
    Rs = eab.radius_condition(P.n, P.B, P.lam)
    eta = eab.sparse_step(P.n, P.B, P.lam, Rs) if mode == "sparse" else 2.5 / P.lam_max0
    K = (P.X @ P.X.T + 1.0) / P.m
    rec = {"norm2": [], "move": 0.0, "lam_min": math.inf}

    def cb(t, net, r):
        rec["norm2"].append(float(r @ r))
        rec["move"] = max(rec["move"], float(np.linalg.norm(net.W - P.net0.W, axis=1).max()),
                          float(np.abs(net.b - P.net0.b).max()))
        A = ((P.X @ net.W.T) >= net.b).astype(float)
        rec["lam_min"] = min(rec["lam_min"], float(np.linalg.eigvalsh(K * (A @ A.T))[0]))

    from ..sim.trainer import train

    tr = train(P.X, P.y, P.net0, eta, p["steps"], callback=cb, record="residual")
    return {"lam": P.lam, "eta": eta, "R_star": Rs, "norm2": np.array(rec["norm2"]), "max_move": rec["move"],
            "lam_min": rec["lam_min"], "stopped": tr.stopped, "lam_max0": P.lam_max0, "n": P.n}


def _sparse_rate(p, mode: str = "sparse", factor: float = 1.0) -> Measurement:
    """max_t ||r(t)||^2 / ((1 - factor eta lambda/4)^t ||r(0)||^2) at eta = eta_sparse(R*), R* the radius
    condition, on runs that verify every neuron within R* and lambda_min(H(s)) >= lambda/2 (``mode``
    "unstable": eta = 2.5 / lambda_max(H(0)), the mutant, with the run's checks dropped)."""
    s = _sparse_run(_key(p), mode)
    if "eta" not in s:
        return exact(0.0, applicable=False, reason=f"lambda = {s['lam']:.3g} <= 0")
    norms2, eta, lam = s["norm2"], s["eta"], s["lam"]
    if not norms2[0] > 0:
        return exact(0.0, applicable=False, reason="r(0) = 0")
    det = {"eta": eta, "R_star": s["R_star"], "max_move": s["max_move"], "min_kernel_ratio": s["lam_min"] / lam,
           "eta_lam": eta * lam, "dense_step": eab.dense_step(s["n"], lam), "eta_lam_max0": eta * s["lam_max0"],
           "stopped": s["stopped"]}
    if mode == "sparse" and not (s["max_move"] <= s["R_star"] and s["lam_min"] >= lam / 2):
        why = ("movement above R*" if s["max_move"] > s["R_star"]
               else f"lambda_min(H(s)) = {s['lam_min'] / lam:.3g} lambda < lambda/2")
        return exact(0.0, applicable=False, reason=why, **det)
    x = factor * eta * lam / 4
    if not x < 1:
        return exact(HUGE, reason="1 - eta lambda/4 <= 0", **det)
    if not np.all(np.isfinite(norms2)):
        return exact(HUGE, reason="diverged", **det)
    t = np.arange(len(norms2))
    keep = (t > 0) & (norms2 > 1e-20)
    if not keep.any():
        return exact(0.0, applicable=False, reason="error below the round-off floor", **det)
    lr = np.log(norms2[keep]) - math.log(norms2[0]) - t[keep] * math.log1p(-x)
    return exact(float(np.exp(min(lr.max(), 690.0))), log_ratio=float(lr.max()), **det)


sparse_rate = register(Claim(
    module=MODULE, claim_id="sparse_step_rate", reference="Theorem A.17 (the sparse step size)",
    statement="At eta = lambda e^{B^2} / (8 n^2 (1 + 2cR*)^2), R* = lambda e^{B^2/2} / (64 n c): ||r(t)||^2 <= "
    "(1 - eta lambda/4)^t ||r(0)||^2 for 1 <= t <= T on runs that verify every neuron within R* and "
    "lambda_min(H(s)) >= lambda/2 (others not applicable); measured: the largest ratio over t",
    kind="bound", sense="<=", measure=_sparse_rate, bound=lambda p: 1.0, domain=SPARSE_DOMAIN, rtol=1e-9, weight=0.04))


# ------------------------------------------------------------------------- B-independence
def _data(p):
    p["d"] = admissible_d(p["family"], p["n"], p["d"])
    return p


BIND_DOMAIN = Domain({"n": Int(2, 6), "d": Int(2, 8), "B": Uniform(0.05, 40.0), "family": Choice(*FAMILIES),
                      "seed": Seed()}, _data)


@lru_cache(maxsize=256)
def _log_lam(key: tuple) -> float:
    p = dict(key)
    return ea.log_lambda_min_h_inf(dataset(p["family"], p["n"], p["d"], p["seed"]), p["B"])


def _bind_measure(p) -> Measurement:
    ll = _log_lam(_key(p))
    return exact_log(ll, log_diagonal=eab.log_diagonal_bound(p["B"]), log_lambda0=ll + p["B"] ** 2 / 2)


b_independence = register(Claim(
    module=MODULE, claim_id="lambda_le_mills", reference="Theorem A.17 (is the rate independent of B?)",
    statement="lambda_min(H_inf) <= min_i H_inf_ii = 2 Q(B) <= sqrt(2/pi) e^{-B^2/2} / B, so lambda0 = lambda "
    "e^{B^2/2} <= sqrt(2/pi)/B (exact, log space, B up to 40)", kind="bound", sense="<=", measure=_bind_measure,
    bound=lambda p: math.exp(eab.log_mills_bound(p["B"])), log_bound=lambda p: eab.log_mills_bound(p["B"]),
    domain=BIND_DOMAIN, rtol=1e-9))

register(Claim(
    module=MODULE, claim_id="lambda_le_diagonal", reference="Theorem A.17 (is the rate independent of B?)",
    statement="lambda_min(H_inf) <= min_i H_inf_ii = 2 Q(B) (the Rayleigh quotient at a coordinate vector; exact, "
    "log space, B up to 40)", kind="bound", sense="<=", measure=_bind_measure,
    bound=lambda p: math.exp(eab.log_diagonal_bound(p["B"])), log_bound=lambda p: eab.log_diagonal_bound(p["B"]),
    domain=BIND_DOMAIN, rtol=1e-9))


# ------------------------------------------------------------------- Lemma A.9 (gradient flow)
FLOW_DOMAIN = Domain({"n": Int(2, 3), "d": Int(3, 6), "B": Uniform(0.0, 1.5), "family": Choice("orthonormal", "random"),
                      "labels": Choice(*LABELS), "seed": Seed(), "init": Choice("symmetric", "standard"),
                      "m": EvenInt(128, 512), "eta_frac": Uniform(0.02, 0.05), "time": Uniform(1.0, 3.0)}, _dims)


@lru_cache(maxsize=64)
def _flow(key: tuple) -> dict:
    p = dict(key)
    P = _problem(_pkey(p))
    if not P.lam > 0:
        return {"rate_held": False, "ratio": 0.0, "bound": math.nan, "max_move": 0.0, "time": 0.0, "lam": P.lam}
    T = int(min(400, math.ceil(p["time"] / (P.lam * P.eta))))
    out = ea.flow_check(ea.run(P, T))
    return {**out, "lam": P.lam, "sqrt_m": math.sqrt(P.m)}


def _flow_measure(p, scale: float = 1.0) -> Measurement:
    f = _flow(_key(p))
    if not f["rate_held"]:
        return exact(0.0, applicable=False, reason="the flow's rate e^{-lambda s} fails on the run", **f)
    return exact(f["ratio"] * (f["sqrt_m"] if scale != 1.0 else 1.0), **f)


flow = register(Claim(
    module=MODULE, claim_id="lemma_A9_flow", reference="Lemma A.9",
    statement="Gradient descent with a small step (eta <= 0.05 / lambda_max(H(0)), time s = eta t up to 3/lambda): "
    "while ||r(s)||^2 <= e^{-lambda s} ||r(0)||^2, every neuron has ||w_r - w_r(0)||, |b_r - B| <= 2 sqrt(n) "
    "||r(0)|| / (sqrt(m) lambda); measured: the largest movement over the bound", kind="bound", sense="<=",
    measure=_flow_measure, bound=lambda p: 1.0, domain=FLOW_DOMAIN, rtol=1e-9, weight=0.1))


# ------------------------------------------------------------------ Figure 2's same final slope
SLOPE_DOMAIN = Domain({"B": Uniform(1.0, 2.0), "seed": Seed()})


@lru_cache(maxsize=16)
def _slopes(key: tuple) -> dict:
    p = dict(key)
    c = figure2_curves(Bs=(0.0, p["B"]), m=128, n=10, d=10, steps=400, draws=6, seed=p["seed"])
    keep = c["dead"][float(p["B"])] == 0  # draws with an input that has no active neuron are excluded
    s0 = fit_slopes(c["curves"][0.0][keep])
    sB = fit_slopes(c["curves"][float(p["B"])][keep])
    return {"s0": s0, "sB": sB, "excluded": int((~keep).sum())}


def _slope_measure(p) -> Measurement:
    """slope(B) / slope(0) of Figure 2's curves (step eta0 e^{B^2/2}) with a Student-t interval over the
    per-draw ratios (95%)."""
    from scipy import stats as sst

    s = _slopes(_key(p))
    a, b = s["s0"]["slopes"], s["sB"]["slopes"]
    k = min(len(a), len(b))
    det = {"excluded_dead": s["excluded"], "slope_0": s["s0"]["mean"], "slope_B": s["sB"]["mean"], "draws": k}
    if k < 2:
        return exact(0.0, applicable=False, reason="fewer than 2 draws without dead inputs", **det)
    r = b[:k] / a[:k]
    half = float(sst.t.ppf(0.975, k - 1) * r.std(ddof=1) / math.sqrt(k))
    from ..registry import Measurement as M

    return M(float(r.mean()), float(r.mean() - half), float(r.mean() + half), det)


slope = register(Claim(
    module=MODULE, claim_id="figure2_same_slope", reference="Figure 2 (same final slope)",
    statement="Figure 2 (x on the sphere, n = d = 10, width 128, step eta0 e^{B^2/2}): the final slopes of "
    "log ||f(t) - y||^2 agree, slope(B) / slope(0) >= 1/2 (95% interval over draws without dead inputs)",
    kind="bound", sense=">=", measure=_slope_measure, bound=lambda p: 0.5, domain=SLOPE_DOMAIN, rtol=0.0,
    weight=0.03))


# ---------------------------------------------------------------- mutants (false variants)
CLUSTER1 = {"n": Int(1, 1), "family": Choice("clusters"), "labels": Choice("ones"), "init": Choice("symmetric")}
mutant(ADV["A14_link"], "mutant_A14_factor_halved", "|C2| <= 2 eta n max_i |S_i^perp| / m ||r||^2 (the 8 of "
       "8 eta n q halved, i.e. 4 -> 2 before the event): at n = 1 and all flip-set neurons on, the link is attained",
       bound=lambda p: 0.5, domain=Domain(dict(ADV_DOMAIN.specs) | CLUSTER1 | {"B": Uniform(0.0, 1.0),
                                                                              "R": LogUniform(1e-2, 0.3)}, _dims),
       weight=0.1)
mutant(ADV["A15_link"], "mutant_A15_factor_halved", "|C3| <= 2 eta n max_i |S_i^perp| / m ||r||^2 (the 8 of "
       "8 eta n q halved)", bound=lambda p: 0.5,
       domain=Domain(dict(ADV_DOMAIN.specs) | CLUSTER1 | {"B": Uniform(0.0, 1.0), "R": LogUniform(1e-2, 0.3)}, _dims),
       weight=0.1)
mutant(ADV["A16_link"], "mutant_A16_fact_A13_once", "C4 <= eta^2 n^2 (max_i |U_i|/m)^2 ||r||^2 (the 2 of Fact "
       "A.13, ||dw_r|| + |db_r|, counted once)", bound=lambda p: 0.25,
       domain=Domain(dict(ADV_DOMAIN.specs) | CLUSTER1 | {"B": Uniform(0.0, 1.0)}, _dims), weight=0.1)
mutant(ADV["A16_dense"], "mutant_A16_dense_fact_A13_once", "C4 <= eta^2 n^2 ||r||^2 (dense form, the 2 of Fact "
       "A.13 counted once)", bound=lambda p: 0.25,
       domain=Domain(dict(ADV_DOMAIN.specs) | CLUSTER1 | {"B": Uniform(0.0, 0.3), "R": LogUniform(0.3, 1.0)}, _dims),
       weight=0.1)
mutant(ADV["A16_event"], "mutant_A16_exponent_3_2", "C4 <= 4 eta^2 n^2 (1 + 2cR)^2 e^{-3B^2/2} ||r||^2 (e^{-B^2} "
       "replaced by e^{-3B^2/2}): refuted at B ~ 3.2-3.6 where |S_on(i,0)| / m ~ Q(B) exceeds e^{-3B^2/4}",
       bound=lambda p: math.exp(-p["B"] ** 2 / 2),
       domain=Domain(dict(ADV_DOMAIN.specs) | CLUSTER1 | {"d": Int(2, 2), "B": Uniform(3.2, 3.6), "m": EvenInt(8192, 8192),
                                                          "R": LogUniform(1e-3, 2e-3)}, _dims), weight=0.15)
mutant(ALONG["A12"], "mutant_A12_lambda_not_half", "C1 <= -2 eta lambda ||r||^2 (lambda_min(H(t)) >= lambda "
       "assumed in place of lambda/2)", bound=lambda p: 0.5,
       domain=Domain(dict(RUN_DOMAIN.specs) | {"family": Choice("random", "orthonormal"), "labels": Choice("random"),
                                                "steps": Int(30, 40), "m": EvenInt(64, 256)}, _dims), weight=0.1)
mutant("error_analysis.decomposition_identity", "mutant_identity_C3_sign", "the decomposition with C3's sign "
       "flipped (-2 r^T v2)", measure=lambda p: _identity(p, -1.0),
       domain=Domain(dict(RUN_DOMAIN.specs) | {"B": Uniform(0.0, 1.0)}, _dims), weight=0.1)
mutant(step_condition, "mutant_step_4x_sparse", "eta up to 4 lambda e^{B^2} / (8 n^2 (1+2cR)^2): the C4 term "
       "then exceeds what the decomposition leaves (1 - eta lambda/4 fails)",
       domain=Domain(dict(COND_DOMAIN.specs) | {"eta_frac": Uniform(3.0, 4.0)}, _cond), weight=0.2,
       within_subject=False)
mutant(step_condition, "mutant_radius_32", "the radius condition R <= lambda e^{B^2/2} / (32 n c) of section 6 "
       "in place of 64: 16 eta n q reaches eta lambda/2",
       domain=Domain(dict(COND_DOMAIN.specs) | {"R_frac": Uniform(1.5, 2.0), "eta_frac": Uniform(0.8, 1.0)}, _cond),
       weight=0.2, within_subject=False)
mutant(sparse_rate, "mutant_sparse_unstable_step", "the rate (1 - eta lambda/4)^t at eta = 2.5 / lambda_max(H(0)), "
       "beyond the step of the decomposition (and of stability): the 4 x eta_sparse step is not a false variant "
       "on runs, the sparse step is conservative by orders", measure=lambda p: _sparse_rate(p, "unstable"),
       domain=Domain(dict(SPARSE_DOMAIN.specs) | {"steps": Int(30, 40), "m": EvenInt(256, 512)}, _sparse_problem),
       weight=0.1)
mutant(b_independence, "mutant_lambda0_inverse_square", "lambda0 = lambda e^{B^2/2} <= sqrt(2/pi) / B^2 (the "
       "literal lambda0 <= 1/B is implied by the true sqrt(2/pi)/B and cannot fail)",
       bound=lambda p: math.exp(eab.log_mills_bound(p["B"]) - math.log(p["B"])),
       log_bound=lambda p: eab.log_mills_bound(p["B"]) - math.log(p["B"]),
       domain=Domain(dict(BIND_DOMAIN.specs) | {"B": Uniform(2.0, 40.0), "family": Choice("orthonormal")}, _data),
       weight=0.2)
mutant(b_independence, "mutant_mills_0_995", "0.995 sqrt(2/pi) e^{-B^2/2} / B: within 0.5% of the supremum "
       "(2 Q(B) B e^{B^2/2} / sqrt(2/pi) -> 1 and lambda_min(H_inf) -> 2 Q(B) for orthonormal data)",
       bound=lambda p: 0.995 * math.exp(eab.log_mills_bound(p["B"])),
       log_bound=lambda p: math.log(0.995) + eab.log_mills_bound(p["B"]),
       domain=Domain(dict(BIND_DOMAIN.specs) | {"B": Uniform(20.0, 40.0), "family": Choice("orthonormal")}, _data),
       weight=0.2)
mutant(flow, "mutant_A9_m_not_sqrt", "2 sqrt(n) ||r(0)|| / (m lambda) (the m^{-1/2} of the gradient counted "
       "twice)", measure=lambda p: _flow_measure(p, 2.0), weight=0.1)
