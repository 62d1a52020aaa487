"""The report command on tiny sweeps: outputs, results.json schema, determinism,
a deliberately broken bound shown as failed and in red, broken claims and hooks, the budget."""

from __future__ import annotations

import json
import math
import re
import time

import numpy as np
import pytest

from montecarlo import registry
from montecarlo.registry import Claim, Domain, LogUniform, Measurement, Seed, Uniform, exact
from montecarlo.sim.seeding import derive
from reports import run
from reports.__main__ import main
from reports.figures import FIGURES
from reports.sweep import _params, jsonable, record, sweep_claim

MOD = "flip_probability"  # Claim.module must be one of registry.MODULES
TOY = [f"{MOD}.test_report_{k}" for k in ("holds", "mc", "identity", "lower", "na", "raises", "mutant",
                                          "mutant_survives")] + [f"{MOD}.test_broken_bound"]
FIELDS = {"module": str, "claim": str, "key": str, "kind": str, "reference": str, "statement": str,
          "sense": str, "passed": bool, "status": str, "examples": int, "applicable_examples": int,
          "examples_planned": int}
NUMBERS = ("worst_ratio", "limit_ratio", "measured", "lower", "upper", "bound")


def _mc(p) -> Measurement:
    """A Monte Carlo mean of exp(-B^2/2) * U(0, 2) with a crude interval (for the plots)."""
    rng = np.random.default_rng(p["seed"])
    x = math.exp(-p["B"] ** 2 / 2) * rng.uniform(0, 2, 400)
    half = 6 * x.std() / 20
    return Measurement(float(x.mean()), float(x.mean() - half), float(x.mean() + half), {"n": 400})


def _raises(p) -> Measurement:
    raise RuntimeError("deliberately broken measurement")


@pytest.fixture(scope="module")
def toy():
    """Throwaway claims under a real module name, removed from the registry afterwards."""
    registry.claims()  # load the real claims first so ours are not shadowed by a later import
    dom = Domain({"B": Uniform(0.0, 5.0), "R": LogUniform(1e-3, 1.0)})
    gauss = lambda p: exact(p["R"] * math.exp(-p["B"] ** 2 / 2))  # noqa: E731
    holds = registry.register(Claim(module=MOD, claim_id="test_report_holds", reference="test", statement="R e^{-B^2/2} <= 2 R e^{-B^2/2}",
                                    kind="bound", sense="<=", measure=gauss, bound=lambda p: 2 * p["R"] * math.exp(-p["B"] ** 2 / 2),
                                    domain=dom))
    registry.register(Claim(module=MOD, claim_id="test_broken_bound", reference="test", statement="R e^{-B^2/2} <= R e^{-B^2/2} / 2 (false)",
                            kind="bound", sense="<=", measure=gauss, bound=lambda p: p["R"] * math.exp(-p["B"] ** 2 / 2) / 2, domain=dom))
    registry.register(Claim(module=MOD, claim_id="test_report_mc", reference="test", statement="E[e^{-B^2/2} U] == e^{-B^2/2}", kind="identity",
                            sense="==", measure=_mc, bound=lambda p: math.exp(-p["B"] ** 2 / 2),
                            domain=Domain({"B": Uniform(0.0, 3.0), "seed": Seed()}), rtol=0.0))
    registry.register(Claim(module=MOD, claim_id="test_report_identity", reference="test", statement="log1p(x) == log(1 + x)", kind="identity", sense="==",
                            measure=lambda p: exact(math.log1p(p["R"])), bound=lambda p: math.log(1 + p["R"]), domain=dom))
    registry.register(Claim(module=MOD, claim_id="test_report_lower", reference="test", statement="e^{B} >= 1 + B", kind="bound", sense=">=",
                            measure=lambda p: exact(math.exp(p["B"])), bound=lambda p: 1 + p["B"], domain=dom))
    registry.register(Claim(module=MOD, claim_id="test_report_na", reference="test", statement="hypothesis never met", kind="bound", sense="<=",
                            measure=lambda p: exact(2.0, applicable=False), bound=lambda p: 1.0, domain=dom))
    registry.register(Claim(module=MOD, claim_id="test_report_raises", reference="test", statement="a claim whose measurement raises", kind="bound",
                            sense="<=", measure=_raises, bound=lambda p: 1.0, domain=dom))
    registry.mutant(holds, "test_report_mutant", "bound a quarter of the true value",
                    bound=lambda p: p["R"] * math.exp(-p["B"] ** 2 / 2) / 4)
    registry.mutant(holds, "test_report_mutant_survives", "not actually false (must show as not refuted)",
                    bound=lambda p: 3 * p["R"] * math.exp(-p["B"] ** 2 / 2))
    yield TOY
    for k in TOY:
        registry.unregister(k)


@pytest.fixture(scope="module")
def report(toy, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    rep = run(out, base=6, keys=toy, seed=7, progress=False, hooks=False)
    return rep, json.loads((out / "results.json").read_text())


def _row(html: str, key: str) -> str:
    m = re.search(rf'<tr class="([^"]*)" id="{re.escape(key)}">', html)
    assert m, f"no table row for {key}"
    return m.group(1)


def test_outputs_exist(report):
    rep, _ = report
    for name in ("index.html", "REPORT.md", "results.json", "provenance.json", "overview.png",
                 f"sweep_{MOD}.png"):
        assert (rep.out / name).is_file() and (rep.out / name).stat().st_size > 0, name
    html = (rep.out / "index.html").read_text()
    srcs = re.findall(r'<img src="([^"]+)"', html)
    assert len(srcs) >= 2
    for src in srcs:  # every figure embedded: index.html is one self-contained file
        assert src.startswith("data:image/png;base64,") or src.startswith("data:image/svg+xml;base64,")
    import base64

    assert base64.b64decode(srcs[0].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<script" not in html and "http://" not in html.replace('http://www.w3.org', '')
    md = (rep.out / "REPORT.md").read_text()
    assert f"](sweep_{MOD}.png)" in md and "| claim | reference |" in md


def test_results_schema(report, toy):
    _, recs = report
    assert [r["key"] for r in recs] == [c.key for c in registry.claims(MOD) if c.key in toy]
    for r in recs:
        for f, t in FIELDS.items():
            assert isinstance(r[f], t), (r["key"], f)
        assert r["module"] in registry.MODULES and r["kind"] in registry.KINDS
        assert r["key"] == f"{r['module']}.{r['claim']}"
        if r["status"] not in ("error", "not applicable"):
            assert isinstance(r["params"], dict) and {"B", "R"} & set(r["params"])
            for f in NUMBERS:
                assert isinstance(r[f], (int, float)) or r[f] in ("inf", "-inf", "nan"), (r["key"], f)
        if r["kind"] == "mutant":
            assert r["subject"] == f"{MOD}.test_report_holds" and r["why_false"]


def test_verdicts(report):
    _, recs = report
    by = {r["claim"]: r for r in recs}
    assert by["test_report_holds"]["passed"] and by["test_report_holds"]["status"] == "holds"
    assert by["test_report_holds"]["worst_ratio"] == pytest.approx(0.5)
    assert by["test_report_mc"]["passed"] and by["test_report_identity"]["passed"]
    assert by["test_report_lower"]["passed"] and by["test_report_lower"]["limit"] == "upper"
    na = by["test_report_na"]
    assert na["status"] == "not applicable" and na["passed"] and na["applicable_examples"] == 0
    broken = by["test_broken_bound"]
    assert broken["passed"] is False and broken["status"] == "violated"
    assert broken["worst_ratio"] == pytest.approx(2.0) and broken["measured"] > broken["bound"]
    err = by["test_report_raises"]
    assert err["passed"] is False and err["status"] == "error" and "deliberately broken" in err["error"]
    mut = by["test_report_mutant"]
    assert mut["passed"] is True and mut["status"] == "refuted" and mut["worst_ratio"] > 1
    assert mut["examples"] < mut["examples_planned"] or mut["examples"] == 1  # stops at the first
    assert by["test_report_mutant_survives"]["passed"] is False


def test_broken_bound_is_red(report):
    rep, _ = report
    html = (rep.out / "index.html").read_text()
    assert _row(html, f"{MOD}.test_broken_bound") == "violated"
    assert _row(html, f"{MOD}.test_report_raises") == "violated"
    assert _row(html, f"{MOD}.test_report_mutant_survives") == "violated"
    assert _row(html, f"{MOD}.test_report_holds") == "holds"
    assert _row(html, f"{MOD}.test_report_mutant") == "holds"
    assert _row(html, f"{MOD}.test_report_na") == "na"
    css = re.search(r"tr\.violated\s*\{([^}]*)\}", html).group(1)
    red = re.search(r"--red:\s*(#[0-9a-fA-F]{6})", html).group(1)
    assert "color: var(--red)" in css and red.lower() == "#c62828"
    md = (rep.out / "REPORT.md").read_text()
    line = next(x for x in md.splitlines() if "**test_broken_bound**" in x)
    assert "❌ **VIOLATED**" in line


def test_deterministic(report, toy, tmp_path):
    rep, _ = report
    again = run(tmp_path / "a", base=6, keys=toy, seed=7, progress=False, hooks=False)
    assert (again.out / "results.json").read_bytes() == (rep.out / "results.json").read_bytes()
    claim = registry.get(f"{MOD}.test_report_mc")
    sweeps = [sweep_claim(claim, 6, derive(s, claim.key)) for s in (7, 7, 8)]
    assert record(sweeps[0]) == record(sweeps[1]) == next(r for r in rep.records if r["key"] == claim.key)
    assert [e.params for e in sweeps[0].points] != [e.params for e in sweeps[2].points]  # another seed


def test_cli_module_and_hooks(toy, tmp_path, monkeypatch):
    """Every registered claim of the module appears; a module hook's figure is included and a
    broken hook is reported, not fatal."""
    def hook(out_dir, seed, quick):
        (out_dir / "toy_hook.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
        return [("toy_hook.svg", f"toy hook seed={seed} quick={quick}")]

    def broken(out_dir, seed, quick):
        raise RuntimeError("hook exploded")

    monkeypatch.setitem(FIGURES, MOD, hook)
    argv = ["--module", MOD, "--examples", "1", "--seed", "3", "--out", str(tmp_path), "--no-progress"]
    assert main([*argv, "--strict"]) == 1  # the toy claims fail
    recs = json.loads((tmp_path / "results.json").read_text())
    assert [r["key"] for r in recs] == [c.key for c in registry.claims(MOD)]
    assert all(r["examples"] >= 1 or r["status"] == "error" for r in recs)
    html = (tmp_path / "index.html").read_text()
    import base64

    svg = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"/>').decode()
    assert f'src="data:image/svg+xml;base64,{svg}"' in html and "toy hook seed=3 quick=True" in html
    prov = json.loads((tmp_path / "provenance.json").read_text())
    assert prov["seed"] == 3 and prov["versions"]["numpy"] == np.__version__
    monkeypatch.setitem(FIGURES, MOD, broken)
    argv[argv.index("--out") + 1] = str(tmp_path / "broken")
    main(argv)
    assert "hook exploded" in (tmp_path / "broken" / "index.html").read_text()


def test_time_limit_fails_loudly(tmp_path):
    """A time limit never shortens a sweep (no verdict may depend on the machine's speed):
    past it the run stops with an error and writes nothing."""
    from reports.sweep import TimeLimitExceeded

    slow = Claim(module=MOD, claim_id="test_report_slow", reference="test", statement="slow", kind="bound", sense="<=",
                 measure=lambda p: (time.sleep(0.05), exact(0.0))[1], bound=lambda p: 1.0, domain=Domain({"B": Uniform(0, 1)}))
    registry.register(slow)
    try:
        with pytest.raises(TimeLimitExceeded, match="test_report_slow"):
            run(tmp_path / "out", base=40, keys=[slow.key], progress=False, hooks=False, time_limit=0.12)
        assert not (tmp_path / "out" / "results.json").exists()
        rep = run(tmp_path / "ok", base=40, keys=[slow.key], progress=False, hooks=False, time_limit=60)
        assert rep.records[0]["examples"] == 40 and rep.provenance["smoke"] is False
    finally:
        registry.unregister(slow.key)


def test_cli_rejects_bad_arguments(tmp_path):
    for argv in (["--module", "nope"], ["--seed", "-1"], ["--examples", "0"], ["--quick", "--full"]):
        with pytest.raises(SystemExit):
            main([*argv, "--out", str(tmp_path), "--no-progress"])


def test_seed_and_json_helpers():
    assert derive(0, "a.b") == 0x2c83f93715bc1c6  # sha256 of the parts, the same in every process and machine
    assert derive(0, "a.b") != derive(1, "a.b") and derive(0, "a.b") != derive(0, "a.c")
    assert jsonable({"x": np.float64(1.5), "k": np.int64(3), "f": np.bool_(True), "a": np.arange(2),
                     "t": (math.inf, -math.inf, math.nan)}) == {
        "x": 1.5, "k": 3, "f": True, "a": [0, 1], "t": ["inf", "-inf", "nan"]}
    summary = _params({"X": np.zeros((5, 3)), "y": [1, 2], "B": 1.0})
    assert summary == {"X": "array(shape=(5, 3))", "y": [1, 2], "B": 1.0}


def test_formula_sheet_covers_every_builtin_claim():
    """bounds/FORMULAS.md names every registered claim (mutants aside) of
    the built-in modules and has the section the report points each module to."""
    from pathlib import Path

    from reports.render import FORMULA_SECTIONS, FORMULA_SHEET

    sheet = (Path(__file__).resolve().parent.parent / FORMULA_SHEET).read_text(encoding="utf-8")
    missing = [c.key for c in registry.claims(kinds=("bound", "identity", "link"))
               if c.module in registry.MODULES and not c.claim_id.startswith("test_")
               and f"`{c.key}`" not in sheet
               and f"`{c.claim_id}`" not in sheet]
    assert not missing, f"claims missing from {FORMULA_SHEET}: {missing}"
    for m in registry.MODULES:
        num, title = FORMULA_SECTIONS[m]
        assert f"## {num}. " in sheet and title.split(" (")[0] in sheet, m


def test_report_points_to_formula_sheet(report):
    rep, _ = report
    html = (rep.out / "index.html").read_text()
    assert "bounds/FORMULAS.md</span>, section 1" in html
    assert "`bounds/FORMULAS.md`, section 1" in (rep.out / "REPORT.md").read_text()


def test_provenance_names_the_commit(report):
    rep, _ = report
    prov = json.loads((rep.out / "provenance.json").read_text())
    commit, dirty = prov["git_commit"], prov["git_dirty"]
    assert re.fullmatch(r"[0-9a-f]{40}", commit) or commit.startswith("unknown")
    assert dirty in (True, False, None)
    html = (rep.out / "index.html").read_text()
    assert "<th>git commit</th>" in html and commit in html
    assert f"| git commit | `{commit}`" in (rep.out / "REPORT.md").read_text()


def test_smoke_run_power_tight_and_vacuous_are_shown(tmp_path):
    """A quick run is labelled a smoke run; a Monte Carlo record's detail["detectable"] is shown
    as the check's power; tight claims (closeness >= 0.9) and claims with no nonzero
    measurement ("vacuous") are marked in the rows and counted; mutant ids are never wrapped."""
    dom = Domain({"B": Uniform(0.0, 1.0)})
    toys = [
        Claim(module=MOD, claim_id="test_report_power", reference="test", statement="x <= 1 with power", kind="bound", sense="<=",
              measure=lambda p: Measurement(0.5, 0.4, 0.6, {"detectable": 1.08}), bound=lambda p: 1.0, domain=dom),
        Claim(module=MOD, claim_id="test_report_tight", reference="test", statement="0.95 <= 1", kind="bound", sense="<=",
              measure=lambda p: exact(0.95), bound=lambda p: 1.0, domain=dom),
        Claim(module=MOD, claim_id="test_report_zero", reference="test", statement="0 <= 1 (constrains nothing)", kind="bound", sense="<=",
              measure=lambda p: exact(0.0), bound=lambda p: 1.0, domain=dom),
    ]
    for c in toys:
        registry.register(c)
    try:
        rep = run(tmp_path, base=3, keys=[c.key for c in toys], progress=False, hooks=False, mode="quick")
    finally:
        for c in toys:
            registry.unregister(c.key)
    html = (tmp_path / "index.html").read_text()
    md = (tmp_path / "REPORT.md").read_text()
    assert '<span class="smoke">smoke run</span>' in html and "(smoke run)" in md.splitlines()[0]
    assert "detects true &gt; 1.08 × bound" in html and "detects true > 1.08 × bound" in md
    # a claim measured 0 everywhere: its status is "no power" (badge and overview), not a pass,
    # and not also noted as "vacuous" in its row
    row0 = html.split(f'id="{MOD}.test_report_zero"', 1)[1].split("</tr>", 1)[0]
    assert "no power" in row0.lower() and "vacuous: no nonzero measurement" not in row0
    line0 = next(line for line in md.splitlines() if "test_report_zero" in line)
    assert "no power" in line0.lower() and "no nonzero measurement" not in line0
    row = html.split(f'id="{MOD}.test_report_tight"', 1)[1].split("</tr>", 1)[0]
    assert '<div class="note">tight</div>' in row
    assert re.search(r"<b>1</b>tight", html) and re.search(r"<b>1</b>vacuous", html)
    assert ".id { white-space: nowrap; }" in html
    assert rep.provenance["mode"] == "quick"


def test_detectable_text():
    from reports.render import detectable_text

    base = {"sense": "<=", "detail": {"detectable": 1.0812}}
    assert detectable_text(base) == "detects true > 1.08 × bound"
    assert detectable_text({**base, "sense": ">="}) == "detects true < bound / 1.08"
    assert "factor > 1.08" in detectable_text({**base, "sense": "=="})
    assert detectable_text({"sense": "<=", "detail": None}) == ""
    assert detectable_text({"sense": "<=", "detail": {"detectable": "inf"}}) == ""


def test_vacuous_status_renders():
    """A claim whose every point was 0 vs 0 (status "vacuous", from the log-space verdict)
    renders as such, highlighted (not as a pass)."""
    from reports.render import view

    rec = {"status": "vacuous", "kind": "bound", "sense": "<=", "worst_ratio": None,
           "limit_ratio": None, "measured": None, "bound": None, "lower": None, "upper": None,
           "limit": None, "params": None, "closeness": None, "detail": None, "vacuous_examples": 7}
    shown = view(rec)
    assert shown["label"] == "VACUOUS" and shown["css"] == "vacuous" and shown["vacuous_claim"]
    assert "7 vacuous points" in shown["notes"] and not shown["tight"]
