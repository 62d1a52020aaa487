"""What the suite prints must be true at a glance: log-only numbers as numbers, one slack
convention (1 tight, above 1 violated), banner counts equal to tile counts, an estimate past
the bound never called "holds, tight", atomic report folders, honest exit codes, and a replay
line for every counterexample."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from montecarlo import registry
from montecarlo.registry import Claim, Domain, LogUniform, Measurement, Uniform, exact, exact_log
from reports.build import run
from reports.render import number_text, slack_text, view

ROOT = Path(__file__).resolve().parent.parent
MOD = "flip_probability"


def _rec(**kw):
    base = {"module": MOD, "claim": "x", "key": f"{MOD}.x", "kind": "bound", "reference": "-", "statement": "-",
            "sense": "<=", "passed": True, "status": "holds", "worst_ratio": 0.5, "log_ratio": math.log(0.5),
            "limit": "lower", "limit_ratio": 0.4, "severity": 0.5, "closeness": 0.5, "params": {"B": 1.0},
            "measured": 0.5, "lower": 0.4, "upper": 0.6, "bound": 1.0, "detail": {}, "examples": 3,
            "examples_planned": 3, "applicable_examples": 3, "vacuous_examples": 0, "tight_constant": None,
            "weight": 1.0, "error": None}
    base.update(kw)
    return base


# ------------------------------------------------------------------ numbers as numbers
def test_log_only_values_in_a_mutant_row_are_numbers():
    lv, lb = -20004.23576, -20004.2687
    rec = _rec(kind="mutant", status="refuted", subject=f"{MOD}.lemma_A4", why_false="-", measured=0.0,
               lower=0.0, upper=0.0, bound=0.0, log_measured=lv, log_lower=lv, log_upper=lv, log_bound=lb,
               log_ratio=lv - lb, log_slack=lv - lb, worst_ratio=1.03348, params={"B": 200.0, "R_frac": 1.0})
    shown = view(rec)
    assert "e-8688" in shown["counter"] and "measured 0 " not in shown["counter"]
    assert "<= 0 " not in shown["counter"] and "1.033" in shown["counter"]
    assert number_text(rec, "measured", "log_measured").endswith("e-8688")


def test_an_infinite_ratio_is_no_placeholder():
    rec = _rec(kind="mutant", status="refuted", subject=f"{MOD}.x", why_false="-", measured=1e300,
               lower=1e300, upper=1e300, bound=1.0, worst_ratio=1e300, log_ratio=math.log(1e300),
               log_slack=math.log(1e300), detail={"infinite_ratio": "an entry with bound 0 changed by 0.01"})
    shown = view(rec)
    assert "1e+300" not in shown["counter"] and "∞" in shown["counter"] and "changed by 0.01" in shown["counter"]


# ------------------------------------------------------------------ one convention
def test_slack_is_bound_over_measured_for_lower_bounds():
    rec = _rec(sense=">=", worst_ratio=2.675, log_ratio=math.log(2.675), measured=2.675, lower=2.675,
               upper=2.675, bound=1.0)
    assert slack_text(rec).startswith("0.3738") and "bound / measured" in slack_text(rec)
    rec = _rec(worst_ratio=0.5, log_ratio=math.log(0.5))
    assert slack_text(rec).startswith("0.5") and "measured / bound" in slack_text(rec)


def test_limit_column_shows_the_limit_itself():
    rec = _rec(limit_value=5e-12, log_limit=math.log(5e-12), limit_ratio=1.615e-07, lower=5e-12)
    shown = view(rec)
    assert "5e-12" in shown["limit"] and "1.615e-07" not in shown["limit"]
    assert shown["measured_text"].startswith("0.5") and shown["bound_text"] == "<= 1"


def test_tightness_advice_for_a_lower_bound():
    from montecarlo.cli import _advice

    text = _advice(">=", 0.373821, {"n": 3})
    assert "scaled up to about 2.675 it held" in text and "by more it fails" in text
    assert "scaled by 0.373821" not in text
    assert "scaled down to about 0.5" in _advice("<=", 0.5, {})


# ------------------------------------------------------------------ honest labels
def test_estimate_above_bound_is_not_holds_tight():
    rec = _rec(worst_ratio=1.615, log_ratio=math.log(1.615), measured=1.615e-7, lower=5e-12, upper=4e-6,
               bound=1e-7, closeness=0.99, detail={"detectable": 14.2})
    shown = view(rec)
    assert shown["label"] == "not refuted: estimate above bound"
    assert not shown["tight"] and "tight" not in shown["notes"].split("; ")
    assert "detects true > 14.2" in shown["notes"]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """A report with one holding check, one whose estimate is past the bound and one with no power."""
    registry.claims()
    dom = Domain({"B": Uniform(0.0, 1.0)})
    mk = lambda cid, m, b: registry.register(Claim(  # noqa: E731
        module=MOD, claim_id=cid, reference="test", statement=cid, kind="bound", sense="<=", measure=m,
        bound=b, domain=dom))
    keys = [mk("honest_holds", lambda p: exact(0.5), lambda p: 1.0).key,
            mk("honest_above", lambda p: Measurement(1.5, 0.2, 3.0, {"detectable": 14.0}), lambda p: 1.0).key,
            mk("honest_powerless", lambda p: Measurement(0.0, 0.0, 0.1), lambda p: 1.0).key]
    out = tmp_path_factory.mktemp("mixed") / "rep"
    rep = run(out, base=4, keys=keys, seed=1, progress=False, hooks=False)
    yield rep, out
    for k in keys:
        registry.unregister(k)


def test_banner_counts_equal_tile_counts(mixed):
    rep, out = mixed
    html = (out / "index.html").read_text()
    md = (out / "REPORT.md").read_text()
    banner = re.search(r'<p class="banner ok">(.*?)</p>', html, re.S).group(1)
    assert "All 3 checks hold" not in banner and "All 3 checks hold" not in md
    tiles = dict((label.strip(), int(n)) for n, label in re.findall(r'<div class="card[^"]*"><b>(\d+)</b>([^<]+)</div>', html))
    assert tiles["hold"] == 1 and tiles["not refuted: estimate above bound"] == 1 and tiles["no power"] == 1
    assert "1 hold" in banner and "1 not refuted with the estimate above the bound" in banner
    assert "1 with no power" in banner


# ------------------------------------------------------------------ atomic output
def test_interrupted_run_leaves_the_previous_report_whole(mixed, monkeypatch):
    rep, out = mixed
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    from reports import render

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(render, "write", boom)
    with pytest.raises(KeyboardInterrupt):
        run(out, base=4, keys=[r["key"] for r in rep.records], seed=2, progress=False, hooks=False)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]


def test_unwritable_out_is_refused_before_the_sweep(tmp_path, capsys, monkeypatch):
    from reports import build
    from reports.__main__ import main

    swept = []
    monkeypatch.setattr(build, "sweep_all", lambda *a, **k: swept.append(1) or [])
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    try:  # refused by the --out argument type (argparse exits 2) or by main itself (returns 2)
        code = main(["--module", MOD, "--examples", "1", "--out", str(blocker / "rep"), "--no-progress",
                     "--no-hooks"])
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert "--out" in err and ("can be written" in err or "a folder" in err) and "Traceback" not in err
    assert not swept
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        try:
            assert main(["--module", MOD, "--examples", "1", "--out", str(locked / "rep"), "--no-progress",
                         "--no-hooks"]) == 2
            assert not swept
        finally:
            locked.chmod(0o700)


def test_report_exit_status_is_one_on_a_counterexample(tmp_path):
    registry.claims()
    c = registry.register(Claim(module=MOD, claim_id="honest_false", reference="test", statement="0.5 <= 0.25",
                                kind="bound", sense="<=", measure=lambda p: exact(0.5), bound=lambda p: 0.25,
                                domain=Domain({"B": Uniform(0.0, 1.0)})))
    try:
        from reports.__main__ import main

        with pytest.raises(SystemExit) as e:  # an unknown module is a usage error
            main(["--module", "no_such_module", "--out", str(tmp_path / "x")])
        assert e.value.code == 2
        rep = run(tmp_path / "r", base=3, keys=[c.key], seed=0, progress=False, hooks=False)
        assert not rep.passed
    finally:
        registry.unregister(c.key)


# ------------------------------------------------------------------ CLI exit codes and replay
def _cli(*args):
    return subprocess.run([sys.executable, "-m", "montecarlo.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.parametrize("expr, words", [("1/B", "undefined at B=0"), ("log(-1)", "not real"),
                                         ("1/(B-B)", "undefined")])
def test_undefined_formula_is_exit_2_one_line(expr, words):
    r = _cli("falsify", "flip_probability.lemma_A4", expr, "--examples", "20")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and words in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_counterexample_carries_a_replay_that_reproduces_it():
    r = _cli("falsify", "flip_probability.lemma_A4", "2.8*R*exp(-B**2/2)")
    assert r.returncode == 1
    line = next(l for l in r.stdout.splitlines() if l.startswith("replay: "))[len("replay: "):]
    assert line.startswith("sparse-ntk check flip_probability.lemma_A4 ") and "--at B=200.0,R_frac=1.0" in line
    import shlex

    again = _cli(*shlex.split(line)[1:])
    assert again.returncode == 1 and "REFUTED" in again.stdout
    held = _cli("check", "flip_probability.lemma_A4", "--at", "B=200,R_frac=1")
    assert held.returncode == 0 and "holds" in held.stdout and "e-8688" in held.stdout
    bad = _cli("check", "flip_probability.lemma_A4", "--at", "B=200")
    assert bad.returncode == 2 and "R_frac" in bad.stderr and "Traceback" not in bad.stderr


# ------------------------------------------------------------------ compare two runs
def test_compare_shows_exactly_the_claim_whose_constant_changed(tmp_path, capsys):
    from montecarlo.cli import main as cli

    registry.claims()
    dom = Domain({"B": Uniform(0.0, 3.0), "R": LogUniform(1e-3, 1.0)})
    gauss = lambda p: exact(p["R"] * math.exp(-p["B"] ** 2 / 2))  # noqa: E731

    def register(c_edit):
        for cid, c in (("cmp_fixed", 2.0), ("cmp_edited", c_edit), ("cmp_other", 3.0)):
            registry.register(Claim(module=MOD, claim_id=cid, reference="test", statement=cid, kind="bound",
                                    sense="<=", measure=gauss, bound=lambda p, c=c: c * p["R"] * math.exp(-p["B"] ** 2 / 2),
                                    domain=dom))
        return [f"{MOD}.cmp_fixed", f"{MOD}.cmp_edited", f"{MOD}.cmp_other"]

    keys = register(2.0)
    try:
        run(tmp_path / "old", base=4, keys=keys, seed=0, progress=False, hooks=False)
        for k in keys:
            registry.unregister(k)
        register(1.5)  # the reviser edits one constant
        rep = run(tmp_path / "new", base=4, keys=keys, seed=0, progress=False, hooks=False,
                  baseline=tmp_path / "old")
    finally:
        for k in keys:
            registry.unregister(k)
    assert cli(["compare", str(tmp_path / "old"), str(tmp_path / "new" / "results.json"), "--only-changed"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 of 3 claims changed")
    assert f"{MOD}.cmp_edited" in out and f"{MOD}.cmp_fixed" not in out and f"{MOD}.cmp_other" not in out
    assert "x1.33333" in out  # slack 0.5 -> 0.667: the bound shrank by 3/4
    assert [c.key for c in rep.comparison if c.changed] == [f"{MOD}.cmp_edited"]
    html = (tmp_path / "new" / "index.html").read_text()
    md = (tmp_path / "new" / "REPORT.md").read_text()
    assert "Compared with the baseline" in html and "1 of 3 claims changed" in html
    assert f"`{MOD}.cmp_edited`" in md and f"`{MOD}.cmp_fixed`" not in md.split("## Compared")[1].split("\n## ")[0]
    assert cli(["compare", str(tmp_path / "nowhere"), str(tmp_path / "new")]) == 2
    assert "results.json" in capsys.readouterr().err


def test_round_off_and_identities_are_not_estimate_above_bound():
    assert not view(_rec(sense="==", log_ratio=0.1, lower=0.9, upper=1.2))["above"]
    assert not view(_rec(log_ratio=1e-12, worst_ratio=1.0, lower=0.99, upper=1.01))["above"]
    assert view(_rec(log_ratio=0.48, worst_ratio=1.615, lower=0.1, upper=3.0))["above"]


# ------------------------------------------------------------------ LaTeX in
def test_latex_candidate_is_read_echoed_and_checked(capsys):
    pytest.importorskip("antlr4")
    from montecarlo.cli import main
    from montecarlo.search.expression import ExpressionError, candidate, parse_latex_candidate

    expr, used = parse_latex_candidate(r"2.5 R e^{-B^2/2}", ["B", "R_frac", "R"])
    assert str(expr) == "2.5*R*exp(-B**2/2)" and used == ["B", "R"]
    expr, _ = parse_latex_candidate(r"\mathrm{erfc}(B) + \operatorname{Q}(B) + \pi", ["B"])
    assert "erfc" in str(expr) and "pi" in str(expr)
    for bad, words in [(r"\mathrm{foo}(B)", "unknown function"), ("x R", "unknown symbol"),
                       (r"\frac{1}{B-B}", "undefined"), ("", "empty")]:
        with pytest.raises(ExpressionError, match=words):
            parse_latex_candidate(bad, ["B", "R"])
    assert candidate(r"3 R e^{-B^2/2}", ["B", "R"], latex=True)({"B": 200.0, "R": 0.005}) > 0
    assert main(["falsify", "flip_probability.lemma_A4", "--latex", r"2.5 R e^{-B^2/2}"]) == 1
    out = capsys.readouterr().out
    assert "read as: 2.5*R*exp(-B**2/2)" in out and "replay: sparse-ntk check" in out
    assert main(["falsify", "flip_probability.lemma_A4", "--latex", r"\mathrm{foo}(B)"]) == 2


def test_statements_are_typeset_in_mathml():
    from reports.typeset import LATEX, mathml

    m = mathml("flip_probability.lemma_A4")
    assert m.startswith("<math") and "msup" in m
    assert view(_rec(key="flip_probability.lemma_A4"))["mathml"] == m
    assert mathml("flip_probability.no_such") == ""
    assert all(k in {c.key for c in registry.claims()} for k in LATEX)
