"""Helpers shared by the test files (one copy each)."""

from __future__ import annotations

import mpmath as mp

__all__ = ["rel", "log_rel", "check_bad_input", "TINY"]

TINY = 1e-300
"""Below this a reference is compared absolutely: a double there has lost its relative
precision (subnormal) or underflowed to 0 while the mpmath reference has not."""


def rel(a, b) -> float:
    """Relative error |a - b| / |b| of ``a`` against the reference ``b``; where |b| < TINY the
    absolute error in units of 1e-290 (so an error of 1e-300 counts as 1e-10). Computed in
    mpmath, so an mpf reference far below the double range is not rounded to 0 first."""
    with mp.workdps(30):
        a, b = mp.mpf(a), mp.mpf(b)
        err = abs(a - b)
        return float(err / abs(b)) if abs(b) > TINY else float(err * mp.mpf(10) ** 290)


def log_rel(a: float, ref) -> float:
    """Error of a log value, relative to max(1, |log|): a relative error of p when |log p| <= 1."""
    r = float(ref)
    return abs(a - r) / max(1.0, abs(r))


def check_bad_input(call, message: str) -> None:
    """``call()`` raises the suite's domain error (``ValueError`` "... violates the condition
    ...") and its text contains ``message``."""
    import pytest

    with pytest.raises(ValueError, match="violates the condition") as info:
        call()
    assert message in str(info.value)
