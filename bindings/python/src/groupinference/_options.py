"""gi_options from keyword arguments, with the library's own defaults.

The defaults are read once from ``gi_options_init`` at import, so the Python
signatures show the library's values and no number is written down twice.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

from . import _convert as C
from . import _ffi
from . import _structs as S


def _library_defaults() -> S.GiOptions:
    options = S.GiOptions()
    _ffi.gi_options_init(ctypes.byref(options), ctypes.sizeof(options))
    return options


def _name_of(mapping: Mapping[str, int], value: int) -> str:
    return next(name for name, v in mapping.items() if v == value)


ScheduleName = Literal["ratio", "counts", "adaptive", "calibrated"]
"""What ``schedule=`` accepts (see SCHEDULE_NAMES)."""
SolverName = Literal["auto", "exact", "heuristic", "mip"]
"""What ``solver=`` accepts (gi_solver)."""
NormalizeName = Literal["none", "zscore"]
"""What ``normalize=`` accepts (gi_normalize)."""

DEFAULTS = _library_defaults()
"""The library's defaults (a gi_options filled by gi_options_init)."""

DEFAULT_SCHEDULE: ScheduleName = _name_of(S.SCHEDULES, DEFAULTS.schedule)  # type: ignore[assignment]
SCHEDULE_NAMES: dict[str, int] = {**S.SCHEDULES, "calibrated": S.SCHEDULES["counts"]}
"""What ``schedule=`` accepts: the gi_schedule names, and "calibrated" - GI_SCHEDULE_COUNTS
with the counts read from ``schedule_file`` (a file written by gi.calibrate(...).save)."""
DEFAULT_SOLVER: SolverName = _name_of(S.SOLVERS, DEFAULTS.solver)  # type: ignore[assignment]
DEFAULT_NORMALIZE: NormalizeName = _name_of(S.NORMALIZATIONS, DEFAULTS.normalize)  # type: ignore[assignment]


def solver_options(solver: SolverName, time_limit: float, mip_gap: float, seed: int, restarts: int,
                   memory_limit: int) -> S.GiOptions:
    """Defaults with the solver fields set (what gi_solve_qip reads)."""
    options = _library_defaults()
    options.solver = C.choice("solver", solver, S.SOLVERS)
    options.time_limit = C.real("time_limit", time_limit)
    options.mip_gap = C.real("mip_gap", mip_gap)
    options.seed = C.integer("seed", seed, 0, 2**64 - 1)
    options.restarts = C.integer("restarts", restarts)
    options.memory_limit = C.integer("memory_limit", memory_limit, 0, 2**64 - 1)  # the library checks >= 1 MiB
    return options


def path_bytes(name: str, value: Any) -> bytes:
    """A filesystem path (str, bytes or os.PathLike) as the bytes C reads; no NUL."""
    try:
        raw = os.fsencode(os.fspath(value))
    except TypeError:
        raise TypeError(f"{name} must be a path (str or os.PathLike), not {type(value).__name__}") from None
    if b"\0" in raw:
        raise ValueError(f"{name} {value!r} contains a NUL character")
    if not raw:
        raise ValueError(f"{name} is empty")
    return raw


def session_options(
    *,
    num_candidates: int,
    group_size: int,
    num_steps: int,
    lam: float,
    schedule: ScheduleName,
    prune_ratio: float,
    first_prune_step: int,
    survivor_counts: Any,
    solver: SolverName,
    time_limit: float,
    mip_gap: float,
    normalize: NormalizeName,
    trace_every_step: bool,
    seed: int,
    budget: float,
    schedule_file: Any,
    restarts: int,
    memory_limit: int,
) -> tuple[S.GiOptions, np.ndarray | None]:
    """The gi_options of a session, and the survivor_counts array it points to (keep it alive).

    The schedule_file bytes are kept alive by the struct itself (a c_char_p field)."""
    options = solver_options(solver, time_limit, mip_gap, seed, restarts, memory_limit)
    options.num_candidates = C.integer("num_candidates", num_candidates)
    options.group_size = C.integer("group_size", group_size)
    options.num_steps = C.integer("num_steps", num_steps)
    options.lambda_ = C.real("lam", lam)
    options.schedule = C.choice("schedule", schedule, SCHEDULE_NAMES)
    options.budget = C.real("budget", budget)
    options.prune_ratio = C.real("prune_ratio", prune_ratio)
    options.first_prune_step = C.integer("first_prune_step", first_prune_step)
    options.normalize = C.choice("normalize", normalize, S.NORMALIZATIONS)
    if isinstance(trace_every_step, (bool, np.bool_)):
        options.trace_every_step = int(trace_every_step)
    else:
        options.trace_every_step = C.integer("trace_every_step", trace_every_step)
    counts = None
    if survivor_counts is not None:
        if schedule != "counts":
            raise ValueError(f"survivor_counts is given but schedule = {schedule!r}; pass schedule='counts'")
        counts = C.ids("survivor_counts", survivor_counts)
        if len(counts) != options.num_steps:
            # The library reads num_steps entries: a shorter array would be read past its end.
            raise ValueError(
                f"survivor_counts has {len(counts)} entries; num_steps = {options.num_steps} needs one per step"
            )
        options.survivor_counts = counts.ctypes.data_as(ctypes.POINTER(ctypes.c_int32))
    if schedule_file is not None:
        if schedule not in ("calibrated", "counts"):
            # The library refuses it too; this message names the Python spelling.
            raise ValueError(f"schedule_file is given but schedule = {schedule!r}; pass schedule='calibrated'")
        options.schedule_file = path_bytes("schedule_file", schedule_file)
    elif schedule == "calibrated":
        raise ValueError("schedule='calibrated' needs schedule_file (a file written by Calibration.save)")
    return options, counts
