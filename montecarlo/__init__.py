"""All randomness of the suite: the network, estimators, statistics and the registry.

The public entry points for a notebook: :func:`falsify` (hand a candidate bound for a
registered claim, get a counterexample or the worst ratio), :func:`claims` and
:func:`check`.
"""

from .falsify import FalsifyResult, falsify
from .registry import Claim, Evidence, Measurement, check, claims, get

__all__ = ["Claim", "Evidence", "FalsifyResult", "Measurement", "check", "claims", "falsify", "get"]
