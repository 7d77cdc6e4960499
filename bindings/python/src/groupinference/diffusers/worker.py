"""DiffusersWorker: a shard of a diffusers pipeline's candidates, as a worker of
groupinference.distributed (a Ray actor, or an object in this process).

It follows the Worker protocol (start, advance, keep, take, put, finalize) with the pieces
group_generate uses: the pipeline and scheduler tables, the families' own loops (SD and SDXL in
_unet, SD3 in _sd3, FLUX in _flux), x̂0 previews per scheduler, the decoder, candidate i's
generator seeded seed + i, and the groupinference.scorers protocol. Only scores (and the features
of pairwise scorers) leave it; latents, generators and scheduler history stay - or move to another
worker with take/put when the driver rebalances.

    import ray
    from groupinference.diffusers import DiffusersWorker, distributed_generate
    from groupinference.distributed import RayPool

    actor = ray.remote(num_gpus=1)(DiffusersWorker)
    workers = [actor.remote("black-forest-labs/FLUX.1-schnell", "a photo of a dog", 4, seed=0,
                            scorers=scorers, torch_dtype=torch.bfloat16) for _ in range(8)]
    out = distributed_generate(RayPool(workers), scorers, num_candidates=256, group_size=4)

Each worker builds its own copy of the pipeline's scheduler, so workers in one process may share one
pipeline object.
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import torch

from . import _flux, _sd3, _unet
from ._chunks import chunk_spans
from ._decode import Decoder
from ._own_loop import Prepared, call_arguments
from ._pipelines import check_arguments, check_pipeline, pipeline_entry
from ._schedulers import (StepCapture, history_rows, join_history, preview_latents, scheduler_rule, slice_history,
                          unlisted_history)
from ._scoring import checked_scorers, checked_values, gather_features, load
from ._shard import CandidateState, adopt_scheduler_state, generators_from, map_tensors, shared_scheduler_state
from ._specs import scorer_specs
from .errors import TableMismatchError, UnsupportedSchedulerError
from .generate import _positive, _preset_for, denoising_iterations

__all__ = ["DiffusersWorker", "WorkerInfo", "CandidateState", "scorer_specs"]

LOOPS: dict[str, Callable[..., Prepared]] = {
    "sd": _unet.prepare_sd, "sdxl": _unet.prepare_sdxl, "sd3": _sd3.prepare, "flux": _flux.prepare}
"""Per pipeline family: the own loop's prepare (everything up to the denoising loop)."""
HANDLED = {"sd": _unet.SD_HANDLED, "sdxl": _unet.SDXL_HANDLED, "sd3": _sd3.HANDLED, "flux": _flux.HANDLED}
"""Per family: the pipeline call arguments its loop handles."""
NEEDS = {"sd": _unet.NEEDS, "sdxl": _unet.NEEDS + ("_get_add_time_ids",)}
OUTPUT_TYPES = ("pil", "np", "pt", "latent")


@dataclass(frozen=True)
class WorkerInfo:
    """What a DiffusersWorker runs (``describe()``): what the driver needs for its session."""

    pipeline: str
    family: str
    scheduler: str
    num_inference_steps: int
    num_steps: int
    """Denoising iterations: the session's num_steps (PNDM: num_inference_steps + 1)."""
    seed: int
    preset: str
    """The family's preset (group_generate's default)."""
    output_type: str
    scorers: tuple[tuple[str, str, float, int | None], ...]
    """(name, kind, weight, dim) of each scorer, in order."""
    signature: tuple[Any, ...]


def _load(model: Any, device: Any, torch_dtype: Any) -> Any:
    """A pipeline from a pipeline object, a name or path (DiffusionPipeline.from_pretrained), or a
    callable that builds one (e.g. inside a Ray actor)."""
    from diffusers import DiffusionPipeline

    pipe: Any
    if isinstance(model, DiffusionPipeline):
        pipe = model
    elif isinstance(model, (str, os.PathLike)):
        extra = {} if torch_dtype is None else {"torch_dtype": torch_dtype}
        pipe = DiffusionPipeline.from_pretrained(model, **extra)
    elif callable(model):
        pipe = model()
        if not isinstance(pipe, DiffusionPipeline):
            raise TypeError(f"model() returned {type(pipe).__name__}, not a diffusers pipeline")
    else:
        raise TypeError(f"model must be a diffusers pipeline, a name or path for from_pretrained, or a callable "
                        f"returning a pipeline; not {type(model).__name__}")
    if device is not None:
        pipe.to(device)
    return pipe


def _summary(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return ("tensor", tuple(value.shape), str(value.dtype), float(value.double().sum()))
    return repr(value)


class DiffusersWorker:
    """A shard of the candidates of one diffusers pipeline call (groupinference.distributed.Worker).

    Args:
        model: a pipeline (StableDiffusionPipeline 1.x/2.x, StableDiffusionXLPipeline,
            StableDiffusion3Pipeline or FluxPipeline), a name or path for
            ``DiffusionPipeline.from_pretrained``, or a callable returning a pipeline.
        prompt: one prompt; also handed to the scorers.
        num_inference_steps: the pipeline's argument; None takes the family's preset.
        seed: candidate i's generator is torch.Generator("cpu").manual_seed(seed + i), as in
            group_generate; use the same seed for every worker (and the session).
        scorers: groupinference.scorers objects, moved to the pipeline's device here; the driver
            registers the same list (``scorer_specs``).
        batch_size, preview_vae, preview_size, output_type: as group_generate's.
        device, torch_dtype: where to put the pipeline (None: leave it), and the dtype to load it in.
        **pipeline_kwargs: pipeline call arguments (height, width, guidance_scale,
            negative_prompt, ...), as group_generate passes them through.

    Besides the protocol: ``describe()`` -> :class:`WorkerInfo`, ``timing()`` -> (seconds spent
    in advance - denoising, decoding, scoring - and model evaluations so far), ``held`` (the ids).
    """

    def __init__(self, model: Any, prompt: str | None = None, num_inference_steps: int | None = None,
                 seed: int = 0, *, scorers: Sequence[Any], batch_size: int = 1, preview_vae: Any = None,
                 preview_size: int | tuple[int, int] | None = None, output_type: str = "pil", device: Any = None,
                 torch_dtype: Any = None, **pipeline_kwargs: Any) -> None:
        pipe = _load(model, device, torch_dtype)
        self.entry = entry = pipeline_entry(pipe)
        check_pipeline(entry, pipe)
        lacking = [m for m in NEEDS.get(entry.family, ()) if not callable(getattr(pipe, m, None))]
        if lacking:
            raise TableMismatchError(f"{entry.class_name} has no method {', '.join(lacking)}, which the worker's "
                                     "loop calls")
        check_arguments(entry, prompt, pipeline_kwargs)
        call_arguments(pipe, pipeline_kwargs, HANDLED[entry.family])  # refuses what the loop would not use
        self.rule = scheduler_rule(pipe.scheduler, entry.flow, entry.class_name)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"seed = {seed!r} must be an int")
        if output_type not in OUTPUT_TYPES:
            raise ValueError(f"output_type = {output_type!r}; one of {OUTPUT_TYPES}")
        self.preset = _preset_for(entry, pipe, None)
        self.num_inference_steps = _positive("num_inference_steps", self.preset.num_inference_steps
                                             if num_inference_steps is None else num_inference_steps)
        self.batch_size = _positive("batch_size", batch_size)
        self.num_steps = denoising_iterations(entry, pipe, self.num_inference_steps, pipeline_kwargs)
        # Our own shallow copy of the pipeline with our own scheduler: the modules are shared, the
        # scheduler's state (step index, history) and the call settings are this worker's.
        self.pipe = copy.copy(pipe)
        vars(self.pipe)["scheduler"] = copy.deepcopy(pipe.scheduler)
        self.device = pipe._execution_device
        self.scorers = checked_scorers(scorers)
        for scorer in self.scorers:
            load(scorer, self.device)
        self.prompt, self.seed, self.output_type = prompt, int(seed), output_type
        self.kwargs = dict(pipeline_kwargs)
        size: tuple[int, int] | None = None
        if isinstance(preview_size, (int, np.integer)) and not isinstance(preview_size, bool):
            size = (int(preview_size), int(preview_size))
        elif preview_size is not None:
            h, w = cast(Sequence[int], preview_size)  # (height, width), a tuple or a list
            size = (int(h), int(w))
        self.preview_vae, self.preview_size = preview_vae, size
        self.signature = (entry.class_name, type(pipe.scheduler).__name__, prompt, self.num_inference_steps,
                          self.seed, tuple(sorted((k, _summary(v)) for k, v in self.kwargs.items())))
        self.prepared: Prepared | None = None
        self.decoder: Decoder | None = None
        self.ids = np.empty(0, dtype=np.int64)
        self.latents: torch.Tensor | None = None
        self.generators: list[torch.Generator] = []
        self.steps_done = 0
        self.final_raw: torch.Tensor | None = None
        self.seconds = 0.0
        self.evaluations = 0

    # -- the protocol -----------------------------------------------------------------------------

    def start(self, ids: Any) -> None:
        """Create candidates `ids`: generator seed + id, its initial noise, step 0. Begins a run: the
        finished candidates of an earlier run, if any, are dropped (a worker serves run after run)."""
        ids = _ascending(ids, "start")
        if len(self.ids) and self.steps_done != self.num_steps:
            raise ValueError(f"start: this worker holds candidates {self.ids.tolist()} of a run at step "
                             f"{self.steps_done} of {self.num_steps}; start is called once per run")
        generators = [torch.Generator("cpu").manual_seed(self.seed + int(i)) for i in ids]
        latents = self._prepare(generators)
        self.ids, self.latents, self.generators = ids, latents, generators
        self.steps_done, self.final_raw = 0, None

    def advance(self, ids: Any, step: int, want_scores: bool) -> dict[str, np.ndarray] | None:
        """Denoising step `step` for all held candidates (`ids`); with want_scores, the scorers' values
        of the new previews (the final images after the last step): {name: rows}, features for a
        pairwise scorer."""
        ids = _ascending(ids, "advance")
        if not np.array_equal(ids, self.ids):
            raise ValueError(f"advance: asked to advance ids {ids.tolist()}, but this worker holds "
                             f"{self.ids.tolist()}; it advances all its candidates together")
        if step != self.steps_done or step >= self.num_steps:
            raise ValueError(f"advance: step {step} asked, but the candidates here have done {self.steps_done} of "
                             f"{self.num_steps} steps")
        began = time.perf_counter()
        prepared, scheduler = self.prepared, self.pipe.scheduler
        assert prepared is not None and self.latents is not None
        t = prepared.timesteps[step]
        with torch.no_grad():
            latents = self.latents
            noise = torch.cat([prepared.predict(latents[a:b], t, step)
                               for a, b in chunk_spans(len(ids), self.batch_size)])
            extra = prepared.step_kwargs(self.generators) if prepared.step_kwargs is not None else {}
            out = scheduler.step(noise, t, latents, **extra, return_dict=False)
            capture = StepCapture()
            capture.record(noise, t, latents, out)
            self.latents = out[0]
            self.steps_done += 1
            self.evaluations += len(ids)
            scores = self._score(step, ids, capture) if want_scores else None
        self.seconds += time.perf_counter() - began
        return scores

    def keep(self, ids: Any) -> None:
        """Keep only `ids` (pruned: the others are forgotten)."""
        self._select(self._rows(_ascending(ids, "keep")))

    def take(self, ids: Any) -> CandidateState:
        """Remove `ids` from this worker and return their state, for ``put`` on another worker."""
        rows = self._rows(_ascending(ids, "take"))
        scheduler = self.pipe.scheduler
        assert self.latents is not None
        unlisted = unlisted_history(self.rule, scheduler, self.latents)
        if unlisted:
            raise UnsupportedSchedulerError(
                f"{type(scheduler).__name__} keeps per-candidate state in {', '.join(unlisted)}, which the scheduler "
                f"table does not list (it lists {', '.join(self.rule.history) or 'none'}), so its candidates cannot "
                "move between workers; run the Driver with rebalance=None")
        state = CandidateState(
            signature=self.signature, ids=self.ids[rows.numpy()], steps_done=self.steps_done,
            latents=self.latents.index_select(0, rows.to(self.latents.device)),
            generator_states=[self.generators[r].get_state() for r in rows.tolist()],
            history=history_rows(self.rule, scheduler, rows),
            scheduler=shared_scheduler_state(scheduler, self.rule.history),
            final_raw=None if self.final_raw is None else self.final_raw.index_select(0, rows.to(self.final_raw.device)))
        rest = np.setdiff1d(np.arange(len(self.ids)), rows.numpy())
        self._select(torch.as_tensor(rest, dtype=torch.long))
        return state

    def put(self, state: CandidateState) -> None:
        """Adopt candidates taken from another worker of the same run; they go on as they would have there."""
        if not isinstance(state, CandidateState):
            raise TypeError(f"put takes what take() returned (a CandidateState), not {type(state).__name__}")
        if state.signature != self.signature:
            raise ValueError(f"put: these candidates belong to another run ({state.signature[:5]}) than this worker's "
                             f"({self.signature[:5]})")
        ids = np.asarray(state.ids, dtype=np.int64)
        if np.intersect1d(ids, self.ids).size:
            raise ValueError(f"put: ids {np.intersect1d(ids, self.ids).tolist()} are already held here")
        to_device = lambda t: t.to(self.device)  # noqa: E731
        latents = state.latents.to(self.device)
        history = map_tensors(state.history, to_device)
        generators = generators_from(state.generator_states)
        raw = None if state.final_raw is None else state.final_raw.to(self.device)
        scheduler = self.pipe.scheduler
        if not len(self.ids):  # nothing here, or a stale schedule: take the candidates' step and scheduler state
            if self.prepared is None:
                self._prepare([torch.Generator("cpu").manual_seed(self.seed)])  # the conditioning; its noise is dropped
            adopt_scheduler_state(scheduler, state.scheduler, self.device)
            for name, value in history.items():
                setattr(scheduler, name, value)
            self.ids, self.latents, self.generators = ids, latents, generators
            self.steps_done, self.final_raw = state.steps_done, raw
            return
        if state.steps_done != self.steps_done:
            raise ValueError(f"put: the candidates {ids.tolist()} have done {state.steps_done} steps, the ones here "
                             f"{self.steps_done}")
        assert self.latents is not None
        joined = np.concatenate([self.ids, ids])
        order_np = np.argsort(joined, kind="stable")
        order = torch.as_tensor(order_np, dtype=torch.long)
        join_history(self.rule, scheduler, history, order)
        self.latents = torch.cat([self.latents, latents]).index_select(0, order.to(self.device))
        every = self.generators + generators
        self.generators = [every[r] for r in order_np.tolist()]
        if self.final_raw is not None and raw is not None:
            self.final_raw = torch.cat([self.final_raw, raw]).index_select(0, order.to(raw.device))
        else:
            self.final_raw = None  # decoded again in finalize
        self.ids = joined[order_np]

    def finalize(self, ids: Any) -> list[Any]:
        """The images of finished candidates `ids`, in their order, as output_type says: PIL images,
        (H, W, 3) arrays, (3, H, W) tensors or latents."""
        ids = _ascending(ids, "finalize")
        rows = self._rows(ids)
        if self.steps_done != self.num_steps:
            raise ValueError(f"finalize: the candidates here have done {self.steps_done} of {self.num_steps} steps")
        assert self.latents is not None and self.decoder is not None
        with torch.no_grad():
            latents = self.latents.index_select(0, rows.to(self.latents.device))
            if self.output_type == "latent":
                return [row.clone() for row in latents]
            if self.final_raw is not None:
                raw = self.final_raw.index_select(0, rows.to(self.final_raw.device))
            else:
                kept: list[torch.Tensor] = []
                for _ in self.decoder.finals(latents, kept):
                    pass
                raw = torch.cat(kept)
            images = self._postprocess(raw)
        if self.output_type == "pil":
            return list(images)
        return [image.copy() if isinstance(image, np.ndarray) else image.clone() for image in images]

    # -- besides the protocol -----------------------------------------------------------------------

    def describe(self) -> WorkerInfo:
        """What this worker runs: the driver's session and scorer specs must match it."""
        return WorkerInfo(
            pipeline=self.entry.class_name, family=self.entry.family, scheduler=type(self.pipe.scheduler).__name__,
            num_inference_steps=self.num_inference_steps, num_steps=self.num_steps, seed=self.seed,
            preset=self.preset.name, output_type=self.output_type,
            scorers=tuple((s.name, s.kind, float(getattr(s, "weight", 1.0)), getattr(s, "dim", None))
                          for s in self.scorers),
            signature=self.signature)

    def timing(self) -> tuple[float, int]:
        """(Seconds spent in advance so far - denoising, decoding, scoring -, model evaluations so far)."""
        return self.seconds, self.evaluations

    @property
    def held(self) -> np.ndarray:
        """The ids of the candidates held here, ascending."""
        return self.ids.copy()

    # -- internals ----------------------------------------------------------------------------------

    def _prepare(self, generators: list[torch.Generator]) -> torch.Tensor:
        """Encode the prompt, set the timesteps (resetting the scheduler), draw the generators' noise."""
        with torch.no_grad():
            prepared = LOOPS[self.entry.family](self.pipe, self.prompt, self.num_inference_steps, generators,
                                                self.kwargs)
        if len(prepared.timesteps) != self.num_steps:
            raise ValueError(f"the pipeline runs {len(prepared.timesteps)} denoising iterations, expected "
                             f"{self.num_steps}")
        if hasattr(self.pipe.scheduler, "set_begin_index"):
            self.pipe.scheduler.set_begin_index(0)
        self.prepared = prepared
        self.decoder = Decoder(self.pipe, self.entry.family, self.batch_size, prepared.height, prepared.width,
                               self.preview_vae, self.preview_size)
        return prepared.latents

    def _score(self, step: int, ids: np.ndarray, capture: StepCapture) -> dict[str, np.ndarray]:
        """As group_generate scores: previews of x̂0, or the final images after the last step."""
        assert self.decoder is not None and self.latents is not None
        last = step == self.num_steps - 1
        raw: list[torch.Tensor] = []
        if last:
            batches = self.decoder.finals(self.latents, raw)
        else:
            batches = self.decoder.previews(preview_latents(self.rule, self.pipe.scheduler, capture))
        features, seen = gather_features(self.scorers, batches, self.prompt)
        assert seen == len(ids)
        if last:
            self.final_raw = torch.cat(raw)
        out: dict[str, np.ndarray] = {}
        for scorer, bucket in zip(self.scorers, features):
            joined = torch.cat(bucket)
            if scorer.kind == "pairwise":  # the driver reduces the features of every alive candidate
                joined = joined.detach().to("cpu")
                out[scorer.name] = (joined.float() if joined.dtype == torch.bfloat16 else joined).numpy()
                continue
            values = checked_values(scorer, step, ids, scorer.reduce(joined))
            out[scorer.name] = values.astype(np.float32) if scorer.kind == "embedding" else values
        return out

    def _postprocess(self, raw: torch.Tensor) -> Any:
        """Decoded images -> output_type, as the family's pipeline finishes them."""
        pipe = self.pipe
        denormalize = None
        if self.entry.family == "sd":
            dtype = pipe.text_encoder.dtype if getattr(pipe, "text_encoder", None) is not None else raw.dtype
            raw, nsfw = pipe.run_safety_checker(raw, self.device, dtype)
            denormalize = None if nsfw is None else [not flagged for flagged in nsfw]
        elif self.entry.family == "sdxl" and getattr(pipe, "watermark", None) is not None:
            raw = pipe.watermark.apply_watermark(raw)
        return pipe.image_processor.postprocess(raw, output_type=self.output_type, do_denormalize=denormalize)

    def _rows(self, ids: np.ndarray) -> torch.Tensor:
        rows = np.searchsorted(self.ids, ids)
        if len(ids) and (rows.max() >= len(self.ids) or np.any(self.ids[np.minimum(rows, len(self.ids) - 1)] != ids)):
            raise KeyError(f"ids {np.setdiff1d(ids, self.ids).tolist()} are not held by this worker "
                           f"(it holds {self.ids.tolist()})")
        return torch.as_tensor(rows, dtype=torch.long)

    def _select(self, rows: torch.Tensor) -> None:
        """Keep `rows` of every per-candidate thing, in that order."""
        if self.latents is None:
            if len(rows):
                raise RuntimeError("internal error: rows selected on a worker that holds no candidates")
            return
        self.ids = self.ids[rows.numpy()]
        self.latents = self.latents.index_select(0, rows.to(self.latents.device))
        self.generators = [self.generators[r] for r in rows.tolist()]
        slice_history(self.rule, self.pipe.scheduler, rows)
        if self.final_raw is not None:
            self.final_raw = self.final_raw.index_select(0, rows.to(self.final_raw.device))


def _ascending(ids: Any, method: str) -> np.ndarray:
    array = np.asarray(ids)
    if array.ndim != 1 or not (array.size == 0 or np.issubdtype(array.dtype, np.integer)):
        raise TypeError(f"{method}: ids must be a 1-d array of ints, not {array.dtype} of shape {array.shape}")
    array = array.astype(np.int64)
    if np.any(np.diff(array) <= 0):
        raise ValueError(f"{method}: ids must be ascending and distinct, got {array.tolist()}")
    return array
