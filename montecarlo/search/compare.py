"""What did my change do? Two runs of the report compared claim by claim.

    sparse-ntk compare OLD NEW [--only-changed]
    python -m reports --baseline OLD

``OLD`` and ``NEW`` are ``results.json`` files or report folders holding one. For every claim
key of either run: status before and after, slack before and after (measured / bound for
``<=``, bound / measured for ``>=``: 1 tight, above 1 violated) and its change, and whether
the worst point moved. A claim is *changed* when it is in one run only, or its status, its
slack (beyond a relative 1e-9) or its worst point differ.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Change", "load_results", "compare_runs", "record_log_slack", "format_changes"]

REL = 1e-9
"""Relative change in slack below which two runs agree (the sweep is deterministic)."""


def load_results(path: str | Path) -> list[dict]:
    """The records of a ``results.json`` file, or of the one in the report folder ``path``."""
    if not isinstance(path, (str, Path)):
        raise ValueError(f"path={path!r} violates the condition: a results.json file or a report folder")
    p = Path(path)
    if p.is_dir():
        p = p / "results.json"
    if not p.is_file():
        raise ValueError(f"path={str(path)!r} violates the condition: a results.json file or a report "
                         "folder holding one")
    try:
        recs = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"path={str(path)!r} violates the condition: readable JSON ({exc})") from None
    if not isinstance(recs, list) or not all(isinstance(r, dict) and "key" in r for r in recs):
        raise ValueError(f"path={str(path)!r} violates the condition: a list of report records (results.json)")
    return recs


def _float(x: Any) -> float | None:
    if isinstance(x, str) and x in ("inf", "-inf", "nan"):
        return float(x)
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x)


def record_log_slack(rec: dict) -> float | None:
    """log of a record's slack: its ``log_slack``, else from ``log_ratio`` (or ``worst_ratio``)
    and its sense; None when the record has none (no applicable point, an error)."""
    if not isinstance(rec, dict):
        raise ValueError(f"rec={rec!r} violates the condition: a results.json record (a dict)")
    ls = _float(rec.get("log_slack"))
    if ls is not None and not math.isnan(ls):
        return ls
    lr = _float(rec.get("log_ratio"))
    if lr is None or math.isnan(lr):
        r = _float(rec.get("worst_ratio"))
        if r is None or math.isnan(r) or r <= 0:
            return None
        lr = math.log(r)
    return {"<=": lr, ">=": -lr}.get(rec.get("sense"), abs(lr))


@dataclass(frozen=True)
class Change:
    """One claim in two runs (``None`` for the side it is missing from)."""

    key: str
    status_old: str | None
    status_new: str | None
    log_slack_old: float | None
    log_slack_new: float | None
    where_old: dict | None
    where_new: dict | None

    @property
    def slack_old(self) -> float | None:
        return None if self.log_slack_old is None else _exp(self.log_slack_old)

    @property
    def slack_new(self) -> float | None:
        return None if self.log_slack_new is None else _exp(self.log_slack_new)

    @property
    def slack_change(self) -> float | None:
        """new slack / old slack (from the logs)."""
        if self.log_slack_old is None or self.log_slack_new is None:
            return None
        if math.isinf(self.log_slack_old) and self.log_slack_old == self.log_slack_new:
            return 1.0
        return _exp(self.log_slack_new - self.log_slack_old)

    @property
    def moved(self) -> bool:
        return self.where_old != self.where_new

    @property
    def changed(self) -> bool:
        if self.status_old != self.status_new or self.moved:
            return True
        a, b = self.log_slack_old, self.log_slack_new
        if (a is None) != (b is None):
            return True
        if a is None or a == b:
            return False
        return not abs(b - a) <= math.log1p(REL)


def _exp(x: float) -> float:
    return math.exp(x) if x < 709 else math.inf


def compare_runs(old: list[dict], new: list[dict]) -> list[Change]:
    """Claim by claim, in the new run's order, then the claims only the old run has."""
    for name, recs in (("old", old), ("new", new)):
        if not isinstance(recs, list) or not all(isinstance(r, dict) and "key" in r for r in recs):
            raise ValueError(f"{name}={recs!r} violates the condition: a list of report records (results.json)")
    a = {r["key"]: r for r in old}
    b = {r["key"]: r for r in new}
    keys = [r["key"] for r in new] + [k for k in a if k not in b]
    out = []
    for k in keys:
        ra, rb = a.get(k), b.get(k)
        out.append(Change(k, None if ra is None else ra.get("status"), None if rb is None else rb.get("status"),
                          None if ra is None else record_log_slack(ra), None if rb is None else record_log_slack(rb),
                          None if ra is None else ra.get("params"), None if rb is None else rb.get("params")))
    return out


def _num(x: float | None) -> str:
    if x is None:
        return "-"
    if math.isinf(x):
        return "inf"
    return f"{x:.6g}"


def format_changes(changes: list[Change], only_changed: bool = False) -> str:
    """A plain-text table: key, status before -> after, slack before -> after, change, moved."""
    if not isinstance(changes, list) or not all(isinstance(c, Change) for c in changes):
        raise ValueError(f"changes={changes!r} violates the condition: a list of Change (compare_runs(...))")
    if not isinstance(only_changed, bool):
        raise ValueError(f"only_changed={only_changed!r} violates the condition: a bool")
    rows = [c for c in changes if c.changed or not only_changed]
    n = sum(c.changed for c in changes)
    lines = [f"{n} of {len(changes)} claims changed (slack: measured/bound for <=, bound/measured for >=; "
             "1 tight, above 1 violated)"]
    if rows:
        w = max(len(c.key) for c in rows)
        lines.append(f"{'claim':<{w}}  {'status before -> after':<34}  {'slack before -> after':<28}  change      moved")
        for c in rows:
            st = f"{c.status_old or '(absent)'} -> {c.status_new or '(absent)'}"
            sl = f"{_num(c.slack_old)} -> {_num(c.slack_new)}"
            ch = "-" if c.slack_change is None else f"x{c.slack_change:.6g}"
            lines.append(f"{c.key:<{w}}  {st:<34}  {sl:<28}  {ch:<10}  {'yes' if c.moved else 'no'}"
                         + ("" if c.changed else "  (unchanged)"))
    return "\n".join(lines)
