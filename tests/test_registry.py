"""Generic tests over the one registry: every claim holds, every mutant is refuted.

Adding a claim to ``montecarlo/claims/<module>.py`` is all it takes to be tested here.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, target

from montecarlo import registry
from montecarlo.falsify import falsify

CLAIMS = registry.claims(kinds=("bound", "identity", "link"))
MUTANTS = registry.claims(kinds=("mutant",))


def _examples(claim: registry.Claim) -> int:
    return max(3, int(round(settings.default.max_examples * claim.weight)))


def test_registry_is_populated_and_consistent():
    assert CLAIMS and MUTANTS
    keys = [c.key for c in registry.claims()]
    assert len(keys) == len(set(keys))
    for m in MUTANTS:
        assert m.subject in keys and m.why_false, m.key
    for c in CLAIMS + MUTANTS:
        assert c.reference and c.statement, c.key


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.key)
def test_claim_holds(claim: registry.Claim):
    @settings(max_examples=_examples(claim))
    @given(params=claim.domain.strategy())
    def run(params):
        ev = registry.check(claim, params)
        if math.isfinite(ev.severity):
            target(ev.severity, label="severity")
        assert not ev.refuted, str(ev)

    run()


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda c: c.key)
def test_mutant_is_refuted(mutant: registry.Claim):
    result = falsify(mutant, examples=max(20, int(200 * mutant.weight)), seed=1)
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
    r29 = falsify(lemma, lambda p: 2.9 * p["R"] * math.exp(-p["B"] ** 2 / 2), examples=300, seed=1)
    assert not r29.refuted
    assert r29.worst_ratio > 2.8 / 2.9  # the search did reach the tight region


def test_get_unknown_claim_raises():
    with pytest.raises(ValueError, match="key="):  # the public parameter's name (issue 11)
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
