"""``sparse-ntk``: the command line of a proof reviser.

    sparse-ntk list [--module M] [--no-mutants] [--claims PATH ...]
    sparse-ntk falsify KEY ["EXPR"] [--examples N] [--seed S] [--claims PATH ...]
    sparse-ntk tightness KEY [--examples N] [--seed S] [--claims PATH ...]
    sparse-ntk certify KEY ["EXPR"] [--budget N] [--claims PATH ...]
    sparse-ntk check KEY --at B=200,R_frac=1 ["EXPR"] [--claims PATH ...]
    sparse-ntk compare OLD NEW [--only-changed]   (two results.json files or report folders)

``--claims PATH`` (repeatable) first registers the claims of a user's file or module
(:func:`montecarlo.registry.load_claims`, as ``python -m reports --claims``), so that KEY may
name a claim of one's own namespace.

``EXPR`` is a candidate bound written in the claim's parameters, for example
``2.5*R*exp(-B**2/2)`` for ``flip_probability.lemma_A4``. It is parsed with sympy's
``parse_expr`` after a syntax check that admits only numbers, the claim's numeric parameters,
the arithmetic operators and the functions of
:data:`montecarlo.search.expression.FUNCTIONS` (no attribute access, no
subscripts, no strings, no other calls: nothing of the user's text is executed as Python).
The expression is lambdified with the ``mpmath`` module and evaluated on ``mpmath.mpf``
arguments, so a bound such as ``2.5*R*exp(-B**2/2)`` at B = 40 is 1e-349, not an
underflowed 0.0 (the registry then compares in log space).

Exit status (every command): 0 nothing refuted; 1 a counterexample (``falsify`` found one,
``check`` refuted the point); 2 bad input or usage (unknown claim, refused expression, a
formula undefined at a point of the domain, which is named), with one line on stderr and no
traceback. ``list`` and ``tightness`` exit 0. Every counterexample is printed with the
``sparse-ntk check KEY --at ...`` line that replays it.
Exit status: ``falsify`` 1 when a counterexample was found, else 0; 2 for a usage error
(unknown claim, refused expression). ``certify`` (ball
arithmetic on the claim's whole domain, :func:`montecarlo.certify`; EXPR evaluated on balls
after the same whitelist): 0 certified, 1 refuted (a counterexample confirmed in mpmath), 2 usage
error (also a claim without a certification form), 3 undecided (the box budget ran out: neither
proven nor refuted).
``python -m montecarlo.cli`` works without installing the script. Needs sympy for EXPR
(``pip install -e ".[cli]"``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable, Sequence

from .search.expression import ExpressionError, candidate

__all__ = ["main", "parser"]


def _numeric_params(claim) -> list[str]:
    """The claim's numeric parameters (derived ones included), from one corner of its domain."""
    import numbers

    raw = claim.domain.corners_raw(limit=1)[0]
    p = claim.domain.build(raw)
    return [k for k, v in p.items()
            if isinstance(v, numbers.Real) and not isinstance(v, bool) and "seed" not in k.lower()]


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (``sparse-ntk: error: ...``, exit status 2)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _arg(check, kind: Callable[[str], Any] = int):
    """An argparse type: the text read as ``kind`` then passed to a check of
    :mod:`bounds.validate` (same conditions and wording as the functions' own checks)."""
    def convert(text: str):
        try:
            value = kind(text)
        except (TypeError, ValueError, OverflowError):
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {'an integer' if kind is int else 'a number'}") from None
        try:
            return check(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    convert.__name__ = getattr(check, "__name__", "value")
    return convert


def _checks():
    from bounds import validate as v

    return (_arg(lambda x: v.seed("seed", x)), _arg(lambda x: v.positive_int("examples", x)))


def parser() -> argparse.ArgumentParser:
    seed_arg, examples_arg = _checks()
    p = _Parser(
        prog="sparse-ntk",
        description="Falsify a candidate bound, find a claim's tight constant, or list the claims "
                    "(formulas: bounds/FORMULAS.md).")
    common = _Parser(add_help=False)
    common.add_argument("--claims", action="append", default=[], metavar="PATH",
                        help="a .py file or module registering claims of your own (repeatable)")
    sub = p.add_subparsers(dest="command", required=True)
    ls = sub.add_parser("list", parents=[common],
                        help="the registered claims with their statements and references")
    ls.add_argument("--module", help="only this module (namespace)")
    ls.add_argument("--no-mutants", action="store_true", help="leave out the mutants")
    fa = sub.add_parser("falsify", parents=[common], help="search a claim's domain for a counterexample to EXPR",
                        description="Exit 1 on a counterexample, 0 when none was found.")
    fa.add_argument("key", metavar="KEY", help="claim key module.claim_id (see: sparse-ntk list)")
    fa.add_argument("expr", metavar="EXPR", nargs="?",
                    help="candidate bound in the claim's parameters, e.g. '2.5*R*exp(-B**2/2)' "
                         "(default: the claim's own bound)")
    fa.add_argument("--latex", metavar="TEX", help="the candidate in LaTeX instead of EXPR, e.g. '2.5 R e^{-B^2/2}' "
                                                   "(parsed by sympy, echoed back)")
    fa.add_argument("--examples", type=examples_arg, default=200, help="points to try (default 200)")
    fa.add_argument("--seed", type=seed_arg, default=0, help="seed of the search, in [0, 2**63) (default 0)")
    ck = sub.add_parser("check", parents=[common], help="evaluate a claim at one point (replay a counterexample)",
                        description="Exit 1 when the point refutes the claim (or EXPR), 0 when it does not.")
    ck.add_argument("key", metavar="KEY", help="claim key module.claim_id (see: sparse-ntk list)")
    ck.add_argument("expr", metavar="EXPR", nargs="?", help="candidate bound in place of the claim's own")
    ck.add_argument("--at", required=True, metavar="NAME=VALUE,...",
                    help="the point: every raw domain parameter, e.g. B=200,R_frac=1 (derived ones are filled in)")
    ck.set_defaults(examples=1, seed=0)  # one point: no search
    co = sub.add_parser("compare", parents=[common], help="two runs claim by claim: status and slack before/after",
                        description="OLD and NEW are results.json files or report folders. Exit 0, or 2 for bad input.")
    co.add_argument("old", metavar="OLD")
    co.add_argument("new", metavar="NEW")
    co.add_argument("--only-changed", action="store_true", help="only the claims that changed")
    co.set_defaults(examples=1, seed=0, key=None)  # no search
    ti = sub.add_parser("tightness", parents=[common], help="the largest measured/bound ratio a search finds")
    ti.add_argument("key", metavar="KEY")
    ti.add_argument("--examples", type=examples_arg, default=200, help="points to try (default 200)")
    ti.add_argument("--seed", type=seed_arg, default=0, help="seed of the search, in [0, 2**63) (default 0)")
    ce = sub.add_parser("certify", parents=[common],
                        help="prove EXPR on the claim's whole domain in ball arithmetic, or refute it",
                        description="Exit 0 certified, 1 refuted (counterexample), 2 usage error, "
                                    "3 undecided (budget of boxes spent).")
    ce.add_argument("key", metavar="KEY", help="claim key with a certification form, e.g. flip_probability.lemma_A4")
    ce.add_argument("expr", metavar="EXPR", nargs="?",
                    help="candidate bound in the claim's parameters, e.g. '2.8939*R*exp(-B**2/2)' "
                         "(default: the claim's own bound)")
    ce.add_argument("--budget", type=int, default=20_000, help="box evaluations at most (default 20000)")
    return p


def _certify(args) -> int:
    """``sparse-ntk certify``: 0 certified, 1 refuted, 2 usage error, 3 undecided."""
    from .search.certify import certify

    try:
        claim = _claim(args.key)
        res = certify(claim, args.expr, budget=args.budget)
    except LookupError as exc:
        return _fail(str(exc))
    except ValueError as exc:
        return _fail(str(exc))
    except ImportError as exc:
        return _fail(str(exc))
    print(res)
    return {"CERTIFIED": 0, "REFUTED": 1}.get(res.status, 3)


def _fail(msg: str) -> int:
    print(f"sparse-ntk: error: {msg}", file=sys.stderr)
    return 2


def _claim(key: str):
    from . import registry

    try:
        return registry.get(key)
    except ValueError:
        import difflib

        known = [c.key for c in registry.claims()]
        close = difflib.get_close_matches(key, known, n=5, cutoff=0.6)
        hint = f" (did you mean {', '.join(close)}?)" if close else " (see: sparse-ntk list)"
        raise LookupError(f"no registered claim {key!r}{hint}") from None


def _list(module: str | None, mutants: bool) -> int:
    from . import registry

    cs = [c for c in registry.claims() if (module is None or c.module == module)
          and (mutants or c.kind != "mutant")]
    if not cs:
        return _fail(f"no claims in module {module!r}")
    for c in cs:
        print(f"{c.key}  [{c.kind}, {c.sense}]  {c.reference}\n    {c.statement}")
    print(f"\n{len(cs)} claims. Formulas: bounds/FORMULAS.md", file=sys.stderr)
    return 0


def _point(claim, text: str) -> dict:
    """``--at B=200,R_frac=1`` as the claim's raw parameters (typed by its domain)."""
    specs = claim.domain.specs
    raw: dict[str, Any] = {}
    for item in filter(None, (t.strip() for t in text.split(","))):
        name, eq, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or not name or not value:
            raise ValueError(f"--at={text!r}: {item!r} is not NAME=VALUE")
        if name not in specs:
            raise ValueError(f"--at: {name!r} is not a parameter of {claim.key} (its parameters: {', '.join(specs)})")
        spec = specs[name]
        try:
            if spec.kind == "choice":
                got = [c for c in spec.choices if str(c) == value]
                if not got:
                    raise ValueError
                raw[name] = got[0]
            elif spec.kind in ("int", "seed"):
                raw[name] = int(float(value)) if float(value).is_integer() else int(value)
            else:
                raw[name] = float(value)
        except ValueError:
            want = f"one of {', '.join(map(str, spec.choices))}" if spec.kind == "choice" else f"a {spec.kind} number"
            raise ValueError(f"--at: {name}={value!r} is not {want}") from None
    missing = [k for k in specs if k not in raw]
    if missing:
        raise ValueError(f"--at: {claim.key} needs {', '.join(missing)} too (its parameters: {', '.join(specs)})")
    return raw


def _replay(ev, expr: str | None) -> str:
    """The command that replays the verdict ``ev`` (with the candidate EXPR, if any)."""
    import shlex

    from .registry import get
    from .registry.views import replay_command

    line = replay_command(ev.claim, dict(ev.params), get(ev.claim).domain.specs)
    if line and expr is not None:  # EXPR before --at
        head, sep, at = line.partition(" --at ")
        line = f"{head} {shlex.quote(expr)}{sep}{at}"
    return line


def _advice(sense: str, best: float, params: Any) -> str:
    """What the largest slack says about scaling the bound (1 = tight)."""
    if sense == ">=":
        return (f"largest slack (bound / measured) found: {best:.6g}: the bound scaled up to about "
                f"{1 / best:.4g} it held at every point tried, by more it fails at {params}")
    if sense == "<=":
        return (f"largest slack (measured / bound) found: {best:.6g}: the bound scaled down to about "
                f"{best:.4g} it held at every point tried, by less it fails at {params}")
    return f"largest ratio (the larger of measured/bound and bound/measured) found: {best:.6g} at {params}"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``sparse-ntk``; returns the exit status."""
    args, extra = parser().parse_known_args(argv)
    if extra and args.command == "check" and args.expr is None and len(extra) == 1 and not extra[0].startswith("--"):
        args.expr = extra[0]  # EXPR after --at (argparse leaves a late optional positional over)
    elif extra:
        parser().error(f"unrecognized arguments: {' '.join(extra)}")
    for path in args.claims:
        try:
            from .registry import load_claims
        except ImportError:
            return _fail("--claims needs montecarlo.registry.load_claims (not in this version)")
        try:
            load_claims(path)
        except ValueError as exc:
            return _fail(str(exc))
        except Exception as exc:  # the user's file raised while registering: one line, no traceback
            return _fail(f"--claims {path}: the file raised {type(exc).__name__}: {exc}")
    if args.command == "list":
        return _list(args.module, not args.no_mutants)
    if args.command == "certify":
        return _certify(args)
    if args.command == "compare":
        from .search.compare import compare_runs, format_changes, load_results

        try:
            changes = compare_runs(load_results(args.old), load_results(args.new))
        except ValueError as exc:
            return _fail(str(exc))
        print(format_changes(changes, args.only_changed))
        return 0
    if args.examples < 1:
        return _fail(f"--examples={args.examples} violates the condition examples >= 1")
    if args.seed < 0:
        return _fail(f"--seed={args.seed} violates the condition seed >= 0")
    try:
        claim = _claim(args.key)
    except LookupError as exc:
        return _fail(str(exc))
    if args.command == "falsify":
        from .search.falsify import falsify

        cand = None
        if args.latex is not None and args.expr is not None:
            return _fail("give EXPR or --latex, not both")
        if args.expr is not None or args.latex is not None:
            try:
                cand = candidate(args.latex if args.latex is not None else args.expr, _numeric_params(claim),
                                 latex=args.latex is not None)
            except ExpressionError as exc:
                return _fail(f"{'--latex' if args.latex is not None else 'EXPR'} refused: {getattr(exc, 'reason', exc)}")
            if args.latex is not None:
                print(f"read as: {cand.formula}")
                args.expr = str(cand.formula)  # the replay line uses the sympy form
        try:
            res = falsify(claim, cand, examples=args.examples, seed=args.seed, progress=sys.stderr.isatty())
        except ExpressionError as exc:
            return _fail(f"EXPR refused: {exc}")
        except ValueError as exc:  # a budget refused, or the claim's (or EXPR's) own error
            return _fail(str(exc))
        label = f"candidate {args.expr}" if args.expr is not None else "its own bound"
        print(f"{claim.key} ({claim.sense} {label}): {res}")
        shown = res.counterexample if res.refuted else res.worst
        power = None if shown is None else shown.measurement.detectable
        if power is not None:
            which = {"<=": f"true > {power:.3g} x bound", ">=": f"true < bound / {power:.3g}"}.get(
                claim.sense, f"a deviation by a factor > {power:.3g}")
            print(f"power at that point: detects {which} (with probability >= 1/2)")
        if res.refuted:
            print(f"replay: {_replay(res.counterexample, args.expr)}")
        return 1 if res.refuted else 0
    if args.command == "check":
        from .registry import check

        try:
            raw = _point(claim, args.at)
            cand = None if args.expr is None else candidate(args.expr, _numeric_params(claim))
            ev = check(claim, raw, cand)
        except ExpressionError as exc:
            return _fail(f"EXPR refused: {getattr(exc, 'reason', exc)}")
        except ValueError as exc:
            return _fail(str(exc))
        print(ev)
        if ev.refuted:
            print(f"replay: {_replay(ev, args.expr)}")
        return 1 if ev.refuted else 0
    from .search.tightness import tightness as tightness_fn

    try:
        from bounds import validate as v

        v.work("examples", args.examples, float(args.examples) * 1e4)  # as falsify: one check ~ 1e4 operations
        res = tightness_fn(claim, examples=args.examples, seed=args.seed)
    except ValueError as exc:
        return _fail(str(exc))
    print(res)
    best = getattr(res, "best_ratio", None)
    if isinstance(best, float) and best > 0:
        print(_advice(claim.sense, best, getattr(res, "params", "?")))
    known = getattr(res, "tight_constant", None)
    if isinstance(known, float):
        print(f"known supremum of the ratio: {known:.6g} (the search reached {best / known:.2%} of it)"
              if isinstance(best, float) and known > 0 else f"known supremum of the ratio: {known:.6g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
