"""Array checks: real arrays of a shape, unit-norm data rows, labels, correlations,
symmetric matrices and sequences of integers or biases. Part of :mod:`bounds.validate`."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._scalars import B_MAX, _REAL_KINDS, _complex_scalar, _scalar, even_int, fail, positive_int


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
