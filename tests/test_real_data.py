"""Real data sets (montecarlo.sim.datasets, scikit-learn's shipped files) and the report section
"Theorem 3.12 and the generalization term on real data" (reports/figures/real_data.py).
Skipped when scikit-learn (the extra ``[data]``) is missing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("sklearn")

from bounds import restricted_eigenvalue as re_  # noqa: E402
from montecarlo.sim.datasets import DATASETS, load  # noqa: E402
from reports.figures import real_data as rd  # noqa: E402
from montecarlo.experiments import real_data as rdx  # noqa: E402


@pytest.mark.parametrize("name", DATASETS)
def test_sets_are_unit_standardized_and_labelled_in_range(name):
    ds = load(name)
    assert ds.n == ds.size - ds.duplicates_removed and ds.X.shape == (ds.n, ds.d)
    np.testing.assert_allclose(np.linalg.norm(ds.X, axis=1), 1.0, rtol=1e-14)
    assert ds.y.min() == -1.0 and ds.y.max() == 1.0 and np.all(np.abs(ds.y) <= 1.0)
    assert len(np.unique(ds.X, axis=0)) == ds.n  # duplicates removed
    from sklearn import datasets as skd

    raw = getattr(skd, f"load_{name}")().data[ds.indices]
    full = getattr(skd, f"load_{name}")().data
    sd = full.std(axis=0)
    Z = (raw - full.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    np.testing.assert_allclose(ds.X, Z / np.linalg.norm(Z, axis=1, keepdims=True), rtol=1e-12, atol=1e-15)


def test_iris_duplicate_is_removed_and_subsets_are_seeded():
    assert load("iris").duplicates_removed >= 1
    a, b, c = load("digits", 200, 1), load("digits", 200, 1), load("digits", 200, 2)
    np.testing.assert_array_equal(a.indices, b.indices)
    assert not np.array_equal(a.indices, c.indices) and a.n == 200
    assert load("wine", 10_000).n == 178  # more than the set: every row


@pytest.mark.parametrize("call, name", [(lambda: load("mnist"), "name"), (lambda: load("iris", 0), "n")])
def test_bad_arguments_raise(call, name):
    with pytest.raises(ValueError, match="violates the condition") as info:
        call()
    assert str(info.value).startswith(f"{name}=")


@settings(max_examples=40)
@given(n=st.integers(3, 12), seed=st.integers(0, 2**32 - 1))
def test_label_shift_is_the_smallest_that_enters_the_region(n, seed):
    g = np.random.default_rng(seed)
    Qm = np.abs(g.standard_normal((n, n)))
    Qm = Qm + Qm.T
    np.fill_diagonal(Qm, 0.0)
    Qm[g.random((n, n)) < 0.3] = 0.0
    Qm = np.minimum(Qm, Qm.T)
    y = g.uniform(-1, 1, n)
    c = rdx.label_shift(y, Qm)
    f = lambda t: (y + t) @ Qm @ (y + t)  # noqa: E731
    scale = float(np.abs(Qm).sum()) * 4
    assert f(c) >= -1e-12 * scale
    if c == 0.0:
        assert f(0.0) >= 0
    else:
        for t in np.linspace(-abs(c), abs(c), 41)[1:-1] * (1 - 1e-6):
            assert f(t) < 0  # no smaller shift enters R


def test_table_follows_theorem_3_12_and_reproduces(monkeypatch):
    monkeypatch.setattr(rdx, "QUICK_N", 40)
    rows = rdx.real_data_table(seed=3, quick=True)
    assert [r["data"] for r in rows] == list(DATASETS) and all(r["n"] == 40 for r in rows)
    for r in rows:
        assert r["lambda_R"] >= r["lambda_min"] - 1e-12
        assert r["lambda_R"] >= r["sharper"] * (1 - 1e-9) >= r["closed_form"] * (1 - 2e-9)  # Theorem 3.12
        assert r["lambda_R"] >= r["p0_minus_pmin"] * (1 - 1e-9)
        assert abs(r["lambda_R_gap"]) <= 1e-10 * max(r["lambda_R"], 1e-300)
        assert r["yHy"] > 0 and r["yHy_shifted"] > 0
        assert r["separation"] == pytest.approx(re_.separation(load(r["data"], 40, 3).X))
    again = rdx.real_data_table(seed=3, quick=True)
    assert rd.table_markdown(again) == rd.table_markdown(rows)


def test_report_figures_write_files(tmp_path, monkeypatch):
    monkeypatch.setattr(rdx, "QUICK_N", 30)
    monkeypatch.setattr(rd, "B_GRID", (0.0, 1.0))
    files = rd.report_figures(tmp_path, seed=0, quick=True)
    assert [f for f, _ in files] == ["real_data_table.png", "real_data_generalization.png"]
    for f, caption in files:
        assert (tmp_path / f).stat().st_size > 1000 and caption
    assert (tmp_path / "real_data.md").read_text().startswith("| data |")
