"""``python -m reports`` / ``sparse-ntk-report``: sweep every registered claim, write the report.

Exit status: 0 every check holds and every mutant is refuted; 1 a counterexample (a check
failed or a mutant survived); 2 bad input or usage. The report is written into a temporary
folder beside ``--out`` and moved into place at the end: an interrupted run leaves the
previous report whole."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from montecarlo.registry import MODULES

from .sweep import BASES


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (``sparse-ntk-report: error: ...``, exit status 2)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _arg(check, kind=int):
    """An argparse type: the text read as ``kind`` then checked by :mod:`bounds.validate`."""
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
    return convert


def _folder(text: str) -> str:
    """--out: a folder (created if missing), not an existing file."""
    p = Path(text).expanduser()
    if not text.strip():
        raise argparse.ArgumentTypeError("--out='' violates the condition: a folder path")
    if p.exists() and not p.is_dir():
        raise argparse.ArgumentTypeError(f"--out={text!r} violates the condition: a folder (it is an existing file)")
    for parent in p.parents:
        if parent.exists():
            if not parent.is_dir():
                raise argparse.ArgumentTypeError(f"--out={text!r} violates the condition: a folder "
                                                 f"({parent} is a file)")
            break
    return text


def parser() -> argparse.ArgumentParser:
    from bounds import validate as v

    p = _Parser(
        prog="sparse-ntk-report",
        description="Verify every registered claim of the suite and write index.html, REPORT.md, "
                    "figures and results.json.")
    p.add_argument("--out", default="reports/out", type=_folder, help="output folder (default: reports/out)")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true",
                      help=f"SMOKE RUN: {BASES['quick']} examples x weight per claim, far less power than the "
                           "tests; the report says so")
    size.add_argument("--full", action="store_true",
                      help=f"long sweep ({BASES['full']} examples x weight per claim)")
    size.add_argument("--examples", type=_arg(lambda x: v.positive_int("examples", x)), metavar="BASE",
                      help=f"base examples per claim, scaled by its weight (default {BASES['default']}, "
                           "the tests' ci profile)")
    p.add_argument("--module", metavar="NAME",
                   help=f"only this module's claims (one of {', '.join(MODULES)}, or a namespace "
                        "registered by --claims)")
    p.add_argument("--claims", action="append", default=[], metavar="PATH",
                   help="a Python file or module that registers claims of your own (repeatable); "
                        "they are swept and reported with the built-in ones")
    p.add_argument("--seed", type=_arg(lambda x: v.seed("seed", x)), default=0,
                   help="seed of the whole sweep, in [0, 2**63) (default 0)")
    p.add_argument("--time-limit", type=_arg(lambda x: v.positive("time_limit", x), float), metavar="SECONDS",
                   help="fail (exit status 2, nothing written) when the sweep takes longer; "
                        "a sweep is never cut short, so results.json depends only on the seed")
    dist = p.add_mutually_exclusive_group()
    dist.add_argument("--workers", type=_arg(lambda x: v.positive_int("workers", x)), metavar="N",
                      help="sweep the claims on a local Dask cluster of N processes (extra [distributed]); "
                           "results.json is the serial one")
    dist.add_argument("--scheduler", metavar="ADDRESS",
                      help="sweep on the Dask scheduler at ADDRESS (its workers must reach the --claims files)")
    p.add_argument("--baseline", metavar="OLD",
                   help="an earlier results.json or report folder: adds a section comparing the runs claim by claim")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-hooks", action="store_true", help="skip the modules' own report_figures")
    p.add_argument("--strict", action="store_true",
                   help="kept for old scripts: a failed record always gives exit status 1")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status: 0 every check holds and every mutant is
    refuted, 1 a counterexample (a check failed or a mutant survived), 2 bad input or usage
    (an unwritable --out is refused before the sweep)."""
    args = parser().parse_args(argv)
    if args.seed < 0:
        parser().error(f"--seed={args.seed} violates the condition seed >= 0")
    if args.examples is not None and args.examples < 1:
        parser().error(f"--examples={args.examples} violates the condition examples >= 1")
    from montecarlo import registry

    for src in args.claims:
        try:
            registry.load_claims(src)
        except ValueError as exc:
            parser().error(f"--claims: {exc}")
        except Exception as exc:  # the user's file raised while registering: one line, no traceback
            parser().error(f"--claims {src}: the file raised {type(exc).__name__}: {exc}")
    if args.module is not None and args.module not in registry.modules():
        parser().error(f"--module={args.module!r} violates the condition: a registered module "
                       f"({', '.join(registry.modules())})")
    mode = "quick" if args.quick else "full" if args.full else "default"
    base = args.examples if args.examples is not None else BASES[mode]
    if args.examples is not None:
        mode = f"examples={base}"
    if args.time_limit is not None and not args.time_limit > 0:
        parser().error(f"--time-limit={args.time_limit} violates the condition time limit > 0")
    if args.workers is not None and args.workers < 1:
        parser().error(f"--workers={args.workers} violates the condition workers >= 1")
    from .build import client_for, run
    from .sweep import TimeLimitExceeded

    if args.baseline is not None:
        from montecarlo.search.compare import load_results

        try:
            load_results(args.baseline)
        except ValueError as exc:
            parser().error(f"--baseline: {exc}")

    client = None
    if args.workers is not None or args.scheduler is not None:
        try:
            client = client_for(args.workers, args.scheduler)
        except ImportError as exc:
            parser().error(str(exc))
    try:
        rep = run(args.out, base=base, mode=mode, module=args.module, seed=args.seed,
                  progress=not args.no_progress, time_limit=args.time_limit, hooks=not args.no_hooks,
                  client=client, sources=[_absolute(s) for s in args.claims], baseline=args.baseline)
    except TimeLimitExceeded as exc:
        print(f"error: --time-limit={args.time_limit:g} s exceeded: {exc}; nothing written", file=sys.stderr)
        return 2
    except (PermissionError, NotADirectoryError) as exc:  # raised before the sweep: nothing was run
        print(f"sparse-ntk-report: error: --out: {exc}; nothing written", file=sys.stderr)
    except ValueError as exc:  # a budget refused (--examples too large for the work budget) and the like
        print(f"sparse-ntk-report: error: {exc}", file=sys.stderr)
        return 2
    finally:
        if client is not None:
            cluster = getattr(client, "cluster", None)
            client.close()
            if cluster is not None and args.scheduler is None:
                cluster.close()
    bad = [r["key"] for r in rep.records if not r["passed"]]
    print(f"{len(rep.records)} records, {len(bad)} failed{': ' + ', '.join(bad) if bad else ''}; "
          f"wrote {rep.out / 'index.html'}, {rep.out / 'REPORT.md'}, {rep.out / 'results.json'} "
          f"({rep.provenance['wall_seconds']} s)", file=sys.stderr)
    if rep.provenance.get("smoke"):
        print("note: --quick is a smoke run with far fewer examples than the tests", file=sys.stderr)
    return 1 if bad else 0


def _absolute(src: str) -> str:
    """A --claims file as an absolute path (workers may run elsewhere); module names as given."""
    p = Path(src).expanduser()
    return str(p.resolve()) if src.endswith(".py") or p.is_file() else src


if __name__ == "__main__":
    sys.exit(main())
