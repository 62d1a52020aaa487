"""One quantity, one path: every quantile level and failure probability of Lemma A.10's checks
is read from one named function of ``bounds.initial_error`` (``error_tail``, ``bernstein_tail``,
``e1_tail``), and each path that reads one is pinned here by an exact identity against the
lemma's own numbers (1 - delta for the error, 1 - delta/2 for the Bernstein step, delta/2 for
P[not E1]).

Why: the level identities (``initial_error.quantile_level_*``) pin the level of the paths they
measure; a third path with its own literal level (the lemma's own error quantile) was pinned by
nothing, so a revision checking ||f(0) - y||^2 at 1 - delta/2 passed every test. Here every
registered claim of the module that records a ``quantile_level`` must be listed in ``LEVELS``
with the level its statement says, and is measured once (at its domain's all-low corner, a
cheap point) to check that the level it used is exactly that one.
"""

from __future__ import annotations

import pytest

from bounds import initial_error as ie
from montecarlo import registry
from montecarlo.estimators import initial_error as mc
from montecarlo.sim.data import make_data

DELTAS = (1e-4, 0.015, 0.05, 0.3, 0.5, 0.9)

# claim -> the quantile level its statement says, as a function of delta (the spec, written here)
LEVELS = {
    "initial_error.lemma_A10_tight": lambda d: 1 - d,
    "initial_error.lemma_A10_paper": lambda d: 1 - d,
    "initial_error.lemma_A10_tight_small_delta": lambda d: 1 - d,
    "initial_error.lemma_A10_paper_small_delta": lambda d: 1 - d,
    "initial_error.bernstein_per_input": lambda d: 1 - d / 2,
    "initial_error.bernstein_truncated": lambda d: 1 - d / 2,
    "initial_error.quantile_level_error": lambda d: 1 - d,
    "initial_error.quantile_level_bernstein": lambda d: 1 - d / 2,
}
CLAIMS = [c for c in registry.claims("initial_error") if c.kind != "mutant"]


@pytest.mark.parametrize("delta", DELTAS)
def test_the_named_tails_are_the_lemmas(delta):
    assert ie.error_tail(delta) == delta
    assert ie.bernstein_tail(delta) == delta / 2
    assert ie.e1_tail(delta) == delta / 2
    assert ie.bernstein_tail(delta) + ie.e1_tail(delta) == ie.error_tail(delta)  # the union bound


def _corner(c: registry.Claim) -> dict:
    return c.domain.build(c.domain.corners_raw()[0])


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.key)
def test_every_quantile_path_uses_the_level_its_statement_says(claim):
    p = _corner(claim)
    m = registry.as_measurement(claim.measure(p))
    level = m.detail.get("quantile_level")
    if level is None:
        assert claim.key not in LEVELS, f"{claim.key} no longer records its quantile level"
        return
    assert claim.key in LEVELS, f"{claim.key} measures a quantile: list its level in LEVELS"
    assert level == LEVELS[claim.key](p["delta"]), (claim.key, level, p["delta"])


def test_the_not_E1_bound_is_the_e1_tail():
    c = registry.get("initial_error.not_E1")
    for delta in DELTAS:
        p = {**_corner(c), "delta": delta}
        assert c.bound(p) == delta / 2 == ie.e1_tail(delta)


def test_the_estimators_bernstein_check_tests_at_the_bernstein_tail():
    X = make_data("random", 2, 3, 0)
    for delta in (0.05, 0.3):
        r = mc.bernstein_check(X, 8, 1.0, delta, 200, 0)
        assert r.test.delta == delta / 2 == ie.bernstein_tail(delta)
