"""The exception classes, the status mapping, closed and stale sessions."""

from __future__ import annotations

import ctypes
import pickle

import numpy as np
import pytest

import groupinference as gi
from groupinference import _ffi
from groupinference import _structs as S
from groupinference.errors import error_for

from conftest import Host

CLASSES = {
    S.GI_ERR_ARGUMENT: (gi.ArgumentError, ValueError),
    S.GI_ERR_HANDLE: (gi.HandleError, gi.GroupInferenceError),
    S.GI_ERR_STATE: (gi.StateError, RuntimeError),
    S.GI_ERR_SCORES: (gi.ScoresError, ValueError),
    S.GI_ERR_CALLBACK: (gi.CallbackError, gi.GroupInferenceError),
    S.GI_ERR_SOLVER: (gi.SolverError, RuntimeError),
    S.GI_ERR_LIMIT: (gi.LimitError, ValueError),
    S.GI_ERR_VERSION: (gi.VersionError, gi.GroupInferenceError),
    S.GI_ERR_INTERNAL: (gi.InternalError, gi.GroupInferenceError),
}


@pytest.mark.parametrize("code", sorted(CLASSES))
def test_every_status_has_its_class(code: int) -> None:
    cls, builtin = CLASSES[code]
    error = error_for(code, "gi_step: something named")
    assert type(error) is cls and isinstance(error, builtin) and isinstance(error, gi.GroupInferenceError)
    assert error.code == code and error.status == S.STATUS_NAMES[code] and error.message == "gi_step: something named"
    assert str(error) == "gi_step: something named"
    assert _ffi.status_string(code) not in ("", "unknown status")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls and copy.code == code and copy.message == error.message


def test_unknown_status() -> None:
    error = error_for(-1234, "")
    assert type(error) is gi.GroupInferenceError and error.status == "gi_status -1234"
    assert str(error) == "gi_status -1234"
    assert _ffi.status_string(1234) == "unknown status"


def test_errcheck_falls_back_to_the_status_text() -> None:
    # A status with no last-error text (never produced by this library) still reads well.
    options = S.GiOptions()
    _ffi.gi_options_init(ctypes.byref(options), ctypes.sizeof(options))  # success: the last error is ""
    with pytest.raises(gi.ArgumentError) as caught:
        _ffi.check_status(S.GI_ERR_ARGUMENT, _ffi.gi_version_number, ())
    assert caught.value.message == f"gi_version_number: {_ffi.status_string(S.GI_ERR_ARGUMENT)}"


def test_struct_size_errors_are_version_errors() -> None:
    options = S.GiOptions()
    with pytest.raises(gi.VersionError, match="size = 8"):
        _ffi.gi_options_init(ctypes.byref(options), 8)
    _ffi.gi_options_init(ctypes.byref(options), ctypes.sizeof(options))
    assert _ffi.gi_last_error() == b""  # success clears the message


def test_closed_session_is_a_clear_error_never_a_crash(host: Host) -> None:
    s = host.session()
    s.run()
    s.close()
    s.close()
    calls = [
        lambda: s.step(), lambda: s.run(), lambda: s.prune(3), lambda: s.progress, lambda: s.survivors,
        lambda: s.result(), lambda: s.records(), lambda: s.set_denoiser(None),
        lambda: s.add_unary_scorer("x", None), lambda: s.add_embedding_scorer("y", None, dim=2),
        lambda: s.add_pairwise_scorer("z", None), lambda: s.push_unary(0, [0], [1.0]),
        lambda: s.push_embeddings(1, [0], np.ones((1, 4))), lambda: s.push_pairwise(0, [0], [[0.0]]),
        lambda: s.__enter__(),
    ]
    for call in calls:
        with pytest.raises(gi.HandleError, match="the session is closed") as caught:
            call()
        assert caught.value.code == S.GI_ERR_HANDLE


def test_stale_handles_are_refused_by_the_library(host: Host) -> None:
    s = host.session()
    handle = s._handle
    s.close()
    with pytest.raises(gi.HandleError, match="not a live session"):
        _ffi.gi_step(handle)
    _ffi.gi_session_destroy(handle)  # already destroyed: ignored
    _ffi.gi_session_destroy(None)
    with pytest.raises(gi.ArgumentError, match="session is NULL"):
        _ffi.gi_step(None)


def test_failed_create_leaves_nothing_to_close() -> None:
    with pytest.raises(gi.ArgumentError):
        gi.Session(num_candidates=3, group_size=4)


def test_the_package_exports_every_error() -> None:
    from groupinference import errors

    assert set(errors.__all__) <= set(gi.__all__)
    assert all(getattr(gi, name) is getattr(errors, name) for name in errors.__all__)
