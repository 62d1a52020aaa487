"""The registry: the verdict model of the suite (the bottom floor of ``montecarlo``, beside
:mod:`montecarlo.sim`).

It owns what a check *is*, and nothing that draws a random number:

- :mod:`.claim`: :class:`Claim`, one statement ``measure(params) <sense> bound(params)``;
- :mod:`.domains`: the parameter domains (:class:`Domain` and its specs);
- :mod:`.measurements`: what a measure returns (:class:`Measurement`, :func:`exact`, :func:`exact_log`);
- :mod:`.verdict`: the comparison (:func:`check`, :func:`evaluate`, :class:`Evidence`), written
  once on the log-aware number type of :mod:`._logreal` (floats compared as floats, a number
  known by its log on logs);
- :mod:`.store`: :func:`register`, :func:`mutant`, :func:`get`, :func:`claims`, :func:`load_claims`;
- :mod:`.views`: the text and HTML views of a verdict.

May import: :mod:`bounds` only (the store loads :mod:`montecarlo.claims` by name, as a plugin
package, the first time a claim is asked for).
"""

from .claim import KINDS, MODULES, SENSES, Claim
from .domains import Choice, Domain, EvenInt, Int, LogUniform, Params, Seed, Spec, Uniform
from .measurements import Measurement, as_measurement, exact, exact_log
from .store import (claims, forget_source, get, keys, load_claims, module_rank, modules, mutant, register, resolve,
                    sub_domains, unregister)
from .verdict import TINY, Evidence, check, evaluate, full_params
from .views import html_table

__all__ = [
    "Params", "Spec", "Uniform", "LogUniform", "Int", "EvenInt", "Choice", "Seed", "Domain",
    "Measurement", "exact", "exact_log", "Claim", "Evidence", "check", "evaluate", "register", "claims",
    "load_claims", "get", "resolve", "modules", "mutant", "unregister", "keys", "sub_domains", "MODULES", "KINDS", "SENSES"
]
