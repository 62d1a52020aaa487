"""What every report figure shares: the file settings, the colours, labelling, and a legend
placed where it covers no data (matplotlib, Agg backend). :mod:`reports.plots` (the sweep's
figures) and :mod:`reports.figures` (each module's) draw through these."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import PathCollection, PolyCollection, QuadMesh  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from bounds import validate as v  # noqa: E402

__all__ = ["save"]

_SAVE = dict(dpi=110, metadata={"Software": None})
RED, BLUE, GREY, GREEN, ORANGE = "#c62828", "#1f77b4", "#9e9e9e", "#2e7d32", "#ef6c00"


def _check_figure(name: str, fig) -> None:
    if not isinstance(fig, matplotlib.figure.Figure):
        v.fail(name, fig, "a matplotlib Figure")


def _check_axes(name: str, ax) -> None:
    if not isinstance(ax, matplotlib.axes.Axes):
        v.fail(name, ax, "a matplotlib Axes")


def _check_dir(out_dir) -> None:
    if not isinstance(out_dir, str) and not hasattr(out_dir, "__fspath__"):
        v.fail("out_dir", out_dir, "a directory path")


def figure_args(out_dir, seed, quick) -> tuple:
    """The arguments of every ``report_figures(out_dir, seed, quick)`` hook, checked:
    a directory path, a seed (:func:`bounds.validate.seed`) and a real bool."""
    _check_dir(out_dir)
    return out_dir, v.seed("seed", seed), v.boolean("quick", quick)


def save(fig, out_dir, name: str) -> str:
    """Write ``fig`` as ``out_dir/name`` with the report's settings (110 dpi, no software tag,
    so the same figure gives the same bytes) and close it; returns ``name``. Every report
    figure, the sweep's and the modules' (:mod:`reports.figures`), is saved through here."""
    _check_figure("fig", fig)
    _check_dir(out_dir)
    if not isinstance(name, str) or not name.strip() or "/" in name:
        v.fail("name", name, "a file name (non-empty, no directory part)")
    fig.savefig(Path(out_dir) / name, **_SAVE)
    plt.close(fig)
    return name


def finish(fig, ax, out_dir, name: str, *, xlabel: str, title: str, ylabel: str | None = None,
           legend: float | None = 8) -> str:
    """Label a one-panel figure (x, y, title; a legend at ``legend`` points placed by
    :func:`place_legend`: inside where it covers no data, else below the axes; none for None),
    lay it out and :func:`save` it; returns ``name``."""
    _check_figure("fig", fig)
    _check_axes("ax", ax)
    for label, text in (("xlabel", xlabel), ("title", title)):
        if not isinstance(text, str):
            v.fail(label, text, "a str")
    if ylabel is not None and not isinstance(ylabel, str):
        v.fail("ylabel", ylabel, "a str or None")
    if legend is not None:
        legend = v.positive("legend", legend)
    ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    ax.set_title(title)
    fig.tight_layout()
    if legend is not None:
        place_legend(ax, fontsize=legend)
    return save(fig, out_dir, name)


_NO_STYLE = ("None", "none", "", " ")


def covers_data(ax, box: Bbox, pad: float = 6.0) -> bool:
    """Whether the display-space box ``box`` (grown by ``pad`` pixels) touches anything drawn
    in ``ax``: a line or its markers, a scatter marker, a segment (error bars, vlines), a
    band, a patch or a text. Colour meshes (heat maps) are ignored: they fill the axes."""
    _check_axes("ax", ax)
    if not isinstance(box, Bbox):
        v.fail("box", box, "a matplotlib.transforms.Bbox in display space")
    pad = v.nonneg("pad", pad)
    b = Bbox.from_extents(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)
    px = ax.figure.dpi / 72.0

    def hits(points: np.ndarray, r: float) -> bool:
        pts = points[np.all(np.isfinite(points), axis=1)]
        return bool(np.any((pts[:, 0] >= b.x0 - r) & (pts[:, 0] <= b.x1 + r)
                           & (pts[:, 1] >= b.y0 - r) & (pts[:, 1] <= b.y1 + r)))

    def crosses(path: MplPath, filled: bool) -> bool:
        v = path.vertices
        if not len(v) or not np.all(np.isfinite(v)):
            ok = np.all(np.isfinite(v), axis=1)
            if not ok.any():
                return False
            path = MplPath(v[ok])  # a log axis drops non-positive points, as the drawing does
        return bool(path.intersects_bbox(b, filled=filled)) or hits(path.vertices, 0.0)

    for line in ax.get_lines():
        if not line.get_visible():
            continue
        path = line.get_transform().transform_path(line.get_path())
        if line.get_linestyle() not in _NO_STYLE and crosses(path, False):
            return True
        if line.get_marker() not in _NO_STYLE and line.get_marker() is not None:
            if hits(path.vertices, line.get_markersize() * px / 2):
                return True
    for coll in ax.collections:
        if not coll.get_visible() or isinstance(coll, QuadMesh):
            continue
        if isinstance(coll, PathCollection):  # scatter: markers at data offsets
            pts = coll.get_offset_transform().transform(np.asarray(coll.get_offsets(), float))
            sizes = coll.get_sizes()
            r = float(np.sqrt(sizes.max()) * px / 2) if len(sizes) else 3.0
            if len(pts) and hits(pts, r):
                return True
            continue
        filled = isinstance(coll, PolyCollection)
        for path in coll.get_paths():
            if crosses(coll.get_transform().transform_path(path), filled):
                return True
    for patch in ax.patches:
        if patch.get_visible() and patch.get_window_extent().overlaps(b):
            return True
    renderer = ax.figure.canvas.get_renderer()
    return any(t.get_visible() and t.get_text() and t.get_window_extent(renderer).overlaps(b)
               for t in ax.texts)


_INSIDE = ("best", "upper right", "upper left", "lower left", "lower right", "center right",
           "center left", "upper center", "lower center")


def place_legend(ax, *, fontsize: float = 8, handles=None, labels=None, ncol: int | None = None,
                 **kw) -> Legend:
    """Put ``ax``'s legend (or one of ``handles``/``labels``) where it covers no data: the
    first of matplotlib's "best" spot and the corners and edge centres that
    :func:`covers_data` finds clear; if none is, below the axes (under the x label, in up to
    ``ncol`` columns, default 3) and the figure is laid out again. Call it after
    ``fig.tight_layout()``; returns the legend."""
    _check_axes("ax", ax)
    fontsize = v.positive("fontsize", fontsize)
    if ncol is not None:
        ncol = v.positive_int("ncol", ncol)
    if (handles is None) != (labels is None) or (handles is not None and (
            isinstance(handles, (str, bytes)) or not hasattr(handles, "__len__") or isinstance(labels, (str, bytes))
            or not hasattr(labels, "__len__") or len(handles) != len(labels))):
        v.fail("handles" if handles is not None else "labels", handles if handles is not None else labels,
               "handles and labels: both None or two sequences of the same length")
    fig = ax.figure
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    fig.canvas.draw()  # positions of ticks, labels and data in pixels
    for loc in _INSIDE:
        leg = ax.legend(handles, labels, fontsize=fontsize, loc=loc, **kw)
        fig.canvas.draw()
        if not covers_data(ax, leg.get_window_extent()):
            return leg
        leg.remove()
    ncol = ncol or min(3, len(handles))
    leg = None
    for _ in range(2):  # the anchor is in axes units: settle it against the new layout
        renderer = fig.canvas.get_renderer()
        below = ax.xaxis.get_tightbbox(renderer)
        y = ax.transAxes.inverted().transform((0, below.y0 - 4))[1] if below is not None else -0.12
        if leg is not None:
            leg.remove()
        leg = ax.legend(handles, labels, fontsize=fontsize, loc="upper center",
                        bbox_to_anchor=(0.5, y), ncol=ncol, frameon=False, **kw)
        fig.tight_layout()
        fig.canvas.draw()
    return leg
