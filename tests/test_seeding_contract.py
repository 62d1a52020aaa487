"""The seeding contract of montecarlo.sim.seeding, as tests.

"Independent" replicates are only independent if their streams differ: collapsed streams make
n replicates one run repeated, and every frequency over them is computed from dependent draws.
The contract:

- ``spawn(seed, name)``: distinct names give distinct streams, distinct seeds give distinct
  streams, and no named stream is the parent ``rng(seed)``;
- ``derive(*parts)``: depends on each of its parts (changing any one changes the seed), on
  their order and on their number;
- distinct replicate indices (``f"weights/bound-run-{j}"``, ``derive(seed, "fig2", "init", j)``)
  give distinct streams;
- a collision test over every stream name the package uses: the names are read from the
  source (every ``spawn(..., "name")`` call, f-string names expanded over replicate indices),
  and the first draws of every (seed, name) stream are pairwise distinct;
- per-claim and per-sub-domain seeds (``montecarlo.sim.seeding.derive(seed, key)``,
  ``montecarlo.search.plan.sub_domain_seed``) are distinct over every registered claim.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import numpy as np
import pytest

from montecarlo import registry
from montecarlo.search.plan import sub_domain_seed
from montecarlo.sim.seeding import derive, rng, spawn

ROOT = Path(__file__).resolve().parents[1]
SEEDS = (0, 1, 2, 12345, 2**63 - 1)
INDICES = (0, 1, 2, 10)


def _first(g: np.random.Generator, k: int = 4) -> tuple[int, ...]:
    return tuple(int(x) for x in g.integers(0, 2**63, size=k))


def _names_in_source() -> set[str]:
    """Every stream name passed to ``spawn`` in the package's source: string literals as they
    are, f-strings expanded with each placeholder in turn set to the replicate indices."""
    names: set[str] = set()
    for path in [*ROOT.joinpath("montecarlo").rglob("*.py"), *ROOT.joinpath("reports").rglob("*.py")]:
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "spawn"
                    and len(node.args) >= 2):
                continue
            arg = node.args[1]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names.add(arg.value)
            elif isinstance(arg, ast.JoinedStr):
                holes = sum(isinstance(p, ast.FormattedValue) for p in arg.values)
                for combo in itertools.product(INDICES, repeat=holes):
                    it = iter(combo)
                    names.add("".join(p.value if isinstance(p, ast.Constant) else str(next(it)) for p in arg.values))
    return names


NAMES = sorted(_names_in_source())


def test_the_source_scan_finds_the_package_streams():
    for name in ("weights", "labels", "signs", "subset", "adversary", "weights/bound-run-0", "weights/bound-run-1",
                 "conjecture/draws", "tightness-targeted"):
        assert name in NAMES, name
    assert len(NAMES) >= 30


def test_no_two_streams_of_the_package_collide():
    """Every (seed, name) stream of the package, and every parent rng(seed), starts differently."""
    seen: dict[tuple[int, ...], tuple] = {}
    for seed in SEEDS:
        for name in [None, *NAMES]:
            first = _first(rng(seed) if name is None else spawn(seed, name))
            assert first not in seen, f"stream {(seed, name)} repeats {seen[first]}"
            seen[first] = (seed, name)


@pytest.mark.parametrize("seed", SEEDS)
def test_distinct_names_and_seeds_give_distinct_streams(seed):
    a, b = _first(spawn(seed, "weights")), _first(spawn(seed, "labels"))
    assert a != b and a != _first(rng(seed))
    assert _first(spawn(seed, "weights")) == a  # reproducible
    other = SEEDS[(SEEDS.index(seed) + 1) % len(SEEDS)]
    assert _first(spawn(other, "weights")) != a


def test_distinct_replicate_indices_give_distinct_streams():
    for stem in ("weights/bound-run-{}", "conjecture/local-{}", "weights/m=8/draw={}", "signs/B=0/draw={}"):
        firsts = {_first(spawn(0, stem.format(j))) for j in range(50)}
        assert len(firsts) == 50, stem
    seeds = {derive(0, "fig2", "init", j) for j in range(200)}
    assert len(seeds) == 200


@pytest.mark.parametrize("parts", [(0, "claim", 1.5), (7, "flip_probability.lemma_A4", {"B": 1.0}, 3),
                                   ("a", "b"), (2**63 - 1,)])
def test_derive_depends_on_each_part(parts):
    base = derive(*parts)
    assert base == derive(*parts) and 0 <= base < 2**63
    for i, p in enumerate(parts):
        for changed in (_change(p), None):
            assert derive(*parts[:i], changed, *parts[i + 1:]) != base, (i, p, changed)
    assert derive(*parts, 0) != base and (len(parts) < 2 or derive(*parts[:-1]) != base)
    if len(parts) >= 2:
        assert derive(*reversed(parts)) != base
        assert derive(str(parts[0]) + ":" + str(parts[1]), *parts[2:]) != base  # no joining ambiguity


def _change(p):
    if isinstance(p, dict):
        return {k: (v + 1 if isinstance(v, (int, float)) else v) for k, v in p.items()}
    if isinstance(p, str):
        return p + "x"
    return p + 1 if p < 2**63 - 1 else p - 1


def test_claim_and_sub_domain_seeds_are_distinct_over_the_registry():
    keys = [c.key for c in registry.claims()]
    for seed in (0, 1):
        seeds = [derive(seed, k) for k in keys]
        assert len(set(seeds)) == len(keys)
    subs = [(c.key, o, j) for c in registry.claims() for j, (o, _) in enumerate(registry.sub_domains(c))]
    assert len({sub_domain_seed(derive(0, k), o, j) for k, o, j in subs}) == len(subs)
