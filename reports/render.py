"""Render the report (index.html and REPORT.md) from the records through Jinja2 templates."""

from __future__ import annotations

import base64
import math
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from bounds import validate as v

from montecarlo.search.compare import record_log_slack
from montecarlo.registry.views import show_number

from .coverage import coverage_counts
from .report import Report
from .typeset import mathml

__all__ = []

FORMULA_SHEET = "bounds/FORMULAS.md"
# module -> (section of the formula sheet, its title); every claim row shows its own statement
FORMULA_SECTIONS = {
    "flip_probability": ("1", "Activation flip probability (Lemma 3.3 = Lemma A.4, Corollary A.4.1)"),
    "initial_error": ("2", "Initial error (Lemma 3.5 = Lemma A.10)"),
    "activated_neurons": ("3", "Number of activated neurons (Lemma 3.6 = Lemmas A.18, A.19)"),
    "restricted_eigenvalue": ("4", "Restricted least eigenvalue (Definition 3.11, Theorem 3.12 = Theorem B.1)"),
    "rademacher_radius": ("5", "Rademacher radius (Lemmas 3.10, A.7, A.8, C.6; Theorems C.7, 3.9)"),
    "convergence": ("6", "Convergence (Theorem 3.1 = Theorem A.17, Lemma A.5, Figure 2)"),
    "error_analysis": ("7", "Training-time error analysis (Claim A.11, Lemmas A.12-A.16, Lemma A.9, Theorem A.17's step size)"),
    "generalization": ("8", "Generalization (Theorem 3.9 = Theorems C.4 + C.5, Corollary 3.9.1, Lemma A.2, Remark 3.13)"),
}

# status -> (label, css class, markdown badge)
STATUS = {
    "holds": ("holds", "holds", "✅ holds"),
    "violated": ("VIOLATED", "violated", "❌ **VIOLATED**"),
    "not applicable": ("not applicable", "na", "⚪ not applicable"),
    "error": ("ERROR", "violated", "❌ **ERROR**"),
    "refuted": ("refuted", "holds", "✅ refuted"),
    "not refuted": ("NOT REFUTED", "violated", "❌ **NOT REFUTED**"),
    # every applicable point was 0 vs 0 (or underflowed) with no log form: no evidence either way
    "vacuous": ("VACUOUS", "vacuous", "⚠️ **VACUOUS**"),
    # not refuted, but every applicable point measured exactly 0: these points could not refute it
    "no power": ("holds, NO POWER", "vacuous", "⚠️ holds, **no power** (0 at every point)"),
    # not refuted (the deciding confidence limit is within the bound), but the point estimate
    # is past it: the check's power decides what that means, it is no "holds, tight"
    "estimate above bound": ("not refuted: estimate above bound", "vacuous",
                             "⚠️ not refuted: **estimate above bound**"),
}

SLACK_LABEL = {"<=": "measured / bound", ">=": "bound / measured",
               "==": "max(measured/bound, bound/measured); an identity is decided by its interval"}
"""The one ratio convention of the report, the CLI and tightness: 1 is tight, above 1 violated."""


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


def _float(x: Any) -> float | None:
    """A record's number (JSON keeps inf/nan as strings)."""
    if isinstance(x, str) and x in ("inf", "-inf", "nan"):
        return float(x)
    return _number(x)


def number_text(rec: dict, key: str, log_key: str) -> str:
    """``rec[key]`` as a number, from ``rec[log_key]`` when the double under- or overflowed
    (``1.87e-8688``, never a bare 0); "∞" for a measured ratio that is infinite by
    construction (``detail["infinite_ratio"]``, a change where the bound is 0)."""
    if not isinstance(rec, dict):
        v.fail("rec", rec, "a results.json record (a dict)")
    x = _float(rec.get(key))
    if x is None:
        return "–"
    if key in ("measured", "lower", "upper", "limit_value") and (rec.get("detail") or {}).get("infinite_ratio"):
        return "∞"
    lx = _float(rec.get(log_key))
    if math.isinf(x) and (lx is None or not math.isfinite(lx)):
        return "∞" if x > 0 else "-∞"
    if math.isnan(x):
        return "nan"
    return show_number(x, lx, 4)


def log_slack(rec: dict) -> float | None:
    """log of the record's slack (see :func:`slack_text`), from ``log_slack``, else the log
    ratio, else the worst ratio; None when there is none."""
    if not isinstance(rec, dict):
        v.fail("rec", rec, "a results.json record (a dict)")
    return record_log_slack(rec)


def slack_text(rec: dict) -> str:
    """The slack ratio with its label (measured / bound for "<=", bound / measured for ">=":
    1 is tight, above 1 violated), from the log so that it survives under- and overflow."""
    if not isinstance(rec, dict):
        v.fail("rec", rec, "a results.json record (a dict)")
    if (rec.get("detail") or {}).get("infinite_ratio"):
        return f"∞ ({SLACK_LABEL.get(rec['sense'], 'ratio')})"
    ls = log_slack(rec)
    if ls is None:
        return "–"
    shown = fmt(math.exp(ls)) if ls < 709 else (show_number(0.0, ls, 4) if math.isfinite(ls) else "∞")
    return f"{shown} ({SLACK_LABEL.get(rec['sense'], 'ratio')})"


def _ratio_text(rec: dict) -> tuple[str, str]:
    """(worst ratio, the deciding confidence limit over the bound; empty when exact)."""
    r, lim = rec["worst_ratio"], rec["limit_ratio"]
    if r is None:
        return "–", ""
    lr = _number(rec.get("log_ratio"))
    both_zero = rec["measured"] == 0 and rec["bound"] == 0
    # both doubles underflowed: "from logs" when the verdict was taken on logs, else nothing measured
    shown = fmt(r) + ((" (from logs)" if lr is not None and math.isfinite(lr) else " (0 vs 0)") if both_zero else "")
    if isinstance(r, str):  # a zero bound: show both numbers
        shown = f"{fmt(r)} ({fmt(rec['measured'])} vs {fmt(rec['bound'])})"
    if rec["lower"] == rec["upper"] or lim is None:
        return shown, ""
    return shown, f"{rec['limit']} {fmt(lim)}"


def detectable_text(rec: dict) -> str:
    """The check's power from ``detail["detectable"]`` (the smallest true/bound ratio it refutes
    with probability >= 1/2 at the false-alarm level), or "" when the record has none."""
    if not isinstance(rec, dict):
        v.fail("rec", rec, "a results.json record (a dict)")
    d = (rec.get("detail") or {}).get("detectable")
    if not isinstance(d, (int, float)) or isinstance(d, bool) or not math.isfinite(d):
        return ""
    if rec["sense"] == "<=":
        return f"detects true > {fmt(d, 3)} × bound"
    if rec["sense"] == ">=":
        return f"detects true < bound / {fmt(d, 3)}"
    return f"detects a deviation by a factor > {fmt(d, 3)}"


def _number(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x)


def tightness_text(rec: dict) -> str:
    """"best 0.9996 of known sup 1": the tightness ratio at the sweep's worst point
    (measured/bound for "<=", bound/measured for ">=", the larger of the two for "==", taken
    from the log ratio so that it survives under- and overflow) next to the claim's known
    supremum of that ratio (``Claim.tight_constant``); "" when none is known."""
    if not isinstance(rec, dict):
        v.fail("rec", rec, "a results.json record (a dict)")
    tc = _number(rec.get("tight_constant"))
    if tc is None or rec["kind"] == "mutant":
        return ""
    lr = _number(rec.get("log_ratio"))
    if lr is None or not math.isfinite(lr):
        r = _number(rec.get("worst_ratio"))
        lr = math.log(r) if r is not None and r > 0 and math.isfinite(r) else None
    if lr is None:
        return f"known sup {fmt(tc, 6)}"
    lt = {"<=": lr, ">=": -lr}.get(rec["sense"], abs(lr))
    best = math.exp(lt) if lt < 709 else math.inf
    return f"best {fmt(best, 6)} of known sup {fmt(tc, 6)}"


ABOVE = 1e-6
"""log slack above which a holding one-sided check's point estimate counts as past its bound
(below it, the excess is round-off of an interval computed in floats)."""

TIGHT = 0.9  # closeness at or above which a holding claim is marked "tight"


def view(rec: dict, vacuous_points: int | None = None, vacuous: bool = False) -> dict:
    """A record with the display fields the templates use. ``vacuous_points`` (points where
    both sides underflowed with no log form) falls back to the record's own count;
    ``vacuous`` marks a claim with no nonzero measurement."""
    vacuous = v.boolean("vacuous", vacuous)
    if vacuous_points is not None:
        vacuous_points = v.nonneg_int("vacuous_points", vacuous_points)
    if not isinstance(rec, dict):
        v.fail("rec", rec, "a results.json record (a dict)")
    status = rec["status"]
    ls = log_slack(rec)
    # the point estimate past a one-sided bound by more than round-off (an interval from
    # numerics or statistics, not an exact value); "==" has no side to be past
    above = (status == "holds" and rec["kind"] != "mutant" and rec["sense"] in ("<=", ">=")
             and ls is not None and ls > ABOVE and rec.get("lower") != rec.get("upper"))
    if above:
        status = "estimate above bound"
    label, css, badge = STATUS[status]
    if rec.get("certified"):  # proven on the whole domain in ball arithmetic: stronger than sampled
        label, badge = f"{label}; certified on {rec['certified']}", f"{badge}; 🔒 certified on {rec['certified']}"
    elif rec.get("certify"):
        label, badge = f"{label}; certify: {rec['certify']}", f"{badge}; ⚠️ certify: {rec['certify']}"
    ratio, limit = _ratio_text(rec)
    measured = number_text(rec, "measured", "log_measured")
    if rec.get("lower") is not None and rec.get("lower") != rec.get("upper"):
        measured += f" [{number_text(rec, 'lower', 'log_lower')}, {number_text(rec, 'upper', 'log_upper')}]"
    bound = f"{rec['sense']} {number_text(rec, 'bound', 'log_bound')}" if rec.get("bound") is not None else "–"
    if rec.get("limit_value") is not None and rec.get("lower") != rec.get("upper"):
        limit = f"{rec['limit']} limit {number_text(rec, 'limit_value', 'log_limit')}"
    elif rec.get("limit_value") is not None:
        limit = "exact"
    if vacuous_points is None:
        got = rec.get("vacuous_examples", rec.get("vacuous_points"))
        vacuous_points = got if isinstance(got, int) and not isinstance(got, bool) else 0
    close = rec.get("closeness")
    tight = (rec["kind"] != "mutant" and rec["status"] == "holds" and not vacuous and not above
             and isinstance(close, (int, float)) and close >= TIGHT)
    notes = []
    if tight:
        notes.append("tight")
    if above:
        power = detectable_text(rec)
        notes.append("the point estimate is past the bound, the confidence limit is not"
                     + (f"; this check {power}" if power else ""))
    if vacuous and rec["kind"] != "mutant" and rec["status"] not in ("vacuous", "no power"):
        notes.append("vacuous: no nonzero measurement")
    if vacuous_points:
        notes.append(f"{vacuous_points} vacuous point{'s' if vacuous_points != 1 else ''} (0 vs 0)")
    shown = {**rec, "label": label, "css": css, "badge": badge, "ratio": ratio, "limit": limit,
             "slack": slack_text(rec), "slack_value": slack_text(rec).split(" (", 1)[0],
             "slack_label": SLACK_LABEL.get(rec["sense"], "ratio"), "measured_text": measured, "bound_text": bound,
             "above": above, "replay": rec.get("replay") or "", "mathml": mathml(str(rec.get("key", ""))),
             "where": where(rec["params"]), "detectable": detectable_text(rec), "tight": tight,
             "tightness": tightness_text(rec),
             "vacuous_claim": vacuous or rec["status"] == "vacuous", "vacuous_points": vacuous_points, "notes": "; ".join(notes)}
    if rec["kind"] == "mutant":
        subject = rec.get("subject") or ""
        shown["subject_id"] = subject.split(".", 1)[1] if subject.startswith(rec["module"] + ".") else subject
    if rec["kind"] == "mutant" and rec["params"] is not None:
        why = (rec.get("detail") or {}).get("infinite_ratio")
        shown["counter"] = (f"measured {measured} vs {bound} at {shown['where']}; slack {shown['slack']}"
                            + (f" ({why})" if isinstance(why, str) else ""))
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


def _vacuity(rep: Report) -> dict[str, tuple[int, bool]]:
    """Per claim key: (points flagged vacuous by the verdict, no nonzero measurement at all)."""
    out = {}
    for res in getattr(rep, "results", None) or []:
        pts = [e for e in res.points if e.measurement.detail.get("applicable", True) is not False]
        n = sum(bool(getattr(e, "vacuous", False)) for e in res.points)
        none = bool(pts) and all(getattr(e, "vacuous", False) or e.measurement.value == 0 for e in pts)
        out[res.claim.key] = (n, none)
    return out


def context(rep: Report, modules: list[str]) -> dict:
    vac = _vacuity(rep)
    recs = [view(r, *vac[r["key"]]) if r["key"] in vac else view(r) for r in rep.records]
    checks = [r for r in recs if r["kind"] != "mutant"]
    muts = [r for r in recs if r["kind"] == "mutant"]
    counts = {
        "checks": len(checks),
        "holds": sum(r["status"] == "holds" and not r["above"] for r in checks),
        "above": sum(r["above"] for r in checks),
        "violated": sum(r["status"] == "violated" for r in checks),
        "na": sum(r["status"] == "not applicable" for r in checks),
        "errors": sum(r["status"] == "error" for r in recs),
        "mutants": len(muts),
        "refuted": sum(r["status"] == "refuted" for r in muts),
        "tight": sum(r["tight"] for r in checks),
        "vacuous": sum(r["vacuous_claim"] for r in checks),
        "no_power": sum(r["status"] == "no power" for r in checks),
    }
    parts = [f"{counts['holds']} hold"]
    if counts["above"]:
        parts.append(f"{counts['above']} not refuted with the estimate above the bound")
    if counts["no_power"]:
        parts.append(f"{counts['no_power']} with no power (0 at every point)")
    if counts["na"]:
        parts.append(f"{counts['na']} not applicable")
    # every number of the banner is the number of a tile: "all N hold" only when N hold
    banner = (f"All {counts['checks']} checks hold" if counts["holds"] == counts["checks"]
              else f"No check of {counts['checks']} is violated: {', '.join(parts)}")
    banner += f"; all {counts['mutants']} mutants are refuted." if counts["mutants"] else "."
    sections = [{"name": m, "rows": [r for r in checks if r["module"] == m],
                 "mutants": [r for r in muts if r["module"] == m],
                 "figures": rep.figures.get(m, []), "formulas": FORMULA_SECTIONS.get(m)}
                for m in modules]
    changes = list(getattr(rep, "comparison", None) or [])
    compared = [{"key": c.key, "status_old": c.status_old or "(absent)", "status_new": c.status_new or "(absent)",
                 "slack_old": fmt(c.slack_old) if c.slack_old is not None else "–",
                 "slack_new": fmt(c.slack_new) if c.slack_new is not None else "–",
                 "change": "–" if c.slack_change is None else f"×{fmt(c.slack_change, 6)}",
                 "moved": "yes" if c.moved else "no",
                 "where_old": where(c.where_old) if isinstance(c.where_old, dict) else "–",
                 "where_new": where(c.where_new) if isinstance(c.where_new, dict) else "–"}
                for c in changes if c.changed]
    return {"counts": counts, "banner": banner, "coverage": coverage_counts(), "sections": sections,
            "baseline": getattr(rep, "baseline", None), "compared": compared, "n_compared": len(changes), "mutants": muts,
            "overview": rep.figures.get("overview", []), "prov": rep.provenance, "sheet": FORMULA_SHEET,
            "hook_errors": rep.hook_errors, "all_passed": rep.passed,
            "smoke": bool(rep.provenance.get("smoke", rep.provenance.get("mode") == "quick")),
            "failed": [r for r in recs if not r["passed"]]}


MIME = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
        ".gif": "image/gif", ".webp": "image/webp"}


def data_uri(path: Path) -> str:
    """``path`` as a base64 data URI, so that index.html is one self-contained file."""
    if not isinstance(path, (str, Path)) or not Path(path).is_file():
        v.fail("path", path, "an existing file")
    path = Path(path)
    mime = MIME.get(path.suffix.lower(), "application/octet-stream")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def write(rep: Report, modules: list[str]) -> None:
    """Write index.html (figures embedded as data URIs: one file) and REPORT.md (which links
    the figure files next to it) into ``rep.out``."""
    env = environment()
    env.filters["embed"] = lambda f: data_uri(rep.out / f) if (rep.out / f).is_file() else f
    ctx = context(rep, modules)
    (rep.out / "index.html").write_text(env.get_template("index.html.j2").render(**ctx), encoding="utf-8")
    (rep.out / "REPORT.md").write_text(env.get_template("REPORT.md.j2").render(**ctx), encoding="utf-8")
