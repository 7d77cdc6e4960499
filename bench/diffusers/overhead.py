"""Where the time of a group_generate step goes: the denoiser, the library (scoring assembly and
solving, plus pushing the scores), decoding previews, the scorers - at M = 16, 64, 128.

    python bench/diffusers/overhead.py                  # tiny random SD pipeline on CPU, one thread
    python bench/diffusers/overhead.py --gpu            # also: full-size SDXL UNet / FLUX transformer
                                                        #   (random weights, built from config) per call

Per M it prints the mean time per denoising step of each part and the ratios to the denoiser's
time in the same run. The tiny pipeline's denoiser takes milliseconds, so its ratios are an upper
bound; the library's own time per step does not depend on the model, and the --gpu section divides
it by a full-size model's time per candidate. The scorers here are stand-in image statistics
(brightness, a 12-dim pattern embedding, mean pixel difference): real CLIP/DINOv2 scorers cost
about one small vision-model call per candidate and previewed step.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from contextlib import contextmanager

import torch

import groupinference as gi
from groupinference.diffusers import group_generate, tiny_pipeline
from groupinference.diffusers import _group
from groupinference.scorers import EmbeddingScorer, PairwiseScorer, UnaryScorer

PROMPT = "a photo of a dog on a beach"


class Clock:
    """Accumulates wall time per label; `current` says whether a decode is a preview."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self.in_step = None

    @contextmanager
    def timing(self, label):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[label] += time.perf_counter() - start


def _time_module(clock, module, label_of):
    starts = []

    def pre(m, args, kwargs=None):
        starts.append(time.perf_counter())

    def post(m, args, out):
        clock.seconds[label_of()] += time.perf_counter() - starts.pop()

    return [module.register_forward_pre_hook(pre), module.register_forward_hook(post)]


@contextmanager
def instrumented(clock, pipe, num_steps):
    """Hooks and wrappers that sort the time of one group_generate call into parts (bench only)."""
    denoiser = getattr(pipe, "unet", None) or pipe.transformer
    handles = _time_module(clock, denoiser, lambda: "denoiser")
    handles += _time_module(clock, pipe.vae.decoder, lambda: (
        "preview decode" if clock.in_step is not None and clock.in_step < num_steps - 1 else "final decode"))
    saved = {}

    def wrap(owner, name, label):
        original = getattr(owner, name)
        saved[(owner, name)] = original

        def timed(*args, **kwargs):
            with clock.timing(label):
                return original(*args, **kwargs)

        setattr(owner, name, timed)

    for name in ("step", "push_unary", "push_embeddings", "push_pairwise"):
        wrap(gi.Session, name, "library")
    after_step = _group.GroupState.after_step

    def tracked(self, step, *args, **kwargs):
        clock.in_step = step
        try:
            return after_step(self, step, *args, **kwargs)
        finally:
            clock.in_step = None

    _group.GroupState.after_step = tracked
    try:
        yield
    finally:
        _group.GroupState.after_step = after_step
        for (owner, name), original in saved.items():
            setattr(owner, name, original)
        for h in handles:
            h.remove()


def stand_in_scorers(clock):
    def timed(label, fn):
        def run(images):
            with clock.timing("scorers"):
                return fn(images)
        return run

    def pattern(images):
        pooled = torch.nn.functional.adaptive_avg_pool2d(images, 2).flatten(1)
        return pooled - pooled.mean(dim=1, keepdim=True)

    def difference(images):
        flat = images.flatten(1)
        return torch.cdist(flat, flat, p=1) / flat.shape[1]

    return [UnaryScorer(timed("u", lambda im: im.mean(dim=(1, 2, 3))), name="brightness"),
            EmbeddingScorer(timed("e", pattern), dim=12, name="pattern"),
            PairwiseScorer(timed("p", difference), name="pixel difference")]


def run_tiny(m, steps, k, batch_size, repeats):
    pipe = tiny_pipeline("sd", scheduler="euler")
    best = None
    for _ in range(repeats):
        clock = Clock()
        scorers = stand_in_scorers(clock)
        with instrumented(clock, pipe, steps):
            start = time.perf_counter()
            out = group_generate(pipe, PROMPT, scorers=scorers, num_candidates=m, group_size=k,
                                 num_inference_steps=steps, batch_size=batch_size, progress=False, output_type="pt")
            wall = time.perf_counter() - start
        solving = sum(r.seconds_solving for r in out.result.records)
        first = out.result.records[0]
        row = dict(wall=wall, solving=solving, first_prune=first.seconds_scoring + first.seconds_solving,
                   evaluations=out.result.evaluations,
                   naive=out.result.naive_evaluations, **clock.seconds)
        if best is None or wall < best["wall"]:
            best = row
    return best


def full_size_seconds_per_candidate(kind, device, dtype, resolution, layers, repeats=3):
    """One denoiser call for one candidate (CFG pair for SDXL) of a full-size model with random weights."""
    from diffusers import FluxTransformer2DModel, UNet2DConditionModel

    torch.manual_seed(0)
    latent = resolution // 8
    if kind == "sdxl":
        model = UNet2DConditionModel(
            sample_size=latent, in_channels=4, out_channels=4, layers_per_block=2,
            block_out_channels=(320, 640, 1280), transformer_layers_per_block=(1, 2, layers or 10),
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
            up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"), attention_head_dim=(5, 10, 20),
            cross_attention_dim=2048, use_linear_projection=True, addition_embed_type="text_time",
            addition_time_embed_dim=256, projection_class_embeddings_input_dim=2816).to(device, dtype).eval()
        inputs = dict(sample=torch.randn(2, 4, latent, latent), timestep=torch.tensor(500),
                      encoder_hidden_states=torch.randn(2, 77, 2048),
                      added_cond_kwargs={"text_embeds": torch.randn(2, 1280), "time_ids": torch.randn(2, 6)})
    else:
        model = FluxTransformer2DModel(num_layers=layers or 19, num_single_layers=2 * (layers or 19),
                                       guidance_embeds=True).to(device, dtype).eval()
        tokens = (latent // 2) ** 2
        inputs = dict(hidden_states=torch.randn(1, tokens, 64), encoder_hidden_states=torch.randn(1, 512, 4096),
                      pooled_projections=torch.randn(1, 768), timestep=torch.tensor([0.5]),
                      guidance=torch.tensor([3.5]), txt_ids=torch.zeros(512, 3), img_ids=torch.zeros(tokens, 3))

    def to(x):
        if isinstance(x, dict):
            return {k: to(v) for k, v in x.items()}
        return x.to(device, dtype if x.is_floating_point() and x.ndim > 0 else x.dtype)

    inputs = to(inputs)
    times = []
    with torch.no_grad():
        for _ in range(repeats + 1):
            if device.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            model(**inputs, return_dict=False)
            if device.type == "cuda":
                torch.cuda.synchronize()
            times.append(time.perf_counter() - start)
    del model
    return min(times[1:])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--m", type=int, nargs="+", default=[16, 64, 128])
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--k", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--repeats", type=int, default=2, help="runs per M; the fastest is reported")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--gpu", action="store_true", help="also time full-size models (needs CUDA unless --full-size-cpu)")
    p.add_argument("--full-size-cpu", action="store_true", help="run the full-size section on the CPU (a check)")
    p.add_argument("--full-size-layers", type=int, default=None, help="fewer transformer layers (a check)")
    p.add_argument("--full-size-resolution", type=int, default=1024)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)

    print(f"groupinference.diffusers overhead: tiny random SD pipeline (16 x 16 images), Euler, CPU, "
          f"{args.threads} thread(s), T = {args.steps}, K = {args.k}, ratio schedule rho = 0.5 from step 0, "
          f"batch_size = {args.batch_size}, best of {args.repeats}")
    print("ms per denoising step (mean over the T steps); ratios to the denoiser's time in the same run")
    header = (f"{'M':>4} {'evals':>10} {'wall':>8} {'denoiser':>9} {'library':>8} {'(solve)':>8} "
              f"{'previews':>9} {'scorers':>8} {'final dec':>9} {'other':>7} {'lib/den':>8} {'prev/den':>9} "
              f"{'lib ms/M':>9} {'1st prune':>9}")
    print(header)
    library_per_step = {}
    for m in args.m:
        r = run_tiny(m, args.steps, args.k, args.batch_size, args.repeats)
        t = args.steps
        parts = {key: r.get(key, 0.0) for key in ("denoiser", "library", "preview decode", "scorers", "final decode")}
        other = r["wall"] - sum(parts.values())
        library_per_step[m] = parts["library"] / t
        print(f"{m:>4} {r['evaluations']:>4}/{r['naive']:<5} {1e3 * r['wall'] / t:8.2f} "
              f"{1e3 * parts['denoiser'] / t:9.2f} {1e3 * parts['library'] / t:8.2f} {1e3 * r['solving'] / t:8.2f} "
              f"{1e3 * parts['preview decode'] / t:9.2f} {1e3 * parts['scorers'] / t:8.2f} "
              f"{1e3 * parts['final decode'] / t:9.2f} {1e3 * other / t:7.2f} "
              f"{parts['library'] / parts['denoiser']:8.3f} {parts['preview decode'] / parts['denoiser']:9.3f} "
              f"{1e3 * parts['library'] / t / m:9.4f} {1e3 * r['first_prune']:9.2f}")
    print("library: Session.step (score assembly, cosine distances, solving) and the pushes, timed from Python;\n"
          "(solve): the solver's own time from the trace records; other: the pipeline's and this package's Python;\n"
          "1st prune: the library's scoring + solving time of the first prune (M -> M/2), ms, from its record.")

    if args.gpu:
        if not torch.cuda.is_available() and not args.full_size_cpu:
            print("\n--gpu: no CUDA device here; the full-size section is skipped")
            return 0
        device = torch.device("cuda" if torch.cuda.is_available() and not args.full_size_cpu else "cpu")
        dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
        res = args.full_size_resolution
        print(f"\nfull-size denoisers with random weights on {device} ({dtype}), {res} x {res}, one candidate per call"
              + (f", {args.full_size_layers} layer(s) per stack (a check, not the real size)"
                 if args.full_size_layers else ""))
        print(f"{'model':>6} {'ms/call':>9} " + " ".join(f"{'lib/den M=' + str(m):>14}" for m in args.m))
        for kind in ("sdxl", "flux"):
            seconds = full_size_seconds_per_candidate(kind, device, dtype, res, args.full_size_layers)
            # a step denoises the survivors one call each; the library's time per step, from the run above
            ratios = " ".join(f"{library_per_step[m] / (seconds * m):14.5f}" for m in args.m)
            print(f"{kind:>6} {1e3 * seconds:9.1f} {ratios}")
        print("lib/den: the library's time per step (tiny run above) over M full-size calls - the first step's cost;\n"
              "later steps denoise fewer candidates but also score fewer.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
