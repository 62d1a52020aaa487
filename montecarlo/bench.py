"""Benchmark command: ``python -m montecarlo.bench [--samples N] [--d D]`` and
``python -m montecarlo.bench --kernel [--sizes 256 1024 4096] [--B 1.0]`` and
``python -m montecarlo.bench --certify``, ``python -m montecarlo.bench --trainer [--n 1000] [--d 10] [--m 4096]``.

Default: for each estimator, samples per second and the ratio, per normal drawn, to raw
``numpy.random.Generator.standard_normal`` throughput measured in the same run (target:
at least 0.3). ``--kernel``: at each n (random unit data, d = 16), the time per pair of
``bounds.ntk.h_inf``, the eigen-solves and time of ``lambda_R(H_inf)`` and their ratios to one
``numpy.linalg.eigvalsh(H_inf)`` at the same n, measured in the same run. ``--certify``: the
certification of every claim and mutant with a form in ``montecarlo.search.certify.FORMS``,
plus Lemma A.4 with the constants 2.8939 (certified) and 2.8937 (refuted): verdict, boxes and
seconds each, and the total (target: within about 20 s). Not a timed test:
speed is measured here, on demand (the numbers depend on the machine's load; say so).
``--trainer``: the time per step of ``montecarlo.sim.trainer.train`` at each record level
against a bare float64 numpy gradient step of the same mathematics (target: at most 1.2 x at
the level the claims need; run with ``OPENBLAS_NUM_THREADS=1`` for a one-thread figure).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from .estimators import flip_probability


def kernel_benchmark(sizes=(256, 1024, 4096), B: float = 1.0, d: int = 16, seed: int = 0) -> list[dict]:
    """Time h_inf, lambda_R (with its eigen-solve count) and one eigvalsh at each n."""
    from bounds import ntk
    from bounds import restricted_eigenvalue as re_

    from .sim.data import make_data

    rows = []
    for n in sizes:
        X = make_data("random", n, d, seed)
        t = time.perf_counter()
        H = ntk.h_inf(X, B)
        t_h = time.perf_counter() - t
        t = time.perf_counter()
        np.linalg.eigvalsh(H)
        t_eig = time.perf_counter() - t
        Qm = re_.region_matrix(X, B)
        t = time.perf_counter()
        r = re_.restricted_eigenvalue(H, Qm)
        t_r = time.perf_counter() - t
        rows.append({"n": n, "pairs": n * (n - 1) // 2, "h_inf_s": t_h, "us_per_pair": t_h / (n * (n - 1) / 2) * 1e6,
                     "eigvalsh_s": t_eig, "lambda_R_s": t_r, "eigen_solves": r.detail.get("eigen_solves"),
                     "method": r.detail.get("method"), "lambda_R": r.value, "gap": r.gap,
                     "h_inf_over_eigvalsh": t_h / t_eig, "lambda_R_over_eigvalsh": t_r / t_eig})
    return rows


def trainer_benchmark(n: int = 1000, d: int = 10, m: int = 4096, steps: int = 10, B: float = 0.5,
                      seed: int = 0, repeats: int = 3) -> list[dict]:
    """Seconds per step of ``train`` at every record level and of a bare numpy step (the best of
    ``repeats``), with their ratio."""
    from .sim.data import make_data, make_labels
    from .sim.network import init_standard
    from .sim.trainer import RECORDS, train

    X = make_data("random", n, d, seed)
    y = make_labels("random", n, seed + 1)
    net0 = init_standard(m, d, B, seed + 2)
    eta = 0.1

    def bare():
        W, b, a = net0.W.copy(), net0.b.copy(), net0.a / np.sqrt(m)
        for _ in range(steps + 1):
            pre = X @ W.T - b
            act = pre >= 0
            r = np.maximum(pre, 0.0) @ a - y
            coef = (act * r[:, None]) * a
            W -= eta * (coef.T @ X)
            b += eta * coef.sum(axis=0)
            float(np.linalg.norm(r))

    def best(fn) -> float:
        out = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
        return min(out) / (steps + 1)

    t_bare = best(bare)
    rows = [{"level": "bare numpy", "s_per_step": t_bare, "ratio": 1.0}]
    for level in RECORDS:
        t = best(lambda: train(X, y, net0, eta, steps, record=level))
        rows.append({"level": level, "s_per_step": t, "ratio": t / t_bare})
    return rows


def _print_kernel(rows: list[dict]) -> None:
    print(f"{'n':>6} {'h_inf s':>9} {'us/pair':>8} {'eigvalsh s':>11} {'lambda_R s':>11} {'solves':>7} "
          f"{'method':>8} {'h/eig':>7} {'lR/eig':>7} {'lambda_R':>12} {'gap':>9}")
    for r in rows:
        _print_kernel_row(r)


def _print_kernel_row(r: dict) -> None:
    print(f"{r['n']:>6} {r['h_inf_s']:>9.3f} {r['us_per_pair']:>8.3f} {r['eigvalsh_s']:>11.3f} "
          f"{r['lambda_R_s']:>11.3f} {r['eigen_solves']:>7} {r['method']:>8} {r['h_inf_over_eigvalsh']:>7.2f} "
          f"{r['lambda_R_over_eigvalsh']:>7.2f} {r['lambda_R']:>12.6g} {r['gap']:>9.2g}", flush=True)


def _certify_rows() -> list[dict]:
    """Certify every form's claim or mutant, and Lemma A.4 at 2.8939 and 2.8937."""
    from .search.certify import FORMS, certify

    jobs = [(k, None) for k in FORMS] + [("flip_probability.lemma_A4", f"{c}*R*exp(-B**2/2)")
                                         for c in ("2.8939", "2.8937")]
    rows = []
    for key, expr in jobs:
        t = time.perf_counter()
        r = certify(key, expr)
        rows.append({"claim": key, "expr": expr or "(own bound)", "status": r.status, "boxes": r.boxes,
                     "seconds": time.perf_counter() - t, "counterexample": r.counterexample})
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m montecarlo.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=4_000_000)
    ap.add_argument("--d", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--kernel", action="store_true", help="h_inf and lambda_R against eigvalsh")
    ap.add_argument("--sizes", type=int, nargs="+", default=[256, 1024, 4096])
    ap.add_argument("--B", type=float, default=1.0)
    ap.add_argument("--certify", action="store_true", help="certify every claim and mutant with a ball form")
    ap.add_argument("--trainer", action="store_true", help="train() per step against a bare numpy step")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--m", type=int, default=4096)
    args = ap.parse_args(argv)
    if args.certify:
        t = time.perf_counter()
        rows = _certify_rows()
        for r in rows:
            where = "" if r["counterexample"] is None else f"  at {r['counterexample']}"
            print(f"{r['claim']:<46} {r['expr']:<24} {r['status']:<10} {r['boxes']:>6} boxes "
                  f"{r['seconds']:>7.3f} s{where}", flush=True)
        print(f"certify: {len(rows)} runs in {time.perf_counter() - t:.2f} s (target about 20 s)")
        return
    if args.trainer:
        d = 10 if args.d == 16 else args.d
        print(f"trainer, n = {args.n}, d = {d}, m = {args.m}")
        print(f"{'record':<12} {'ms/step':>9} {'ratio to bare':>14}")
        for r in trainer_benchmark(args.n, d, args.m, seed=args.seed):
            print(f"{r['level']:<12} {1e3 * r['s_per_step']:>9.2f} {r['ratio']:>14.2f}")
        return
    if args.kernel:
        rows = []
        for n in args.sizes:  # print each size as soon as it is measured
            rows += kernel_benchmark((n,), args.B, seed=args.seed)
            if len(rows) == 1:
                _print_kernel(rows)
            else:
                _print_kernel_row(rows[-1])
        return
    rows = flip_probability.benchmark(args.samples, args.d, args.seed)
    print(f"raw standard_normal: {rows[0]['raw_normals_per_s'] / 1e6:.1f} M normals/s")
    print(f"{'estimator':<16} {'samples/s':>12} {'normals/s':>12} {'ratio to raw':>13}")
    for r in rows:
        print(f"{r['estimator']:<16} {r['samples_per_s']:>12.3g} {r['normals_per_s']:>12.3g} "
              f"{r['ratio_to_raw']:>13.2f}")


if __name__ == "__main__":
    main()
