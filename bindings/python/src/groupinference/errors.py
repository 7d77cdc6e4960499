"""Exceptions and the warning of the groupinference binding.

Every failing library call raises a :class:`GroupInferenceError` subclass
chosen by its ``gi_status``; ``.message`` is the library's ``gi_last_error()``
text, which names the function, argument, scorer, candidate or step.

``GI_WARNING`` (an exact solve stopped at its time limit before proving
optimality) is success: the call returns normally and a
:class:`GroupInferenceWarning` is issued through :mod:`warnings`, so it can
be silenced or turned into an error with the usual filters, e.g.
``warnings.simplefilter("error", groupinference.GroupInferenceWarning)``.
The trace records (``solve_status == "time_limit"``, ``gap``) say the same.

Failures to *load* the library are ``ImportError`` subclasses
(:class:`LibraryLoadError`, :class:`LibraryVersionError`) raised by
``import groupinference``.
"""

from __future__ import annotations

import os
import sys
import warnings
from types import FrameType

from . import _structs as S

__all__ = [
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
]


class GroupInferenceError(Exception):
    """A library call failed.

    Attributes:
        code: the ``gi_status`` value (negative).
        status: its name in the header, e.g. ``"GI_ERR_ARGUMENT"``.
        message: the library's explanation (``gi_last_error()``).
    """

    code: int
    status: str
    message: str

    def __init__(self, code: int, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.status = S.STATUS_NAMES.get(code, f"gi_status {code}")
        self.message = message

    def __str__(self) -> str:
        return self.message or self.status


class ArgumentError(GroupInferenceError, ValueError):
    """GI_ERR_ARGUMENT: NULL, a value out of range, a wrong size."""


class HandleError(GroupInferenceError):
    """GI_ERR_HANDLE: not a live session (closed, or destroyed)."""


class StateError(GroupInferenceError, RuntimeError):
    """GI_ERR_STATE: a call out of order, or a re-entrant call from a callback."""


class ScoresError(GroupInferenceError, ValueError):
    """GI_ERR_SCORES: NaN/Inf score, zero-norm embedding, scores missing."""


class CallbackError(GroupInferenceError):
    """GI_ERR_CALLBACK: a callback reported failure.

    A Python callback that raises never surfaces as this class: the driving
    method re-raises the callback's own exception instead. It is raised only
    when no Python exception was recorded.
    """


class SolverError(GroupInferenceError, RuntimeError):
    """GI_ERR_SOLVER: the MIP solver reported a failure."""


class LimitError(GroupInferenceError, ValueError):
    """GI_ERR_LIMIT: a size beyond the header's limits."""


class VersionError(GroupInferenceError):
    """GI_ERR_VERSION: a struct size the library does not support."""


class InternalError(GroupInferenceError):
    """GI_ERR_INTERNAL: a bug in the library."""


class Cancelled(GroupInferenceError):
    """GI_ERR_CANCELLED: the progress function of ``Session.run(progress=...)`` asked to stop.

    Nothing is lost: the run stopped after a completed step, and ``run()`` or
    ``step()`` continue where it stopped. When the progress function raised
    instead, ``run()`` re-raises that exception rather than this one.
    """


_CLASSES: dict[int, type[GroupInferenceError]] = {
    S.GI_ERR_ARGUMENT: ArgumentError,
    S.GI_ERR_HANDLE: HandleError,
    S.GI_ERR_STATE: StateError,
    S.GI_ERR_SCORES: ScoresError,
    S.GI_ERR_CALLBACK: CallbackError,
    S.GI_ERR_SOLVER: SolverError,
    S.GI_ERR_LIMIT: LimitError,
    S.GI_ERR_VERSION: VersionError,
    S.GI_ERR_INTERNAL: InternalError,
    S.GI_ERR_CANCELLED: Cancelled,
}


def error_for(code: int, message: str) -> GroupInferenceError:
    """The exception for a negative status; unknown codes give the base class."""
    return _CLASSES.get(code, GroupInferenceError)(code, message)


class GroupInferenceWarning(UserWarning):
    """A call succeeded with GI_WARNING: an exact solve hit its time limit."""


class LibraryLoadError(ImportError):
    """libgroupinference.so could not be found or loaded; the text lists every path tried."""


class LibraryVersionError(ImportError):
    """The loaded library's version is incompatible with this binding."""


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn(message: str) -> None:
    """Issue a GroupInferenceWarning attributed to the first caller outside this package."""
    level = 2  # stacklevel 1 is this function, 2 its caller (sys._getframe(1))
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        level += 1
        frame = frame.f_back
    warnings.warn(GroupInferenceWarning(message), stacklevel=level)
