"""Report figures of the convergence module (FORMULAS.md section 6; Theorem 3.1, Lemma A.5, Figure 2).

- ``convergence_width.png``: how wide is wide enough, per (n, B) the smallest width of a ladder at
  which the linear rate held in at least 1 - delta of the draws (Clopper-Pearson upper limit of
  the failure probability <= delta), beside the width the section-6 conditions demand
  (D(m) <= R*, Lemma A.8 against the radius condition), with the applicable-run counts;
- ``convergence_figure2_scaled.png`` / ``_unscaled.png``: Figure 2's toy (unit-sphere inputs,
  width 128, several B), log ||f(t) - y||^2 over t with the step scaled by e^{B^2/2} and not,
  and the fitted final slopes with 95% intervals over draws;
- ``convergence_tightness.png``: how loose each step is, the largest ratio measured/bound a
  search over the claim's domain reached (:func:`montecarlo.tightness`).

The tables are also written as ``convergence_tables.md`` next to the figures.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from bounds import validate as v  # noqa: E402

from montecarlo.estimators import convergence as mc  # noqa: E402

from ..layout import figure_args, save  # noqa: E402

from montecarlo.experiments.convergence import WidthRow, figure2_curves, fit_slopes, width_search  # noqa: E402

__all__ = ["report_figures"]


TIGHTNESS_CLAIMS = (
    "stability_entry", "stability_spectral", "stability_on_event", "kernel_lower_bound",
    "stability_along_runs", "stability_entry_along_runs", "stability_on_event_along_runs",
    "linear_rate", "one_step_contraction",
)


# ---------------------------------------------------------------------------- width table
def width_table(seed: int, quick: bool) -> list[WidthRow]:
    """Item 4 over a small grid of (n, B)."""
    seed, quick = v.seed("seed", seed), v.boolean("quick", quick)
    if quick:
        cfg = dict(widths=(16, 64, 256), draws=10, steps=100, delta=0.3, alpha=0.05)
        grid = [(2, 0.0), (4, 1.0)]
    else:
        cfg = dict(widths=(16, 32, 64, 128, 256, 512), draws=30, steps=100, delta=0.1, alpha=0.05)
        grid = [(n, B) for n in (2, 4) for B in (0.0, 1.0, 2.0)]
    return [width_search(n, B, seed=seed, **cfg) for n, B in grid]


def _fmt_w(x) -> str:
    if x is None:
        return "not reached"
    if not math.isfinite(x):
        return "inf"
    return f"{x:.3g}" if x >= 1e5 else f"{int(round(x))}"


def _width_figure(rows: list[WidthRow], out_dir) -> tuple[str, str]:
    fig, ax = plt.subplots(figsize=(10.0, 0.8 + 0.24 * (len(rows) + 2)))
    fig.subplots_adjust(top=0.82, bottom=0.02)
    ax.axis("off")
    head = ["n", "B", "lambda", "failures\nper width", "applicable\nper width", "applicable\nfailures",
            "within R*\nper width", "measured\nwidth", "theory\nwidth", "theory /\nmeasured"]
    cells = []
    for r in rows:
        cells.append([str(r.n), f"{r.B:g}", f"{r.lam:.3g}", " ".join(map(str, r.failures)),
                      " ".join(map(str, r.applicable)), " ".join(map(str, r.applicable_failures)),
                      " ".join(map(str, r.within_R)),
                      _fmt_w(r.measured_width), _fmt_w(r.theory_width),
                      "n/a" if not math.isfinite(r.ratio) else f"{r.ratio:.2g}"])
    t = ax.table(cellText=cells, colLabels=head, loc="upper center", cellLoc="center",
                 colWidths=[0.04, 0.04, 0.07, 0.15, 0.15, 0.12, 0.13, 0.1, 0.1, 0.1])
    t.auto_set_font_size(False)
    t.set_fontsize(7)
    t.scale(1.0, 1.25)
    for j in range(len(head)):
        t[0, j].set_height(t[0, j].get_height() * 1.9)
    r0 = rows[0]
    ax.set_title(f"Smallest width with the rate in >= {1 - r0.delta:g} of {r0.draws} draws "
                 f"(95% Clopper-Pearson), ladder {', '.join(map(str, r0.widths))}", fontsize=9)
    name = save(fig, out_dir, "convergence_width.png")
    return name, ("How wide is wide enough: per (n, B), failures of "
                  "||f(t) - y||^2 <= (1 - eta lam/4)^t ||f(0) - y||^2 (t <= T, eta = 0.5 / lambda_max(H(0))) "
                  "out of the draws at each width of the ladder; the smallest width whose "
                  "Clopper-Pearson upper limit (95%) of the failure probability is <= delta; the runs "
                  "where the proof's kernel condition lambda_min(H(s)) >= lam/2 held throughout "
                  "('applicable'; 'applicable failures' would refute the linear_rate claim) and where every "
                  "neuron stayed within R* = lam e^{B^2/2}/(32 n c) "
                  "('within R*'); and the width the section-6 conditions demand, "
                  "(8 sqrt(n) ||y|| / (lam R*))^2 (Lemma A.8's D <= R*; median over draws).")


# ------------------------------------------------------------------------------ Figure 2
def figure2(seed: int, quick: bool) -> dict:
    seed, quick = v.seed("seed", seed), v.boolean("quick", quick)
    cfg = dict(steps=300, draws=4) if quick else dict(steps=1000, draws=10)
    Bs = (0.0, 0.5, 1.0, 1.5, 2.0)
    out = {}
    for scaled in (True, False):
        c = figure2_curves(Bs, m=128, n=10, d=10, scaled=scaled, seed=seed, **cfg)
        c["slopes"] = {B: fit_slopes(v) for B, v in c["curves"].items()}
        out[scaled] = c
    return out


def _figure2_plot(c: dict, out_dir) -> tuple[str, str]:
    scaled = c["scaled"]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(9.6, 4.0), gridspec_kw={"width_ratios": [2.2, 1]})
    cmap = plt.get_cmap("viridis")
    Bs = sorted(c["curves"])
    for k, B in enumerate(Bs):
        col = cmap(k / max(1, len(Bs) - 1))
        cur = c["curves"][B]
        t = np.arange(cur.shape[1])
        for row in cur:
            ax.plot(t, row, color=col, lw=0.6, alpha=0.35)
        ax.plot(t, np.nanmedian(np.where(np.isfinite(cur), cur, np.nan), axis=0), color=col, lw=1.6,
                label=f"B={B:g}")
        s = c["slopes"][B]
        ax2.errorbar([B], [s["mean"]], yerr=[[s["mean"] - s["lower"]], [s["upper"] - s["mean"]]]
                     if math.isfinite(s["lower"]) else None, fmt="o", color=col, capsize=3)
        ax2.plot([B], [c["predicted"][B]], "x", color="k", ms=6)
        live = c["dead"][B] == 0
        if live.sum() >= 2:
            sl = fit_slopes(cur[live])
            if math.isfinite(sl["lower"]):
                ax2.errorbar([B + 0.08], [sl["mean"]], yerr=[[sl["mean"] - sl["lower"]], [sl["upper"] - sl["mean"]]],
                             fmt="s", color=col, mfc="white", capsize=2, ms=4)
    ax.set_xlabel("step t")
    ax.set_ylabel("log ||f(t) - y||^2")
    ax.set_ylim(bottom=max(ax.get_ylim()[0], 2 * math.log(mc.FLOOR) - 2))
    ax.legend(fontsize=7, loc="lower left", framealpha=0.9)
    step = "eta0 e^{B^2/2}" if scaled else "eta0"
    ax.set_title(f"width {c['m']}, n={c['n']}, d={c['d']}, step {step}", fontsize=9)
    ax2.set_xlabel("B")
    ax2.set_ylabel("final slope (o: all draws, []: no dead input; x: kernel)", fontsize=8)
    ax2.axhline(0, color="k", lw=0.5)
    fig.tight_layout()
    name = save(fig, out_dir, f"convergence_figure2_{'scaled' if scaled else 'unscaled'}.png")
    sl = "; ".join(f"B={B:g}: {c['slopes'][B]['mean']:.3g} [{c['slopes'][B]['lower']:.3g}, "
                   f"{c['slopes'][B]['upper']:.3g}]" for B in Bs)
    dd = "; ".join(f"B={B:g}: {float(np.mean(c['dead'][B])):.2g} ({int(np.sum(c['dead'][B] == 0))} draws with none)"
                   for B in Bs)
    return name, (f"Figure 2 reproduced ({'step scaled by e^(B^2/2)' if scaled else 'unscaled step'}, "
                  f"eta0 = {c['eta0']:.3g} = 1/lambda_max(H_inf) at B = 0): log ||f(t) - y||^2 of every draw "
                  f"(thin) and the median (thick); right: the least-squares slope over the last 30% of the "
                  f"steps before the error reaches the round-off floor (||f - y||^2 about 1e-19), mean with a "
                  f"Student-t 95% interval over draws, "
                  f"and (x) 2 log|1 - eta lambda_min(H_inf)|, the slope of the kernel regime: {sl}. Open "
                  f"squares: the same fit over the draws where every input has an active neuron at "
                  f"initialization; mean number of dead inputs per draw: {dd}.")


# ----------------------------------------------------------------------------- tightness
def tightness_table(seed: int, quick: bool) -> list[dict]:
    """The largest ratio measured/bound over each claim's domain, from :func:`montecarlo.tightness`
    (the one search plan; points where the hypothesis fails or both sides are 0 never count)."""
    seed, quick = v.seed("seed", seed), v.boolean("quick", quick)
    from montecarlo import tightness
    from montecarlo.sim.seeding import derive

    budget = 30 if quick else 200
    rows = []
    for cid in TIGHTNESS_CLAIMS:
        t = tightness(f"convergence.{cid}", examples=budget, seed=derive(seed, "tightness", cid))
        best = t.evidence
        rows.append({"claim": cid, "ratio": float(t.best_ratio) if best is not None else math.nan,
                     "refuted": bool(best is not None and best.refuted), "examples": t.examples,
                     "at": {k: (round(x, 4) if isinstance(x, float) else x)
                            for k, x in (t.params or {}).items() if k != "seed"}})
    return rows


def _tightness_figure(rows: list[dict], out_dir) -> tuple[str, str]:
    fig, ax = plt.subplots(figsize=(7.2, 0.5 + 0.36 * len(rows)))
    y = np.arange(len(rows))
    vals = np.array([r["ratio"] for r in rows])
    ax.barh(y, vals, color=["#c62828" if r["refuted"] else "#1f77b4" for r in rows])
    for k, r in enumerate(rows):
        ax.text(min(r["ratio"], 1.0) + 0.01, k, f"{r['ratio']:.3g}", va="center", fontsize=7)
    ax.set_yticks(y, [r["claim"] for r in rows], fontsize=7)
    ax.axvline(1.0, color="k", lw=0.8)
    ax.set_xlim(0, 1.15)
    ax.invert_yaxis()
    ax.set_xlabel("largest measured / bound found (1 = on the bound)")
    fig.tight_layout()
    name = save(fig, out_dir, "convergence_tightness.png")
    txt = "; ".join(f"{r['claim']} {r['ratio']:.3g}" for r in rows)
    return name, ("How loose each step is: the largest ratio measured/bound that a search (random draws, "
                  f"then local search; {rows[0]['examples'] if rows else 0} examples per claim, points where "
                  "the hypothesis fails or both sides are 0 skipped) reached "
                  f"on each claim's domain: {txt}. Measured as ratios: (lambda/2)/lambda_min(H(W)) for the "
                  "kernel lower bound, the largest ||f(t)-y||^2 / ((1 - eta lam/4)^t ||f(0)-y||^2) for the rate.")


def _markdown(rows_w, fig2, rows_t) -> str:
    out = ["# Convergence tables", "", "## Width", "",
           "| n | B | lambda | widths | failures | applicable | applicable failures | within R* | measured m | "
           "theory m | ratio |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows_w:
        out.append(f"| {r.n} | {r.B:g} | {r.lam:.3g} | {' '.join(map(str, r.widths))} | "
                   f"{' '.join(map(str, r.failures))} | {' '.join(map(str, r.applicable))} | "
                   f"{' '.join(map(str, r.applicable_failures))} | "
                   f"{' '.join(map(str, r.within_R))} | {_fmt_w(r.measured_width)} | {_fmt_w(r.theory_width)} | "
                   f"{'n/a' if not math.isfinite(r.ratio) else f'{r.ratio:.3g}'} |")
    if rows_w:
        out.append(f"\n{rows_w[0].draws} draws per width, delta = {rows_w[0].delta}, "
                   f"Clopper-Pearson level {rows_w[0].alpha}.")
    out += ["", "## Figure 2 final slopes (mean, 95% interval over draws)", "", "| step | B | slope | lower | upper |",
            "|---|---|---|---|---|"]
    for scaled, c in fig2.items():
        for B, s in c["slopes"].items():
            out.append(f"| {'scaled' if scaled else 'unscaled'} | {B:g} | {s['mean']:.4g} | {s['lower']:.4g} | "
                       f"{s['upper']:.4g} |")
    out += ["", "## Tightness (largest measured / bound found)", "", "| claim | ratio | examples | at |",
            "|---|---|---|---|"]
    for r in rows_t:
        out.append(f"| {r['claim']} | {r['ratio']:.4g} | {r['examples']} | {r['at']} |")
    return "\n".join(out) + "\n"


def report_figures(out_dir, seed: int = 0, quick: bool = True) -> list[tuple[str, str]]:
    """The width table, Figure 2 (scaled and unscaled) and the tightness table."""
    out_dir, seed, quick = figure_args(out_dir, seed, quick)
    out_dir = Path(out_dir)
    rows_w = width_table(seed, quick)
    fig2 = figure2(seed, quick)
    rows_t = tightness_table(seed, quick)
    out = [_width_figure(rows_w, out_dir)]
    out += [_figure2_plot(fig2[True], out_dir), _figure2_plot(fig2[False], out_dir)]
    out.append(_tightness_figure(rows_t, out_dir))
    (out_dir / "convergence_tables.md").write_text(_markdown(rows_w, fig2, rows_t))
    return out
