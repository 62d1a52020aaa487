"""All randomness of the suite: the network, estimators, statistics and the registry.

The public entry points for a notebook: :func:`falsify` (hand a candidate bound for a
registered claim, get a counterexample or the worst ratio), :func:`get` and :func:`check`,
and ``registry.claims()`` for the list. (``montecarlo.claims`` is the subpackage holding the
registrations, one file per lemma module.)
"""

from . import registry
from .falsify import FalsifyResult, falsify
from .registry import Claim, Evidence, Measurement, check, get

__all__ = ["Claim", "Evidence", "FalsifyResult", "Measurement", "check", "falsify", "get", "registry"]
