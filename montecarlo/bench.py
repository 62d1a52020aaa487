"""Benchmark command: ``python -m montecarlo.bench [--samples N] [--d D]``.

Prints, for each estimator, samples per second and the ratio, per normal drawn, to raw
``numpy.random.Generator.standard_normal`` throughput measured in the same run (target:
at least 0.3). Not a timed test: speed is measured here, on demand.
"""

from __future__ import annotations

import argparse

from . import flip_probability


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m montecarlo.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=4_000_000)
    ap.add_argument("--d", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    rows = flip_probability.benchmark(args.samples, args.d, args.seed)
    print(f"raw standard_normal: {rows[0]['raw_normals_per_s'] / 1e6:.1f} M normals/s")
    print(f"{'estimator':<16} {'samples/s':>12} {'normals/s':>12} {'ratio to raw':>13}")
    for r in rows:
        print(f"{r['estimator']:<16} {r['samples_per_s']:>12.3g} {r['normals_per_s']:>12.3g} "
              f"{r['ratio_to_raw']:>13.2f}")


if __name__ == "__main__":
    main()
