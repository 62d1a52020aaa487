"""Re-evaluating a bound that underflowed in floats, in mpmath.

A candidate written with ``math.exp`` (the natural way) is 0.0 in floats at B = 200
(e^{-20000}), while the exact flip probability there is a perfectly good number in log space.
Scoring 0.0 as the bound would refute every true constant; so :func:`check` asks this module
for the bound's value in mpmath whenever the float value is 0, infinite or below
:data:`~montecarlo.registry.verdict.TINY`:

1. the function is called with the point's float parameters as ``mpmath.mpf`` (a candidate
   written with ``mpmath.exp`` or plain arithmetic then keeps its value);
2. when that still is no finite nonzero mpf, a plain Python function is called once more
   with ``math``, ``numpy`` and the functions taken from them (``exp``, ``log``, ``sqrt``,
   ``erfc`` ...) replaced in its globals by their mpmath counterparts.

The result is trusted only when it is a finite ``mpf`` (the arithmetic went through mpmath),
and an exact 0 only from a function that reads nothing but math, numpy and numbers; else
the point is "candidate underflowed": no verdict, and the user is told to write the bound
with ``mpmath.exp``.
"""

from __future__ import annotations

import math
import types
from typing import Any, Callable, Mapping

import mpmath
import numpy as np

# names of math/numpy functions and constants with an mpmath counterpart
_MP_NAMES = {
    "exp": mpmath.exp, "expm1": mpmath.expm1, "log": mpmath.log, "log1p": mpmath.log1p,
    "log2": lambda x: mpmath.log(x, 2), "log10": mpmath.log10, "sqrt": mpmath.sqrt,
    "power": mpmath.power, "pow": mpmath.power, "erf": mpmath.erf, "erfc": mpmath.erfc,
    "sin": mpmath.sin, "cos": mpmath.cos, "tan": mpmath.tan, "sinh": mpmath.sinh,
    "cosh": mpmath.cosh, "tanh": mpmath.tanh, "asin": mpmath.asin, "acos": mpmath.acos,
    "atan": mpmath.atan, "arcsin": mpmath.asin, "arccos": mpmath.acos, "arctan": mpmath.atan,
    "gamma": mpmath.gamma, "lgamma": mpmath.loggamma, "fabs": mpmath.fabs, "abs": mpmath.fabs,
    "absolute": mpmath.fabs, "square": lambda x: x * x, "pi": mpmath.pi, "e": mpmath.e,
}


class _Shim(types.ModuleType):
    """A stand-in for ``math`` or ``numpy``: mpmath where it has the name, the module else."""

    def __init__(self, module: types.ModuleType):
        super().__init__(module.__name__)
        self._module = module

    def __getattr__(self, name: str) -> Any:
        if name in ("pi", "e"):
            return +_MP_NAMES[name]  # the constant at the working precision
        if name in _MP_NAMES:
            return _MP_NAMES[name]
        return getattr(self._module, name)


def _stand_in(value: Any) -> Any:
    """mpmath's counterpart of math, numpy or one of their functions; ``value`` itself else."""
    if value is math or value is np:
        return _Shim(value)
    if callable(value):
        for mod in (math, np):
            for name, mp in _MP_NAMES.items():
                if getattr(mod, name, None) is value:
                    return mp
    return value


def _mp_function(fn: types.FunctionType) -> types.FunctionType:
    """``fn`` with math/numpy (and their functions bound to names, global or closed over) in mpmath."""
    glob = {name: _stand_in(value) for name, value in fn.__globals__.items()}
    closure = None
    if fn.__closure__ is not None:
        cells = []
        for cell in fn.__closure__:
            try:
                cells.append(types.CellType(_stand_in(cell.cell_contents)))
            except ValueError:  # an empty cell
                cells.append(cell)
        closure = tuple(cells)
    return types.FunctionType(fn.__code__, glob, fn.__name__, fn.__defaults__, closure)


def _pure(fn: types.FunctionType) -> bool:
    """True when every global ``fn`` reads is math, numpy, a function replaced by mpmath or a
    number, and it defines no inner function: its shimmed value is then computed in mpmath
    throughout, so an exact 0 from it is a real 0 (not an underflow in some helper)."""
    if any(isinstance(k, types.CodeType) for k in fn.__code__.co_consts):
        return False
    by_id = {id(getattr(mod, name)) for mod in (math, np) for name in _MP_NAMES if hasattr(mod, name)}
    for name in fn.__code__.co_names:
        if name not in fn.__globals__:
            continue  # an attribute name (math.exp's "exp") or a builtin
        value = fn.__globals__[name]
        if not (value is math or value is np or id(value) in by_id or isinstance(value, (int, float))):
            return False
    return True


def _mp_params(params: Mapping[str, Any]) -> dict:
    return {k: (mpmath.mpf(float(x)) if isinstance(x, (float, np.floating)) else x) for k, x in params.items()}


def _good(x: Any) -> bool:
    return isinstance(x, mpmath.mpf) and mpmath.isfinite(x)


def mp_value(fn: Callable[[Mapping[str, Any]], Any], params: Mapping[str, Any]) -> "mpmath.mpf | None":
    """``fn`` at ``params`` in mpmath (see the module docstring), or None when it cannot be
    evaluated there in mpmath."""
    with mpmath.workdps(30):
        p = _mp_params(params)
        got = None
        try:
            got = fn(p)
        except Exception:  # a function that only takes floats: try the next way
            got = None
        if _good(got) and got != 0:
            return +got
        if isinstance(fn, types.FunctionType):
            try:
                again = _mp_function(fn)(p)
            except Exception:
                again = None
            if _good(again) and (again != 0 or _pure(fn)):
                return +again
            if isinstance(again, (int, float)) and again == 0 and _pure(fn):
                return mpmath.mpf(0)
        return None


def underflowed(x: float) -> bool:
    """A float bound that may have lost its value: 0, infinite, or below 1e-250 in magnitude."""
    return x == 0 or math.isinf(x) or abs(x) < 1e-250
