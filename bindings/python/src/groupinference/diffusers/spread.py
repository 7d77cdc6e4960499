"""distributed_generate: group_generate with the candidates spread over DiffusersWorkers.

One session on the driver decides, as in group_generate; the workers (Ray actors, or
DiffusersWorker objects in this process) hold the candidates and send back scores. The session is
made as group_generate makes it (the pipeline family's preset where an argument is None, num_steps
the pipeline's denoising iterations, seed the workers' seed), so for the same pipeline, prompt,
seed and options the group, the survivors of every prune and the evaluations are
group_generate's, and so are the images (bit for bit on CPU with batch_size = 1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import groupinference as gi

from ._progress import StepBar
from ._specs import scorer_specs
from .generate import SESSION_OPTIONS, session_settings
from .presets import PRESETS, Preset
from .presets import preset as preset_named

__all__ = ["distributed_generate", "DistributedOutput"]


@dataclass
class DistributedOutput:
    """What distributed_generate returns: GroupOutput's fields, and the distributed run."""

    images: Any
    """The K images, in the order of ids: PIL images, an (K, H, W, 3) array, a (K, 3, H, W) tensor or latents,
    as the workers' output_type says."""
    ids: np.ndarray
    result: gi.Result
    seeds: list[int]
    """seed + id of each image: pipe(prompt, generator=torch.Generator().manual_seed(s), ...) re-creates it."""
    scores: dict[str, np.ndarray]
    """Per scorer, each image's raw value in the final scoring (as GroupOutput.scores)."""
    num_inference_steps: int
    run: Any
    """The groupinference.distributed.DistributedResult: losses, rebalances, timings."""


def _pool(workers: Any) -> Any:
    from groupinference.distributed import LocalPool, Pool

    if isinstance(workers, Pool):
        return workers
    if isinstance(workers, Sequence) and workers and not isinstance(workers, (str, bytes)):
        return LocalPool(list(workers))
    raise TypeError("workers must be a groupinference.distributed Pool (RayPool, LocalPool) or a list of "
                    f"DiffusersWorker objects, not {type(workers).__name__}")


def _describe(pool: Any) -> Any:
    """Every worker's WorkerInfo; they must agree."""
    from groupinference.distributed import Gone

    answers = pool.call("describe", {w: () for w in range(len(pool))})
    names = pool.names
    gone = {names[w]: a.reason for w, a in answers.items() if isinstance(a, Gone)}
    if gone:
        raise RuntimeError(f"workers gone before the run: {gone}")
    first = answers[0]
    for w, info in answers.items():
        if info != first:
            raise ValueError(f"workers {names[0]!r} and {names[w]!r} run different things: {first} vs {info}; "
                             "build every worker with the same model, prompt, steps, seed, scorers and arguments")
    return first


def distributed_generate(workers: Any, scorers: Sequence[Any], *, num_candidates: int | None = None,
                         group_size: int | None = None, lam: float | None = None, schedule: str | None = None,
                         preset: str | Preset | None = None, rebalance: float | None = 0.25,
                         shards: Sequence[Any] | None = None, progress: bool = True,
                         on_step: Callable[[Any], object] | None = None, **session_kwargs: Any) -> DistributedOutput:
    """Group inference with the candidates spread over DiffusersWorkers.

    Args:
        workers: a RayPool of DiffusersWorker actors, a LocalPool, or a list of DiffusersWorker
            objects (run in this process, one after the other).
        scorers: the scorers the workers were given (the same objects or equal copies): the session
            registers them, and the driver runs pairwise scorers' ``reduce`` on the features the
            workers send (see ``scorer_specs``).
        num_candidates, group_size, lam, schedule, preset: as group_generate's (None: the preset's).
        rebalance, shards: as groupinference.distributed.Driver's.
        progress: a progress bar per step.
        on_step: called with the Driver after every step (shards, losses, timings so far).
        **session_kwargs: groupinference.Session options (prune_ratio, first_prune_step, budget, ...).

    >>> from groupinference.diffusers import DiffusersWorker, tiny_pipeline
    >>> from groupinference.scorers import EmbeddingScorer, UnaryScorer
    >>> pipe = tiny_pipeline("sd", scheduler="dpm++2m")
    >>> scorers = [UnaryScorer(lambda im: im.mean(dim=(1, 2, 3)), name="brightness"),
    ...            EmbeddingScorer(lambda im: im.mean(dim=(2, 3)), dim=3, name="colour")]
    >>> workers = [DiffusersWorker(pipe, "a photo of a dog", 3, seed=0, scorers=scorers, output_type="pt")
    ...            for _ in range(2)]
    >>> out = distributed_generate(workers, scorers, num_candidates=8, group_size=2, progress=False)
    >>> out.images.shape, len(out.ids), out.result.evaluations
    (torch.Size([2, 3, 16, 16]), 2, 14)
    """
    from groupinference.distributed import Driver

    unknown = sorted(set(session_kwargs) - SESSION_OPTIONS)
    if unknown:
        raise TypeError(f"distributed_generate got {', '.join(unknown)}, which are not groupinference.Session "
                        "options; pipeline call arguments go to each DiffusersWorker")
    pool = _pool(workers)
    info = _describe(pool)
    specs = scorer_specs(scorers, None)
    mine = tuple((s.name, type(s).__name__.lower(), float(s.weight), getattr(s, "dim", None)) for s in specs)
    if mine != info.scorers:
        raise ValueError(f"scorers: the driver's {mine} are not the workers' {info.scorers}")
    prompt = info.signature[2]
    specs = scorer_specs(scorers, prompt)
    chosen = preset_named(preset) if preset is not None else PRESETS[info.preset]
    settings = session_settings(chosen, num_candidates, group_size, lam, schedule, info.seed, session_kwargs)
    bar = StepBar(progress, info.num_steps, settings["num_candidates"])
    try:
        with gi.Session(num_steps=info.num_steps, **settings) as session:
            driver = Driver(session, pool, specs, rebalance=rebalance, shards=shards)

            def after(d: Any) -> None:
                bar.update(d.session.progress, d.session.num_candidates)
                if on_step is not None:
                    on_step(d)

            run = driver.run(on_step=after)
    finally:
        bar.close()
    result = run.result
    final = result.records[-1]
    where = np.searchsorted(final.ids, result.ids)
    scores = {name: values[where] for name, values in final.scorer_values.items()}
    return DistributedOutput(images=_stack(run.outputs, info.output_type), ids=result.ids, result=result,
                             seeds=[info.seed + int(i) for i in result.ids], scores=scores,
                             num_inference_steps=info.num_inference_steps, run=run)


def _stack(outputs: list[Any], output_type: str) -> Any:
    """The workers' per-image outputs as the pipeline returns a batch of them."""
    if output_type == "np":
        return np.stack(outputs)
    if output_type in ("pt", "latent"):
        import torch

        return torch.stack(outputs)
    return list(outputs)
