"""Text and HTML views of a verdict (an :class:`~montecarlo.registry.verdict.Evidence`, which
calls them from its ``__str__`` and ``_repr_html_``; they import nothing of it): the
terminal line, the notebook table, and the two-column HTML table that every result object of
the package shows itself with."""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from .measurements import log_of

__all__ = []


def show_number(value: Any, log_value: Any = None, digits: int = 6) -> str:
    """A number as text. A float that under- or overflowed (0 or inf while its natural log
    ``log_value`` is finite) is shown from its log through mpmath (``1.87e-8688``), never as
    a bare 0; an mpf is shown as itself."""
    import mpmath

    if isinstance(value, mpmath.mpf):
        return mpmath.nstr(value, digits)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    lv = None if log_value is None else float(log_value)
    if lv is not None and math.isfinite(lv) and (x == 0 or math.isinf(x) or 0 < abs(x) < 1e-300):
        return mpmath.nstr(mpmath.exp(mpmath.mpf(lv)), digits)
    return f"{x:.{digits}g}"


SLACK_LABEL = {"<=": "measured / bound", ">=": "bound / measured",
               "==": "max(measured/bound, bound/measured); an identity is decided by its interval"}
"""The one ratio convention (terminal, notebook, report, tightness): 1 is tight, above 1 violated."""


def slack(ev: Any) -> float:
    """measured/bound for "<=", bound/measured for ">=", the larger of the two for "==", from
    the log ratio (nan at a vacuous point)."""
    lr = ev.log_ratio
    if ev.vacuous or math.isnan(lr):
        return math.nan
    ls = {"<=": lr, ">=": -lr}.get(ev.sense, abs(lr))
    return math.exp(ls) if ls < 709 else math.inf


def evidence_text(ev: Any) -> str:
    """One line for the terminal: verdict, point, measured value with its deciding limit, bound, ratio."""
    m = ev.measurement
    shown = {k: (float(f"{v:.6g}") if isinstance(v, float) else v) for k, v in ev.params.items()}
    which = {"<=": f"lower confidence limit {m.lower:.6g}",
             ">=": f"upper confidence limit {m.upper:.6g}"}.get(
        ev.sense, f"interval [{m.lower:.6g}, {m.upper:.6g}]")
    if getattr(ev, "underflowed", False):
        return (f"{ev.claim} CANDIDATE UNDERFLOWED at {shown} (no verdict): the candidate is {ev.bound:.6g} "
                f"in floats and could not be evaluated in mpmath; measured {show_number(m.value, m.log_value)}. "
                "Write it with mpmath (mpmath.exp, mpmath.erfc ...) so it keeps its value")
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
            value = f"{show_number(m.value, lv)} = exp({lv:.10g})"
        if m.log_lower is not None or m.log_upper is not None:
            lo = show_number(m.lower, m.log_lower)
            hi = show_number(m.upper, m.log_upper)
            which = {"<=": f"lower confidence limit {lo}", ">=": f"upper confidence limit {hi}"}.get(
                ev.sense, f"interval [{lo}, {hi}]")
        if (ev.bound == 0 or math.isinf(ev.bound)) and math.isfinite(ev.log_bound):
            bound = f"{show_number(ev.bound, ev.log_bound)} = exp({ev.log_bound:.10g})"
    return (f"{ev.claim} {verdict} at {shown}: measured {value} ({which}) "
            f"{'vs' if not ev.refuted else 'violates'} {ev.sense} {bound}; "
            f"slack ({SLACK_LABEL.get(ev.sense, SLACK_LABEL['=='])}) = {slack(ev):.6g}{logs}")


def evidence_html(ev: Any) -> str:
    """The notebook view of one verdict."""
    m = ev.measurement
    if getattr(ev, "underflowed", False):
        verdict = "CANDIDATE UNDERFLOWED (no verdict): write it with mpmath.exp"
    else:
        verdict = "VACUOUS" if ev.vacuous else ("REFUTED" if ev.refuted else "holds")
    rows = [("claim", ev.claim), ("verdict", verdict),
            ("params", ", ".join(f"{k}={_short(v)}" for k, v in ev.params.items())),
            ("measured", f"{show_number(m.value, m.log_value)} [{show_number(m.lower, m.log_lower)}, "
                         f"{show_number(m.upper, m.log_upper)}]"),
            ("bound", f"{ev.sense} {show_number(ev.bound, ev.log_bound)}"),
            (f"slack ({SLACK_LABEL.get(ev.sense, SLACK_LABEL['=='])})", f"{slack(ev):.6g} (1 = tight, > 1 violated)"),
            ("log measured/bound", f"{ev.log_ratio:.6g}")]
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


def replay_command(key: str, params: dict, names) -> str:
    """The one-line command that re-evaluates ``key`` at the raw domain parameters ``names``
    of ``params`` (``sparse-ntk check KEY --at B=200,R_frac=1``)."""
    if not isinstance(key, str) or not isinstance(params, dict):
        raise ValueError(f"params={params!r} violates the condition: a dict of parameter values (with a claim key)")
    parts = []
    for k in names:
        if k not in params:
            continue
        x = params[k]
        if isinstance(x, (float, np.floating)):
            x = repr(float(x))
        elif isinstance(x, (bool, np.bool_, int, np.integer, str)):
            x = str(x)
        else:
            return ""  # an array parameter cannot be written on a command line
        parts.append(f"{k}={x}")
    return f"sparse-ntk check {key} --at {','.join(parts)}" if parts else f"sparse-ntk check {key}"
