"""Loading libgroupinference.so and declaring its functions.

Where the library comes from, in order:

1. ``$GROUPINFERENCE_LIBRARY``: a path to the ``.so``. When the variable is
   set (non-empty) it is the only location tried, so an explicit choice is
   never silently replaced by another copy. A value without a ``/`` is
   handed to the dynamic loader as is (it then searches its usual paths).
2. the copy shipped inside the package: ``groupinference/lib/libgroupinference.so``
   (the platform wheel and a build from the sdist carry one);
3. the repository's release build ``<repo>/.build/release/libgroupinference.so``,
   when this file sits in the repository's source tree
   (``<repo>/bindings/python/src/groupinference/``);
4. the system's dynamic loader: ``libgroupinference.so.<major>`` (the SONAME,
   e.g. ``libgroupinference.so.0``), found like any shared library
   (``ldconfig``'s cache after ``make install``, ``LD_LIBRARY_PATH``).

When nothing loads, :class:`~groupinference.errors.LibraryLoadError` lists
every location tried, why each failed, and what to do about it. After
loading, the library's ``gi_version_number()`` must have the major version
of the header this binding mirrors and a minor version at least as new.

Every C function is declared through :func:`ffi`; functions returning a
``gi_status`` get :func:`check_status` as ``errcheck``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Mapping, Sequence
from ctypes import POINTER, c_char_p, c_double, c_int, c_int32, c_size_t, c_void_p
from pathlib import Path
from typing import Any, Callable

from . import _structs as S
from . import errors

ENV_VAR = "GROUPINFERENCE_LIBRARY"
LIBRARY_NAME = "libgroupinference.so"
# What `make install` registers with ldconfig and a host linked with -lgroupinference asks for.
SONAME = f"{LIBRARY_NAME}.{S.HEADER_VERSION_MAJOR}"
PACKAGE_DIR = Path(__file__).resolve().parent

ORIGIN_ENV = f"${ENV_VAR}"
ORIGIN_PACKAGE = "copy inside the package"
ORIGIN_REPOSITORY = "repository release build"
ORIGIN_SYSTEM = "system loader"


def source_tree_root(package_dir: Path = PACKAGE_DIR) -> Path | None:
    """The repository root when the package is used from its source tree, else None."""
    parents = package_dir.parents
    if len(parents) >= 4 and [p.name for p in parents[:3]] == ["src", "python", "bindings"]:
        return parents[3]
    return None


def candidate_paths(
    environ: Mapping[str, str] = os.environ, package_dir: Path = PACKAGE_DIR
) -> list[tuple[str, str]]:
    """(where it comes from, path or SONAME) for every location to try, in order."""
    explicit = environ.get(ENV_VAR, "")
    if explicit:
        return [(ORIGIN_ENV, explicit)]
    found = [(ORIGIN_PACKAGE, str(package_dir / "lib" / LIBRARY_NAME))]
    repo = source_tree_root(package_dir)
    if repo is not None:
        found.append((ORIGIN_REPOSITORY, str(repo / ".build" / "release" / LIBRARY_NAME)))
    found.append((ORIGIN_SYSTEM, SONAME))
    return found


def load_library(candidates: Sequence[tuple[str, str]]) -> tuple[ctypes.CDLL, str]:
    """Load the first candidate that loads; otherwise raise LibraryLoadError listing all.

    Returns the library and the file it was loaded from (for a name handed to
    the system loader, the file the loader chose).
    """
    failures: list[tuple[str, str, str]] = []
    for origin, path in candidates:
        if os.sep in path and not os.path.exists(path):
            failures.append((origin, path, "no such file"))
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError as error:
            failures.append((origin, path, str(error)))
            continue
        return lib, path if os.sep in path else _loaded_file(lib, path)
    lines = [f"cannot load {LIBRARY_NAME}; tried:"]
    lines += [f"  {path} ({origin}): {why}" for origin, path, why in failures]
    lines += _hints(failures)
    raise errors.LibraryLoadError("\n".join(lines))


def _hints(failures: Sequence[tuple[str, str, str]]) -> list[str]:
    """What to do, for the situation the failed attempts describe."""
    origins = {origin: (path, why) for origin, path, why in failures}
    if ORIGIN_ENV in origins:
        return [f"${ENV_VAR} is set, so no other location was tried: point it at {LIBRARY_NAME} or unset it."]
    hints = []
    package = origins.get(ORIGIN_PACKAGE)
    if package is not None and package[1] != "no such file":
        missing = _missing_dependency(package[1])
        hints.append(
            f"The package's copy is there but does not load{f' ({missing} is missing)' if missing else ''}: "
            "install the platform wheel (`make wheel`; it bundles GLPK and OpenBLAS) or, on Debian, "
            "`apt install libglpk40 libopenblas0`."
        )
    repository = origins.get(ORIGIN_REPOSITORY)
    if repository is not None:
        repo = Path(repository[0]).parents[2]
        hints.append(f"From the source tree: build the library with `make -C {repo} lib`.")
    elif package is not None and package[1] == "no such file":
        hints.append(
            "This installation carries no copy of the library (built with GROUPINFERENCE_USE_SYSTEM_LIBRARY=1 "
            "or copied without lib/): install the platform wheel (`make wheel` in the repository), or the "
            f"library itself (`make install` in the repository) so the system loader finds {SONAME}."
        )
    if ORIGIN_SYSTEM in origins:
        other = ctypes.util.find_library("groupinference")
        if other and other != SONAME:
            hints.append(
                f"The system has {other}, but this binding needs {SONAME} (major version {S.HEADER_VERSION_MAJOR})."
            )
        else:
            hints.append(
                f"For the system loader: `make install` into /usr/local runs ldconfig; for another PREFIX "
                f"set LD_LIBRARY_PATH=PREFIX/lib (or register PREFIX/lib with ldconfig)."
            )
    hints.append(f"Or set ${ENV_VAR} to the path of {LIBRARY_NAME}.")
    return hints


def _missing_dependency(reason: str) -> str | None:
    """The library dlopen could not find, from its message, when that was the problem."""
    marker = ": cannot open shared object file"
    if marker not in reason:
        return None
    name = reason.split(marker, 1)[0].rsplit(": ", 1)[-1]
    return None if name.startswith(LIBRARY_NAME) else name


class _DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", c_char_p), ("dli_fbase", c_void_p), ("dli_sname", c_char_p), ("dli_saddr", c_void_p)]


def _loaded_file(lib: ctypes.CDLL, fallback: str) -> str:
    """The file the dynamic loader mapped for `lib` (dladdr on one of its functions)."""
    try:
        dladdr = ctypes.CDLL(None).dladdr
        dladdr.argtypes = [c_void_p, POINTER(_DlInfo)]
        info = _DlInfo()
        if dladdr(ctypes.cast(lib.gi_version_number, c_void_p), ctypes.byref(info)) and info.dli_fname:
            return os.fsdecode(info.dli_fname)
    except (AttributeError, OSError):
        pass
    return fallback


def check_version(number: int, text: str, path: str) -> None:
    """Refuse a library whose major differs or whose minor is older than the header's."""
    major, minor = number // 10000, number // 100 % 100
    if major != S.HEADER_VERSION_MAJOR or minor < S.HEADER_VERSION_MINOR:
        raise errors.LibraryVersionError(
            f"{path} is libgroupinference {text} (version number {number}), but this binding was written "
            f"for {S.HEADER_VERSION_STRING} (GI_VERSION_NUMBER {S.HEADER_VERSION_NUMBER}): it needs major "
            f"version {S.HEADER_VERSION_MAJOR} and minor version {S.HEADER_VERSION_MINOR} or newer"
        )


_lib, library_path = load_library(candidate_paths())


def ffi(name: str, argtypes: Sequence[Any], restype: Any, errcheck: Callable[..., Any] | None = None) -> Any:
    """Declare one C function of the library: the single way every function is declared."""
    try:
        function = getattr(_lib, name)
    except AttributeError:
        raise errors.LibraryLoadError(
            f"{library_path} does not export {name}; it is not the library this binding was written for"
        ) from None
    function.argtypes = list(argtypes)
    function.restype = restype
    if errcheck is not None:
        function.errcheck = errcheck
    return function


def check_status(result: int, function: Any, arguments: tuple[Any, ...]) -> int:
    """errcheck for gi_status results: raise on errors, warn on GI_WARNING."""
    if result < 0:
        raise errors.error_for(result, _last_error(result, function))
    if result == S.GI_WARNING:
        errors.warn(_last_error(result, function))
    return result


def _last_error(code: int, function: Any) -> str:
    text: bytes = gi_last_error() or b""
    if text:
        return text.decode("utf-8", "replace")
    return f"{function.__name__}: {status_string(code)}"


# Section - Version
gi_version_number = ffi("gi_version_number", [], c_int32)
gi_version_string = ffi("gi_version_string", [], c_char_p)

check_version(gi_version_number(), (gi_version_string() or b"?").decode(), library_path)

# Section - Status and errors
gi_status_string = ffi("gi_status_string", [c_int], c_char_p)
gi_last_error = ffi("gi_last_error", [], c_char_p)

# Section - Options and session
_session = S.SessionHandle  # gi_session *
_size_p = POINTER(c_size_t)
gi_options_init = ffi("gi_options_init", [POINTER(S.GiOptions), c_size_t], c_int, check_status)
gi_session_create = ffi("gi_session_create", [POINTER(S.GiOptions), POINTER(_session)], c_int, check_status)
gi_session_destroy = ffi("gi_session_destroy", [_session], None)

# Section - Scorers
gi_add_unary_scorer = ffi(
    "gi_add_unary_scorer",
    [_session, c_char_p, c_double, S.UNARY_FN, c_void_p, S.DESTROY_FN, POINTER(c_int32)],
    c_int,
    check_status,
)
gi_add_embedding_scorer = ffi(
    "gi_add_embedding_scorer",
    [_session, c_char_p, c_double, c_size_t, S.EMBEDDING_FN, c_void_p, S.DESTROY_FN, POINTER(c_int32)],
    c_int,
    check_status,
)
gi_add_pairwise_scorer = ffi(
    "gi_add_pairwise_scorer",
    [_session, c_char_p, c_double, S.PAIRWISE_FN, c_void_p, S.DESTROY_FN, POINTER(c_int32)],
    c_int,
    check_status,
)
gi_push_unary = ffi("gi_push_unary", [_session, c_int32, c_void_p, c_size_t, c_void_p], c_int, check_status)
gi_push_embeddings = ffi(
    "gi_push_embeddings", [_session, c_int32, c_void_p, c_size_t, c_size_t, c_void_p], c_int, check_status
)
gi_push_pairwise = ffi("gi_push_pairwise", [_session, c_int32, c_void_p, c_size_t, c_void_p], c_int, check_status)

# Section - Driving
gi_set_denoiser = ffi("gi_set_denoiser", [_session, S.DENOISE_FN, c_void_p, S.DESTROY_FN], c_int, check_status)
gi_step = ffi("gi_step", [_session], c_int, check_status)
gi_prune = ffi("gi_prune", [_session, c_int32], c_int, check_status)
gi_run = ffi("gi_run", [_session], c_int, check_status)
# Since 0.3
gi_discard = ffi("gi_discard", [_session, c_void_p, c_size_t], c_int, check_status)
gi_set_progress = ffi("gi_set_progress", [_session, S.PROGRESS_FN, c_void_p, S.DESTROY_FN], c_int, check_status)

# Section - Progress and results
gi_get_progress = ffi("gi_get_progress", [_session, POINTER(S.GiProgress), c_size_t], c_int, check_status)
gi_survivors = ffi("gi_survivors", [_session, c_void_p, c_size_t, _size_p], c_int, check_status)
gi_result_ids = ffi("gi_result_ids", [_session, c_void_p, c_size_t, _size_p], c_int, check_status)
gi_result_unary = ffi("gi_result_unary", [_session, c_void_p, c_size_t, _size_p], c_int, check_status)
gi_result_pairwise = ffi("gi_result_pairwise", [_session, c_void_p, c_size_t, _size_p], c_int, check_status)

# Section - Trace
gi_trace_count = ffi("gi_trace_count", [_session, _size_p], c_int, check_status)
gi_trace_record = ffi(
    "gi_trace_record", [_session, c_size_t, POINTER(S.GiStepRecord), c_size_t], c_int, check_status
)
gi_trace_ids = ffi("gi_trace_ids", [_session, c_size_t, c_void_p, c_size_t, _size_p], c_int, check_status)
gi_trace_kept = ffi("gi_trace_kept", [_session, c_size_t, c_void_p, c_size_t, _size_p], c_int, check_status)
gi_trace_scores = ffi(
    "gi_trace_scores", [_session, c_size_t, c_int32, c_void_p, c_size_t, _size_p], c_int, check_status
)
# Since 0.2
gi_trace_group = ffi("gi_trace_group", [_session, c_size_t, c_void_p, c_size_t, _size_p], c_int, check_status)
gi_trace_diagnostics = ffi(
    "gi_trace_diagnostics", [_session, c_size_t, c_int32, POINTER(S.GiDiagnostics), c_size_t], c_int, check_status
)

# Section - Calibration (since 0.2)
_int32_p = POINTER(c_int32)
gi_calibrate = ffi(
    "gi_calibrate",
    [POINTER(_session), c_size_t, POINTER(S.GiCalibrationGoal), c_void_p, c_size_t, c_void_p, c_void_p,
     POINTER(S.GiCalibrationReport), c_size_t],
    c_int,
    check_status,
)
gi_schedule_save = ffi(
    "gi_schedule_save",
    [c_char_p, c_int32, c_int32, c_int32, c_double, c_void_p, POINTER(S.GiCalibrationReport), c_size_t],
    c_int,
    check_status,
)
gi_schedule_load = ffi(
    "gi_schedule_load",
    [c_char_p, _int32_p, _int32_p, _int32_p, POINTER(c_double), c_void_p, c_size_t, _size_p],
    c_int,
    check_status,
)

# Section - One-shot selection
gi_solve_qip = ffi(
    "gi_solve_qip",
    [c_size_t, c_void_p, c_void_p, c_double, c_int32, POINTER(S.GiOptions), c_void_p, POINTER(S.GiSolveResult),
     c_size_t],
    c_int,
    check_status,
)


def status_string(code: int) -> str:
    """gi_status_string: the library's short description of a status code."""
    return (gi_status_string(code) or b"").decode()


def library_version() -> str:
    """gi_version_string(): the version of the loaded library, e.g. "0.3.0"."""
    return (gi_version_string() or b"").decode()
