"""Parameter domains of the registry's claims: one :class:`Spec` per raw parameter (its
range and how to draw, perturb and list the corners of it) and a :class:`Domain` that maps
the raw parameters to the claim's (``derive``, for example R = R_frac / B so that the
lemma's condition R <= 1/B holds by construction).

The search plan (:mod:`montecarlo.search.plan`) and the property tests (hypothesis strategies)
draw from here; :mod:`montecarlo.registry` re-exports every name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from bounds import validate as v

__all__ = ["Params", "Spec", "Uniform", "LogUniform", "Int", "EvenInt", "Choice", "Seed", "Domain"]

Params = dict[str, Any]


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

    def __post_init__(self):
        if not isinstance(self.specs, Mapping):
            v.fail("specs", self.specs, "a dict of parameter names -> Uniform, LogUniform, Int, "
                                        "EvenInt, Choice or Seed")
        for name, spec in self.specs.items():
            if not (isinstance(name, str) and name.isidentifier()):
                v.fail("specs", self.specs, f"parameter names that are identifiers (not {name!r})")
            if not isinstance(spec, Spec):
                v.fail(f"specs[{name!r}]", spec, "a Spec (Uniform, LogUniform, Int, EvenInt, Choice or Seed)")
        if not callable(self.derive):
            v.fail("derive", self.derive, "a function of the raw parameters")

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
