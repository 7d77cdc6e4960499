"""Clear errors for what is not supported or wrong, and a pipeline left as it was after one."""

from __future__ import annotations

import diffusers
import pytest
import torch
from toy_scorers import Brightness, Returning, trio

import groupinference as gi
from groupinference.diffusers import (
    GroupInferenceCallback,
    ScorerOutputError,
    TableMismatchError,
    UnsupportedPipelineError,
    UnsupportedSchedulerError,
    group_generate,
)

PROMPT = "a dog"
SMALL = dict(num_candidates=4, group_size=2, num_inference_steps=2, progress=False)


def _with_scheduler(pipe, scheduler):
    return type(pipe)(**{**pipe.components, "scheduler": scheduler})


def test_unsupported_pipeline_names_it_and_the_supported_ones(tiny):
    img2img = diffusers.StableDiffusionImg2ImgPipeline(**tiny("sd").components)
    with pytest.raises(UnsupportedPipelineError) as error:
        group_generate(img2img, PROMPT, scorers=trio(), **SMALL)
    message = str(error.value)
    assert "StableDiffusionImg2ImgPipeline is not supported" in message
    for name in ("StableDiffusionPipeline", "StableDiffusionXLPipeline", "StableDiffusion3Pipeline", "FluxPipeline"):
        assert name in message
    with pytest.raises(UnsupportedPipelineError, match="object is not supported"):
        group_generate(object(), PROMPT, scorers=trio(), **SMALL)


@pytest.mark.parametrize("kind,scheduler,match", [
    ("sd", lambda c: diffusers.DEISMultistepScheduler.from_config(c),
     r"DEISMultistepScheduler is not supported with StableDiffusionPipeline; the supported diffusion schedulers are "
     r"DDIMScheduler \(DDIM\), EulerDiscreteScheduler \(Euler\)"),
    ("sd", lambda c: diffusers.FlowMatchEulerDiscreteScheduler(),
     "FlowMatchEulerDiscreteScheduler is not supported with StableDiffusionPipeline"),
    ("sd", lambda c: diffusers.DPMSolverMultistepScheduler.from_config(c, algorithm_type="dpmsolver",
                                                                 final_sigmas_type="sigma_min"),
     "algorithm_type = 'dpmsolver' is not DPM"),
    ("sd", lambda c: diffusers.UniPCMultistepScheduler.from_config(c, predict_x0=False), "predict_x0 = False"),
    ("flux-schnell", lambda c: diffusers.DDIMScheduler(),
     r"DDIMScheduler is not supported with FluxPipeline; the supported flow-matching schedulers are "
     r"FlowMatchEulerDiscreteScheduler \(flow-match Euler\)"),
    ("sd3", lambda c: diffusers.FlowMatchEulerDiscreteScheduler.from_config(c, stochastic_sampling=True),
     "stochastic_sampling"),
])
def test_unsupported_scheduler_names_it(tiny, kind, scheduler, match):
    pipe = tiny(kind)
    other = _with_scheduler(pipe, scheduler(pipe.scheduler.config))
    with pytest.raises(UnsupportedSchedulerError, match=match):
        group_generate(other, PROMPT, scorers=trio(), **SMALL)


def test_group_larger_than_candidates_is_the_librarys_error(tiny):
    with pytest.raises(gi.ArgumentError, match="group_size"):
        group_generate(tiny("sd"), PROMPT, scorers=trio(), num_candidates=3, group_size=4, num_inference_steps=2,
                       progress=False)


@pytest.mark.parametrize("argument", ["generator", "latents", "num_images_per_prompt", "callback_on_step_end",
                                      "return_dict", "ip_adapter_image"])
def test_arguments_group_inference_owns_are_refused(tiny, argument):
    with pytest.raises(UnsupportedPipelineError, match=f"call argument {argument} cannot be passed"):
        group_generate(tiny("sd"), PROMPT, scorers=trio(), **SMALL, **{argument: 1})


def test_other_bad_arguments(tiny):
    pipe = tiny("sd")
    with pytest.raises(ValueError, match="scorers is empty"):
        group_generate(pipe, PROMPT, scorers=[], **SMALL)
    with pytest.raises(ValueError, match="unknown preset 'nope'"):
        group_generate(pipe, PROMPT, scorers=trio(), preset="nope", **SMALL)
    with pytest.raises(TypeError, match="prompt must be one string"):
        group_generate(pipe, [PROMPT, PROMPT], scorers=trio(), **SMALL)
    with pytest.raises(TypeError, match="num_steps is set from num_inference_steps"):
        group_generate(pipe, PROMPT, scorers=trio(), num_steps=3, **SMALL)
    with pytest.raises(ValueError, match="batch_size = 0"):
        group_generate(pipe, PROMPT, scorers=trio(), batch_size=0, **SMALL)
    with pytest.raises(ValueError, match="preview_size"):
        group_generate(pipe, PROMPT, scorers=trio(), preview_size=7, **SMALL)
    with pytest.raises(TypeError, match="unexpected argument"):
        group_generate(tiny("flux-schnell"), PROMPT, scorers=trio(), max_sequence_length=16, no_such_argument=1,
                       **SMALL)


def test_unet_with_a_guidance_embedding_is_refused(tiny):
    pipe = tiny("sd")
    lcm_like = diffusers.UNet2DConditionModel.from_config({**pipe.unet.config, "time_cond_proj_dim": 8})
    other = type(pipe)(**{**pipe.components, "unet": lcm_like})
    with pytest.raises(UnsupportedPipelineError, match="time_cond_proj_dim"):
        group_generate(other, PROMPT, scorers=trio(), **SMALL)


def test_a_table_the_pipeline_does_not_match_names_what_is_missing(tiny):
    class Trimmed(diffusers.StableDiffusionPipeline):
        _callback_tensor_inputs = ["latents"]

    trimmed = Trimmed(**tiny("sd").components)
    with pytest.raises(TableMismatchError, match="does not expose prompt_embeds, negative_prompt_embeds"):
        group_generate(trimmed, PROMPT, scorers=trio(), **SMALL)


def test_skip_layer_guidance_through_the_bare_callback_names_the_argument(tiny):
    pipe = tiny("sd3")
    session = gi.Session(num_candidates=4, group_size=2, num_steps=2)
    with pytest.raises(TableMismatchError, match="encoder_hidden_states has shape"):
        with GroupInferenceCallback(pipe, session, trio(), PROMPT, progress=False) as group:
            pipe(PROMPT, num_inference_steps=2, max_sequence_length=16, skip_guidance_layers=[0],
                 skip_layer_guidance_start=0.0, skip_layer_guidance_stop=1.0, guidance_scale=2.0,
                 **group.pipeline_kwargs())


BAD_OUTPUTS = [
    ("unary", None, lambda f: f[:, None], r"scorer 'bad' \(unary\) returned shape \(4, 1\) for 4 candidates at step 0; "
                                          r"expected \(4,\)"),
    ("unary", None, lambda f: torch.where(torch.arange(len(f)) == 2, float("nan"), f),
     r"scorer 'bad' \(unary\) returned 1 non-finite value\(s\) \(NaN or Inf\) at step 0, for candidate ids \[2\]"),
    ("unary", None, lambda f: f.tolist(), r"scorer 'bad' \(unary\).reduce returned list; expected a torch.Tensor"),
    ("embedding", 3, lambda f: f[:, None].repeat(1, 2), r"returned shape \(4, 2\) for 4 candidates at step 0; "
                                                        r"expected \(4, 3\)"),
    ("pairwise", None, lambda f: torch.zeros(len(f), len(f) + 1), r"expected \(4, 4\)"),
    ("pairwise", None, lambda f: torch.full((len(f), len(f)), float("inf")), "non-finite"),
    ("embedding", None, lambda f: f, r"dim = None after to\(\)"),
]


@pytest.mark.parametrize("kind,dim,make,match", BAD_OUTPUTS)
def test_wrong_scorer_outputs_name_the_scorer(tiny, kind, dim, make, match):
    pipe = tiny("sd", "dpm++2m")
    with pytest.raises(ScorerOutputError, match=match):
        group_generate(pipe, PROMPT, scorers=[Brightness(), Returning(kind, make, dim=dim)], **SMALL)
    _assert_pipeline_restored(pipe)


def test_features_with_wrong_rows_name_the_scorer(tiny):
    class Short(Brightness):
        def compute(self, images):
            return super().compute(images)[:-1]

    with pytest.raises(ScorerOutputError, match=r"scorer 'short' \(unary\).features returned shape \(0,\) for 1 images"):
        group_generate(tiny("sd"), PROMPT, scorers=[Short()], **SMALL)


def _assert_pipeline_restored(pipe):
    assert "step" not in vars(pipe.scheduler)
    assert "forward" not in vars(pipe.unet)
    assert "decode" not in vars(pipe.vae)
    assert pipe._progress_bar_config == {"disable": True}


def test_pipeline_is_left_as_it_was_after_a_failure(tiny):
    pipe = tiny("sd", "dpm++2m")
    before = pipe(PROMPT, num_inference_steps=3, generator=torch.Generator().manual_seed(1), output_type="pt").images

    class Exploding(Brightness):
        def compute(self, images):
            raise KeyError("scorer failed")

    with pytest.raises(KeyError, match="scorer failed"):
        group_generate(pipe, PROMPT, scorers=[Exploding()], **SMALL)
    _assert_pipeline_restored(pipe)
    after = pipe(PROMPT, num_inference_steps=3, generator=torch.Generator().manual_seed(1), output_type="pt").images
    assert torch.equal(before, after)


def test_callback_outside_its_with_block(tiny):
    pipe = tiny("sd")
    group = GroupInferenceCallback(pipe, gi.Session(num_candidates=4, group_size=2, num_steps=2), trio(), PROMPT,
                                   progress=False)
    with pytest.raises(RuntimeError, match="outside its with-block"):
        pipe(PROMPT, num_inference_steps=2, **group.pipeline_kwargs())


def test_callback_refuses_flux(tiny):
    with pytest.raises(UnsupportedPipelineError, match="use group_generate"):
        GroupInferenceCallback(tiny("flux-dev"), gi.Session(num_candidates=4, group_size=2, num_steps=2), trio())
