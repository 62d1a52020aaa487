"""The claim: one registered statement ``measure(params) <sense> bound(params)`` over a
parameter :class:`~montecarlo.registry.domains.Domain`, built by keyword only.

A claim of kind ``"mutant"`` is a false variant of the claim named by ``subject``: the same
machinery must refute it (a check that cannot fail tests nothing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from bounds import validate as v

from .domains import Domain, Params
from .measurements import Measurement

__all__ = ["Claim", "MODULES", "KINDS", "SENSES"]

MODULES = (
    "flip_probability",
    "initial_error",
    "activated_neurons",
    "restricted_eigenvalue",
    "rademacher_radius",
    "convergence",
    "error_analysis",
    "generalization",
)
"""The built-in namespaces, in report order (one per lemma module of the paper)."""

KINDS = ("bound", "identity", "link", "mutant")
SENSES = ("<=", ">=", "==")


@dataclass(frozen=True, kw_only=True)
class Claim:
    """One registered statement ``measure(params) <sense> bound(params)``.

    ``weight`` scales how many examples a sweep spends on the claim (1 = cheap exact
    formula; small for claims that train networks). ``subject`` names the registered claim a
    mutant falsifies. ``log_bound`` is the natural log of the bound (used by the verdict
    wherever the bound could underflow), ``tight_constant`` the known supremum of
    measured/bound (bound/measured for ">="), and ``measure_mp`` an mpmath twin of an exact
    measure (:func:`montecarlo.tightness` reports it at the best point). ``within_subject``
    (mutants only) says whether the mutant's domain lies inside its subject's hypotheses, so
    that the subject is swept there too (:func:`montecarlo.registry.store.sub_domains`); a
    mutant that drops a condition of the statement (its domain is the falsity) sets it False.
    """

    module: str
    claim_id: str
    reference: str
    statement: str
    kind: str
    sense: str
    measure: Callable[[Params], Measurement]
    bound: Callable[[Params], float]
    domain: Domain
    rtol: float = 1e-9
    atol: float = 0.0
    weight: float = 1.0
    subject: str | None = None
    why_false: str = ""
    log_bound: Callable[[Params], float] | None = None
    tight_constant: float | None = None
    measure_mp: Callable[[Params], Any] | None = None
    within_subject: bool = True

    def __post_init__(self):
        if not (isinstance(self.module, str) and self.module.isidentifier()):
            raise ValueError(f"module={self.module!r} violates the condition: an identifier "
                             f"(a built-in module {MODULES} or a namespace of your own)")
        if not (isinstance(self.claim_id, str) and self.claim_id and "." not in self.claim_id):
            raise ValueError(f"claim_id={self.claim_id!r} violates the condition: a nonempty name without '.'")
        if self.kind not in KINDS:
            raise ValueError(f"kind={self.kind!r} violates the condition kind in {KINDS}")
        if self.sense not in SENSES:
            raise ValueError(f"sense={self.sense!r} violates the condition sense in {SENSES}")
        for name in ("reference", "statement", "why_false"):
            if not isinstance(getattr(self, name), str):
                v.fail(name, getattr(self, name), "a str")
        if self.subject is not None and not isinstance(self.subject, str):
            v.fail("subject", self.subject, "a claim key (str) or None")
        # the round-off allowance rtol*|bound| + atol decides verdicts: a NaN or infinite
        # tolerance would pass any measurement (NaN comparisons are False), a negative one
        # would refute an exact equality
        for name in ("rtol", "atol"):
            v.nonneg(name, getattr(self, name))
        if not v.positive("weight", self.weight) < math.inf:
            v.fail("weight", self.weight, "finite")
        for name in ("measure", "bound"):
            if not callable(getattr(self, name)):
                v.fail(name, getattr(self, name), "a function of the parameters")
        for name in ("log_bound", "measure_mp"):
            if getattr(self, name) is not None and not callable(getattr(self, name)):
                v.fail(name, getattr(self, name), "a function of the parameters, or None")
        if not isinstance(self.domain, Domain):
            v.fail("domain", self.domain, "a Domain (montecarlo.registry.Domain)")
        if self.tight_constant is not None:
            v.positive("tight_constant", self.tight_constant)

    @property
    def key(self) -> str:
        return f"{self.module}.{self.claim_id}"
