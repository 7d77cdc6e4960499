"""Candidate i's image does not depend on the others: with batch_size=1 every image of the group is
bit-identical (CPU, float32) to the pipeline run alone with seed + i, for every pipeline and
scheduler; the unpruned pipeline run with all M seeds in one batch gives the same images up to
the float rounding of batch-size-dependent kernels (measured below 2e-6; asserted below 1e-5) -
except with SDXL's negative micro-conditioning, where diffusers' own batch of M hands candidates
the wrong time ids (see SDXL_NEGATIVE_SIZES)."""

from __future__ import annotations

import pytest
import torch
from toy_scorers import trio

from groupinference.diffusers import group_generate

PROMPT = "a photo of a dog"
SEED = 11
M, K, T = 6, 2, 3
BATCH_TOLERANCE = 1e-5
SDXL_NEGATIVE_SIZES = {"negative_original_size": (8, 8), "negative_target_size": (12, 12),
                       "negative_crops_coords_top_left": (2, 1)}
"""Negative and positive add_time_ids differ. StableDiffusionXLPipeline builds them as
cat([negative, positive]).repeat(M, 1) - rows alternate - while the UNet's batch is [M
unconditional; M conditional]: in its own batch of M (M even) even candidates get the negative ids
in both halves and odd ones the positive. A candidate alone gets [negative; positive], and so must
each candidate of the group."""

DIFFUSION = ["ddim", "euler", "euler-ancestral", "dpm++2m", "unipc", "pndm"]
CASES = (
    [("sd", s, {}) for s in DIFFUSION]
    + [("sdxl", s, {}) for s in DIFFUSION]
    + [("sdxl", s, SDXL_NEGATIVE_SIZES) for s in ("euler", "dpm++2m")]
    + [("sd3", None, {"max_sequence_length": 16}),
       ("sd3", None, {"max_sequence_length": 16, "skip_guidance_layers": [0], "skip_layer_guidance_start": 0.0,
                      "skip_layer_guidance_stop": 1.0}),
       ("flux-schnell", None, {"max_sequence_length": 16}),
       ("flux-dev", None, {"max_sequence_length": 16}),
       ("flux-dev", None, {"max_sequence_length": 16, "negative_prompt": "a cat", "true_cfg_scale": 2.0})]
)


def _id(case):
    kind, scheduler, kwargs = case
    extra = ("+slg" if "skip_guidance_layers" in kwargs else "+true-cfg" if "true_cfg_scale" in kwargs
             else "+negative-sizes" if "negative_original_size" in kwargs else "")
    return f"{kind}-{scheduler or 'flow-euler'}{extra}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_group_images_are_the_candidates_alone(tiny, case):
    kind, scheduler, kwargs = case
    pipe = tiny(kind, scheduler)
    out = group_generate(pipe, PROMPT, scorers=trio(), num_candidates=M, group_size=K, num_inference_steps=T,
                         seed=SEED, output_type="pt", progress=False, **kwargs)
    assert len(out.ids) == K and out.images.shape[0] == K
    assert out.seeds == [SEED + int(i) for i in out.ids] and out.num_inference_steps == T
    assert out.result.evaluations < out.result.naive_evaluations  # it did prune
    for j, seed in enumerate(out.seeds):
        alone = pipe(PROMPT, num_inference_steps=T, generator=torch.Generator().manual_seed(seed), output_type="pt",
                     **kwargs).images[0]
        assert torch.equal(alone, out.images[j]), f"candidate {out.ids[j]}: max |diff| {(alone - out.images[j]).abs().max()}"
    if kwargs is SDXL_NEGATIVE_SIZES:
        return  # diffusers' batch of M is not each candidate's own run here (see SDXL_NEGATIVE_SIZES)
    unpruned = pipe(PROMPT, num_inference_steps=T, num_images_per_prompt=M, output_type="pt",
                    generator=[torch.Generator().manual_seed(SEED + i) for i in range(M)], **kwargs).images
    difference = (unpruned[torch.as_tensor(out.ids, dtype=torch.long)] - out.images).abs().max().item()
    assert difference <= BATCH_TOLERANCE


@pytest.mark.parametrize("kind", ["sd", "sdxl", "flux-dev"])
def test_larger_batches_match_within_the_tolerance(tiny, kind):
    """batch_size > 1 changes which candidates share a model call after a prune: float rounding only.
    (SDXL with negative sizes: a chunk of several candidates gets their time ids in its halves' order.)"""
    kwargs = {"flux-dev": {"max_sequence_length": 16}, "sdxl": SDXL_NEGATIVE_SIZES}.get(kind, {})
    pipe = tiny(kind, {"sd": "euler-ancestral", "sdxl": "euler"}.get(kind))
    out = group_generate(pipe, PROMPT, scorers=trio(), num_candidates=M, group_size=K, num_inference_steps=T,
                         seed=SEED, batch_size=4, output_type="pt", progress=False, **kwargs)
    for j, seed in enumerate(out.seeds):
        alone = pipe(PROMPT, num_inference_steps=T, generator=torch.Generator().manual_seed(seed), output_type="pt",
                     **kwargs).images[0]
        assert (alone - out.images[j]).abs().max().item() <= BATCH_TOLERANCE


def test_output_types_agree(tiny):
    pipe = tiny("sd")
    common = dict(scorers=trio(), num_candidates=M, group_size=K, num_inference_steps=T, seed=SEED, progress=False)
    pt = group_generate(pipe, PROMPT, output_type="pt", **common)
    np_out = group_generate(pipe, PROMPT, output_type="np", **common)
    pil = group_generate(pipe, PROMPT, **common)
    latent = group_generate(pipe, PROMPT, output_type="latent", **common)
    assert list(pt.ids) == list(np_out.ids) == list(pil.ids) == list(latent.ids)
    assert np_out.images.shape == (K, 16, 16, 3)
    assert torch.equal(torch.from_numpy(np_out.images).permute(0, 3, 1, 2), pt.images)
    assert [im.size for im in pil.images] == [(16, 16)] * K
    assert latent.images.shape == (K, 4, 8, 8)


@pytest.mark.parametrize("scheduler", DIFFUSION)
def test_v_prediction_like_sd2(tiny, scheduler):
    """SD 2.x 768 models predict v: every scheduler (and PNDM's own x̂0 rule) handles it."""
    base = tiny("sd", scheduler)
    config = {**base.scheduler.config, "prediction_type": "v_prediction"}
    pipe = type(base)(**{**base.components, "scheduler": type(base.scheduler).from_config(config)})
    pipe.set_progress_bar_config(disable=True)
    out = group_generate(pipe, PROMPT, scorers=trio(), num_candidates=M, group_size=K, num_inference_steps=T,
                         seed=SEED, output_type="pt", progress=False)
    for j, seed in enumerate(out.seeds):
        alone = pipe(PROMPT, num_inference_steps=T, generator=torch.Generator().manual_seed(seed),
                     output_type="pt").images[0]
        assert torch.equal(alone, out.images[j])
