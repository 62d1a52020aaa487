"""The distributed path's seed law, tested in the default run without Dask; and the list of the
``slow`` tests with the default test that guards the same path.

``python -m reports --workers N`` submits ``sweep_remote(*remote_args(claim, base, seed))`` to
Dask workers. Each evaluation's randomness must come from the claim's seed (the run's seed and
the claim's key) and the point, never from the worker: here the same call runs in a fresh
process (a ``spawn`` process pool, no Dask), and its rebuilt result must give byte for byte the
record of the serial sweep; and ``remote_args`` must give the seed ``montecarlo.sim.seeding.derive(seed, key)``
and nothing that depends on the order of submission.

Slow tests (``pytest -m slow``; excluded from ``pytest -n auto``) and their default guards:

=====================================================================  ===========================================================
slow test                                                              default test covering the same path
=====================================================================  ===========================================================
``tests/test_distributed.py::test_local_cluster_matches_the_serial_run``  ``tests/test_seed_law.py`` (this module): the seed law
                                                                       (``remote_args``), ``sweep_remote`` in another process and
                                                                       ``rebuild`` give the serial records; what it adds is Dask's
                                                                       transport (``client.submit``, ``as_completed``)
``tests/test_convergence.py::test_report_figures_quick``               ``tests/test_fuzz.py`` (``montecarlo.experiments.convergence``'s public
                                                                       functions at small sizes: ``width_search``, ``figure2_curves``),
                                                                       ``tests/test_convergence.py::test_fit_slopes_*``; the hook as a
                                                                       whole runs in ``python -m reports``
``tests/test_large_domains.py::test_theorem_3_12_at_large_n``          ``tests/test_registry.py`` on ``restricted_eigenvalue.*_large_n``
                                                                       (the same solver and bounds at n = 17 to 256)
``tests/test_large_domains.py::test_lemma_A1_beyond_n_8``              ``tests/test_registry.py`` on
                                                                       ``restricted_eigenvalue.chernoff_lemma_A1_wide_n`` (n = 4 to 8)
``tests/test_verdict_inputs.py::test_strict_report_exits_1_naming_the_point``  ``tests/test_verdict_inputs.py`` (a raising measure
                                                                       is the claim's error, naming the point, in ``sweep_claim``)
=====================================================================  ===========================================================

``test_every_slow_test_is_listed`` keeps the table complete: a new ``slow`` test must be added.
"""

from __future__ import annotations

import ast
import concurrent.futures
import json
import multiprocessing
from pathlib import Path

import pytest

from montecarlo import registry
from montecarlo.sim.seeding import derive
from reports.sweep import examples_for, rebuild, record, remote_args, sweep_claim, sweep_remote

KEYS = ["flip_probability.lemma_A4_geometric", "initial_error.not_E1", "restricted_eigenvalue.p_min_sampled",
        "flip_probability.mutant_constant_2_8"]
BASE, SEED = 4, 11


def _records_in_a_fresh_process(keys):
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        args = [remote_args(registry.get(k), BASE, SEED) for k in keys]
        payloads = list(pool.map(_call_remote, args))
    return [json.dumps(record(rebuild(registry.get(k), a[1], p)), sort_keys=True)
            for k, a, p in zip(keys, args, payloads)]


def _call_remote(args):
    return sweep_remote(*args)


def test_a_claim_swept_in_another_process_gives_the_serial_record():
    serial = [json.dumps(record(sweep_claim(registry.get(k), examples_for(registry.get(k), BASE),
                                            derive(SEED, k))), sort_keys=True) for k in KEYS]
    assert _records_in_a_fresh_process(KEYS) == serial


def test_remote_args_are_the_claims_seed_and_budget_only():
    claims = [registry.get(k) for k in KEYS]
    args = [remote_args(c, BASE, SEED) for c in claims]
    assert args == [(c.key, examples_for(c, BASE), derive(SEED, c.key), ()) for c in claims]
    assert [remote_args(c, BASE, SEED) for c in reversed(claims)] == list(reversed(args))  # not the order
    assert remote_args(claims[0], BASE, SEED, ("x.py",))[3] == ("x.py",)
    assert len({a[2] for a in args}) == len(args)


def test_a_remote_payload_rebuilds_the_result_it_came_from():
    c = registry.get(KEYS[0])
    payload = sweep_remote(*remote_args(c, BASE, SEED))
    res = rebuild(c, examples_for(c, BASE), payload)
    direct = sweep_claim(c, examples_for(c, BASE), derive(SEED, c.key))
    assert record(res) == record(direct) and res.parts == direct.parts


SLOW_LISTED = {
    "tests/test_convergence.py::test_report_figures_quick",
    "tests/test_distributed.py::test_local_cluster_matches_the_serial_run",
    "tests/test_large_domains.py::test_lemma_A1_beyond_n_8",
    "tests/test_large_domains.py::test_theorem_3_12_at_large_n",
    "tests/test_verdict_inputs.py::test_strict_report_exits_1_naming_the_point",
}


def test_every_slow_test_is_listed():
    root = Path(__file__).resolve().parent
    found = set()
    for path in sorted(root.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for d in node.decorator_list:
                    if "mark.slow" in ast.unparse(d):
                        found.add(f"tests/{path.name}::{node.name}")
    assert found == SLOW_LISTED, f"list each slow test with its default guard in this module's docstring: {found}"
    for name in SLOW_LISTED:
        assert f"``{name}``" in __doc__


@pytest.mark.parametrize("key", KEYS)
def test_the_serial_sweep_is_reproducible(key):
    c = registry.get(key)
    a = record(sweep_claim(c, examples_for(c, BASE), derive(SEED, key)))
    b = record(sweep_claim(c, examples_for(c, BASE), derive(SEED, key)))
    assert a == b
