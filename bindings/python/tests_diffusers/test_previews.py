"""Previews: x̂0 per scheduler rule, decoded only when the session needs scores, with the pipeline's
VAE or a preview_vae, at an optional reduced size; the final choice scores the final images."""

from __future__ import annotations

import diffusers
import pytest
import torch
from toy_scorers import Brightness, trio

from groupinference.diffusers import group_generate
from groupinference.diffusers._schedulers import SCHEDULERS, StepCapture, preview_latents

PROMPT = "a blue tree"


@pytest.mark.parametrize("prediction", ["epsilon", "v_prediction"])
def test_alphas_rule_is_ddims_pred_original_sample(prediction):
    config = dict(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", prediction_type=prediction)
    ddim, pndm = diffusers.DDIMScheduler(**config, clip_sample=False), diffusers.PNDMScheduler(**config, skip_prk_steps=True)
    ddim.set_timesteps(10)
    generator = torch.Generator().manual_seed(0)
    sample, output = torch.randn(3, 4, 8, 8, generator=generator), torch.randn(3, 4, 8, 8, generator=generator)
    t = ddim.timesteps[4]
    expected = ddim.step(output, t, sample).pred_original_sample
    capture = StepCapture(output, t, sample, output=(None,))
    assert torch.allclose(preview_latents(SCHEDULERS["PNDMScheduler"], pndm, capture), expected, atol=1e-5)


def test_flow_rule_at_the_last_step_is_the_final_latents():
    scheduler = diffusers.FlowMatchEulerDiscreteScheduler()
    scheduler.set_timesteps(4)
    generator = torch.Generator().manual_seed(0)
    sample, velocity = torch.randn(2, 16, 8, generator=generator), torch.randn(2, 16, 8, generator=generator)
    for t in scheduler.timesteps:
        out = scheduler.step(velocity, t, sample, return_dict=False)
        preview = preview_latents(SCHEDULERS["FlowMatchEulerDiscreteScheduler"], scheduler,
                                  StepCapture(velocity, t, sample, out))
        sample = out[0]
    assert torch.equal(preview, sample)  # sigma_next = 0: x - sigma v is the step itself


def _tiny_autoencoder(tmp_path):
    torch.manual_seed(1)
    taesd = diffusers.AutoencoderTiny(encoder_block_out_channels=(8, 8), decoder_block_out_channels=(8, 8),
                                      num_encoder_blocks=(1, 1), num_decoder_blocks=(1, 1), latent_channels=4)
    taesd.save_pretrained(tmp_path / "taesd")
    return diffusers.AutoencoderTiny.from_pretrained(tmp_path / "taesd")


def _rows_seen(module):
    rows: list[int] = []
    return rows, module.register_forward_pre_hook(lambda m, args: rows.append(args[0].shape[0]))


@pytest.mark.parametrize("kind", ["sd", "flux-dev"])
def test_preview_vae_and_size(tiny, tmp_path, kind):
    pipe = tiny(kind)
    kwargs = {"max_sequence_length": 16} if kind.startswith("flux") else {}
    preview_vae = _tiny_autoencoder(tmp_path)
    preview_rows, h1 = _rows_seen(preview_vae.decoder)
    vae_rows, h2 = _rows_seen(pipe.vae.decoder)
    scorer = Brightness()
    try:
        out = group_generate(pipe, PROMPT, scorers=[scorer], num_candidates=6, group_size=2, num_inference_steps=3,
                             preview_vae=preview_vae, preview_size=8, progress=False, **kwargs)
    finally:
        h1.remove()
        h2.remove()
    records = out.result.records
    previewed = sum(len(r.ids) for r in records if not r.is_final)
    assert previewed > 0 and sum(preview_rows) == previewed  # every scored preview, by the preview VAE
    final = len(records[-1].ids)
    own_loop = kind.startswith("flux")  # reuses the final decodes; the pipeline decodes its K again
    assert sum(vae_rows) == final + (0 if own_loop else 2)
    sizes = [b[2:] for b in scorer.batches]
    assert sizes == [(8, 8)] * (len(sizes) - final) + [(16, 16)] * final  # previews small, finals full size


def test_previews_only_when_scores_are_needed(tiny):
    pipe = tiny("sd", "euler")
    rows, handle = _rows_seen(pipe.vae.decoder)
    scorers = trio()
    try:  # keep all 6 after step 0 and step 2: no scoring there
        out = group_generate(pipe, PROMPT, scorers=scorers, num_candidates=6, group_size=2, num_inference_steps=4,
                             schedule="counts", survivor_counts=[6, 3, 3, 2], progress=False, output_type="latent")
    finally:
        handle.remove()
    steps = [r.step for r in out.result.records]
    assert steps == [1, 3]
    assert rows == [1] * (6 + 3)  # batch_size 1: step 1's six previews, step 3's three final images
    assert len(scorers[0].batches) == 9


def test_scorers_get_the_prompt_and_the_device(tiny):
    scorer = Brightness()
    group_generate(tiny("sd"), PROMPT, scorers=[scorer], num_candidates=4, group_size=2, num_inference_steps=2,
                   progress=False)
    assert set(scorer.prompts) == {PROMPT}
    assert torch.device(scorer.device) == torch.device("cpu")
