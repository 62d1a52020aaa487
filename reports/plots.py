"""Generic figures from the sweep's points (matplotlib, Agg backend, PNG files).

- ``overview.png``: every non-mutant claim's worst closeness (1 = on the bound), one bar each;
- ``sweep_<module>.png``: per claim, measured / bound at every swept point with its
  confidence band, against B (or the first varying numeric parameter); identities plot the
  relative deviation |measured / bound - 1| instead. Where the ratio over- or underflows a
  double (an exact tail against its bound reaches e^{800} at B = 40) the panel plots
  log10(measured / bound) computed from logs (``Evidence.log_ratio``); vacuous points (both
  sides 0 with no log form: nothing measured) are hollow grey diamonds on the lower edge,
  counted in the panel title.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from montecarlo.registry import Evidence  # noqa: E402

from .layout import BLUE, GREEN, GREY, ORANGE, RED, save  # noqa: E402
from .sweep import ClaimResult, closeness  # noqa: E402
from bounds import validate as v  # noqa: E402

__all__: list[str] = []  # the report's own figures (reports.build draws them); saving is reports.layout.save


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


_LN10 = math.log(10.0)
LOG_RATIO_DECADES = 100
"""A panel plots log10(measured / bound) from logs once a ratio is beyond 1e+-100 (or is not
a finite nonzero double although its log is finite)."""


def _needs_log_ratio(pts: list[Evidence]) -> bool:
    """Whether a float axis of measured/bound would lose a point that has a log ratio: the
    ratio overflowed, underflowed to 0, or lies beyond 1e+-LOG_RATIO_DECADES."""
    for p in pts:
        lr = getattr(p, "log_ratio", math.nan)
        if getattr(p, "vacuous", False) or not math.isfinite(lr):
            continue
        if not (math.isfinite(p.ratio) and p.ratio != 0) or abs(lr) > LOG_RATIO_DECADES * _LN10:
            return True
    return False


def _log10_band(p: Evidence) -> tuple[float, float]:
    """log10 of (lower, upper) / bound from the log fields (nan where a log is unknown)."""
    m = p.measurement
    lb = p.log_bound if math.isfinite(getattr(p, "log_bound", math.nan)) else (
        math.log(p.bound) if p.bound > 0 else math.nan)

    def lg(log_x, x) -> float:
        if log_x is not None:
            return float(log_x)
        return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)

    lo = lg(m.log_lower, m.lower) - lb
    hi = lg(m.log_upper, m.upper) - lb
    return lo / _LN10, hi / _LN10


def _claim_axes(ax, res: ClaimResult) -> None:
    pts = res.points
    c = res.claim
    xk = x_axis(pts)
    x = np.array([float(p.params[xk]) for p in pts]) if xk else np.arange(len(pts), dtype=float)
    exact = all(p.measurement.lower == p.measurement.upper for p in pts)
    vac = np.array([bool(getattr(p, "vacuous", False)) for p in pts])
    val = np.array([p.ratio for p in pts], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        b = np.array([p.bound for p in pts])
        lo = np.array([p.measurement.lower for p in pts]) / b
        hi = np.array([p.measurement.upper for p in pts]) / b
    lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)  # negative bounds swap the band
    fin = val[np.isfinite(val)]
    if _needs_log_ratio(pts):  # from logs: the ratio itself is not a usable double
        y = np.array([getattr(p, "log_ratio", math.nan) for p in pts], dtype=float) / _LN10
        band = np.array([_log10_band(p) for p in pts], dtype=float).reshape(len(pts), 2)
        lo, hi = np.minimum(band[:, 0], band[:, 1]), np.maximum(band[:, 0], band[:, 1])
        ref = 0.0
        ax.axhline(ref, color=RED, lw=1, ls="--", label="bound")
        ax.set_ylabel("log10(measured / bound)", fontsize=9)
        if exact:
            lo = hi = y
    elif c.sense == "==" and exact:
        y = np.maximum(np.abs(val - 1.0), 1e-17)
        ref = max(c.rtol, 1e-17)
        ax.axhline(ref, color=RED, lw=1, ls="--", label="tolerance")
        ax.set_ylabel("|measured/bound - 1|", fontsize=9)
        ax.set_yscale("log")
        lo = hi = y
    elif fin.size and np.all(np.abs(fin - 1.0) < 1e-6):  # on the bound up to round-off
        y, lo, hi, ref = val - 1.0, lo - 1.0, hi - 1.0, 0.0
        ax.axhline(ref, color=RED, lw=1, ls="--", label="bound")
        dev = np.abs(y[np.isfinite(y) & (y != 0)])
        k = int(np.floor(np.log10(dev.max()))) if dev.size else 0
        if abs(k) >= 3:  # the unit goes into the label, not into an offset text by the title
            y, lo, hi = y / 10.0**k, lo / 10.0**k, hi / 10.0**k
            ax.set_ylabel(f"(measured / bound - 1) / 1e{k}", fontsize=9)
        else:
            ax.set_ylabel("measured / bound - 1", fontsize=9)
    else:
        y, ref = val, 1.0
        ax.axhline(ref, color=RED, lw=1, ls="--", label="bound")
        ax.set_ylabel("measured / bound", fontsize=9)
        if _spans_decades(y[y > 0]) and np.mean(y > 0) > 0.8:
            ax.set_yscale("log")
    app = np.array([p.applicable for p in pts])
    bad = np.array([p.refuted for p in pts]) & app
    ok = app & ~bad & ~vac
    na = ~app & ~vac
    if not exact:
        band_ok = app & ~vac
        ax.vlines(x[band_ok], lo[band_ok], hi[band_ok], color=BLUE, alpha=0.35, lw=1.5)
    ax.scatter(x[ok], y[ok], s=14, color=BLUE, label="holds")
    if bad.any():
        ax.scatter(x[bad], y[bad], s=22, color=RED, marker="x", label="refuted")
    if na.any():
        ax.scatter(x[na], y[na], s=14, facecolors="none", edgecolors=GREY, label="n/a")
    _limits(ax, np.where(vac, np.nan, y), lo, hi, ref)
    if vac.any():  # nothing measured: on the lower edge, hollow grey diamonds
        y0 = ax.get_ylim()[0]
        ax.scatter(x[vac], np.full(int(vac.sum()), y0), s=22, marker="D", facecolors="none",
                   edgecolors=GREY, linewidths=1.0, label="vacuous (0 vs 0)", clip_on=False, zorder=3)
        ax.set_ylim(bottom=y0)
    if ax.get_yscale() == "linear":
        ax.ticklabel_format(axis="y", useOffset=False)
    if xk and _spans_decades(x):
        ax.set_xscale("log")
    ax.set_xlabel(xk or "example", fontsize=9)
    hidden = (~np.isfinite(y) | ((y <= 0) if ax.get_yscale() == "log" else False)) & ~vac
    notes = ([f"{int(vac.sum())} vacuous"] if vac.any() else []) + (
        [f"{int(hidden.sum())} not shown"] if hidden.any() else [])
    extra = f" ({', '.join(notes)})" if notes else ""
    ax.set_title(f"{c.claim_id} [{c.sense}]{extra}", fontsize=10,
                 color=RED if res.status in ("violated", "error") else "black")
    ax.tick_params(labelsize=8)
    ax.yaxis.get_offset_text().set_fontsize(8)


def _panel_legend(axes, rs: list[ClaimResult]) -> tuple[list, list[str]]:
    """One key for all the panels of a module figure: every label any panel uses (bound,
    tolerance, holds, refuted, n/a) once, and the confidence band when a panel draws one."""
    seen: dict[str, object] = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab, h)
    if any(any(p.measurement.lower != p.measurement.upper for p in r.points) for r in rs):
        seen["confidence band"] = Line2D([], [], color=BLUE, alpha=0.35, lw=1.5, marker="|",
                                         markersize=10, ls="none")
    if "bound" in seen and "tolerance" in seen:  # the same red dashed line: one entry
        seen["bound (identities: tolerance)"] = seen.pop("bound")
        del seen["tolerance"]
    order = ["bound", "bound (identities: tolerance)", "tolerance", "holds", "confidence band",
             "refuted", "n/a", "vacuous (0 vs 0)"]
    keys = sorted(seen, key=lambda k: order.index(k) if k in order else len(order))
    return [seen[k] for k in keys], keys


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
    spare = list(axes.flat)[len(rs):]
    for ax in spare:
        ax.set_visible(False)
    handles, labels = _panel_legend(axes.flat[:len(rs)], rs)
    if spare:  # the key goes into the first empty cell, clear of every panel's data
        fig.tight_layout()
        fig.legend(handles, labels, loc="center", bbox_to_anchor=spare[0].get_position().bounds,
                   fontsize=9, title="key (every panel)", title_fontsize=9, frameon=False)
    else:  # one row above the panels
        top = 0.42 / fig.get_figheight()
        fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 1.0), ncol=len(handles),
                   fontsize=9, frameon=False)
        fig.tight_layout(rect=(0, 0, 1, 1 - top))
    name = save(fig, out_dir, f"sweep_{module}.png")
    caption = (f"{module}: measured / bound at every swept point (blue: holds, with its confidence "
               "band; red x: refuted; grey circle: hypothesis not met; hollow grey diamond on the "
               "lower edge: vacuous, both sides 0 with no log form, counted in the panel title). "
               "Identities show the relative deviation from the bound; panels whose ratio leaves "
               "the range of a double plot log10(measured / bound) computed from logs; the dashed "
               "line is the bound (or the tolerance).")
    return name, caption


def overview_figure(results: list[ClaimResult], out_dir: Path) -> tuple[str, str] | None:
    """One row per non-mutant claim: measured/bound at its worst point (bound/measured for
    ">=", the deviation over the tolerance or half-interval for identities; 1 = on the verge),
    on a logit axis ``log10(r / (1 - r))`` so that 0.3, 0.9, 0.99 and 0.999 lie a unit apart
    while 1e-12 stays on the page. The tight zone (r >= 0.9) is shaded; claims with no
    nonzero measurement are marked "vacuous", claims whose hypothesis never held "n/a"."""
    if not isinstance(results, (list, tuple)):
        v.fail("results", results, "a list of ClaimResult")
    rs = [r for r in results if r.claim.kind != "mutant"]
    if not rs:
        return None
    lo_u, hi_u = -12.0, 4.0  # logit range: 1e-12 .. 0.9999
    one_u, past_u = hi_u + 0.8, hi_u + 1.8  # the bound itself (r = 1), and "past the bound"

    def u_of(r: float) -> float:
        if not np.isfinite(r) or r > 1.0 + 1e-9:
            return past_u
        if r >= 1.0 - 1e-12:
            return one_u
        if r <= 0:
            return lo_u
        return float(np.clip(np.log10(r) - np.log1p(-r) / np.log(10), lo_u, hi_u))

    fig, ax = plt.subplots(figsize=(10, 1.6 + 0.24 * len(rs)))
    ax.axvspan(np.log10(9), one_u, color="#fff3c4", zorder=0)
    ax.axvspan(one_u, past_u + 0.6, color="#fdecea", zorder=0)
    ax.axvline(one_u, color=RED, lw=1, ls="--", zorder=1)
    pos = np.arange(len(rs))[::-1]
    for y, res in zip(pos, rs):
        pts = res.applicable
        n_vac = sum(bool(getattr(e, "vacuous", False)) for e in res.points)
        vacuous = bool(pts) and all(getattr(e, "vacuous", False) or e.measurement.value == 0 for e in pts)
        if res.worst is None or vacuous:
            why = ("error" if res.error else "no power: measured 0 at every point" if getattr(res, "powerless", False)
                   else "vacuous: no nonzero measurement" if vacuous else "not applicable")
            ax.plot([lo_u], [y], marker="o", mfc="none", mec=GREY, ms=6, zorder=3)
            ax.text(lo_u + 0.3, y, why, va="center", fontsize=7, color=RED if res.error else GREY)
            continue
        r = closeness(res.worst, res.claim)
        u = u_of(r)
        color = (RED if res.status == "violated" else ORANGE if r > 1 + 1e-6
                 else BLUE if res.claim.sense == "==" else GREEN)
        ax.plot([lo_u, u], [y, y], color=color, lw=2.2, alpha=0.45, solid_capstyle="butt", zorder=2)
        ax.plot([u], [y], marker="o", color=color, ms=6, zorder=3)
        label = (f"{r:.3g}" if not 0.99 < r < 1 else f"{r:.6g}") + ("  tight" if 0.9 <= r <= 1 + 1e-6 and res.status != "violated" else "")
        if n_vac:
            label += f"  ({n_vac} vacuous pts)"
        right = u < hi_u - 2.5
        ax.text(u + (0.25 if right else -0.25), y + 0.02, label, va="center", fontsize=7,
                ha="left" if right else "right", color=RED if res.status == "violated" else "#333",
                bbox=None if right else dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.8),
                zorder=4)
    ticks = [1e-12, 1e-9, 1e-6, 1e-3, 0.1, 0.5, 0.9, 0.99, 0.999]
    names = ["\u2264 1e-12", "1e-9", "1e-6", "0.001", "0.1", "0.5", "0.9", "0.99", "0.999"]
    ax.set_xticks([u_of(t) for t in ticks] + [one_u, past_u], names + ["1", "> 1"], fontsize=7)
    ax.set_xlim(lo_u - 0.2, past_u + 0.6)
    ax.set_ylim(-0.7, len(rs) - 0.3)
    ax.set_yticks(pos, [r.claim.key for r in rs], fontsize=7)
    ax.grid(axis="x", color="#e0e0e0", lw=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.text(np.log10(9) + 0.1, len(rs) - 0.25, "tight (\u2265 0.9)", fontsize=7, color="#8d6e00",
            va="bottom")
    ax.text(one_u, len(rs) - 0.25, "bound", fontsize=7, color=RED, va="bottom", ha="center")
    ax.set_xlabel("slack at the worst point: measured / bound (bound / measured for \u2265 claims;\n"
                  "identities: deviation over the tolerance or the half-interval). Logit axis: "
                  "0.5, 0.9, 0.99, 0.999 are equally spaced", fontsize=8)
    fig.tight_layout()
    return save(fig, out_dir, "overview.png"), ("Tightness overview: how close each claim came to its bound in the sweep, on a "
                            "logit axis (green: holds, blue: identity, orange: the point estimate is past "
                            "the bound but its confidence limit is not, red: violated). The shaded zone "
                            "marks tight claims (slack \u2265 0.9, the slack of the tables); \"no power\" marks a \u2264 check measured 0 at "
                            "every point (it constrains nothing: not a pass), \"vacuous\" any other claim "
                            "with no nonzero measurement, \"not applicable\" one whose hypothesis "
                            "never held. Exact values past the bound within round-off count as 1.")
