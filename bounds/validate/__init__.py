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

from ._arrays import (array, biases, correlation, finite, int_list, labels, symmetric_matrix,
                      unit_rows, values)
from ._budget import MEMORY_BUDGET, WORK_BUDGET, budgets, memory, mp_quad_work, work
from ._scalars import (B_DOUBLE, B_MAX, INT_LIMIT, MAX_DPS, SEED_LIMIT, bias, boolean, check_int_range, choice,
                       dps, even_int, fail, int_pair, nonneg, nonneg_int, positive, positive_int, probability,
                       radius, real, seed)

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
