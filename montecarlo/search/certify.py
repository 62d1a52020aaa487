"""Certification: prove a deterministic claim on its whole stated domain in ball arithmetic,
or refute it with a counterexample (not sampled; the arithmetic is :mod:`bounds.certified`).

    >>> from montecarlo import certify
    >>> print(certify("flip_probability.lemma_A4"))                        # CERTIFIED on all B >= 0, R <= 1/B
    >>> print(certify("flip_probability.lemma_A4", "2.8937*R*exp(-B**2/2)"))  # REFUTED at B = 32768, R = 1/B

A claim is eligible when it has a *certification form* in :data:`FORMS` (keyed by claim key):
the family of ball enclosures of its measured side, its bound as a formula in the claim's
parameters and the normaliser both sides are divided by (``R*exp(-B**2/2)`` for Lemma A.4,
whose ratio is then finite for every B >= 0 and R -> 0). The bound (the claim's own, or a
candidate formula through the whitelist of ``sparse-ntk``'s expression parser) is divided by
the normaliser and simplified symbolically (sympy), substituted into each part's variables
(w = 1/B, ...), and evaluated on balls. The verdict:

- CERTIFIED: every box of every part proven (count, smallest proven margin of the normalised
  sides, seconds);
- REFUTED: a box's midpoint where the margin is certainly negative in ball arithmetic, confirmed
  in mpmath at 60 digits in the claim's own form (measured and bound shown);
- UNDECIDED: the box budget ran out (the boxes left are shown).

Deterministic: no sampling, the same boxes in the same order every run.

Limits, said rather than hidden: a candidate whose normalised form has no finite ball at a
boundary of a part (unbounded there, such as R^2 as R -> infinity) or whose margin tends to 0
at a boundary (equal to the supremum only in the limit, unless sympy proves the difference
exactly 0) is left UNDECIDED with those boxes listed. Not eligible: the sampled and Monte Carlo
claims (no closed form on one side), identities between two computations of the same quantity
(``link4_owens_t``: ball arithmetic proves inequalities; overlapping enclosures are no proof of
an equality), the binomial-tail claims (``corollary_A41``, ``lemma_A18_exact``: an integer m
up to 1e5-1e6 and a threshold ceil(2 m q) that jumps), and ``initial_error.tight_le_paper``
(random labels in its domain, and a margin that is a sum of squares vanishing on an interior
surface; it follows from ``v_bound``, certified here, and (a + b)^2 <= 2 a^2 + 2 b^2 twice).
``montecarlo.search.certify`` reads the candidate through the one whitelist of
:mod:`montecarlo.search.expression` (:func:`~montecarlo.search.expression.parse_candidate`;
sympy imported when a formula is parsed).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from bounds import validate as v

from ..registry import html_table, resolve

__all__ = ["FORMS", "CertifyResult", "certify"]

_LEMMA_A4_DOMAIN = "all B >= 0, 0 < R <= 1/B (B -> infinity included)"
_B_DOMAIN = "all B >= 0 (B -> infinity included)"
_C_PAPER = "4*E**2/sqrt(2*pi)"
_C_TIGHT = "(E**2 - exp(-2))/sqrt(2*pi)"
_RATE = "R*exp(-B**2/2)"
_LINK5 = "asin(separation/2)/pi*exp(-2*B**2/(4 - separation**2))"

# claim key -> (family, bound in the claim's parameters, normaliser, domain certified)
# families: "flip" (Lemma A.4's ratio, bounds.certified.flip_probability), "Q" and "v"
# (bounds.certified.normal), "link5" and "link5_le1" (delta <= sqrt 2, delta <= 1: link 5 of
# Theorem 3.12, bounds.certified.restricted_eigenvalue; measured >= bound), "p0" (Q(B) >= its
# relaxation, bounds.certified.normal; its own bound only: a maximum of two relaxations, each
# with its own argument near B = 0 and B -> infinity). Mutants are listed so that the
# certifier's refutations are tested; tests/test_certify.py checks each bound formula against
# the registered claim's bound at points of its domain.
FORMS: dict[str, tuple[str, str, str, str]] = {
    "flip_probability.lemma_A4": ("flip", f"{_C_PAPER}*{_RATE}", _RATE, _LEMMA_A4_DOMAIN),
    "flip_probability.tight_constant": ("flip", f"{_C_TIGHT}*{_RATE}", _RATE, _LEMMA_A4_DOMAIN),
    "flip_probability.lemma_A4_ratio": ("flip", _C_TIGHT, "1", _LEMMA_A4_DOMAIN),
    "flip_probability.mutant_constant_2_8": ("flip", f"2.8*{_RATE}", _RATE, _LEMMA_A4_DOMAIN),
    "flip_probability.mutant_constant_2_88": ("flip", f"2.88*{_RATE}", _RATE, _LEMMA_A4_DOMAIN),
    "flip_probability.mutant_constant_2_89": ("flip", f"2.89*{_RATE}", _RATE, _LEMMA_A4_DOMAIN),
    "flip_probability.mutant_constant_2_893": ("flip", f"2.893*{_RATE}", _RATE, _LEMMA_A4_DOMAIN),
    "flip_probability.mutant_exponent_B2": ("flip", f"{_C_PAPER}*R*exp(-B**2)", _RATE, _LEMMA_A4_DOMAIN),
    "flip_probability.mutant_ratio_constant_2_88": ("flip", "2.88", "1", _LEMMA_A4_DOMAIN),
    "flip_probability.mutant_ratio_constant_2_89": ("flip", "2.89", "1", _LEMMA_A4_DOMAIN),
    "flip_probability.mutant_ratio_constant_2_893": ("flip", "2.893", "1", _LEMMA_A4_DOMAIN),
    "activated_neurons.Q_bound": ("Q", "exp(-B**2/2)/2", "exp(-B**2/2)/2", _B_DOMAIN),
    "initial_error.v_bound": ("v", "exp(-B**2/2)/2", "exp(-B**2/2)/2", _B_DOMAIN),
    "initial_error.mutant_v_exp_B2": ("v", "exp(-B**2)/2", "exp(-B**2/2)/2", _B_DOMAIN),
    "restricted_eigenvalue.p0_relaxation": ("p0", "max(1/2 - B/sqrt(2*pi), phi(B)*(1/B - 1/B**3))", "1",
                                            _B_DOMAIN),
    "restricted_eigenvalue.link5_arcsin": (
        "link5", _LINK5, _LINK5, "all 0 < delta <= sqrt 2, B >= 0 (B -> infinity included)"),
    "restricted_eigenvalue.mutant_link5_arcsin_delta": (
        "link5_le1", "asin(separation)/pi*exp(-2*B**2/(4 - separation**2))", _LINK5, "all 0 < delta <= 1, B >= 0"),
}
_PARAMS = {"flip": ("B", "R"), "Q": ("B",), "v": ("B",), "link5": ("separation", "B"),
           "link5_le1": ("separation", "B"), "p0": ("B",)}
_LOWER = ("link5", "link5_le1", "p0")  # claims measured >= bound (the others: measured <= bound)
_DPS = 60
BUDGET = 20_000


@dataclass(frozen=True)
class CertifyResult:
    """Outcome of :func:`certify`. ``status`` is "CERTIFIED", "REFUTED" or "UNDECIDED";
    ``certificate`` the :class:`bounds.certified.engine.Certificate` behind it (boxes per
    part, the boxes left); ``counterexample`` the claim's parameters where it fails, with
    ``measured`` and ``bound`` there (mpmath strings, 60 digits)."""

    claim: str
    bound: str
    domain: str
    status: str
    boxes: int
    min_margin: float
    seconds: float
    counterexample: dict | None
    measured: str | None
    bound_value: str | None
    certificate: Any
    sense: str = "<="

    @property
    def certified(self) -> bool:
        return self.status == "CERTIFIED"

    @property
    def refuted(self) -> bool:
        return self.status == "REFUTED"

    def _rows(self) -> list[tuple[str, Any]]:
        rows = [("claim", self.claim), ("bound", self.bound), ("domain", self.domain),
                ("verdict", self.status), ("boxes", self.boxes), ("seconds", f"{self.seconds:.3g}")]
        if self.status == "CERTIFIED":
            rows.append(("smallest proven margin", f"{self.min_margin:.6g} (normalised sides)"))
        if self.counterexample is not None:
            rows += [("at", ", ".join(f"{k}={x!r}" for k, x in self.counterexample.items())),
                     ("measured", self.measured), ("bound there", self.bound_value)]
        if self.status == "UNDECIDED":
            left = self.certificate.left
            rows.append(("boxes left", f"{len(left)}: " + "; ".join(_box_text(n, b) for n, b in left[:5])
                         + (" ..." if len(left) > 5 else "")))
        return rows

    def _repr_html_(self) -> str:
        return html_table(self._rows())

    def __str__(self) -> str:
        head = f"{self.claim} ({self.bound}) {self.status}"
        if self.status == "CERTIFIED":
            parts = "; ".join(f"{n}: {k} boxes" for n, k, _ in self.certificate.per_part)
            return (f"{head} on {self.domain}: {self.boxes} boxes ({parts}), smallest proven margin "
                    f"{self.min_margin:.6g}, {self.seconds:.3g} s")
        if self.status == "REFUTED":
            rel = "<" if self.sense == ">=" else ">"
            return (f"{head}: counterexample at {self.counterexample}: measured {self.measured} {rel} bound "
                    f"{self.bound_value} (mpmath, {_DPS} digits; {self.boxes} boxes, {self.seconds:.3g} s)")
        left = self.certificate.left
        return (f"{head}: neither proven nor refuted in {self.boxes} box evaluations; {len(left)} boxes left, first "
                + "; ".join(_box_text(n, b) for n, b in left[:3]))


def _box_text(part: str, box) -> str:
    return f"[{part}] " + " x ".join(f"[{a:.6g}, {b:.6g}]" for a, b in box)


def _sympy_to_arb(expr, env: dict):
    """Evaluate a sympy expression on arb balls (``env``: symbol name -> arb)."""
    import flint
    import sympy as sp

    arb = flint.arb
    if expr.is_Symbol:
        return env[expr.name]
    if expr.is_Integer:
        return arb(int(expr))
    if expr.is_Rational:
        return arb(int(expr.p)) / int(expr.q)
    if expr.is_Float:
        return arb(str(expr))  # the decimal the user wrote, as a ball containing it
    if expr is sp.pi:
        return arb.pi()
    if expr is sp.E:
        return arb(1).exp()
    args = [_sympy_to_arb(a, env) for a in expr.args]
    if expr.is_Add:
        out = args[0]
        for a in args[1:]:
            out = out + a
        return out
    if expr.is_Mul:
        out = args[0]
        for a in args[1:]:
            out = out * a
        return out
    if expr.is_Pow:
        base, ex = args
        e = expr.args[1]
        if e.is_Integer:
            n = int(e)
            return base ** n if n >= 0 else 1 / base ** (-n)
        if e == sp.Rational(1, 2):
            return base.sqrt()
        if e == sp.Rational(-1, 2):
            return 1 / base.sqrt()
        return (ex * base.log()).exp()
    unary = {sp.exp: "exp", sp.log: "log", sp.erf: "erf", sp.erfc: "erfc", sp.sin: "sin", sp.cos: "cos",
             sp.tan: "tan", sp.asin: "asin", sp.acos: "acos", sp.atan: "atan", sp.sinh: "sinh",
             sp.cosh: "cosh", sp.tanh: "tanh", sp.gamma: "gamma", sp.floor: "floor", sp.ceiling: "ceil"}
    f = expr.func
    if f in unary and len(args) == 1:
        return getattr(args[0], unary[f])()
    if f is sp.Abs:
        return abs(args[0])
    if f in (sp.Min, sp.Max):
        out = args[0]
        for a in args[1:]:
            out = out.min(a) if f is sp.Min else out.max(a)
        return out
    raise ValueError(f"candidate={expr} violates the condition: a formula of functions with ball enclosures "
                     f"({type(expr).__name__} has none)")


def _box_env(names, box):
    from bounds.certified.engine import _interval  # same sub-package family: bounds.certified

    return {n: _interval(a, b) for n, (a, b) in zip(names, box)}


def _parse(expr: str, params):
    """The candidate through the whitelist of :mod:`.expression` (sympy, no Python executed)."""
    from .expression import ExpressionError, parse_candidate

    try:
        parsed, _ = parse_candidate(expr, params)
    except ExpressionError as exc:
        v.fail("candidate", expr, getattr(exc, "reason", str(exc)))
    return parsed


def certify(claim, candidate: str | None = None, *, budget: int | None = None) -> CertifyResult:
    """Certify ``claim`` (a registered key or Claim with a form in :data:`FORMS`) on its whole
    domain, with its own bound or ``candidate`` (a formula in the claim's parameters, e.g.
    ``"2.8939*R*exp(-B**2/2)"``), in at most ``budget`` box evaluations (default 20000)."""
    c = resolve(claim)
    if c.key not in FORMS:
        v.fail("claim", c.key, "a claim with a certification form (montecarlo.search.certify.FORMS: "
               + ", ".join(k for k in FORMS if ".mutant_" not in k) + ")")
    if candidate is not None and not isinstance(candidate, str):
        v.fail("candidate", candidate, "a formula (str) in the claim's parameters, or None")
    budget = BUDGET if budget is None else v.positive_int("budget", budget)
    if candidate is not None and FORMS[c.key][0] == "p0":
        v.fail("candidate", candidate, f"None: the form of {c.key} certifies its own bound only")
    try:
        import flint  # noqa: F401
        import sympy as sp
    except ImportError:  # pragma: no cover - depends on the install
        raise ImportError('certify needs python-flint and sympy: pip install -e ".[certify,cli]"') from None
    family, own, norm, domain = FORMS[c.key]
    params = _PARAMS[family]
    text = own if candidate is None else candidate.strip()
    g = _parse(text, params)
    n = _parse(norm, params)
    t0 = time.perf_counter()
    h = sp.powsimp(g / n, force=True)  # exp(-B^2) / exp(-B^2/2) -> exp(-B^2/2)
    syms = {p: sp.Symbol(p, real=True) for p in params}
    cert = _run(family, h, g, syms, budget)
    measured = bound_value = None
    if cert.counterexample is not None:
        measured, bound_value = _values(family, g, n, syms, cert.counterexample)
    return CertifyResult(c.key, text, domain, cert.status, cert.boxes, cert.min_margin,
                         time.perf_counter() - t0, cert.counterexample, measured, bound_value, cert,
                         ">=" if family in _LOWER else "<=")


def _measured_mp(family: str, p: dict):
    """The measured side at p in mpmath: p_flip = (erfc((B - 2R)/sqrt 2) - erfc((B + 2R)/sqrt 2))/2
    with the digits the difference cancels added, Q(B) = erfc(B/sqrt 2)/2, v(B) = (1 + B^2) Q(B)
    - B phi(B) (digits added for its cancellation ~ B^4). Direct, so any B (the counterexamples of
    constants near the supremum sit at B of 1e3 to 1e5)."""
    import mpmath as mp

    B = mp.mpf(p["B"])
    if family == "flip":
        R = mp.mpf(p["R"])
        extra = 10 + max(0, int(-mp.log10(min(1, 4 * R * (B + 1)))))
        with mp.workdps(_DPS + extra):
            r2 = mp.sqrt(2)
            out = (mp.erfc((B - 2 * R) / r2) - mp.erfc((B + 2 * R) / r2)) / 2
    elif family == "Q":
        with mp.workdps(_DPS):
            out = mp.erfc(B / mp.sqrt(2)) / 2
    elif family == "p0":
        with mp.workdps(_DPS):
            out = mp.erfc(B / mp.sqrt(2)) / 2
    elif family == "v":
        with mp.workdps(_DPS + 10 + 4 * max(0, int(mp.log10(B + 1)))):
            out = (1 + B * B) * mp.erfc(B / mp.sqrt(2)) / 2 - B * mp.exp(-B * B / 2) / mp.sqrt(2 * mp.pi)
    else:  # 2 T(B, a) = (1/pi) int_0^a e^{-B^2 (1 + x^2)/2} / (1 + x^2) dx, the project's quadrature
        from bounds.restricted_eigenvalue import formulas

        out = formulas.sharper_bound_mp(p["separation"], p["B"], _DPS)
    with mp.workdps(_DPS):
        return +out


def _normalised_mp(family: str, p: dict):
    """F = measured / (R e^{-B^2/2}) (flip), measured / (e^{-B^2/2}/2) (Q, v), or measured over
    link 5's right-hand side (1/pi) arcsin(delta/2) e^{-2 B^2/(4 - delta^2)}."""
    import mpmath as mp

    B = mp.mpf(p["B"])
    if family == "flip":
        return _measured_mp(family, p) * mp.exp(B * B / 2) / mp.mpf(p["R"])
    if family == "p0":
        return _measured_mp(family, p)
    if family in _LOWER:
        d = mp.mpf(p["separation"])
        return _measured_mp(family, p) * mp.pi / mp.asin(d / 2) * mp.exp(2 * B * B / (4 - d * d))
    return _measured_mp(family, p) * 2 * mp.exp(B * B / 2)


def _values(family, g, n, syms, p):
    """(measured, bound) at p in the claim's own form: measured = F * the claim's normaliser."""
    import mpmath as mp
    import sympy as sp

    names = sorted(syms)
    args = [syms[k] for k in names]
    g_mp, n_mp = sp.lambdify(args, g, modules="mpmath"), sp.lambdify(args, n, modules="mpmath")
    with mp.workdps(_DPS):
        x = [mp.mpf(p[k]) for k in names]
        measured = _normalised_mp(family, p) * n_mp(*x)
        return mp.nstr(measured, 12), mp.nstr(g_mp(*x), 12)


def _run(family, h, g, syms, budget):
    import mpmath as mp
    import sympy as sp

    from bounds.certified import engine, flip_probability as cf, normal, restricted_eigenvalue as cr

    names = sorted(syms)
    h_mp = sp.lambdify([syms[k] for k in names], h, modules="mpmath")

    def check(p):
        """The margin h - F in mpmath (F - h for a claim measured >= bound; h: the bound over
        the claim's normaliser; F: the measured side over the family's): negative iff the
        claim's own measured side is on the wrong side of its bound at p."""
        with mp.workdps(_DPS):
            bound = h_mp(*[mp.mpf(p[k]) for k in names])
            if isinstance(bound, mp.mpc):
                bound = bound.real if bound.imag == 0 else mp.mpf("nan")
            try:
                F = _normalised_mp(family, p)
            except ValueError:  # outside the range of the project's mpmath form: no verdict there
                return mp.mpf("nan")
            return F - bound if family in _LOWER else bound - F

    if family == "p0":
        return engine.branch_and_bound(normal.p0_relaxation_parts(check), budget)
    if family == "flip":
        variables, substitutions = {k: n for k, (n, _) in cf.PARTS.items()}, cf.SUBSTITUTIONS
    elif family in _LOWER:
        variables, substitutions = {"B <= 4": ("d", "B"), "B >= 4": ("d", "w")}, cr.LINK5_SUBSTITUTIONS
    else:
        variables, substitutions = {k: n for k, (n, _) in normal.PARTS.items()}, normal.SUBSTITUTIONS
    target = h - sp.sympify(_C_TIGHT) if family == "flip" else h
    compiled = {}
    for part, vars_ in variables.items():
        subs = {syms[k]: sp.sympify(val, locals={x: sp.Symbol(x, real=True) for x in vars_})
                for k, val in substitutions[part].items() if k in syms}
        e = sp.powsimp(target.subs(subs), force=True)
        if e.free_symbols:  # a rational function in lowest terms: 1/(1 + w^-2) -> w^2/(w^2 + 1), finite at w = 0
            e = sp.cancel(sp.together(e))
        elif e != 0 and abs(e.evalf(30)) < 1e-25 and sp.simplify(e.rewrite(sp.exp)) == 0:
            e = sp.Integer(0)  # proven 0 symbolically (a bound equal to the supremum: margin 0 exactly)
        compiled[part] = (vars_, e)

    def enclosure(part, box):
        vars_, e = compiled[part]
        return _sympy_to_arb(e, _box_env(vars_, box))

    if family == "flip":
        return engine.branch_and_bound(cf.parts(enclosure, check), budget)
    if family in _LOWER:
        d_max = math.sqrt(2) if family == "link5" else 1.0
        return engine.branch_and_bound(cr.link5_parts(d_max, enclosure, check), budget)
    return engine.branch_and_bound(normal.parts(family, enclosure, check), budget)
