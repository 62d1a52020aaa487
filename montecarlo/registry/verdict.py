"""The verdict: one claim at one parameter point (:func:`check`, :func:`evaluate`).

The comparison is one-sided and statistical:

- ``"<="`` is refuted when the *lower* confidence limit exceeds the bound,
- ``">="`` when the *upper* limit falls below it,
- ``"=="`` when the bound lies outside [lower, upper],

each with a round-off allowance ``rtol * |bound| + atol`` for exact values. A "with
probability at least 1 - delta" claim measures the order-statistic limits of the
(1 - delta)-quantile, which is the exact binomial exceedance test in another form.

The comparison is written once, on :class:`~montecarlo.registry._logreal.LogReal` numbers:
a number given by its log (a log form of the bound, an mpf bound, log fields in the
measurement) or below :data:`TINY` is compared on logs, two plain doubles as doubles.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import mpmath
import numpy as np

from bounds import validate as v

from .claim import Claim
from .domains import Params
from ._logreal import TINY, LogReal
from .measurements import Measurement, as_measurement, mp_log
from .precise import mp_value, underflowed
from .store import resolve
from .views import evidence_html, evidence_text

__all__ = ["Evidence", "check", "evaluate", "full_params", "TINY", "LOG_FORM_TOL"]


@dataclass(frozen=True, kw_only=True)
class Evidence:
    """The verdict of one claim at one parameter point.

    ``ratio`` is measured/bound and ``log_ratio`` its natural log (computed in log space when
    the values are tiny or given as logs, so it stays finite where the ratio under- or
    overflows). ``vacuous`` marks a point where both sides are 0 (or underflowed) and no log
    form tells them apart: it says nothing, is never refuted, has ratio nan and is never a
    sweep's worst point. ``underflowed`` marks a point where a candidate bound is 0 or
    infinite in floats and cannot be evaluated in mpmath: it is vacuous too (no verdict; write
    the candidate with ``mpmath.exp``)."""

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
    log_space: bool = False  # a number is known by its log and all have logs: compared, and shown, on logs
    underflowed: bool = False  # the candidate underflowed in floats: no verdict

    @property
    def applicable(self) -> bool:
        """False when the claim's hypothesis does not hold at this point
        (``measurement.applicable`` is False): such a point never decides a verdict."""
        return self.measurement.applicable

    def __str__(self) -> str:
        return evidence_text(self)

    def _repr_html_(self) -> str:
        return evidence_html(self)


LOG_FORM_TOL = 1e-7
"""Largest |log(bound) - log_bound| accepted where the float bound is representable: a
claim's two forms of its bound must agree (a mutant that changes one form only is an error)."""


_ONE = LogReal.of(1.0)


def _severity(sense: str, value: LogReal, bound: LogReal) -> float:
    """How far the point value is towards violating the claim (1 = on the bound; > 1 past it)."""
    if sense == "<=":
        if bound.sign > 0:
            return (value / bound).value
        return math.inf if value > bound else (1.0 if value == bound else 0.0)
    if sense == ">=":
        if value.sign > 0 and bound.sign >= 0:
            return (bound / value).value
        return math.inf if value < bound else (1.0 if value == bound else 0.0)
    if bound.sign == 0 or value.sign == 0:
        return 1.0 if value == bound else math.inf
    r = value / bound
    return max(r, _ONE / r).value if r.sign > 0 else math.inf


def _limits(m: Measurement) -> tuple[LogReal, LogReal, LogReal]:
    """The measurement's value, lower and upper limit, by their logs where it gives them."""
    if m.log_value is None:
        return LogReal.of(m.value), LogReal.of(m.lower), LogReal.of(m.upper)
    return tuple(LogReal.from_log(lx) if lx is not None else LogReal.of(x)
                 for lx, x in ((m.log_value, m.value), (m.log_lower, m.lower), (m.log_upper, m.upper)))


def _real_bound(x: Any) -> float:
    """A bound as a float: a real number (int, float, numpy real scalar or 0-d array, mpf);
    +-inf allowed (a bound of -inf under "<=" is refuted by any finite measurement), NaN is
    refused later with the claim and point named. Complex numbers, text, bools and arrays
    of more than one number are refused (``float()`` would drop an imaginary part)."""
    if isinstance(x, mpmath.mpf):
        return float(x)
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x[()]
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (numbers.Real, np.integer, np.floating)):
        raise TypeError(f"returned {x!r} ({type(x).__name__}), not a real number")
    return float(x)


def _claim_error(c: Claim, params: Params, which: str, exc: Exception):
    """Re-raise an exception of a claim's (or candidate's) own function as the claim's error,
    naming the claim, the function and the point (a sweep records it and goes on)."""
    raise ValueError(f"{c.key}: its {which} raised {type(exc).__name__}: {exc} "
                     f"at params={_show_params(params)}") from exc


def _show_params(params: Params) -> str:
    out = {}
    for k, x in params.items():
        if isinstance(x, np.ndarray) and x.size > 8:
            out[k] = f"array(shape={x.shape})"
        else:
            out[k] = x
    return repr(out)


def full_params(claim: Claim, params: Params) -> Params:
    """The claim's parameters from ``params``: raw domain parameters are passed through the
    domain's ``derive`` when that adds a parameter they lack (``{"B": 3, "R_frac": 0.3}``
    gains ``R``); parameters that already carry the derived ones are used as given."""
    if not isinstance(claim, Claim):
        v.fail("claim", claim, "a Claim (montecarlo.registry.get(key))")
    _check_params(claim, params)
    return _derived(claim, params)


def check(claim: "Claim | str", params: Params, candidate: Callable[[Params], Any] | None = None) -> Evidence:
    """Evaluate ``claim`` (a Claim or a registered key; or ``candidate`` in place of its bound)
    at ``params`` (the claim's parameters, or the raw domain parameters: see
    :func:`full_params`).

    The comparison is made on natural logs for every number known by its log: the claim's
    ``log_bound`` (when no candidate replaces it), an ``mpmath.mpf`` bound, the measurement's
    log fields, or a nonzero double below :data:`TINY` in magnitude; the round-off allowance
    ``rtol * |bound| + atol`` is applied in log space too. A point where both sides are 0
    without a log form that separates them is vacuous (never refuted)."""
    c = resolve(claim)
    _check_candidate(candidate)
    _check_params(c, params)
    return _evaluate(c, _derived(c, params), candidate)


def evaluate(c: Claim, params: Params, candidate: Callable[[Params], Any] | None = None) -> Evidence:
    """:func:`check` at the claim's own (already derived) parameters."""
    if not isinstance(c, Claim):
        v.fail("c", c, "a Claim (montecarlo.registry.get(key))")
    _check_candidate(candidate)
    _check_params(c, params)
    return _evaluate(c, params, candidate)


def _check_params(c: Claim, params: Params) -> None:
    if not isinstance(params, Mapping):
        v.fail("params", params, f"a dict of {c.key}'s parameters")


def _check_candidate(candidate: Any) -> None:
    if candidate is not None and not callable(candidate):
        v.fail("candidate", candidate, "a function of the parameters, or None")


def _derived(claim: Claim, params: Params) -> Params:
    """:func:`full_params` on arguments already checked."""
    params = dict(params)
    if not set(claim.domain.specs) <= set(params):
        return params
    built = claim.domain.build(params)
    if isinstance(built, dict) and set(built) - set(params):
        return built
    return params


def _evaluate(c: Claim, params: Params, candidate: Callable[[Params], Any] | None) -> Evidence:
    """The verdict (:func:`check`) on arguments already checked: measure, bound, decide."""
    try:
        m = as_measurement(c.measure(params))
    except KeyError as e:  # a missing parameter, named (was a bare KeyError)
        v.fail("params", params, f"has the parameter {e.args[0]!r} that {c.key} needs")
    except Exception as exc:
        _claim_error(c, params, "measure", exc)
    for field in ("value", "lower", "upper"):
        x = getattr(m, field)
        if isinstance(x, np.ndarray) and x.ndim == 0:
            x = x[()]
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, (numbers.Real, np.integer, np.floating)):
            raise ValueError(f"{c.key}: its measure returned a Measurement whose {field} is {x!r} "
                             f"({type(x).__name__}), not a real number, at params={_show_params(params)}")
    which = "candidate" if candidate is not None else "bound"
    fn = candidate if candidate is not None else c.bound
    lost = False  # the candidate underflowed in floats and has no mpmath value
    try:
        raw_b = fn(params)
        if ((candidate is not None or c.log_bound is None) and not isinstance(raw_b, mpmath.mpf)
                and isinstance(raw_b, (numbers.Real, np.integer, np.floating)) and not isinstance(raw_b, bool)
                and np.ndim(raw_b) == 0 and float(raw_b) >= 0 and underflowed(float(raw_b))
                and not (m.log_value is None and m.value == 0)):  # both 0 in floats: vacuous below
            precise = mp_value(fn, params)  # 0.0 from math.exp(-20000) is no bound: recompute in mpmath
            if precise is not None:
                raw_b = precise
            elif candidate is not None and (float(raw_b) == 0 or math.isinf(float(raw_b))):
                lost = True
        log_b: float | None = None
        if isinstance(raw_b, mpmath.mpf):
            log_b = mp_log(raw_b)
        b = _real_bound(raw_b)
        if candidate is None and c.log_bound is not None:
            which = "log_bound"
            log_b = _real_bound(c.log_bound(params))
    except Exception as exc:
        _claim_error(c, params, which, exc)
    if candidate is None and c.log_bound is not None:
        if TINY < abs(b) < math.inf and not abs(math.log(abs(b)) - log_b) <= LOG_FORM_TOL:
            raise ValueError(f"{c.key}: log_bound {log_b!r} disagrees with log(bound) = {math.log(abs(b))!r} "
                             f"at params={params} (the two forms must state the same bound)")
    return _decide(c, params, m, b, log_b, lost)


def _decide(c: Claim, params: Params, m: Measurement, b: float, log_b: float | None, lost: bool) -> Evidence:
    """The verdict on the measurement ``m`` against the bound ``b`` (``log_b`` its log where
    known; ``lost``: a candidate that underflowed in floats and has no mpmath value)."""
    bad_m = (np.isnan(m.lower) or np.isnan(m.upper) or
             (not np.isfinite(m.value) if m.log_value is None else math.isnan(m.log_value)))
    if bad_m or np.isnan(b) or (log_b is not None and math.isnan(log_b) and b >= 0):
        what = "measurement" if bad_m else "bound"
        raise ValueError(f"{c.key}: the {what} is NaN or not finite (measurement {m}, bound {b}, "
                         f"log bound {log_b}) at params={params}: an error of the claim, no verdict")
    value, lower, upper = _limits(m)
    bound = LogReal.from_log(log_b) if log_b is not None and not math.isnan(log_b) else LogReal.of(b)
    if (value.sign == 0 and bound.sign == 0) or lost:  # both 0, and no log form tells them apart
        return Evidence(claim=c.key, params=dict(params), measurement=m, bound=b, refuted=False,
                        ratio=math.nan, severity=math.nan, sense=c.sense, log_ratio=math.nan, vacuous=True,
                        log_bound=math.nan if log_b is None else log_b, log_space=False, underflowed=lost)
    # the round-off allowance; an infinite bound has none (inf - inf has no value, and a bound
    # of -inf under "<=" is refuted by any finite measurement)
    if bound.log_abs == math.inf:
        hi = lo = bound
    else:
        slack = abs(bound) * c.rtol + LogReal.of(c.atol)
        hi, lo = bound + slack, bound - slack
    if c.sense == "<=":
        refuted = lower > hi
    elif c.sense == ">=":
        refuted = upper < lo
    else:
        refuted = lower > hi or upper < lo
    ratio = value / bound
    # the logs are the verdict's numbers when one is known by its log and all it compares have logs
    logs = (value, upper, bound) if c.sense == ">=" else (value, lower, upper, bound)
    return Evidence(claim=c.key, params=dict(params), measurement=m, bound=b, refuted=bool(refuted),
                    ratio=ratio.value, severity=_severity(c.sense, value, bound), sense=c.sense,
                    log_ratio=ratio.log, vacuous=False, log_bound=bound.log,
                    log_space=any(x.by_log for x in logs) and all(x.sign >= 0 for x in logs))
