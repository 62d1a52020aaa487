"""A claim is swept where its mutants are refuted, not only on its own domain.

A mutant's domain is the corner of the parameters where one class of error shows (a dropped
log factor where m is large and B small, a sparsity event where m e^{-B^2/2} is a few units);
the claim's own domain, wider, draws that corner rarely. ``registry.sub_domains`` lists the
claim's own domain and each distinct domain of its mutants; the registry tests
(``tests/test_registry.py::test_claim_holds``), the power test and the report's
``sweep_claim`` sweep every one of them, the claim's examples split by
``montecarlo.search.plan.split_examples``.
"""

from __future__ import annotations

import pytest

from montecarlo import registry
from montecarlo.registry import Claim, Domain, Uniform, exact
from montecarlo.search.plan import SUB_DOMAIN_FLOOR, Search, split_examples, sub_domain_seed
from reports.sweep import record, sweep_claim

MOD = "flip_probability"
OWN = Domain({"x": Uniform(0.0, 1.0)})
CORNER = Domain({"x": Uniform(0.40, 0.41)})  # interior: no corner of OWN, 1% of its draws
OUTSIDE = Domain({"x": Uniform(1.0, 2.0)})


def _bound(p):
    """True everywhere but in the corner [0.40, 0.41] (a dropped factor that matters only there)."""
    return 0.5 if 0.40 <= p["x"] <= 0.41 else 2.0


@pytest.fixture
def toy():
    base = registry.register(Claim(module=MOD, claim_id="test_sub_base", reference="test", statement="x <= bound",
                                   kind="bound", sense="<=", measure=lambda p: exact(1.0), bound=_bound,
                                   domain=OWN))
    same = registry.mutant(base, "test_sub_same", "same domain", bound=lambda p: 0.5)
    corner = registry.mutant(base, "test_sub_corner", "the corner", bound=lambda p: 0.9, domain=CORNER)
    again = registry.mutant(base, "test_sub_corner_again", "the corner again", bound=lambda p: 0.8, domain=CORNER)
    outside = registry.mutant(base, "test_sub_outside", "the condition dropped", bound=lambda p: 0.9,
                              domain=OUTSIDE, within_subject=False)
    yield base, same, corner, again, outside
    for c in (base, same, corner, again, outside):
        registry.unregister(c.key)


def test_sub_domains_are_own_then_each_distinct_mutant_domain(toy):
    base, same, corner, _again, _outside = toy
    subs = registry.sub_domains(base)
    assert [o for o, _ in subs] == [base.key, corner.key]  # the same domain once; outside never
    assert subs[0][1] is OWN and subs[1][1] == CORNER
    assert registry.sub_domains(corner) == [(corner.key, CORNER)]  # a mutant: its own domain only
    assert registry.sub_domains(base.key) == subs  # by key too


def test_sweep_claim_finds_the_error_that_lives_in_a_mutant_domain(toy):
    """The claim is false only in the mutant's corner: the report's sweep (budget split over the
    sub-domains) refutes it; the same budget on the claim's own domain alone does not."""
    base = toy[0]
    res = sweep_claim(base, 20, 7)
    assert res.status == "violated" and 0.40 <= res.counterexample.params["x"] <= 0.41
    assert [o for o, _ in res.parts] == [base.key, toy[2].key]
    assert [n for _, n in res.parts] == split_examples(20, 2) and len(res.points) == 20
    rec = record(res)
    assert [p["origin"] for p in rec["sub_domains"]] == [base.key, toy[2].key]
    assert rec["sub_domains"][1]["refuted"] and not rec["sub_domains"][0]["refuted"]
    alone = Search(OWN, lambda p: registry.evaluate(base, p), 20, 7).run()
    assert alone.counterexample is None  # why the sub-domains are needed


def test_sweep_claim_is_deterministic_and_seeds_each_sub_domain_apart(toy):
    base = toy[0]
    a, b = sweep_claim(base, 12, 3), sweep_claim(base, 12, 3)
    assert [e.params for e in a.points] == [e.params for e in b.points]
    assert sub_domain_seed(3, base.key, 0) == 3
    assert sub_domain_seed(3, toy[2].key, 1) != sub_domain_seed(3, toy[1].key, 1)
    assert sub_domain_seed(3, toy[2].key, 1) != sub_domain_seed(4, toy[2].key, 1)


@pytest.mark.parametrize("examples, parts", [(0, 1), (0, 3), (1, 3), (7, 1), (10, 3), (100, 4), (5, 5), (300, 7)])
def test_split_examples(examples, parts):
    split = split_examples(examples, parts)
    assert len(split) == parts and split == split_examples(examples, parts)
    if parts == 1:
        assert split == [examples]
    else:
        assert sum(split) >= examples and min(split) >= min(SUB_DOMAIN_FLOOR, examples)
        assert split[0] >= max(split[1:])  # the remainder goes to the claim's own domain
        if examples >= SUB_DOMAIN_FLOOR * parts:
            assert sum(split) == examples


def test_every_mutant_domain_within_its_subject_is_a_sub_domain():
    """Registered mutants: each distinct domain of a mutant inside its subject's hypotheses is
    swept for the subject."""
    for m in registry.claims(kinds=("mutant",)):
        subs = registry.sub_domains(m.subject)
        assert any(d == m.domain for _, d in subs) is m.within_subject or m.domain == registry.get(m.subject).domain, m.key


@pytest.mark.parametrize("mutant", [m for m in registry.claims(kinds=("mutant",)) if not m.within_subject],
                         ids=lambda m: m.key)
def test_a_mutant_kept_out_of_its_subject_really_leaves_its_hypotheses(mutant):
    """``within_subject=False`` is not a way to hide a domain: on such a mutant's domain its
    subject refuses the parameters (ValueError naming the condition) or is refuted."""
    subject = registry.get(mutant.subject)
    s = Search(mutant.domain, lambda p: registry.evaluate(subject, p), 10, 1, stop_at_first=True)
    try:
        s.run()
    except ValueError as exc:
        assert "violates the condition" in str(exc)
        return
    assert s.counterexample is not None, f"{subject.key} holds on {mutant.key}'s domain: make it a sub-domain"
