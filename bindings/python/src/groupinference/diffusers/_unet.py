"""SD 1.x/2.x and SDXL as an own loop (used by DiffusersWorker, which advances one step at a time):
StableDiffusionPipeline.__call__ and StableDiffusionXLPipeline.__call__ (diffusers 0.42) up to
their denoising loop, and one guided UNet evaluation per chunk of candidates. group_generate runs
these pipelines through their own __call__ and the callback instead; with batch_size = 1 both
hand the UNet the same rows ([unconditional; conditional] of one candidate), so both give every
candidate the image it gets alone. Text conditioning is computed once and repeated to the chunk's
size in the pipelines' [negative rows; positive rows] layout."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch
from diffusers.pipelines.stable_diffusion.pipeline_stable_diffusion import rescale_noise_cfg, retrieve_timesteps

from ._own_loop import Prepared, call_arguments

SD_HANDLED = {"height", "width", "timesteps", "sigmas", "guidance_scale", "negative_prompt", "eta", "prompt_embeds",
              "negative_prompt_embeds", "cross_attention_kwargs", "guidance_rescale", "clip_skip"}
SDXL_HANDLED = SD_HANDLED | {"prompt_2", "negative_prompt_2", "pooled_prompt_embeds", "negative_pooled_prompt_embeds",
                             "original_size", "crops_coords_top_left", "target_size", "negative_original_size",
                             "negative_crops_coords_top_left", "negative_target_size"}
NEEDS = ("check_inputs", "encode_prompt", "prepare_latents", "prepare_extra_step_kwargs")
"""Pipeline methods these loops call (SDXL also _get_add_time_ids)."""


def _one_prompt(a: Mapping[str, Any]) -> None:
    if a["prompt_embeds"] is not None and a["prompt_embeds"].shape[0] != 1:
        raise ValueError("prompt_embeds must describe one prompt (batch size 1): one group per prompt")


def _settings(pipeline: Any, a: Mapping[str, Any]) -> None:
    pipeline._guidance_scale = a["guidance_scale"]
    pipeline._guidance_rescale = a["guidance_rescale"]
    pipeline._clip_skip = a["clip_skip"]
    pipeline._cross_attention_kwargs = a["cross_attention_kwargs"]
    pipeline._interrupt = False


def _blocks(guided: bool, negative: torch.Tensor | None, positive: torch.Tensor) -> Callable[[int], torch.Tensor]:
    """b -> the rows of b candidates: [negative x b; positive x b] under guidance, else positive x b."""
    def rows(b: int) -> torch.Tensor:
        ones = (1,) * (positive.ndim - 1)
        if guided:
            assert negative is not None
            return torch.cat([negative.repeat(b, *ones), positive.repeat(b, *ones)])
        return positive.repeat(b, *ones)

    return rows


def _predictor(pipeline: Any, guided: bool, text: Callable[[int], torch.Tensor],
               added: Callable[[int], dict[str, torch.Tensor] | None]) -> Callable[..., torch.Tensor]:
    unet = pipeline.unet

    def predict(x: torch.Tensor, t: torch.Tensor, i: int) -> torch.Tensor:
        b = x.shape[0]
        model_input = torch.cat([x] * 2) if guided else x
        if hasattr(pipeline.scheduler, "scale_model_input"):
            model_input = pipeline.scheduler.scale_model_input(model_input, t)
        out = unet(model_input, t, encoder_hidden_states=text(b), timestep_cond=None,
                   cross_attention_kwargs=pipeline.cross_attention_kwargs, added_cond_kwargs=added(b),
                   return_dict=False)[0]
        if guided:
            uncond, cond = out.chunk(2)
            out = uncond + pipeline.guidance_scale * (cond - uncond)
            if pipeline.guidance_rescale > 0.0:
                out = rescale_noise_cfg(out, cond, guidance_rescale=pipeline.guidance_rescale)
        return out

    return predict


def prepare_sd(pipeline: Any, prompt: str | None, num_inference_steps: int, generators: list[torch.Generator],
               kwargs: Mapping[str, Any]) -> Prepared:
    a = call_arguments(pipeline, kwargs, SD_HANDLED)
    height, width = a["height"], a["width"]
    if not height or not width:
        size = pipeline.unet.config.sample_size
        h, w = (size, size) if isinstance(size, int) else size
        height, width = h * pipeline.vae_scale_factor, w * pipeline.vae_scale_factor
    pipeline.check_inputs(prompt, height, width, None, a["negative_prompt"], a["prompt_embeds"],
                          a["negative_prompt_embeds"], None, None, None)
    _settings(pipeline, a)
    _one_prompt(a)
    device = pipeline._execution_device
    lora_scale = (a["cross_attention_kwargs"] or {}).get("scale", None)
    guided = pipeline.do_classifier_free_guidance
    embeds, negative = pipeline.encode_prompt(
        prompt, device, 1, guided, a["negative_prompt"], prompt_embeds=a["prompt_embeds"],
        negative_prompt_embeds=a["negative_prompt_embeds"], lora_scale=lora_scale, clip_skip=pipeline.clip_skip)
    timesteps, _ = retrieve_timesteps(pipeline.scheduler, num_inference_steps, device, a["timesteps"], a["sigmas"])
    latents = pipeline.prepare_latents(len(generators), pipeline.unet.config.in_channels, height, width, embeds.dtype,
                                       device, generators)
    pipeline._num_timesteps = len(timesteps)
    predict = _predictor(pipeline, guided, _blocks(guided, negative, embeds), lambda b: None)
    return Prepared(latents, timesteps, predict, height, width,
                    step_kwargs=lambda gens: pipeline.prepare_extra_step_kwargs(gens, a["eta"]))


def prepare_sdxl(pipeline: Any, prompt: str | None, num_inference_steps: int, generators: list[torch.Generator],
                 kwargs: Mapping[str, Any]) -> Prepared:
    a = call_arguments(pipeline, kwargs, SDXL_HANDLED)
    height = a["height"] or pipeline.default_sample_size * pipeline.vae_scale_factor
    width = a["width"] or pipeline.default_sample_size * pipeline.vae_scale_factor
    original_size = a["original_size"] or (height, width)
    target_size = a["target_size"] or (height, width)
    pipeline.check_inputs(prompt, a["prompt_2"], height, width, None, a["negative_prompt"], a["negative_prompt_2"],
                          a["prompt_embeds"], a["negative_prompt_embeds"], a["pooled_prompt_embeds"],
                          a["negative_pooled_prompt_embeds"], None, None, None)
    _settings(pipeline, a)
    pipeline._denoising_end = None
    _one_prompt(a)
    device = pipeline._execution_device
    lora_scale = (a["cross_attention_kwargs"] or {}).get("scale", None)
    guided = pipeline.do_classifier_free_guidance
    embeds, negative, pooled, negative_pooled = pipeline.encode_prompt(
        prompt=prompt, prompt_2=a["prompt_2"], device=device, num_images_per_prompt=1,
        do_classifier_free_guidance=guided, negative_prompt=a["negative_prompt"],
        negative_prompt_2=a["negative_prompt_2"], prompt_embeds=a["prompt_embeds"],
        negative_prompt_embeds=a["negative_prompt_embeds"], pooled_prompt_embeds=a["pooled_prompt_embeds"],
        negative_pooled_prompt_embeds=a["negative_pooled_prompt_embeds"], lora_scale=lora_scale,
        clip_skip=pipeline.clip_skip)
    timesteps, _ = retrieve_timesteps(pipeline.scheduler, num_inference_steps, device, a["timesteps"], a["sigmas"])
    latents = pipeline.prepare_latents(len(generators), pipeline.unet.config.in_channels, height, width, embeds.dtype,
                                       device, generators)
    projection = (int(pooled.shape[-1]) if pipeline.text_encoder_2 is None
                  else pipeline.text_encoder_2.config.projection_dim)
    time_ids = pipeline._get_add_time_ids(original_size, a["crops_coords_top_left"], target_size, dtype=embeds.dtype,
                                          text_encoder_projection_dim=projection)
    negative_time_ids = time_ids
    if a["negative_original_size"] is not None and a["negative_target_size"] is not None:
        negative_time_ids = pipeline._get_add_time_ids(
            a["negative_original_size"], a["negative_crops_coords_top_left"], a["negative_target_size"],
            dtype=embeds.dtype, text_encoder_projection_dim=projection)
    # Each candidate gets [its negative row; its positive row] of every tensor - as when run alone.
    text = _blocks(guided, negative, embeds.to(device))
    text_embeds = _blocks(guided, negative_pooled, pooled.to(device))
    time = _blocks(guided, negative_time_ids.to(device), time_ids.to(device))
    pipeline._num_timesteps = len(timesteps)
    predict = _predictor(pipeline, guided, text, lambda b: {"text_embeds": text_embeds(b), "time_ids": time(b)})
    return Prepared(latents, timesteps, predict, height, width,
                    step_kwargs=lambda gens: pipeline.prepare_extra_step_kwargs(gens, a["eta"]))
