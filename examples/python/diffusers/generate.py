"""Group inference with a diffusers pipeline: i.i.d. samples next to the chosen group.

    python generate.py --model stabilityai/stable-diffusion-xl-base-1.0 --prompt "a dog on a beach" \\
        --m 64 --k 4 --steps 25 --out build/sdxl
    python generate.py --tiny sd --prompt "a dog" --out build/tiny      # random tiny pipeline, runs anywhere

Writes DIR/grid.png (row 1: K i.i.d. samples, seeds seed..seed+K-1; row 2: the group chosen out of
M, with each image's scores and each row's group objective) and DIR/trace.png (survivors per
step, and every scored candidate's unary score per step, the final group in red).

Scorers: CLIP (unary, text-image) and DINOv2 patch diversity (pairwise), the paper code's pair,
loaded with from_pretrained from --clip and --dino. With --tiny the pipeline has random weights
and its images are noise, so the scorers are simple image statistics instead (brightness, and
the mean absolute pixel difference); nothing is downloaded.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys

import numpy as np
import torch


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", help="a diffusers pipeline: hub name or local folder (DiffusionPipeline.from_pretrained)")
    p.add_argument("--tiny", choices=["sd", "sdxl", "sd3", "flux-schnell", "flux-dev"],
                   help="build a tiny random pipeline of this kind instead of --model")
    p.add_argument("--prompt", default="a photo of a dog on a beach")
    p.add_argument("--m", type=int, default=None, help="candidates M (default: the family's preset)")
    p.add_argument("--k", type=int, default=None, help="group size K (default: the preset's)")
    p.add_argument("--steps", type=int, default=None, help="denoising steps T (default: the preset's)")
    p.add_argument("--lam", type=float, default=None, help="weight of the pairwise term (default: the preset's)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=1, help="candidates per model call")
    p.add_argument("--scheduler", default=None, help="tiny pipelines: ddim, euler, euler-ancestral, dpm++2m, unipc, pndm")
    p.add_argument("--clip", default="openai/clip-vit-large-patch14")
    p.add_argument("--dino", default="facebook/dinov2-base")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--dtype", default=None, choices=["float32", "float16", "bfloat16"])
    p.add_argument("--out", default="build/diffusers")
    args = p.parse_args(argv)
    if (args.model is None) == (args.tiny is None):
        p.error("give exactly one of --model and --tiny")
    return args


def load_pipeline(args):
    if args.tiny:
        from groupinference.diffusers import tiny_pipeline

        torch.set_num_threads(1)  # tiny models: thread start-up would dominate
        return tiny_pipeline(args.tiny, scheduler=args.scheduler)
    from diffusers import DiffusionPipeline

    dtype = getattr(torch, args.dtype) if args.dtype else (torch.float16 if args.device == "cuda" else torch.float32)
    return DiffusionPipeline.from_pretrained(args.model, torch_dtype=dtype).to(args.device)


def make_scorers(args):
    from groupinference.scorers import CLIPScore, DINOv2PatchDiversity, PairwiseScorer, UnaryScorer

    if not args.tiny:
        return [CLIPScore(args.clip), DINOv2PatchDiversity(args.dino)]

    def difference(images):
        flat = images.flatten(1)
        return torch.cdist(flat, flat, p=1) / flat.shape[1]

    return [UnaryScorer(lambda images: images.mean(dim=(1, 2, 3)), name="brightness"),
            PairwiseScorer(difference, name="pixel difference")]


def group_objective(scorers, images, prompt, lam):
    """Per-image unary scores, and sum u + lam * sum_{i<j} b over the images (the library's objective)."""
    n = images.shape[0]
    unary, pairwise = np.zeros(n), np.zeros((n, n))
    for s in scorers:
        v = s.score(images, prompt).double().cpu().numpy()
        if s.kind == "unary":
            unary += s.weight * v
        elif s.kind == "embedding":
            e = v / np.linalg.norm(v, axis=1, keepdims=True)
            pairwise += s.weight * (1 - e @ e.T)
        else:
            triangular = not np.tril(v, -1).any() or not np.triu(v, 1).any()
            pairwise += s.weight * (v + v.T if triangular else (v + v.T) / 2)  # the library's two accepted forms
    total = unary.sum() + lam * sum(pairwise[i, j] for i, j in itertools.combinations(range(n), 2))
    return unary, total


def plot_grid(path, rows, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    k = max(len(r[1]) for r in rows)
    fig, axes = plt.subplots(len(rows), k, figsize=(2.2 * k + 1, 2.6 * len(rows)), squeeze=False)
    for r, (label, images, unary, objective) in enumerate(rows):
        for j in range(k):
            ax = axes[r, j]
            ax.set_xticks([]), ax.set_yticks([])
            if j < len(images):
                ax.imshow(images[j].permute(1, 2, 0).float().cpu().numpy(), interpolation="nearest")
                ax.set_title(f"u = {unary[j]:.3f}", fontsize=8)
        axes[r, 0].set_ylabel(f"{label}\nobjective {objective:.3f}", fontsize=9)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_trace(path, records, final_ids, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_n, ax_u) = plt.subplots(1, 2, figsize=(10, 3.8))
    steps = [r.step for r in records]
    ax_n.plot(steps, [len(r.ids) for r in records], "o-", label="scored")
    ax_n.plot(steps, [len(r.kept) for r in records], "s--", label="kept")
    ax_n.set(xlabel="step (steps that were scored)", ylabel="candidates", yscale="log", title="survivors per step")
    ax_n.legend()
    for r in records:
        kept = np.isin(r.ids, r.kept)
        ax_u.scatter(np.full((~kept).sum(), r.step), r.unary[~kept], s=8, c="0.7",
                     label="dropped" if r is records[0] else None)
        ax_u.scatter(np.full(kept.sum(), r.step), r.unary[kept], s=8, c="tab:blue",
                     label="kept" if r is records[0] else None)
    for i in final_ids:
        points = [(r.step, r.unary[np.searchsorted(r.ids, i)]) for r in records if i in r.ids]
        ax_u.plot(*zip(*points), c="tab:red", lw=1, alpha=0.7)
    ax_u.set(xlabel="step", title="combined unary score of each candidate's preview")
    ax_u.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    from groupinference.diffusers import group_generate

    pipe = load_pipeline(args)
    scorers = make_scorers(args)
    extra = {"max_sequence_length": 16} if args.tiny and args.tiny.startswith(("sd3", "flux")) else {}
    out = group_generate(pipe, args.prompt, scorers=scorers, num_candidates=args.m, group_size=args.k,
                         num_inference_steps=args.steps, lam=args.lam, seed=args.seed, batch_size=args.batch_size,
                         output_type="pt", **extra)
    k, lam = len(out.ids), out.session.lam
    iid = pipe(args.prompt, num_inference_steps=out.num_inference_steps,
               num_images_per_prompt=k, output_type="pt",
               generator=[torch.Generator().manual_seed(args.seed + i) for i in range(k)], **extra).images
    iid_unary, iid_objective = group_objective(scorers, iid, args.prompt, lam)
    group_unary, group_objective_value = group_objective(scorers, out.images, args.prompt, lam)
    os.makedirs(args.out, exist_ok=True)
    r = out.result
    name = args.model or f"tiny {args.tiny}"
    title = (f"{name}: \"{args.prompt}\" - K = {k} of M = {out.session.num_candidates}, λ = {lam:g}, "
             f"{r.evaluations} of {r.naive_evaluations} model evaluations")
    plot_grid(os.path.join(args.out, "grid.png"),
              [(f"i.i.d. (seeds {args.seed}..{args.seed + k - 1})", iid, iid_unary, iid_objective),
               (f"group (ids {', '.join(map(str, out.ids))})", out.images, group_unary, group_objective_value)], title)
    plot_trace(os.path.join(args.out, "trace.png"), r.records, out.ids, title)
    print(f"group ids {out.ids.tolist()} (seeds {out.seeds}); objective {r.objective:.4f} "
          f"(i.i.d. {iid_objective:.4f}); evaluations {r.evaluations}/{r.naive_evaluations} "
          f"({r.evaluations / r.naive_evaluations:.0%})")
    print(f"wrote {os.path.join(args.out, 'grid.png')} and {os.path.join(args.out, 'trace.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
