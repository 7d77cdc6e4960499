"""SD3's own loop (used for skip-layer guidance): StableDiffusion3Pipeline.__call__ (diffusers
0.42) up to its denoising loop, and one guided transformer evaluation - plus the skip-layer pass -
per chunk of candidates. Text embeddings are computed once and repeated to the chunk's size in the
pipeline's [negative rows; positive rows] layout."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from diffusers.pipelines.stable_diffusion_3.pipeline_stable_diffusion_3 import calculate_shift, retrieve_timesteps

from ._own_loop import Prepared, call_arguments

HANDLED = {"prompt_2", "prompt_3", "height", "width", "sigmas", "guidance_scale", "negative_prompt",
           "negative_prompt_2", "negative_prompt_3", "prompt_embeds", "negative_prompt_embeds",
           "pooled_prompt_embeds", "negative_pooled_prompt_embeds", "joint_attention_kwargs", "clip_skip",
           "max_sequence_length", "skip_guidance_layers", "skip_layer_guidance_scale", "skip_layer_guidance_stop",
           "skip_layer_guidance_start", "mu"}


def prepare(pipeline: Any, prompt: str | None, num_inference_steps: int, generators: list[torch.Generator],
            kwargs: Mapping[str, Any]) -> Prepared:
    a = call_arguments(pipeline, kwargs, HANDLED)
    height = a["height"] or pipeline.default_sample_size * pipeline.vae_scale_factor
    width = a["width"] or pipeline.default_sample_size * pipeline.vae_scale_factor
    pipeline.check_inputs(
        prompt, a["prompt_2"], a["prompt_3"], height, width, negative_prompt=a["negative_prompt"],
        negative_prompt_2=a["negative_prompt_2"], negative_prompt_3=a["negative_prompt_3"],
        prompt_embeds=a["prompt_embeds"], negative_prompt_embeds=a["negative_prompt_embeds"],
        pooled_prompt_embeds=a["pooled_prompt_embeds"], negative_pooled_prompt_embeds=a["negative_pooled_prompt_embeds"],
        callback_on_step_end_tensor_inputs=None, max_sequence_length=a["max_sequence_length"])
    pipeline._guidance_scale = a["guidance_scale"]
    pipeline._skip_layer_guidance_scale = a["skip_layer_guidance_scale"]
    pipeline._clip_skip = a["clip_skip"]
    pipeline._joint_attention_kwargs = a["joint_attention_kwargs"]
    pipeline._interrupt = False
    if a["prompt_embeds"] is not None and a["prompt_embeds"].shape[0] != 1:
        raise ValueError("prompt_embeds must describe one prompt (batch size 1): one group per prompt")
    device = pipeline._execution_device
    lora_scale = (a["joint_attention_kwargs"] or {}).get("scale", None)
    guided = pipeline.do_classifier_free_guidance
    embeds, negative_embeds, pooled, negative_pooled = pipeline.encode_prompt(
        prompt=prompt, prompt_2=a["prompt_2"], prompt_3=a["prompt_3"], negative_prompt=a["negative_prompt"],
        negative_prompt_2=a["negative_prompt_2"], negative_prompt_3=a["negative_prompt_3"],
        do_classifier_free_guidance=guided, prompt_embeds=a["prompt_embeds"],
        negative_prompt_embeds=a["negative_prompt_embeds"], pooled_prompt_embeds=a["pooled_prompt_embeds"],
        negative_pooled_prompt_embeds=a["negative_pooled_prompt_embeds"], device=device,
        clip_skip=pipeline.clip_skip, num_images_per_prompt=1, max_sequence_length=a["max_sequence_length"],
        lora_scale=lora_scale)
    transformer = pipeline.transformer
    latents = pipeline.prepare_latents(len(generators), transformer.config.in_channels, height, width, embeds.dtype,
                                       device, generators)
    mu = a["mu"]
    scheduler_kwargs = {}
    if pipeline.scheduler.config.get("use_dynamic_shifting", None) and mu is None:
        _, _, h, w = latents.shape
        patch = transformer.config.patch_size
        mu = calculate_shift(
            (h // patch) * (w // patch), pipeline.scheduler.config.get("base_image_seq_len", 256),
            pipeline.scheduler.config.get("max_image_seq_len", 4096), pipeline.scheduler.config.get("base_shift", 0.5),
            pipeline.scheduler.config.get("max_shift", 1.16))
    if mu is not None:
        scheduler_kwargs["mu"] = mu
    timesteps, steps = retrieve_timesteps(pipeline.scheduler, num_inference_steps, device, sigmas=a["sigmas"],
                                          **scheduler_kwargs)
    pipeline._num_timesteps = len(timesteps)
    skip_layers = a["skip_guidance_layers"]
    start, stop = a["skip_layer_guidance_start"], a["skip_layer_guidance_stop"]

    def predict(x: torch.Tensor, t: torch.Tensor, i: int) -> torch.Tensor:
        b = x.shape[0]
        if guided:
            model_input = torch.cat([x] * 2)
            text = torch.cat([negative_embeds.repeat(b, 1, 1), embeds.repeat(b, 1, 1)])
            pooled_text = torch.cat([negative_pooled.repeat(b, 1), pooled.repeat(b, 1)])
        else:
            model_input, text, pooled_text = x, embeds.repeat(b, 1, 1), pooled.repeat(b, 1)
        out = transformer(hidden_states=model_input, timestep=t.expand(model_input.shape[0]),
                          encoder_hidden_states=text, pooled_projections=pooled_text,
                          joint_attention_kwargs=pipeline.joint_attention_kwargs, return_dict=False)[0]
        if guided:
            uncond, cond = out.chunk(2)
            out = uncond + pipeline.guidance_scale * (cond - uncond)
            if skip_layers is not None and steps * start < i < steps * stop:
                skipped = transformer(hidden_states=x, timestep=t.expand(b), encoder_hidden_states=embeds.repeat(b, 1, 1),
                                      pooled_projections=pooled.repeat(b, 1),
                                      joint_attention_kwargs=pipeline.joint_attention_kwargs, return_dict=False,
                                      skip_layers=skip_layers)[0]
                out = out + (cond - skipped) * pipeline._skip_layer_guidance_scale
        return out

    return Prepared(latents, timesteps, predict, height, width)
