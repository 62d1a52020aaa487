"""The verdict: one claim at one parameter point (:func:`check`, :func:`evaluate`).

The comparison is one-sided and statistical:

- ``"<="`` is refuted when the *lower* confidence limit exceeds the bound,
- ``">="`` when the *upper* limit falls below it,
- ``"=="`` when the bound lies outside [lower, upper],

each with a round-off allowance ``rtol * |bound| + atol`` for exact values. A "with
probability at least 1 - delta" claim measures the order-statistic limits of the
(1 - delta)-quantile, which is the exact binomial exceedance test in another form. The
comparison is made on natural logs wherever a value could underflow (a log form of the bound,
an mpf bound, log fields in the measurement, or a value below :data:`TINY`).
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
from .measurements import Measurement, as_measurement, log_of, mp_log
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
    log_space: bool = False  # the verdict was decided on logs
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
    bad_m = (np.isnan(m.lower) or np.isnan(m.upper) or
             (not np.isfinite(m.value) if m.log_value is None else math.isnan(m.log_value)))
    if bad_m or np.isnan(b) or (log_b is not None and math.isnan(log_b) and b >= 0):
        what = "measurement" if bad_m else "bound"
        raise ValueError(f"{c.key}: the {what} is NaN or not finite (measurement {m}, bound {b}, "
                         f"log bound {log_b}) at params={params}: an error of the claim, no verdict")
    # a side is "zero" when it is 0 in floats and no log form says otherwise
    zero_m = (m.log_value == -math.inf) if m.log_value is not None else m.value == 0
    zero_b = (log_b == -math.inf) if log_b is not None else b == 0
    if (zero_m and zero_b) or lost:
        return Evidence(claim=c.key, params=dict(params), measurement=m, bound=b, refuted=False,
                        ratio=math.nan, severity=math.nan, sense=c.sense, log_ratio=math.nan, vacuous=True,
                        log_bound=math.nan if log_b is None else log_b, log_space=False, underflowed=lost)
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
        return Evidence(claim=c.key, params=dict(params), measurement=m, bound=b, refuted=bool(refuted),
                        ratio=_exp(log_ratio), severity=_exp(sev), sense=c.sense, log_ratio=log_ratio,
                        vacuous=False, log_bound=lb, log_space=True)
    # an infinite bound has no round-off allowance (inf * rtol would make the threshold
    # -inf + inf = NaN, and a bound of -inf under "<=" would never be refuted)
    slack = c.rtol * abs(b) + c.atol if math.isfinite(b) else 0.0
    if c.sense == "<=":
        refuted = m.lower > b + slack
    elif c.sense == ">=":
        refuted = m.upper < b - slack
    else:
        refuted = (m.lower > b + slack) or (m.upper < b - slack)
    ratio = _ratio(m.value, b)
    log_ratio = log_of(ratio) if not math.isnan(ratio) else math.nan
    return Evidence(claim=c.key, params=dict(params), measurement=m, bound=b, refuted=bool(refuted),
                    ratio=ratio, severity=_severity(c.sense, m.value, b), sense=c.sense, log_ratio=log_ratio,
                    vacuous=False, log_bound=log_of(b), log_space=False)
