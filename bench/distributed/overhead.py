"""What spreading the candidates over workers costs the driver, per step.

At M = 64, 256 and 1024 candidates, 2 workers, every step scored (the steady
state of an adaptive schedule; first_prune_step = T-1 with trace_every_step, so
all M stay alive), it runs the digits model three ways:

- callbacks: one gi.Session with the digits host's callbacks, no driver;
- local:     groupinference.distributed.Driver over a LocalPool of 2 digits
             workers in this process (they run one after the other);
- Ray:       the same Driver over a RayPool of 2 Ray actors (they run at once).

Per step it splits the driver's wall time into the model (denoising and
scoring, timed inside the workers; on Ray the slower worker, since both run at
once), the library (pushing the scores and gi_step: scoring, the cosine matrix,
the best-group solve) and the rest - transport and bookkeeping - and prints
the medians over the measured steps (all but the first and the last of each
run), the share of a step spent outside the model, and ratios of Ray to local.

    python bench/distributed/overhead.py [--m 64 256 1024] [--workers 2] [--steps 8] [--repeats 3]
    python bench/distributed/overhead.py --model PATH --prompt TEXT   # a diffusers pipeline, a GPU per worker
    python bench/distributed/overhead.py --model tiny-sd --m 16 64    # a tiny random one, on CPU

--model runs the same measurement (without the callbacks row) with
groupinference.diffusers.DiffusersWorker over a diffusers pipeline: a name or
path for from_pretrained (one GPU per Ray actor when there are GPUs), or
tiny-KIND (tiny-sd, tiny-sdxl, tiny-sd3, tiny-flux-schnell, tiny-flux-dev: a
tiny random pipeline saved to a temporary folder, loaded by every worker). Its
scorers are a brightness (unary) and a colour (embedding) of the previews,
unless --clip and --dino name CLIP and DINOv2 models (the paper's CLIP score
and DINOv2 patch diversity; the patch features then travel to the driver).
"model" is then everything a worker's advance() does: denoising, decoding the
previews, scoring.

A benchmark that prints figures, not a test. Ray's start-up and the actors'
creation are not counted.
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # a private local instance
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

import argparse
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "python"
sys.path[:0] = [str(EXAMPLES / "distributed"), str(EXAMPLES / "digits")]

from evaluation import gi  # noqa: E402  (groupinference, or the source tree's)
from host import DigitsHost, Networks  # noqa: E402

from digits_worker import FEATURES, QUALITY, DigitsWorker, feature_dim  # noqa: E402

DIGIT, SEED, K, LAM = 3, 0, 4, 0.5


@dataclass
class Step:
    wall: float
    model: float
    library: float


def session(m, steps):
    s = gi.Session(num_candidates=m, group_size=K, num_steps=steps, lam=LAM, seed=SEED,
                   first_prune_step=steps - 1, trace_every_step=True)
    return s


def run_callbacks(nets, m, steps):
    """The plain in-process run; model time measured around the host's callbacks."""
    host = DigitsHost(nets, DIGIT, m, steps, seed=SEED)
    spent = [0.0]

    def timed(fn):
        def call(step, ids):
            began = time.perf_counter()
            try:
                return fn(step, ids)
            finally:
                spent[0] += time.perf_counter() - began
        return call

    out = []
    with session(m, steps) as s:
        s.add_unary_scorer(QUALITY, timed(host.quality))
        s.add_embedding_scorer(FEATURES, timed(host.embed), dim=host.feature_dim)
        s.set_denoiser(timed(host.denoise))
        while not s.progress.done:
            spent[0] = 0.0
            began = time.perf_counter()
            s.step()
            wall = time.perf_counter() - began
            out.append(Step(wall, spent[0], wall - spent[0]))
    return out


def run_driver(pool, model, m, model_seconds, parallel):
    """A Driver run; model_seconds() -> each worker's model seconds so far."""
    from groupinference.distributed import Driver
    before = [model_seconds()]

    def on_step(driver):
        before.append(model_seconds())

    with session(m, model.num_steps) as s:
        assert s.progress.scores_needed
        driver = Driver(s, pool, model.scorers)
        driver.start()
        before[0] = model_seconds()
        run = driver.run(on_step=on_step)
    out = []
    for timing, a, b in zip(run.timings, before[:-1], before[1:], strict=True):
        per_worker = [y - x for x, y in zip(a, b, strict=True)]
        model_time = max(per_worker) if parallel else sum(per_worker)
        out.append(Step(timing.seconds, model_time, timing.session))
    return out


def measured(runs):
    """All steps but each run's first (warm-up) and last (the final selection)."""
    return [step for run in runs for step in run[1:-1]]


def medians(steps):
    wall = statistics.median(s.wall for s in steps)
    model = statistics.median(s.model for s in steps)
    library = statistics.median(s.library for s in steps)
    outside = statistics.median(s.wall - s.model for s in steps)
    return dict(wall=wall, model=model, library=library, outside=outside, rest=outside - library,
                share=statistics.median((s.wall - s.model) / s.wall for s in steps))


@dataclass
class Model:
    """What the benchmark needs of a model: a Worker class that also has timing() ->
    (model seconds so far, evaluations), its constructor arguments, the scorers its
    advance() answers for, the session's num_steps, Ray resources per actor, and
    (digits) the plain callbacks run."""
    name: str
    worker: type
    args: tuple
    scorers: list
    resources: dict
    num_steps: int
    callbacks: object = None
    kwargs: dict = field(default_factory=dict)


def digits_model(args):
    from groupinference.distributed import Embedding, Unary
    nets = Networks()
    return Model("digits model", DigitsWorker, (DIGIT, args.steps, 1.25, SEED),
                 [Unary(QUALITY), Embedding(FEATURES, dim=feature_dim())], {"num_cpus": args.cpus / args.workers},
                 args.steps, lambda m: run_callbacks(nets, m, args.steps))


def brightness(images):
    return images.mean(dim=(1, 2, 3))


def colour(images):
    return images.mean(dim=(2, 3))


def diffusers_model(args):
    """groupinference.diffusers.DiffusersWorker(model, prompt, num_inference_steps, seed, scorers=...)
    over a pipeline's shard of candidates; scorer_specs(scorers, prompt) are the driver's scorers."""
    import atexit
    import importlib
    import shutil
    import tempfile

    import torch
    from groupinference.diffusers import DiffusersWorker, scorer_specs
    from groupinference.diffusers.tiny import KINDS, tiny_pipeline
    from groupinference.scorers import EmbeddingScorer, UnaryScorer

    torch.set_num_threads(1)
    for library in ("diffusers", "transformers"):  # quiet loading (the actors' output is not shown anyway)
        logging = importlib.import_module(f"{library}.utils.logging")
        logging.set_verbosity_error()
        logging.disable_progress_bar()
    model, extra = args.model, {}
    if model.startswith("tiny-"):
        kind = model[len("tiny-"):]
        if kind not in KINDS:
            sys.exit(f"--model {model}: the tiny pipelines are {', '.join('tiny-' + k for k in KINDS)}")
        model = tempfile.mkdtemp(prefix=f"bench-{model}-")
        atexit.register(shutil.rmtree, model, ignore_errors=True)
        tiny_pipeline(kind, path=model)
        extra = {"height": 16, "width": 16}  # saved pipelines forget the tiny FLUX's default size
        if kind.startswith(("sd3", "flux")):
            extra["max_sequence_length"] = 16
    if args.clip and args.dino:
        from groupinference.scorers import CLIPScore, DINOv2PatchDiversity
        scorers = [CLIPScore(args.clip), DINOv2PatchDiversity(args.dino)]
    else:
        scorers = [UnaryScorer(brightness, name="brightness"), EmbeddingScorer(colour, dim=3, name="colour")]
    gpu = torch.cuda.is_available()
    kwargs = dict(scorers=scorers, batch_size=args.batch_size, device="cuda" if gpu else None, **extra)
    worker_args = (model, args.prompt, args.steps, SEED)
    num_steps = DiffusersWorker(*worker_args, **kwargs).describe().num_steps
    return Model(f"{args.model}, batch size {args.batch_size}", DiffusersWorker, worker_args,
                 scorer_specs(scorers, args.prompt),
                 {"num_gpus": 1} if gpu else {"num_cpus": args.cpus / args.workers}, num_steps, kwargs=kwargs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--m", type=int, nargs="+", default=[64, 256, 1024], help="candidates M")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--steps", type=int, default=8,
                    help="denoising steps per run (the first and last are not measured)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per M and way")
    ap.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray instance")
    ap.add_argument("--model",
                    help="a diffusers pipeline (name or path) instead of the digits model, one GPU per worker")
    ap.add_argument("--prompt", default="a photo of a dog on a beach", help="with --model")
    ap.add_argument("--batch-size", type=int, default=8, help="with --model: candidates per model call")
    ap.add_argument("--clip", help="with --model and --dino: a CLIP model (name or path) for the CLIP score")
    ap.add_argument("--dino", help="with --model and --clip: a DINOv2 model for the patch diversity")
    args = ap.parse_args()
    model = diffusers_model(args) if args.model else digits_model(args)

    import ray
    from groupinference.distributed import LocalPool, RayPool
    inherited = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False, object_store_memory=256 * 2**20,
             runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join(sys.path[:2] + inherited),
                                       "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}})
    remote = ray.remote(**model.resources)(model.worker)
    print(f"per step, {args.workers} workers, {model.name}, K = {K}, every step scored; medians over "
          f"{args.repeats} runs x {args.steps - 2} steps; ms")
    print(f"{'M':>5} {'way':>9} {'step':>8} {'model':>8} {'outside':>8} {'library':>8} {'transport':>9} "
          f"{'outside share':>13}")
    rows = {}
    for m in args.m:
        runs = {"callbacks": [], "local": [], "Ray": []} if model.callbacks else {"local": [], "Ray": []}
        for _ in range(args.repeats):
            if model.callbacks:
                runs["callbacks"].append(model.callbacks(m))
            workers = [model.worker(*model.args, **model.kwargs) for _ in range(args.workers)]
            runs["local"].append(run_driver(LocalPool(workers), model, m,
                                            lambda ws=workers: [w.timing()[0] for w in ws], parallel=False))
            del workers
            actors = [remote.remote(*model.args, **model.kwargs) for _ in range(args.workers)]
            ray.get([a.__ray_ready__.remote() for a in actors])
            runs["Ray"].append(run_driver(RayPool(actors), model, m,
                                          lambda acts=actors: [t for t, _ in ray.get([a.timing.remote()
                                                                                      for a in acts])],
                                          parallel=True))
            for a in actors:
                ray.kill(a)
        for way, way_runs in runs.items():
            r = rows[m, way] = medians(measured(way_runs))
            rest = "-" if way == "callbacks" else f"{r['rest'] * 1e3:9.2f}"
            print(f"{m:5d} {way:>9} {r['wall'] * 1e3:8.2f} {r['model'] * 1e3:8.2f} {r['outside'] * 1e3:8.2f} "
                  f"{r['library'] * 1e3:8.2f} {rest:>9} {r['share']:13.1%}")
        sys.stdout.flush()
    print("\nratios (same run):")
    for m in args.m:
        ray_, local = rows[m, "Ray"], rows[m, "local"]
        line = (f"M = {m:4d}: Ray's outside-model time {ray_['outside'] / local['outside']:.2f}x local's "
                f"({(ray_['outside'] - local['outside']) * 1e3:+.2f} ms per step; transport {ray_['rest'] * 1e3:.2f} "
                f"vs {local['rest'] * 1e3:.2f} ms); Ray's step {ray_['wall'] / local['wall']:.2f}x local's")
        if (m, "callbacks") in rows:
            plain = rows[m, "callbacks"]
            line += f"; local driver's outside-model time {local['outside'] / plain['outside']:.2f}x the callbacks'"
        print(line)
    print("outside = step - model; library = score push + gi_step (cosine matrix, best-group solve); "
          "transport = outside - library (calls, answers, bookkeeping)")
    ray.shutdown()


if __name__ == "__main__":
    main()
