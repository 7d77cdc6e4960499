"""FLUX's own loop: FluxPipeline.__call__ (diffusers 0.42) up to its denoising loop, and one
transformer evaluation per chunk of candidates. Conditioning that is the same for every candidate
(text embeddings, text and image position ids, guidance) is computed once for one candidate and
repeated to the chunk's size - the values the pipeline computes for M candidates, row for row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from diffusers.pipelines.flux.pipeline_flux import calculate_shift, retrieve_timesteps

from ._own_loop import Prepared, call_arguments

HANDLED = {"prompt_2", "negative_prompt", "negative_prompt_2", "true_cfg_scale", "height", "width", "sigmas",
           "guidance_scale", "prompt_embeds", "pooled_prompt_embeds", "negative_prompt_embeds",
           "negative_pooled_prompt_embeds", "joint_attention_kwargs", "max_sequence_length"}


def flux_sigmas(pipeline: Any, num_inference_steps: int, sigmas: Any) -> Any:
    sigmas = np.linspace(1.0, 1 / num_inference_steps, num_inference_steps) if sigmas is None else sigmas
    if getattr(pipeline.scheduler.config, "use_flow_sigmas", False):
        sigmas = None
    return sigmas


def prepare(pipeline: Any, prompt: str | None, num_inference_steps: int, generators: list[torch.Generator],
            kwargs: Mapping[str, Any]) -> Prepared:
    a = call_arguments(pipeline, kwargs, HANDLED)
    height = a["height"] or pipeline.default_sample_size * pipeline.vae_scale_factor
    width = a["width"] or pipeline.default_sample_size * pipeline.vae_scale_factor
    pipeline.check_inputs(
        prompt, a["prompt_2"], height, width, negative_prompt=a["negative_prompt"],
        negative_prompt_2=a["negative_prompt_2"], prompt_embeds=a["prompt_embeds"],
        negative_prompt_embeds=a["negative_prompt_embeds"], pooled_prompt_embeds=a["pooled_prompt_embeds"],
        negative_pooled_prompt_embeds=a["negative_pooled_prompt_embeds"], callback_on_step_end_tensor_inputs=None,
        max_sequence_length=a["max_sequence_length"])
    pipeline._guidance_scale = a["guidance_scale"]
    pipeline._joint_attention_kwargs = a["joint_attention_kwargs"]
    pipeline._current_timestep = None
    pipeline._interrupt = False
    if a["prompt_embeds"] is not None and a["prompt_embeds"].shape[0] != 1:
        raise ValueError("prompt_embeds must describe one prompt (batch size 1): one group per prompt")
    device = pipeline._execution_device
    lora_scale = (a["joint_attention_kwargs"] or {}).get("scale", None)
    has_negative = a["negative_prompt"] is not None or (
        a["negative_prompt_embeds"] is not None and a["negative_pooled_prompt_embeds"] is not None)
    true_cfg = a["true_cfg_scale"] > 1 and has_negative
    prompt_embeds, pooled, text_ids = pipeline.encode_prompt(
        prompt=prompt, prompt_2=a["prompt_2"], prompt_embeds=a["prompt_embeds"],
        pooled_prompt_embeds=a["pooled_prompt_embeds"], device=device, num_images_per_prompt=1,
        max_sequence_length=a["max_sequence_length"], lora_scale=lora_scale)
    if true_cfg:
        negative_embeds, negative_pooled, negative_text_ids = pipeline.encode_prompt(
            prompt=a["negative_prompt"], prompt_2=a["negative_prompt_2"], prompt_embeds=a["negative_prompt_embeds"],
            pooled_prompt_embeds=a["negative_pooled_prompt_embeds"], device=device, num_images_per_prompt=1,
            max_sequence_length=a["max_sequence_length"], lora_scale=lora_scale)
    transformer = pipeline.transformer
    latents, image_ids = pipeline.prepare_latents(
        len(generators), transformer.config.in_channels // 4, height, width, prompt_embeds.dtype, device, generators)
    mu = calculate_shift(
        latents.shape[1], pipeline.scheduler.config.get("base_image_seq_len", 256),
        pipeline.scheduler.config.get("max_image_seq_len", 4096), pipeline.scheduler.config.get("base_shift", 0.5),
        pipeline.scheduler.config.get("max_shift", 1.15))
    timesteps, _ = retrieve_timesteps(pipeline.scheduler, num_inference_steps, device,
                                      sigmas=flux_sigmas(pipeline, num_inference_steps, a["sigmas"]), mu=mu)
    pipeline._num_timesteps = len(timesteps)
    guidance = (torch.full([1], a["guidance_scale"], device=device, dtype=torch.float32)
                if transformer.config.guidance_embeds else None)
    if pipeline._joint_attention_kwargs is None:
        pipeline._joint_attention_kwargs = {}

    def predict(x: torch.Tensor, t: torch.Tensor, i: int) -> torch.Tensor:
        b = x.shape[0]
        pipeline._current_timestep = t
        timestep = t.expand(b).to(x.dtype)
        g = guidance.expand(b) if guidance is not None else None
        with transformer.cache_context("cond"):
            out = transformer(hidden_states=x, timestep=timestep / 1000, guidance=g,
                              pooled_projections=pooled.repeat(b, 1), encoder_hidden_states=prompt_embeds.repeat(b, 1, 1),
                              txt_ids=text_ids, img_ids=image_ids, joint_attention_kwargs=pipeline.joint_attention_kwargs,
                              return_dict=False)[0]
        if true_cfg:
            with transformer.cache_context("uncond"):
                negative = transformer(
                    hidden_states=x, timestep=timestep / 1000, guidance=g,
                    pooled_projections=negative_pooled.repeat(b, 1),
                    encoder_hidden_states=negative_embeds.repeat(b, 1, 1), txt_ids=negative_text_ids,
                    img_ids=image_ids, joint_attention_kwargs=pipeline.joint_attention_kwargs, return_dict=False)[0]
            out = negative + a["true_cfg_scale"] * (out - negative)
        return out

    return Prepared(latents, timesteps, predict, height, width)
