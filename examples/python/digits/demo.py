"""Group inference on a real (tiny) generator: ask for K images of one digit.

(a) i.i.d.: K candidate noises, each denoised to the end - the usual way.
(b) group inference: M candidate noises; after each step libgroupinference
    keeps the candidates that form the best group (quality: log p(digit) under
    a classifier; difference: 1 - cos of an autoencoder's codes), so only K
    are denoised to the end. --schedule says how fast the survivors shrink:
    reference (halve after every step), calibrated (counts calibrated on other
    seeds within --budget, schedules/*.json from calibrate.py) or adaptive
    (the library's rule within --budget).

    python examples/python/digits/demo.py --digit 3 --k 4 --m 64 --steps 20 --lam 0.5 --seed 0 --out build/demo
    python examples/python/digits/demo.py --digit 3 --compare      # all three schedules + full selection

Prints a table and writes digit<D>_groups.png and digit<D>_trace.png to --out.
With --compare it also denoises all M candidates to the end ("full
selection": the best K of M under the final scores) and reports, for each
method, the share of full selection's gain over i.i.d. sampling it keeps.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # tiny matmuls: threads only cost
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from evaluation import Setting, full_run, open_session, reference
from flow import DEFAULT_GUIDANCE
from host import DigitsHost, Networks, group_objective, mean_pairwise
from plots import plot_groups, plot_trace
from schedules import DEFAULT_BUDGET, SCHEDULES, SCHEDULES_DIR

REPO = Path(__file__).resolve().parents[3]


def setting_of(args):
    return Setting(m=args.m, k=args.k, steps=args.steps, lam=args.lam, guidance=args.guidance, solver=args.solver)


def sample_iid(nets, args):
    """K candidates, all denoised to the end: ids 0..K-1, the same noises as
    the group's first K candidates."""
    host = DigitsHost(nets, args.digit, args.k, args.steps, args.guidance, args.seed)
    ids = np.arange(args.k)
    for step in tqdm(range(args.steps), desc="i.i.d.", unit="step", disable=args.quiet):
        host.sampler.advance(step, ids)
    return ids, host


def sample_group(nets, args, schedule):
    setting = setting_of(args)
    session, host = open_session(nets, args.digit, args.seed, setting, **schedule.session_options(setting))
    with session:
        with tqdm(total=args.steps, desc=f"group ({schedule.label})", unit="step", disable=args.quiet) as bar:
            schedule.drive(session, bar)
        result = session.result()
    assert np.all(host.sampler.steps_done[result.ids] == args.steps)
    assert host.sampler.evaluations == result.evaluations  # the library counted what we ran
    return result, host


def sample_full(nets, args):
    """All M denoised to the end; full selection = the exact best K of M under the final scores."""
    setting = setting_of(args)
    session, host = full_run(nets, args.digit, args.seed, setting)
    session.close()
    return reference(host, setting), host


def summarize(label, host, ids, lam, evaluations, naive, ref=None):
    images = host.sampler.x[ids]
    unary, pairwise = host.scores(images)
    recognised = int((host.nets.quality.predict(images) == host.digit).sum())
    return dict(label=label, images=images, unary=unary, quality=unary.mean(),
                diversity=mean_pairwise(pairwise), objective=group_objective(unary, pairwise, lam),
                recognised=f"{recognised}/{len(ids)}", evaluations=evaluations, share=evaluations / naive,
                kept=None if ref is None else ref.retained(ids))


def print_table(rows, iid_expected=None):
    print(f"\n{'':30s} {'mean quality':>12s} {'recognised':>10s} {'mean diversity':>14s} "
          f"{'objective':>9s} {'model evals':>11s} {'of M*T':>7s} {'gain kept':>9s}")
    for r in rows:
        kept = "-" if r["kept"] is None else f"{r['kept']:.1%}"
        print(f"{r['label']:30s} {r['quality']:12.3f} {r['recognised']:>10s} {r['diversity']:14.3f} "
              f"{r['objective']:9.3f} {r['evaluations']:11d} {r['share']:7.1%} {kept:>9s}")
    if iid_expected is not None:
        print(f"{'i.i.d. expected (random K of M)':30s} {'':12s} {'':>10s} {'':14s} {iid_expected:9.3f} "
              f"{'':11s} {'':7s} {0:9.1%}")
    print("quality = log p(digit | image) under the classifier; diversity = mean 1 - cos of the "
          "autoencoder codes over pairs;\nobjective = sum quality + lam * sum over pairs of (1 - cos); "
          "model evals = candidates denoised, summed over steps (M*T: denoising every candidate);\n"
          "gain kept = (objective - i.i.d. expected) / (full selection - i.i.d. expected), all under the "
          "final scores" + ("" if iid_expected is not None else " (measured with --compare)"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--digit", type=int, default=3, choices=range(10))
    ap.add_argument("--k", type=int, default=4, help="group size K")
    ap.add_argument("--m", type=int, default=64, help="candidates M")
    ap.add_argument("--steps", type=int, default=20, help="denoising steps T")
    ap.add_argument("--lam", type=float, default=0.5, help="weight of the diversity term")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--guidance", type=float, default=DEFAULT_GUIDANCE, help="classifier-free guidance scale")
    ap.add_argument("--schedule", default="reference", choices=list(SCHEDULES),
                    help="; ".join(f"{n}: {c.description}" for n, c in SCHEDULES.items()))
    ap.add_argument("--budget", type=float, default=DEFAULT_BUDGET,
                    help="calibrated and adaptive: model evaluations allowed, as a fraction of M*T")
    ap.add_argument("--compare", action="store_true",
                    help="run all three schedules and full selection (all M denoised) side by side")
    ap.add_argument("--schedules", type=Path, default=SCHEDULES_DIR,
                    help="folder of the calibrated schedule files (calibrate.py --out)")
    ap.add_argument("--solver", default="auto", choices=["auto", "exact", "heuristic"])
    ap.add_argument("--quiet", action="store_true", help="no progress bars")
    ap.add_argument("--out", type=Path, default=REPO / "build" / "digits")
    args = ap.parse_args()

    start = time.perf_counter()
    nets = Networks()
    naive = args.m * args.steps
    chosen = SCHEDULES[args.schedule](args.budget, args.schedules)
    # --compare: every schedule, in the order of SCHEDULES; the chosen one's trace is plotted.
    schedules = [cls(args.budget, args.schedules) for cls in SCHEDULES.values()] if args.compare else [chosen]
    for schedule in schedules:  # a missing schedule file is reported before anything runs
        try:
            schedule.session_options(setting_of(args))
        except FileNotFoundError as error:
            ap.exit(2, f"{ap.prog}: {error}\n")
    ref = full_host = None
    if args.compare:
        ref, full_host = sample_full(nets, args)
    ids, iid_host = sample_iid(nets, args)
    rows = [summarize(f"i.i.d. (K={args.k})", iid_host, ids, args.lam, iid_host.sampler.evaluations, naive, ref)]
    results = {}
    for schedule in schedules:
        result, host = sample_group(nets, args, schedule)
        results[schedule.name] = result
        rows.append(summarize(f"group, {schedule.label}", host, result.ids, args.lam, result.evaluations, naive, ref))
    if args.compare:
        rows.append(summarize(f"full selection (M={args.m})", full_host, ref.full_ids, args.lam, naive, naive, ref))
    print_table(rows, ref.iid if ref is not None else None)
    result = results[chosen.name]
    print(f"{chosen.label}: ids {result.ids.tolist()}, library objective {result.objective:.3f}, "
          f"survivors after each scoring {[len(r.kept) for r in result.records]}; "
          f"solves: {', '.join(sorted({r.solve_status for r in result.records}))}")

    args.out.mkdir(parents=True, exist_ok=True)
    groups_png = args.out / f"digit{args.digit}_groups.png"
    trace_png = args.out / f"digit{args.digit}_trace.png"
    plot_groups(groups_png, [(r["label"], r["images"], r["unary"]) for r in rows], args.digit)
    plot_trace(trace_png, result.records, result.ids, args.digit)
    print(f"wrote {groups_png}\nwrote {trace_png}\ntook {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
