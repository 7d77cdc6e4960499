"""Group inference on a real (tiny) generator: ask for K images of one digit.

(a) i.i.d.: K candidate noises, each denoised to the end - the usual way.
(b) group inference: M candidate noises; after each step libgroupinference
    keeps the candidates that form the best group (quality: log p(digit) under
    a classifier; difference: 1 - cos of an autoencoder's codes), so only K
    are denoised to the end.

    python examples/python/digits/demo.py --digit 3 --k 4 --m 64 --steps 20 --lam 0.5 --seed 0 --out build/demo

Prints a table and writes digit<D>_groups.png and digit<D>_trace.png to --out.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # tiny matmuls: threads only cost
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from flow import DEFAULT_GUIDANCE
from host import DigitsHost, Networks, group_objective, mean_pairwise
from plots import plot_groups, plot_trace
from schedules import SCHEDULES

REPO = Path(__file__).resolve().parents[3]
try:
    import groupinference as gi
except ImportError:  # a checkout without `pip install -e bindings/python`
    sys.path.insert(0, str(REPO / "bindings" / "python" / "src"))
    import groupinference as gi


def sample_iid(nets, args):
    """K candidates, all denoised to the end: ids 0..K-1, the same noises as
    the group's first K candidates."""
    host = DigitsHost(nets, args.digit, args.k, args.steps, args.guidance, args.seed)
    ids = np.arange(args.k)
    for step in tqdm(range(args.steps), desc="i.i.d.", unit="step"):
        host.sampler.advance(step, ids)
    return ids, host


def sample_group(nets, args):
    host = DigitsHost(nets, args.digit, args.m, args.steps, args.guidance, args.seed)
    schedule = SCHEDULES[args.schedule]()
    options = schedule.session_options(args.m, args.k, args.steps)
    with gi.Session(num_candidates=args.m, group_size=args.k, num_steps=args.steps, lam=args.lam,
                    solver=args.solver, seed=args.seed, **options) as session:
        session.add_unary_scorer("quality", host.quality)
        session.add_embedding_scorer("features", host.embed, dim=host.feature_dim)
        session.set_denoiser(host.denoise)
        with tqdm(total=args.steps, desc=f"group ({schedule.name})", unit="step") as bar:
            schedule.drive(session, bar)
        result = session.result()
    assert np.all(host.sampler.steps_done[result.ids] == args.steps)
    assert host.sampler.evaluations == result.evaluations  # the library counted what we ran
    return result, host


def summarize(label, host, ids, lam, evaluations):
    images = host.sampler.x[ids]
    unary, pairwise = host.scores(images)
    recognised = int((host.nets.quality.predict(images) == host.digit).sum())
    return dict(label=label, images=images, unary=unary, quality=unary.mean(),
                diversity=mean_pairwise(pairwise), objective=group_objective(unary, pairwise, lam),
                recognised=f"{recognised}/{len(ids)}", evaluations=evaluations)


def print_table(rows):
    print(f"\n{'':28s} {'mean quality':>12s} {'recognised':>10s} {'mean diversity':>14s} "
          f"{'objective':>9s} {'model evals':>11s}")
    for r in rows:
        print(f"{r['label']:28s} {r['quality']:12.3f} {r['recognised']:>10s} {r['diversity']:14.3f} "
              f"{r['objective']:9.3f} {r['evaluations']:11d}")
    print("quality = log p(digit | image) under the classifier; diversity = mean 1 - cos of the "
          "autoencoder codes over pairs;\nobjective = sum quality + lam * sum over pairs of (1 - cos); "
          "model evals = candidates denoised, summed over steps")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--digit", type=int, default=3, choices=range(10))
    ap.add_argument("--k", type=int, default=4, help="group size K")
    ap.add_argument("--m", type=int, default=64, help="candidates M")
    ap.add_argument("--steps", type=int, default=20, help="denoising steps T")
    ap.add_argument("--lam", type=float, default=0.5, help="weight of the diversity term")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--guidance", type=float, default=DEFAULT_GUIDANCE, help="classifier-free guidance scale")
    ap.add_argument("--schedule", default="reference", choices=sorted(SCHEDULES),
                    help="; ".join(f"{n}: {c.description}" for n, c in SCHEDULES.items()))
    ap.add_argument("--solver", default="auto", choices=["auto", "exact", "heuristic"])
    ap.add_argument("--out", type=Path, default=REPO / "build" / "digits")
    args = ap.parse_args()

    start = time.perf_counter()
    nets = Networks()
    ids, iid_host = sample_iid(nets, args)
    iid = summarize(f"i.i.d. (K={args.k})", iid_host, ids, args.lam, iid_host.sampler.evaluations)
    result, group_host = sample_group(nets, args)
    group = summarize(f"group inference (M={args.m})", group_host, result.ids, args.lam, result.evaluations)
    print_table([iid, group])
    print(f"group: ids {result.ids.tolist()}, library objective {result.objective:.3f}, "
          f"naive cost M*T = {result.naive_evaluations}; "
          f"solves: {', '.join(sorted({r.solve_status for r in result.records}))}")

    args.out.mkdir(parents=True, exist_ok=True)
    groups_png = args.out / f"digit{args.digit}_groups.png"
    trace_png = args.out / f"digit{args.digit}_trace.png"
    plot_groups(groups_png, [(r["label"], r["images"], r["unary"]) for r in (iid, group)], args.digit)
    plot_trace(trace_png, result.records, result.ids, args.digit)
    print(f"wrote {groups_png}\nwrote {trace_png}\ntook {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
