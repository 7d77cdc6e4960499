"""Calibrated schedules: derive survivor counts from full runs (gi_calibrate),
and save / load them as small JSON files (gi_schedule_save, gi_schedule_load).

Experimental: this module may still change during 0.x (see the package docstring).

A *full run* is a finished :class:`~groupinference.Session` that denoised
every candidate to the end and scored every step::

    gi.Session(..., first_prune_step=num_steps - 1, trace_every_step=True)

All runs share M, K, T and lambda. The library replays every schedule of a
family (keep all M until step f, then fall geometrically to K by step g) on
the runs - their previews are what a pruned run would have seen, since
candidates are denoised independently - and returns the schedule that keeps
the most of full selection's gain over i.i.d. sampling within a budget, or
the cheapest one that keeps a requested share.

>>> import numpy as np, groupinference as gi
>>> rng = np.random.default_rng(0)
>>> def full_run(seed):  # a toy host whose quality scores sharpen over the 5 steps
...     q, e = rng.normal(size=16), rng.normal(size=(16, 4))
...     s = gi.Session(num_candidates=16, group_size=4, num_steps=5, first_prune_step=4,
...                    trace_every_step=True, seed=seed)
...     s.add_unary_scorer("quality", lambda step, ids: q[ids] * (step + 1) / 5)
...     s.add_embedding_scorer("looks", lambda step, ids: e[ids], dim=4)
...     s.set_denoiser(lambda step, ids: None)
...     s.run()
...     return s
>>> runs = [full_run(seed) for seed in range(3)]
>>> c = gi.calibrate(runs, budget=0.5)
>>> len(c.counts), int(c.counts[-1]), c.evaluations <= 0.5 * 16 * 5
(5, 4, True)
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _convert as C
from . import _ffi
from . import _structs as S
from ._options import path_bytes
from .session import Session

__all__ = ["Calibration", "ScheduleFile", "calibrate", "save_schedule", "load_schedule"]

IdsArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
PathArg = str | os.PathLike[str]


@dataclass(frozen=True)
class Calibration:
    """A schedule derived by :func:`calibrate`, with what it kept on the runs."""

    num_candidates: int
    group_size: int
    num_steps: int
    lam: float
    """The lambda of the runs; the saved file records it and sessions with another are refused."""
    counts: IdsArray
    """Survivors after each step (T entries, the last K): pass as survivor_counts, or save()."""
    evaluations: int
    """Model evaluations the schedule spends (M + sum of counts[:-1])."""
    evaluations_fraction: float
    """The same as a fraction of M*T."""
    retention: float
    """Mean share of full selection's gain over i.i.d. kept on the runs."""
    retention_min: float
    """The worst run's share."""
    first_prune_step: int
    """First step that prunes."""
    num_runs: int
    step_retention: FloatArray
    """Per step t: retention when the final group is chosen directly with step t's scores."""
    step_overlap: FloatArray
    """Per step t: share of that group in full selection's group."""

    def save(self, path: PathArg) -> None:
        """Write the schedule (with its report) as JSON for ``Session(schedule="calibrated", schedule_file=path)``."""
        _save(path, self.num_candidates, self.group_size, self.num_steps, self.lam, self.counts, self._report())

    def _report(self) -> S.GiCalibrationReport:
        return S.GiCalibrationReport(
            evaluations=self.evaluations, evaluations_fraction=self.evaluations_fraction,
            retention=self.retention, retention_min=self.retention_min,
            first_prune_step=self.first_prune_step, num_runs=self.num_runs,
        )


@dataclass(frozen=True)
class ScheduleFile:
    """A schedule file as gi_schedule_load reads it."""

    num_candidates: int
    group_size: int
    num_steps: int
    lam: float | None
    """The lambda it was calibrated for; None if the file does not record one."""
    counts: IdsArray
    """Survivors after each step (T entries, the last K)."""

    @property
    def evaluations(self) -> int:
        """Model evaluations the schedule spends: all M at step 0, then counts[t-1] at step t."""
        return self.num_candidates + int(self.counts[:-1].sum())


def calibrate(runs: Sequence[Session], budget: float | None = None,
              retention: float | None = None) -> Calibration:
    """Derive a schedule from full runs (gi_calibrate).

    Give exactly one goal: ``budget`` (a fraction of M*T in (0, 1]) for the
    schedule that keeps the most within it, or ``retention`` (a share in
    (0, 1]) for the cheapest schedule that keeps at least that much on
    average over the runs. ArgumentError when the runs are unfit (not full
    runs, different M, K, T or lambda) or no schedule meets the goal.
    """
    sessions = list(runs) if not isinstance(runs, Session) else None
    if sessions is None:
        raise TypeError("runs must be a sequence of Sessions, not a single Session")
    for i, s in enumerate(sessions):
        if not isinstance(s, Session):
            raise TypeError(f"runs[{i}] must be a groupinference.Session, not {type(s).__name__}")
    if (budget is None) == (retention is None):
        raise ValueError("give exactly one of budget (fraction of M*T) and retention (share of the gain to keep)")
    goal = S.GiCalibrationGoal(struct_size=ctypes.sizeof(S.GiCalibrationGoal))
    if budget is not None:
        goal.budget = C.real("budget", budget)
        if goal.budget == 0:  # 0 means "by retention" to the library
            raise ValueError("budget = 0 is out of range (0, 1]")
    else:
        goal.retention = C.real("retention", retention)
    handles = (S.SessionHandle * max(1, len(sessions)))(*[s._live() for s in sessions])
    steps = sessions[0].num_steps if sessions else 1
    counts = np.zeros(steps, dtype=np.int32)
    step_retention = np.full(steps, np.nan)
    step_overlap = np.full(steps, np.nan)
    report = S.GiCalibrationReport()
    _ffi.gi_calibrate(handles, len(sessions), ctypes.byref(goal), C.address(counts), steps,
                      C.address(step_retention), C.address(step_overlap), ctypes.byref(report),
                      ctypes.sizeof(report))
    first = sessions[0]
    return Calibration(
        num_candidates=first.num_candidates, group_size=first.group_size, num_steps=first.num_steps,
        lam=first.lam, counts=counts, evaluations=report.evaluations, evaluations_fraction=report.evaluations_fraction,
        retention=report.retention, retention_min=report.retention_min,
        first_prune_step=report.first_prune_step, num_runs=report.num_runs,
        step_retention=step_retention, step_overlap=step_overlap,
    )


def save_schedule(path: PathArg, num_candidates: int, group_size: int, num_steps: int,
                  survivor_counts: npt.ArrayLike, report: Calibration | None = None,
                  lam: float | None = None) -> None:
    """Write any schedule as a schedule file (gi_schedule_save); ``report``: a Calibration whose
    retention figures (and lambda) go into the file (None: none); ``lam``: the lambda it suits
    (default: the report's, else unrecorded)."""
    if lam is None and report is not None:
        lam = report.lam
    _save(path, num_candidates, group_size, num_steps, lam, survivor_counts,
          None if report is None else report._report())


def _save(path: PathArg, m: int, k: int, t: int, lam: float | None, survivor_counts: Any,
          report: S.GiCalibrationReport | None) -> None:
    c_path = path_bytes("path", path)
    c_m, c_k, c_t = C.integer("num_candidates", m), C.integer("group_size", k), C.integer("num_steps", t)
    counts = C.ids("survivor_counts", survivor_counts)
    if len(counts) != c_t:
        # The library reads num_steps entries: a shorter array would be read past its end.
        raise ValueError(f"survivor_counts has {len(counts)} entries; num_steps = {c_t} needs one per step")
    c_lam = float("nan") if lam is None else C.real("lam", lam)
    _ffi.gi_schedule_save(c_path, c_m, c_k, c_t, c_lam, C.address(counts),
                          None if report is None else ctypes.byref(report),
                          ctypes.sizeof(S.GiCalibrationReport))


def load_schedule(path: PathArg) -> ScheduleFile:
    """Read a schedule file (gi_schedule_load); ArgumentError names what is wrong with it."""
    c_path = path_bytes("path", path)
    m, k, t, count = ctypes.c_int32(), ctypes.c_int32(), ctypes.c_int32(), ctypes.c_size_t()
    lam = ctypes.c_double()
    _ffi.gi_schedule_load(c_path, ctypes.byref(m), ctypes.byref(k), ctypes.byref(t), ctypes.byref(lam), None, 0,
                          ctypes.byref(count))
    counts = np.zeros(count.value, dtype=np.int32)
    if count.value:
        _ffi.gi_schedule_load(c_path, ctypes.byref(m), ctypes.byref(k), ctypes.byref(t), ctypes.byref(lam),
                              C.address(counts), count.value, ctypes.byref(count))
    return ScheduleFile(num_candidates=m.value, group_size=k.value, num_steps=t.value,
                        lam=None if np.isnan(lam.value) else lam.value, counts=counts[: count.value])
