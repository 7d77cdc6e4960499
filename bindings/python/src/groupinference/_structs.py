"""Mirror of the types, enums and limits of ``include/group_inference.h`` 0.3.0.

Everything here is a transcription of the header; nothing is computed. The
structs are passed with ``ctypes.sizeof`` as their size, as the header asks,
and ``tests/test_structs.py`` compiles a C program against the real header to
check every size and field offset.
"""

from __future__ import annotations

import ctypes
from ctypes import c_char_p, c_double, c_int, c_int32, c_int64, c_size_t, c_uint64, c_void_p

# Section - Version: what this binding was written for.
HEADER_VERSION_MAJOR = 0
HEADER_VERSION_MINOR = 3
HEADER_VERSION_PATCH = 0
HEADER_VERSION_NUMBER = HEADER_VERSION_MAJOR * 10000 + HEADER_VERSION_MINOR * 100 + HEADER_VERSION_PATCH
HEADER_VERSION_STRING = "0.3.0"

# Section - Limits (compile-time macros of the header).
MAX_CANDIDATES = 8192
MAX_STEPS = 100000
MAX_EMBEDDING_DIM = 16384
MAX_SCORERS = 64
MAX_EXACT_CANDIDATES = 256

# Section - Status and errors: gi_status.
GI_OK = 0
GI_WARNING = 1
GI_ERR_ARGUMENT = -1
GI_ERR_HANDLE = -2
GI_ERR_STATE = -3
GI_ERR_SCORES = -4
GI_ERR_CALLBACK = -5
GI_ERR_SOLVER = -6
GI_ERR_LIMIT = -7
GI_ERR_VERSION = -8
GI_ERR_INTERNAL = -9
GI_ERR_CANCELLED = -10

STATUS_NAMES: dict[int, str] = {
    GI_OK: "GI_OK",
    GI_WARNING: "GI_WARNING",
    GI_ERR_ARGUMENT: "GI_ERR_ARGUMENT",
    GI_ERR_HANDLE: "GI_ERR_HANDLE",
    GI_ERR_STATE: "GI_ERR_STATE",
    GI_ERR_SCORES: "GI_ERR_SCORES",
    GI_ERR_CALLBACK: "GI_ERR_CALLBACK",
    GI_ERR_SOLVER: "GI_ERR_SOLVER",
    GI_ERR_LIMIT: "GI_ERR_LIMIT",
    GI_ERR_VERSION: "GI_ERR_VERSION",
    GI_ERR_INTERNAL: "GI_ERR_INTERNAL",
    GI_ERR_CANCELLED: "GI_ERR_CANCELLED",
}

# Section - Options: the enums, keyed by the strings the Python API accepts.
SCHEDULES: dict[str, int] = {"ratio": 0, "counts": 1, "adaptive": 2}
SOLVERS: dict[str, int] = {"auto": 0, "exact": 1, "heuristic": 2, "mip": 3}
NORMALIZATIONS: dict[str, int] = {"none": 0, "zscore": 1}

# Section - Trace: gi_solve_status, by value.
SOLVE_STATUS_NAMES: dict[int, str] = {
    0: "none",
    1: "optimal",
    2: "gap_limit",
    3: "time_limit",
    4: "heuristic",
}

# Section - Trace: gi_bound_kind (since 0.3), by value.
BOUND_KIND_NAMES: dict[int, str] = {
    0: "none",
    1: "trivial",
    2: "cheap",
    3: "relaxation",
    4: "mip",
}

# which-values of gi_trace_scores for the combined scores.
GI_TRACE_UNARY = -1
GI_TRACE_DIVERSITY = -2


# Section - Session: ``gi_session`` is opaque. A handle crosses as a ``gi_session *``
# (a c_void_p: Python holds it as an int) - this named alias in every declaration.
SessionHandle = c_void_p


class GiOptions(ctypes.Structure):
    """``gi_options``. ``lambda`` is a Python keyword, hence ``lambda_``."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("num_candidates", c_int32),
        ("group_size", c_int32),
        ("num_steps", c_int32),
        ("schedule", c_int32),
        ("lambda_", c_double),
        ("prune_ratio", c_double),
        ("first_prune_step", c_int32),
        ("solver", c_int32),
        ("survivor_counts", ctypes.POINTER(c_int32)),
        ("time_limit", c_double),
        ("mip_gap", c_double),
        ("normalize", c_int32),
        ("trace_every_step", c_int32),
        ("seed", c_uint64),
        # Since 0.2 (the 0.1 struct ended here, at 88 bytes).
        ("budget", c_double),
        ("schedule_file", c_char_p),
        ("restarts", c_int32),
        ("reserved", c_int32),
        ("memory_limit", c_size_t),
    ]


class GiProgress(ctypes.Structure):
    """``gi_progress``."""

    _fields_ = [
        ("steps_done", c_int32),
        ("num_steps", c_int32),
        ("alive", c_int32),
        ("done", c_int32),
        ("keep_after_next", c_int32),
        ("scores_needed", c_int32),
        ("retry_pending", c_int32),
        ("num_records", c_int32),
        ("evaluations", c_int64),
        ("naive_evaluations", c_int64),
        ("objective", c_double),
        ("last_solve_status", c_int32),
        ("discarded", c_int32),
        ("last_seconds_scoring", c_double),
        ("last_seconds_solving", c_double),
        ("last_step_seconds", c_double),
    ]


class GiStepRecord(ctypes.Structure):
    """``gi_step_record``."""

    _fields_ = [
        ("step", c_int32),
        ("num_scored", c_int32),
        ("num_kept", c_int32),
        ("solve_status", c_int32),
        ("on_demand", c_int32),
        ("is_final", c_int32),
        ("evaluations", c_int64),
        ("objective", c_double),
        ("bound", c_double),
        ("gap", c_double),
        ("seconds_scoring", c_double),
        ("seconds_solving", c_double),
        ("discarded", c_int32),
        ("bound_kind", c_int32),
    ]


class GiSolveResult(ctypes.Structure):
    """``gi_solve_result``."""

    _fields_ = [
        ("objective", c_double),
        ("bound", c_double),
        ("gap", c_double),
        ("seconds", c_double),
        ("status", c_int32),
        ("bound_kind", c_int32),
        ("nodes", c_int64),
    ]


class GiDiagnostics(ctypes.Structure):
    """``gi_diagnostics`` (since 0.2)."""

    _fields_ = [
        ("spearman_previous", c_double),
        ("spearman_final", c_double),
        ("group_overlap_previous", c_double),
        ("group_overlap_final", c_double),
        ("movement", c_double),
        ("common_previous", c_int32),
        ("common_final", c_int32),
    ]


class GiCalibrationGoal(ctypes.Structure):
    """``gi_calibration_goal`` (since 0.2)."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("budget", c_double),
        ("retention", c_double),
    ]


class GiCalibrationReport(ctypes.Structure):
    """``gi_calibration_report`` (since 0.2)."""

    _fields_ = [
        ("evaluations", c_int64),
        ("evaluations_fraction", c_double),
        ("retention", c_double),
        ("retention_min", c_double),
        ("first_prune_step", c_int32),
        ("num_runs", c_int32),
    ]


# Callback types. Pointers travel as c_void_p (plain ints in Python): the
# trampolines copy from and into them with ctypes.memmove / string_at, which
# is cheaper than building ctypes pointer objects on every call.
#   gi_unary_fn:     int (*)(void *user, int32_t step, const int32_t *ids, size_t n, double *scores)
#   gi_embedding_fn: int (*)(void *user, int32_t step, const int32_t *ids, size_t n, size_t dim, float *embeddings)
#   gi_pairwise_fn:  int (*)(void *user, int32_t step, const int32_t *ids, size_t n, double *matrix)
#   gi_denoise_fn:   int (*)(void *user, int32_t step, const int32_t *ids, size_t n)
#   gi_destroy_fn:   void (*)(void *user)
UNARY_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_int32, c_void_p, c_size_t, c_void_p)
EMBEDDING_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_int32, c_void_p, c_size_t, c_size_t, c_void_p)
PAIRWISE_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_int32, c_void_p, c_size_t, c_void_p)
DENOISE_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_int32, c_void_p, c_size_t)
DESTROY_FN = ctypes.CFUNCTYPE(None, c_void_p)
PROGRESS_FN = ctypes.CFUNCTYPE(c_int, c_void_p, ctypes.POINTER(GiProgress))
