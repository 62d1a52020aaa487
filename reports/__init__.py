"""The suite's main job: one command that verifies every registered claim and writes a report.

    python -m reports [--quick | --full | --examples BASE] [--module NAME] [--seed S] [--out DIR]

(also installed as ``sparse-ntk-report``). It reads only the registry
(:func:`montecarlo.registry.claims`), sweeps each claim deterministically
(:mod:`reports.sweep`: the falsifier's plan of corners, random draws and local search, with
``max(3, round(base * weight))`` examples, base 12 / 40 / 200 for quick / default / full, at
least 20 for a mutant, which stops at its first counterexample; a per-claim seed hashed from
``--seed`` and the claim key) and writes into ``--out``
(default ``reports/out``): ``results.json`` (one record per claim, byte-identical for the same
seed), ``provenance.json`` (versions, machine, timings), the figures (PNG), ``index.html``
(self-contained, no JavaScript) and ``REPORT.md`` (renders on GitHub).

Conventions for claim authors
-----------------------------
- A measurement built as ``exact(0.0, applicable=False, reason=...)`` (its
  ``Measurement.applicable`` is False) means the claim's hypothesis does not
  hold at that point (for example a training run moved farther than 1/B): it is plotted in
  grey but ignored by the verdict; a claim with no applicable point is "not applicable".
- Scalar entries of the worst point's ``Measurement.detail`` are copied into results.json.
- A claim that raises becomes a failed record carrying the error text; the report goes on.

Module figure hook
------------------
A module adds its own figures (tightness curves, the prior-versus-new ratio map over (B, R),
each link's slack, ...) in ``reports/figures/<module>.py``, by a function entered in
:data:`reports.figures.FIGURES`::

    def report_figures(out_dir: pathlib.Path, seed: int, quick: bool) -> list[tuple[str, str]]:
        '''Write figure files into out_dir; return (file name relative to out_dir, caption).'''

Use the Agg backend, PNG or SVG, seed all randomness from ``seed``, and keep ``quick=True``
to a few seconds. The report calls the hook for every module it covers and shows the figures
under that module's section; a hook that raises is listed in the report, not fatal. A figure
plots and captions: what it shows is computed in :mod:`montecarlo` (estimators, experiments).
"""

from .build import run
from .report import Report

__all__ = ["Report", "run"]
