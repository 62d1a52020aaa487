"""Typeset statements for the HTML report: LaTeX of the central claims, converted to MathML
(``latex2mathml``), which browsers render without JavaScript. REPORT.md keeps the plain-text
statement of every claim; a claim without an entry here is shown as plain text only."""

from __future__ import annotations

from bounds import validate as v

__all__ = []

_LEMMA = r"p_{\mathrm{flip}}(B,R) \le c\,R\,e^{-B^2/2},\quad c = \frac{4e^2}{\sqrt{2\pi}},\quad 0 < R \le \frac{1}{B}"
LATEX = {
    "flip_probability.lemma_A4": _LEMMA,
    "flip_probability.tight_constant": r"p_{\mathrm{flip}}(B,R) \le \frac{e^2 - e^{-2}}{\sqrt{2\pi}}\,R\,e^{-B^2/2}",
    "flip_probability.lemma_A4_geometric": r"\underline{p}_{\mathrm{flip}} \le c\,R\,e^{-B^2/2}",
    "flip_probability.lemma_A4_importance": r"\underline{p}_{\mathrm{flip}} \le c\,R\,e^{-B^2/2}",
    "flip_probability.characterization_geometric": r"P[A_{i,r}] = Q(B - 2R) - Q(B + 2R)",
    "flip_probability.characterization_importance": r"P[A_{i,r}] = Q(B - 2R) - Q(B + 2R)",
    "restricted_eigenvalue.theorem_closed_form":
        r"\lambda_R(H^\infty) \ge \max\left(0, \frac{1}{\pi}\arcsin\left(\frac{\delta}{2}\right) e^{-2B^2/(4-\delta^2)}\right)",
}
"""Claim key -> the LaTeX of its statement."""


def mathml(key: str) -> str:
    """The MathML of ``key``'s statement, or "" when it has no LaTeX entry (or latex2mathml is
    not installed: the plain text is always shown)."""
    if not isinstance(key, str):
        v.fail("key", key, "a claim key (str)")
    tex = LATEX.get(key)
    if tex is None:
        return ""
    try:
        from latex2mathml.converter import convert
    except ImportError:  # pragma: no cover - optional
        return ""
    return convert(tex)
