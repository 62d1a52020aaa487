"""The one search plan (montecarlo.search.plan) and the log-space verdicts of montecarlo.registry,
on small claims defined here (none is registered)."""

from __future__ import annotations

import math
from pathlib import Path

import mpmath
import pytest

from montecarlo import registry
from montecarlo.search.falsify import falsify
from montecarlo.registry import Claim, Domain, Evidence, Measurement, Uniform, check, exact, exact_log
from montecarlo.search.plan import (MUTANT_BUDGET, MUTANT_FLOOR, Search, closeness, local_scale, mutant_examples, plan_sizes, severity)

MOD = "test_search_ns"
DOM = Domain({"B": Uniform(0.0, 4.0)})


def claim(measure, bound, sense="<=", domain=DOM, **kw) -> Claim:
    return Claim(module=MOD, claim_id=kw.pop("claim_id", "toy"), reference="test", statement="toy", kind=kw.pop("kind", "bound"), sense=sense,
                 measure=measure, bound=bound, domain=domain, **kw)


# ------------------------------------------------------------------------------ the plan
def test_plan_sizes_and_steps():
    assert plan_sizes(100, 4) == (4, 57, 39)
    assert plan_sizes(3, 16) == (1, 1, 1)
    assert plan_sizes(200, 16) == (16, 110, 74)
    assert local_scale(0, 40) == 0.2 and local_scale(10, 40) == pytest.approx(0.1)


def test_mutant_budget_is_shared():
    c = claim(lambda p: exact(1.0), lambda p: 2.0, weight=0.05)
    assert mutant_examples(c) == MUTANT_FLOOR
    assert mutant_examples(claim(lambda p: exact(1.0), lambda p: 2.0, weight=0.5)) == MUTANT_BUDGET // 2
    from reports.sweep import examples_for
    assert examples_for(c, 1) == MUTANT_FLOOR or c.kind != "mutant"
    m = claim(lambda p: exact(1.0), lambda p: 2.0, kind="mutant", weight=0.3)
    assert examples_for(m, 1) == mutant_examples(m) == 60


def test_search_is_deterministic_and_finds_the_worst_point():
    c = claim(lambda p: exact(math.exp(-(p["B"] - 3.1) ** 2)), lambda p: 1.0)
    runs = [Search(c.domain, lambda q: check(c, q), 60, 5).run() for _ in range(2)]
    assert [e.params for e in runs[0].points] == [e.params for e in runs[1].points]
    assert runs[0].used == 60 and runs[0].worst.ratio > 0.99  # the local search climbs to B = 3.1


def test_search_stops_at_first_refutation_and_ranks_refuted_first():
    c = claim(lambda p: exact(p["B"]), lambda p: 3.0)
    s = Search(c.domain, lambda q: check(c, q), 50, 0, stop_at_first=True).run()
    assert s.counterexample is not None and s.counterexample.refuted and s.worst is s.counterexample
    assert s.used < 50


def test_points_outside_the_hypothesis_never_decide():
    """A measurement marked applicable=False may violate the bound: neither falsify nor the
    sweep counts it (falsify used to, the sweep did not)."""
    c = claim(lambda p: exact(p["B"], applicable=p["B"] < 2), lambda p: 2.0)
    r = falsify(c, examples=60, seed=0)
    assert not r.refuted and r.worst.params["B"] < 2
    c2 = claim(lambda p: exact(p["B"], applicable=p["B"] < 2), lambda p: 1.0)
    r2 = falsify(c2, examples=60, seed=0)
    assert r2.refuted and r2.counterexample.params["B"] < 2


def test_vacuous_points_are_never_the_worst():
    c = claim(lambda p: exact(0.0 if p["B"] > 1 else 0.5 * p["B"]), lambda p: 0.0 if p["B"] > 1 else 1.0)
    s = Search(c.domain, lambda q: check(c, q), 40, 0, rank=lambda e: closeness(e, c)).run()
    assert any(e.vacuous for e in s.points)
    assert not s.worst.vacuous and s.worst.ratio <= 0.5
    from reports.sweep import record, sweep_claim
    res = sweep_claim(c, 40, 0)
    rec = record(res)
    assert rec["status"] == "holds" and rec["vacuous_examples"] == sum(e.vacuous for e in res.points) > 0


def test_a_claim_vacuous_everywhere_is_not_green():
    from reports.sweep import record, sweep_claim
    rec = record(sweep_claim(claim(lambda p: exact(0.0), lambda p: 0.0), 10, 0))
    assert rec["status"] == "vacuous" and rec["passed"] is False and rec["vacuous_examples"] == 10


# -------------------------------------------------------------------- log-space verdicts
def test_zero_vs_zero_is_vacuous_never_ratio_one():
    ev = check(claim(lambda p: exact(0.0), lambda p: 0.0), {"B": 1.0})
    assert ev.vacuous and not ev.refuted and math.isnan(ev.ratio) and math.isnan(ev.log_ratio)
    assert "VACUOUS" in str(ev)
    # an underflowed bound against an underflowed measurement: the same
    ev = check(claim(lambda p: exact(math.exp(-800.0)), lambda p: 3 * math.exp(-900.0)), {"B": 1.0})
    assert ev.vacuous


@pytest.mark.parametrize("factor, refuted", [(2.0, False), (1.0, False), (0.5, True), (0.99, True)])
def test_mpf_bound_compared_in_log_space(factor, refuted):
    """measured e^{-20000} against factor * e^{-20000} (both underflow as floats)."""
    c = claim(lambda p: exact_log(-20000.0), lambda p: factor * mpmath.exp(-20000), rtol=1e-12)
    ev = check(c, {"B": 1.0})
    assert ev.log_space and not ev.vacuous and ev.refuted is refuted
    assert ev.log_ratio == pytest.approx(-math.log(factor), abs=1e-9)
    assert ev.ratio == pytest.approx(1 / factor)


@pytest.mark.parametrize("sense, log_measured, refuted", [
    ("<=", -1000.0, False), ("<=", -999.0, True), (">=", -1001.0, True), (">=", -999.0, False),
    ("==", -999.0, True), ("==", -1001.0, True), ("==", -1000.0 + 1e-12, False)])
def test_log_bound_decides_where_floats_underflow(sense, log_measured, refuted):
    c = claim(lambda p: exact_log(log_measured), lambda p: 0.0, sense=sense,
              log_bound=lambda p: -1000.0, rtol=1e-9)
    ev = check(c, {"B": 0.5})
    assert ev.measurement.value == 0.0 and ev.bound == 0.0
    assert ev.log_space and not ev.vacuous and ev.refuted is refuted
    assert ev.log_ratio == pytest.approx(log_measured + 1000.0)


def test_round_off_allowance_in_log_space():
    rtol = 1e-6
    for excess, refuted in ((0.5 * rtol, False), (2 * rtol, True)):
        c = claim(lambda p: exact_log(-700.0 + math.log1p(excess)), lambda p: 0.0,
                  log_bound=lambda p: -700.0, rtol=rtol)
        assert check(c, {"B": 0.0}).refuted is refuted
    # atol dominates a tiny bound: log(b + atol) ~ log(atol)
    c = claim(lambda p: exact(1e-300), lambda p: 1e-310, atol=1e-299)
    assert not check(c, {"B": 0.0}).refuted
    c = claim(lambda p: exact(1e-298), lambda p: 1e-310, atol=1e-299)
    assert check(c, {"B": 0.0}).refuted


@pytest.mark.parametrize("value, refuted", [(1e-300, False), (2e-300, False), (2.1e-300, True)])
def test_tiny_floats_go_to_log_space(value, refuted):
    ev = check(claim(lambda p: exact(value), lambda p: 2e-300, rtol=1e-9), {"B": 0.0})
    assert ev.log_space and ev.refuted is refuted and ev.ratio == pytest.approx(value / 2e-300)


def test_monte_carlo_limits_in_log_space():
    """A measurement with log limits: the lower limit decides a <= claim."""
    m = Measurement(0.0, 0.0, 0.0, {}, -500.0, -502.0, -498.0)
    c = claim(lambda p: m, lambda p: 0.0, log_bound=lambda p: -501.0)
    assert not check(c, {"B": 0.0}).refuted  # lower e^-502 <= e^-501
    c = claim(lambda p: m, lambda p: 0.0, log_bound=lambda p: -503.0)
    assert check(c, {"B": 0.0}).refuted
    c = claim(lambda p: m, lambda p: 0.0, sense=">=", log_bound=lambda p: -497.0)
    assert check(c, {"B": 0.0}).refuted  # upper e^-498 < e^-497


def test_plain_number_measure_is_exact_and_check_takes_keys_and_raw_params():
    c = claim(lambda p: 0.5 * p["B"], lambda p: 2.0)
    ev = check(c, {"B": 1.0})
    assert ev.measurement.lower == ev.measurement.upper == 0.5 and not ev.refuted
    assert check(claim(lambda p: mpmath.mpf(3), lambda p: 2.0), {"B": 1.0}).refuted
    ev = check("flip_probability.lemma_A4", {"B": 3, "R_frac": 0.3})
    assert ev.params["R"] == pytest.approx(0.1) and not ev.refuted
    with pytest.raises(ValueError, match="toy: its measure raised TypeError: .*Measurement or a number"):
        check(claim(lambda p: "x", lambda p: 1.0), {"B": 1.0})


def test_evidence_html():
    ev = check(claim(lambda p: 1.0, lambda p: 2.0), {"B": 1.0})
    html = ev._repr_html_()
    assert html.startswith("<table>") and "holds" in html and "0.5" in html
    assert isinstance(ev, Evidence) and ev.applicable
    assert severity(ev) == 0.5


# ------------------------------------------------------------------------------ tightness
def _radius(p):
    p["R"] = p["R_frac"] / max(p["B"], 0.1)
    return p


def _lemma_A4_mp() -> Claim:
    """Lemma A.4 computed in mpmath (never underflows) on B in [0, 200], R = R_frac / B: the
    supremum of P / (R e^{-B^2/2}) is (e^2 - e^-2)/sqrt(2 pi) = 2.8938, approached as B grows
    with R = 1/B (2.8931 at B = 60, 2.8935 at B = 100, 2.8937 at B = 200)."""
    from bounds import flip_probability as fp

    return Claim(module=MOD, claim_id="lemma_A4_mp", reference="Lemma A.4", statement="P <= c R e^{-B^2/2}", kind="bound", sense="<=",
                 measure=lambda p: fp.exact_mp(p["B"], p["R"]),
                 bound=lambda p: fp.C_PAPER * mpmath.mpf(p["R"]) * mpmath.exp(-mpmath.mpf(p["B"]) ** 2 / 2),
                 domain=Domain({"B": Uniform(0.0, 200.0), "R_frac": registry.LogUniform(1e-6, 1.0)}, _radius),
                 tight_constant=SUP_A4 / fp.C_PAPER, measure_mp=lambda p: fp.exact_mp(p["B"], p["R"]))


SUP_A4 = (math.e ** 2 - math.e ** -2) / math.sqrt(2 * math.pi)


def test_tightness_finds_the_supremum_of_lemma_A4_in_log_space():
    from bounds import flip_probability as fp
    from montecarlo.search.tightness import tightness

    r = tightness(_lemma_A4_mp(), examples=60)
    assert r.best_ratio * fp.C_PAPER >= 2.8935 and r.best_ratio <= r.tight_constant
    assert r.params["B"] > 99 and r.params["R_frac"] == pytest.approx(1.0)
    assert r.mp_value is not None and mpmath.log(r.mp_value) < -4000  # far below any double
    assert 0 <= r.gap < 1e-4 and "known supremum" in str(r) and r._repr_html_().startswith("<table>")


@pytest.mark.parametrize("constant, refuted", [(2.88, True), (2.89, True), (2.893, True), (2.8939, False)])
def test_falsify_with_mpf_candidates_near_the_supremum(constant, refuted):
    """A constant within 0.5% of the supremum is refuted; one above it is not."""
    cand = lambda p: constant * mpmath.mpf(p["R"]) * mpmath.exp(-mpmath.mpf(p["B"]) ** 2 / 2)  # noqa: E731
    r = falsify(_lemma_A4_mp(), cand, examples=40, seed=0)
    assert r.refuted is refuted, str(r)
    if refuted:
        assert check(_lemma_A4_mp(), r.counterexample.params, cand).refuted  # it replays


def test_tightness_local_optimizer_reaches_an_interior_supremum():
    """sup of x e^{-x} y (2 - y) on [0, 10] x [0, 2] is e^{-1} at (1, 1): random draws get
    within about 1e-2, the local optimizer within 1e-9."""
    from montecarlo.search.tightness import tightness

    c = claim(lambda p: p["x"] * math.exp(-p["x"]) * p["y"] * (2 - p["y"]), lambda p: 1.0,
              domain=Domain({"x": Uniform(0.0, 10.0), "y": Uniform(0.0, 2.0)}), tight_constant=math.exp(-1))
    r = tightness(c, examples=200, seed=3)
    assert r.best_ratio == pytest.approx(math.exp(-1), rel=1e-9)
    assert r.params["x"] == pytest.approx(1.0, abs=1e-3) and r.examples <= 200
    assert tightness(c, examples=200, seed=3) == r  # reproduces


_TOY = """
import math
from montecarlo.registry import Claim, Domain, Uniform
TOY = Claim(module="test_search_ns", claim_id="toy_pure", reference="test", statement="toy", kind="bound",
            sense="<=", measure=lambda p: p["x"] * math.exp(-p["x"]) * p["y"] * (2 - p["y"]), bound=lambda p: 1.0,
            domain=Domain({"x": Uniform(0.0, 10.0), "y": Uniform(0.0, 2.0)}))
"""


def test_tightness_is_a_pure_function_of_its_arguments():
    """The same call gives the same result in a fresh process and after other searches in
    this one (the hypothesis phase it once had mixed in the literal constants of every module
    imported so far: e^-1 in a fresh process, 0.3678791 after a search of Lemma A.4), whatever
    the global numpy / random / mpmath state."""
    import random
    import subprocess
    import sys

    import numpy as np

    from montecarlo.search.tightness import tightness

    show = "r = tightness(TOY, examples=200, seed=3); print(repr((r.best_ratio, r.params, r.examples)))"
    fresh = subprocess.run([sys.executable, "-c", _TOY + "from montecarlo.search.tightness import tightness\n" + show],
                           capture_output=True, text=True, check=True,
                           cwd=str(Path(__file__).resolve().parents[1])).stdout.strip()
    tightness(_lemma_A4_mp(), examples=60)  # imports and runs more code, uses mpmath
    ns: dict = {}
    exec(_TOY, ns)
    old, py_state, np_state = mpmath.mp.dps, random.getstate(), np.random.get_state()
    try:  # disturb every global state tightness could read, then put it back for the other tests
        random.seed(123)
        np.random.seed(321)  # noqa: NPY002 (deliberately the legacy global generator)
        mpmath.mp.dps = 40
        r = tightness(ns["TOY"], examples=200, seed=3)
    finally:
        mpmath.mp.dps = old
        random.setstate(py_state)
        np.random.set_state(np_state)
    assert repr((r.best_ratio, r.params, r.examples)) == fresh


def test_tightness_of_a_lower_bound_and_a_limit_at_the_edge():
    """">=": the ratio is bound/measured. e^{-B^2/2} (1 - 1/B) >= e^{-B^2/2} (1 - 2/B): the
    ratio (1 - 2/B)/(1 - 1/B) grows to 1 as B -> infinity; only logs see it beyond B = 38."""
    from montecarlo.search.tightness import tightness

    c = claim(lambda p: exact_log(-p["B"] ** 2 / 2 + math.log1p(-1 / p["B"])), lambda p: 0.0, sense=">=",
              log_bound=lambda p: -p["B"] ** 2 / 2 + math.log1p(-2 / p["B"]),
              domain=Domain({"B": Uniform(3.0, 1000.0)}))
    r = tightness(c, examples=30, seed=0)
    assert r.params["B"] == 1000.0 and r.best_ratio == pytest.approx((1 - 2e-3) / (1 - 1e-3), rel=1e-9)
    assert r.tight_constant is None and r.mp_value is None


def test_tightness_takes_a_key_and_validates():
    from montecarlo.search.tightness import tightness

    r = tightness("flip_probability.lemma_A4", examples=20)
    assert r.claim == "flip_probability.lemma_A4" and 0 < r.best_ratio <= 1 and r.examples <= 20
    with pytest.raises(ValueError, match="seed="):
        tightness("flip_probability.lemma_A4", seed=-1)
    with pytest.raises(ValueError, match="examples="):
        tightness("flip_probability.lemma_A4", examples=0)


def test_quick_report_is_labelled_a_smoke_run(tmp_path):
    from reports import run

    c = registry.register(claim(lambda p: exact(p["B"]), lambda p: 5.0, claim_id="smoke_toy",
                                tight_constant=0.8))
    try:
        rep = run(tmp_path, base=12, mode="quick", keys=[c.key], progress=False, hooks=False)
        full = run(tmp_path / "d", keys=[c.key], progress=False, hooks=False)
    finally:
        registry.unregister(c.key)
    assert rep.provenance["smoke"] is True and full.provenance["smoke"] is False
    assert rep.records[0]["examples"] == 12 and full.records[0]["examples"] == 100  # the ci profile's
    assert full.records[0]["tight_constant"] == 0.8 and full.records[0]["worst_ratio"] == pytest.approx(0.8)


def test_log_bound_must_agree_with_the_bound_and_mutants_drop_it():
    c = claim(lambda p: exact(1.0), lambda p: 2.0, log_bound=lambda p: math.log(2.0) + 1e-12)
    assert not check(c, {"B": 0.0}).refuted
    bad = claim(lambda p: exact(1.0), lambda p: 2.0, log_bound=lambda p: math.log(2.1))
    with pytest.raises(ValueError, match="log_bound .* disagrees"):
        check(bad, {"B": 0.0})
    base = registry.register(claim(lambda p: exact(1.0), lambda p: 2.0, claim_id="logbase",
                                   log_bound=lambda p: math.log(2.0)))
    try:
        m = registry.mutant(base, "mutant_half", "bound halved", bound=lambda p: 0.5)
        assert m.log_bound is None and check(m, {"B": 0.0}).refuted
    finally:
        registry.unregister(base.key)
        registry.unregister(f"{MOD}.mutant_half")


# ------------------------------------------------------------------------------ sweep figures
def test_sweep_figure_plots_log_ratios_and_counts_vacuous_points(tmp_path, monkeypatch):
    """A ratio of e^{800} (an exact tail against its bound at B = 40) is a float inf: the
    panel plots log10(measured / bound) from logs instead of failing on the axis limits, and
    vacuous points (0 vs 0, no log form) are drawn and counted in the panel title."""
    import numpy as np

    from reports import plots
    from reports.sweep import ClaimResult

    huge = claim(lambda p: exact_log(p["B"] ** 2 / 2), lambda p: 0.0, sense=">=", claim_id="huge",
                 log_bound=lambda p: -p["B"] ** 2 / 2, domain=Domain({"B": Uniform(0.0, 40.0)}))
    empty = claim(lambda p: 0.0 if p["B"] > 2 else 0.5, lambda p: 0.0 if p["B"] > 2 else 1.0,
                  claim_id="empty")
    res = [ClaimResult(huge, 4, [check(huge, {"B": b}) for b in (0.0, 10.0, 30.0, 40.0)]),
           ClaimResult(empty, 4, [check(empty, {"B": b}) for b in (1.0, 1.5, 3.0, 3.5)])]
    assert math.isinf(res[0].points[-1].ratio) and res[0].points[-1].log_ratio == pytest.approx(1600.0)
    assert [e.vacuous for e in res[1].points] == [False, False, True, True]
    seen = {}
    real_save = plots.save

    def keep(fig, out_dir, name):
        seen["axes"] = [ax for ax in fig.axes if ax.get_visible()]
        seen["ylim"] = [ax.get_ylim() for ax in seen["axes"]]
        return real_save(fig, out_dir, name)

    monkeypatch.setattr(plots, "save", keep)
    name, caption = plots.module_figure(MOD, res, tmp_path)
    assert (tmp_path / name).stat().st_size > 0 and "vacuous" in caption
    a_huge, a_empty = seen["axes"]
    assert a_huge.get_ylabel() == "log10(measured / bound)"
    assert np.all(np.isfinite(seen["ylim"][0])) and seen["ylim"][0][1] > 1600 / math.log(10)
    assert "2 vacuous" in a_empty.get_title() and "not shown" not in a_empty.get_title()


def test_report_shows_the_best_ratio_next_to_the_known_supremum():
    """The claim row says "best x of known sup y" (the tightness ratio from the log ratio, so
    B = 200 works; bound/measured for ">="); nothing without a known supremum or for mutants;
    both doubles underflowed is "from logs" when the log ratio is known, "0 vs 0" otherwise."""
    from reports.render import tightness_text, view

    rec = {"kind": "bound", "sense": "<=", "tight_constant": 0.245421, "log_ratio": math.log(0.245415),
           "worst_ratio": 0.245415}
    assert tightness_text(rec) == "best 0.245415 of known sup 0.245421"
    assert tightness_text({**rec, "sense": ">=", "log_ratio": -math.log(0.5), "tight_constant": 1.0}) == \
        "best 0.5 of known sup 1"
    assert tightness_text({**rec, "tight_constant": None}) == ""
    assert tightness_text({**rec, "kind": "mutant"}) == ""
    assert tightness_text({**rec, "log_ratio": None, "worst_ratio": None}) == "known sup 0.245421"
    full = {**rec, "status": "holds", "limit_ratio": None, "measured": 0.0, "bound": 0.0, "lower": 0.0,
            "upper": 0.0, "params": {"B": 200.0}, "module": "m", "detail": {}}
    shown = view(full)
    assert shown["tightness"] == "best 0.245415 of known sup 0.245421" and "(from logs)" in shown["ratio"]
    assert "(0 vs 0)" in view({**full, "log_ratio": None})["ratio"]


def test_a_claim_measuring_zero_everywhere_is_not_shown_as_a_pass():
    """A check whose measurement is 0 at every swept point tests nothing there; the
    sweep calls it "no power" (rendered amber), never a green "holds"."""
    from reports.sweep import sweep_claim

    zero = claim(lambda p: exact(0.0), lambda p: 0.5)
    res = sweep_claim(zero, 10, seed=0)
    assert res.status == "no power" and res.passed and res.powerless
    some = claim(lambda p: exact(p["B"] / 10), lambda p: 0.5)
    assert sweep_claim(some, 10, seed=0).status == "holds"
    never = claim(lambda p: Measurement(0.0, 0.0, 0.3), lambda p: 0.5)  # 0 failures, CP upper 0.3
    assert sweep_claim(never, 10, seed=0).status == "no power"
