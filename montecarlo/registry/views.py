"""Text and HTML views of a verdict (an :class:`~montecarlo.registry.verdict.Evidence`, which
calls them from its ``__str__`` and ``_repr_html_``; they import nothing of it): the
terminal line, the notebook table, and the two-column HTML table that every result object of
the package shows itself with."""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from .measurements import log_of

__all__ = ["html_table"]


def evidence_text(ev: Any) -> str:
    """One line for the terminal: verdict, point, measured value with its deciding limit, bound, ratio."""
    m = ev.measurement
    shown = {k: (float(f"{v:.6g}") if isinstance(v, float) else v) for k, v in ev.params.items()}
    which = {"<=": f"lower confidence limit {m.lower:.6g}",
             ">=": f"upper confidence limit {m.upper:.6g}"}.get(
        ev.sense, f"interval [{m.lower:.6g}, {m.upper:.6g}]")
    if ev.vacuous:
        return (f"{ev.claim} VACUOUS at {shown}: measured {m.value:.6g} and bound {ev.bound:.6g} "
                "are both 0 (or underflowed) and no log form tells them apart")
    verdict = "REFUTED" if ev.refuted else "holds"
    logs = ""
    value, bound = f"{m.value:.6g}", f"{ev.bound:.6g}"
    if ev.log_space:
        lv = m.log_value if m.log_value is not None else log_of(m.value)
        logs = f" [log measured {lv:.10g}, log bound {ev.log_bound:.10g}]"
        # a double that underflowed to 0 is shown by its log, never as a bare 0
        if m.value == 0 and math.isfinite(lv):
            value = f"exp({lv:.10g})"
            if m.lower == m.upper == 0 and m.log_lower is not None and m.log_lower == m.log_upper:
                which = f"{which.split(' ', 1)[0]} confidence limit {value}" if ev.sense != "==" else which
        if ev.bound == 0 and math.isfinite(ev.log_bound):
            bound = f"exp({ev.log_bound:.10g})"
    return (f"{ev.claim} {verdict} at {shown}: measured {value} ({which}) "
            f"{'vs' if not ev.refuted else 'violates'} {ev.sense} {bound}; "
            f"ratio measured/bound = {ev.ratio:.6g}{logs}")


def evidence_html(ev: Any) -> str:
    """The notebook view of one verdict."""
    m = ev.measurement
    verdict = "VACUOUS" if ev.vacuous else ("REFUTED" if ev.refuted else "holds")
    rows = [("claim", ev.claim), ("verdict", verdict),
            ("params", ", ".join(f"{k}={_short(v)}" for k, v in ev.params.items())),
            ("measured", f"{m.value:.6g} [{m.lower:.6g}, {m.upper:.6g}]"),
            ("bound", f"{ev.sense} {ev.bound:.6g}"),
            ("ratio measured/bound", f"{ev.ratio:.6g} (log {ev.log_ratio:.6g})")]
    return html_table(rows)


def _short(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.6g}"
    if isinstance(v, np.ndarray):
        return f"array(shape={v.shape})"
    return repr(v)


def html_table(rows: Iterable[tuple[str, Any]]) -> str:
    """A two-column HTML table (the notebook view of a result object)."""
    import html

    if isinstance(rows, (str, bytes)) or not hasattr(rows, "__iter__"):
        raise ValueError(f"rows={rows!r} violates the condition: an iterable of (label, value) pairs")
    rows = list(rows)
    if not all(isinstance(r, tuple) and len(r) == 2 for r in rows):
        raise ValueError(f"rows={rows!r} violates the condition: an iterable of (label, value) pairs")

    body = "".join(f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
                   f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"
