"""``python -m reports --workers N``: the claims swept on a Dask cluster give the serial
results.json (every evaluation's randomness comes from the claim's seed and the point)."""

from __future__ import annotations

import json

import pytest

from reports import run

distributed = pytest.importorskip("distributed")


@pytest.mark.slow  # starts two worker processes (about 15 s of CPU)
def test_local_cluster_matches_the_serial_run(tmp_path):
    from reports.build import client_for

    keys = ["flip_probability.lemma_A4", "flip_probability.lemma_A4_geometric",
            "flip_probability.mutant_constant_2_8", "initial_error.tight_le_paper"]
    serial = run(tmp_path / "serial", base=6, keys=keys, seed=5, progress=False, hooks=False)
    client = client_for(workers=2)
    try:
        par = run(tmp_path / "dask", base=6, keys=keys, seed=5, progress=False, hooks=False, client=client)
    finally:
        cluster = client.cluster
        client.close()
        cluster.close()
    assert (tmp_path / "serial" / "results.json").read_bytes() == (tmp_path / "dask" / "results.json").read_bytes()
    assert [r["key"] for r in json.loads((tmp_path / "dask" / "results.json").read_text())] == keys
    assert "2 workers" in par.provenance["distributed"] and serial.provenance["distributed"] is None
