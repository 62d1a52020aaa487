"""``python -m reports`` / ``sparse-ntk-report``: sweep every registered claim, write the report."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from montecarlo.registry import MODULES

from .sweep import BASES

QUICK_BUDGET = 40.0  # seconds of sweep in --quick mode (the whole command stays under a minute)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sparse-ntk-report",
        description="Verify every registered claim of the suite and write index.html, REPORT.md, "
                    "figures and results.json.")
    p.add_argument("--out", default="reports/out", help="output folder (default: reports/out)")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true",
                      help=f"small sweep, under a minute ({BASES['quick']} examples x weight per claim)")
    size.add_argument("--full", action="store_true",
                      help=f"long sweep ({BASES['full']} examples x weight per claim)")
    size.add_argument("--examples", type=int, metavar="BASE",
                      help=f"base examples per claim, scaled by its weight (default {BASES['default']})")
    p.add_argument("--module", choices=MODULES, help="only this module's claims")
    p.add_argument("--seed", type=int, default=0, help="seed of the whole sweep (default 0)")
    p.add_argument("--budget", type=float, metavar="SECONDS",
                   help=f"cap on the sweep's time (default {QUICK_BUDGET:g} with --quick, else none; "
                        "0 = none). Claims cut short are listed in the provenance and are no "
                        "longer reproducible.")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-hooks", action="store_true", help="skip the modules' own report_figures")
    p.add_argument("--strict", action="store_true", help="exit with status 1 when a record failed")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0, or 1 with --strict when something failed)."""
    args = parser().parse_args(argv)
    if args.seed < 0:
        parser().error(f"--seed={args.seed} violates the condition seed >= 0")
    if args.examples is not None and args.examples < 1:
        parser().error(f"--examples={args.examples} violates the condition examples >= 1")
    mode = "quick" if args.quick else "full" if args.full else "default"
    base = args.examples if args.examples is not None else BASES[mode]
    if args.examples is not None:
        mode = f"examples={base}"
    budget = args.budget if args.budget is not None else (QUICK_BUDGET if args.quick else None)
    from .build import run

    rep = run(args.out, base=base, mode=mode, module=args.module, seed=args.seed,
              progress=not args.no_progress, budget=budget or None, hooks=not args.no_hooks)
    bad = [r["key"] for r in rep.records if not r["passed"]]
    print(f"{len(rep.records)} records, {len(bad)} failed{': ' + ', '.join(bad) if bad else ''}; "
          f"wrote {rep.out / 'index.html'}, {rep.out / 'REPORT.md'}, {rep.out / 'results.json'} "
          f"({rep.provenance['wall_seconds']} s)", file=sys.stderr)
    if rep.provenance["truncated"]:
        print(f"warning: time budget cut short {rep.provenance['truncated']}", file=sys.stderr)
    return 1 if (args.strict and bad) else 0


if __name__ == "__main__":
    sys.exit(main())
