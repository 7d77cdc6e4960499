"""GroupInferenceCallback: group inference inside a pipeline's own ``__call__``.

A ``PipelineCallback`` in diffusers' style (``tensor_inputs``; ``__call__(pipeline, step_index,
timestep, callback_kwargs) -> dict``), so it composes with ``MultiPipelineCallbacks``. After every
denoising step it pushes the scorers' values when the session needs them, steps the session, and
returns the callback tensors with the pruned candidates' rows removed; it slices the scheduler's
per-candidate history and the generator list in place. Entered as a context manager around the
pipeline call, it also splits the denoiser and VAE calls into chunks of ``batch_size`` candidates
and watches ``scheduler.step`` for the preview x̂0.

``group_generate`` is the usual way in; use the callback directly to combine group inference with
other callbacks::

    session = gi.Session(num_candidates=16, group_size=4, num_steps=25)
    with GroupInferenceCallback(pipe, session, scorers, prompt) as group:
        images = pipe(prompt, num_inference_steps=25,
                      **group.pipeline_kwargs(also=[other_callback])).images
    group.ids      # the candidate id of each image
"""

from __future__ import annotations

import functools
from contextlib import ExitStack
from typing import Any

import torch
from diffusers.callbacks import MultiPipelineCallbacks, PipelineCallback

from ._chunks import chunked_decode, chunked_forward, patched
from ._decode import Decoder
from ._group import GroupState
from ._pipelines import PipelineEntry, check_pipeline, pipeline_entry
from ._progress import StepBar
from ._rows import blocks_of, select
from ._schedulers import StepCapture, preview_latents, scheduler_rule, slice_history
from ._scoring import Scorers
from .errors import TableMismatchError, UnsupportedPipelineError


def candidate_generators(num_candidates: int, seed: int) -> list[torch.Generator]:
    """Candidate i's generator: a CPU torch.Generator seeded seed + i (the same noise on any device).

    >>> [g.initial_seed() for g in candidate_generators(3, seed=10)]
    [10, 11, 12]
    """
    return [torch.Generator("cpu").manual_seed(seed + i) for i in range(num_candidates)]


class GroupInferenceCallback(PipelineCallback):
    """Group inference as a ``callback_on_step_end`` of a StableDiffusion, StableDiffusionXL or
    StableDiffusion3 pipeline (FLUX, and SD3 with skip-layer guidance, need ``group_generate``'s
    own loop).

    Args:
        pipeline: the pipeline it will be used with.
        session: a fresh ``groupinference.Session`` (no scorers, no steps yet) whose num_steps is
            the pipeline's number of denoising iterations (PNDM: num_inference_steps + 1).
        scorers: groupinference.scorers objects; each is moved to the pipeline's device and
            registered with the session as a pushed scorer.
        prompt: handed to the scorers (text-image scorers need it).
        seed: candidate i's generator is seeded seed + i (see ``generators``).
        batch_size: candidates per denoiser and VAE call.
        preview_vae, preview_size: decode previews with another VAE / at a reduced size.
        progress: show a progress bar (tqdm when installed).
    """

    def __init__(self, pipeline: Any, session: Any, scorers: Any, prompt: str | None = None, *, seed: int = 0,
                 batch_size: int = 1, preview_vae: Any = None, preview_size: tuple[int, int] | None = None,
                 progress: bool = True) -> None:
        super().__init__()
        entry = pipeline_entry(pipeline)
        check_pipeline(entry, pipeline)
        if not entry.has_callback_path:
            raise UnsupportedPipelineError(f"{entry.class_name} cannot run group inference through its callback "
                                           f"({entry.own_loop({})}); use group_generate, which runs its own loop")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size = {batch_size!r} must be a positive integer")
        if session.progress.steps_done or session.progress.num_records or session.scorers:
            raise ValueError("session must be fresh: no scorers registered and no step taken")
        self.pipeline = pipeline
        self.entry: PipelineEntry = entry
        self.rule = scheduler_rule(pipeline.scheduler, entry.flow, entry.class_name)
        self.session = session
        self.batch_size = batch_size
        self.generators = candidate_generators(session.num_candidates, seed)
        """Candidate i's generator (CPU, seeded seed + i) at row i; pruned rows are removed in place,
        so the pipeline, which holds this same list, keeps drawing each survivor's own noise."""
        self.capture = StepCapture()
        self.group = GroupState(
            session, Scorers(scorers, session, pipeline._execution_device),
            Decoder(pipeline, entry.family, batch_size, 0, 0, preview_vae, preview_size),
            prompt, StepBar(progress, session.num_steps, session.num_candidates))
        self._stack: ExitStack | None = None
        self._checked = False

    # -- the diffusers callback interface ------------------------------------------

    @property
    def tensor_inputs(self) -> list[str]:
        """The callback tensors it slices (the pipeline table's entry)."""
        return list(self.entry.sliced)

    def callback_fn(self, pipeline: Any, step_index: int, timestep: Any, callback_kwargs: dict[str, Any]) -> dict[str, Any]:
        if self._stack is None:
            raise RuntimeError("GroupInferenceCallback is used outside its with-block: enter it around the pipeline "
                               "call (with GroupInferenceCallback(...) as group: pipe(..., **group.pipeline_kwargs()))")
        if pipeline is not self.pipeline:
            raise ValueError("GroupInferenceCallback was called by another pipeline than the one it was made for")
        guided = bool(getattr(pipeline, "do_classifier_free_guidance", False))
        n = self.group.rows.n
        if not self._checked:
            self._check_first_call(pipeline, callback_kwargs, guided)
        keep = self.group.after_step(
            step_index, lambda: preview_latents(self.rule, pipeline.scheduler, self.capture),
            callback_kwargs["latents"])
        self.capture.record(None, None, None, None)  # this step's tensors are no longer needed
        if keep is None:
            return callback_kwargs
        out = dict(callback_kwargs)
        for name, layout in self.entry.sliced.items():
            if out.get(name) is not None:
                out[name] = select(out[name], keep, n, layout, guided, f"{self.entry.class_name} callback tensor {name}")
        slice_history(self.rule, pipeline.scheduler, keep)
        self.generators[:] = [self.generators[r] for r in keep.tolist()]
        return out

    def _check_first_call(self, pipeline: Any, callback_kwargs: dict[str, Any], guided: bool) -> None:
        missing = [name for name in self.entry.sliced if name not in callback_kwargs]
        if missing:
            raise TableMismatchError(
                f"{self.entry.class_name} did not pass {', '.join(missing)} to the callback; call the pipeline with "
                "callback_on_step_end=<this callback or a MultiPipelineCallbacks holding it> so its tensor_inputs "
                "are requested")
        n = self.group.rows.n
        for name, layout in self.entry.sliced.items():
            if callback_kwargs[name] is not None:
                blocks_of(callback_kwargs[name], n, layout, guided, f"{self.entry.class_name} callback tensor {name}")
        steps = getattr(pipeline, "num_timesteps", None)
        if steps != self.session.num_steps:
            raise ValueError(f"the pipeline runs {steps} denoising iterations but the session has num_steps = "
                             f"{self.session.num_steps}")
        self._checked = True

    # -- the pipeline call ---------------------------------------------------------------

    def pipeline_kwargs(self, also: list[Any] | None = None) -> dict[str, Any]:
        """The pipeline call arguments group inference sets: num_images_per_prompt, generator and
        callback_on_step_end (with `also`: a MultiPipelineCallbacks running this callback first)."""
        callback: Any = self if not also else MultiPipelineCallbacks([self, *also])
        return {"num_images_per_prompt": self.session.num_candidates, "generator": self.generators,
                "callback_on_step_end": callback}

    @property
    def ids(self) -> Any:
        """The alive candidates' ids in row order (the final group's ids once the session is done)."""
        return self.group.rows.ids.copy()

    def __enter__(self) -> GroupInferenceCallback:
        if self._stack is not None:
            raise RuntimeError("GroupInferenceCallback is already entered")
        if self.group.session.progress.steps_done:
            raise RuntimeError("a GroupInferenceCallback serves one pipeline call; make a new one with a new session")
        stack = ExitStack()
        try:
            pipeline = self.pipeline
            step = pipeline.scheduler.step
            capture = self.capture

            @functools.wraps(step)  # prepare_extra_step_kwargs reads its signature: keep generator and eta visible
            def watched_step(model_output: Any, timestep: Any, sample: Any, *args: Any, **kwargs: Any) -> Any:
                out = step(model_output, timestep, sample, *args, **kwargs)
                capture.record(model_output, timestep, sample, out)
                return out

            stack.enter_context(patched(pipeline.scheduler, "step", watched_step))
            model = getattr(pipeline, self.entry.model)
            lead = next(iter(self.entry.model_inputs))
            stack.enter_context(chunked_forward(model, self.group.rows, self.batch_size, self.entry.model_inputs, lead,
                                                self.entry.class_name))
            stack.enter_context(chunked_decode(pipeline.vae, self.batch_size))
            stack.enter_context(_quiet_progress_bar(pipeline))
            stack.callback(self.group.bar.close)
        except BaseException:
            stack.close()
            raise
        self._stack = stack
        return self

    def __exit__(self, *exc_info: object) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()


class _quiet_progress_bar:
    """Silence the pipeline's own progress bar (ours replaces it); restore its configuration after."""

    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline
        self.had = hasattr(pipeline, "_progress_bar_config")
        self.saved = dict(getattr(pipeline, "_progress_bar_config", {}) or {})

    def __enter__(self) -> None:
        self.pipeline.set_progress_bar_config(**{**self.saved, "disable": True})

    def __exit__(self, *exc_info: object) -> None:
        if self.had:
            self.pipeline.set_progress_bar_config(**self.saved)
        else:
            del self.pipeline._progress_bar_config
