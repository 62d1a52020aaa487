"""Domain checks shared by every public function: the suite's one validation vocabulary.

Each check raises ``ValueError`` naming the parameter, its value and the violated
condition (``"name=value violates the condition ..."``), so that a bad call fails loudly
instead of returning NaN, a wrong number, another exception, hanging or running out of memory.

Vocabulary (every check takes the public parameter name first and returns the clean value):

- scalars: :func:`real` (a finite real), :func:`nonneg`, :func:`positive`, :func:`probability`;
- integers: :func:`positive_int` (refuses 2.5, bools, strings), :func:`nonneg_int`,
  :func:`even_int`, :func:`check_int_range`;
- :func:`boolean` (a real ``bool``: the string ``"False"`` is refused, not taken as true);
- :func:`seed` (an int in [0, 2**63), never None: every run must reproduce);
- :func:`dps` (mpmath decimal places, an int in [1, ``MAX_DPS``]);
- arrays: :func:`finite`, :func:`array` (shape and finiteness), :func:`unit_rows`, :func:`labels`,
  :func:`correlation`; paper-specific: :func:`bias`, :func:`radius`;
- the **work budget** :func:`work` / :func:`memory`: a function whose cost grows with m, n, d,
  samples or dps estimates its cost up front and refuses (naming the parameter) when it exceeds
  ``WORK_BUDGET`` element-operations or ``MEMORY_BUDGET`` bytes of arrays. Raise the budgets for
  one block with ``with validate.budgets(work=1e11, memory=16 * 2**30): ...`` or per call with
  the ``budget=`` argument of :func:`work` / :func:`memory`.
"""

from __future__ import annotations

import contextlib
import math
import numbers
from typing import Any, Iterator

import numpy as np

__all__ = [
    "fail",
    "finite",
    "real",
    "nonneg",
    "positive",
    "probability",
    "positive_int",
    "nonneg_int",
    "even_int",
    "check_int_range",
    "boolean",
    "seed",
    "dps",
    "array",
    "bias",
    "radius",
    "unit_rows",
    "labels",
    "correlation",
    "symmetric_matrix",
    "work",
    "memory",
    "mp_quad_work",
    "budgets",
    "WORK_BUDGET",
    "MEMORY_BUDGET",
    "SEED_LIMIT",
    "INT_LIMIT",
    "MAX_DPS",
    "B_MAX",
    "B_DOUBLE",
    "values",
    "choice",
    "int_pair",
    "int_list",
    "biases",
]

WORK_BUDGET: float = 1e11
"""Default work budget of :func:`work`: element-operations (array elements touched, loop
iterations, mpmath digit-operations) one call may do: ~1e11 is minutes of BLAS on one core, above
the heaviest claim of the suite (5e10), far below a 10**12-sized request."""

MEMORY_BUDGET: float = 4 * 2**30
"""Default memory budget of :func:`memory`: bytes of arrays one call may allocate (4 GiB)."""

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


def _element(name: str, value: Any, x: Any) -> float:
    """One entry of a list/tuple that numpy left as objects (mpf, Fraction, Decimal, an int
    beyond int64): a real number, converted to the nearest double."""
    if (x is None or isinstance(x, (str, bytes, bool, np.bool_)) or _complex_scalar(x)
            or np.ndim(x) != 0):
        fail(name, value, f"a real number or array of real numbers (an entry is {x!r}, "
                          f"of type {type(x).__name__})")
    try:
        return float(x)
    except (TypeError, ValueError, OverflowError):
        fail(name, value, f"a real number or array of real numbers (an entry is {x!r}, "
                          f"of type {type(x).__name__})")


def _floats(name: str, value: Any) -> np.ndarray:
    """``value`` as a float64 array, refusing None, strings, complex numbers and arrays whose
    dtype is not real (complex, text, bool, object: ``np.asarray(..., dtype=float)`` would
    drop an imaginary part or parse ``"0.5"``), and ragged input, with the standard message.
    Lists of mpf, Fraction or Decimal are accepted, rounded to the nearest double."""
    if isinstance(value, np.ndarray):
        arr = value
        if arr.dtype.kind not in _REAL_KINDS:
            fail(name, value, f"a real number or array of real numbers (dtype {arr.dtype} is not "
                              f"an integer or float dtype)")
    else:
        if value is None or isinstance(value, (str, bytes)) or _complex_scalar(value):
            fail(name, value, "a real number or array of real numbers")
        if isinstance(value, (bool, np.bool_)):
            fail(name, value, "a real number or array of real numbers (not a bool)")
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError, OverflowError):
            fail(name, value, "a real number or array of real numbers")
        if arr.dtype.kind == "O":
            arr = np.array([_element(name, value, x) for x in arr.ravel()], dtype=float).reshape(arr.shape)
        elif arr.dtype.kind not in _REAL_KINDS:
            fail(name, value, f"a real number or array of real numbers (got entries of dtype {arr.dtype})")
    try:
        return np.asarray(arr, dtype=float)
    except (TypeError, ValueError, OverflowError):
        fail(name, value, "a real number or array of real numbers")


def values(name: str, value: Any, *, allow_inf: bool = False) -> np.ndarray:
    """Real numbers of any shape as a float array: NaN always refused, +-inf only when
    ``allow_inf`` (e.g. Q(+inf) = 0 is exact)."""
    arr = _floats(name, value)
    bad = np.isnan(arr) if allow_inf else ~np.isfinite(arr)
    if np.any(bad):
        fail(name, float(arr[bad].ravel()[0]) if arr.ndim else value,
             "not NaN" if allow_inf else "finite (no NaN or inf)")
    return arr


def finite(name: str, value: Any) -> Any:
    """Reject NaN and +-inf anywhere in a scalar or array (and values that are not numbers)."""
    arr = _floats(name, value)
    if not np.all(np.isfinite(arr)):
        bad = arr[~np.isfinite(arr)].ravel()[0] if arr.ndim else arr
        fail(name, float(bad) if arr.ndim else value, "finite (no NaN or inf)")
    return value


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


def symmetric_matrix(name: str, M: Any, n: int | None = None) -> np.ndarray:
    """A finite symmetric matrix or stack of them, shape (..., n, n), n >= 1 (and = ``n`` when
    given); symmetric up to 1e-12 relative to its largest entry (H_inf may be ~1e-9), returned
    exactly symmetrized."""
    A = _floats(name, M)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2] or A.shape[-1] < 1:
        fail(f"{name}.shape", A.shape, "(..., n, n) with n >= 1")
    if n is not None and A.shape[-1] != n:
        fail(f"{name}.shape", A.shape, f"matching n = {n}")
    if not np.isfinite(A).all():
        finite(name, A)  # raises, naming the first non-finite entry
    scale = float(np.abs(A).max()) if A.size else 0.0
    if np.abs(A - np.swapaxes(A, -1, -2)).max() > 1e-12 * scale:
        fail(name, A if A.size <= 6 else A.shape, "symmetric")
    return 0.5 * (A + np.swapaxes(A, -1, -2))


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


def unit_rows(name: str, X: Any, tol: float = 1e-8) -> np.ndarray:
    """Data matrix with unit-norm rows, shape (n, d), n >= 1."""
    arr = _floats(name, X)
    if arr.ndim != 2:
        fail(name, arr, "a 2-D array of shape (n, d)")
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        fail(f"{name}.shape", arr.shape, "n >= 1 and d >= 1")
    if not np.isfinite(arr).all():
        finite(name, arr)  # raises, naming the first non-finite entry
    norms = np.linalg.norm(arr, axis=1)
    bad = np.flatnonzero(np.abs(norms - 1.0) > tol)
    if bad.size:
        i = int(bad[0])
        fail(f"||{name}[{i}]||", float(norms[i]), f"unit-norm rows (|norm - 1| <= {tol:g})")
    return arr


def labels(name: str, y: Any, n: int | None = None) -> np.ndarray:
    """Labels with |y_i| <= 1 (Section 2.1)."""
    arr = _floats(name, y)
    if arr.ndim != 1:
        fail(name, arr, "a 1-D array")
    if n is not None and arr.shape[0] != n:
        fail(f"len({name})", arr.shape[0], f"len({name}) = n = {n}")
    if not np.isfinite(arr).all():
        finite(name, arr)  # raises, naming the first non-finite entry
    if np.any(np.abs(arr) > 1 + 1e-12):
        fail(name, float(arr[np.argmax(np.abs(arr))]), f"|{name}_i| <= 1")
    return arr


def correlation(name: str, rho: Any) -> np.ndarray:
    """Correlations in [-1, 1]."""
    arr = _floats(name, rho)
    if not np.isfinite(arr).all():
        finite(name, arr)  # raises, naming the first non-finite entry
    if np.any(np.abs(arr) > 1 + 1e-12):
        fail(name, float(arr.ravel()[np.argmax(np.abs(arr).ravel())]), f"-1 <= {name} <= 1")
    return np.clip(arr, -1.0, 1.0)


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


def _sequence(name: str, value: Any, min_len: int, what: str) -> list:
    if isinstance(value, (str, bytes, dict)) or value is None or np.ndim(value) > 1:
        fail(name, value, f"a sequence of {what} (at least {min_len})")
    items = list(np.atleast_1d(value)) if np.ndim(value) == 0 else list(value)
    if len(items) < min_len:
        fail(name, value, f"len({name}) >= {min_len} ({what})")
    return items


def int_list(name: str, value: Any, *, min_len: int = 1, even: bool = False) -> list[int]:
    """A sequence of positive (even) integers, at least ``min_len`` of them (widths, sizes)."""
    check = even_int if even else positive_int
    out = [check(name, x) for x in _sequence(name, value, 0, "positive integers")]
    if len(out) < min_len:
        fail(name, value, f"len({name}) >= {min_len} (positive integers)")
    return out


def biases(name: str, value: Any, *, min_len: int = 1, hi: float = B_MAX, why: str = "") -> np.ndarray:
    """A sequence of biases 0 <= B <= hi (``Bs``; hi = B_MAX unless a caller needs less, e.g.
    ``B_DOUBLE`` where it divides by e^{-B^2/2}), at least ``min_len`` of them."""
    out = []
    for x in _sequence(name, value, min_len, "biases"):
        b = _scalar(name, x)
        if b < 0 or b > hi:
            fail(name, x, f"0 <= B <= {hi:g} for every B in {name}" + (f" ({why})" if why else ""))
        out.append(b)
    return np.array(out, dtype=float)


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


def array(name: str, value: Any, *, ndim: int | None = None, shape: tuple | None = None,
          finite_: bool = True, min_size: int = 1) -> np.ndarray:
    """A float array with ``ndim`` dimensions and, where ``shape`` gives an int (None =
    any), that length per axis; all entries finite unless ``finite_`` is False."""
    arr = _floats(name, value)
    if ndim is not None and arr.ndim != ndim:
        fail(f"{name}.ndim", arr.ndim, f"{name} a {ndim}-D array")
    if shape is not None:
        for axis, want in enumerate(shape):
            if want is not None and arr.shape[axis] != want:
                fail(f"{name}.shape", arr.shape, f"{name}.shape[{axis}] = {want}")
    if arr.size < min_size:
        fail(f"{name}.size", arr.size, f"{name} has at least {min_size} entries")
    if finite_ and not np.isfinite(arr).all():
        finite(name, arr)  # raises, naming the first non-finite entry
    return arr


_BUDGETS = {"work": None, "memory": None}


@contextlib.contextmanager
def budgets(work: float | None = None, memory: float | None = None) -> Iterator[None]:
    """Set the work (element-operations) and memory (bytes) budgets for a block, e.g.
    ``with budgets(work=1e11): big_run()``; the previous budgets come back afterwards."""
    old = dict(_BUDGETS)
    if work is not None:
        _BUDGETS["work"] = positive("work", work)
    if memory is not None:
        _BUDGETS["memory"] = positive("memory", memory)
    try:
        yield
    finally:
        _BUDGETS.update(old)


def work(name: str, value: Any, cost: float, *, budget: float | None = None,
         what: str = "element-operations") -> float:
    """The work budget: refuse a call whose estimated ``cost`` (element-operations, computed
    by the caller from m, n, d, samples, dps, ...) exceeds the budget, naming the parameter
    ``name`` (=``value``) that makes it large, instead of hanging. Budget: ``budget`` if given,
    else the one set by :func:`budgets`, else ``WORK_BUDGET``."""
    limit = float(budget if budget is not None else
                  _BUDGETS["work"] if _BUDGETS["work"] is not None else WORK_BUDGET)
    c = float(cost)
    if not c <= limit:  # also refuses a NaN or overflowed cost
        fail(name, value, f"estimated work {c:.3g} {what} <= budget {limit:.3g} "
                          f"(raise it with bounds.validate.budgets(work=...))")
    return c


def memory(name: str, value: Any, nbytes: float, *, budget: float | None = None) -> float:
    """The memory budget: refuse a call whose arrays would take ``nbytes`` bytes, more than
    the budget (``budget``, else :func:`budgets`, else ``MEMORY_BUDGET`` = 4 GiB), naming the
    parameter ``name`` (=``value``) that makes them large, instead of a MemoryError."""
    limit = float(budget if budget is not None else
                  _BUDGETS["memory"] if _BUDGETS["memory"] is not None else MEMORY_BUDGET)
    b = float(nbytes)
    if not b <= limit:
        fail(name, value, f"estimated memory {b / 2**30:.3g} GiB <= budget {limit / 2**30:.3g} GiB "
                          f"(raise it with bounds.validate.budgets(memory=...))")
    return b



def mp_quad_work(dps: int, count: float = 1.0, *, name: str = "dps", value: Any = None) -> float:
    """The work budget for ``count`` mpmath quadratures (``mp.quad``) at ``dps`` digits:
    about 2.5e4 (dps + 10)^2 element-operations each (measured 0.07 s at dps = 30 and 9 s at
    dps = 600 for one Owen's T integral, the budget's scale being ~1e9 per second), so that
    dps = 3000 is refused up front instead of running for minutes."""
    return work(name, dps if value is None else value, float(count) * 2.5e4 * (float(dps) + 10.0) ** 2,
                what="element-operations of mpmath quadrature" + (f" ({count:g} integrals)" if count != 1 else ""))
