"""The pipeline table: one entry per supported pipeline - what is sliced, and its batch layout.

Two ways to run group inference inside a pipeline:

- **callback**: the pipeline's own ``__call__`` runs with one row per candidate
  (``num_images_per_prompt = M``); after every step ``callback_on_step_end`` returns the
  per-candidate tensors (``sliced``) with the pruned rows removed. This works when every tensor
  that grows with the batch is a callback tensor.
- **own loop**: where a per-candidate tensor is not a callback tensor (FLUX builds its pooled text
  embeddings and guidance tensor once for all M; SD3's skip-layer guidance keeps
  ``original_prompt_embeds`` out of reach), groupinference runs its own loop over the pipeline's
  components (text encoders, transformer, scheduler, VAE), reproducing ``__call__`` step by step.

Adding a pipeline is one entry here (plus an own loop if it needs one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._layout import CANDIDATES, GUIDED, PAIRED
from .errors import TableMismatchError, UnsupportedPipelineError


@dataclass(frozen=True)
class PipelineEntry:
    class_name: str
    label: str
    family: str
    """"sd" | "sdxl" | "sd3" | "flux": the preset family and the VAE decoding rule."""
    model: str
    """The denoiser attribute of the pipeline: "unet" or "transformer"."""
    sliced: Mapping[str, str]
    """Callback tensors sliced after a prune -> batch layout. Tensors that are None in a call
    (negative_prompt_embeds without guidance) are skipped."""
    model_inputs: Mapping[str, str | Mapping[str, str]]
    """Denoiser forward arguments split into chunks of batch_size candidates -> layout. A dict
    argument (added_cond_kwargs) has one layout for all its tensors or one per key. The first
    argument's layout is the denoiser's batch order; other arguments are reordered to it."""
    flow: bool
    """Needs a flow-matching scheduler."""
    own_loop: Callable[[Mapping[str, Any]], str | None] = lambda kwargs: None
    """Why these call arguments need the own loop; None: the callback path."""
    refused: Mapping[str, str] = field(default_factory=dict)
    """Call arguments that are not supported -> why."""
    needs: tuple[str, ...] = ()
    """Pipeline methods the own loop calls."""

    @property
    def has_callback_path(self) -> bool:
        """Some calls run through the pipeline's own __call__ and the callback (not FLUX)."""
        return self.own_loop({}) is None


_IP_ADAPTER = "IP-Adapter image embeddings are per-candidate tensors outside the callback"
_COMMON_REFUSED = {
    "ip_adapter_image": _IP_ADAPTER,
    "ip_adapter_image_embeds": _IP_ADAPTER,
}


def _flux_reason(kwargs: Mapping[str, Any]) -> str | None:
    return "FLUX builds pooled_prompt_embeds and the guidance tensor once for all candidates, outside the callback"


def _sd3_reason(kwargs: Mapping[str, Any]) -> str | None:
    if kwargs.get("skip_guidance_layers") is not None:
        return "skip-layer guidance uses original_prompt_embeds, which is not a callback tensor"
    return None


PIPELINES: dict[str, PipelineEntry] = {
    e.class_name: e
    for e in (
        PipelineEntry(
            "StableDiffusionPipeline", "Stable Diffusion 1.x/2.x", "sd", "unet",
            sliced={"latents": CANDIDATES, "prompt_embeds": GUIDED, "negative_prompt_embeds": CANDIDATES},
            model_inputs={"sample": GUIDED, "encoder_hidden_states": GUIDED, "added_cond_kwargs": GUIDED},
            flow=False, refused=_COMMON_REFUSED,
        ),
        PipelineEntry(
            "StableDiffusionXLPipeline", "Stable Diffusion XL", "sdxl", "unet",
            # add_time_ids is torch.cat([negative, positive]).repeat(M, 1): PAIRED, not two blocks, and
            # the pipeline hands it to the UNet that way, so the chunks reorder it (negative_original_size
            # etc. make the two rows differ). add_text_embeds is cat([negative x M, positive x M]).
            sliced={"latents": CANDIDATES, "prompt_embeds": GUIDED, "add_text_embeds": GUIDED,
                    "add_time_ids": PAIRED},
            model_inputs={"sample": GUIDED, "encoder_hidden_states": GUIDED,
                          "added_cond_kwargs": {"text_embeds": GUIDED, "time_ids": PAIRED}},
            flow=False,
            refused={**_COMMON_REFUSED,
                     "denoising_end": "denoising_end (refiner hand-off) ends the loop early; run the base alone"},
        ),
        PipelineEntry(
            "StableDiffusion3Pipeline", "Stable Diffusion 3", "sd3", "transformer",
            sliced={"latents": CANDIDATES, "prompt_embeds": GUIDED, "pooled_prompt_embeds": GUIDED},
            model_inputs={"hidden_states": GUIDED, "timestep": GUIDED, "encoder_hidden_states": GUIDED,
                          "pooled_projections": GUIDED},
            flow=True, own_loop=_sd3_reason, refused=_COMMON_REFUSED,
            needs=("check_inputs", "encode_prompt", "prepare_latents"),
        ),
        PipelineEntry(
            "FluxPipeline", "FLUX.1 (schnell and dev)", "flux", "transformer",
            sliced={"latents": CANDIDATES},
            model_inputs={},
            flow=True, own_loop=_flux_reason,
            refused={**_COMMON_REFUSED,
                     "negative_ip_adapter_image": _IP_ADAPTER, "negative_ip_adapter_image_embeds": _IP_ADAPTER},
            needs=("check_inputs", "encode_prompt", "prepare_latents", "_unpack_latents"),
        ),
    )
}

SUPPORTED_PIPELINES = tuple(PIPELINES)
"""Class names of the supported pipelines."""

OWNED_ARGUMENTS = {
    "num_images_per_prompt": "it is num_candidates",
    "generator": "candidate i's generator is seeded seed + i",
    "latents": "candidate i's noise comes from its generator (seed + i)",
    "callback_on_step_end": "group inference uses it; compose yours with GroupInferenceCallback and "
                            "MultiPipelineCallbacks",
    "callback_on_step_end_tensor_inputs": "it is set by group inference",
    "return_dict": "group_generate returns a GroupOutput",
    "callback": "deprecated by diffusers; group inference uses callback_on_step_end",
    "callback_steps": "deprecated by diffusers; group inference uses callback_on_step_end",
}
"""Pipeline call arguments group inference sets itself -> why they cannot be passed."""


def pipeline_entry(pipeline: Any) -> PipelineEntry:
    """The table entry of `pipeline`'s class (or of the supported class it derives from)."""
    for cls in type(pipeline).__mro__:
        entry = PIPELINES.get(cls.__name__)
        if entry is not None and cls.__module__.startswith("diffusers"):
            return entry
    names = ", ".join(f"{e.class_name} ({e.label})" for e in PIPELINES.values())
    raise UnsupportedPipelineError(f"{type(pipeline).__name__} is not supported; the supported pipelines are {names}")


def check_arguments(entry: PipelineEntry, prompt: Any, kwargs: Mapping[str, Any]) -> None:
    """Refuse call arguments that group inference sets itself or that the entry cannot handle."""
    for name, why in {**OWNED_ARGUMENTS, **entry.refused}.items():
        if kwargs.get(name) is not None:
            raise UnsupportedPipelineError(f"{entry.class_name}: the call argument {name} cannot be passed ({why})")
    if prompt is not None and not isinstance(prompt, str):
        raise TypeError(f"prompt must be one string (one group per prompt), not {type(prompt).__name__}")


def check_pipeline(entry: PipelineEntry, pipeline: Any) -> None:
    """Check the entry against the pipeline object: callback tensors, denoiser, methods."""
    exposed = set(getattr(pipeline, "_callback_tensor_inputs", ()))
    missing = [name for name in entry.sliced if name not in exposed] if entry.has_callback_path else []
    if missing:
        raise TableMismatchError(
            f"{entry.class_name} does not expose {', '.join(missing)} to callback_on_step_end (it exposes "
            f"{', '.join(sorted(exposed)) or 'nothing'}); the table for it slices them")
    if getattr(pipeline, entry.model, None) is None:
        raise TableMismatchError(f"{entry.class_name} has no {entry.model}")
    lacking = [m for m in entry.needs if not callable(getattr(pipeline, m, None))]
    if lacking:
        raise TableMismatchError(f"{entry.class_name} has no method {', '.join(lacking)}, which its own loop calls")
    if entry.model == "unet" and getattr(pipeline.unet.config, "time_cond_proj_dim", None) is not None:
        raise UnsupportedPipelineError(
            f"{entry.class_name} with a UNet that has time_cond_proj_dim (a guidance embedding, e.g. LCM) is not "
            "supported: its timestep_cond has one row per candidate but is not a callback tensor")
