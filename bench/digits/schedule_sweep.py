"""Pruning that keeps the group: reference, calibrated and adaptive schedules
against selecting after full denoising, on the digits model.

M=64, K=4, T=20, λ in {0.1, 0.25, 0.5, 1.0, 2.0}; evaluation runs: the 10
digits x seeds 0, 1, 2 (30 runs per λ). For each λ:

1. Calibration, on other seeds only: full runs of the 10 digits x seeds
   1000, 1001, 1002 (30 runs), one gi.calibrate(runs, budget=B) per budget;
   one schedule per λ and budget serves all digits (what calibrate.py
   writes; the committed files are checked against it). The evaluation runs
   are never used for calibration.
2. Per evaluation run, one full run (all M denoised to the end, every step
   scored) gives the final scores, full selection (best K of M, exact,
   gi.solve_qip with a 5 s limit) and i.i.d. (expected objective of a random
   K-subset). Every schedule then runs a real session on the same noises
   (candidate i's noise depends only on (seed, i)), and its group is judged
   under the full run's final scores:
       gain retained = (f(group) - f(iid)) / (f(full) - f(iid)).
3. Schedules: reference (ratio 0.5 from step 0), calibrated and adaptive at
   each budget of --budgets (fractions of M·T model evaluations).

Target (the issue): >= 90 % of the gain at <= 20 % of M·T, for every λ.

It also prints the per-step diagnostics that explain the result: the Spearman
correlation of each step's preview scores with the final scores
(session.diagnostics(i, which).spearman_final, on the evaluation full runs),
and the calibration runs' retention when the final group is chosen directly
with step t's scores (Calibration.step_retention), next to what a decision
at step t costs. A "hindsight" line calibrates on the evaluation runs
themselves: not a schedule anyone could use, only the ceiling of the
library's schedule family on these runs, to separate the family's limit from
the calibration's transfer to new seeds.

    python bench/digits/schedule_sweep.py                  # ~3 minutes on one core
    python bench/digits/schedule_sweep.py --lams 0.5 --budgets 0.2 0.4 --digits 3 7

A benchmark that prints figures, not a test.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "examples" / "python" / "digits"))
from calibrate import CALIBRATION_SEEDS, SCHEDULES_DIR, calibrate, calibration_runs  # noqa: E402
from evaluation import Setting, calibration_path, full_run, gi, open_session, reference  # noqa: E402
from host import Networks  # noqa: E402

TARGET_RETENTION, TARGET_BUDGET = 0.90, 0.20


def run_schedule(nets, digit, seed, setting, ref, full_host, **options):
    """One real session on (digit, seed)'s noises; (evaluations / M·T, gain retained)."""
    session, host = open_session(nets, digit, seed, setting, **options)
    with session:
        session.run()
        result = session.result()
    # The same noises give the same final samples as in the full run.
    np.testing.assert_allclose(host.sampler.x[result.ids], full_host.sampler.x[result.ids], atol=1e-4)
    assert host.sampler.evaluations == result.evaluations
    return result.evaluations / (setting.m * setting.steps), ref.retained(result.ids)


SUBSET_SIZES = (16, 25, 32, 40, 48)


def random_subset_retention(ref, setting, rng, draws=4):
    """{n: gain kept by the best K of a random n of the M} under the final scores: what a
    schedule keeps if its first prune (to n) is no better than chance and it chooses perfectly later."""
    out = {}
    for n in SUBSET_SIZES:
        kept = []
        for _ in range(draws):
            sub = np.sort(rng.choice(setting.m, n, replace=False))
            best = gi.solve_qip(ref.unary[sub], ref.pairwise[np.ix_(sub, sub)], k=setting.k, lam=setting.lam,
                                solver="exact", time_limit=1)
            kept.append(ref.retained(sub[best.selection]))
        out[n] = float(np.mean(kept))
    return out


def sweep_lambda(nets, lam, args, diagnostics):
    setting = Setting(m=args.m, k=args.k, steps=args.steps, lam=lam)
    naive = args.m * args.steps
    # 1. calibration on its own seeds
    cal_runs = calibration_runs(nets, setting, args.digits, args.cal_seeds)
    try:
        calibrations = calibrate(cal_runs, args.budgets)
    finally:
        for s in cal_runs:
            s.close()
    files = {}
    folder = Path(args.tmp) / f"lam{lam:g}"
    folder.mkdir()
    committed = []
    for budget, c in calibrations.items():
        files[budget] = calibration_path(folder, setting, budget)
        c.save(files[budget])
        shipped = calibration_path(SCHEDULES_DIR, setting, budget)
        if shipped.exists():
            committed.append((budget, gi.load_schedule(shipped).counts.tolist() == c.counts.tolist()))

    methods = {"reference ρ=0.5": dict(schedule="ratio", prune_ratio=0.5, first_prune_step=0)}
    for budget in args.budgets:
        methods[f"calibrated {budget:g}"] = dict(schedule="calibrated", schedule_file=files[budget])
    for budget in args.budgets:
        methods[f"adaptive {budget:g}"] = dict(schedule="adaptive", budget=budget)

    # 2. evaluation runs
    figures = defaultdict(list)
    subsets = defaultdict(list)
    full_sessions = []
    agree = 0
    for digit in args.digits:
        for seed in args.eval_seeds:
            full, host = full_run(nets, digit, seed, setting)
            full_sessions.append(full)
            ref = reference(host, setting)
            for n, kept in random_subset_retention(ref, setting, np.random.default_rng([digit, seed])).items():
                subsets[n].append(kept)
            agree += abs(full.result().objective - ref.full) <= 1e-5 * max(1.0, abs(ref.full))
            if not diagnostics["done"]:
                records = full.records()
                for i, record in enumerate(records):
                    for which in ("quality", "diversity"):
                        diagnostics[which][record.step].append(full.diagnostics(i, which).spearman_final)
            figures["full selection"].append((1.0, 1.0))
            figures["i.i.d."].append((args.k / args.m, 0.0))
            for name, options in methods.items():
                figures[name].append(run_schedule(nets, digit, seed, setting, ref, host, **options))
    diagnostics["done"] = True
    try:
        hindsight = gi.calibrate(full_sessions, budget=TARGET_BUDGET)
    finally:
        for s in full_sessions:
            s.close()
    return dict(setting=setting, figures=figures, calibrations=calibrations, hindsight=hindsight,
                subsets={n: float(np.mean(v)) for n, v in subsets.items()},
                committed=committed, agree=agree, runs=len(full_sessions), naive=naive)


def print_results(results, args):
    print(f"\ndigits, M={args.m}, K={args.k}, T={args.steps}; {len(args.digits)} digits x evaluation seeds "
          f"{args.eval_seeds}; calibration: {len(args.digits)} digits x seeds {args.cal_seeds}")
    print("evals = model evaluations / (M·T), mean over runs; kept = share of full selection's gain over "
          "i.i.d. retained, mean [worst run];\ncal. predicted = what gi.calibrate measured on the calibration runs; "
          f"target: kept >= {TARGET_RETENTION:.0%} at evals <= {TARGET_BUDGET:.0%}\n")
    header = f"{'λ':>5s}  {'schedule':18s} {'evals':>6s} {'kept':>6s} {'[worst]':>8s} {'cal. predicted':>15s}  target"
    print(header)
    print("-" * len(header))
    for lam, r in results.items():
        for name, values in r["figures"].items():
            v = np.array(values)
            evals, kept, worst = v[:, 0].mean(), v[:, 1].mean(), v[:, 1].min()
            predicted = ""
            if name.startswith("calibrated"):
                c = r["calibrations"][float(name.split()[1])]
                predicted = f"{c.retention:.3f} [{c.retention_min:.2f}]"
            meets = ""
            if name not in ("full selection", "i.i.d."):
                meets = "yes" if kept >= TARGET_RETENTION and evals <= TARGET_BUDGET + 1e-9 else "no"
            print(f"{lam:5g}  {name:18s} {evals:6.1%} {kept:6.3f} {f'[{worst:.2f}]':>8s} {predicted:>15s}  {meets}")
        h = r["hindsight"]
        print(f"{'':5s}  {'(hindsight 0.2)':18s} {h.evaluations_fraction:6.1%} {h.retention:6.3f} "
              f"{f'[{h.retention_min:.2f}]':>8s} {'':>15s}  (calibrated ON these runs: a ceiling, not a result)")
        print()

    print("smallest budget of the sweep whose mean kept >= 90 % (evals actually spent):")
    for lam, r in results.items():
        parts = []
        for kind in ("calibrated", "adaptive"):
            found = "none"
            for budget in args.budgets:
                v = np.array(r["figures"][f"{kind} {budget:g}"])
                if v[:, 1].mean() >= TARGET_RETENTION:
                    found = f"{budget:g} ({v[:, 0].mean():.1%}, kept {v[:, 1].mean():.3f})"
                    break
            parts.append(f"{kind} {found}")
        print(f"  λ={lam:g}: " + "; ".join(parts))

    print("\nchecks: full run's own selection equals the exact best K of M in "
          + ", ".join(f"λ={lam:g} {r['agree']}/{r['runs']}" for lam, r in results.items()))
    lines = [f"λ={lam:g} budget {b:g} {'matches' if ok else 'DIFFERS'}"
             for lam, r in results.items() for b, ok in r["committed"]]
    print("committed schedule files (examples/python/digits/schedules) vs this calibration: "
          + ("; ".join(lines) if lines else "none found"))


def print_diagnostics(results, diagnostics, args):
    m, k, t = args.m, args.k, args.steps
    print("\nWhy: how well step t's previews predict the final scores, and what deciding at step t costs.")
    print("spearman = rank correlation of step-t preview scores with the final ones over all M "
          "(session.diagnostics(i, which).spearman_final; evaluation full runs), mean [min];")
    print("choose@t = gain kept when the final K are chosen directly from step t's scores, all M kept "
          "until then (Calibration.step_retention, calibration runs);")
    print("cost@t = evaluations of that: M·(t+1) + K·(T-1-t), of M·T.\n")
    lams = list(results)
    print(f"{'step':>4s} {'spearman quality':>17s} {'spearman diversity':>19s} {'cost@t':>7s}  "
          + " ".join(f"{f'choose@t λ={lam:g}':>14s}" for lam in lams))
    for step in range(t):
        q, d = np.array(diagnostics["quality"][step]), np.array(diagnostics["diversity"][step])
        cost = (m * (step + 1) + k * (t - 1 - step)) / (m * t)
        picks = " ".join(f"{next(iter(results[lam]['calibrations'].values())).step_retention[step]:14.3f}"
                         for lam in lams)
        print(f"{step:4d} {f'{q.mean():.2f} [{q.min():.2f}]':>17s} {f'{d.mean():.2f} [{d.min():.2f}]':>19s} "
              f"{cost:7.1%}  {picks}")
    print("\nIf the first prune (to n survivors) is no better than chance and every later choice is perfect: "
          "gain kept by the best K of a random n of the M (final scores, exact; 4 draws per run, mean)")
    print(f"{'λ':>5s} " + " ".join(f"{f'n={n}':>7s}" for n in SUBSET_SIZES))
    for lam, r in results.items():
        print(f"{lam:5g} " + " ".join(f"{r['subsets'][n]:7.3f}" for n in SUBSET_SIZES))
    print("\nsurvivor counts of the calibrated schedules (after steps 0..T-1):")
    for lam, r in results.items():
        for budget, c in r["calibrations"].items():
            print(f"  λ={lam:g} budget {budget:g}: {c.counts.tolist()}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--m", type=int, default=64)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--lams", type=float, nargs="+", default=[0.1, 0.25, 0.5, 1.0, 2.0])
    ap.add_argument("--budgets", type=float, nargs="+", default=[0.2, 0.25, 0.3, 0.35, 0.4, 0.5])
    ap.add_argument("--digits", type=int, nargs="+", default=list(range(10)))
    ap.add_argument("--eval-seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--cal-seeds", type=int, nargs="+", default=list(CALIBRATION_SEEDS))
    args = ap.parse_args()
    if set(args.eval_seeds) & set(args.cal_seeds):
        ap.error("evaluation and calibration seeds must differ")

    start = time.perf_counter()
    nets = Networks()
    results = {}
    diagnostics = {"quality": defaultdict(list), "diversity": defaultdict(list), "done": False}
    with tempfile.TemporaryDirectory() as tmp:
        args.tmp = tmp
        for lam in args.lams:
            t0 = time.perf_counter()
            results[lam] = sweep_lambda(nets, lam, args, diagnostics)
            print(f"λ={lam:g} done in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    print_results(results, args)
    print_diagnostics(results, diagnostics, args)
    print(f"\ntook {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
