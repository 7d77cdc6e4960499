"""What a session reports: where it stands, its trace, its final group.

Plain frozen dataclasses built from the library's structs and arrays by
:class:`~groupinference.Session`; a float the library reports as NaN (no
value) is None here.

:class:`StepRecord`'s ``group`` and :class:`Diagnostics` are experimental
(they may change during 0.x; see the README's "Stable core and experimental
parts").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from . import _structs as S

__all__ = ["Progress", "StepRecord", "Diagnostics", "Result", "SolveStatus", "BoundKind"]

IdsArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]

SolveStatus = Literal["none", "optimal", "gap_limit", "time_limit", "heuristic"]
"""How a selection was solved (gi_solve_status)."""
BoundKind = Literal["none", "trivial", "cheap", "relaxation", "mip"]
"""Which bound a solve reports (gi_bound_kind): "none" (no bound: bound and gap are None),
"trivial" (no search was needed - K = n, K = 1 or lambda = 0 - so the bound is the optimum),
"cheap" (each item's unary score plus its best K-1 weighted pair values), "relaxation" (the
branch and bound's concave relaxation) or "mip" (GLPK's LP bound)."""


def optional(x: float) -> float | None:
    """None for the library's NaN (no value)."""
    return None if math.isnan(x) else float(x)


def solve_status(code: int) -> str:
    return S.SOLVE_STATUS_NAMES.get(code, f"unknown ({code})")


def bound_kind(code: int) -> str:
    return S.BOUND_KIND_NAMES.get(code, f"unknown ({code})")


def summary(ids: np.ndarray, shown: int = 8) -> str:
    """The ids as a short list: the first ones and the last when there are many."""
    if len(ids) <= shown:
        return str([int(i) for i in ids])
    head = ", ".join(str(int(i)) for i in ids[: shown - 1])
    return f"[{head}, ..., {int(ids[-1])}] ({len(ids)} ids)"


@dataclass(frozen=True)
class Progress:
    """Where a session stands (gi_progress)."""

    steps_done: int
    num_steps: int
    alive: int
    done: bool
    keep_after_next: int
    scores_needed: bool
    retry_pending: bool
    num_records: int
    evaluations: int
    naive_evaluations: int
    objective: float | None
    """The final group's objective; None until done."""
    # Since 0.3 (defaults, so code that builds a Progress keeps working). "Latest scoring"
    # skips discard records.
    last_solve_status: SolveStatus = "none"
    """How the latest scoring's selection was solved; "none" before any."""
    discarded: int = 0
    """Candidates removed by Session.discard so far."""
    last_seconds_scoring: float = 0.0
    """The latest scoring's scoring time (0 before any)."""
    last_seconds_solving: float = 0.0
    """The latest scoring's solving time (0 before any)."""
    last_step_seconds: float = 0.0
    """Wall time of the latest completed step: denoiser, scoring and solving (0 before any)."""

    @classmethod
    def from_c(cls, p: S.GiProgress) -> Progress:
        return cls(
            steps_done=p.steps_done, num_steps=p.num_steps, alive=p.alive, done=bool(p.done),
            keep_after_next=p.keep_after_next, scores_needed=bool(p.scores_needed),
            retry_pending=bool(p.retry_pending), num_records=p.num_records, evaluations=p.evaluations,
            naive_evaluations=p.naive_evaluations, objective=optional(p.objective),
            last_solve_status=solve_status(p.last_solve_status),  # type: ignore[arg-type]
            discarded=p.discarded, last_seconds_scoring=p.last_seconds_scoring,
            last_seconds_solving=p.last_seconds_solving, last_step_seconds=p.last_step_seconds,
        )


@dataclass(frozen=True, repr=False)
class StepRecord:
    """One scoring of the survivors (gi_step_record plus its arrays) - or a discard
    (``discarded > 0``: Session.discard removed ``ids``, nothing was scored)."""

    step: int
    """Step whose previews were scored; -1 before the first step. For a discard, the last step completed."""
    ids: IdsArray
    """The ids scored, ascending; for a discard, the ids discarded."""
    kept: IdsArray
    """The ids kept, ascending; for a discard, the survivors after it."""
    group: IdsArray
    """The best group of K under this record's scores, ascending (gi_trace_group): the kept ids
    when the record kept K; otherwise known only in detail mode (trace_every_step, or the adaptive
    schedule), else empty. Experimental."""
    unary: FloatArray
    """Combined unary score of each scored id, as the solver saw it."""
    diversity: FloatArray
    """Mean combined pairwise score of each scored id to the other scored ids."""
    scorer_values: dict[str, FloatArray]
    """Per scorer name: its raw score (unary) or raw mean difference (embedding, pairwise)."""
    solve_status: SolveStatus
    """"none" | "optimal" | "gap_limit" | "time_limit" | "heuristic"."""
    objective: float | None
    bound: float | None
    gap: float | None
    evaluations: int
    seconds_scoring: float
    seconds_solving: float
    on_demand: bool
    is_final: bool
    # Since 0.3 (defaults, so code that builds a StepRecord keeps working).
    discarded: int = 0
    """How many ids Session.discard removed in this record; 0 for a scoring."""
    bound_kind: BoundKind = "none"
    """Which bound ``bound`` is."""

    def __repr__(self) -> str:
        # A summary: the arrays of one record hold up to M values each.
        if self.discarded:
            return f"<StepRecord step={self.step} discarded={summary(self.ids)} kept={len(self.kept)}>"
        objective = "None" if self.objective is None else f"{self.objective:.6g}"
        return (f"<StepRecord step={self.step} scored={len(self.ids)} kept={len(self.kept)} "
                f"status={self.solve_status!r} objective={objective}>")


@dataclass(frozen=True)
class Diagnostics:
    """How settled one record's scores are (gi_diagnostics); None where the library has no value (NaN).

    Experimental: may change during 0.x."""

    spearman_previous: float | None
    """Rank correlation with the previous record's scores over the candidates both scored;
    None for the first record or fewer than 3 in common."""
    spearman_final: float | None
    """The same against the final record; None until the session is done."""
    group_overlap_previous: float | None
    """Share of this record's best group (StepRecord.group) in the previous record's; None unless both are known."""
    group_overlap_final: float | None
    """Share of this record's best group in the final group; None until done or when unknown."""
    movement: float | None
    """Median |change| of the scores since the previous record; None for the first."""
    common_previous: int
    """Candidates both this and the previous record scored."""
    common_final: int
    """Candidates both this and the final record scored."""

    @classmethod
    def from_c(cls, d: S.GiDiagnostics) -> Diagnostics:
        return cls(
            spearman_previous=optional(d.spearman_previous), spearman_final=optional(d.spearman_final),
            group_overlap_previous=optional(d.group_overlap_previous),
            group_overlap_final=optional(d.group_overlap_final), movement=optional(d.movement),
            common_previous=d.common_previous, common_final=d.common_final,
        )


@dataclass(frozen=True, repr=False)
class Result:
    """The final group of a finished session."""

    ids: IdsArray
    unary: FloatArray
    pairwise: FloatArray
    """K x K combined pairwise scores, zero diagonal, in the order of ids."""
    objective: float
    evaluations: int
    naive_evaluations: int
    records: list[StepRecord]

    def __repr__(self) -> str:
        # A summary: the records alone print kilobytes (each holds arrays of up to M values).
        return (f"<Result ids={summary(self.ids)} objective={self.objective:.6g} "
                f"evaluations={self.evaluations} of {self.naive_evaluations} naive, {len(self.records)} records>")
