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

__all__ = ["Progress", "StepRecord", "Diagnostics", "Result", "SolveStatus"]

IdsArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]

SolveStatus = Literal["none", "optimal", "gap_limit", "time_limit", "heuristic"]
"""How a selection was solved (gi_solve_status)."""


def optional(x: float) -> float | None:
    """None for the library's NaN (no value)."""
    return None if math.isnan(x) else float(x)


def solve_status(code: int) -> str:
    return S.SOLVE_STATUS_NAMES.get(code, f"unknown ({code})")


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

    @classmethod
    def from_c(cls, p: S.GiProgress) -> Progress:
        return cls(
            steps_done=p.steps_done, num_steps=p.num_steps, alive=p.alive, done=bool(p.done),
            keep_after_next=p.keep_after_next, scores_needed=bool(p.scores_needed),
            retry_pending=bool(p.retry_pending), num_records=p.num_records, evaluations=p.evaluations,
            naive_evaluations=p.naive_evaluations, objective=optional(p.objective),
        )


@dataclass(frozen=True, repr=False)
class StepRecord:
    """One scoring of the survivors (gi_step_record plus its arrays)."""

    step: int
    """Step whose previews were scored; -1 before the first step."""
    ids: IdsArray
    """The ids scored, ascending."""
    kept: IdsArray
    """The ids kept, ascending."""
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

    def __repr__(self) -> str:
        # A summary: the arrays of one record hold up to M values each.
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
