"""Helpers shared by the test files (one copy each)."""

from __future__ import annotations

import mpmath as mp

__all__ = ["rel", "TINY"]

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
