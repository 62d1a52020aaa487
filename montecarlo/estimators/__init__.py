"""Monte Carlo estimators, one module per lemma module of the paper (the same names as in
:mod:`bounds`): each samples the quantity a lemma bounds (a flip frequency, an initial error,
a count of active neurons, a restricted eigenvalue, a Rademacher complexity, a training run)
and returns it with its confidence limits.

May import: :mod:`montecarlo.sim` and :mod:`bounds` (never the registry: an estimator does not
know which claim it serves).
"""
