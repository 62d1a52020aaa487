"""Both command lines and the costs before work: every option is validated by its argparse
type (exit 2, one line, never a traceback), the expression check refuses exact towers by
size before sympy folds them, and functions with dps, steps, examples or sample arrays
estimate their cost against the budgets before starting."""

from __future__ import annotations

import numpy as np
import pytest

from montecarlo import cli
from montecarlo.search.expression import parse_candidate


def _exit(main, argv, capsys) -> tuple[int, str]:
    try:
        rc = main(argv)
    except SystemExit as exc:
        rc = exc.code
    err = capsys.readouterr().err
    return rc, err


def _one_line(err: str) -> None:
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("argv,needle", [
    (["falsify", "flip_probability.lemma_A4", "--seed", "9223372036854775808"], "seed="),
    (["falsify", "flip_probability.lemma_A4", "--seed", "-1"], "seed="),
    (["falsify", "flip_probability.lemma_A4", "--examples", "10**12"], "not an integer"),
    (["falsify", "flip_probability.lemma_A4", "--examples", "0"], "examples="),
    (["tightness", "flip_probability.lemma_A4", "--examples", "1000000000000"], "examples="),
    (["falsify", "flip_probability.lemma_A4", "--examples", "1000000000000"], "examples="),
    (["falsify", "flip_probability.lemma_A4", "10**10**10"], "digits"),
    (["falsify", "flip_probability.lemma_A4", "9**9**9"], "digits"),
    (["falsify", "flip_probability.lemma_A4", "B**(2**100000)"], "digits"),
    (["falsify", "flip_probability.lemma_A4", "1/0"], "not a finite formula"),
    (["falsify", "flip_probability.lemma_A4", "exp(exp(exp(exp(B))))"], "params="),
])
def test_sparse_ntk_refuses_in_one_line(argv, needle, capsys):
    rc, err = _exit(cli.main, argv, capsys)
    assert rc == 2, err
    _one_line(err)
    assert needle in err


def test_minus_infinity_candidate_is_never_a_pass(capsys):
    # "max()" simplifies to -oo: refused as a formula that is not a real number (exit 2, one line),
    # never "no counterexample"; a -inf bound given as a function is refuted by the verdict itself
    # (tests/test_verdict_inputs.py)
    assert cli.main(["falsify", "flip_probability.lemma_A4", "max()", "--examples", "5"]) == 2
    assert "-oo" in capsys.readouterr().err


def test_expression_size_estimate_admits_ordinary_constants():
    for expr in ("2**1000", "(1/3)**500", "2.0**10**10", "B**10**10", "2.5*R*exp(-B**2/2)"):
        parse_candidate(expr, ["B", "R"])


def test_claims_file_that_raises(tmp_path, capsys):
    f = tmp_path / "bad.py"
    f.write_text("raise RuntimeError('oops')\n")
    rc, err = _exit(cli.main, ["list", "--claims", str(f)], capsys)
    assert rc == 2 and "RuntimeError: oops" in err
    _one_line(err)


@pytest.mark.parametrize("argv,needle", [
    (["--seed", "9223372036854775808"], "seed="),
    (["--seed", "2**63"], "not an integer"),
    (["--examples", "10**12"], "not an integer"),
    (["--examples", "0"], "examples="),
    (["--time-limit", "inf"], "time_limit="),
    (["--time-limit", "nan"], "time_limit="),
    (["--time-limit", "0"], "time_limit="),
    (["--workers", "0"], "workers="),
])
def test_report_options_refused_in_one_line(argv, needle, capsys):
    from reports.__main__ import main
    rc, err = _exit(main, argv + ["--no-progress"], capsys)
    assert rc == 2, err
    _one_line(err)
    assert needle in err


def test_report_out_must_be_a_folder(tmp_path, capsys):
    from reports.__main__ import main
    f = tmp_path / "afile"
    f.write_text("x")
    for out in (f, f / "sub"):
        rc, err = _exit(main, ["--out", str(out), "--no-progress"], capsys)
        assert rc == 2 and "--out=" in err
        _one_line(err)


def test_report_examples_beyond_the_budget(tmp_path, capsys):
    from reports.__main__ import main
    rc, err = _exit(main, ["--examples", "1000000000000", "--module", "flip_probability",
                           "--out", str(tmp_path / "o"), "--no-progress"], capsys)
    assert rc == 2 and "examples=" in err and "budget" in err
    _one_line(err)
    assert not (tmp_path / "o").exists()


def test_report_claims_file_that_raises(tmp_path, capsys):
    from reports.__main__ import main
    f = tmp_path / "bad.py"
    f.write_text("raise RuntimeError('oops')\n")
    rc, err = _exit(main, ["--claims", str(f), "--out", str(tmp_path / "o"), "--no-progress"], capsys)
    assert rc == 2 and "RuntimeError: oops" in err
    _one_line(err)


# ------------------------------------------------------------------ cost before work
def _X(n, d=3):
    X = np.random.default_rng(0).standard_normal((n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def test_budgets_refuse_before_work():
    from bounds import ntk
    from bounds.restricted_eigenvalue.chain import chain
    from montecarlo.sim import network, stats, trainer

    X = _X(20000)
    with pytest.raises(ValueError, match=r"^X=.*memory"):
        ntk.h_inf(X, 1.0)
    with pytest.raises(ValueError, match=r"^X=.*(memory|work)"):
        chain(X, 1.0)
    with pytest.raises(ValueError, match=r"^dps=3000 .*work"):
        ntk.h_inf_mp(_X(5), 1.0, dps=3000)
    with pytest.raises(ValueError, match=r"^dps=3000 .*work"):
        ntk.pair_probability_mp(0.3, 1.0, 3000)
    with pytest.raises(ValueError, match=r"^steps=1000000 .*work"):
        trainer.train(np.eye(3), np.zeros(3), network.init_standard(8, 3, 1.0, 0), 0.1, 10**6)
    with pytest.raises(ValueError, match=r"^samples=.*work"):
        stats.quantile_limits(np.zeros(5 * 10**7), 0.5)


@pytest.mark.parametrize("call", [
    lambda: __import__("bounds.restricted_eigenvalue.formulas", fromlist=["x"]).sharper_bound_mp(0.5, 1.0, dps=3000),
    lambda: __import__("bounds.restricted_eigenvalue.formulas", fromlist=["x"]).split_probability_mp(0.5, 1.0, dps=3000),
    lambda: __import__("bounds.restricted_eigenvalue.formulas", fromlist=["x"])
    .split_probability_at_separation_mp(0.5, 1.0, dps=3000),
])
def test_mp_quadratures_refuse_large_dps_up_front(call):
    with pytest.raises(ValueError, match=r"^dps=30\d\d .*quadrature"):
        call()
