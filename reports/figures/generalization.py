"""Report figures of the generalization module (FORMULAS.md section 8; Theorem 3.9, Remark 3.13):

- :func:`vacuity_table`: Theorem 3.9's right-hand side (grid radii, explicit constants) against
  the population loss of the trained network over n, m, B and the teacher's scale: where the
  bound is vacuous (>= 1) and where not;
- :func:`remark_table`: Remark 3.13 on scikit-learn's shipped sets with random +-1 labels
  (shifted into R where needed): y^T H_inf^{-1} y against ||y||^2 / lambda_R and
  ||y||^2 / lambda_min.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from bounds import validate as v  # noqa: E402
from montecarlo.estimators.generalization import remark_point, theorem_draw  # noqa: E402
from montecarlo.sim.seeding import derive, spawn  # noqa: E402

__all__ = ["report_figures"]

DELTA = 0.1


def vacuity_table(ns=(100, 300, 1000), ms=(512, 2048), Bs=(0.0, 1.0), scales=(1.0, 0.1, 0.03), seed: int = 0,
                  steps: int = 60, d: int = 10, fresh: int = 20_000) -> list[dict]:
    """One draw per (n, m, B, scale) of the end-to-end check: training loss, population loss with
    its limits, the bound and its parts (Rademacher, radii), delta = 0.1."""
    ns, ms = v.int_list("ns", ns), v.int_list("ms", ms, even=True)
    Bs = v.biases("Bs", Bs)
    scales = v.array("scales", scales, ndim=1)
    if np.any(scales <= 0):
        v.fail("scales", scales, "every scale > 0")
    seed = v.seed("seed", seed)
    rows = []
    for n in ns:
        for m in ms:
            for B in Bs:
                for s in scales:
                    r = theorem_draw(n, m, float(B), d, steps, 0.5, DELTA, fresh,
                                     derive(seed, "vacuity", n, m, float(B), float(s)), scale=float(s))
                    rows.append({"n": n, "m": m, "B": float(B), "scale": float(s), "train": r.train_loss,
                                 "population": r.population, "lower": r.population_lower, "upper": r.population_upper,
                                 "bound": r.bound, "rademacher": r.rademacher, "R_F": r.R_F, "R": r.R,
                                 "leading": r.leading, "yHy": r.yHy, "vacuous": bool(r.bound >= 1)})
    return rows


def remark_table(seed: int = 0, quick: bool = True, B: float = 1.0) -> list[dict]:
    """Remark 3.13 on the shipped sets (at most 120 rows each with ``quick``), random +-1 labels."""
    from montecarlo.sim.datasets import DATASETS, load

    seed, quick, B = v.seed("seed", seed), v.boolean("quick", quick), v.bias(B)
    rows = []
    for name in DATASETS:
        if quick and name == "digits":
            continue
        ds = load(name, 120 if quick else (None if name != "digits" else 600), seed)
        y = spawn(seed, f"remark_signs_{name}").choice([-1.0, 1.0], size=ds.n)
        r = remark_point(ds.X, B, y)
        rows.append({"data": name, "n": ds.n, "shift": r.shift, "yHy": r.yHy, "remark": r.norm2 / r.lambda_R,
                     "lambda_min_bound": r.norm2 / r.lambda_min, "ratio": r.remark_ratio, "u_in_R": r.u_in_R})
    return rows


def _markdown(rows: list[dict], cols: list[tuple[str, str, str]]) -> str:
    head = "| " + " | ".join(c[0] for c in cols) + " |"
    sep = "|" + "---|" * len(cols)
    return "\n".join([head, sep] + ["| " + " | ".join(f.format(r[k]) for _, k, f in cols) + " |" for r in rows])


_VAC = [("n", "n", "{}"), ("m", "m", "{}"), ("B", "B", "{:g}"), ("teacher scale", "scale", "{:g}"),
        ("L_S", "train", "{:.4f}"), ("L_D", "population", "{:.4f}"), ("L_D lower", "lower", "{:.4f}"),
        ("bound", "bound", "{:.3g}"), ("2 Rad", "rademacher", "{:.3g}"), ("R_F", "R_F", "{:.3g}"),
        ("max R", "R", "{:.3g}"), ("leading term", "leading", "{:.3g}"), ("vacuous", "vacuous", "{}")]
_REM = [("data", "data", "{}"), ("n", "n", "{}"), ("shift c", "shift", "{:.3g}"), ("y'H^-1 y", "yHy", "{:.5g}"),
        ("||y||^2/lambda_R", "remark", "{:.5g}"), ("||y||^2/lambda_min", "lambda_min_bound", "{:.5g}"),
        ("ratio", "ratio", "{:.3g}"), ("H^-1 y in R", "u_in_R", "{}")]


def report_figures(out_dir, seed: int = 0, quick: bool = True) -> list[tuple[str, str]]:
    """The vacuity table (figure and ``generalization_vacuity.md``) and Remark 3.13 on real data."""
    from ..layout import figure_args, finish

    out_dir, seed, quick = figure_args(out_dir, seed, quick)
    out = []
    if quick:
        rows = vacuity_table((100, 300), (512,), (0.0, 1.0), (1.0, 0.03), seed, steps=40, fresh=10_000)
    else:
        rows = vacuity_table((100, 300, 1000, 2000), (512, 2048), (0.0, 1.0), (1.0, 0.1, 0.03), seed)
    for r in rows:
        r["rademacher"] = 2 * r["rademacher"]
    (Path(out_dir) / "generalization_vacuity.md").write_text(_markdown(rows, _VAC) + "\n")
    fig, ax = plt.subplots(figsize=(7.0, 4.4))
    for k, s in enumerate(sorted({r["scale"] for r in rows}, reverse=True)):
        for j, B in enumerate(sorted({r["B"] for r in rows})):
            sel = [r for r in rows if r["scale"] == s and r["B"] == B and r["m"] == max(x["m"] for x in rows)]
            ns = [r["n"] for r in sel]
            ls = "-" if j == 0 else "--"
            ax.loglog(ns, [r["bound"] for r in sel], ls + "o", color=f"C{k}", ms=3,
                      label=f"bound, scale {s:g}, B = {B:g}")
            ax.loglog(ns, [max(r["population"], 1e-4) for r in sel], ls + "x", color=f"C{k}", lw=0.8, ms=4,
                      label=f"L_D, scale {s:g}, B = {B:g}")
    ax.axhline(1.0, color="grey", lw=0.8, ls=":")
    m = max(r["m"] for r in rows)
    f1 = finish(fig, ax, out_dir, "generalization_vacuity.png", xlabel="n", ylabel="loss / bound",
                title=f"Theorem 3.9's bound vs the population loss (m = {m}, delta = {DELTA:g})", legend=7)
    nv = [r for r in rows if not r["vacuous"]]
    out.append((f1, "Theorem 3.9 end to end: the right-hand side with the grid's radii and explicit constants "
                    "(markers o) against the population loss L_D from fresh points (x), one draw each, x uniform on "
                    "S^9, teacher labels of the given scale, loss min(1, |f - y|). The grey line is 1: above it the "
                    f"bound is vacuous ({len(rows) - len(nv)} of {len(rows)} rows; the width term 2R sum |S_i| / "
                    "(n sqrt m) dominates at scale 1). Table: generalization_vacuity.md."))

    rem = remark_table(seed, quick)
    (Path(out_dir) / "generalization_remark.md").write_text(_markdown(rem, _REM) + "\n")
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    x = np.arange(len(rem))
    ax.bar(x - 0.27, [r["yHy"] for r in rem], 0.27, label="y^T H_inf^-1 y")
    ax.bar(x, [r["remark"] for r in rem], 0.27, label="||y||^2 / lambda_R (Remark 3.13)")
    ax.bar(x + 0.27, [r["lambda_min_bound"] for r in rem], 0.27, label="||y||^2 / lambda_min")
    ax.set_xticks(x, [f"{r['data']} (n={r['n']})" for r in rem])
    ax.set_yscale("log")
    f2 = finish(fig, ax, out_dir, "generalization_remark.png", xlabel="data set", ylabel="value (log scale)",
                title="Remark 3.13 on real data, random +-1 labels, B = 1", legend=8)
    out.append((f2, "Remark 3.13 is false: for random +-1 labels (in R, or shifted into R), y^T H_inf^-1 y exceeds "
                    "||y||^2 / lambda_R on every set (ratios " + ", ".join(f"{r['data']} {r['ratio']:.3g}" for r in rem)
                + "); the bound with lambda_min(H_inf) holds. Table: generalization_remark.md."))
    return out
