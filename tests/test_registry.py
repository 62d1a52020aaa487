"""Generic tests over the one registry: every claim holds, every mutant is refuted.

Adding a claim to ``montecarlo/claims/<module>.py`` is all it takes to be tested here.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings, target

from montecarlo import registry
from montecarlo.search.falsify import falsify
from montecarlo.search.plan import claim_examples, mutant_examples, split_examples

CLAIMS = registry.claims(kinds=("bound", "identity", "link"))
MUTANTS = registry.claims(kinds=("mutant",))

# Statements of the paper the suite found false (findings): each stays registered as the claim
# it is and fails here; strict, so a change that makes it pass is noticed.
FALSE_CLAIMS = {
    "generalization.remark_313":
        "FINDING, Remark 3.13: y^T H_inf^{-1} y <= ||y||^2 / lambda_R fails for y in R. Counterexample: "
        "family=clusters, n=3, d=2, B=1, seed=3, labels=signs (in R without a shift): y^T H_inf^{-1} y = 116.1 "
        "against ||y||^2 / lambda_R = 3 / 0.03252 = 92.3 (ratio 1.258); iris (120 rows, B=1) with random "
        "+-1 labels: 4748 against 476",
    "error_analysis.figure2_same_slope":
        "FINDING, Figure 2's 'same final slope' is false at width 128: slope(B)/slope(0) = 0.237, 95% interval "
        "[0.175, 0.299], at B = 1.5, seed 0 (slopes -0.130 at B = 0, -0.031 at B = 1.5, step eta0 e^{B^2/2}, "
        "6 draws, none with dead inputs); the point checked, B = 1.637, seed 2195314464: 0.199 [0.117, 0.280] "
        "(4 draws, 2 with dead inputs excluded)",
}
FINDINGS = {"error_analysis.figure2_same_slope"}
"""Findings whose measure trains networks: checked at one point, without hypothesis's shrinking."""


def _examples(claim: registry.Claim) -> int:
    return claim_examples(claim, settings.default.max_examples)


def _sweeps():
    """(claim, sub-domain index, origin, domain, examples) of every claim's sub-domains
    (registry.sub_domains: its own domain and those its mutants are refuted on), the
    claim's examples split as the report splits them."""
    for c in CLAIMS:
        subs = registry.sub_domains(c)
        for j, ((origin, dom), n) in enumerate(zip(subs, split_examples(_examples(c), len(subs)))):
            ident = c.key if j == 0 else f"{c.key}@{origin.split('.', 1)[1]}"
            if c.key in FALSE_CLAIMS:  # a finding: strict on its own domain, expected on the others
                yield pytest.param(c, dom, n, id=ident,
                                   marks=pytest.mark.xfail(strict=j == 0, reason=FALSE_CLAIMS[c.key]))
            else:
                yield pytest.param(c, dom, n, id=ident)


def test_registry_is_populated_and_consistent():
    assert CLAIMS and MUTANTS
    keys = [c.key for c in registry.claims()]
    assert len(keys) == len(set(keys))
    for m in MUTANTS:
        assert m.subject in keys and m.why_false, m.key
    for c in CLAIMS + MUTANTS:
        assert c.reference and c.statement, c.key


@pytest.mark.parametrize("claim, domain, examples", list(_sweeps()))
def test_claim_holds(claim: registry.Claim, domain: registry.Domain, examples: int):
    if claim.key in FINDINGS:  # one point, no shrinking: the finding's measure trains networks
        p = domain.build(domain.sample_raw(np.random.default_rng(0)))
        ev = registry.check(claim, p)
        assert not ev.refuted, str(ev)
        return

    @settings(max_examples=examples)
    @given(params=domain.strategy())
    def run(params):
        ev = registry.check(claim, params)
        if math.isfinite(ev.severity):
            target(ev.severity, label="severity")
        assert not ev.refuted, str(ev)

    run()


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda c: c.key)
def test_mutant_is_refuted(mutant: registry.Claim):
    result = falsify(mutant, examples=mutant_examples(mutant), seed=1)
    print(result)
    assert result.refuted, f"mutant not refuted: {result}"
    ce = result.counterexample
    assert ce is not None and ce.refuted and ce.params
    # The counterexample replays: the same verdict at the same parameters.
    assert registry.check(mutant, ce.params).refuted


def test_falsify_reports_no_refutation_for_a_true_bound():
    """The machinery that refutes mutants does not refute the real bound (or a constant
    above the tight one): a mutant test can fail."""
    lemma = registry.get("flip_probability.lemma_A4")
    r = falsify(lemma, examples=300, seed=1)
    assert not r.refuted and 0 < r.worst_ratio <= 1
    assert "no counterexample in 300 examples" in str(r)
    # an mpf candidate: the lemma's domain reaches B = 200, where a float 2.9 R e^{-B^2/2} is 0.0
    # (below the exact p_flip, so rightly refuted) while the mpf keeps its log
    r29 = falsify(lemma, lambda p: 2.9 * mpmath.mpf(p["R"]) * mpmath.exp(-mpmath.mpf(p["B"]) ** 2 / 2),
                  examples=300, seed=1)
    assert not r29.refuted
    assert r29.worst_ratio > 2.8 / 2.9  # the search did reach the tight region


SUP_A4 = (math.e ** 2 - math.e ** -2) / math.sqrt(2 * math.pi)  # 2.89380...


def test_tightness_of_the_registered_lemma_A4_reaches_its_supremum():
    """The reviser's loop reaches the known supremum: ``tightness("flip_probability.lemma_A4")``
    with its defaults finds at least 2.8935 (within 1e-4 relative of
    (e^2 - e^-2)/sqrt(2 pi) = 2.8938), at the edge B = 200, R = 1/B, and gives the mpmath
    value of p_flip there."""
    from bounds import flip_probability as fp
    from montecarlo.search.tightness import tightness

    r = tightness("flip_probability.lemma_A4")
    constant = r.best_ratio * fp.C_PAPER
    assert 2.8935 <= constant <= SUP_A4 and constant == pytest.approx(SUP_A4, rel=1e-4), str(r)
    assert r.tight_constant * fp.C_PAPER == pytest.approx(SUP_A4, rel=1e-12) and 0 <= r.gap < 1e-4
    assert r.params["B"] == 200.0 and r.params["R"] * r.params["B"] == pytest.approx(1.0)
    assert r.mp_value is not None and mpmath.log(r.mp_value) < -20000  # far below any double
    assert "B=200" in str(r) and "known supremum" in str(r)


@pytest.mark.parametrize("constant, refuted", [(2.88, True), (2.89, True), (2.893, True), (2.8939, False)])
def test_falsify_lemma_A4_constants_near_the_supremum(constant, refuted):
    """Constants near the supremum are told apart: with the default budget, ``falsify`` of the
    registered lemma with the mpf candidate c R e^{-B^2/2} refutes c = 2.88, 2.89, 2.893 (below
    the supremum 2.8938) with a counterexample that replays, and does not refute c = 2.8939."""
    cand = lambda p: constant * mpmath.mpf(p["R"]) * mpmath.exp(-mpmath.mpf(p["B"]) ** 2 / 2)  # noqa: E731
    r = falsify("flip_probability.lemma_A4", cand)
    assert r.refuted is refuted, str(r)
    if refuted:
        ce = r.counterexample
        assert ce is not None and ce.refuted and ce.log_ratio > 0
        assert registry.check("flip_probability.lemma_A4", ce.params, cand).refuted  # it replays
    else:
        assert r.counterexample is None and "no counterexample in 200 examples" in str(r)


def test_get_unknown_claim_raises():
    with pytest.raises(ValueError, match="key="):  # the public parameter's name
        registry.get("flip_probability.nope")


@pytest.mark.parametrize("seed", [None, -1, 1.5])
def test_falsify_refuses_unreproducible_seeds(seed):
    with pytest.raises(ValueError, match="seed="):
        falsify("flip_probability.lemma_A4", seed=seed)


@pytest.mark.parametrize("make", [lambda: registry.Uniform(2.0, 1.0), lambda: registry.LogUniform(0.0, 1.0),
                                  lambda: registry.Uniform(0.0, float("nan")), lambda: registry.Choice()])
def test_bad_parameter_specs_raise(make):
    with pytest.raises(ValueError, match="violates the condition"):
        make()


# ------------------------------------------------- the verdict logic of "==" claims
# (lower, value, upper, bound, refuted): an "==" claim is refuted exactly when the bound lies
# outside [lower, upper] widened by the round-off allowance rtol * |bound| (rtol = 1e-9 here).
EQ_TABLE = [
    (1.0, 2.0, 3.0, 0.5, True),  # below the interval
    (1.0, 2.0, 3.0, 3.5, True),  # above it
    (1.0, 2.0, 3.0, 1.0, False),  # on the lower limit
    (1.0, 2.0, 3.0, 3.0, False),  # on the upper limit
    (1.0, 2.0, 3.0, 1.5, False),  # inside, below the point value
    (1.0, 2.0, 3.0, 2.5, False),  # inside, above it
    (2.0, 2.0, 2.0, 2.0 * (1 + 2e-9), True),  # exact value, past the allowance above
    (2.0, 2.0, 2.0, 2.0 * (1 - 2e-9), True),  # ... and below
    (2.0, 2.0, 2.0, 2.0 * (1 + 0.5e-9), False),  # within it
    (2.0, 2.0, 2.0, 2.0 * (1 - 0.5e-9), False),
]

# plausible false revisions of that verdict: each must disagree with the table somewhere
EQ_VERDICT_MUTANTS = {
    "lower side only": lambda lo, v, hi, b, s: lo > b + s,
    "upper side only": lambda lo, v, hi, b, s: hi < b - s,
    "point value, not the interval": lambda lo, v, hi, b, s: abs(v - b) > s,
    "limits swapped": lambda lo, v, hi, b, s: hi > b + s or lo < b - s,
    "the <= verdict": lambda lo, v, hi, b, s: lo > b + s,
    "no round-off allowance": lambda lo, v, hi, b, s: lo > b or hi < b,
    "allowance counted twice": lambda lo, v, hi, b, s: lo > b + 2 * s or hi < b - 2 * s,
}


def _eq_claim(lo: float, v: float, hi: float, b: float, log_scale: float | None) -> registry.Claim:
    """An "==" claim measuring [lo, v, hi] against b; with ``log_scale`` all four numbers are
    multiplied by e^{log_scale} (far below the smallest double) and given as logs."""
    dom = registry.Domain({"B": registry.Uniform(0.0, 1.0)})
    if log_scale is None:
        return registry.Claim(module="test_eq", claim_id="eq", reference="test", statement="==", kind="identity", sense="==",
                              measure=lambda p: registry.Measurement(v, lo, hi), bound=lambda p: b, domain=dom, rtol=1e-9)
    m = registry.Measurement(0.0, 0.0, 0.0, {}, math.log(v) + log_scale, math.log(lo) + log_scale,
                             math.log(hi) + log_scale)
    return registry.Claim(module="test_eq", claim_id="eq", reference="test", statement="==", kind="identity", sense="==", measure=lambda p: m, bound=lambda p: 0.0, domain=dom,
                          rtol=1e-9, log_bound=lambda p: math.log(b) + log_scale)


@pytest.mark.parametrize("log_scale", [None, -2000.0], ids=["floats", "logs"])
@pytest.mark.parametrize("row", EQ_TABLE, ids=lambda r: f"b={r[3]:.10g}-in-[{r[0]},{r[2]}]")
def test_equality_verdict(row, log_scale):
    lo, v, hi, b, refuted = row
    ev = registry.check(_eq_claim(lo, v, hi, b, log_scale), {"B": 0.5})
    assert ev.refuted is refuted, str(ev)
    assert ev.log_space is (log_scale is not None) and not ev.vacuous


@pytest.mark.parametrize("name", EQ_VERDICT_MUTANTS)
def test_equality_verdict_table_catches_each_false_revision(name):
    """The table above has power: every listed false revision of the "==" verdict gets at
    least one row wrong (so a code change to any of them fails test_equality_verdict)."""
    wrong = EQ_VERDICT_MUTANTS[name]
    assert any(wrong(lo, v, hi, b, 1e-9 * abs(b)) != refuted for lo, v, hi, b, refuted in EQ_TABLE), name
