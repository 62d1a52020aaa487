"""The verdict and its ranking at every magnitude, in each sense, on the float and the log path.

A table at values near 2 cannot tell an absolute tolerance from a relative one (a verdict
blind to violations below 1e-9 agrees with it), and a ranking tested in one sense cannot see
an inverted severity in the other (the report's worst point and falsify's choice follow the
ranking). So the same rows, written as multiples of a magnitude M, are checked for
M = 1e-300 ... 1e300 (and, given as logs, out to e^{+-2000}), for "<=", ">=" and "==":

- float path: the measurement and the bound as floats (the verdict itself moves to logs below
  TINY = 1e-250, which the test states);
- log path: the same numbers given as natural logs (log fields of the measurement, log_bound).

The ranking: points at increasing closeness to violation get increasing ``severity`` and
``closeness``, equal to the stated ratios, and the search's worst point (``Search.worst``,
ranked by closeness as the report does and by severity as falsify does) is the closest one,
whatever the order the points come in.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from montecarlo import registry
from montecarlo.registry import TINY, Claim, Domain, Measurement, Uniform
from montecarlo.search.plan import Search, closeness, severity

RTOL = 1e-9
MAGNITUDES = [1e-300, 1e-250 / 3, 1e-200, 1e-20, 1e-9, 1.0, 1e9, 1e20, 1e200, 1e300]
LOG_SCALES = [-2000.0, -690.0, -46.0, 0.0, 46.0, 690.0, 2000.0]  # logs of the magnitude

# (lower, value, upper, bound) as multiples of M, and whether the claim is refuted
ROWS = {
    "<=": [((0.5, 0.6, 0.7), 1.0, False), ((1 + 2e-9,) * 3, 1.0, True), ((1 + 0.5e-9,) * 3, 1.0, False),
           ((0.9, 1.5, 2.0), 1.0, False), ((1.5, 2.0, 3.0), 1.0, True), ((1 + 1e-6, 1.1, 1.2), 1.0, True),
           ((1.0,) * 3, 1.0, False), ((2.0,) * 3, 1.0, True)],
    ">=": [((1.5, 2.0, 3.0), 1.0, False), ((1 - 2e-9,) * 3, 1.0, True), ((1 - 0.5e-9,) * 3, 1.0, False),
           ((0.5, 0.9, 1.1), 1.0, False), ((0.3, 0.5, 0.7), 1.0, True), ((0.5, 0.8, 1 - 1e-6), 1.0, True),
           ((1.0,) * 3, 1.0, False), ((0.5,) * 3, 1.0, True)],
    "==": [((2.0, 3.0, 4.0), 1.0, True), ((0.2, 0.3, 0.5), 1.0, True), ((0.5, 1.0, 2.0), 1.0, False),
           ((0.5, 0.7, 1.0), 1.0, False), ((1.0, 1.3, 2.0), 1.0, False),
           ((1 - 2e-9,) * 3, 1.0, True), ((1 + 2e-9,) * 3, 1.0, True), ((1 + 0.5e-9,) * 3, 1.0, False),
           ((1 - 0.5e-9,) * 3, 1.0, False)],
}

DOM = Domain({"B": Uniform(0.0, 1.0)})


def _claim(sense: str, m: Measurement, b: float, log_b: float | None = None) -> Claim:
    return Claim(module="test_verdict", claim_id="row", reference="test", statement=sense, kind="bound", sense=sense,
                 measure=lambda p: m, bound=lambda p: b, domain=DOM, rtol=RTOL,
                 log_bound=None if log_b is None else (lambda p: log_b))


def _float_case(sense, lims, b, M):
    lo, val, hi = (x * M for x in lims)
    return _claim(sense, Measurement(val, lo, hi), b * M)


def _log_case(sense, lims, b, L):
    """The same row scaled by e^L and given as logs (the floats kept where representable)."""
    logs = [math.log(x) + L for x in lims]
    floats = [math.exp(x) if -700 < x < 700 else (0.0 if x < 0 else math.inf) for x in logs]
    lb = math.log(b) + L
    fb = math.exp(lb) if -700 < lb < 700 else (0.0 if lb < 0 else math.inf)
    m = Measurement(floats[1], floats[0], floats[2], {}, logs[1], logs[0], logs[2])
    return _claim(sense, m, fb, lb)


def _rows():
    for sense, rows in ROWS.items():
        for i, (lims, b, refuted) in enumerate(rows):
            yield pytest.param(sense, lims, b, refuted, id=f"{sense}-{i}")


@pytest.mark.parametrize("M", MAGNITUDES, ids=lambda M: f"{M:.0e}")
@pytest.mark.parametrize("sense, lims, b, refuted", list(_rows()))
def test_verdict_float_path(sense, lims, b, refuted, M):
    ev = registry.check(_float_case(sense, lims, b, M), {"B": 0.5})
    assert ev.refuted is refuted, str(ev)
    assert not ev.vacuous and ev.log_space is (M < TINY)  # below TINY the verdict compares logs


@pytest.mark.parametrize("L", LOG_SCALES, ids=lambda L: f"e{L:+.0f}")
@pytest.mark.parametrize("sense, lims, b, refuted", list(_rows()))
def test_verdict_log_path(sense, lims, b, refuted, L):
    ev = registry.check(_log_case(sense, lims, b, L), {"B": 0.5})
    assert ev.refuted is refuted, str(ev)
    assert ev.log_space and not ev.vacuous


# ---------------------------------------------------------------- the ranking
STEPS = (0.2, 0.6, 0.9, 0.99)  # towards violation; each point's severity is its step


def _ranking_lims(sense: str, f: float) -> tuple[tuple[float, float, float], float]:
    """(lower, value, upper) relative to the bound 1 at severity f (< 1: not refuted), and the
    closeness expected there."""
    if sense == "<=":
        return (0.9 * f, f, 1.05 * f), f
    if sense == ">=":
        return (0.95 / f, 1 / f, 1.1 / f), f
    v = 1 - 0.4 * f  # an interval [v/2, 2v] holding the bound 1: closeness (1 - v) / (2v - v)
    return (v / 2, v, 2 * v), (1 - v) / v


def _points(sense: str, scale: float, log_path: bool):
    out = []
    for f in STEPS:
        lims, close = _ranking_lims(sense, f)
        c = _log_case(sense, lims, 1.0, scale) if log_path else _float_case(sense, lims, 1.0, scale)
        out.append((f, close, c, registry.check(c, {"B": 0.5})))
    return out


@pytest.mark.parametrize("sense", ["<=", ">=", "=="])
@pytest.mark.parametrize("path, scale", [("float", M) for M in (1e-300, 1e-20, 1.0, 1e20, 1e300)]
                         + [("log", L) for L in (-2000.0, -690.0, 0.0, 690.0, 2000.0)],
                         ids=lambda x: x if isinstance(x, str) else f"{x:g}")
def test_ranking_severity_closeness_and_worst_point(sense, path, scale):
    pts = _points(sense, scale, path == "log")
    for f, close, c, ev in pts:
        assert not ev.refuted
        want_sev = f if sense != "==" else max(1 / ev.ratio, ev.ratio)
        assert severity(ev) == pytest.approx(want_sev, rel=1e-9), (f, str(ev))
        if sense == "==" and ev.log_space:  # the same ratio, measured in logs: log(1/v) / log(2v/v)
            close = math.log(1 / ev.ratio) / math.log(2.0)
        assert closeness(ev, c) == pytest.approx(close, rel=1e-9), (f, str(ev))
    sev = [severity(ev) for *_, ev in pts]
    close = [closeness(ev, c) for *_, c, ev in pts]
    assert sev == sorted(sev) and close == sorted(close) and len(set(close)) == len(close)
    if sense != "==":
        assert len(set(sev)) == len(sev)
    for order in (range(len(pts)), reversed(range(len(pts))), [2, 0, 3, 1]):
        order = list(order)
        for rank in (lambda ev, c=pts[0][2]: closeness(ev, c), severity):
            s = Search(DOM, lambda p: None, 0, 0, rank=rank)
            for i in order:
                s.consider({"B": float(i)}, pts[i][3])
            assert s.worst is pts[-1][3], (order, [severity(e) for *_, e in pts])


@pytest.mark.parametrize("sense", ["<=", ">="])
@pytest.mark.parametrize("path", ["float", "log"])
def test_a_refuted_point_ranks_above_any_unrefuted_one(sense, path):
    scale = 1e-300 if path == "float" else -2000.0
    pts = _points(sense, scale, path == "log")
    lims = (1.5, 2.0, 3.0) if sense == "<=" else (0.3, 0.5, 0.7)
    bad_c = _log_case(sense, lims, 1.0, scale) if path == "log" else _float_case(sense, lims, 1.0, scale)
    bad = registry.check(bad_c, {"B": 0.5})
    assert bad.refuted and severity(bad) == pytest.approx(2.0, rel=1e-9)
    s = Search(DOM, lambda p: None, 0, 0)
    for ev in [bad] + [e for *_, e in pts]:
        s.consider({"B": 0.0}, ev)
    assert s.worst is bad and s.counterexample is bad
    assert np.isfinite(severity(bad))


@pytest.mark.parametrize("L", [-2000.0, 0.0, 2000.0])
def test_a_monte_carlo_point_past_the_bound_keeps_its_closeness_beyond_the_double_range(L):
    """An interval [0.5, 3] x e^L around the bound e^L with value 2 e^L: not refuted, severity 2,
    and its closeness is 2 (the float limits of e^{+-2000} are 0 or inf; reading them as equal
    would take the point for an exact value within the round-off allowance and cap it at 1)."""
    c = _log_case("<=", (0.5, 2.0, 3.0), 1.0, L)
    ev = registry.check(c, {"B": 0.5})
    assert not ev.refuted and closeness(ev, c) == pytest.approx(2.0, rel=1e-9)
