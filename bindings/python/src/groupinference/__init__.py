"""groupinference: pick a diverse, high-quality group of K out of M candidates
during diffusion sampling - the Python binding of libgroupinference (ctypes).

>>> import groupinference as gi
>>> gi.solve_qip([1.0, 0.9, 0.1], [[0, 0, 1], [0, 0, 1], [1, 1, 0]], k=2, lam=1.0).selection.tolist()
[0, 2]

See :class:`Session` for the sampling loop, :func:`solve_qip` for a single
selection problem, and :func:`calibrate` for deriving a pruning schedule from
full runs. Importing the package loads ``libgroupinference.so`` (where it is
looked for: the README's "Install and test") and checks its version.

Stable core and experimental parts, as the C header fences them. The
experimental parts may still change during 0.x - names, arguments, results:
calibration (:func:`calibrate`, :class:`Calibration`, :func:`save_schedule`,
:func:`load_schedule`, ``schedule="calibrated"``), diagnostics
(:meth:`Session.diagnostics`, :class:`Diagnostics`), trace groups
(``StepRecord.group``) and the adaptive schedule (``schedule="adaptive"``,
``budget``). Everything else is the stable core: :class:`Session` (options,
scorers, pushed values, ``step``, ``prune``, ``run``, ``discard``,
``progress``, ``survivors``, results and records), :func:`solve_qip` and
the errors.
"""

from ._ffi import library_path, library_version
from ._structs import (
    MAX_CANDIDATES,
    MAX_EMBEDDING_DIM,
    MAX_EXACT_CANDIDATES,
    MAX_SCORERS,
    MAX_STEPS,
)
from ._version import __version__
from .errors import (
    ArgumentError,
    CallbackError,
    Cancelled,
    GroupInferenceError,
    GroupInferenceWarning,
    HandleError,
    InternalError,
    LibraryLoadError,
    LibraryVersionError,
    LimitError,
    ScoresError,
    SolverError,
    StateError,
    VersionError,
)
from ._options import NormalizeName, ScheduleName, SolverName
from .results import BoundKind, Diagnostics, Progress, Result, SolveStatus, StepRecord
from .session import Session
from .calibration import Calibration, ScheduleFile, calibrate, load_schedule, save_schedule
from .solve import QipSolution, solve_qip

__all__ = [
    "__version__",
    "library_version",
    "library_path",
    "Session",
    "Progress",
    "Result",
    "StepRecord",
    "Diagnostics",
    "calibrate",
    "Calibration",
    "save_schedule",
    "load_schedule",
    "ScheduleFile",
    "solve_qip",
    "QipSolution",
    "ScheduleName",
    "SolverName",
    "NormalizeName",
    "SolveStatus",
    "BoundKind",
    # The errors (explicit, so type checkers and linters see the re-exports).
    "GroupInferenceError",
    "ArgumentError",
    "HandleError",
    "StateError",
    "ScoresError",
    "CallbackError",
    "SolverError",
    "LimitError",
    "VersionError",
    "InternalError",
    "Cancelled",
    "GroupInferenceWarning",
    "LibraryLoadError",
    "LibraryVersionError",
    "MAX_CANDIDATES",
    "MAX_STEPS",
    "MAX_EMBEDDING_DIM",
    "MAX_SCORERS",
    "MAX_EXACT_CANDIDATES",
]
