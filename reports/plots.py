"""Generic figures from the sweep's points (matplotlib, Agg backend, PNG files).

- ``overview.png``: every non-mutant claim's worst closeness (1 = on the bound), one bar each;
- ``sweep_<module>.png``: per claim, measured / bound at every swept point with its
  confidence band, against B (or the first varying numeric parameter); identities plot the
  relative deviation |measured / bound - 1| instead.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from montecarlo.registry import Evidence  # noqa: E402

from .sweep import ClaimResult, _applicable, closeness  # noqa: E402
from bounds import validate as v

__all__ = ["overview_figure", "module_figure", "x_axis"]

_SAVE = dict(dpi=110, metadata={"Software": None})
RED, BLUE, GREY, GREEN, ORANGE = "#c62828", "#1f77b4", "#9e9e9e", "#2e7d32", "#ef6c00"


def x_axis(points: list[Evidence]) -> str | None:
    """``"B"`` when the points have B, else the first numeric non-seed parameter that varies."""
    if not isinstance(points, (list, tuple)):
        v.fail("points", points, "a list of Evidence")
    if not points:
        return None
    keys = [k for k in points[0].params if "seed" not in k.lower()]
    if "B" in keys and _numeric(points, "B"):
        return "B"
    for k in keys:
        if _numeric(points, k) and len({p.params[k] for p in points}) > 1:
            return k
    return None


def _numeric(points: list[Evidence], k: str) -> bool:
    return all(isinstance(p.params.get(k), (int, float, np.integer, np.floating))
               and not isinstance(p.params.get(k), bool) for p in points)


def _spans_decades(v: np.ndarray) -> bool:
    v = v[np.isfinite(v)]
    return v.size > 1 and bool(np.all(v > 0)) and v.max() / v.min() > 30


def _limits(ax, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, ref: float) -> None:
    """Frame the points and the reference line; confidence bands reach at most 1.5 frames
    beyond them (wider ones are cut at the edge)."""
    log = ax.get_yscale() == "log"
    t = (lambda a: np.log10(np.where(a > 0, a, np.nan))) if log else (lambda a: a)
    v = t(np.append(y, ref))
    v = v[np.isfinite(v)]
    if not v.size:
        return
    a, b = v.min(), v.max()
    span = b - a if b > a else (0.5 if log else 0.1 * max(abs(b), 1.0))
    band = np.concatenate([t(lo), t(hi)])
    band = band[np.isfinite(band)]
    if band.size:
        a, b = max(min(a, band.min()), a - 1.5 * span), min(max(b, band.max()), b + 1.5 * span)
    pad = 0.1 * (b - a) if b > a else span
    a, b = a - pad, b + pad
    ax.set_ylim(*((10 ** a, 10 ** b) if log else (a, b)))


def _claim_axes(ax, res: ClaimResult) -> None:
    pts = res.points
    c = res.claim
    xk = x_axis(pts)
    x = np.array([float(p.params[xk]) for p in pts]) if xk else np.arange(len(pts), dtype=float)
    exact = all(p.measurement.lower == p.measurement.upper for p in pts)
    val = np.array([p.ratio for p in pts], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.array([p.bound for p in pts])
        lo = np.array([p.measurement.lower for p in pts]) / b
        hi = np.array([p.measurement.upper for p in pts]) / b
    lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)  # negative bounds swap the band
    fin = val[np.isfinite(val)]
    if c.sense == "==" and exact:
        y = np.maximum(np.abs(val - 1.0), 1e-17)
        ref = max(c.rtol, 1e-17)
        ax.axhline(ref, color=RED, lw=1, ls="--", label="tolerance")
        ax.set_ylabel("|measured/bound - 1|", fontsize=8)
        ax.set_yscale("log")
        lo = hi = y
    elif fin.size and np.all(np.abs(fin - 1.0) < 1e-6):  # on the bound up to round-off
        y, lo, hi, ref = val - 1.0, lo - 1.0, hi - 1.0, 0.0
        ax.axhline(ref, color=RED, lw=1, ls="--", label="bound")
        ax.set_ylabel("measured / bound - 1", fontsize=8)
    else:
        y, ref = val, 1.0
        ax.axhline(ref, color=RED, lw=1, ls="--", label="bound")
        ax.set_ylabel("measured / bound", fontsize=8)
        if _spans_decades(y[y > 0]) and np.mean(y > 0) > 0.8:
            ax.set_yscale("log")
    app = np.array([_applicable(p) for p in pts])
    bad = np.array([p.refuted for p in pts]) & app
    ok = app & ~bad
    if not exact:
        ax.vlines(x[app], lo[app], hi[app], color=BLUE, alpha=0.35, lw=1.5)
    ax.scatter(x[ok], y[ok], s=14, color=BLUE, label="holds")
    if bad.any():
        ax.scatter(x[bad], y[bad], s=22, color=RED, marker="x", label="refuted")
    if (~app).any():
        ax.scatter(x[~app], y[~app], s=14, facecolors="none", edgecolors=GREY, label="n/a")
    _limits(ax, y, lo, hi, ref)
    if ax.get_yscale() == "linear":
        ax.ticklabel_format(axis="y", useOffset=False)
    if xk and _spans_decades(x):
        ax.set_xscale("log")
    ax.set_xlabel(xk or "example", fontsize=8)
    hidden = ~np.isfinite(y) | ((y <= 0) if ax.get_yscale() == "log" else False)
    extra = f" ({int(hidden.sum())} not shown)" if hidden.any() else ""
    ax.set_title(f"{c.claim_id} [{c.sense}]{extra}", fontsize=9,
                 color=RED if res.status in ("violated", "error") else "black")
    ax.tick_params(labelsize=7)


def module_figure(module: str, results: list[ClaimResult], out_dir: Path) -> tuple[str, str] | None:
    """One panel per non-mutant claim of ``module`` with points; returns (file, caption)."""
    if not isinstance(results, (list, tuple)):
        v.fail("results", results, "a list of ClaimResult")
    if not isinstance(module, str):
        v.fail("module", module, "a module name (str)")
    rs = [r for r in results if r.claim.module == module and r.claim.kind != "mutant" and r.points]
    if not rs:
        return None
    ncol = min(3, len(rs))
    nrow = math.ceil(len(rs) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3.1 * nrow), squeeze=False)
    for ax, r in zip(axes.flat, rs):
        _claim_axes(ax, r)
    for ax in list(axes.flat)[len(rs):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7, loc="best")
    fig.tight_layout()
    name = f"sweep_{module}.png"
    fig.savefig(out_dir / name, **_SAVE)
    plt.close(fig)
    caption = (f"{module}: measured / bound at every swept point (blue: holds, with its confidence "
               "band; red x: refuted; grey: hypothesis not met). Identities show the relative "
               "deviation from the bound; the dashed line is the bound (or the tolerance).")
    return name, caption


def overview_figure(results: list[ClaimResult], out_dir: Path) -> tuple[str, str] | None:
    """Worst severity per non-mutant claim: how much of each bound the sweep used."""
    if not isinstance(results, (list, tuple)):
        v.fail("results", results, "a list of ClaimResult")
    rs = [r for r in results if r.claim.kind != "mutant" and r.worst is not None]
    if not rs:
        return None
    sev = np.array([closeness(r.worst, r.claim) for r in rs], dtype=float)
    shown = np.where(np.isfinite(sev), sev, np.nan)
    top = np.nanmax(shown) if np.isfinite(shown).any() else 1.0
    shown = np.where(np.isfinite(sev), np.maximum(sev, 1e-12), max(top, 1.0) * 10)
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.22 * len(rs)))
    colors = [RED if r.status == "violated" else ORANGE if s > 1 + 1e-6
              else BLUE if r.claim.sense == "==" else GREEN for r, s in zip(rs, sev)]
    pos = np.arange(len(rs))[::-1]
    ax.barh(pos, shown, color=colors, height=0.7)
    ax.axvline(1.0, color=RED, lw=1, ls="--")
    ax.set_ylim(-0.6, len(rs) - 0.4)
    ax.set_yticks(pos, [r.claim.key for r in rs], fontsize=7)
    if _spans_decades(shown):
        ax.set_xscale("log")
    ax.set_xlabel("closeness to violation at the worst point (measured/bound for <=, bound/measured "
                  "for >=,\nidentities: deviation over the tolerance or the half-interval; 1 = on the verge)",
                  fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    fig.tight_layout()
    fig.savefig(out_dir / "overview.png", **_SAVE)
    plt.close(fig)
    return "overview.png", ("Tightness overview: how close each claim came to violation in the sweep "
                            "(green: holds, blue: identity, orange: the point estimate is past the bound "
                            "but its confidence limit is not, red: violated). Bars near 1 are tight; "
                            "exact values past the bound within round-off count as 1.")
