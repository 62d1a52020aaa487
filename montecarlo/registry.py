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
A user's claims live anywhere, in a namespace of their own (``Claim("my_notes", ...)``):
:func:`load_claims` registers a file or module of them (``python -m reports --claims PATH``,
``pytest --claims PATH``), and registering a key again replaces the claim with a warning.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import math
import os
import re
import sys
import warnings
import pkgutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import mpmath
import numpy as np

from .domains import Choice, Domain, EvenInt, Int, LogUniform, Params, Seed, Spec, Uniform
from .measurements import Measurement, as_measurement, exact, exact_log, log_of, mp_log
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
    "exact_log",
    "as_measurement",
    "Claim",
    "Evidence",
    "check",
    "evaluate",
    "resolve",
    "full_params",
    "TINY",
    "register",
    "claims",
    "load_claims",
    "modules",
    "module_rank",
    "get",
    "mutant",
    "MODULES",
    "KINDS",
]

MODULES = (
    "flip_probability",
    "initial_error",
    "activated_neurons",
    "restricted_eigenvalue",
    "rademacher_radius",
    "convergence",
)
KINDS = ("bound", "identity", "link", "mutant")

@dataclass(frozen=True)
class Claim:
    """One registered statement ``measure(params) <sense> bound(params)``.

    ``weight`` scales how many examples a sweep spends on the claim (1 = cheap exact
    formula; small for claims that train networks). ``subject`` names the registered claim a
    mutant falsifies. ``log_bound`` is the natural log of the bound (used by :func:`check`
    wherever the bound could underflow), ``tight_constant`` the known supremum of
    measured/bound (bound/measured for ">="), and ``measure_mp`` an mpmath twin of an exact
    measure (:func:`montecarlo.tightness` reports it at the best point).
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

    def __post_init__(self):
        if not (isinstance(self.module, str) and self.module.isidentifier()):
            raise ValueError(f"module={self.module!r} violates the condition: an identifier "
                             f"(a built-in module {MODULES} or a namespace of your own)")
        if not (isinstance(self.claim_id, str) and self.claim_id and "." not in self.claim_id):
            raise ValueError(f"claim_id={self.claim_id!r} violates the condition: a nonempty name without '.'")
        if self.kind not in KINDS:
            raise ValueError(f"kind={self.kind!r} violates the condition kind in {KINDS}")
        if self.sense not in ("<=", ">=", "=="):
            raise ValueError(f"sense={self.sense!r} violates the condition sense in ('<=', '>=', '==')")

    @property
    def key(self) -> str:
        return f"{self.module}.{self.claim_id}"


@dataclass(frozen=True)
class Evidence:
    """The verdict of one claim at one parameter point.

    ``ratio`` is measured/bound and ``log_ratio`` its natural log (computed in log space when
    the values are tiny or given as logs, so it stays finite where the ratio under- or
    overflows). ``vacuous`` marks a point where both sides are 0 (or underflowed) and no log
    form tells them apart: it says nothing, is never refuted, has ratio nan and is never a
    sweep's worst point."""

    claim: str
    params: Params
    measurement: Measurement
    bound: float
    refuted: bool
    ratio: float  # measured value / bound
    severity: float  # point value's distance towards violation: > 1 is past the bound
    sense: str = "<="
    log_ratio: float = math.nan
    vacuous: bool = False
    log_bound: float = math.nan
    log_space: bool = False  # the verdict was decided on logs

    @property
    def applicable(self) -> bool:
        """False when the claim's hypothesis does not hold at this point
        (``measurement.detail["applicable"] is False``): such a point never decides a verdict."""
        return self.measurement.detail.get("applicable", True) is not False

    def __str__(self) -> str:
        m = self.measurement
        shown = {k: (float(f"{v:.6g}") if isinstance(v, float) else v) for k, v in self.params.items()}
        which = {"<=": f"lower confidence limit {m.lower:.6g}",
                 ">=": f"upper confidence limit {m.upper:.6g}"}.get(
            self.sense, f"interval [{m.lower:.6g}, {m.upper:.6g}]")
        if self.vacuous:
            return (f"{self.claim} VACUOUS at {shown}: measured {m.value:.6g} and bound {self.bound:.6g} "
                    "are both 0 (or underflowed) and no log form tells them apart")
        verdict = "REFUTED" if self.refuted else "holds"
        logs = ""
        value, bound = f"{m.value:.6g}", f"{self.bound:.6g}"
        if self.log_space:
            lv = m.log_value if m.log_value is not None else log_of(m.value)
            logs = f" [log measured {lv:.10g}, log bound {self.log_bound:.10g}]"
            # a double that underflowed to 0 is shown by its log, never as a bare 0
            if m.value == 0 and math.isfinite(lv):
                value = f"exp({lv:.10g})"
                if m.lower == m.upper == 0 and m.log_lower is not None and m.log_lower == m.log_upper:
                    which = f"{which.split(' ', 1)[0]} confidence limit {value}" if self.sense != "==" else which
            if self.bound == 0 and math.isfinite(self.log_bound):
                bound = f"exp({self.log_bound:.10g})"
        return (f"{self.claim} {verdict} at {shown}: measured {value} ({which}) "
                f"{'vs' if not self.refuted else 'violates'} {self.sense} {bound}; "
                f"ratio measured/bound = {self.ratio:.6g}{logs}")

    def _repr_html_(self) -> str:
        m = self.measurement
        verdict = "VACUOUS" if self.vacuous else ("REFUTED" if self.refuted else "holds")
        rows = [("claim", self.claim), ("verdict", verdict),
                ("params", ", ".join(f"{k}={_short(v)}" for k, v in self.params.items())),
                ("measured", f"{m.value:.6g} [{m.lower:.6g}, {m.upper:.6g}]"),
                ("bound", f"{self.sense} {self.bound:.6g}"),
                ("ratio measured/bound", f"{self.ratio:.6g} (log {self.log_ratio:.6g})")]
        return html_table(rows)


def _short(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.6g}"
    if isinstance(v, np.ndarray):
        return f"array(shape={v.shape})"
    return repr(v)


def html_table(rows: Iterable[tuple[str, Any]]) -> str:
    """A two-column HTML table (the notebook view of a result object)."""
    import html

    body = "".join(f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
                   f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


TINY = 1e-250
"""Below this magnitude a float comparison is not trusted: :func:`check` goes to log space."""


LOG_FORM_TOL = 1e-7
"""Largest |log(bound) - log_bound| accepted where the float bound is representable: a
claim's two forms of its bound must agree (a mutant that changes one form only is an error)."""


def _ratio(value: float, bound: float) -> float:
    if bound != 0:
        return value / bound
    return math.nan if value == 0 else math.copysign(math.inf, value)


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


def _exp(x: float) -> float:
    return math.exp(x) if x < 709.0 else math.inf


def _log_add(a: float, b: float) -> float:
    """log(e^a + e^b)."""
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    hi, lo = max(a, b), min(a, b)
    return hi + math.log1p(math.exp(lo - hi))


def _upper_threshold(lb: float, rtol: float, atol: float) -> float:
    """log(b (1 + rtol) + atol) from lb = log b."""
    return _log_add(lb + math.log1p(rtol), math.log(atol) if atol > 0 else -math.inf)


def _lower_threshold(lb: float, rtol: float, atol: float) -> float:
    """log(b (1 - rtol) - atol) from lb = log b; -inf when that is <= 0 (nothing positive is below)."""
    if rtol >= 1:
        return -math.inf
    base = lb + math.log1p(-rtol)
    if atol <= 0:
        return base
    la = math.log(atol)
    if base <= la:
        return -math.inf
    return base + math.log1p(-math.exp(la - base))


def resolve(claim: "Claim | str") -> "Claim":
    """A claim given as itself or by its registered key."""
    if isinstance(claim, Claim):
        return claim
    if isinstance(claim, str):
        try:
            return get(claim)
        except ValueError:
            v.fail("claim", claim, "a Claim or a registered key (montecarlo.registry.claims())")
    v.fail("claim", claim, "a Claim or a registered key")


def full_params(claim: Claim, params: Params) -> Params:
    """The claim's parameters from ``params``: raw domain parameters are passed through the
    domain's ``derive`` when that adds a parameter they lack (``{"B": 3, "R_frac": 0.3}``
    gains ``R``); parameters that already carry the derived ones are used as given."""
    if not isinstance(claim, Claim):
        v.fail("claim", claim, "a Claim (montecarlo.registry.get(key))")
    if not isinstance(params, Mapping):
        v.fail("params", params, f"a dict of {claim.key}'s parameters")
    params = dict(params)
    if not set(claim.domain.specs) <= set(params):
        return params
    built = claim.domain.build(params)
    if isinstance(built, dict) and set(built) - set(params):
        return built
    return params


def check(claim: "Claim | str", params: Params, candidate: Callable[[Params], Any] | None = None) -> Evidence:
    """Evaluate ``claim`` (a Claim or a registered key; or ``candidate`` in place of its bound)
    at ``params`` (the claim's parameters, or the raw domain parameters: see
    :func:`full_params`).

    The comparison is made on natural logs whenever the claim has ``log_bound`` (and no
    candidate replaces it), the bound is an ``mpmath.mpf``, the measurement carries log
    fields, or a nonzero value or bound is below :data:`TINY` in magnitude; the round-off
    allowance ``rtol * |bound| + atol`` is applied in log space too. A point where both sides
    are 0 without a log form that separates them is vacuous (never refuted)."""
    c = resolve(claim)
    if candidate is not None and not callable(candidate):
        v.fail("candidate", candidate, "a function of the parameters, or None")
    if not isinstance(params, Mapping):
        v.fail("params", params, f"a dict of {c.key}'s parameters")
    return evaluate(c, full_params(c, params), candidate)


def evaluate(c: Claim, params: Params, candidate: Callable[[Params], Any] | None = None) -> Evidence:
    """:func:`check` at the claim's own (already derived) parameters."""
    if not isinstance(c, Claim):
        v.fail("c", c, "a Claim (montecarlo.registry.get(key))")
    if not isinstance(params, Mapping):
        v.fail("params", params, f"a dict of {c.key}'s parameters")
    try:
        m = as_measurement(c.measure(params))
    except KeyError as e:  # a missing parameter, named (was a bare KeyError)
        v.fail("params", params, f"has the parameter {e.args[0]!r} that {c.key} needs")
    raw_b = (candidate if candidate is not None else c.bound)(params)
    log_b: float | None = None
    if isinstance(raw_b, mpmath.mpf):
        log_b = mp_log(raw_b)
    b = float(raw_b)
    if candidate is None and c.log_bound is not None:
        log_b = float(c.log_bound(params))
        if TINY < abs(b) < math.inf and not abs(math.log(abs(b)) - log_b) <= LOG_FORM_TOL:
            raise ValueError(f"{c.key}: log_bound {log_b!r} disagrees with log(bound) = {math.log(abs(b))!r} "
                             f"at params={params} (the two forms must state the same bound)")
    bad_m = (np.isnan(m.lower) or np.isnan(m.upper) or
             (not np.isfinite(m.value) if m.log_value is None else math.isnan(m.log_value)))
    if bad_m or np.isnan(b) or (log_b is not None and math.isnan(log_b) and b >= 0):
        raise ValueError(f"{c.key}: non-finite measurement {m} or bound {b} at params={params}")
    # a side is "zero" when it is 0 in floats and no log form says otherwise
    zero_m = (m.log_value == -math.inf) if m.log_value is not None else m.value == 0
    zero_b = (log_b == -math.inf) if log_b is not None else b == 0
    if zero_m and zero_b:
        return Evidence(c.key, dict(params), m, b, False, math.nan, math.nan, c.sense,
                        math.nan, True, math.nan if log_b is None else log_b, False)
    use_log = (log_b is not None or m.log_value is not None
               or 0 < abs(m.value) < TINY or 0 < abs(b) < TINY)
    if use_log:
        lv = m.log_value if m.log_value is not None else log_of(m.value)
        ll = m.log_lower if m.log_lower is not None else log_of(m.lower)
        lu = m.log_upper if m.log_upper is not None else log_of(m.upper)
        lb = log_b if log_b is not None else log_of(b)
        use_log = not any(math.isnan(x) for x in (lv, lu, lb)) and (c.sense == ">=" or not math.isnan(ll))
    if use_log:
        hi = _upper_threshold(lb, c.rtol, c.atol)
        lo = _lower_threshold(lb, c.rtol, c.atol)
        if c.sense == "<=":
            refuted = ll > hi
        elif c.sense == ">=":
            refuted = lu < lo
        else:
            refuted = ll > hi or lu < lo
        log_ratio = lv - lb
        sev = {"<=": log_ratio, ">=": -log_ratio}.get(c.sense, abs(log_ratio))
        return Evidence(c.key, dict(params), m, b, bool(refuted), _exp(log_ratio), _exp(sev), c.sense,
                        log_ratio, False, lb, True)
    slack = c.rtol * abs(b) + c.atol
    if c.sense == "<=":
        refuted = m.lower > b + slack
    elif c.sense == ">=":
        refuted = m.upper < b - slack
    else:
        refuted = (m.lower > b + slack) or (m.upper < b - slack)
    ratio = _ratio(m.value, b)
    log_ratio = log_of(ratio) if not math.isnan(ratio) else math.nan
    return Evidence(c.key, dict(params), m, b, bool(refuted), ratio, _severity(c.sense, m.value, b), c.sense,
                    log_ratio, False, log_of(b), False)


# -------------------------------------------------------------------------- registry
_REGISTRY: dict[str, Claim] = {}


def register(claim: Claim) -> Claim:
    """Add a claim under its key ``module.claim_id``. Registering the same object again does
    nothing; a different claim under an existing key replaces it with a ``UserWarning`` (a
    notebook cell that defines a claim can be edited and re-run)."""
    if not isinstance(claim, Claim):
        v.fail("claim", claim, "a Claim")
    old = _REGISTRY.get(claim.key)
    if old is not None and old is not claim and old != claim:
        warnings.warn(f"claim {claim.key!r} registered again: the new definition replaces the old one",
                      UserWarning, stacklevel=2)
    _REGISTRY[claim.key] = claim
    return claim


def mutant(base: "Claim | str", claim_id: str, why_false: str, **changes) -> Claim:
    """Register a false variant of ``base`` (a Claim or a registered key): same machinery,
    changed bound/domain/measure."""
    base = resolve(base)
    if ("bound" in changes or "measure" in changes) and "log_bound" not in changes:
        changes["log_bound"] = None  # the base's log form would check the base's bound
    if "measure" in changes and "measure_mp" not in changes:
        changes["measure_mp"] = None
    c = replace(base, claim_id=claim_id, kind="mutant", subject=base.key, why_false=why_false,
                statement=changes.pop("statement", f"MUTANT of {base.claim_id}: {why_false}"),
                **changes)
    return register(c)


def _load() -> None:
    pkg = importlib.import_module(f"{__package__}.claims")
    for info in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"{pkg.__name__}.{info.name}")


_LOADED: dict[str, list[str]] = {}


def load_claims(source: "str | os.PathLike[str]") -> list[Claim]:
    """Register the claims of a user's file (``my_claims.py``) or importable module
    (``my_pkg.claims``), which registers them on import (with :func:`register` /
    :func:`mutant`, in a namespace of its own or a built-in one). Returns the claims it
    registered. A file is executed once per process (loading it again returns the same
    claims); the built-in claims are loaded first, so a user's mutant may name one as its
    subject. Used by ``python -m reports --claims PATH`` and ``pytest --claims PATH``."""
    _load()
    if not isinstance(source, (str, os.PathLike)):
        v.fail("source", source, "a .py file path or an importable module name")
    src = os.fspath(source)
    path = Path(src).expanduser()
    by_file = src.endswith(".py") or path.is_file()
    ident = str(path.resolve()) if by_file else src
    if ident in _LOADED:
        return [_REGISTRY[k] for k in _LOADED[ident] if k in _REGISTRY]
    before = dict(_REGISTRY)
    if by_file:
        if not path.is_file():
            raise ValueError(f"claims={src!r} violates the condition: an existing .py file or an importable module")
        digest = hashlib.sha256(ident.encode()).hexdigest()[:10]
        name = f"sparse_ntk_user_claims.{re.sub(r'[^0-9A-Za-z_]', '_', path.stem)}_{digest}"
        spec = importlib.util.spec_from_file_location(name, path.resolve())
        if spec is None or spec.loader is None:
            raise ValueError(f"claims={src!r} violates the condition: a Python file")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        try:
            spec.loader.exec_module(mod)
        except BaseException:
            sys.modules.pop(name, None)
            raise
    else:
        try:
            importlib.import_module(src)
        except ModuleNotFoundError as exc:
            if exc.name and src.startswith(exc.name):
                raise ValueError(f"claims={src!r} violates the condition: an existing .py file or an "
                                 "importable module") from None
            raise
    keys = [k for k, c in _REGISTRY.items() if before.get(k) is not c]
    _LOADED[ident] = keys
    return [_REGISTRY[k] for k in keys]


def modules() -> list[str]:
    """Every namespace with a registered claim, in report order (:func:`module_rank`)."""
    _load()
    return sorted({c.module for c in _REGISTRY.values()}, key=module_rank)


def claims(module: str | None = None, kinds: Iterable[str] | None = None) -> list[Claim]:
    """Every registered claim (optionally one module's, or only some kinds), in a stable order."""
    if kinds is not None and (isinstance(kinds, str) or not hasattr(kinds, "__iter__")):
        v.fail("kinds", kinds, "a collection of claim kinds or None")
    if module is not None and not isinstance(module, str):
        v.fail("module", module, "a module name (str) or None")
    _load()
    out = [c for c in _REGISTRY.values()
           if (module is None or c.module == module) and (kinds is None or c.kind in kinds)]
    return sorted(out, key=lambda c: (module_rank(c.module), c.kind == "mutant", c.claim_id))


def module_rank(module: str) -> tuple[int, str]:
    """Report order: the built-in :data:`MODULES` in their order, then user namespaces A-Z."""
    if not isinstance(module, str):
        v.fail("module", module, "a module name (str)")
    return (MODULES.index(module), "") if module in MODULES else (len(MODULES), module)


def get(key: str) -> Claim:
    """A claim by its key ``module.claim_id``."""
    _load()
    try:
        return _REGISTRY[key]
    except KeyError:
        raise ValueError(f"key={key!r} violates the condition: a registered key "
                         f"(known: {sorted(_REGISTRY)})") from None
