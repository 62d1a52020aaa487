"""Run the sweep over the registry and write every output (results.json, figures, HTML, MD)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import platform
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Sequence

from bounds import validate as v
from montecarlo import registry
from montecarlo.search.compare import compare_runs, load_results
from montecarlo.registry import Claim
from montecarlo.sim.seeding import derive

from . import plots, render
from .report import Report
from .figures import FIGURES, report_only_sections
from .sweep import (BASES, ClaimResult, TimeLimitExceeded, examples_for, rebuild, record, sweep_claim,
                    remote_args, sweep_remote)

__all__ = ["run"]


def _select(module: str | None, keys: Sequence[str] | None) -> list[Claim]:
    if module is not None and module not in registry.modules():
        raise ValueError(f"module={module!r} violates the condition: a registered module {registry.modules()}")
    if keys is None:
        return registry.claims(module)
    chosen = {registry.get(k).key for k in keys}
    return [c for c in registry.claims(module) if c.key in chosen]


def call_hooks(modules: Sequence[str], out: Path, seed: int, quick: bool,
               seconds: dict | None = None) -> tuple[dict, list[str]]:
    """Call ``FIGURES[module](out_dir, seed, quick)`` (:data:`reports.figures.FIGURES`) for
    every module that has one; returns figures per module and errors (a hook that raises or
    does not write its files is listed, not fatal) and fills ``seconds`` with each module's
    hook time."""
    seconds = {} if seconds is None else seconds
    figures: dict[str, list[tuple[str, str]]] = {}
    errors: list[str] = []
    for mod in modules:
        hook = FIGURES.get(mod)
        if hook is None:
            continue
        t0 = time.monotonic()
        name = f"reports.figures[{mod!r}]"
        try:
            got = [(str(f), str(c)) for f, c in hook(out, seed, quick)]
            missing = [f for f, _ in got if not (out / f).is_file()]
            if missing:
                errors.append(f"{name}: files not written: {missing}")
            figures.setdefault(mod, []).extend(g for g in got if g[0] not in missing)
        except Exception as exc:  # a broken plot must not stop the report
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
        seconds[mod] = round(time.monotonic() - t0, 2)
    return figures, errors


def _describe(client: Any) -> str:
    """The Dask scheduler and its number of workers (for the provenance)."""
    try:
        info = client.scheduler_info()
        return f"{info.get('address', '?')} ({len(info.get('workers', {}))} workers)"
    except Exception:  # provenance must not fail the run
        return repr(client)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _program() -> str:
    name = Path(sys.argv[0]).name
    return "python -m reports" if name == "__main__.py" else name


def provenance(seed: int, mode: str, base: int, module: str | None) -> dict:
    """Versions, seed, machine, the git commit of the checkout and whether tracked files were
    modified (``git_dirty``; None outside a git checkout), so a report names the code that
    made it (no timing: :func:`run` adds the wall time)."""
    if module is not None and not isinstance(module, str):
        v.fail("module", module, "a module name (str) or None")
    base = v.positive_int("base", base)
    if not isinstance(mode, str):
        v.fail("mode", mode, "a mode name (str)")
    seed = v.seed("seed", seed)
    import os
    import subprocess

    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                                 timeout=20, check=True)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip()

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {
        "git_commit": commit or "unknown (not a git checkout)",
        "git_dirty": None if status is None else bool(status),
        "versions": {d: _version(d) for d in ("sparse-ntk-bounds", "numpy", "scipy", "mpmath",
                                              "hypothesis", "matplotlib", "Jinja2")}
        | {"python": platform.python_version()},
        "seed": seed, "mode": mode, "base_examples": base, "module": module or "all",
        "machine": f"{platform.platform()} ({platform.machine()}, {os.cpu_count()} CPUs)",
        "command": " ".join([_program(), *sys.argv[1:]]),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def sweep_all(selected: Sequence[Claim], base: int, seed: int, progress: bool = True,
              time_limit: float | None = None, client: Any = None,
              sources: Sequence[str] = ()) -> list[ClaimResult]:
    """Sweep each claim (progress bar over claims) with :func:`examples_for` examples.
    ``time_limit`` (seconds) only fails loudly: past it :class:`~reports.sweep.TimeLimitExceeded`
    is raised; it never shortens a sweep. With a Dask ``client`` the claims are swept on its
    workers (:func:`~reports.sweep.sweep_remote`, loading the claim files ``sources`` there);
    the results are those of the serial run."""
    if client is not None:
        return _sweep_distributed(selected, base, seed, progress, time_limit, client, tuple(sources))
    deadline = None if time_limit is None else time.monotonic() + time_limit
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(selected), desc="sparse-ntk-report", unit="claim")
    results: list[ClaimResult] = []
    try:
        for c in selected:
            if bar is not None:
                bar.set_postfix_str(c.key, refresh=True)
            results.append(sweep_claim(c, examples_for(c, base), derive(seed, c.key), deadline))
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return results


def _sweep_distributed(selected: Sequence[Claim], base: int, seed: int, progress: bool,
                       time_limit: float | None, client: Any, sources: tuple[str, ...]) -> list[ClaimResult]:
    from distributed import as_completed

    n = {c.key: examples_for(c, base) for c in selected}
    futures = {client.submit(sweep_remote, *remote_args(c, base, seed, sources), pure=False): c for c in selected}
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(selected), desc="sparse-ntk-report (dask)", unit="claim")
    done: dict[str, ClaimResult] = {}
    try:
        for fut in as_completed(list(futures), timeout=time_limit):
            c = futures[fut]
            done[c.key] = rebuild(c, n[c.key], fut.result())
            if bar is not None:
                bar.update(1)
    except TimeoutError as exc:
        for fut in futures:
            fut.cancel()
        raise TimeLimitExceeded(f"time limit of {time_limit:g} s reached with {len(done)} of "
                                f"{len(selected)} claims swept") from exc
    finally:
        if bar is not None:
            bar.close()
    return [done[c.key] for c in selected]


def client_for(workers: int | None = None, scheduler: str | None = None) -> Any:
    """A Dask client: a local cluster of ``workers`` processes (one thread each), or the
    scheduler at ``scheduler``. Needs the ``[distributed]`` extra."""
    if scheduler is not None and not isinstance(scheduler, str):
        v.fail("scheduler", scheduler, "a scheduler address (str) or None")
    if scheduler is None:
        workers = v.positive_int("workers", workers)
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ImportError("--workers/--scheduler need dask.distributed: "
                          "pip install 'sparse-ntk-bounds[distributed]'") from exc
    if scheduler is not None:
        return Client(scheduler)
    cluster = LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=True,
                           dashboard_address=":0")  # any free port: never clash with another cluster
    return Client(cluster)


def run(out: str | Path = "reports/out", *, base: int = BASES["default"], mode: str = "default",
        module: str | None = None, keys: Sequence[str] | None = None, seed: int = 0,
        progress: bool = True, time_limit: float | None = None, hooks: bool = True,
        client: Any = None, sources: Sequence[str] = (), baseline: str | Path | None = None) -> Report:
    """Sweep the selected claims (``module``'s, or the registered ``keys``, default all) and
    write results.json, provenance.json, figures, index.html and REPORT.md into ``out``.
    The work per claim is a count of examples (``base`` x weight, see
    :func:`~reports.sweep.examples_for`), so results.json depends only on the seed, never on
    the machine's speed; ``time_limit`` (seconds) makes a run that takes longer fail with
    :class:`~reports.sweep.TimeLimitExceeded` (nothing is written). ``mode="quick"`` is a smoke
    run: the provenance says ``"smoke": true``. ``client`` (a Dask client) sweeps the claims on
    its workers, which load the claim files ``sources`` (``--claims``) first; results.json is
    the serial one. ``baseline`` (an earlier results.json or report folder) adds a section
    comparing the two runs claim by claim (:mod:`montecarlo.search.compare`). The report is written
    into a temporary folder beside ``out`` and moved into place at the end."""
    t0 = time.monotonic()
    final = Path(out)
    selected = _select(module, keys)
    old = None if baseline is None else load_results(baseline)  # a bad baseline is refused before the sweep
    out = _staging_folder(final)  # refuses an unwritable --out before the sweep
    try:
        rep = _run_into(out, final, t0, selected, base, mode, module, keys, seed, progress, time_limit,
                        hooks, client, sources, lambda r: _compare(r, old, baseline))
    except BaseException:  # an interrupted or failed run leaves the previous report whole
        shutil.rmtree(out, ignore_errors=True)
        raise
    _move_into_place(out, final)
    rep.out = final
    return rep


def _compare(rep: Report, old: list[dict] | None, baseline: Any) -> None:
    if old is not None:
        rep.baseline = str(baseline)
        rep.comparison = compare_runs(old, rep.records)


def _staging_folder(final: Path) -> Path:
    """A fresh temporary folder beside ``final`` (same file system, so the last step is a
    rename); raises ``PermissionError`` naming ``final`` when it cannot be written."""
    final = Path(final)
    parent = final.absolute().parent
    if final.exists() and not final.is_dir():
        raise NotADirectoryError(f"out={str(final)!r} violates the condition: a folder (it is a file)")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{final.name}.partial-", dir=parent))
    except OSError as exc:
        raise PermissionError(f"out={str(final)!r} violates the condition: a folder that can be written "
                              f"({type(exc).__name__}: {exc.strerror or exc})") from None


def _move_into_place(staged: Path, final: Path) -> None:
    """Replace ``final`` by ``staged``: the old report is renamed aside, the new one renamed
    into place, then the old one removed (a reader sees one whole report or the other)."""
    old = None
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.absolute().parent))
        os.rmdir(old)
        os.replace(final, old)
    try:
        os.replace(staged, final)
    except OSError:
        if old is not None:
            os.replace(old, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _run_into(out: Path, final: Path, t0: float, selected, base, mode, module, keys, seed, progress,
              time_limit, hooks, client, sources, before_render=None) -> Report:
    results = sweep_all(selected, base, seed, progress, time_limit, client, sources)
    phases = {"sweep": round(time.monotonic() - t0, 1)}
    records = [record(r) for r in results]
    (out / "results.json").write_text(json.dumps(records, indent=1, allow_nan=False) + "\n")
    modules = [m for m in registry.modules() if any(r.claim.module == m for r in results) or m == module]
    if module is None and keys is None and hooks:
        modules += report_only_sections()  # figure-only sections (real data), full runs only
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
        # the figures' own experiments run at their quick size except with --full (the default run
        # stays about two minutes; its verdicts come from the sweep, which has the tests' effort)
        extra, errors = call_hooks(modules, out, seed, mode != "full", hook_seconds)
        for m, figs in extra.items():
            figures.setdefault(m, []).extend(figs)
    prov = provenance(seed, mode, base, module)
    slowest = sorted(results, key=lambda r: -r.seconds)[:5]
    prov.update(smoke=mode == "quick", time_limit_seconds=time_limit,
                distributed=None if client is None else _describe(client),
                examples=sum(len(r.points) for r in results),
                vacuous_examples=sum(r.vacuous for r in results),
                slowest=[(r.claim.key, round(r.seconds, 2)) for r in slowest],
                hook_errors=errors, seconds={**phases, "hooks": hook_seconds},
                wall_seconds=round(time.monotonic() - t0, 1))
    rep = Report(out=out, results=results, records=records, figures=figures, hook_errors=errors, provenance=prov)
    (out / "provenance.json").write_text(json.dumps(prov, indent=1) + "\n")
    if before_render is not None:
        before_render(rep)
    render.write(rep, modules)
    return rep
