"""reports.layout.place_legend / covers_data: a report legend never covers data (
item 6). covers_data must see lines, markers, segments and texts (else the placement test
would pass vacuously); place_legend keeps a legend inside only where it is clear, else puts
it below the axes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from reports.layout import covers_data, place_legend  # noqa: E402


def _box_around(ax, x, y, half=5.0) -> Bbox:
    px, py = ax.transData.transform((x, y))
    return Bbox.from_extents(px - half, py - half, px + half, py + half)


def test_covers_data_sees_every_kind_of_artist():
    fig, ax = plt.subplots()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.plot([0, 10], [1, 1])  # line
    ax.plot([5], [5], "o")  # marker only
    ax.scatter([8], [8])  # scatter
    ax.vlines([2], [6], [9])  # segment
    ax.axhline(3)  # axes-spanning reference line
    ax.text(8, 3.5, "label")
    fig.canvas.draw()
    for x, y in ((5, 1), (5, 5), (8, 8), (2, 7.5), (9, 3)):
        assert covers_data(ax, _box_around(ax, x, y)), (x, y)
    assert not covers_data(ax, _box_around(ax, 1, 4.5, 3.0))  # empty spot
    plt.close(fig)


def test_place_legend_inside_when_a_corner_is_free():
    fig, ax = plt.subplots()
    ax.plot(np.linspace(0, 1, 50), np.linspace(0, 1, 50) ** 3, label="cube")
    fig.tight_layout()
    leg = place_legend(ax)
    fig.canvas.draw()
    assert ax.get_window_extent().contains(*leg.get_window_extent().p0)
    assert not covers_data(ax, leg.get_window_extent())
    plt.close(fig)


def test_place_legend_goes_below_when_data_fill_the_axes():
    fig, ax = plt.subplots()
    x = np.linspace(0, 1, 200)
    for k in range(12):  # curves through every part of the axes
        ax.plot(x, (x + k / 12) % 1.0, label=f"curve {k}")
    ax.set_xlabel("x")
    fig.tight_layout()
    leg = place_legend(ax)
    fig.canvas.draw()
    lb, axb = leg.get_window_extent(), ax.get_window_extent()
    assert lb.y1 <= axb.y0  # under the axes
    assert lb.y0 >= 0  # and still on the figure
    plt.close(fig)
