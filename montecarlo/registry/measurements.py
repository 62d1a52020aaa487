"""What a claim's ``measure`` returns: a value with confidence limits (equal for exact
values), optionally with their natural logs, which keep their meaning where the values
underflow (:func:`montecarlo.registry.check` then compares logs). The typed views
``applicable``, ``reason`` and ``detectable`` read the one ``detail`` mapping, which is what
results.json records.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Mapping

import mpmath
import numpy as np

from bounds import validate as v

__all__ = ["Measurement", "exact", "exact_log", "as_measurement", "log_of", "mp_log"]


@dataclass(frozen=True)
class Measurement:
    """A measured quantity: point value and confidence limits (equal for exact values).

    The optional ``log_*`` fields are natural logs of the same three numbers (``-inf`` for an
    exact 0): a value far below the smallest double (the exact flip probability at B = 200 is
    about e^{-20000}) keeps its meaning there, and :func:`check` compares in log space."""

    value: float
    lower: float
    upper: float
    detail: Mapping[str, Any] = field(default_factory=dict)
    log_value: float | None = None
    log_lower: float | None = None
    log_upper: float | None = None

    @property
    def has_log(self) -> bool:
        return self.log_value is not None

    @property
    def applicable(self) -> bool:
        """False when the claim's hypothesis does not hold at this point (``detail`` says
        ``applicable=False``, with a ``reason``): such a point never decides a verdict."""
        return self.detail.get("applicable", True) is not False

    @property
    def reason(self) -> str:
        """Why the point is not applicable ("" when it is, or when no reason was given)."""
        return str(self.detail.get("reason", ""))

    @property
    def detectable(self) -> float | None:
        """The check's power at this point: the smallest true/bound (bound/true for ">=")
        refuted with probability >= 1/2 at the false-alarm level; None for exact values."""
        d = self.detail.get("detectable")
        return None if d is None else float(d)


def exact(value: float, **detail) -> Measurement:
    """A value computed exactly (closed form or deterministic numerics). An ``mpmath.mpf``
    keeps its log (it never underflows)."""
    if isinstance(value, mpmath.mpf):
        x = float(value)
        lx = mp_log(value)
        return Measurement(x, x, x, detail, lx, lx, lx)
    x = v.real("value", value)  # NaN/inf is no measurement (check() would refuse it later, unnamed)
    return Measurement(x, x, x, detail)


def exact_log(log_value: float, **detail) -> Measurement:
    """An exact value given by its natural log (``-inf`` for 0): value = lower = upper =
    exp(log_value), which may underflow to 0.0 while the log fields keep the number."""
    if isinstance(log_value, (str, bytes, bool)) or log_value is None or np.ndim(log_value) != 0:
        v.fail("log_value", log_value, "a real number < inf (-inf = exact 0)")
    lv = float(log_value)
    if math.isnan(lv) or lv == math.inf:
        raise ValueError(f"log_value={log_value!r} violates the condition: a number < inf (-inf = exact 0)")
    x = math.exp(lv) if lv < 709.0 else math.inf
    return Measurement(x, x, x, detail, lv, lv, lv)


def mp_log(x) -> float:
    """log of an mpf as a float (-inf for 0, nan for a negative number)."""
    if x > 0:
        return float(mpmath.log(x))
    return -math.inf if x == 0 else math.nan


def log_of(x: float) -> float:
    """log of a float (-inf for 0, nan for a negative number or nan)."""
    if x > 0:
        return math.log(x)
    return -math.inf if x == 0 else math.nan


def as_measurement(x: Any) -> Measurement:
    """What a ``measure`` returned, as a :class:`Measurement`: a plain number (int, float,
    numpy scalar, mpf) is an exact value."""
    if isinstance(x, Measurement):
        return x
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (numbers.Real, mpmath.mpf)):
        raise TypeError(f"measure returned {x!r} ({type(x).__name__}): a Measurement or a number was expected")
    return exact(x)
