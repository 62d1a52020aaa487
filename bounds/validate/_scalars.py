"""Scalar checks: the standard error (:func:`fail`), real numbers, integers, flags,
seeds, precision and the paper's B and R. Part of :mod:`bounds.validate` (import it from there)."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

SEED_LIMIT = 2**63
"""Seeds are integers in [0, SEED_LIMIT)."""

MAX_DPS = 10_000
"""Largest mpmath precision (decimal places) a ``_mp`` function accepts."""


def _show(value: Any) -> str:
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return np.array2string(value, precision=6)
        return f"array(shape={value.shape})"
    return repr(value)


def fail(name: str, value: Any, condition: str) -> None:
    """Raise the suite's standard domain error."""
    raise ValueError(f"{name}={_show(value)} violates the condition {condition}")


_REAL_KINDS = "iuf"  # numpy dtype kinds of real numbers (int, unsigned, float)


def _complex_scalar(value: Any) -> bool:
    return (isinstance(value, (complex, np.complexfloating))
            or (isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real)))


def _scalar(name: str, value: Any) -> float:
    """A real scalar as a float: int, float, numpy integer/float scalars (float32 widened
    exactly), 0-d real arrays, mpf, Fraction and Decimal (rounded to the nearest double).
    Refused: None, strings, bools, complex numbers (``float(np.complex128(1+1j))`` is 1.0),
    arrays with more than one entry, NaN and +-inf.

    The checks below call this one function at most once, and not at all for a finite Python
    float (the values a sweep draws): validation is flat, never a chain of re-checks."""
    if isinstance(value, float):  # a Python float or np.float64 (a subclass)
        if value - value == 0.0:  # finite (NaN and +-inf give NaN)
            return float(value)
        fail(name, float(value), "finite (no NaN or inf)")
    if isinstance(value, (str, bytes, bool, np.bool_)) or value is None:
        fail(name, value, "a real number")
    if _complex_scalar(value):
        fail(name, value, "a real number (not complex)")
    if isinstance(value, np.ndarray):
        if value.ndim != 0:
            fail(name, value, f"a real number (a scalar, not an array of shape {value.shape})")
        if value.dtype.kind not in _REAL_KINDS:
            fail(name, value, f"a real number (dtype {value.dtype} is not an integer or float dtype)")
        value = value[()]
    try:
        x = float(value)
    except (TypeError, ValueError, OverflowError):
        fail(name, value, "a real number")
    if np.ndim(value) != 0:
        fail(name, value, "a scalar")
    if not math.isfinite(x):
        fail(name, x, "finite (no NaN or inf)")
    return x


def real(name: str, value: Any) -> float:
    """A finite real scalar (not None, a string, a bool, an array, NaN or +-inf)."""
    return _scalar(name, value)


def nonneg(name: str, value: Any) -> float:
    x = float(value) if isinstance(value, float) and value - value == 0.0 else _scalar(name, value)
    if x < 0:
        fail(name, value, f"{name} >= 0")
    return x


def positive(name: str, value: Any) -> float:
    x = float(value) if isinstance(value, float) and value - value == 0.0 else _scalar(name, value)
    if not x > 0:
        fail(name, value, f"{name} > 0")
    return x


def probability(name: str, value: Any) -> float:
    """A failure probability: 0 < delta < 1."""
    x = float(value) if isinstance(value, float) and value - value == 0.0 else _scalar(name, value)
    if not 0.0 < x < 1.0:
        fail(name, value, f"0 < {name} < 1")
    return x


INT_LIMIT = 2**63
"""Integers (sizes, counts, steps) are below 2**63: numpy's int64, beyond which its ufuncs
take Python objects (and raise a TypeError naming no parameter)."""


def _integer(name: str, value: Any, low: int, kind: str) -> int:
    """An integer >= low and < 2**63 (integral floats accepted, bools refused); ``kind``
    words the type."""
    if type(value) is int and low <= value < INT_LIMIT:
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
            value = int(value)
        else:
            fail(name, value, f"{name} a {kind} integer")
    if value < low:
        fail(name, value, f"{name} >= {low}")
    if value >= INT_LIMIT:
        fail(name, value, f"{name} < 2**63 (an int64)")
    return int(value)


def positive_int(name: str, value: Any) -> int:
    """An integer >= 1 (a width, a number of points or draws)."""
    if type(value) is int and 1 <= value < INT_LIMIT:
        return value
    return _integer(name, value, 1, "positive")


def nonneg_int(name: str, value: Any) -> int:
    """An integer >= 0 (a step count, a number of iterations)."""
    if type(value) is int and 0 <= value < INT_LIMIT:
        return value
    return _integer(name, value, 0, "non-negative")


def even_int(name: str, value: Any) -> int:
    v = positive_int(name, value)
    if v % 2:
        fail(name, value, f"{name} even (symmetric initialization pairs neuron r with r + {name}/2)")
    return v


B_MAX = 1e6
"""Largest bias the float formulas accept: at B = 1e6 every probability is e^{-5e11}
(0 in float, exact in the log and _mp forms); beyond, B^2 and the quadrature lose meaning
(log p(0.3, 1e20) came out +inf)."""

B_DOUBLE = 37.0
"""Largest bias at which e^{-B^2/2} (and Q(B), the kernel's entries) is still a normal double
(e^{-37^2/2} = 2e-298; the smallest normal is 2.2e-308): the limit of the report-only
experiments that divide by these in float."""


def bias(B: Any) -> float:
    """The initial bias 0 <= B <= B_MAX (= 1e6)."""
    b = float(B) if isinstance(B, float) and B - B == 0.0 else _scalar("B", B)
    if b < 0:
        fail("B", B, "B >= 0")
    if b > B_MAX:
        fail("B", B, f"B <= {B_MAX:g} (B_MAX: e^(-B^2/2) and the quadratures are meaningless beyond)")
    return b


def radius(B: float, R: Any, *, require_R_le_inv_B: bool = True) -> float:
    """The perturbation radius: R > 0 and, when B > 0, R <= 1/B (Lemma 3.3's condition)."""
    r = float(R) if isinstance(R, float) and R - R == 0.0 else _scalar("R", R)
    if not r > 0:
        fail("R", R, "R > 0")
    if require_R_le_inv_B and B > 0 and r > 1.0 / B * (1 + 1e-12):
        fail("R", R, f"R <= 1/B = {1.0 / B:.6g} (B={B:g})")
    return r


def check_int_range(name: str, value: int, low: int, high: int | None = None) -> int:
    """A positive integer in [low, high] (high = None: no upper limit)."""
    v = positive_int(name, value)
    if v < low:
        fail(name, value, f"{name} >= {low}")
    if high is not None and v > high:
        fail(name, value, f"{name} <= {high}")
    return v


def boolean(name: str, value: Any) -> bool:
    """A real ``bool`` (or numpy bool). Strings such as ``"False"``, numbers and None are
    refused: a truthy string would silently switch a flag on."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    fail(name, value, f"{name} a bool (True or False)")


def choice(name: str, value: Any, options: Any) -> Any:
    """One of a fixed set of names (a data family, a label pattern, a mode)."""
    opts = tuple(options)
    try:
        ok = value in opts
    except TypeError:
        ok = False
    if not ok or isinstance(value, bool) != any(isinstance(o, bool) for o in opts if o == value):
        fail(name, value, f"one of {opts}")
    return value


def int_pair(name: str, value: Any, low: int = 1) -> tuple[int, int]:
    """A range (lo, hi) of integers with low <= lo <= hi (e.g. n_range=(2, 16))."""
    try:
        lo, hi = value
    except (TypeError, ValueError):
        fail(name, value, f"a pair (lo, hi) of integers, {low} <= lo <= hi")
    for x in (lo, hi):
        if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
            fail(name, value, f"a pair (lo, hi) of integers, {low} <= lo <= hi")
    if not low <= lo <= hi:
        fail(name, value, f"{low} <= lo <= hi")
    return int(lo), int(hi)


def seed(name: str, value: Any) -> int:
    """A seed: a Python int in [0, 2**63). None (fresh OS entropy), bools, negative numbers,
    floats, NaN and strings are refused: every run must reproduce."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        fail(name, value, "an integer in [0, 2**63) (every run must reproduce)")
    s = int(value)
    if not 0 <= s < SEED_LIMIT:
        fail(name, value, "an integer in [0, 2**63) (every run must reproduce)")
    return s


def dps(value: Any, name: str = "dps") -> int:
    """mpmath working precision in decimal places: an int in [1, MAX_DPS]. ``dps <= 0``
    silently computes with ~1 digit; ``dps = 10**6`` never returns."""
    d = check_int_range(name, value, 1, MAX_DPS)
    return d
