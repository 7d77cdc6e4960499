"""group_generate: a diverse, high-quality group of K images out of M candidates, from a diffusers
pipeline, in one call."""

from __future__ import annotations

import copy
import inspect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

import groupinference as gi

from . import _flux, _own_loop, _sd3
from ._decode import Decoder
from ._group import GroupState
from ._pipelines import PipelineEntry, check_arguments, check_pipeline, pipeline_entry
from ._progress import StepBar
from ._schedulers import scheduler_rule
from ._scoring import Scorers
from .callback import GroupInferenceCallback, candidate_generators
from .presets import PRESETS, Preset
from .presets import preset as preset_named

SESSION_OPTIONS = frozenset(inspect.signature(gi.Session).parameters) - {"num_candidates", "group_size", "num_steps",
                                                                          "lam", "schedule", "seed"}
"""Session keyword arguments group_generate passes through (prune_ratio, solver, normalize, ...)."""

OWN_LOOPS = {"flux": _flux, "sd3": _sd3}


@dataclass
class GroupOutput:
    """What group_generate returns."""

    images: Any
    """The K images of the group, in the order of ids: PIL images (output_type="pil"), an (K, H, W, 3)
    array ("np"), a (K, 3, H, W) tensor ("pt") or the latents ("latent")."""
    ids: np.ndarray
    """The candidate id of each image, ascending."""
    result: gi.Result
    """The session's result: objective, evaluations vs naive_evaluations (M*T), per-step records."""
    seeds: list[int]
    """The seed of each image's generator (seed + id): pipe(prompt, generator=torch.Generator().manual_seed(s),
    ...) re-creates it alone."""
    scores: dict[str, np.ndarray]
    """Per scorer, for each image of the group, its raw value in the final scoring: the score of a
    unary scorer; for embedding and pairwise scorers the mean difference to the other candidates
    that scoring saw."""
    num_inference_steps: int
    """The pipeline's num_inference_steps (the preset's when not given), for re-running an image alone."""
    session: gi.Session = field(repr=False)
    """The finished session (records, diagnostics); closed when collected."""


def _preset_for(entry: PipelineEntry, pipeline: Any, chosen: str | Preset | None) -> Preset:
    if chosen is not None:
        return preset_named(chosen)
    if entry.family == "flux":
        dev = bool(getattr(pipeline.transformer.config, "guidance_embeds", False))
        return PRESETS["flux-dev" if dev else "flux-schnell"]
    return PRESETS[entry.family]


def denoising_iterations(entry: PipelineEntry, pipeline: Any, num_inference_steps: int, kwargs: dict[str, Any]) -> int:
    """How many times the pipeline's loop calls the denoiser (the session's num_steps): the number
    of timesteps its scheduler sets - num_inference_steps, except PNDM (one more)."""
    scheduler = copy.deepcopy(pipeline.scheduler)  # set_timesteps on a copy: the pipeline's is set again in its call
    extra: dict[str, Any] = {}
    if scheduler.config.get("use_dynamic_shifting", False):
        extra["mu"] = 1.0  # the number of timesteps does not depend on the shift
    sigmas = kwargs.get("sigmas")
    if entry.family == "flux":
        sigmas = _flux.flux_sigmas(pipeline, num_inference_steps, sigmas)
    timesteps = kwargs.get("timesteps")
    if timesteps is not None:
        scheduler.set_timesteps(timesteps=timesteps, device="cpu", **extra)
    elif sigmas is not None:
        scheduler.set_timesteps(sigmas=sigmas, device="cpu", **extra)
    else:
        scheduler.set_timesteps(num_inference_steps, device="cpu", **extra)
    return len(scheduler.timesteps)


def _positive(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} = {value!r} must be a positive integer")
    return int(value)


def session_settings(chosen: Preset, num_candidates: int | None, group_size: int | None, lam: float | None,
                     schedule: str | None, seed: int, session_kwargs: dict[str, Any]) -> dict[str, Any]:
    """The gi.Session arguments but num_steps: M and K (checked), lambda and the schedule, the preset's
    where None (its prune_ratio and first_prune_step too, unless given, when it picks the schedule)."""
    m = _positive("num_candidates", chosen.num_candidates if num_candidates is None else num_candidates)
    k = _positive("group_size", chosen.group_size if group_size is None else group_size)
    session_kwargs = dict(session_kwargs)
    if schedule is None:
        schedule = chosen.schedule
        session_kwargs.setdefault("prune_ratio", chosen.prune_ratio)
        session_kwargs.setdefault("first_prune_step", chosen.first_prune_step)
    return dict(num_candidates=m, group_size=k, lam=chosen.lam if lam is None else lam, schedule=schedule, seed=seed,
                **session_kwargs)


def group_generate(
    pipe: Any,
    prompt: str | None = None,
    *,
    scorers: Sequence[Any],
    num_candidates: int | None = None,
    group_size: int | None = None,
    num_inference_steps: int | None = None,
    lam: float | None = None,
    schedule: str | None = None,
    seed: int = 0,
    batch_size: int = 1,
    preview_vae: Any = None,
    preview_size: int | tuple[int, int] | None = None,
    progress: bool = True,
    preset: str | Preset | None = None,
    output_type: str = "pil",
    **kwargs: Any,
) -> GroupOutput:
    """Generate M candidates with `pipe` and return the best group of K (quality and diversity).

    Args:
        pipe: a StableDiffusionPipeline (1.x/2.x), StableDiffusionXLPipeline,
            StableDiffusion3Pipeline or FluxPipeline (schnell or dev), with a DDIM, Euler, Euler
            ancestral, DPM++ 2M, UniPC or PNDM scheduler (SD, SDXL) or flow-match Euler (SD3, FLUX).
        prompt: one prompt; also handed to the scorers.
        scorers: groupinference.scorers objects (unary, embedding, pairwise), each with its weight.
        num_candidates, group_size, num_inference_steps, lam, schedule: M, K, T, lambda and the
            schedule; None takes the preset's value.
        seed: candidate i's generator is torch.Generator("cpu").manual_seed(seed + i): its initial
            noise, and any noise its scheduler draws, come from it. (Also the session's seed.)
        batch_size: candidates per denoiser call, per VAE decode and per scorer batch. Peak memory
            follows it, not M. With batch_size=1 every image is bit-identical to running the
            pipeline alone with its seed; larger batches may differ by float rounding where the
            backend's kernels depend on the batch size (measured on CPU: about 1e-6).
        preview_vae: decode previews with this VAE (e.g. an AutoencoderTiny) instead of the pipeline's.
        preview_size: (height, width) or one int: decode previews from latents resized to it.
        progress: a progress bar per step (survivors, evaluations); False silences it.
        preset: a name in PRESETS or a Preset; None picks the pipeline family's.
        output_type: "pil", "np", "pt" or "latent", as the pipeline's.
        **kwargs: any groupinference.Session option (prune_ratio, first_prune_step, survivor_counts,
            budget, solver, time_limit, normalize, trace_every_step, ...) and any pipeline call
            argument (height, width, guidance_scale, negative_prompt, ...), passed through.

    Returns:
        GroupOutput with images, ids, result, seeds, scores and the session.

    >>> from groupinference.diffusers import group_generate, tiny_pipeline
    >>> from groupinference.scorers import EmbeddingScorer, UnaryScorer
    >>> pipe = tiny_pipeline("sd", scheduler="euler")          # random weights, 16 x 16 images
    >>> out = group_generate(pipe, "a photo of a dog", num_candidates=8, group_size=2, num_inference_steps=3,
    ...                      scorers=[UnaryScorer(lambda im: im.mean(dim=(1, 2, 3)), name="brightness"),
    ...                               EmbeddingScorer(lambda im: im.mean(dim=(2, 3)), dim=3, name="colour")],
    ...                      progress=False)
    >>> len(out.images), out.images[0].size, len(out.ids)
    (2, (16, 16), 2)
    >>> out.result.evaluations, out.result.naive_evaluations    # 8 + 4 + 2 of 8 x 3
    (14, 24)
    """
    entry = pipeline_entry(pipe)
    check_pipeline(entry, pipe)
    session_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in SESSION_OPTIONS}
    if "num_steps" in kwargs:
        raise TypeError("num_steps is set from num_inference_steps (the pipeline's argument)")
    check_arguments(entry, prompt, kwargs)
    chosen = _preset_for(entry, pipe, preset)
    settings = session_settings(chosen, num_candidates, group_size, lam, schedule, seed, session_kwargs)
    steps = _positive("num_inference_steps",
                      chosen.num_inference_steps if num_inference_steps is None else num_inference_steps)
    batch_size = _positive("batch_size", batch_size)
    if isinstance(preview_size, (int, np.integer)) and not isinstance(preview_size, bool):
        preview_size = (int(preview_size), int(preview_size))
    rule = scheduler_rule(pipe.scheduler, entry.flow, entry.class_name)
    iterations = denoising_iterations(entry, pipe, steps, kwargs)
    session = gi.Session(num_steps=iterations, **settings)
    reason = entry.own_loop(kwargs)
    with torch.no_grad():
        if reason is None:
            with GroupInferenceCallback(pipe, session, scorers, prompt, seed=seed, batch_size=batch_size,
                                        preview_vae=preview_vae, preview_size=preview_size, progress=progress) as group:
                images = pipe(prompt, num_inference_steps=steps, output_type=output_type, return_dict=True,
                              **group.pipeline_kwargs(), **kwargs).images
            ids = group.ids
        else:
            images, ids = _own(entry, pipe, rule, session, scorers, prompt, steps, seed, batch_size, preview_vae,
                               preview_size, progress, output_type, kwargs)
    if not session.progress.done:
        raise RuntimeError(f"the pipeline stopped after {session.progress.steps_done} of {session.num_steps} steps "
                           "(interrupted?); the group was not chosen")
    result = session.result()
    if not np.array_equal(ids, result.ids):
        raise RuntimeError(f"internal error: rows hold ids {ids.tolist()}, the session chose {result.ids.tolist()}")
    final = result.records[-1]
    where = np.searchsorted(final.ids, result.ids)
    scores = {name: values[where] for name, values in final.scorer_values.items()}
    return GroupOutput(images=images, ids=result.ids, result=result, seeds=[seed + int(i) for i in result.ids],
                       scores=scores, num_inference_steps=steps, session=session)


def _own(entry: PipelineEntry, pipe: Any, rule: Any, session: gi.Session, scorers: Any, prompt: str | None,
         steps: int, seed: int, batch_size: int, preview_vae: Any, preview_size: Any, progress: bool,
         output_type: str, kwargs: dict[str, Any]) -> tuple[Any, np.ndarray]:
    """Group inference in the own loop of `entry`'s family."""
    generators = candidate_generators(session.num_candidates, seed)
    bar = StepBar(progress, session.num_steps, session.num_candidates)
    try:
        registered = Scorers(scorers, session, pipe._execution_device)
        prepared = OWN_LOOPS[entry.family].prepare(pipe, prompt, steps, generators, kwargs)
        decoder = Decoder(pipe, entry.family, batch_size, prepared.height, prepared.width, preview_vae, preview_size)
        group = GroupState(session, registered, decoder, prompt, bar)
        images = _own_loop.run(pipe, rule, group, generators, prepared, batch_size, output_type)
    finally:
        bar.close()
    return images, group.rows.ids.copy()
