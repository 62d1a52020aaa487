"""The work and memory budgets: a call whose cost grows with m, n, d, samples or dps refuses,
naming the parameter, instead of hanging. Part of :mod:`bounds.validate`."""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

from ._scalars import fail, positive

WORK_BUDGET: float = 1e11
"""Default work budget of :func:`work`: element-operations (array elements touched, loop
iterations, mpmath digit-operations) one call may do: ~1e11 is minutes of BLAS on one core, above
the heaviest claim of the suite (5e10), far below a 10**12-sized request."""

MEMORY_BUDGET: float = 4 * 2**30
"""Default memory budget of :func:`memory`: bytes of arrays one call may allocate (4 GiB)."""

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
