"""How far images move when the batch changes: the measurement behind the documented tolerance.

    python bench/diffusers/batch_tolerance.py

For every supported pipeline and scheduler (tiny random pipelines, CPU, float32, one thread):
the largest |difference| (images in [0, 1]) between each candidate run alone (seed + i) and
(a) the unpruned pipeline with all M seeds in one batch, (b) group_generate with batch_size = 4.
group_generate with batch_size = 1 equals the alone runs exactly (tests_diffusers/test_reproducibility.py).
"""

from __future__ import annotations

import torch

from groupinference.diffusers import group_generate, tiny_pipeline
from groupinference.scorers import PairwiseScorer, UnaryScorer

PROMPT, M, K, T, SEED = "a photo of a dog", 6, 2, 3, 11
TEXT = {"max_sequence_length": 16}
CASES = ([("sd", s, {}) for s in ("ddim", "euler", "euler-ancestral", "dpm++2m", "unipc", "pndm")]
         + [("sdxl", s, {}) for s in ("ddim", "euler", "euler-ancestral", "dpm++2m", "unipc", "pndm")]
         + [("sd3", None, TEXT),
            ("sd3", None, {**TEXT, "skip_guidance_layers": [0], "skip_layer_guidance_start": 0.0,
                           "skip_layer_guidance_stop": 1.0}),
            ("flux-schnell", None, TEXT), ("flux-dev", None, TEXT),
            ("flux-dev", None, {**TEXT, "negative_prompt": "a cat", "true_cfg_scale": 2.0})])


def scorers():
    def difference(images):
        flat = images.flatten(1)
        return torch.cdist(flat, flat, p=1) / flat.shape[1]

    return [UnaryScorer(lambda im: im.mean(dim=(1, 2, 3)), name="brightness"),
            PairwiseScorer(difference, name="difference")]


def main():
    torch.set_num_threads(1)
    worst_full = worst_batch = 0.0
    print(f"max |image difference| vs each candidate alone (M = {M}, T = {T}, images in [0, 1])")
    for kind, scheduler, kwargs in CASES:
        pipe = tiny_pipeline(kind, scheduler=scheduler)
        run = dict(num_inference_steps=T, output_type="pt", **kwargs)
        alone = torch.cat([pipe(PROMPT, generator=torch.Generator().manual_seed(SEED + i), **run).images
                           for i in range(M)])
        full = pipe(PROMPT, num_images_per_prompt=M, generator=[torch.Generator().manual_seed(SEED + i)
                                                                 for i in range(M)], **run).images
        out = group_generate(pipe, PROMPT, scorers=scorers(), num_candidates=M, group_size=K, seed=SEED,
                             batch_size=4, progress=False, **run)
        a = (full - alone).abs().max().item()
        b = (out.images - alone[torch.as_tensor(out.ids, dtype=torch.long)]).abs().max().item()
        worst_full, worst_batch = max(worst_full, a), max(worst_batch, b)
        label = f"{kind} {scheduler or 'flow-euler'}" + (" +slg" if "skip_guidance_layers" in kwargs else "") + (
            " +true-cfg" if "true_cfg_scale" in kwargs else "")
        print(f"  {label:30s} unpruned batch of {M}: {a:.2e}   group, batch_size 4: {b:.2e}")
    print(f"worst: unpruned batch {worst_full:.2e}, group with batch_size 4 {worst_batch:.2e}")


if __name__ == "__main__":
    main()
