"""How much does pruning early cost? Digits, M=64, K=4, T=20, 10 digits x 3 seeds.

For each run it denoises all M candidates to the end (tracing every step's
preview scores) and selects the final group - "full selection" - and runs
the ratio schedule (rho=0.5) from several first pruning steps. It prints:
  - model evaluations and the group objective as a fraction of full
    selection's, and the fraction of full selection's gain over i.i.d.
    (the first K candidates, which is what i.i.d. sampling returns) retained;
  - the Spearman correlation between each step's preview scores and the
    final scores (quality, and mean diversity to the other candidates).

    python bench/digits/schedule_bench.py [--seeds 3] [--lam 0.5]

A benchmark that prints figures, not a test.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import itertools
import math
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from tqdm import tqdm

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "examples" / "python" / "digits"))
from host import DigitsHost, Networks, group_objective  # noqa: E402

try:
    import groupinference as gi
except ImportError:  # a checkout without `pip install -e bindings/python`
    sys.path.insert(0, str(REPO / "bindings" / "python" / "src"))
    import groupinference as gi


def run_session(nets, digit, seed, args, **options):
    host = DigitsHost(nets, digit, args.m, args.steps, seed=seed)
    with gi.Session(num_candidates=args.m, group_size=args.k, num_steps=args.steps, lam=args.lam,
                    seed=seed, **options) as s:
        s.add_unary_scorer("quality", host.quality)
        s.add_embedding_scorer("features", host.embed, dim=host.feature_dim)
        s.set_denoiser(host.denoise)
        s.run()
        return s.result(), host


def all_subsets(m, k, limit=3_000_000):
    """Every k-subset of range(m) as rows, for checking full selection by
    brute force; None when there are too many."""
    if math.comb(m, k) > limit:
        return None
    return np.array(list(itertools.combinations(range(m), k)), dtype=np.int16)


def subset_objectives(unary, pairwise, lam, subsets):
    total = unary[subsets].sum(axis=1)
    for a, b in itertools.combinations(range(subsets.shape[1]), 2):
        total += lam * pairwise[subsets[:, a], subsets[:, b]]
    return total


def one_run(nets, digit, seed, args, subsets):
    """Figures of one (digit, seed)."""
    full_counts = [args.m] * (args.steps - 1) + [args.k]  # prune only after the last step
    full, host = run_session(nets, digit, seed, args, schedule="counts", survivor_counts=full_counts,
                             trace_every_step=True)
    unary, pairwise = host.scores(host.sampler.x)  # the M final samples
    first_k = np.arange(args.k)
    out = {"full": full.objective, "iid": group_objective(unary[first_k], pairwise[np.ix_(first_k, first_k)], args.lam),
           "evals/full": full.evaluations,
           "status": [("full", r.solve_status) for r in full.records if r.is_final]}
    if subsets is not None:
        every = subset_objectives(unary, pairwise, args.lam, subsets)
        ids = full.ids
        out["optimum"], out["random"] = every.max(), every.mean()
        # the library's choice under the same float64 scores as the brute force
        out["full64"] = group_objective(unary[ids], pairwise[np.ix_(ids, ids)], args.lam)
    final = full.records[-1]
    assert final.step == args.steps - 1 and len(full.records) == args.steps
    for rec in full.records:
        out[("rho_q", rec.step)] = spearmanr(rec.scorer_values["quality"], final.scorer_values["quality"])[0]
        out[("rho_d", rec.step)] = spearmanr(rec.diversity, final.diversity)[0]
    for first in args.first_prune_steps:
        pruned, _ = run_session(nets, digit, seed, args, schedule="ratio", prune_ratio=0.5, first_prune_step=first)
        out[("obj", first)] = pruned.objective
        out[("evals", first)] = pruned.evaluations
        out["status"] += [(f"from step {first}", r.solve_status) for r in pruned.records if r.kept.size < r.ids.size]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--m", type=int, default=64)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--lam", type=float, default=0.5)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--first-prune-steps", type=int, nargs="+", default=[0, 5, 10])
    args = ap.parse_args()

    start = time.perf_counter()
    nets = Networks()
    subsets = all_subsets(args.m, args.k)
    runs = [one_run(nets, d, s, args, subsets) for d in tqdm(range(10), desc="digits") for s in range(args.seeds)]
    col = defaultdict(list)
    for r in runs:
        for key, value in r.items():
            col[key].append(value)
    col = {k: np.array(v) for k, v in col.items() if k != "status"}
    statuses = Counter(s for r in runs for s in r["status"])

    print(f"\ndigits, M={args.m}, K={args.k}, T={args.steps}, lam={args.lam}, {len(runs)} runs "
          f"(10 digits x {args.seeds} seeds); mean [min] over runs")
    print(f"{'method':34s} {'model evals':>11s} {'of M*T':>7s} {'objective/full':>16s} {'gain over iid kept':>20s}")
    gain_full = col["full"] - col["iid"]
    print(f"{'select after denoising all M':34s} {col['evals/full'].mean():11.0f} {1:7.1%} {1:16.3f} {1:20.3f}")
    for first in args.first_prune_steps:
        ratio = col[("obj", first)] / col["full"]
        kept = (col[("obj", first)] - col["iid"]) / gain_full
        evals = col[("evals", first)].mean()
        print(f"{f'ratio 0.5 from step {first}':34s} {evals:11.0f} {evals / (args.m * args.steps):7.1%} "
              f"{f'{ratio.mean():.3f} [{ratio.min():.3f}]':>16s} {f'{kept.mean():.3f} [{kept.min():.3f}]':>20s}")
    iid_ratio = col["iid"] / col["full"]
    print(f"{'i.i.d. (first K candidates)':34s} {args.k * args.steps:11d} {args.k / args.m:7.1%} "
          f"{f'{iid_ratio.mean():.3f} [{iid_ratio.min():.3f}]':>16s} {0:20.3f}")
    if "random" in col:
        rnd = col["random"] / col["full"]
        print(f"{'random K-subset (expected)':34s} {'':11s} {'':7s} {f'{rnd.mean():.3f} [{rnd.min():.3f}]':>16s}")
    print(f"mean objective: full {col['full'].mean():.3f}, i.i.d. {col['iid'].mean():.3f}")
    if "optimum" in col:
        short = col["optimum"] - col["full64"]
        print(f"full selection vs brute force over all {len(subsets)} subsets: optimal in "
              f"{(short < 1e-6).sum()}/{len(short)} runs, largest shortfall {short.max():.2e}")
    for which in ["full"] + [f"from step {f}" for f in args.first_prune_steps]:
        print(f"solves ({which}): " + ", ".join(f"{st} {n}" for (w, st), n in sorted(statuses.items()) if w == which))

    print("\nSpearman correlation of step-t preview scores with the final scores (all M candidates), "
          "mean [min] over runs")
    print(f"{'step':>4s} {'quality':>16s} {'diversity':>16s}")
    for t in range(args.steps):
        q, d = col[("rho_q", t)], col[("rho_d", t)]
        print(f"{t:4d} {f'{q.mean():.3f} [{q.min():.3f}]':>16s} {f'{d.mean():.3f} [{d.min():.3f}]':>16s}")
    print(f"\ntook {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
