"""groupinference.diffusers: group inference inside diffusers pipelines.

>>> import groupinference.diffusers as gd
>>> gd.PRESETS["flux-schnell"].num_candidates
64
>>> sorted(gd.SUPPORTED_PIPELINES)
['FluxPipeline', 'StableDiffusion3Pipeline', 'StableDiffusionPipeline', 'StableDiffusionXLPipeline']

``group_generate(pipe, prompt, scorers=[...], ...)`` draws M candidates, denoises them step by
step and keeps, after the steps the schedule says, the candidates that form the best group - the
library (libgroupinference) decides who survives; this package runs the pipeline, decodes the
previews and feeds the scorers. ``distributed_generate(workers, scorers, ...)`` does the same with the
candidates spread over ``DiffusersWorker``s (Ray actors or objects in this process; see
groupinference.distributed). See bindings/python/README.md ("diffusers", "Scaling out").

Importing this package imports neither torch nor diffusers; its names load them on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import ScorerOutputError, TableMismatchError, UnsupportedPipelineError, UnsupportedSchedulerError
from .presets import PRESETS, Preset, preset

_LAZY = {
    "group_generate": "generate",
    "GroupOutput": "generate",
    "GroupInferenceCallback": "callback",
    "candidate_generators": "callback",
    "tiny_pipeline": "tiny",
    "SUPPORTED_SCHEDULERS": "_schedulers",
    "DiffusersWorker": "worker",
    "WorkerInfo": "worker",
    "CandidateState": "worker",
    "scorer_specs": "worker",
    "distributed_generate": "spread",
    "DistributedOutput": "spread",
}

__all__ = [
    "group_generate", "GroupOutput", "GroupInferenceCallback", "candidate_generators", "tiny_pipeline",
    "DiffusersWorker", "WorkerInfo", "CandidateState", "scorer_specs", "distributed_generate", "DistributedOutput",
    "PRESETS", "Preset", "preset", "SUPPORTED_PIPELINES", "SUPPORTED_SCHEDULERS",
    "UnsupportedPipelineError", "UnsupportedSchedulerError", "ScorerOutputError", "TableMismatchError",
]


def __getattr__(name: str) -> Any:
    if name == "SUPPORTED_PIPELINES":
        return importlib.import_module("._pipelines", __name__).SUPPORTED_PIPELINES
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    return sorted(__all__)
