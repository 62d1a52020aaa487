"""Render the report (index.html and REPORT.md) from the records through Jinja2 templates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from montecarlo.registry import MODULES
from bounds import validate as v

if TYPE_CHECKING:  # pragma: no cover
    from .build import Report

__all__ = ["fmt", "where", "view", "write", "environment"]

# status -> (label, css class, markdown badge)
STATUS = {
    "holds": ("holds", "holds", "✅ holds"),
    "violated": ("VIOLATED", "violated", "❌ **VIOLATED**"),
    "not applicable": ("not applicable", "na", "⚪ not applicable"),
    "error": ("ERROR", "violated", "❌ **ERROR**"),
    "refuted": ("refuted", "holds", "✅ refuted"),
    "not refuted": ("NOT REFUTED", "violated", "❌ **NOT REFUTED**"),
}


def fmt(x: Any, digits: int = 4) -> str:
    """A short number: 4 significant digits; None as a dash; "inf" as the symbol."""
    if x is None:
        return "–"
    if isinstance(x, str):
        return {"inf": "∞", "-inf": "-∞"}.get(x, x)
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return str(x)
    return f"{x:.{digits}g}"


def where(params: dict | None) -> str:
    """Parameters as ``B=2.5, R=0.1, ...``."""
    if params is not None and not isinstance(params, dict):
        v.fail("params", params, "a dict of parameter values or None")
    if not params:
        return "–"
    return ", ".join(f"{k}={fmt(v)}" for k, v in params.items())


def _ratio_text(rec: dict) -> tuple[str, str]:
    """(worst ratio, the deciding confidence limit over the bound; empty when exact)."""
    r, lim = rec["worst_ratio"], rec["limit_ratio"]
    if r is None:
        return "–", ""
    shown = fmt(r) + (" (0 vs 0)" if rec["measured"] == 0 and rec["bound"] == 0 else "")
    if isinstance(r, str):  # a zero bound: show both numbers
        shown = f"{fmt(r)} ({fmt(rec['measured'])} vs {fmt(rec['bound'])})"
    if rec["lower"] == rec["upper"] or lim is None:
        return shown, ""
    return shown, f"{rec['limit']} {fmt(lim)}"


def view(rec: dict) -> dict:
    """A record with the display fields the templates use."""
    if not isinstance(rec, dict):
        v.fail("rec", rec, "a results.json record (a dict)")
    label, css, badge = STATUS[rec["status"]]
    if rec["truncated"]:
        label, badge = f"{label} (cut short by the time budget)", f"{badge} (cut short by the time budget)"
    ratio, limit = _ratio_text(rec)
    shown = {**rec, "label": label, "css": css, "badge": badge, "ratio": ratio, "limit": limit,
             "where": where(rec["params"])}
    if rec["kind"] == "mutant":
        subject = rec.get("subject") or ""
        shown["subject_id"] = subject.split(".", 1)[1] if subject.startswith(rec["module"] + ".") else subject
    if rec["kind"] == "mutant" and rec["params"] is not None:
        shown["counter"] = (f"measured {fmt(rec['measured'])} [{fmt(rec['lower'])}, {fmt(rec['upper'])}] "
                            f"vs {rec['sense']} {fmt(rec['bound'])} at {shown['where']}")
    return shown


def md_cell(s: Any) -> str:
    """Text safe inside a GitHub Markdown table cell."""
    s = str(s).replace("\\", "\\\\").replace("\n", " ").replace("<", "&lt;")
    for ch in "|*~`":
        s = s.replace(ch, "\\" + ch)
    return s


def md_code(s: Any) -> str:
    """Text safe inside a code span in a Markdown table cell."""
    return str(s).replace("|", "\\|").replace("`", "'").replace("\n", " ")


def environment() -> Environment:
    env = Environment(loader=PackageLoader("reports", "templates"), undefined=StrictUndefined,
                      autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(fmt=fmt, md=md_cell, mdcode=md_code)
    return env


def context(rep: "Report", modules: list[str]) -> dict:
    recs = [view(r) for r in rep.records]
    checks = [r for r in recs if r["kind"] != "mutant"]
    muts = [r for r in recs if r["kind"] == "mutant"]
    counts = {
        "checks": len(checks),
        "holds": sum(r["status"] == "holds" for r in checks),
        "violated": sum(r["status"] == "violated" for r in checks),
        "na": sum(r["status"] == "not applicable" for r in checks),
        "errors": sum(r["status"] == "error" for r in recs),
        "mutants": len(muts),
        "refuted": sum(r["status"] == "refuted" for r in muts),
    }
    sections = [{"name": m, "rows": [r for r in checks if r["module"] == m],
                 "mutants": [r for r in muts if r["module"] == m],
                 "figures": rep.figures.get(m, [])}
                for m in modules if m in MODULES]
    return {"counts": counts, "sections": sections, "mutants": muts,
            "overview": rep.figures.get("overview", []), "prov": rep.provenance,
            "hook_errors": rep.hook_errors, "all_passed": rep.passed,
            "failed": [r for r in recs if not r["passed"]]}


def write(rep: "Report", modules: list[str]) -> None:
    """Write index.html and REPORT.md into ``rep.out``."""
    env = environment()
    ctx = context(rep, modules)
    (rep.out / "index.html").write_text(env.get_template("index.html.j2").render(**ctx), encoding="utf-8")
    (rep.out / "REPORT.md").write_text(env.get_template("REPORT.md.j2").render(**ctx), encoding="utf-8")
