"""reports/figures: the report-only experiments (their numbers, not only that they run) and
the figure hooks (each writes readable PNG files through reports.layout.save)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bounds import rademacher_radius as rr
from montecarlo import registry
from montecarlo.sim.data import problem
from reports.figures import FIGURES
from reports.figures import activated_neurons as an_figs
from reports.figures import initial_error as ie_figs
from reports.figures import rademacher_radius as rad_figs


def test_every_builtin_module_has_figures():
    from reports.figures import REPORT_ONLY

    assert set(registry.MODULES) <= set(FIGURES) <= set(registry.MODULES) | set(REPORT_ONLY)
    assert all(callable(f) for f in FIGURES.values())


@pytest.mark.parametrize("module", ["flip_probability", "activated_neurons", "restricted_eigenvalue"])
def test_hook_writes_figures(module, tmp_path):
    """The quick hooks that stay cheap (the others run in ``python -m reports --quick``)."""
    figs = FIGURES[module](tmp_path, seed=0, quick=True)
    assert figs and all((tmp_path / f).stat().st_size > 1000 and c for f, c in figs)
    assert all((tmp_path / f).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for f, _ in figs)


# ------------------------------------------------------------------ activated neurons
def test_active_fraction_curves_shape_and_values():
    Bs = (0.0, 1.0, 2.0)
    c = an_figs.active_fraction_curves(Bs, m=256, n=4, d=5, steps=20, seed=1)
    assert c["B"].shape == (3,) and c["t"].shape == (21,)
    for k in ("mean_fraction", "max_fraction", "movement", "residual"):
        assert c[k].shape == (3, 21) and np.all(np.isfinite(c[k])), k
    assert np.all((0 <= c["mean_fraction"]) & (c["mean_fraction"] <= c["max_fraction"]) & (c["max_fraction"] <= 1))
    assert np.allclose(c["reference"], np.exp(-np.array(Bs) ** 2 / 2))
    assert np.allclose(c["max_ratio"], c["max_fraction"].max(axis=1) / c["reference"])
    assert c["mean_fraction"][0, 0] > c["mean_fraction"][2, 0]  # larger bias, sparser


def test_active_fraction_curves_refuses_no_bias():
    with pytest.raises(ValueError, match="Bs="):
        an_figs.active_fraction_curves([], m=10)


# ------------------------------------------------------------------ initial error
def test_tightness_row():
    row = ie_figs.tightness(2, 8, 1.0, 0.2, draws=500, seed=1)
    assert 0 < row["ratio_E0_tight"] < 1 and row["ratio_E0_paper"] <= row["ratio_E0_tight"]
    assert row["E0_tight"] <= row["E0_paper"]


# ------------------------------------------------------------------ Rademacher radius
def test_generalization_curve_times_Q_tends_to_half_norm():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-0.6, 0.8], [0.28, -0.96]])
    y = np.array([1.0, -0.5, 0.25, -1.0])
    g = rad_figs.generalization_curve(X, y, [0.0, 12.0])
    assert g["times_Q"][-1] == pytest.approx(g["half_norm2"], rel=0.02)
    # times exp(-B^2/2) grows (about linearly): Q(B) ~ phi(B)/B
    assert g["times_exp"][-1] > 5 * g["times_exp"][0]


def test_width_ladder_returns_fit_and_interval():
    L = rad_figs.width_ladder(widths=(16, 64), draws=2, B=0.0, n=3, d=3, tol=1e-6, boot=200)
    assert L.excess.shape == (2, 2) and np.all(L.final_residual <= 1e-6)
    assert math.isfinite(L.slope) and L.ci[0] <= L.ci[1]
    assert L.leading == pytest.approx(rr.leading_distance(*problem(3, 3, "random", "random", 0), 0.0))


def test_width_ladder_refuses_odd_widths():
    with pytest.raises(ValueError, match="even"):
        rad_figs.width_ladder(widths=(15,), draws=2)


def test_rademacher_tightness_follows_sqrt_Q_over_exp():
    T = rad_figs.rademacher_tightness([0.0, 1.0], m=512, n=4, d=4, draws=1, sigmas=2000)
    # E||Z sigma|| <= ||Z||_F ~ sqrt(2 n Q(B)): the ratio is about sqrt(Q(B) e^{B^2/2}) <= 1
    assert np.all(T["ratio"] <= T["jensen_ratio"] * 1.05) and np.all(T["ratio"] < 1)
    assert T["ratio"][0] == pytest.approx(math.sqrt(0.5), rel=0.1)
