"""Report section (figures and table only; the numbers come from
:mod:`montecarlo.experiments.real_data`) "Theorem 3.12 and the generalization term on real data" (FORMULAS.md sections 4
and 5; Theorem 3.9, Theorem 3.12 = Theorem B.1, Remark 3.13).

For scikit-learn's shipped sets (:mod:`montecarlo.sim.datasets`: standardized, on the unit sphere,
duplicates removed, labels in [-1, 1]) at bias B: n, d, the separation delta, lambda_min(H_inf),
lambda_R(H_inf) (dual value, certificate gap below 1e-12 relative), the closed-form and sharper
lower bounds of Theorem 3.12, y^T H_inf^{-1} y, and the paper's label-shifting strategy, for the
data set's labels and for random +-1 labels on the same inputs
(Remark 3.13): the smallest |c| with y + c 1 in R = {a : a^T Qm a >= 0} (a quadratic in c with
leading coefficient 1^T Qm 1 > 0), and what the shift does to y^T H_inf^{-1} y. A second figure
follows y^T H_inf^{-1} y * Q(B) / ||y||^2 against B (FORMULAS.md: it tends to 1/2), for the
labels and the shifted labels.

Subsets: with ``quick`` every set has at most ``QUICK_N`` rows (seeded subset); otherwise iris,
wine and breast_cancer are whole and digits has ``FULL_DIGITS`` rows (all 1797 by default).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from montecarlo.experiments.real_data import B_GRID, B_TABLE, generalization_curves, real_data_table  # noqa: E402

__all__ = ["report_figures"]

_COLUMNS = [("data", "data", "{}"), ("n", "n", "{}"), ("d", "d", "{}"), ("delta", "separation", "{:.3g}"),
            ("lambda_min", "lambda_min", "{:.3g}"), ("lambda_R", "lambda_R", "{:.3g}"),
            ("sharper", "sharper", "{:.3g}"), ("closed form", "closed_form", "{:.3g}"),
            ("y in R", "y_in_R", "{}"), ("shift c", "shift", "{:.3g}"), ("y'H^-1y", "yHy", "{:.5g}"),
            ("shifted", "yHy_shifted", "{:.5g}"), ("+-1: in R", "signs_in_R", "{}"),
            ("+-1: c", "signs_shift", "{:.3g}"), ("+-1: y'H^-1y", "signs_yHy", "{:.5g}"),
            ("+-1: shifted", "signs_yHy_shifted", "{:.5g}")]


def table_markdown(rows: list[dict]) -> str:
    head = "| " + " | ".join(c[0] for c in _COLUMNS) + " |"
    sep = "|" + "---|" * len(_COLUMNS)
    body = ["| " + " | ".join(f.format(r[k]) for _, k, f in _COLUMNS) + " |" for r in rows]
    return "\n".join([head, sep] + body)


def report_figures(out_dir, seed: int = 0, quick: bool = True) -> list[tuple[str, str]]:
    """The table (as a figure and as ``real_data.md``) and the generalization curves."""
    from ..layout import figure_args, save

    out_dir, seed, quick = figure_args(out_dir, seed, quick)

    rows = real_data_table(seed, quick)
    (__import__("pathlib").Path(out_dir) / "real_data.md").write_text(table_markdown(rows) + "\n")
    cells = [[f.format(r[k]) for _, k, f in _COLUMNS] for r in rows]
    fig, ax = plt.subplots(figsize=(15.0, 0.32 * len(rows) + 0.8))
    ax.axis("off")
    tab = ax.table(cellText=cells, colLabels=[c[0] for c in _COLUMNS], loc="center", cellLoc="right")
    tab.auto_set_font_size(False)
    tab.set_fontsize(8.5)
    tab.scale(1.0, 1.3)
    ax.set_title(f"Theorem 3.12 on real data at B = {B_TABLE:g} (standardized, unit sphere, labels in [-1, 1])",
                 fontsize=10)
    fig.tight_layout()
    files = [(save(fig, out_dir, "real_data_table.png"),
              "Theorem 3.12 on scikit-learn's shipped sets at B = 1: separation delta, lambda_min(H_inf), "
              "lambda_R(H_inf) (dual value, certificate gap below 1e-12 relative), the sharper bound "
              "2 T(B, delta/sqrt(4 - delta^2)) and the closed form, whether y lies in R, the label shift c "
              "of smallest |c| with y + c 1 in R (Remark 3.13), and y^T H_inf^{-1} y before and after the "
              "shift; the last four columns repeat the shift for random +-1 labels on the same inputs. Rows: " + "; ".join(f"{r['data']} n = {r['n']} of {r['size']}"
                                          f"{' (' + str(r['duplicates_removed']) + ' duplicate removed)' if r['duplicates_removed'] else ''}"
                                          for r in rows) + f"; seed {seed}.")]
    curves = generalization_curves(seed, quick, B_GRID)
    fig, ax = plt.subplots(figsize=(7.0, 4.2))
    for k, (name, cv) in enumerate(curves.items()):
        col = f"C{k}"
        ax.semilogy(cv["B"], cv["plain"], "-o", color=col, ms=3, label=f"{name} (n = {cv['n']})")
        ax.semilogy(cv["B"], cv["shifted"], "--", color=col, lw=1, label=f"{name}, shifted labels")
    ax.axhline(0.5, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("B")
    ax.set_ylabel("y^T H_inf^{-1} y * Q(B) / ||y||^2")
    ax.set_title("Generalization term on real data (dotted: 1/2)")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    files.append((save(fig, out_dir, "real_data_generalization.png"),
                  "y^T H_inf^{-1} y * Q(B) / ||y||^2 against B on the real sets (solid: labels in [-1, 1]; "
                  "dashed: labels shifted by the smallest c putting them in R at that B; a dashed curve hidden under "
                  "its solid one means no shift was needed). Theorem 3.9's "
                  "leading term is sqrt(2 y^T H_inf^{-1} y / n); the paper expects the exp(B^2/2) growth of "
                  "y^T H_inf^{-1} y to be cancelled by the sparsity Q(B), i.e. a flat curve."))
    return files
