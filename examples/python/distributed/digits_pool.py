"""The digits demo's group inference with its candidates spread over workers.

    python examples/python/distributed/digits_pool.py --workers 2 --m 64 --k 4
    python examples/python/distributed/digits_pool.py --workers 0 --m 64 --k 4   # in process, no workers
    python examples/python/distributed/digits_pool.py --workers 3 --m 256 --kill 1:2   # worker 1 dies after step 2

--workers N runs N Ray actors (on a local Ray instance, or on the cluster at
$RAY_ADDRESS), each holding a shard of the candidates
(examples/python/distributed/digits_worker.py); --local makes them plain
objects in this process instead. --workers 0 is the ordinary in-process run:
one gi.Session with the digits host's callbacks, as the demo does. For the
same seeds all of them print the same group, objective and evaluations
(unless a worker is killed: then the group is chosen from the candidates left).
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # tiny matmuls: threads only cost
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path[:0] = [str(HERE), str(HERE.parent / "digits")]

from evaluation import Setting, gi, open_session  # noqa: E402  (imports groupinference, or the source tree's)
from flow import DEFAULT_GUIDANCE  # noqa: E402
from host import Networks  # noqa: E402

from digits_worker import FEATURES, QUALITY, DigitsWorker, feature_dim  # noqa: E402

SCHEDULES = {"reference": dict(schedule="ratio", prune_ratio=0.5, first_prune_step=0),
             "adaptive": dict(schedule="adaptive", budget=0.2)}


def session_for(args):
    return gi.Session(num_candidates=args.m, group_size=args.k, num_steps=args.steps, lam=args.lam,
                      solver=args.solver, seed=args.seed, **SCHEDULES[args.schedule])


def run_in_process(args):
    """--workers 0: the digits host's callbacks on one session, as the demo runs it."""
    setting = Setting(m=args.m, k=args.k, steps=args.steps, lam=args.lam, guidance=args.guidance, solver=args.solver)
    session, _host = open_session(Networks(), args.digit, args.seed, setting, **SCHEDULES[args.schedule])
    with session:
        session.run()
        return session.result(), None


def ray_environment():
    """What a local Ray's worker processes need to import the digits worker (and nothing more)."""
    path = os.pathsep.join([str(HERE), str(HERE.parent / "digits"), os.environ.get("PYTHONPATH", "")])
    return {"env_vars": {"PYTHONPATH": path.rstrip(os.pathsep), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}}


def make_pool(args):
    from groupinference.distributed import LocalPool, RayPool
    worker_args = (args.digit, args.steps, args.guidance, args.seed)
    names = [f"digits-{i}" for i in range(args.workers)]
    if args.local:
        return LocalPool([DigitsWorker(*worker_args) for _ in range(args.workers)], names)
    import ray
    if os.environ.get("RAY_ADDRESS"):  # an existing cluster (its workers must reach this folder too)
        ray.init(runtime_env=ray_environment(), log_to_driver=False)
    else:
        ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False,
                 object_store_memory=128 * 2**20, runtime_env=ray_environment())
    remote = ray.remote(num_cpus=ray.cluster_resources().get("CPU", 1) / args.workers)(DigitsWorker)
    return RayPool([remote.remote(*worker_args) for _ in range(args.workers)], names)


def run_distributed(args):
    from groupinference.distributed import Driver, Embedding, Unary
    pool = make_pool(args)
    kill = None
    if args.kill:
        worker, _, after = args.kill.partition(":")
        kill = (int(worker), int(after))

    def on_step(driver):
        if kill is not None and driver.timings[-1].step == kill[1]:
            import ray
            ray.kill(pool.actors[kill[0]])

    with session_for(args) as session:
        driver = Driver(session, pool, [Unary(QUALITY), Embedding(FEATURES, dim=feature_dim())],
                        rebalance=None if args.rebalance == "off" else float(args.rebalance))
        return driver.run(on_step=on_step if kill else None).result, driver


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=2, help="Ray workers; 0 = the in-process run")
    ap.add_argument("--local", action="store_true", help="the workers are objects in this process, not Ray actors")
    ap.add_argument("--m", type=int, default=64, help="candidates M")
    ap.add_argument("--k", type=int, default=4, help="group size K")
    ap.add_argument("--steps", type=int, default=20, help="denoising steps T")
    ap.add_argument("--lam", type=float, default=0.5, help="weight of the diversity term")
    ap.add_argument("--digit", type=int, default=3, choices=range(10))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--guidance", type=float, default=DEFAULT_GUIDANCE)
    ap.add_argument("--schedule", default="reference", choices=list(SCHEDULES))
    ap.add_argument("--solver", default="auto", choices=["auto", "exact", "heuristic"])
    ap.add_argument("--rebalance", default="0.25", help="imbalance that triggers rebalancing, or 'off'")
    ap.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray instance (without $RAY_ADDRESS)")
    ap.add_argument("--kill", metavar="W:S", help="kill Ray worker W after step S (the run goes on without it)")
    args = ap.parse_args(argv)
    if args.workers < 0:
        ap.error("--workers must be >= 0")
    if args.kill and (args.local or args.workers == 0):
        ap.error("--kill needs Ray workers (--workers N without --local)")

    began = time.perf_counter()
    result, driver = run_distributed(args) if args.workers else run_in_process(args)
    print(f"group: {result.ids.tolist()}")
    print(f"objective: {result.objective:.4f}")
    print(f"evaluations: {result.evaluations} of {result.naive_evaluations}")
    if driver is not None:
        kind = "in-process workers" if args.local else "Ray workers"
        print(f"{args.workers} {kind}; rebalances: "
              + (", ".join(f"after step {r.step} {list(r.before)} -> {list(r.after)} in {r.seconds * 1e3:.1f} ms"
                           for r in driver.rebalances) or "none"))
        for loss in driver.losses:
            print(f"lost {loss.worker} at step {loss.step} with ids {list(loss.ids)}: {loss.reason}")
    print(f"took {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
