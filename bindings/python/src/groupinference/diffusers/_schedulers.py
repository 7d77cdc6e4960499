"""The scheduler table: what each supported scheduler keeps per candidate, and its preview x̂0.

A scheduler steps the whole batch at once; multistep schedulers keep earlier steps of every
candidate (their *history*), which must be sliced together with the latents when candidates are
pruned. The preview x̂0 of a step (the scheduler's estimate of the final latents) is, per rule:

- ``pred_original_sample``: the scheduler's own output field (DDIM, Euler, Euler ancestral);
- ``data_prediction``: the x̂0 the multistep solver converted the model output to and stored as
  ``model_outputs[-1]`` (DPM++ 2M with algorithm_type "dpmsolver++"/"sde-dpmsolver++", UniPC
  with predict_x0) - the same quantity, under another name;
- ``alphas``: computed from the model output, as DDIM would: x̂0 = (x - sqrt(1-ᾱ_t) ε) / sqrt(ᾱ_t)
  for ε-prediction, sqrt(ᾱ_t) x - sqrt(1-ᾱ_t) v for v-prediction (PNDM, which has no such field);
- ``flow``: x - σ·v with σ the step's sigma (flow-match Euler; v is the velocity the model predicts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from .errors import TableMismatchError, UnsupportedSchedulerError


@dataclass
class StepCapture:
    """The latest scheduler.step call: its inputs and its output."""

    model_output: torch.Tensor | None = None
    timestep: Any = None
    sample: torch.Tensor | None = None
    output: Any = None

    def record(self, model_output: torch.Tensor, timestep: Any, sample: torch.Tensor, output: Any) -> None:
        self.model_output, self.timestep, self.sample, self.output = model_output, timestep, sample, output


@dataclass(frozen=True)
class SchedulerRule:
    """One row of the scheduler table."""

    class_name: str
    label: str
    preview: str
    """"pred_original_sample" | "data_prediction" | "alphas" | "flow" (see the module doc)."""
    history: tuple[str, ...]
    """Attributes holding per-candidate state: a tensor, a list of tensors (None entries allowed),
    or a number (PNDM's cur_model_output is 0 between Runge-Kutta steps)."""
    flow: bool
    """A flow-matching scheduler (SD3, FLUX) rather than a diffusion one (SD, SDXL)."""
    check: Callable[[Any], str | None] = lambda config: None
    """A configuration the rule cannot handle -> what is wrong; None when fine."""


def _dpm_check(config: Any) -> str | None:
    algorithm = config.get("algorithm_type")
    if algorithm not in ("dpmsolver++", "sde-dpmsolver++"):
        return f"algorithm_type = {algorithm!r} is not DPM++ (use 'dpmsolver++' or 'sde-dpmsolver++')"
    return None


def _unipc_check(config: Any) -> str | None:
    if not config.get("predict_x0", True):
        return "predict_x0 = False: its stored model outputs are not x̂0 predictions (use predict_x0=True)"
    return None


def _flow_check(config: Any) -> str | None:
    if config.get("stochastic_sampling", False):
        return ("stochastic_sampling = True draws noise without the candidates' generators, so a candidate "
                "could not be reproduced alone")
    return None


SCHEDULERS: dict[str, SchedulerRule] = {
    r.class_name: r
    for r in (
        SchedulerRule("DDIMScheduler", "DDIM", "pred_original_sample", (), flow=False),
        SchedulerRule("EulerDiscreteScheduler", "Euler", "pred_original_sample", (), flow=False),
        SchedulerRule("EulerAncestralDiscreteScheduler", "Euler ancestral", "pred_original_sample", (), flow=False),
        SchedulerRule("DPMSolverMultistepScheduler", "DPM++ 2M", "data_prediction", ("model_outputs",), flow=False,
                      check=_dpm_check),
        SchedulerRule("UniPCMultistepScheduler", "UniPC", "data_prediction", ("model_outputs", "last_sample"),
                      flow=False, check=_unipc_check),
        SchedulerRule("PNDMScheduler", "PNDM", "alphas", ("ets", "cur_sample", "cur_model_output"), flow=False),
        SchedulerRule("FlowMatchEulerDiscreteScheduler", "flow-match Euler", "flow", (), flow=True,
                      check=_flow_check),
    )
}

SUPPORTED_SCHEDULERS = tuple(SCHEDULERS)
"""Class names of the supported schedulers."""


def _names(flow: bool) -> str:
    return ", ".join(f"{r.class_name} ({r.label})" for r in SCHEDULERS.values() if r.flow == flow)


def scheduler_rule(scheduler: Any, flow: bool, pipeline_name: str) -> SchedulerRule:
    """The rule for `scheduler` in a pipeline that needs a flow (or a diffusion) scheduler; a clear
    error for anything else."""
    name = type(scheduler).__name__
    rule = SCHEDULERS.get(name)
    if rule is None or rule.flow != flow:
        kind = "flow-matching" if flow else "diffusion"
        raise UnsupportedSchedulerError(
            f"{name} is not supported with {pipeline_name}; the supported {kind} schedulers are {_names(flow)}")
    problem = rule.check(scheduler.config)
    if problem is not None:
        raise UnsupportedSchedulerError(f"{name} ({rule.label}) is not supported with {problem}")
    missing = [a for a in rule.history if not hasattr(scheduler, a)]
    if missing:
        raise TableMismatchError(
            f"{name} has no attribute {', '.join(missing)}: the scheduler table expects its per-candidate history "
            f"there (written for diffusers 0.42); this diffusers version keeps it elsewhere")
    return rule


def preview_latents(rule: SchedulerRule, scheduler: Any, capture: StepCapture) -> torch.Tensor:
    """x̂0 of the latest step, one row per candidate, in float32 (see the module doc)."""
    if capture.output is None:
        raise RuntimeError(f"{type(scheduler).__name__}.step was not seen in this step")
    if rule.preview == "pred_original_sample":
        out = capture.output
        x0 = out[1] if isinstance(out, tuple) else out.pred_original_sample
    elif rule.preview == "data_prediction":
        x0 = scheduler.model_outputs[-1]
    elif rule.preview == "alphas":
        t = capture.timestep
        t = int(t.item()) if isinstance(t, torch.Tensor) else int(t)
        alpha = scheduler.alphas_cumprod[t].to(torch.float32)
        x = capture.sample.to(torch.float32)
        out = capture.model_output.to(torch.float32)
        a, s = alpha.sqrt().to(x.device), (1 - alpha).sqrt().to(x.device)
        kind = scheduler.config.prediction_type
        if kind == "epsilon":
            x0 = (x - s * out) / a
        elif kind == "v_prediction":
            x0 = a * x - s * out
        else:
            raise UnsupportedSchedulerError(f"{type(scheduler).__name__} with prediction_type = {kind!r}")
    else:  # flow: the step used sigmas[step_index] and then advanced step_index
        sigma = scheduler.sigmas[scheduler.step_index - 1].to(torch.float32)
        x0 = capture.sample.to(torch.float32) - sigma.to(capture.sample.device) * capture.model_output.to(torch.float32)
    return x0.to(torch.float32)


def slice_history(rule: SchedulerRule, scheduler: Any, rows: torch.Tensor) -> None:
    """Keep only `rows` of every per-candidate history attribute of `scheduler`."""
    for name in rule.history:
        value = getattr(scheduler, name)
        if isinstance(value, torch.Tensor):
            setattr(scheduler, name, value.index_select(0, rows.to(value.device)))
        elif isinstance(value, list):
            value[:] = [v.index_select(0, rows.to(v.device)) if isinstance(v, torch.Tensor) else v for v in value]
        # None or a number: nothing per candidate yet


# -- moving candidates between schedulers (groupinference.diffusers.DiffusersWorker) ------------------


def _rows_of(value: Any, rows: torch.Tensor) -> Any:
    if isinstance(value, torch.Tensor):
        return value.index_select(0, rows.to(value.device))
    if isinstance(value, list):
        return [_rows_of(v, rows) for v in value]
    return value  # None or a number: nothing per candidate yet, the same for every candidate


def history_rows(rule: SchedulerRule, scheduler: Any, rows: torch.Tensor) -> dict[str, Any]:
    """The per-candidate history of `rows`, per attribute (tensors keep their device)."""
    return {name: _rows_of(getattr(scheduler, name), rows) for name in rule.history}


def _joined(name: str, mine: Any, theirs: Any, order: torch.Tensor) -> Any:
    if isinstance(mine, torch.Tensor) and isinstance(theirs, torch.Tensor):
        return torch.cat([mine, theirs.to(mine.device, mine.dtype)]).index_select(0, order.to(mine.device))
    if isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs):
        return [_joined(name, a, b, order) for a, b in zip(mine, theirs)]
    if not isinstance(mine, (torch.Tensor, list)) and not isinstance(theirs, (torch.Tensor, list)) and mine == theirs:
        return mine
    raise ValueError(f"scheduler attribute {name}: the candidates put here are at another point of their history "
                     f"({_kind(theirs)} against {_kind(mine)} here)")


def _kind(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return repr(value)


def join_history(rule: SchedulerRule, scheduler: Any, theirs: dict[str, Any], order: torch.Tensor) -> None:
    """Append the history rows `theirs` (from :func:`history_rows` on another scheduler at the same
    step) to `scheduler`'s and reorder all rows by `order` (indices into [mine; theirs])."""
    for name in rule.history:
        setattr(scheduler, name, _joined(name, getattr(scheduler, name), theirs[name], order))


def unlisted_history(rule: SchedulerRule, scheduler: Any, latents: torch.Tensor) -> list[str]:
    """Attributes of `scheduler` that look per-candidate (tensors, or lists of tensors, shaped like
    `latents`) but are not in the rule's history: state a move would leave behind."""
    def per_candidate(value: Any) -> bool:
        if isinstance(value, torch.Tensor):
            return value.ndim == latents.ndim and tuple(value.shape) == tuple(latents.shape)
        return isinstance(value, (list, tuple)) and any(per_candidate(v) for v in value)

    if latents.shape[0] == 0:
        return []
    return sorted(name for name, value in vars(scheduler).items() if name not in rule.history and per_candidate(value))
