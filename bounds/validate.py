"""Domain checks shared by every public function.

Each check raises ``ValueError`` naming the parameter, its value and the violated
condition, so that a bad call fails loudly instead of returning NaN or a wrong number.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "fail",
    "finite",
    "nonneg",
    "positive",
    "probability",
    "positive_int",
    "nonneg_int",
    "even_int",
    "bias",
    "radius",
    "unit_rows",
    "labels",
    "correlation",
    "symmetric_matrix",
]


def _show(value: Any) -> str:
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return np.array2string(value, precision=6)
        return f"array(shape={value.shape})"
    return repr(value)


def fail(name: str, value: Any, condition: str) -> None:
    """Raise the suite's standard domain error."""
    raise ValueError(f"{name}={_show(value)} violates the condition {condition}")


def finite(name: str, value: Any) -> Any:
    """Reject NaN and +-inf anywhere in a scalar or array."""
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        bad = arr[~np.isfinite(arr)].ravel()[0] if arr.ndim else arr
        fail(name, float(bad) if arr.ndim else value, "finite (no NaN or inf)")
    return value


def _scalar(name: str, value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        fail(name, value, "a real number")
    if np.ndim(value) != 0:
        fail(name, value, "a scalar")
    finite(name, x)
    return x


def nonneg(name: str, value: Any) -> float:
    x = _scalar(name, value)
    if x < 0:
        fail(name, value, f"{name} >= 0")
    return x


def positive(name: str, value: Any) -> float:
    x = _scalar(name, value)
    if not x > 0:
        fail(name, value, f"{name} > 0")
    return x


def probability(name: str, value: Any) -> float:
    """A failure probability: 0 < delta < 1."""
    x = _scalar(name, value)
    if not 0.0 < x < 1.0:
        fail(name, value, f"0 < {name} < 1")
    return x


def _integer(name: str, value: Any, low: int, kind: str) -> int:
    """An integer >= low (integral floats accepted, bools refused); ``kind`` words the type."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            fail(name, value, f"{name} a {kind} integer")
    if value < low:
        fail(name, value, f"{name} >= {low}")
    return int(value)


def positive_int(name: str, value: Any) -> int:
    """An integer >= 1 (a width, a number of points or draws)."""
    return _integer(name, value, 1, "positive")


def nonneg_int(name: str, value: Any) -> int:
    """An integer >= 0 (a step count, a number of iterations)."""
    return _integer(name, value, 0, "non-negative")


def symmetric_matrix(name: str, M: Any, n: int | None = None) -> np.ndarray:
    """A finite symmetric matrix or stack of them, shape (..., n, n), n >= 1 (and = ``n`` when
    given); symmetric up to 1e-12 relative to its largest entry (H_inf may be ~1e-9), returned
    exactly symmetrized."""
    A = np.asarray(M, dtype=float)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2] or A.shape[-1] < 1:
        fail(f"{name}.shape", A.shape, "(..., n, n) with n >= 1")
    if n is not None and A.shape[-1] != n:
        fail(f"{name}.shape", A.shape, f"matching n = {n}")
    finite(name, A)
    scale = float(np.abs(A).max()) if A.size else 0.0
    if np.abs(A - np.swapaxes(A, -1, -2)).max() > 1e-12 * scale:
        fail(name, A if A.size <= 6 else A.shape, "symmetric")
    return 0.5 * (A + np.swapaxes(A, -1, -2))


def even_int(name: str, value: Any) -> int:
    v = positive_int(name, value)
    if v % 2:
        fail(name, value, f"{name} even (symmetric initialization pairs neuron r with r + {name}/2)")
    return v


def bias(B: Any) -> float:
    """The initial bias B >= 0."""
    return nonneg("B", B)


def radius(B: float, R: Any, *, require_R_le_inv_B: bool = True) -> float:
    """The perturbation radius: R > 0 and, when B > 0, R <= 1/B (Lemma 3.3's condition)."""
    r = positive("R", R)
    if require_R_le_inv_B and B > 0 and r > 1.0 / B * (1 + 1e-12):
        fail("R", R, f"R <= 1/B = {1.0 / B:.6g} (B={B:g})")
    return r


def unit_rows(name: str, X: Any, tol: float = 1e-8) -> np.ndarray:
    """Data matrix with unit-norm rows, shape (n, d), n >= 1."""
    arr = np.asarray(X, dtype=float)
    if arr.ndim != 2:
        fail(name, arr, "a 2-D array of shape (n, d)")
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        fail(f"{name}.shape", arr.shape, "n >= 1 and d >= 1")
    finite(name, arr)
    norms = np.linalg.norm(arr, axis=1)
    bad = np.flatnonzero(np.abs(norms - 1.0) > tol)
    if bad.size:
        i = int(bad[0])
        fail(f"||{name}[{i}]||", float(norms[i]), f"unit-norm rows (|norm - 1| <= {tol:g})")
    return arr


def labels(name: str, y: Any, n: int | None = None) -> np.ndarray:
    """Labels with |y_i| <= 1 (Section 2.1)."""
    arr = np.asarray(y, dtype=float)
    if arr.ndim != 1:
        fail(name, arr, "a 1-D array")
    if n is not None and arr.shape[0] != n:
        fail(f"len({name})", arr.shape[0], f"len({name}) = n = {n}")
    finite(name, arr)
    if np.any(np.abs(arr) > 1 + 1e-12):
        fail(name, float(arr[np.argmax(np.abs(arr))]), f"|{name}_i| <= 1")
    return arr


def correlation(name: str, rho: Any) -> np.ndarray:
    """Correlations in [-1, 1]."""
    arr = np.asarray(rho, dtype=float)
    finite(name, arr)
    if np.any(np.abs(arr) > 1 + 1e-12):
        fail(name, float(arr.ravel()[np.argmax(np.abs(arr).ravel())]), f"-1 <= {name} <= 1")
    return np.clip(arr, -1.0, 1.0)


def check_int_range(name: str, value: int, low: int) -> int:
    v = positive_int(name, value)
    if v < low:
        fail(name, value, f"{name} >= {low}")
    return v

