"""Run the sweep over the registry and write every output (results.json, figures, HTML, MD)."""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Sequence

from montecarlo import registry
from montecarlo.registry import Claim

from . import plots, render
from .sweep import ClaimResult, claim_seed, examples_for, record, sweep_claim
from bounds import validate as v

__all__ = ["Report", "run", "sweep_all", "call_hooks", "provenance", "RESERVE"]

RESERVE = 0.25  # seconds of a time budget kept for each claim not yet swept


@dataclass
class Report:
    """Everything a run produced (``records`` is what results.json holds)."""

    out: Path
    results: list[ClaimResult]
    records: list[dict]
    figures: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    hook_errors: list[str] = field(default_factory=list)
    provenance: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(r["passed"] for r in self.records)


def _select(module: str | None, keys: Sequence[str] | None) -> list[Claim]:
    if module is not None and module not in registry.MODULES:
        raise ValueError(f"module={module!r} violates the condition module in {registry.MODULES}")
    if keys is None:
        return registry.claims(module)
    chosen = {registry.get(k).key for k in keys}
    return [c for c in registry.claims(module) if c.key in chosen]


def call_hooks(modules: Sequence[str], out: Path, seed: int, quick: bool,
               seconds: dict | None = None) -> tuple[dict, list[str]]:
    """Call ``report_figures(out_dir, seed, quick)`` of ``montecarlo.<module>`` (or of
    ``montecarlo.claims.<module>``) where it exists; returns figures per module and errors
    (and fills ``seconds`` with each module's hook time)."""
    seconds = {} if seconds is None else seconds
    figures: dict[str, list[tuple[str, str]]] = {}
    errors: list[str] = []
    for mod in modules:
        t0 = time.monotonic()
        for name in (f"montecarlo.{mod}", f"montecarlo.claims.{mod}"):
            try:
                pymod = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name == name:
                    continue
                errors.append(f"{name}: {type(exc).__name__}: {exc}")
                continue
            hook = getattr(pymod, "report_figures", None)
            if hook is None:
                continue
            try:
                got = [(str(f), str(c)) for f, c in hook(out, seed, quick)]
                missing = [f for f, _ in got if not (out / f).is_file()]
                if missing:
                    errors.append(f"{name}.report_figures: files not written: {missing}")
                figures.setdefault(mod, []).extend(g for g in got if g[0] not in missing)
            except Exception as exc:  # a broken plot must not stop the report
                errors.append(f"{name}.report_figures: {type(exc).__name__}: {exc}")
        seconds[mod] = round(time.monotonic() - t0, 2)
    return figures, errors


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _program() -> str:
    name = Path(sys.argv[0]).name
    return "python -m reports" if name == "__main__.py" else name


def provenance(seed: int, mode: str, base: int, module: str | None) -> dict:
    """Versions, seed, machine (no timing: :func:`run` adds the wall time)."""
    if module is not None and not isinstance(module, str):
        v.fail("module", module, "a module name (str) or None")
    base = v.positive_int("base", base)
    if not isinstance(mode, str):
        v.fail("mode", mode, "a mode name (str)")
    seed = v.seed("seed", seed)
    import os

    return {
        "versions": {d: _version(d) for d in ("sparse-ntk-bounds", "numpy", "scipy", "mpmath",
                                              "hypothesis", "matplotlib", "Jinja2")}
        | {"python": platform.python_version()},
        "seed": seed, "mode": mode, "base_examples": base, "module": module or "all",
        "machine": f"{platform.platform()} ({platform.machine()}, {os.cpu_count()} CPUs)",
        "command": " ".join([_program(), *sys.argv[1:]]),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def sweep_all(selected: Sequence[Claim], base: int, seed: int, progress: bool = True,
              budget: float | None = None) -> list[ClaimResult]:
    """Sweep each claim in turn (progress bar over claims); ``budget`` as in :func:`run`."""
    t0 = time.monotonic()
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(selected), desc="sparse-ntk-report", unit="claim")
    results: list[ClaimResult] = []
    try:
        for i, c in enumerate(selected):
            if bar is not None:
                bar.set_postfix_str(c.key, refresh=True)
            deadline = None
            if budget is not None:  # keep a small reserve for each claim still to come
                reserve = min(RESERVE, budget / (2 * len(selected)))
                deadline = t0 + budget - reserve * (len(selected) - i - 1)
            results.append(sweep_claim(c, examples_for(c, base), claim_seed(seed, c.key), deadline))
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return results


def run(out: str | Path = "reports/out", *, base: int = 40, mode: str = "default",
        module: str | None = None, keys: Sequence[str] | None = None, seed: int = 0,
        progress: bool = True, budget: float | None = None, hooks: bool = True) -> Report:
    """Sweep the selected claims (``module``'s, or the registered ``keys``, default all) and
    write results.json, provenance.json, figures, index.html and REPORT.md into ``out``.
    ``budget`` (seconds) caps the sweep: each claim may run until the budget minus a small
    reserve (:data:`RESERVE`) for each claim still to come, then stops early (after at least
    one point); truncated claims are marked in their record and listed in the provenance."""
    t0 = time.monotonic()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    selected = _select(module, keys)
    results = sweep_all(selected, base, seed, progress, budget)
    phases = {"sweep": round(time.monotonic() - t0, 1)}
    records = [record(r) for r in results]
    (out / "results.json").write_text(json.dumps(records, indent=1, allow_nan=False) + "\n")
    modules = [m for m in registry.MODULES if any(r.claim.module == m for r in results) or m == module]
    figures: dict[str, list[tuple[str, str]]] = {}
    over = plots.overview_figure(results, out)
    if over:
        figures["overview"] = [over]
    for m in modules:
        fig = plots.module_figure(m, results, out)
        figures[m] = [fig] if fig else []
    phases["figures"] = round(time.monotonic() - t0 - phases["sweep"], 1)
    errors: list[str] = []
    hook_seconds: dict[str, float] = {}
    if hooks:
        extra, errors = call_hooks(modules, out, seed, mode == "quick", hook_seconds)
        for m, figs in extra.items():
            figures.setdefault(m, []).extend(figs)
    prov = provenance(seed, mode, base, module)
    slowest = sorted(results, key=lambda r: -r.seconds)[:5]
    prov.update(truncated=[r.claim.key for r in results if r.truncated], budget_seconds=budget,
                slowest=[(r.claim.key, round(r.seconds, 2)) for r in slowest],
                hook_errors=errors, seconds={**phases, "hooks": hook_seconds},
                wall_seconds=round(time.monotonic() - t0, 1))
    rep = Report(out, results, records, figures, errors, prov)
    (out / "provenance.json").write_text(json.dumps(prov, indent=1) + "\n")
    render.write(rep, modules)
    return rep
