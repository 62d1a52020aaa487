"""The Monte Carlo half of the suite: the simulated model, the estimators, the registered
claims with their verdicts, and the search tools over them (the rooms are listed in the
README's Architecture section; each sub-package's docstring says what it owns).

The public entry points for a notebook: :func:`falsify` (hand a candidate bound for a
registered claim, get a counterexample or the worst ratio), :func:`certify` (prove a
deterministic claim on its whole domain in ball arithmetic, or refute it at a point),
:func:`tightness` (the supremum of measured/bound and where it is reached), :func:`check` (one point, by key and raw
parameters), :func:`get`, :func:`register` and ``registry.claims()`` for the list; a claim of
your own is a :class:`Claim` (keywords only) in a namespace of your choice.
"""

from . import registry
from .search.certify import CertifyResult, certify
from .search.falsify import FalsifyResult, falsify
from .registry import Claim, Domain, Evidence, Measurement, check, exact, exact_log, get, mutant, register
from .search.tightness import TightnessResult, tightness

__all__ = ["CertifyResult", "Claim", "Domain", "Evidence", "FalsifyResult", "Measurement", "TightnessResult",
           "certify", "check", "exact", "exact_log", "falsify", "get", "mutant", "register", "registry", "tightness"]
