"""Each module's own report figures and the report-only experiments behind them.

``reports/figures/<module>.py`` defines ``report_figures(out_dir, seed, quick) ->
list[(file name relative to out_dir, caption)]``: it writes PNG files through
:func:`reports.layout.save`, draws every random number from ``seed`` and keeps ``quick=True``
to a few seconds. :data:`FIGURES` maps a module name (as in :data:`montecarlo.registry.MODULES`)
to that function; :func:`reports.build.call_hooks` calls the entry of every module the report
covers. A user module adds its own: ``FIGURES["my_module"] = my_figures``.

The estimators the figures use stay in ``montecarlo/`` (claims and tests use them); only what
the report alone needs (tightness tables, width ladders, activity curves, matplotlib code)
lives here.
"""

from __future__ import annotations

from typing import Callable

from . import (activated_neurons, convergence, error_analysis, flip_probability, generalization, initial_error,
               rademacher_radius,
               real_data, restricted_eigenvalue)

__all__ = ["FIGURES", "FigureHook"]

FigureHook = Callable[..., "list[tuple[str, str]]"]

FIGURES: dict[str, FigureHook] = {
    "flip_probability": flip_probability.report_figures,
    "initial_error": initial_error.report_figures,
    "activated_neurons": activated_neurons.report_figures,
    "restricted_eigenvalue": restricted_eigenvalue.report_figures,
    "rademacher_radius": rademacher_radius.report_figures,
    "convergence": convergence.report_figures,
    "error_analysis": error_analysis.report_figures,
    "generalization": generalization.report_figures,
    "real_data": real_data.report_figures,
}
"""Module name -> ``report_figures(out_dir, seed, quick)``."""

REPORT_ONLY = {"real_data": "sklearn"}
"""Sections with figures but no registered claims, and the package each needs (an optional
extra: without it the section is left out, not reported as an error)."""


def report_only_sections() -> list[str]:
    """The report-only sections whose optional package is installed."""
    from importlib.util import find_spec

    return [name for name, pkg in REPORT_ONLY.items() if find_spec(pkg) is not None]
