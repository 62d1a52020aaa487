"""The verdict's one comparison, on plain doubles and on numbers known by their logs.

The verdict is written once on a log-aware number type: two ordinary doubles are compared as
doubles (so the verdict is exactly ``lower > b + rtol |b| + atol`` for "<=", with no round-off
from log and exp), and any number given by its log, or below TINY, moves that comparison to
signed logs. These properties pin both halves:

- on ordinary doubles (any sign, zero, the allowance included) the verdict is the float
  inequality itself, in each sense;
- the same rows scaled by e^L and given as logs, for L far outside the doubles, keep their
  verdicts (away from a tie), in each sense;
- the edge rows a two-path verdict got wrong or could get wrong: a zero bound with an absolute
  allowance, an exact tie on the threshold beside a tiny point value, a tiny negative bound
  decided on signed logs, an infinite bound (no allowance), a signed zero ratio.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from montecarlo import registry
from montecarlo.registry import TINY, Claim, Domain, Measurement, Uniform

DOM = Domain({"B": Uniform(0.0, 1.0)})
P = {"B": 0.5}


def _claim(sense, m, b, *, rtol=1e-9, atol=0.0, log_b=None):
    return Claim(module="test_verdict", claim_id="numbers", reference="test", statement=sense, kind="bound",
                 sense=sense, measure=lambda p: m, bound=lambda p: b, domain=DOM, rtol=rtol, atol=atol,
                 log_bound=None if log_b is None else (lambda p: log_b))


def _float_verdict(sense, lo, hi, b, rtol, atol):
    slack = rtol * abs(b) + atol
    if sense == "<=":
        return lo > b + slack
    if sense == ">=":
        return hi < b - slack
    return lo > b + slack or hi < b - slack


ordinary = st.one_of(st.just(0.0), st.floats(min_value=1e-200, max_value=1e200),
                     st.floats(min_value=-1e200, max_value=-1e-200))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(sense=st.sampled_from(["<=", ">=", "=="]), xs=st.lists(ordinary, min_size=3, max_size=3),
       b=ordinary, rtol=st.sampled_from([0.0, 1e-12, 1e-9, 0.5]), atol=st.sampled_from([0.0, 1e-12, 0.25]))
def test_ordinary_doubles_are_compared_as_doubles(sense, xs, b, rtol, atol):
    lo, val, hi = sorted(xs)
    ev = registry.check(_claim(sense, Measurement(val, lo, hi), b, rtol=rtol, atol=atol), P)
    if val == 0 and b == 0:
        assert ev.vacuous and not ev.refuted
        return
    assert ev.refuted is _float_verdict(sense, lo, hi, b, rtol, atol), str(ev)
    if b != 0:  # (a bound of 0.0 is recomputed in mpmath: an exact 0, known by its log)
        assert not ev.log_space
    assert ev.ratio == (val / b if b != 0 else math.copysign(math.inf, val))


positive = st.floats(min_value=1e-6, max_value=1e6)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(sense=st.sampled_from(["<=", ">=", "=="]), xs=st.lists(positive, min_size=3, max_size=3), b=positive,
       L=st.sampled_from([-20000.0, -800.0, 800.0, 20000.0]))
def test_verdicts_keep_when_scaled_far_outside_the_doubles(sense, xs, b, L):
    lo, val, hi = sorted(xs)
    rtol = 1e-9
    edges = [b * (1 + rtol), b * (1 - rtol)]
    if any(abs(x - e) <= 1e-6 * e for x in (lo, hi) for e in edges):
        return  # within the log round-off of a tie: either verdict is honest
    expected = _float_verdict(sense, lo, hi, b, rtol, 0.0)
    logs = [math.log(x) + L for x in (lo, val, hi)]
    m = Measurement(0.0 if L < 0 else math.inf, 0.0 if L < 0 else math.inf, 0.0 if L < 0 else math.inf, {},
                    logs[1], logs[0], logs[2])
    lb = math.log(b) + L
    ev = registry.check(_claim(sense, m, 0.0 if L < 0 else math.inf, log_b=lb), P)
    assert ev.refuted is expected, str(ev)
    assert ev.log_space and not ev.vacuous
    assert ev.log_ratio == pytest.approx(math.log(val / b), abs=1e-9)


def test_zero_bound_with_an_absolute_allowance():
    # "<=" 0 with atol = 1e-12: a lower limit of 1e-240 is inside the allowance, 1e-6 is past it
    inside = registry.check(_claim("<=", Measurement(1e20, 1e-240, 1e20), 0.0, atol=1e-12), P)
    past = registry.check(_claim("<=", Measurement(1e20, 1e-6, 1e20), 0.0, atol=1e-12), P)
    assert not inside.refuted and past.refuted


def test_a_tie_on_the_threshold_is_not_a_violation_beside_a_tiny_value():
    # ">=" 0.9 with rtol 0.5: the threshold is exactly 0.45 in doubles; upper = 0.45 is on it,
    # and the tiny point value (1.5e-260, known by its log) does not move that comparison
    ev = registry.check(_claim(">=", Measurement(1.5e-260, 1e-300, 0.45), 0.9, rtol=0.5), P)
    assert not ev.refuted, str(ev)
    assert registry.check(_claim(">=", Measurement(1.5e-260, 1e-300, 0.4499999), 0.9, rtol=0.5), P).refuted


@pytest.mark.parametrize("sense, lims, refuted", [
    ("<=", (-2.9e-300, -2.5e-300, -2e-300), True),  # above the bound -3e-300 (closer to 0)
    ("<=", (-5e-300, -4e-300, -3.5e-300), False),  # below it
    (">=", (-5e-300, -4e-300, -3.5e-300), True),
    (">=", (-2.9e-300, -2.5e-300, -2e-300), False),
])
def test_tiny_negative_numbers_compare_on_signed_logs(sense, lims, refuted):
    lo, val, hi = lims
    assert max(abs(x) for x in lims) < TINY
    ev = registry.check(_claim(sense, Measurement(val, lo, hi), -3e-300), P)
    assert ev.refuted is refuted, str(ev)
    assert ev.ratio == pytest.approx(val / -3e-300, rel=1e-12)


def test_an_infinite_bound_has_no_allowance():
    assert registry.check(_claim("<=", Measurement(1.0, 1.0, 1.0), -math.inf), P).refuted
    assert not registry.check(_claim("<=", Measurement(1e300, 1e300, 1e300), math.inf), P).refuted
    assert registry.check(_claim(">=", Measurement(1e300, 1e300, 1e300), math.inf), P).refuted


def test_a_signed_zero_ratio_keeps_its_sign():
    ev = registry.check(_claim(">=", Measurement(0.0, -1.0, 1.0), -1e-12), P)
    assert ev.ratio == 0 and math.copysign(1.0, ev.ratio) == -1.0
