"""Calibrate pruning schedules for the digits model and save them as schedule files.

For each λ it makes full runs - all M candidates denoised to the end, every
step scored - of every digit on the calibration seeds (default 1000, 1001,
1002: never the demo's or the benchmark's evaluation seeds 0, 1, 2), hands
them to gi.calibrate(runs, budget=B), and writes the schedule with the most
retention within B·M·T model evaluations to

    examples/python/digits/schedules/m<M>_k<K>_t<T>_lam<λ>_budget<B>.json

One schedule per (M, K, T, λ, budget) serves all ten digits: the runs of all
digits are calibrated together (30 runs by default), which is less noisy than
three runs per digit and is what a host with one prompt-agnostic schedule
would ship.

    python examples/python/digits/calibrate.py                       # the committed files (~1 minute)
    python examples/python/digits/calibrate.py --lam 0.5 --budget 0.2 0.4 --out /tmp/schedules

The demo reads them with --schedule calibrated (it picks the file of its M,
K, T, λ and --budget).
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import time
from pathlib import Path

import numpy as np

from evaluation import Setting, calibration_path, full_run, gi
from flow import DEFAULT_GUIDANCE
from host import Networks

HERE = Path(__file__).resolve().parent
SCHEDULES_DIR = HERE / "schedules"
CALIBRATION_SEEDS = (1000, 1001, 1002)
"""Seeds of the calibration runs; the demo's default seed and the benchmark's evaluation seeds are 0, 1, 2."""
SWEEP_LAMBDAS = (0.1, 0.25, 0.5, 1.0, 2.0)
COMMITTED_BUDGETS = (0.2, 0.4)


def calibration_runs(nets, setting, digits=range(10), seeds=CALIBRATION_SEEDS):
    """Full runs of every digit on the calibration seeds (open sessions: close them when done)."""
    return [full_run(nets, digit, seed, setting)[0] for digit in digits for seed in seeds]


def calibrate(runs, budgets):
    """{budget: gi.Calibration} from the same runs."""
    return {budget: gi.calibrate(runs, budget=budget) for budget in budgets}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lam", type=float, nargs="+", default=list(SWEEP_LAMBDAS))
    ap.add_argument("--budget", type=float, nargs="+", default=list(COMMITTED_BUDGETS),
                    help="model evaluations allowed, as a fraction of M*T")
    ap.add_argument("--m", type=int, default=64)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--guidance", type=float, default=DEFAULT_GUIDANCE)
    ap.add_argument("--seeds", type=int, nargs="+", default=list(CALIBRATION_SEEDS))
    ap.add_argument("--digits", type=int, nargs="+", default=list(range(10)))
    ap.add_argument("--out", type=Path, default=SCHEDULES_DIR)
    args = ap.parse_args()
    if set(args.seeds) & {0, 1, 2}:
        ap.error("seeds 0, 1, 2 are the demo's and the benchmark's evaluation seeds; calibrate on others")

    start = time.perf_counter()
    nets = Networks()
    args.out.mkdir(parents=True, exist_ok=True)
    for lam in args.lam:
        setting = Setting(m=args.m, k=args.k, steps=args.steps, lam=lam, guidance=args.guidance)
        runs = calibration_runs(nets, setting, digits=args.digits, seeds=args.seeds)
        try:
            calibrations = calibrate(runs, args.budget)
        finally:
            for s in runs:
                s.close()
        for budget, c in calibrations.items():
            path = calibration_path(args.out, setting, budget)
            c.save(path)
            print(f"λ={lam:g} budget={budget:g}: {c.evaluations} evaluations ({c.evaluations_fraction:.1%} of M·T), "
                  f"retention on the {c.num_runs} calibration runs {c.retention:.3f} (worst {c.retention_min:.3f}), "
                  f"first prune after step {c.first_prune_step}\n  counts {c.counts.tolist()}\n  wrote {path}")
        print(f"  choosing the final group directly at step t keeps (calibration runs): "
              f"{np.round(next(iter(calibrations.values())).step_retention, 2).tolist()}")
    print(f"took {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
