"""The candidate-expression parser: a formula a user types, read as a sympy expression
without executing any of it.

A reviser writes a candidate bound in the claim's parameters, for example
``2.5*R*exp(-B**2/2)`` for ``flip_probability.lemma_A4`` (or in LaTeX, ``2.5 R e^{-B^2/2}``).
This module owns the one whitelist every tool reads such text through (the ``sparse-ntk``
command line, :func:`montecarlo.search.certify.certify`):

- numbers (int or float literals), the claim's numeric parameters, the constants of
  :data:`CONSTANTS` (``pi``, ``E``);
- the operators ``+ - * / ** ^`` and unary minus;
- calls of the functions of :data:`FUNCTIONS` only (``exp``, ``log``, ``erfc``, ... and the
  normal tail, pdf and cdf ``Q``, ``phi``, ``Phi`` of the formula sheet), without keywords.

Why a whitelist: nothing of the user's text is executed as Python. The syntax tree is checked
first (no attribute access, no subscripts, no strings, no other calls, no name with a leading
underscore, no exact constant of more than :data:`MAX_DIGITS` digits), and only then handed to
sympy's ``parse_expr`` with a namespace holding nothing but those names. The LaTeX reader maps
named functions onto the same whitelist. Anything refused raises :class:`ExpressionError`
(a ``ValueError``) with the reason, before anything is evaluated.

- :func:`parse_candidate`: sympy syntax -> ``(sympy expression, parameter names used)``;
- :func:`parse_latex_candidate`: the same from LaTeX (sympy's ANTLR backend);
- :func:`candidate`: a bound ``params -> mpmath.mpf`` for :func:`montecarlo.falsify`, lambdified
  with the mpmath module, so ``2.5*R*exp(-B**2/2)`` at B = 40 is 1e-349, not an underflowed 0.0.

sympy (and, for LaTeX, ``antlr4-python3-runtime==4.11.1``) is an optional dependency, the
``cli`` extra (``pip install -e ".[cli]"``): it is imported when a formula is parsed, never at
import of this module. May import: nothing of the project.
"""

from __future__ import annotations

import ast
import math
from typing import Any, Callable, Sequence

__all__ = ["FUNCTIONS", "CONSTANTS", "ExpressionError", "candidate", "parse_candidate", "parse_latex_candidate"]

# names a formula may call (sympy functions, or helpers returning sympy expressions)
FUNCTIONS = ("exp", "log", "sqrt", "erf", "erfc", "sin", "cos", "tan", "asin", "acos", "atan",
             "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "abs", "min", "max", "floor",
             "ceiling", "gamma", "Q", "phi", "Phi")
CONSTANTS = ("pi", "E")
_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.BitXor, ast.USub, ast.UAdd)


class ExpressionError(ValueError):
    """A candidate expression refused before anything is evaluated."""


def _namespace() -> dict[str, Any]:
    """The only names ``parse_expr`` sees: sympy's number classes, the whitelisted functions
    and constants. Q, phi, Phi are the standard normal tail, pdf and cdf of the formula sheet."""
    import sympy as sp

    sqrt2 = sp.sqrt(2)
    ns: dict[str, Any] = {
        "__builtins__": {},
        "Integer": sp.Integer, "Float": sp.Float, "Rational": sp.Rational, "Symbol": sp.Symbol,
        "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "erf": sp.erf, "erfc": sp.erfc,
        "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "asin": sp.asin, "acos": sp.acos,
        "atan": sp.atan, "arcsin": sp.asin, "arccos": sp.acos, "arctan": sp.atan,
        "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "abs": sp.Abs, "min": sp.Min,
        "max": sp.Max, "floor": sp.floor, "ceiling": sp.ceiling, "gamma": sp.gamma,
        "Q": lambda t: sp.erfc(t / sqrt2) / 2,
        "Phi": lambda t: sp.erfc(-t / sqrt2) / 2,
        "phi": lambda t: sp.exp(-t ** 2 / 2) / sp.sqrt(2 * sp.pi),
        "pi": sp.pi, "E": sp.E,
    }
    assert set(FUNCTIONS) | set(CONSTANTS) <= set(ns)
    return ns


def _check_syntax(expr: str, allowed: Sequence[str]) -> list[str]:
    """Refuse everything but arithmetic on numbers, ``allowed`` names and whitelisted calls;
    return the parameter names used (in order of first use)."""
    if not isinstance(expr, str) or not expr.strip():
        raise ExpressionError("the expression is empty")
    if len(expr) > 2000:
        raise ExpressionError(f"the expression is {len(expr)} characters long (at most 2000)")
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"not a formula: {exc.msg} in {expr!r}") from None
    used: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Expression):
            continue
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise ExpressionError(f"only numbers are allowed as literals, not {node.value!r}")
        elif isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise ExpressionError(f"name {node.id!r} refused (names with underscores in front "
                                      "are never allowed)")
            if node.id in FUNCTIONS or node.id in CONSTANTS:
                continue
            if node.id not in allowed:
                raise ExpressionError(
                    f"unknown symbol {node.id!r}: the claim's numeric parameters are "
                    f"{', '.join(allowed) or '(none)'}; functions {', '.join(FUNCTIONS)}; "
                    f"constants {', '.join(CONSTANTS)}")
            if node.id not in used:
                used.append(node.id)
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                what = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
                raise ExpressionError(f"call of {what!r} refused: only {', '.join(FUNCTIONS)} may be called")
            if node.keywords:
                raise ExpressionError(f"keyword arguments refused in the call of {node.func.id!r}")
        elif isinstance(node, (ast.BinOp, ast.UnaryOp)):
            if not isinstance(node.op, _OPS):
                raise ExpressionError(f"operator {type(node.op).__name__} refused "
                                      "(only + - * / ** ^ and unary minus)")
        elif isinstance(node, ast.operator | ast.unaryop | ast.expr_context):
            continue
        elif isinstance(node, ast.Attribute):
            raise ExpressionError(f"attribute access {ast.unparse(node)!r} refused")
        else:
            raise ExpressionError(f"{type(node).__name__} refused in {expr!r}: "
                                  "only arithmetic, numbers, parameters and whitelisted functions")
    _digits(tree.body)  # exact constants sympy would fold: refused by size before evaluation
    # a parameter name that shadows a function is used as the parameter
    return used


MAX_DIGITS = 10_000
"""Largest exact number (decimal digits) a constant part of EXPR may fold to: sympy evaluates
``10**10**10`` exactly, which never returns; the size is estimated on the syntax tree first."""


def _digits(node: ast.AST) -> float | None:
    """Upper estimate of the decimal digits (log10 of numerator times denominator) of an exact
    constant subexpression as sympy folds it, None where it involves a parameter, a float
    literal or a call (those are not folded exactly). Raises :class:`ExpressionError` past :data:`MAX_DIGITS`."""
    if isinstance(node, ast.Constant):
        x = node.value  # a float literal makes sympy compute in floating point: not exact
        return math.log10(max(abs(x), 2)) if isinstance(x, int) else None
    if isinstance(node, ast.UnaryOp):
        return _digits(node.operand)
    if isinstance(node, ast.Call):
        for a in node.args:
            _digits(a)
        return None
    if not isinstance(node, ast.BinOp):
        return None
    left, right = _digits(node.left), _digits(node.right)
    if left is None or right is None:
        return None
    if isinstance(node.op, (ast.Pow, ast.BitXor)):
        # |exponent| <= 10^digits(exponent): the power has up to digits(base) * |exponent| digits
        size = left * 10.0 ** min(right, 300.0)
    else:  # sums, products and quotients of rationals: the digits add up
        size = left + right + math.log10(2)
    if size > MAX_DIGITS:
        raise ExpressionError(f"the constant {ast.unparse(node)!r} would be an exact number of about "
                              f"{size:.3g} digits (at most {MAX_DIGITS}); write it as a float (e.g. 1e300) "
                              "or in the parameters")
    return size


def parse_candidate(expr: str, params: Sequence[str]):
    """``(sympy expression, parameter names used)`` for ``expr`` over the names ``params``;
    raises :class:`ExpressionError` with a clear message for anything outside the whitelist
    (``"expr=... violates the condition: <reason>"``; ``exc.reason`` is the reason alone)."""
    if isinstance(params, (str, bytes)) or not hasattr(params, "__iter__") or \
            not all(isinstance(p, str) and p.isidentifier() for p in params):
        raise ExpressionError(f"params={params!r} violates the condition: a sequence of parameter names")
    try:
        return _parse_candidate(expr, list(params))
    except ExpressionError as exc:
        err = ExpressionError(f"expr={expr!r} violates the condition: {exc}")
        err.reason = str(exc)
        raise err from None


def _parse_candidate(expr: str, params: Sequence[str]):
    used = _check_syntax(expr, params)
    try:
        import sympy as sp  # noqa: F401
        from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations
    except ImportError:  # pragma: no cover - depends on the install
        raise ExpressionError('EXPR needs sympy: pip install -e ".[cli]"') from None
    ns = _namespace()
    local = {p: sp.Symbol(p, real=True) for p in params}
    try:
        parsed = parse_expr(expr.strip(), local_dict=local, global_dict=ns,
                            transformations=standard_transformations + (convert_xor,), evaluate=True)
    except Exception as exc:  # noqa: BLE001 - a wrong arity and the like, reported plainly
        raise ExpressionError(f"cannot read {expr!r} as a formula: {type(exc).__name__}: {exc}") from None
    if not isinstance(parsed, sp.Expr):
        raise ExpressionError(f"{expr!r} is not a numeric formula")
    if parsed.has(sp.zoo) or parsed.has(sp.nan):
        raise ExpressionError(f"{expr!r} is not a finite formula (it simplifies to {parsed}: a division "
                              "by zero or an undefined value)")
    stray = sorted(str(s) for s in parsed.free_symbols if str(s) not in params)
    if stray:
        raise ExpressionError(f"unknown symbol(s) {stray}")
    if parsed.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise ExpressionError(f"{expr!r} is undefined (it simplifies to {parsed})")
    if parsed.has(sp.I):
        raise ExpressionError(f"{expr!r} is not real (it simplifies to {parsed})")
    return parsed, used


def parse_latex_candidate(latex: str, params: Sequence[str]):
    """``(sympy expression, parameter names used)`` for a LaTeX formula, through sympy's
    ``parse_latex`` (its ANTLR backend needs ``antlr4-python3-runtime==4.11.1``, the ``cli``
    extra): ``e`` is Euler's number (unless a parameter is called e), ``\\pi`` is pi,
    ``\\mathrm{erfc}`` / ``\\operatorname{...}`` and ``Q(...)``, ``\\Phi(...)``, ``\\phi(...)`` are
    the functions of :data:`FUNCTIONS`; any other function or symbol is refused with
    :class:`ExpressionError`."""
    if isinstance(params, (str, bytes)) or not hasattr(params, "__iter__") or \
            not all(isinstance(p, str) and p.isidentifier() for p in params):
        raise ExpressionError(f"params={params!r} violates the condition: a sequence of parameter names")
    params = list(params)
    try:
        return _parse_latex(latex, params)
    except ExpressionError as exc:
        err = ExpressionError(f"latex={latex!r} violates the condition: {exc}")
        err.reason = str(exc)
        raise err from None


def _parse_latex(latex: str, params: Sequence[str]):
    import re

    if not isinstance(latex, str) or not latex.strip():
        raise ExpressionError("the formula is empty")
    if len(latex) > 2000:
        raise ExpressionError(f"the formula is {len(latex)} characters long (at most 2000)")
    try:
        import sympy as sp
        from sympy.core.function import AppliedUndef
        from sympy.parsing.latex import parse_latex
    except ImportError:  # pragma: no cover - depends on the install
        raise ExpressionError('--latex needs sympy and antlr4-python3-runtime==4.11.1: pip install -e ".[cli]"') from None
    # named functions become single free letters that parse_latex reads as function calls
    free = iter(c for c in "FGHKMNOPSTUVWXYZ" if c not in params)
    letters: dict[str, str] = {}

    def named(m: "re.Match") -> str:
        name = m.group(1)
        if name not in FUNCTIONS:
            raise ExpressionError(f"unknown function {m.group(0)!r}: only {', '.join(FUNCTIONS)}")
        letter = next(free)
        letters[letter] = name
        return letter

    text = re.sub(r"\\(?:operatorname|mathrm|text)\{([A-Za-z]+)\}", named, latex.strip())
    text = re.sub(r"\\(Phi|phi)(?![A-Za-z])", named, text)
    try:
        parsed = parse_latex(text)
    except Exception as exc:  # noqa: BLE001 - the parser's own error, reported plainly
        raise ExpressionError(f"cannot read {latex!r} as LaTeX: {type(exc).__name__}: "
                              f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
    ns = _namespace()
    for call in sorted(parsed.atoms(AppliedUndef), key=str):
        name = letters.get(call.func.__name__, call.func.__name__)
        if name not in FUNCTIONS:
            raise ExpressionError(f"unknown function {name!r}: only {', '.join(FUNCTIONS)}")
        parsed = parsed.subs(call, ns[name](*call.args))
    real = {sp.Symbol(p): sp.Symbol(p, real=True) for p in params}
    consts = {sp.Symbol("e"): sp.E, sp.Symbol("pi"): sp.pi}
    parsed = parsed.subs({**{k: x for k, x in consts.items() if str(k) not in params}, **real})
    if not isinstance(parsed, sp.Expr):
        raise ExpressionError(f"{latex!r} is not a numeric formula")
    stray = sorted(str(x) for x in parsed.free_symbols if str(x) not in params)
    if stray:
        raise ExpressionError(f"unknown symbol(s) {stray}: the claim's numeric parameters are "
                              f"{', '.join(params) or '(none)'}")
    if parsed.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise ExpressionError(f"{latex!r} is undefined (it reads {parsed})")
    if parsed.has(sp.I):
        raise ExpressionError(f"{latex!r} is not real (it reads {parsed})")
    used = [p for p in params if sp.Symbol(p, real=True) in parsed.free_symbols]
    return parsed, used


def candidate(expr: str, params: Sequence[str], *, latex: bool = False) -> Callable[[dict], Any]:
    """A candidate bound ``params -> mpmath.mpf`` for :func:`montecarlo.falsify`: ``expr``
    (sympy syntax, or LaTeX with ``latex=True``) lambdified with the mpmath module, evaluated
    at mpf arguments (no underflow). ``candidate.formula`` is the parsed formula."""
    import mpmath

    if not isinstance(latex, bool):
        raise ValueError(f"latex={latex!r} violates the condition: a bool")
    parsed, used = (parse_latex_candidate if latex else parse_candidate)(expr, params)
    import sympy as sp

    names = sorted(used)
    fn = sp.lambdify([sp.Symbol(n, real=True) for n in names], parsed, modules="mpmath")

    def bound(p: dict) -> Any:
        at = ", ".join(f"{n}={float(p[n]):.6g}" for n in names)
        try:
            value = fn(*[mpmath.mpf(float(p[n])) for n in names])
        except (ArithmeticError, ValueError, TypeError) as exc:  # 1/B at B = 0, log(-B) ...
            raise ExpressionError(f"EXPR={expr!r} is undefined at {at} ({type(exc).__name__}"
                                  f"{': ' + str(exc) if str(exc) else ''})") from None
        if isinstance(value, mpmath.mpc):
            if value.imag != 0:
                raise ExpressionError(f"EXPR={expr!r} is complex ({value}) at {at}")
            value = value.real
        value = mpmath.mpf(value)
        if not mpmath.isfinite(value):
            raise ExpressionError(f"EXPR={expr!r} is undefined at {at} (value {value})")
        return value

    bound.__name__ = "candidate"
    bound.__doc__ = f"candidate bound {expr}"
    bound.formula = parsed
    return bound
