"""The parts of the claims' stated domains beyond the default suite's budget (marked slow; run
with ``pytest -m slow``): each evaluates the registered claim itself, with its verdict, at the
larger parameters."""

from __future__ import annotations

import pytest

from montecarlo import registry
from montecarlo.registry import check


@pytest.mark.slow
@pytest.mark.parametrize("family", ["random", "clusters", "antipodal", "circle", "orthonormal"])
@pytest.mark.parametrize("n", [512, 1024])
@pytest.mark.parametrize("key", ["restricted_eigenvalue.theorem_sharper_large_n",
                                 "restricted_eigenvalue.theorem_closed_form_large_n",
                                 "restricted_eigenvalue.intermediate_bound_large_n"])
def test_theorem_3_12_at_large_n(key, n, family):
    """Theorem 3.12's bound is independent of n: the registered claims hold at n = 512 and 1024
    (the default suite sweeps n <= 256)."""
    for B in (0.0, 1.5, 3.0):
        ev = check(registry.get(key), {"family": family, "n": n, "d": 8, "B": B, "seed": 11})
        assert not ev.refuted, (key, n, family, B, str(ev))
        print(key, n, family, B, "bound/measured", 1 / ev.ratio if ev.ratio else float("inf"))


@pytest.mark.slow
@pytest.mark.parametrize("family", ["random", "orthonormal", "antipodal"])
@pytest.mark.parametrize("n", [10, 12, 16])
def test_lemma_A1_beyond_n_8(n, family):
    """Lemma A.1 in quantile form for n = 10 to 16 (the default suite sweeps n <= 8): at the width
    where the bound is the level (capped at 40000 neurons: there the level is the bound at the cap)."""
    c = registry.get("restricted_eigenvalue.chernoff_lemma_A1_wide_n")
    for B, level in ((0.5, 0.5), (1.5, 0.3)):
        ev = check(c, {"family": family, "n": n, "d": 16, "B": B, "level": level, "symmetric": False, "seed": 5})
        assert not ev.refuted, (n, family, B, str(ev))
        print(n, family, B, "measured/bound", ev.ratio, ev.measurement.detail.get("m"))
