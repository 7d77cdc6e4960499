"""The state of candidates on a DiffusersWorker, and how it moves between workers.

A candidate is its latents row, its generator (candidate i's CPU torch.Generator, seeded seed + i,
which has drawn its noise so far), its rows of the scheduler's per-candidate history (the
scheduler table's ``history``: DPM++ 2M's and UniPC's model_outputs, UniPC's last_sample, PNDM's
ets...) and, after the last step was scored, its decoded final image. Everything else a scheduler
holds (timesteps, sigmas, step index, lower_order_nums) is the same for every candidate at the
same step; it travels with the candidates too, so a worker that holds none (never started, or
emptied) can adopt them at the step they are at.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch


@dataclass
class CandidateState:
    """What ``DiffusersWorker.take`` returns and ``put`` adopts (picklable; Ray moves it actor to actor)."""

    signature: tuple[Any, ...]
    """The run these candidates belong to (pipeline, scheduler, prompt, steps, seed, call arguments)."""
    ids: np.ndarray
    steps_done: int
    latents: torch.Tensor
    generator_states: list[torch.Tensor]
    history: dict[str, Any]
    """The scheduler table's history attributes, these candidates' rows."""
    scheduler: dict[str, Any]
    """The scheduler's other attributes (shared by all candidates at this step)."""
    final_raw: torch.Tensor | None
    """Their decoded final images ([-1, 1]) when the last step was scored, else None."""


def map_tensors(value: Any, fn: Callable[[torch.Tensor], torch.Tensor]) -> Any:
    """`value` with fn applied to every tensor inside lists, tuples and dicts."""
    if isinstance(value, torch.Tensor):
        return fn(value)
    if isinstance(value, list):
        return [map_tensors(v, fn) for v in value]
    if isinstance(value, tuple):
        return tuple(map_tensors(v, fn) for v in value)
    if isinstance(value, dict):
        return {k: map_tensors(v, fn) for k, v in value.items()}
    return value


def shared_scheduler_state(scheduler: Any, history: tuple[str, ...]) -> dict[str, Any]:
    """A copy of every scheduler attribute that is not per-candidate history (nor its configuration,
    the same on every worker of a run)."""
    return {name: copy.deepcopy(value) for name, value in vars(scheduler).items()
            if name not in history and name != "_internal_dict"}


def adopt_scheduler_state(scheduler: Any, state: dict[str, Any], device: torch.device) -> None:
    """Set `scheduler`'s shared attributes to `state`; tensors that were on an accelerator go to `device`
    (each actor sees its own GPU), CPU ones stay on the CPU (schedulers keep sigmas there)."""
    for name, value in state.items():
        setattr(scheduler, name, map_tensors(value, lambda t: t if t.device.type == "cpu" else t.to(device)))


def generators_from(states: list[torch.Tensor]) -> list[torch.Generator]:
    generators = []
    for state in states:
        generator = torch.Generator("cpu")
        generator.set_state(state)
        generators.append(generator)
    return generators
