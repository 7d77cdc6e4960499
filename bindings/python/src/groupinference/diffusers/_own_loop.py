"""The own loop: group inference over a pipeline's components, for pipelines whose callback
cannot shrink the batch (see _pipelines). Each family module (_flux, _sd3) reproduces its
pipeline's ``__call__`` up to the denoising loop (``prepare``) and one denoiser evaluation for a
chunk of candidates (``Prepared.predict``); this module runs the steps, the scheduler, the session
and the final decode, as the pipeline would, with the candidates in chunks of batch_size.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import torch

from ._chunks import chunk_spans
from ._group import GroupState
from ._schedulers import SchedulerRule, StepCapture, preview_latents, slice_history


@dataclass
class Prepared:
    """A pipeline call made ready for its denoising loop."""

    latents: torch.Tensor
    """(M, ...) initial latents, candidate i's from generator i."""
    timesteps: torch.Tensor
    predict: Callable[[torch.Tensor, torch.Tensor, int], torch.Tensor]
    """predict(latents of a chunk, t, step index) -> the guided model output for that chunk."""
    height: int
    width: int
    step_kwargs: Callable[[list[torch.Generator]], dict[str, Any]] | None = None
    """step_kwargs(the candidates' generators) -> extra scheduler.step arguments (eta, generator), as the
    pipeline passes them; None: none (SD3 and FLUX pass none)."""


def call_arguments(pipeline: Any, kwargs: Mapping[str, Any], handled: set[str]) -> dict[str, Any]:
    """The pipeline's __call__ arguments with their defaults, updated by kwargs; a TypeError for an
    argument __call__ does not take (as the pipeline itself would raise)."""
    parameters = inspect.signature(type(pipeline).__call__).parameters
    unknown = [k for k in kwargs if k not in parameters]
    if unknown:
        raise TypeError(f"{type(pipeline).__name__}.__call__ got unexpected argument(s) {', '.join(unknown)}")
    values = {name: p.default for name, p in parameters.items() if p.default is not inspect.Parameter.empty}
    values.update(kwargs)
    ignored = [k for k in kwargs if k not in handled]
    if ignored:
        raise TypeError(f"group inference's own loop for {type(pipeline).__name__} does not support the call "
                        f"argument(s) {', '.join(ignored)}")
    return values


def run(pipeline: Any, rule: SchedulerRule, group: GroupState, generators: list[torch.Generator],
        prepared: Prepared, batch_size: int, output_type: str) -> Any:
    """Denoise, score and prune; return the final group's images as the pipeline would (postprocessed)."""
    scheduler = pipeline.scheduler
    latents, timesteps = prepared.latents, prepared.timesteps
    if len(timesteps) != group.num_steps:
        raise ValueError(f"the pipeline runs {len(timesteps)} denoising iterations but the session has "
                         f"num_steps = {group.num_steps}")
    capture = StepCapture()
    last = len(timesteps) - 1
    kept_final: torch.Tensor | None = None
    if hasattr(scheduler, "set_begin_index"):
        scheduler.set_begin_index(0)
    for i, t in enumerate(timesteps):
        n = group.rows.n
        noise = torch.cat([prepared.predict(latents[a:b], t, i) for a, b in chunk_spans(n, batch_size)])
        out = scheduler.step(noise, t, latents, return_dict=False)
        capture.record(noise, t, latents, out)
        stepped = out[0]
        keep = group.after_step(i, lambda: preview_latents(rule, scheduler, capture), stepped,
                                keep_final_raw=(i == last and output_type != "latent"))
        capture.record(None, None, None, None)
        latents = stepped
        if keep is not None:
            latents = latents.index_select(0, keep.to(latents.device))
            slice_history(rule, scheduler, keep)
            generators[:] = [generators[r] for r in keep.tolist()]
            if i == last:
                kept_final = keep
    if output_type == "latent":
        return latents
    if group.final_raw:
        raw = torch.cat(group.final_raw)
        if kept_final is not None:
            raw = raw.index_select(0, kept_final.to(raw.device))
    else:  # the session did not score the final images: decode them now
        kept: list[torch.Tensor] = []
        for _ in group.decoder.finals(latents, kept):
            pass
        raw = torch.cat(kept)
    images = pipeline.image_processor.postprocess(raw, output_type=output_type)
    pipeline.maybe_free_model_hooks()
    return images
