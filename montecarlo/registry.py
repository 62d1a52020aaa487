"""The one registry of checks: every claim of the suite, and every false variant of one.

A :class:`Claim` states ``measured(params) <sense> bound(params)`` over a parameter
:class:`Domain`. ``measure`` returns a :class:`Measurement` (a value with confidence
limits; exact values have ``lower == upper == value``), ``bound`` is a pure formula.
The verdict (:func:`check`) is one-sided and statistical:

- ``"<="`` is refuted when the *lower* confidence limit exceeds the bound,
- ``">="`` when the *upper* limit falls below it,
- ``"=="`` when the bound lies outside [lower, upper],

each with a round-off allowance ``rtol * |bound| + atol`` for exact values.
A "with probability at least 1 - delta" claim measures the order-statistic limits of the
(1 - delta)-quantile, which is the exact binomial exceedance test in another form.

Mutants are claims of kind ``"mutant"``: the same machinery must refute them.
Claims live in :mod:`montecarlo.claims` (one file per lemma module), which registers them
on import; :func:`claims` loads every file there, so adding a lemma touches one place.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from bounds import validate as v

__all__ = [
    "Params",
    "Spec",
    "Uniform",
    "LogUniform",
    "Int",
    "EvenInt",
    "Choice",
    "Seed",
    "Domain",
    "Measurement",
    "exact",
    "Claim",
    "Evidence",
    "check",
    "register",
    "claims",
    "get",
    "mutant",
    "MODULES",
    "KINDS",
]

Params = dict[str, Any]
MODULES = (
    "flip_probability",
    "initial_error",
    "activated_neurons",
    "restricted_eigenvalue",
    "rademacher_radius",
)
KINDS = ("bound", "identity", "link", "mutant")


# --------------------------------------------------------------------------- domains
@dataclass(frozen=True)
class Spec:
    """One parameter's range; ``kind`` is float, log, int, choice or seed."""

    kind: str
    low: float = 0.0
    high: float = 1.0
    choices: tuple = ()
    step: int = 1  # for ints: values low, low + step, ...

    def __post_init__(self):
        if self.kind not in ("float", "log", "int", "choice", "seed"):
            raise ValueError(f"kind={self.kind!r} violates the condition kind in float/log/int/choice/seed")
        if self.kind in ("float", "log", "int"):
            if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low <= self.high):
                raise ValueError(f"(low, high)=({self.low!r}, {self.high!r}) violates the condition "
                                 "finite low <= high")
            if self.kind == "log" and not self.low > 0:
                raise ValueError(f"low={self.low!r} violates the condition low > 0 (log-uniform)")
            if self.kind == "int" and self.step < 1:
                raise ValueError(f"step={self.step!r} violates the condition step >= 1")
        if self.kind == "choice" and not self.choices:
            raise ValueError("choices=() violates the condition: at least one choice")

    def sample(self, rng: np.random.Generator):
        if self.kind == "float":
            return float(rng.uniform(self.low, self.high))
        if self.kind == "log":
            return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))
        if self.kind == "int":
            k = (int(self.high) - int(self.low)) // self.step
            return int(self.low) + self.step * int(rng.integers(0, k + 1))
        if self.kind == "choice":
            return self.choices[int(rng.integers(0, len(self.choices)))]
        return int(rng.integers(0, 2**32 - 1))

    def strategy(self):
        from hypothesis import strategies as st

        if self.kind == "float":
            return st.floats(self.low, self.high, allow_nan=False, allow_infinity=False)
        if self.kind == "log":
            lo, hi = math.log(self.low), math.log(self.high)
            return st.floats(lo, hi).map(lambda u: float(min(self.high, max(self.low, math.exp(u)))))
        if self.kind == "int":
            k = (int(self.high) - int(self.low)) // self.step
            return st.integers(0, k).map(lambda j: int(self.low) + self.step * j)
        if self.kind == "choice":
            return st.sampled_from(self.choices)
        return st.integers(0, 2**32 - 1)

    def corners(self) -> list:
        if self.kind in ("float", "log"):
            return [float(self.low), float(self.high)]
        if self.kind == "int":
            k = (int(self.high) - int(self.low)) // self.step
            return [int(self.low), int(self.low) + self.step * k]
        if self.kind == "choice":
            return list(self.choices)
        return [0]

    def perturb(self, value, rng: np.random.Generator, scale: float):
        """A nearby value (local search around a bad point)."""
        if self.kind == "float":
            return float(np.clip(value + scale * (self.high - self.low) * rng.standard_normal(), self.low, self.high))
        if self.kind == "log":
            u = math.log(value) + scale * math.log(self.high / self.low) * rng.standard_normal()
            return float(np.clip(math.exp(u), self.low, self.high))
        if self.kind == "int":
            k = (int(self.high) - int(self.low)) // self.step
            j = (int(value) - int(self.low)) // self.step
            j = int(np.clip(j + round(scale * k * rng.standard_normal()), 0, k))
            return int(self.low) + self.step * j
        if self.kind == "seed":
            return int(rng.integers(0, 2**32 - 1))
        return value


def Uniform(low: float, high: float) -> Spec:
    return Spec("float", v.real("low", low), v.real("high", high))


def LogUniform(low: float, high: float) -> Spec:
    return Spec("log", v.real("low", low), v.real("high", high))


def Int(low: int, high: int) -> Spec:
    for _name, _x in (("low", low), ("high", high)):
        if isinstance(_x, bool) or not isinstance(_x, (int, np.integer)):
            v.fail(_name, _x, f"{_name} an integer")
    return Spec("int", low, high)


def EvenInt(low: int, high: int) -> Spec:
    """Even integers in [low, high] (symmetric initialization needs even m)."""
    for _name, _x in (("low", low), ("high", high)):
        if isinstance(_x, bool) or not isinstance(_x, (int, np.integer)):
            v.fail(_name, _x, f"{_name} an integer")
    lo = low + (low % 2)
    return Spec("int", lo, high - (high % 2), step=2)


def Choice(*values) -> Spec:
    return Spec("choice", choices=tuple(values))


def Seed() -> Spec:
    return Spec("seed")


def _identity(p: Params) -> Params:
    return p


@dataclass(frozen=True)
class Domain:
    """Raw parameters drawn from ``specs``; ``derive`` maps them to the claim's parameters
    (for example R = R_frac / B, so that R <= 1/B holds by construction)."""

    specs: Mapping[str, Spec]
    derive: Callable[[Params], Params] = _identity

    def build(self, raw: Params) -> Params:
        return self.derive(dict(raw))

    def sample_raw(self, rng: np.random.Generator) -> Params:
        return {k: s.sample(rng) for k, s in self.specs.items()}

    def strategy(self):
        """A hypothesis strategy of claim parameters."""
        from hypothesis import strategies as st

        return st.fixed_dictionaries({k: s.strategy() for k, s in self.specs.items()}).map(self.build)

    def corners_raw(self, limit: int = 16) -> list[Params]:
        keys = list(self.specs)
        lows = {k: self.specs[k].corners()[0] for k in keys}
        highs = {k: self.specs[k].corners()[-1] for k in keys}
        out = [lows, highs]
        for k in keys:
            for c in self.specs[k].corners():
                out.append({**lows, k: c})
                out.append({**highs, k: c})
        uniq, seen = [], set()
        for p in out:
            key = tuple(sorted((k, repr(v)) for k, v in p.items()))
            if key not in seen:
                seen.add(key)
                uniq.append(p)
        return uniq[:limit]

    def perturb_raw(self, raw: Params, rng: np.random.Generator, scale: float) -> Params:
        return {k: s.perturb(raw[k], rng, scale) for k, s in self.specs.items()}


# ---------------------------------------------------------------------- measurements
@dataclass(frozen=True)
class Measurement:
    """A measured quantity: point value and confidence limits (equal for exact values)."""

    value: float
    lower: float
    upper: float
    detail: Mapping[str, Any] = field(default_factory=dict)


def exact(value: float, **detail) -> Measurement:
    """A value computed exactly (closed form or deterministic numerics)."""
    v.real("value", value)  # NaN/inf is no measurement (check() would refuse it later, unnamed)
    x = float(value)
    return Measurement(x, x, x, detail)


@dataclass(frozen=True)
class Claim:
    """One registered statement ``measure(params) <sense> bound(params)``.

    ``weight`` scales how many examples a sweep spends on the claim (1 = cheap exact
    formula; small for claims that train networks). ``subject`` names the registered claim a
    mutant falsifies.
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

    def __post_init__(self):
        if self.module not in MODULES:
            raise ValueError(f"module={self.module!r} violates the condition module in {MODULES}")
        if self.kind not in KINDS:
            raise ValueError(f"kind={self.kind!r} violates the condition kind in {KINDS}")
        if self.sense not in ("<=", ">=", "=="):
            raise ValueError(f"sense={self.sense!r} violates the condition sense in ('<=', '>=', '==')")

    @property
    def key(self) -> str:
        return f"{self.module}.{self.claim_id}"


@dataclass(frozen=True)
class Evidence:
    """The verdict of one claim at one parameter point."""

    claim: str
    params: Params
    measurement: Measurement
    bound: float
    refuted: bool
    ratio: float  # measured value / bound
    severity: float  # point value's distance towards violation: > 1 is past the bound
    sense: str = "<="

    def __str__(self) -> str:
        m = self.measurement
        shown = {k: (float(f"{v:.6g}") if isinstance(v, float) else v) for k, v in self.params.items()}
        which = {"<=": f"lower confidence limit {m.lower:.6g}",
                 ">=": f"upper confidence limit {m.upper:.6g}"}.get(
            self.sense, f"interval [{m.lower:.6g}, {m.upper:.6g}]")
        verdict = "REFUTED" if self.refuted else "holds"
        return (f"{self.claim} {verdict} at {shown}: measured {m.value:.6g} ({which}) "
                f"{'vs' if not self.refuted else 'violates'} {self.sense} {self.bound:.6g}; "
                f"ratio measured/bound = {self.ratio:.6g}")


def _ratio(value: float, bound: float) -> float:
    if bound != 0:
        return value / bound
    return 1.0 if value == 0 else math.copysign(math.inf, value)


def _severity(sense: str, value: float, bound: float) -> float:
    """How far the point value is towards violating the claim (1 = on the bound)."""
    if sense == "<=":
        if bound > 0:
            return value / bound
        return math.inf if value > bound else (1.0 if value == bound else 0.0)
    if sense == ">=":
        if value > 0 and bound >= 0:
            return bound / value
        return math.inf if value < bound else (1.0 if value == bound else 0.0)
    if bound == 0 or value == 0:
        return 1.0 if value == bound else math.inf
    r = value / bound
    return max(r, 1.0 / r) if r > 0 else math.inf


def check(claim: Claim, params: Params, candidate: Callable[[Params], float] | None = None) -> Evidence:
    """Evaluate ``claim`` (or ``candidate`` in place of its bound) at ``params``."""
    if candidate is not None and not callable(candidate):
        v.fail("candidate", candidate, "a function of the parameters, or None")
    if not isinstance(claim, Claim):
        v.fail("claim", claim, "a registered Claim (registry.get(key))")
    if not isinstance(params, Mapping):
        v.fail("params", params, f"a dict of {claim.key}'s parameters")
    bound_fn = candidate if candidate is not None else claim.bound
    try:
        m = claim.measure(params)
    except KeyError as e:  # a missing parameter, named (was a bare KeyError)
        v.fail("params", params, f"has the parameter {e.args[0]!r} that {claim.key} needs")
    b = float(bound_fn(params))
    if not (np.isfinite(m.value) and not np.isnan(m.lower) and not np.isnan(m.upper)) or np.isnan(b):
        raise ValueError(f"{claim.key}: non-finite measurement {m} or bound {b} at params={params}")
    slack = claim.rtol * abs(b) + claim.atol
    if claim.sense == "<=":
        refuted = m.lower > b + slack
    elif claim.sense == ">=":
        refuted = m.upper < b - slack
    else:
        refuted = (m.lower > b + slack) or (m.upper < b - slack)
    return Evidence(claim.key, dict(params), m, b, bool(refuted), _ratio(m.value, b),
                    _severity(claim.sense, m.value, b), claim.sense)


# -------------------------------------------------------------------------- registry
_REGISTRY: dict[str, Claim] = {}


def register(claim: Claim) -> Claim:
    """Add a claim (idempotent per key; a different claim under the same key is an error)."""
    if not isinstance(claim, Claim):
        v.fail("claim", claim, "a Claim")
    old = _REGISTRY.get(claim.key)
    if old is not None and old is not claim:
        if (old.reference, old.statement) != (claim.reference, claim.statement):
            raise ValueError(f"claim key {claim.key!r} registered twice with different content")
    _REGISTRY[claim.key] = claim
    return claim


def mutant(base: Claim, claim_id: str, why_false: str, **changes) -> Claim:
    """Register a false variant of ``base``: same machinery, changed bound/domain/measure."""
    c = replace(base, claim_id=claim_id, kind="mutant", subject=base.key, why_false=why_false,
                statement=changes.pop("statement", f"MUTANT of {base.claim_id}: {why_false}"),
                **changes)
    return register(c)


def _load() -> None:
    pkg = importlib.import_module(f"{__package__}.claims")
    for info in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"{pkg.__name__}.{info.name}")


def claims(module: str | None = None, kinds: Iterable[str] | None = None) -> list[Claim]:
    """Every registered claim (optionally one module's, or only some kinds), in a stable order."""
    if kinds is not None and (isinstance(kinds, str) or not hasattr(kinds, "__iter__")):
        v.fail("kinds", kinds, "a collection of claim kinds or None")
    if module is not None and not isinstance(module, str):
        v.fail("module", module, "a module name (str) or None")
    _load()
    out = [c for c in _REGISTRY.values()
           if (module is None or c.module == module) and (kinds is None or c.kind in kinds)]
    return sorted(out, key=lambda c: (MODULES.index(c.module), c.kind == "mutant", c.claim_id))


def get(key: str) -> Claim:
    """A claim by its key ``module.claim_id``."""
    _load()
    try:
        return _REGISTRY[key]
    except KeyError:
        raise ValueError(f"key={key!r} violates the condition: a registered key "
                         f"(known: {sorted(_REGISTRY)})") from None
