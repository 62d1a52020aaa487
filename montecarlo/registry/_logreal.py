"""The verdict's one number type: a real number that keeps its meaning where a double underflows.

A :class:`LogReal` is a sign and the natural log of the magnitude, with the value as a double
beside them. A number given by its log (a claim's ``log_bound``, a measurement's ``log_*``
fields, an ``mpmath.mpf``) or below :data:`TINY` in magnitude is *known by its log*: an
operation or comparison that involves such a number is made on logs, with its sign. Between two
plain doubles the same operation is the plain float one, so a verdict on ordinary numbers is
exactly the float comparison (no round-off from log and exp is added), and the verdict itself
is written once, for both (:func:`montecarlo.registry.verdict.evaluate`).

Why a type and not two code paths: the exact flip probability at B = 200 is about e^{-20000};
a comparison written twice (floats, then logs) drifts apart at the edges (a sign, a zero, an
infinite bound), while one comparison on one type cannot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath

__all__ = ["LogReal", "TINY"]

TINY = 1e-250
"""Below this magnitude a double is not trusted: the number is known by its log."""


def _exp(x: float) -> float:
    """e^x as a double (inf past the largest double, not OverflowError)."""
    return math.exp(x) if x < 709.0 else math.inf


@dataclass(frozen=True, eq=False)
class LogReal:
    """A real number: ``sign`` (-1, 0, 1), ``log_abs`` = log|x| (-inf for 0, inf for an
    infinite number), ``value`` the double (0.0 or +-inf where it under- or overflowed), and
    ``by_log``: the number is known by its log, so operations with it are made on logs.

    Build one with :meth:`of` (a double), :meth:`from_log` (a positive number by its log) or
    :meth:`of_mpf`; combine with ``+ - * /``, ``abs`` and the comparisons."""

    sign: int
    log_abs: float
    value: float
    by_log: bool = False

    # ------------------------------------------------------------------ constructors
    @classmethod
    def of(cls, x: float) -> "LogReal":
        """A double (known by its log when 0 < |x| < TINY)."""
        return cls._plain(float(x), 0.0 < abs(x) < TINY)

    @classmethod
    def _plain(cls, x: float, by_log: bool = False) -> "LogReal":
        assert not math.isnan(x), x  # NaN is refused before a verdict, with the claim named
        if x == 0:
            return cls(0, -math.inf, x, by_log)  # -0.0 stays -0.0 (a ratio's sign is kept)
        return cls(1 if x > 0 else -1, math.log(abs(x)), x, by_log)

    @classmethod
    def from_log(cls, log_x: float) -> "LogReal":
        """The positive number e^log_x (0 for -inf), known by its log."""
        assert not math.isnan(log_x), log_x
        if log_x == -math.inf:
            return cls(0, -math.inf, 0.0, True)
        return cls(1, float(log_x), _exp(log_x), True)

    @classmethod
    def of_mpf(cls, x: "mpmath.mpf") -> "LogReal":
        """An mpmath number, known by its log (it never underflows)."""
        if x == 0:
            return cls(0, -math.inf, 0.0, True)
        return cls(1 if x > 0 else -1, float(mpmath.log(abs(x))), float(x), True)

    @classmethod
    def _logs(cls, sign: int, log_abs: float) -> "LogReal":
        """A result computed on logs (e^-inf is a zero, whose sign the double keeps)."""
        if log_abs == -math.inf or sign == 0:
            return cls(0, -math.inf, math.copysign(0.0, sign), True)
        return cls(sign, log_abs, sign * _exp(log_abs), True)

    # ------------------------------------------------------------------ views
    @property
    def log(self) -> float:
        """The natural log: -inf for 0, NaN for a negative number (and for 0/0)."""
        if self.sign > 0:
            return self.log_abs
        return math.nan if self.sign < 0 or math.isnan(self.log_abs) else -math.inf

    def __float__(self) -> float:
        return self.value

    def __repr__(self) -> str:
        if self.by_log:
            return f"LogReal({'-' if self.sign < 0 else ''}exp({self.log_abs!r}))" if self.sign else "LogReal(0)"
        return f"LogReal({self.value!r})"

    # ------------------------------------------------------------------ arithmetic
    def _on_logs(self, other: "LogReal") -> bool:
        return self.by_log or other.by_log

    def __neg__(self) -> "LogReal":
        return LogReal(-self.sign, self.log_abs, -self.value, self.by_log)

    def __abs__(self) -> "LogReal":
        return LogReal(abs(self.sign), self.log_abs, abs(self.value), self.by_log)

    def __add__(self, other: "LogReal") -> "LogReal":
        if not self._on_logs(other):
            return LogReal._plain(self.value + other.value)
        if other.sign == 0:
            return LogReal._logs(self.sign, self.log_abs)
        if self.sign == 0:
            return LogReal._logs(other.sign, other.log_abs)
        big, small = (self, other) if self.log_abs >= other.log_abs else (other, self)
        if math.isinf(big.log_abs):  # an infinite number absorbs any finite one (inf - inf is refused)
            assert not (math.isinf(small.log_abs) and small.sign != big.sign), (self, other)
            return LogReal(big.sign, math.inf, big.value, True)
        t = math.exp(small.log_abs - big.log_abs)
        if small.sign == big.sign:
            la = big.log_abs + math.log1p(t)
        elif t == 1.0:
            return LogReal._logs(0, -math.inf)
        else:
            la = big.log_abs + math.log1p(-t)
        return LogReal._logs(big.sign, la)

    def __sub__(self, other: "LogReal") -> "LogReal":
        return self + (-other)

    def __mul__(self, c: float) -> "LogReal":
        """Scaled by a number c >= 0 (a tolerance)."""
        assert c >= 0, c
        if not self.by_log:
            return LogReal._plain(self.value * c)
        if c == 0:
            return LogReal._logs(0, -math.inf)
        return LogReal._logs(self.sign, self.log_abs + math.log(c))

    def __truediv__(self, other: "LogReal") -> "LogReal":
        """The ratio; x/0 is +-inf by the sign of x, 0/0 not a number (``value`` and ``log``
        NaN: a verdict sets a point where both sides are 0 aside as vacuous first)."""
        if other.sign == 0:
            if self.sign == 0:
                return LogReal(0, math.nan, math.nan, self._on_logs(other))
            return LogReal(self.sign, math.inf, math.copysign(math.inf, self.value), self._on_logs(other))
        if not self._on_logs(other):
            return LogReal._plain(self.value / other.value)
        if self.sign == 0:  # a signed zero, as in floats
            return LogReal(0, -math.inf, math.copysign(0.0, self.value) * math.copysign(1.0, other.value), True)
        return LogReal._logs(self.sign * other.sign, self.log_abs - other.log_abs)

    # ------------------------------------------------------------------ comparison
    def _cmp(self, other: "LogReal") -> int:
        if not self._on_logs(other):
            return (self.value > other.value) - (self.value < other.value)
        if self.sign != other.sign:
            return (self.sign > other.sign) - (self.sign < other.sign)
        d = (self.log_abs > other.log_abs) - (self.log_abs < other.log_abs)
        return d * self.sign

    def __lt__(self, other: "LogReal") -> bool:
        return self._cmp(other) < 0

    def __gt__(self, other: "LogReal") -> bool:
        return self._cmp(other) > 0

    def __le__(self, other: "LogReal") -> bool:
        return self._cmp(other) <= 0

    def __ge__(self, other: "LogReal") -> bool:
        return self._cmp(other) >= 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LogReal) and self._cmp(other) == 0

    __hash__ = None  # type: ignore[assignment]  # equal numbers may differ in representation

